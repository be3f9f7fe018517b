import { ipmiSelSource } from './bmc/ipmi-sel/index.js';
import { redfishSource } from './bmc/redfish/index.js';
import { dpuFlowSource } from './dpu/flow/index.js';
import { dpuMetricsSource } from './dpu/metrics/index.js';
import { fleetSource } from './fleet/index.js';
import { smartSource } from './host/smart/index.js';
import { syslogSource } from './host/syslog/index.js';
import { openstackLogSource } from './openstack/log/index.js';
import { openstackNotificationSource } from './openstack/notification/index.js';
import { guardDecode, type Source, type SourceId } from './types.js';

/**
 * Every source the ingest path, the CLI and the API know. Adding a source is one folder under
 * `src/sources/`, one line here, and its fixtures. Every decoder is guarded here, once
 * (guardDecode): callers never need a try/catch of their own.
 */
const SOURCES: readonly Source[] = [
  openstackLogSource,
  ipmiSelSource,
  redfishSource,
  openstackNotificationSource,
  dpuMetricsSource,
  dpuFlowSource,
  smartSource,
  syslogSource,
  fleetSource,
  // sources: add new entries above this line
].map(guardDecode);

const byId = new Map<SourceId, Source>(SOURCES.map((s) => [s.id, s]));

export function getSource(id: SourceId): Source | undefined {
  return byId.get(id);
}

export function listSources(): readonly Source[] {
  return SOURCES;
}
