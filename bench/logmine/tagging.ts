/**
 * What log-template tagging costs on the ingest path (issue #18): `TemplateTagger.enrich`, as the
 * pipeline calls it on each decoded batch, in ms of this process's CPU per 1,000 events. The
 * events are the Loghub OpenStack and Linux samples decoded by the `openstack-log` and `syslog`
 * sources, interleaved and repeated to --events, in batches of --batch.
 *
 *   npm run build && npx tsx bench/logmine/tagging.ts [--events 200000] [--batch 500]
 *
 * Modes: `memory` (no state store, as bench/ingest runs it), `sqlite` (the embedded state file, as
 * `serve` runs by default) and, when FAULTLINE_PG_URL is set, `postgres` (the shared catalogue of a
 * distributed deployment; the database server's own CPU is not counted). Each mode starts from an
 * empty catalogue, so the first pass creates the templates and the rest is steady state.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { FaultEvent } from '../../src/model/event.js';

const REPO = resolve(import.meta.dirname, '..', '..');
async function fromDist<T>(path: string): Promise<T> {
  return (await import(pathToFileURL(resolve(REPO, 'dist', path)).href)) as T;
}
const { TemplateTagger } = await fromDist<typeof import('../../src/logmine/template-tagger.js')>(
  'logmine/template-tagger.js',
);
const { KyselyTemplateRepository } = await fromDist<
  typeof import('../../src/logmine/template-repository.js')
>('logmine/template-repository.js');
const { createSqliteStateStore, createPostgresStateStore } = await fromDist<
  typeof import('../../src/store/state/state-store.js')
>('store/state/state-store.js');
const { getSource } = await fromDist<typeof import('../../src/sources/registry.js')>('sources/registry.js');
type Tagger = InstanceType<typeof TemplateTagger>;

/** CPU ms of this process per 1,000 events for `enrich` over `events` in batches of `batch`. */
export async function taggingCost(
  tagger: Tagger,
  events: readonly FaultEvent[],
  batch: number,
): Promise<{ cpuMsPer1000: number; eventsPerCpuSecond: number }> {
  const started = process.cpuUsage();
  for (let i = 0; i < events.length; i += batch) await tagger.enrich(events.slice(i, i + batch));
  await tagger.save();
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  return { cpuMsPer1000: (ms * 1000) / events.length, eventsPerCpuSecond: (events.length * 1000) / ms };
}

function decoded(source: string, file: string): FaultEvent[] {
  const decoder = getSource(source as Parameters<typeof getSource>[0]);
  if (decoder === undefined) throw new Error(`no decoder ${source}`);
  const receivedAt = new Date().toISOString();
  const lines = readFileSync(resolve(REPO, 'test', 'fixtures', 'loghub', file), 'utf8').split('\n');
  return lines.flatMap((line, i) => {
    const result = line === '' ? undefined : decoder.decode(line, { line: i + 1, receivedAt });
    return result?.ok ? result.events : [];
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values: args } = parseArgs({
    options: {
      events: { type: 'string', default: '200000' },
      batch: { type: 'string', default: '500' },
    },
  });
  const openstack = decoded('openstack-log', 'OpenStack/OpenStack_2k.log');
  const syslog = decoded('syslog', 'Linux/Linux_2k.log');
  const sample: FaultEvent[] = [];
  for (let i = 0; i < Math.max(openstack.length, syslog.length); i++) {
    if (openstack[i] !== undefined) sample.push(openstack[i] as FaultEvent);
    if (syslog[i] !== undefined) sample.push(syslog[i] as FaultEvent);
  }
  const events: FaultEvent[] = [];
  while (events.length < Number(args.events)) for (const e of sample) events.push({ ...e });
  const batch = Number(args.batch);

  const modes: [string, () => Promise<{ tagger: Tagger; close: () => Promise<void> }>][] = [
    ['memory', async () => ({ tagger: new TemplateTagger(), close: async () => {} })],
    [
      'sqlite',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'faultline-tagging-'));
        const store = createSqliteStateStore(join(dir, 'state.db'));
        await store.migrate();
        return {
          tagger: new TemplateTagger(new KyselyTemplateRepository(store.db)),
          close: async () => {
            await store.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    ],
  ];
  const pgUrl = process.env.FAULTLINE_PG_URL;
  if (pgUrl !== undefined) {
    modes.push([
      'postgres',
      async () => {
        const schema = `bench_tagging_${process.pid}`;
        const store = createPostgresStateStore(pgUrl, { schema, max: 2 });
        await store.migrate();
        return {
          tagger: new TemplateTagger(new KyselyTemplateRepository(store.db)),
          close: async () => {
            await store.close();
            const client = new pg.Client({ connectionString: pgUrl });
            await client.connect();
            await client.query(`drop schema if exists ${schema} cascade`);
            await client.end();
          },
        };
      },
    ]);
  }
  console.log(
    `TemplateTagger.enrich on ${events.length.toLocaleString('en-US')} decoded OpenStack and syslog events, batches of ${batch}; load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  console.log('| catalogue | CPU ms per 1,000 events | events per CPU second |');
  console.log('|---|---|---|');
  for (const [name, open] of modes) {
    const { tagger, close } = await open();
    try {
      await tagger.start();
      // A first pass learns the templates (and warms the JIT); the second is the steady state.
      await taggingCost(tagger, events.slice(0, sample.length * 5), batch);
      const cost = await taggingCost(tagger, events, batch);
      console.log(
        `| ${name} | ${cost.cpuMsPer1000.toFixed(2)} | ${Math.round(cost.eventsPerCpuSecond).toLocaleString('en-US')} |`,
      );
    } finally {
      await close();
    }
  }
}
