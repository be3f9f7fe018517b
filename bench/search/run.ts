/**
 * Search benchmark (issue #18): p50/p95 of each Venus view of `/v1/logs` on both event stores, in
 * one run, at --events events (default 1,000,000), plus the embedded store's bytes per event against
 * the raw bytes, in one table with the load average beside it.
 *
 *   npx tsx bench/search/run.ts [--events 1000000] [--runs 100] [--view-seconds 20] [--stores sqlite,es]
 *                               [--es-namespace NAME] [--keep] [--rollover-days 7]
 *
 * `--stores` picks the stores (default both; Elasticsearch needs FAULTLINE_ES_URL). Both are loaded
 * in one pass, each batch going to both at once. Elasticsearch data goes to a namespace of its own
 * (`bench_<random>`, deleted at the end where the server can delete data streams); `--es-namespace
 * NAME` keeps it and reuses it on the next run when it holds --events events, so a query change is
 * measured without loading again (a mapping change needs a new name). The streams are rolled over
 * every --rollover-days days of event time while loading (default 7, as the store does for 30-day
 * retention; 0: one backing index per stream).
 *
 * Columns per store: wall-clock p50/p95 of the view through the route; for Elasticsearch the
 * server's own `took` (summed over the requests of the view); and this process's CPU per view (the
 * route and client, or SQLite itself), which the machine's load disturbs less than wall time. The
 * notes give the load average and the young-GC pauses of the server during the measurement.
 *
 * Load data is generated (the volume no public sample has): the Loghub OpenStack 2k sample, decoded
 * once, repeated over 50 compute hosts and 30 days, each copy with its own request ids, instance
 * UUIDs and event ids; 1% of the events are the BMC SEL fixture's hardware events. Queries go through
 * the real route plugins with Fastify's inject (no network), the same queries on both stores.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { logRoutes } from '../../src/api/routes/logs.js';
import { MemoryTemplateRepository } from '../../src/logmine/template-repository.js';
import type { FaultEvent } from '../../src/model/event.js';
import { DATASETS } from '../../src/model/event.js';
import { createLogger } from '../../src/shared/logger.js';
import type { ElasticsearchEventStore } from '../../src/store/elasticsearch/event-store.js';
import { allStreamsPattern, dataStreamFor, type Naming } from '../../src/store/elasticsearch/templates.js';
import { SqliteEventStore } from '../../src/store/sqlite/event-store.js';
import type { EventStore } from '../../src/store/types.js';
import { generate, miner, SPAN_DAYS, VIEWS } from './data.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '100' },
    'view-seconds': { type: 'string', default: '20' },
    stores: { type: 'string', default: 'sqlite,es' },
    'es-namespace': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'rollover-days': { type: 'string', default: '7' },
  },
});
const N = Number(args.events);
const RUNS = Number(args.runs);
/** A view stops after this long (but not before 20 runs): a slow view need not hold the run up. */
const VIEW_MS = Number(args['view-seconds']) * 1000;
const MIN_RUNS = Math.min(20, RUNS);
const STORES = new Set(args.stores.split(',').map((s) => s.trim()));
for (const s of STORES) if (s !== 'sqlite' && s !== 'es') throw new Error(`--stores: unknown store ${s}`);
const ES_URL = process.env.FAULTLINE_ES_URL;
if (STORES.has('es') && ES_URL === undefined && process.argv.some((a) => a.startsWith('--stores')))
  throw new Error('--stores es needs FAULTLINE_ES_URL');
const load1 = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * Writes the load into every store given, batch by batch: Elasticsearch indexes a batch while the
 * embedded store writes it in this process, so loading both takes about as long as the slower one.
 */
async function fill(
  stores: EventStore[],
  rollover?: (upTo: number) => Promise<void>,
): Promise<{ seconds: number; rawBytes: number }> {
  const started = process.hrtime.bigint();
  let rawBytes = 0;
  for (let i = 0; i < N; i += 10_000) {
    await rollover?.(i);
    const batch: FaultEvent[] = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      const e = generate(j, N);
      rawBytes += Buffer.byteLength(e['event.original']) + 1;
      batch.push(e);
    }
    // Each store gets its own copies: a store may add fields (event.ingested) to what it is given.
    const results = await Promise.all(stores.map((s) => s.write(batch.map((e) => ({ ...e })))));
    const failed = results.find((r) => r.failed.length > 0)?.failed[0];
    if (failed !== undefined) throw new Error(`write failed: ${failed.reason}`);
    if ((i / 10_000) % 10 === 0)
      process.stderr.write(`\r${stores.map((s) => s.kind).join(' + ')}: ${i.toLocaleString('en-US')} events`);
  }
  await Promise.all(stores.map((s) => s.refresh()));
  process.stderr.write('\n');
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, rawBytes };
}

