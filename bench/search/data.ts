import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TemplateMiner } from '../../src/logmine/miner.js';
import type { FaultEvent } from '../../src/model/event.js';
import { frameText } from '../../src/sources/framing.js';
import { getSource } from '../../src/sources/registry.js';

/**
 * The load of bench/search and the views it asks for. Load data is generated (the volume no public
 * sample has): the Loghub OpenStack 2k sample, decoded once, repeated over 50 compute hosts and 30
 * days, each copy with its own request ids, instance UUIDs and event ids; 1% of the events are the
 * BMC SEL fixture's hardware events.
 */

const REPO = resolve(import.meta.dirname, '..', '..');

function decodeFile(source: 'openstack-log' | 'ipmi-sel', path: string): FaultEvent[] {
  const s = getSource(source)!;
  const out: FaultEvent[] = [];
  for (const f of frameText(s.createFramer(), readFileSync(resolve(REPO, path), 'utf8'))) {
    const r = s.decode(f.payload, { line: f.line, host: 'compute-0' });
    if (r.ok) out.push(...r.events);
  }
  return out;
}

const openstack = decodeFile('openstack-log', 'test/fixtures/loghub/OpenStack/OpenStack_2k.log');
const sel = decodeFile('ipmi-sel', 'test/fixtures/bmc/ipmi-sel/generated/webui_export_and_pcie_bdf.txt');
export const miner = new TemplateMiner();
for (const e of openstack) e['log.template.id'] = miner.add(e.message).id;
const START = Date.parse('2026-01-01T00:00:00Z');
/** Days the load spans, from 2026-01-01. */
export const SPAN_DAYS = 30;
const SPAN = SPAN_DAYS * 86_400_000;

/** Event i of the load: a copy of a sample event on another host, at another time, with new ids. */
export function generate(i: number, N: number): FaultEvent {
  const hw = i % 100 === 99;
  const base = hw ? (sel[i % sel.length] as FaultEvent) : (openstack[i % openstack.length] as FaultEvent);
  const copy = Math.floor(i / openstack.length);
  const e: FaultEvent = { ...base };
  e['@timestamp'] = new Date(START + Math.floor((i / N) * SPAN)).toISOString();
  e['event.id'] = `b${i.toString(36)}`;
  e['host.name'] = hw ? `bmc-${copy % 50}` : `compute-${copy % 50}`;
  const rid = e['labels.request_id'];
  if (typeof rid === 'string')
    e['labels.request_id'] = `${rid.slice(0, 28)}${(copy % 1e8).toString(16).padStart(8, '0')}`;
  const iid = e['cloud.instance.id'];
  if (typeof iid === 'string')
    e['cloud.instance.id'] = `${iid.slice(0, 28)}${(copy % 1e8).toString(16).padStart(8, '0')}`;
  return e;
}

/** The views, as an SRE would ask them, over a load of `N` events. */
export function VIEWS(N: number): Array<[string, string]> {
  const pick = generate(Math.floor(N / 2) - (Math.floor(N / 2) % openstack.length) + 1, N);
  return [
    ['newest page', '/v1/logs/search?size=50'],
    ['search level=WARNING', '/v1/logs/search?level=WARNING&size=50'],
    ['search q=instance', '/v1/logs/search?q=instance&size=50'],
    ['search pasted request id', `/v1/logs/search?q=${pick['labels.request_id'] ?? 'req-x'}&size=50`],
    ['search severity=error (hw)', '/v1/logs/search?severity=error&size=50'],
    [
      'histogram (30 days)',
      '/v1/logs/search?size=1&histogram=true&from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z',
    ],
    [
      'field values service.name',
      '/v1/logs/values/service.name?from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z',
    ],
    [
      'top hosts for q=instance',
      '/v1/logs/top?by=host&q=instance&from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z',
    ],
    [
      'errors by template (1 day)',
      '/v1/logs/errors?level=WARNING&from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z',
    ],
    ['trace of a request id', `/v1/logs/trace?request_id=${pick['labels.request_id'] ?? 'req-x'}`],
  ];
}
