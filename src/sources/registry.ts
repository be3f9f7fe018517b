import { openstackLogSource } from './openstack/log/index.js';
import type { Source, SourceId } from './types.js';

/**
 * Every source the ingest path, the CLI and the API know. Adding a source is one folder under
 * `src/sources/`, one line here, and its fixtures.
 */
const SOURCES: readonly Source[] = [
  openstackLogSource,
  // sources: add new entries above this line
];

const byId = new Map<SourceId, Source>(SOURCES.map((s) => [s.id, s]));

export function getSource(id: SourceId): Source | undefined {
  return byId.get(id);
}

export function listSources(): readonly Source[] {
  return SOURCES;
}
