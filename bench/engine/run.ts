/**
 * Events per second through the fault engine with the full shipped rule set, on one core, beside a
 * peer measured in the same run: the floor any event-time engine pays per event (parse the
 * timestamp, look the event's dataset up, read its host) with no rule at all.
 *
 * Workload: real records decoded from test/fixtures (Loghub OpenStack 2k, IPMI SEL, Redfish, kernel,
 * SMART, OVS counters), copied across BENCH_HOSTS hosts (default 1,000) and shifted in time so each
 * copy is its own stream; plus a generated correctable-ECC trickle so the window, trend and
 * anomaly paths are exercised. Run: `taskset -c 0 npx tsx bench/engine/run.ts` (BENCH_EVENTS,
 * default 1,000,000). Not part of the test suite: it prints figures, it does not judge them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/engine/engine.js';
import { loadRuleDir } from '../../src/engine/rules/load.js';
import type { FaultEvent } from '../../src/model/event.js';
import { frameText } from '../../src/sources/framing.js';
import { getSource } from '../../src/sources/registry.js';
import type { SourceId } from '../../src/sources/types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const hosts = Number(process.env.BENCH_HOSTS ?? 1000);
const runs = Number(process.env.BENCH_RUNS ?? 3);

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return files(p);
      return /LICENSE|PROVENANCE|\.csv$/.test(n) ? [] : [p];
    });
}

function decodeAll(dir: string, sourceId: SourceId): FaultEvent[] {
  const source = getSource(sourceId);
  if (source === undefined) return [];
  const out: FaultEvent[] = [];
  for (const file of files(join(root, 'test', 'fixtures', dir))) {
    for (const f of frameText(source.createFramer(), readFileSync(file, 'utf8'))) {
      const r = source.decode(f.payload, { line: f.line, receivedAt: '2026-01-01T00:00:00Z' });
      if (r.ok) out.push(...r.events);
    }
  }
  return out;
}

const base = [
  ...decodeAll('loghub/OpenStack', 'openstack-log'),
  ...decodeAll('bmc/ipmi-sel', 'ipmi-sel'),
  ...decodeAll('redfish/log_entries', 'redfish'),
  ...decodeAll('kernel', 'syslog'),
  ...decodeAll('smart/smartctl_exporter_testdata', 'smart'),
  ...decodeAll('dpu/counters', 'dpu-metrics'),
];
const T0 = Date.parse('2026-01-01T00:00:00Z');
// Each base event gets a slot in a one-hour cycle; each copy is a host and an hour of its own.
const events: FaultEvent[] = [];
for (let copy = 0; events.length < target; copy++) {
  const host = `bm-${String(copy % hosts).padStart(4, '0')}`;
  const hourStart = T0 + Math.floor(copy / hosts) * 3_600_000;
  for (let i = 0; i < base.length && events.length < target; i++) {
    const at = hourStart + Math.floor((i / base.length) * 3_600_000);
    events.push({ ...(base[i] as FaultEvent), '@timestamp': new Date(at).toISOString(), 'host.name': host });
    if (i % 50 === 0) {
      events.push({
        ...(base[0] as FaultEvent),
        'event.dataset': 'bmc.sel',
        'hw.type': 'memory',
        'hw.id': `DIMM_${i % 7}`,
        'hw.fault.class': 'correctable',
        message: 'Correctable ECC',
        '@timestamp': new Date(at).toISOString(),
        'host.name': host,
      });
    }
  }
}
events.sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : 0));
const rules = loadRuleDir(join(root, 'rules'));

function floor(): number {
  const seen = new Map<string, number>();
  let sum = 0;
  for (const e of events) {
    const at = Date.parse(e['@timestamp']);
    const key = `${e['event.dataset']}\u0000${e['host.name'] ?? ''}`;
    seen.set(key, at);
    sum += at & 1;
  }
  return sum + seen.size;
}

function engineRun(): Engine {
  const engine = new Engine({ rules, allowedLatenessMs: 60_000 });
  for (const e of events) engine.push(e);
  engine.flush();
  return engine;
}

/** Wall seconds, and CPU ms per 1,000 events (what a loaded machine disturbs less). */
function time(fn: () => unknown): { s: number; cpu: number } {
  const t = process.hrtime.bigint();
  const c = process.cpuUsage();
  fn();
  const used = process.cpuUsage(c);
  return {
    s: Number(process.hrtime.bigint() - t) / 1e9,
    cpu: (used.user + used.system) / 1000 / (events.length / 1000),
  };
}

if (process.env.BENCH_BY_RULE === '1') {
  // What the engine said, per rule: to compare two versions' output on this workload.
  const counts = new Map<string, number>();
  for (const a of engineRun().alerts()) counts.set(a.rule, (counts.get(a.rule) ?? 0) + 1);
  process.stdout.write(`${JSON.stringify([...counts].sort())}\n`);
  process.exit(0);
}
process.stdout.write(
  `workload: ${events.length} events (${base.length} real decoded records × ${hosts} hosts), ${rules.length} rules\n`,
);
engineRun(); // warm-up
for (let r = 0; r < runs; r++) {
  const peer = time(floor);
  let engine: Engine | undefined;
  const ours = time(() => {
    engine = engineRun();
  });
  const s = engine?.stats;
  process.stdout.write(
    `run ${r + 1}: engine ${Math.round(events.length / ours.s)} events/s (${ours.s.toFixed(2)} s, ${ours.cpu.toFixed(2)} ms CPU per 1,000 events; ${s?.alerts} alerts, ${s?.predictions} predictions, ${s?.matched} rule matches) | floor ${Math.round(events.length / peer.s)} events/s (${peer.cpu.toFixed(3)} ms CPU per 1,000) | engine/floor ${(peer.s / ours.s).toFixed(3)}\n`,
  );
}