interface Timing {
  p50: number;
  p95: number;
  /** Server time (`took`) per request of the view, summed: Elasticsearch only. */
  took?: { p50: number; p95: number };
  /** CPU ms per view request in this process: the route, the ES client, or SQLite itself. */
  cpu: number;
}

/**
 * Deletes the bench's data. A server without the data-streams module (the test build) cannot delete
 * a data stream: each stream is rolled over and its old backing indices deleted, which leaves an
 * empty stream behind.
 */
async function dropNamespace(es: ElasticsearchEventStore, naming: Naming, notes: string[]): Promise<void> {
  try {
    await es.client.indices.deleteDataStream({ name: allStreamsPattern(naming), expand_wildcards: 'all' });
  } catch {
    for (const dataset of DATASETS) {
      const stream = dataStreamFor(dataset, naming);
      const backing = Object.keys(
        await es.client.indices.get({
          index: `.ds-${stream}-*`,
          expand_wildcards: 'all',
          ignore_unavailable: true,
          allow_no_indices: true,
        }),
      );
      if (backing.length === 0) continue;
      await es.client.indices.rollover({ alias: stream });
      await es.client.indices.delete({ index: backing.join(','), expand_wildcards: 'all' });
    }
    notes.push(
      `Elasticsearch: namespace ${naming.namespace} emptied (its streams stay: no data stream delete here)`,
    );
  }
}

/** Young-generation collections of the Elasticsearch JVM so far: each pauses the searches it meets. */
async function youngGc(es: { client: ElasticsearchEventStore['client'] }) {
  const stats = await es.client.nodes.stats({ node_id: '_all', metric: 'jvm' });
  let count = 0;
  let ms = 0;
  for (const node of Object.values(stats.nodes)) {
    count += node.jvm?.gc?.collectors?.young?.collection_count ?? 0;
    ms += node.jvm?.gc?.collectors?.young?.collection_time_in_millis ?? 0;
  }
  return { count, ms };
}

const quantiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: p95 of 20 runs is the 19th, not the slowest.
  const q = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
  return { p50: q(0.5), p95: q(0.95) };
};

/** Adds each response's `took` to `sink.ms` (one view request may make several store requests). */
function trackTook(
  client: { diagnostic: { on(event: 'response', fn: (err: unknown, meta: unknown) => void): unknown } },
  sink: { ms: number },
) {
  client.diagnostic.on('response', (_err, meta) => {
    const took = (meta as { body?: { took?: unknown } } | null)?.body?.took;
    if (typeof took === 'number') sink.ms += took;
  });
}

async function measure(store: EventStore, took?: { ms: number }): Promise<Map<string, Timing>> {
  const app = Fastify({ ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } } });
  const templates = new MemoryTemplateRepository();
  await templates.save(miner.templates(), new Date().toISOString());
  await app.withTypeProvider<TypeBoxTypeProvider>().register(logRoutes, { store, templates });
  await app.ready();
  const out = new Map<string, Timing>();
  for (const [name, url] of VIEWS(N)) {
    const times: number[] = [];
    const server: number[] = [];
    let cpu0 = process.cpuUsage();
    const started = Date.now();
    for (let r = 0; r < RUNS + 3; r++) {
      if (r >= 3 + MIN_RUNS && Date.now() - started > VIEW_MS) break;
      if (r === 3) cpu0 = process.cpuUsage();
      if (took !== undefined) took.ms = 0;
      const t0 = process.hrtime.bigint();
      const res = await app.inject({ method: 'GET', url });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      if (r < 3) continue;
      times.push(ms);
      if (took !== undefined) server.push(took.ms);
    }
    const used = process.cpuUsage(cpu0);
    const timing: Timing = { ...quantiles(times), cpu: (used.user + used.system) / 1000 / times.length };
    if (times.length < RUNS) notes.push(`${name}: ${times.length} runs (over ${VIEW_MS / 1000} s)`);
    if (took !== undefined) timing.took = quantiles(server);
    out.set(name, timing);
  }
  await app.close();
  return out;
}

