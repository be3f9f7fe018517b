/**
 * What each bench/search view asks Elasticsearch, and where the server spends the time: every
 * request a view makes, re-sent with `profile: true`, summed per phase (query, collectors,
 * aggregations, fetch) over the shards. Reads a namespace `run.ts --es-namespace NAME` loaded.
 *
 *   FAULTLINE_ES_URL=… npx tsx bench/search/profile.ts --es-namespace NAME [--view 'errors'] [--bodies]
 */
import { parseArgs } from 'node:util';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { logRoutes } from '../../src/api/routes/logs.js';
import { MemoryTemplateRepository } from '../../src/logmine/template-repository.js';
import { createLogger } from '../../src/shared/logger.js';
import { ElasticsearchEventStore } from '../../src/store/elasticsearch/event-store.js';
import { VIEWS } from './data.js';

const { values: args } = parseArgs({
  options: {
    'es-namespace': { type: 'string' },
    view: { type: 'string' },
    bodies: { type: 'boolean', default: false },
  },
});
const url = process.env.FAULTLINE_ES_URL;
if (url === undefined || args['es-namespace'] === undefined)
  throw new Error('needs FAULTLINE_ES_URL and --es-namespace');
const es = new ElasticsearchEventStore({
  node: url,
  namespace: args['es-namespace'],
  indexPrefix: 'benchsearch',
  logger: createLogger('silent'),
  retentionCheckMs: 0,
});
const sent: Array<{ path: string; body: unknown }> = [];
es.client.diagnostic.on('request', (_err, meta) => {
  const params = (meta as { meta?: { request?: { params?: { path?: string; body?: unknown } } } } | null)
    ?.meta?.request?.params;
  if (params?.path !== undefined) sent.push({ path: params.path, body: params.body });
});
const app = Fastify({ ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } } });
await app.withTypeProvider<TypeBoxTypeProvider>().register(logRoutes, {
  store: es,
  templates: new MemoryTemplateRepository(),
});
await app.ready();

type Node = { time_in_nanos?: number; children?: Node[]; type?: string; description?: string; name?: string };
const ms = (ns: number | undefined) => ((ns ?? 0) / 1e6).toFixed(1);

for (const [name, view] of VIEWS(Number(process.env.BENCH_EVENTS ?? 1_000_000))) {
  if (args.view !== undefined && !name.includes(args.view)) continue;
  await app.inject({ method: 'GET', url: view }); // warm
  sent.length = 0;
  const t0 = process.hrtime.bigint();
  await app.inject({ method: 'GET', url: view });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const requests = sent.splice(0);
  let query = 0;
  let collect = 0;
  let aggs = 0;
  let fetch = 0;
  let took = 0;
  for (const r of requests) {
    const body = typeof r.body === 'string' ? JSON.parse(r.body) : r.body;
    if (args.bodies) console.log(`  ${r.path} ${JSON.stringify(body)}`);
    const profiled = (await es.client.transport.request({
      method: 'POST',
      path: r.path,
      body: { ...(body as object), profile: true },
    })) as {
      took: number;
      profile: {
        shards: Array<{
          searches: Array<{ query: Node[]; collector: Node[] }>;
          aggregations: Node[];
          fetch?: Node;
        }>;
      };
    };
    took += profiled.took;
    for (const shard of profiled.profile.shards) {
      for (const s of shard.searches) {
        for (const q of s.query) query += q.time_in_nanos ?? 0;
        for (const c of s.collector) collect += c.time_in_nanos ?? 0;
        if (args.bodies)
          for (const q of s.query)
            console.log(`    query ${q.type} ${ms(q.time_in_nanos)} ms ${q.description?.slice(0, 160)}`);
      }
      for (const a of shard.aggregations) aggs += a.time_in_nanos ?? 0;
      fetch += shard.fetch?.time_in_nanos ?? 0;
    }
  }
  console.log(
    `${name.padEnd(28)} wall ${wall.toFixed(1)} ms, ${requests.length} requests, took ${took} ms; ` +
      `profile: query ${ms(query)}, collectors ${ms(collect)}, aggs ${ms(aggs)}, fetch ${ms(fetch)} ms`,
  );
}
await app.close();
await es.close();
