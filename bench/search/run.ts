/**
 * Search benchmark (issue #18): p50/p95 of each Venus view of `/v1/logs` on both event stores, in
 * one run, at --events events (default 1,000,000), plus the embedded store's bytes per event against
 * the raw bytes, in one table with the load average beside it.
 *
 *   npx tsx bench/search/run.ts [--events 1000000] [--runs 30] [--stores sqlite,es]
 *                               [--es-namespace NAME] [--keep]
 *
 * Elasticsearch needs FAULTLINE_ES_URL. Its data goes to a namespace of its own (`bench_<random>`,
 * deleted at the end); `--es-namespace NAME` keeps it instead and reuses it on the next run when it
 * already holds --events events, so query changes can be measured without loading again. For
 * Elasticsearch the table also gives the server's own time (`took`, summed over the requests a view
 * makes), which tells the server's share from the client's and the route's.
 *
 * Load data is generated (the volume no public sample has): the Loghub OpenStack 2k sample, decoded
 * once, repeated over 50 compute hosts and 30 days, each copy with its own request ids, instance
 * UUIDs and event ids; 1% of the events are the BMC SEL fixture's hardware events. Queries go through
 * the real route plugins with Fastify's inject (no network), the same queries on both stores.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { logRoutes } from '../../src/api/routes/logs.js';
import { MemoryTemplateRepository } from '../../src/logmine/template-repository.js';
import type { FaultEvent } from '../../src/model/event.js';
import { createLogger } from '../../src/shared/logger.js';
import type { ElasticsearchEventStore } from '../../src/store/elasticsearch/event-store.js';
import { allStreamsPattern } from '../../src/store/elasticsearch/templates.js';
import { SqliteEventStore } from '../../src/store/sqlite/event-store.js';
import type { EventStore } from '../../src/store/types.js';
import { generate, miner, VIEWS } from './data.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '30' },
    stores: { type: 'string', default: 'sqlite,es' },
    'es-namespace': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(args.events);
const RUNS = Number(args.runs);
const STORES = new Set(args.stores.split(',').map((s) => s.trim()));
for (const s of STORES) if (s !== 'sqlite' && s !== 'es') throw new Error(`--stores: unknown store ${s}`);
const ES_URL = process.env.FAULTLINE_ES_URL;
if (STORES.has('es') && ES_URL === undefined && process.argv.some((a) => a.startsWith('--stores')))
  throw new Error('--stores es needs FAULTLINE_ES_URL');
const load1 = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function fill(store: EventStore): Promise<{ seconds: number; rawBytes: number }> {
  const started = process.hrtime.bigint();
  let rawBytes = 0;
  for (let i = 0; i < N; i += 10_000) {
    const batch: FaultEvent[] = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      const e = generate(j, N);
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

interface Timing {
  p50: number;
  p95: number;
  /** Server time (`took`) per request of the view, summed: Elasticsearch only. */
  took?: { p50: number; p95: number };
  /** CPU ms per view request: this process (route, client, and SQLite itself) and the ES server. */
  cpu: number;
  serverCpu?: number;
}

/** The Elasticsearch node's process CPU so far, ms (the bench's views are what it serves then). */
type ServerCpu = () => Promise<number>;

/**
 * The server's CPU from /proc (10 ms ticks; the node stats' figure is refreshed once a second, too
 * coarse per view) when it runs on this machine; else the node stats.
 */