const results: Array<[string, Map<string, Timing>]> = [];
const notes: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'bench-search-'));
const count = (n: number) => n.toLocaleString('en-US');
try {
  const sqlite = STORES.has('sqlite')
    ? new SqliteEventStore(join(dir, 'events.db'), { retentionCheckMs: 0 })
    : undefined;
  await sqlite?.bootstrap();
  const reuse = args['es-namespace'];
  const naming = { prefix: 'benchsearch', namespace: reuse ?? `bench_${randomUUID().slice(0, 8)}` };
  const streams = allStreamsPattern(naming);
  const es =
    STORES.has('es') && ES_URL !== undefined
      ? new (await import('../../src/store/elasticsearch/event-store.js')).ElasticsearchEventStore({
          node: ES_URL,
          namespace: naming.namespace,
          indexPrefix: naming.prefix,
          logger: createLogger('silent'),
          retentionCheckMs: 0,
          // Loaded as fast as the machine allows, then refreshed once: the views are measured on
          // what a running store holds a refresh after its last write.
          refreshInterval: '30s',
        })
      : undefined;
  try {
    const toFill: EventStore[] = sqlite === undefined ? [] : [sqlite];
    if (es !== undefined) {
      await es.bootstrap();
      const held = await es.count();
      if (reuse !== undefined && held === N)
        notes.push(`Elasticsearch: reusing namespace ${reuse} (${count(held)} events)`);
      else if (held > 0) throw new Error(`namespace ${reuse} holds ${held} events, not ${N}: use another`);
      else toFill.push(es);
    }
    if (toFill.length > 0) {
      // As a running store rolls its streams over (daily where Faultline applies retention itself,
      // weekly for 30-day retention under the server's lifecycle): one backing index per period.
      const days = Number(args['rollover-days']);
      let period = 0;
      const rollover =
        es === undefined || !(days > 0) || !toFill.includes(es)
          ? undefined
          : async (i: number) => {
              const p = Math.floor(((i / N) * SPAN_DAYS) / days);
              if (p === period) return;
              period = p;
              for (const dataset of ['openstack.log', 'bmc.sel'] as const)
                await es.client.indices.rollover({ alias: es.dataStream(dataset) });
            };
      const loaded = await fill(toFill, rollover);
      notes.push(
        `${toFill.map((s) => s.kind).join(' + ')}: ${count(N)} events loaded in ${loaded.seconds.toFixed(1)} s`,
      );
      if (sqlite !== undefined) {
        const used = sqlite.usedBytes();
        notes.push(
          `sqlite: ${Math.round(used / N)} bytes/event on disk vs ${Math.round(loaded.rawBytes / N)} raw ` +
            `bytes/event (${(used / loaded.rawBytes).toFixed(2)}× the raw log)`,
        );
      }
    }
    for (const n of notes) console.log(n);
    if (sqlite !== undefined) {
      const before = load1();
      results.push(['SQLite', await measure(sqlite)]);
      notes.push(`SQLite measured at load ${before} → ${load1()}`);
    }
    if (es !== undefined) {
      const segments = await es.client.cat.segments({ index: streams, format: 'json' });
      notes.push(
        `Elasticsearch: ${segments.length} segments in ${new Set(segments.map((s) => s.index)).size} backing indices`,
      );
      const took = { ms: 0 };
      trackTook(es.client, took);
      const gc0 = await youngGc(es);
      const before = load1();
      results.push(['Elasticsearch', await measure(es, took)]);
      const gc1 = await youngGc(es);
      notes.push(
        `Elasticsearch measured at load ${before} → ${load1()}; the server (shared) paused for ` +
          `${gc1.count - gc0.count} young GCs meanwhile, ${gc1.ms - gc0.ms} ms in all`,
      );
    }
  } finally {
    await sqlite?.close();
    if (es !== undefined && reuse === undefined && !args.keep) await dropNamespace(es, naming, notes);
    await es?.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (v: number | undefined) => (v === undefined ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
/** Columns of one store: wall p50/p95; for Elasticsearch the server's `took`; CPU per request. */
const columns = (store: string, m: Map<string, Timing>) => {
  const es = [...m.values()].some((t) => t.took !== undefined);
  const cols: Array<[string, (t: Timing | undefined) => string]> = [
    [`${store} p50`, (t) => fmt(t?.p50)],
    [`${store} p95`, (t) => fmt(t?.p95)],
  ];
  if (es) cols.push([`${store} took p50/p95`, (t) => `${fmt(t?.took?.p50)} / ${fmt(t?.took?.p95)}`]);
  cols.push([es ? `${store} client CPU ms` : `${store} CPU ms`, (t) => fmt(t?.cpu)]);
  return cols;
};
const short = (store: string) => (store === 'Elasticsearch' ? 'ES' : store);
const header = ['view', ...results.flatMap(([s, m]) => columns(short(s), m).map(([h]) => h))];
const rows = VIEWS(N).map(([name]) => [
  name,
  ...results.flatMap(([s, m]) => columns(short(s), m).map(([, cell]) => cell(m.get(name)))),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) =>
  `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
console.log(
  `\nbench/search at ${N.toLocaleString('en-US')} events, ${RUNS} runs per view (3 more first, not counted), ms, ` +
    `${new Date().toISOString().slice(0, 16)}Z, load average now ${load1()}\n`,
);
for (const n of notes) console.log(n);
console.log('');
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
