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
export function collectFieldCatalog(): Map<string, FieldType> {
  const fields = new Map<string, FieldType>();
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
