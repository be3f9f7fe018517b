/**
 * Search benchmark (issue #18): p50/p95 of each Venus view of `/v1/logs` on both event stores, in
 * one run, at --events events (default 1,000,000), plus the embedded store's bytes per event against
 * the raw bytes.
 *
 *   npx tsx bench/search/run.ts [--events 1000000] [--runs 30]   (FAULTLINE_ES_URL set: Elasticsearch too)
 *
 * Load data is generated (the volume no public sample has): the Loghub OpenStack 2k sample, decoded
 * once, repeated over 50 compute hosts and 30 days, each copy with its own request ids, instance
 * UUIDs and event ids; 1% of the events are the BMC SEL fixture's hardware events. Queries go through
 * the real route plugins with Fastify's inject (no network), the same queries on both stores.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { logRoutes } from '../../src/api/routes/logs.js';
import { TemplateMiner } from '../../src/logmine/miner.js';
import { MemoryTemplateRepository } from '../../src/logmine/template-repository.js';
import type { FaultEvent } from '../../src/model/event.js';
import { createLogger } from '../../src/shared/logger.js';
import { frameText } from '../../src/sources/framing.js';
import { getSource } from '../../src/sources/registry.js';
import { SqliteEventStore } from '../../src/store/sqlite/event-store.js';
import type { EventStore } from '../../src/store/types.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '30' },
  },
});
const N = Number(args.events);
const RUNS = Number(args.runs);
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
const miner = new TemplateMiner();
for (const e of openstack) e['log.template.id'] = miner.add(e.message).id;
const START = Date.parse('2026-01-01T00:00:00Z');
const SPAN = 30 * 86_400_000;

/** Event i of the load: a copy of a sample event on another host, at another time, with new ids. */
function generate(i: number): FaultEvent {
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

async function load(store: EventStore): Promise<{ seconds: number; rawBytes: number }> {
  const started = process.hrtime.bigint();
  let rawBytes = 0;
  for (let i = 0; i < N; i += 10_000) {
    const batch: FaultEvent[] = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      const e = generate(j);
      rawBytes += Buffer.byteLength(e['event.original']) + 1;
      batch.push(e);
    }
    const r = await store.write(batch);
    if (r.failed.length > 0) throw new Error(`write failed: ${r.failed[0]?.reason}`);
    if ((i / 10_000) % 10 === 0) process.stderr.write(`\r${store.kind}: ${i.toLocaleString('en-US')} events`);
  }
  await store.refresh();
  process.stderr.write('\n');
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, rawBytes };
}

const pick = generate(Math.floor(N / 2) - (Math.floor(N / 2) % openstack.length) + 1);
const VIEWS: Array<[string, string]> = [
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

async function measure(store: EventStore): Promise<Map<string, { p50: number; p95: number }>> {
  const app = Fastify({ ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } } });
  const templates = new MemoryTemplateRepository();
  await templates.save(miner.templates(), new Date().toISOString());
  await app.withTypeProvider<TypeBoxTypeProvider>().register(logRoutes, { store, templates });
  await app.ready();
  const out = new Map<string, { p50: number; p95: number }>();
  for (const [name, url] of VIEWS) {
    const times: number[] = [];
    for (let r = 0; r < RUNS + 3; r++) {
      const t0 = process.hrtime.bigint();
      const res = await app.inject({ method: 'GET', url });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      if (r >= 3) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] as number;
    out.set(name, { p50: q(0.5), p95: q(0.95) });
  }
  await app.close();
  return out;
}

const results: Array<[string, Map<string, { p50: number; p95: number }>]> = [];
const dir = mkdtempSync(join(tmpdir(), 'bench-search-'));
try {
  const sqlite = new SqliteEventStore(join(dir, 'events.db'), { retentionCheckMs: 0 });
  await sqlite.bootstrap();
  const loaded = await load(sqlite);
  const used = sqlite.usedBytes();
  console.log(
    `SQLite: ${N.toLocaleString('en-US')} events loaded in ${loaded.seconds.toFixed(1)} s; ` +
      `${Math.round(used / N)} bytes/event on disk vs ${Math.round(loaded.rawBytes / N)} raw bytes/event ` +
      `(${(used / loaded.rawBytes).toFixed(2)}× the raw log)`,
  );
  results.push(['SQLite', await measure(sqlite)]);
  await sqlite.close();
  const esUrl = process.env.FAULTLINE_ES_URL;
  if (esUrl !== undefined) {
    const { ElasticsearchEventStore } = await import('../../src/store/elasticsearch/event-store.js');
    const es = new ElasticsearchEventStore({
      node: esUrl,
      namespace: `bench_${randomUUID().slice(0, 8)}`,
      logger: createLogger('silent'),
      retentionCheckMs: 0,
    });
    await es.bootstrap();
    const esLoaded = await load(es);
    console.log(
      `Elasticsearch: ${N.toLocaleString('en-US')} events loaded in ${esLoaded.seconds.toFixed(1)} s`,
    );
    results.push(['Elasticsearch', await measure(es)]);
    await es.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const header = ['view', ...results.flatMap(([s]) => [`${s} p50 ms`, `${s} p95 ms`])];
const rows = VIEWS.map(([name]) => [
  name,
  ...results.flatMap(([, m]) => [m.get(name)?.p50.toFixed(1) ?? '–', m.get(name)?.p95.toFixed(1) ?? '–']),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) =>
  `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
console.log(`\nbench/search at ${N.toLocaleString('en-US')} events, ${RUNS} runs per view\n`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
