import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { frameText } from '../../sources/framing.js';
import { getSource } from '../../sources/registry.js';
import type { SourceId } from '../../sources/types.js';

export type FieldType = 'string' | 'number' | 'boolean' | 'array' | 'object';

/** Fixture folders (under test/fixtures) and the source that reads them. */
const FIXTURE_SOURCES: readonly [string, SourceId][] = [
  ['bmc/ipmi-sel', 'ipmi-sel'],
  ['redfish/log_entries', 'redfish'],
  ['redfish/vendor', 'redfish'],
  ['kernel', 'syslog'],
  ['loghub/Linux', 'syslog'],
  ['smart', 'smart'],
  ['openstack/notifications', 'openstack-notification'],
  ['loghub/OpenStack', 'openstack-log'],
  ['dpu/counters', 'dpu-metrics'],
];

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(filesUnder(path));
    else if (!/(^LICENSE|PROVENANCE|README|\.csv$|\.bin$|\.conf$|\.out$)/.test(name)) out.push(path);
  }
  return out;
}

function typeOf(value: unknown): FieldType {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'object';
  const t = typeof value;
  return t === 'number' || t === 'boolean' || t === 'string' ? t : 'object';
}

/** Field → type over every event the decoders give on the fixtures (first type seen wins). */
/**
 * Fields written after decoding, by the stage that writes them: rules may match them although no
 * decoder does. Each names its writer so a rename there shows up here.
 */
const WRITTEN_AFTER_DECODE: Readonly<Record<string, FieldType>> = {
  // ingest pipeline (receive time)
  'event.ingested': 'string',
  // fleet TopologyIndex.enrich: the lessee at event time
  'cloud.account.id': 'string',
  'labels.lease_id': 'string',
  'labels.rack': 'string',
  // logmine TemplateTagger.enrich
  'log.template.id': 'string',
  // logmine LogAnomalyDetector signals (read by the engine)
  'labels.direction': 'string',
  'labels.count': 'string',
  'labels.baseline': 'string',
};

export function collectFieldCatalog(): Map<string, FieldType> {
  const fields = new Map<string, FieldType>(Object.entries(WRITTEN_AFTER_DECODE));
  for (const [folder, sourceId] of FIXTURE_SOURCES) {
    const source = getSource(sourceId);
    if (source === undefined) continue;
    for (const file of filesUnder(join(repoRoot, 'test', 'fixtures', folder))) {
      const frames = frameText(source.createFramer(), readFileSync(file, 'utf8'));
      for (const frame of frames) {
        const result = source.decode(frame.payload, { line: frame.line, receivedAt: '2020-01-01T00:00:00Z' });
        if (!result.ok) continue;
        for (const event of result.events) {
          for (const [key, value] of Object.entries(event)) {
            if (!fields.has(key)) fields.set(key, typeOf(value));
          }
        }
      }
    }
  }
  return fields;
}

export function renderFieldCatalog(fields: Map<string, FieldType>): string {
  const sorted = Object.fromEntries([...fields.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}