async function esProcessCpu(es: { client: ElasticsearchEventStore['client'] }): Promise<ServerCpu> {
  const nodes = await es.client.nodes.info({ node_id: '_local', metric: 'process' });
  const pid = Object.values(nodes.nodes)[0]?.process?.id;
  const stat = `/proc/${pid}/stat`;
  if (pid !== undefined && existsSync(stat)) {
    return async () => {
      // Fields 14 and 15 (utime, stime) after the `(comm)` field, in clock ticks of 10 ms.
      const fields = readFileSync(stat, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
  }
  return async () => {
    const stats = await es.client.nodes.stats({ node_id: '_all', metric: 'process' });
    return Object.values(stats.nodes).reduce((n, node) => n + (node.process?.cpu?.total_in_millis ?? 0), 0);
  };
}

const quantiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
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

async function measure(
  store: EventStore,
  took?: { ms: number },
  serverCpu?: ServerCpu,
): Promise<Map<string, Timing>> {
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
    let serverCpu0 = 0;
    for (let r = 0; r < RUNS + 3; r++) {
      if (r === 3) {
        cpu0 = process.cpuUsage();
        serverCpu0 = (await serverCpu?.()) ?? 0;
      }
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
    const timing: Timing = { ...quantiles(times), cpu: (used.user + used.system) / 1000 / RUNS };
    if (took !== undefined) timing.took = quantiles(server);
    if (serverCpu !== undefined) timing.serverCpu = ((await serverCpu()) - serverCpu0) / RUNS;
    out.set(name, timing);
  }
  await app.close();
  return out;
}

const results: Array<[string, Map<string, Timing>]> = [];
const notes: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'bench-search-'));
try {
  if (STORES.has('sqlite')) {
    const sqlite = new SqliteEventStore(join(dir, 'events.db'), { retentionCheckMs: 0 });
    await sqlite.bootstrap();
    const loaded = await fill(sqlite);
    const used = sqlite.usedBytes();
    notes.push(
      `SQLite: ${N.toLocaleString('en-US')} events loaded in ${loaded.seconds.toFixed(1)} s; ` +
        `${Math.round(used / N)} bytes/event on disk vs ${Math.round(loaded.rawBytes / N)} raw bytes/event ` +
        `(${(used / loaded.rawBytes).toFixed(2)}× the raw log)`,
    );
    console.log(notes.at(-1));
    const before = load1();
    results.push(['SQLite', await measure(sqlite)]);
    notes.push(`SQLite measured at load ${before} → ${load1()}`);
    await sqlite.close();
  }
  if (STORES.has('es') && ES_URL !== undefined) {
    const { ElasticsearchEventStore } = await import('../../src/store/elasticsearch/event-store.js');
    const reuse = args['es-namespace'];
    const naming = { prefix: 'benchsearch', namespace: reuse ?? `bench_${randomUUID().slice(0, 8)}` };
    const streams = allStreamsPattern(naming);
    const es = new ElasticsearchEventStore({
      node: ES_URL,
      namespace: naming.namespace,
      indexPrefix: naming.prefix,
      logger: createLogger('silent'),
      retentionCheckMs: 0,
      // Loading a million events as fast as the machine allows, then one refresh: the views are
      // measured on the state a running store reaches, a second after its last write.
      refreshInterval: '30s',
    });
    try {
      await es.bootstrap();
      const held = await es.count();
      if (reuse !== undefined && held === N) {
        notes.push(`Elasticsearch: reusing namespace ${reuse} (${held.toLocaleString('en-US')} events)`);
      } else {
        if (held > 0) throw new Error(`namespace ${reuse} holds ${held} events, not ${N}: delete it first`);
        const loaded = await fill(es);
        notes.push(
          `Elasticsearch: ${N.toLocaleString('en-US')} events loaded in ${loaded.seconds.toFixed(1)} s`,
        );
      }
      const segments = await es.client.cat.segments({ index: streams, format: 'json' });
      notes.push(
        `Elasticsearch: ${segments.length} segments in ${new Set(segments.map((s) => s.index)).size} backing indices`,
      );
      console.log(notes.at(-1));
      const took = { ms: 0 };
      trackTook(es.client, took);
      const serverCpu = await esProcessCpu(es);
      const before = load1();
      results.push(['Elasticsearch', await measure(es, took, serverCpu)]);
      notes.push(`Elasticsearch measured at load ${before} → ${load1()}`);
    } finally {
      if (reuse === undefined && !args.keep) {
        await es.client.indices.deleteDataStream({ name: streams, expand_wildcards: 'all' });
        await es.client.indices.deleteIndexTemplate({ name: `${naming.prefix}-*-${naming.namespace}` });
      }
      await es.close();
    }
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
  cols.push([
    es ? 'CPU ms client / server' : 'CPU ms',
    (t) => (es ? `${fmt(t?.cpu)} / ${fmt(t?.serverCpu)}` : fmt(t?.cpu)),
  ]);
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
  `\nbench/search at ${N.toLocaleString('en-US')} events, ${RUNS} runs per view, ms, ` +
    `${new Date().toISOString().slice(0, 16)}Z, load average now ${load1()}\n`,
);
for (const n of notes) console.log(n);
console.log('');
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
