import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLoghubSample } from '../../bench/logmine/loghub.js';
import { groupingAccuracy } from '../../src/logmine/accuracy.js';
import { CatalogueMiner } from '../../src/logmine/catalogue-miner.js';
import { TemplateMiner } from '../../src/logmine/miner.js';
import { KyselyTemplateRepository } from '../../src/logmine/template-repository.js';
import { createPostgresStateStore, type StateStore } from '../../src/store/state/state-store.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { pgUrl, uniqueName } from '../helpers/infra.js';

/**
 * Several ingest processes mining into one PostgreSQL catalogue (catalogue-miner.ts). Each "process"
 * here is a miner with its own memory and its own connection pool; they share only the database.
 */
const schemas: string[] = [];
const stores: StateStore[] = [];

async function openStore(schema: string): Promise<StateStore> {
  const store = createPostgresStateStore(pgUrl(), { schema, max: 2 });
  stores.push(store);
  await store.migrate();
  return store;
}

async function process_(schema: string, refreshEveryMs = 1_000): Promise<CatalogueMiner> {
  const store = await openStore(schema);
  const miner = new CatalogueMiner(new KyselyTemplateRepository(store.db), {
    refreshEveryMs,
    countsEveryMs: 0,
  });
  await miner.start();
  return miner;
}

function batches(lines: readonly string[], size: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i += size) out.push(lines.slice(i, i + size));
  return out;
}

afterAll(async () => {
  for (const s of stores.splice(0)) await s.close();
  const client = new pg.Client({ connectionString: pgUrl() });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
});

describe('template catalogue shared by two ingest processes (PostgreSQL)', () => {
  it('is needed: two miners that share nothing name the same templates differently', () => {
    const sample = loadLoghubSample(FIXTURES_DIR, 'Linux');
    const single = new TemplateMiner();
    const expected = sample.contents.map((c) => single.add(c).id);
    const own = [new TemplateMiner(), new TemplateMiner()];
    const ids = sample.contents.map((c, i) => (own[Math.floor(i / 25) % 2] as TemplateMiner).add(c).id);
    expect(ids.filter((id, i) => id !== expected[i]).length).toBeGreaterThan(100);
  });

  for (const name of ['OpenStack', 'Linux', 'Thunderbird']) {
    it(`${name}: interleaved halves get the ids one miner gives, and keep them across a restart`, async () => {
      const sample = loadLoghubSample(FIXTURES_DIR, name);
      const single = new TemplateMiner();
      const expected = sample.contents.map((c) => single.add(c).id);

      const schema = uniqueName('tplcat');
      schemas.push(schema);
      // Batches alternate between the two processes, as a Kafka consumer group hands out partitions.
      const run = async (from: number, to: number) => {
        const a = await process_(schema, 0);
        const b = await process_(schema, 0);
        const ids: string[] = [];
        for (const [k, batch] of batches(sample.contents.slice(from, to), 25).entries()) {
          const results = await (k % 2 === 0 ? a : b).mine(batch);
          ids.push(...results.map((r) => r.id));
        }
        await a.flushCounts();
        await b.flushCounts();
        return { ids, a, b };
      };
      const first = await run(0, 1000);
      // A restart of both: new memory, templates restored from the catalogue.
      const second = await run(1000, sample.contents.length);
      expect([...first.ids, ...second.ids]).toEqual(expected);

      const repository = new KyselyTemplateRepository((stores.at(-1) as StateStore).db);
      const stored = await repository.loadAll();
      expect(stored.length).toBe(single.size);
      expect(new Set(stored.map((t) => t.id))).toEqual(new Set(single.templates().map((t) => t.id)));
      expect(stored.reduce((n, t) => n + t.count, 0)).toBe(sample.contents.length);
      // Each process, once it has read the catalogue, holds the templates one miner has.
      await second.a.refresh();
      expect(
        second.a.miner
          .templates()
          .map((t) => t.template)
          .sort(),
      ).toEqual(
        single
          .templates()
          .map((t) => t.template)
          .sort(),
      );
    });
  }

  it('two processes mining at the same time agree on every line once caught up', async () => {
    const sample = loadLoghubSample(FIXTURES_DIR, 'Thunderbird');
    const schema = uniqueName('tplcat');
    schemas.push(schema);
    const a = await process_(schema);
    const b = await process_(schema);
    const parts = batches(sample.contents, 20);
    const live: string[] = new Array(sample.contents.length);
    // Even batches to one, odd to the other, both mining at once (their reshapes contend for the lock).
    await Promise.all(
      [a, b].map(async (miner, side) => {
        for (let k = side; k < parts.length; k += 2) {
          const results = await miner.mine(parts[k] as string[]);
          results.forEach((r, j) => {
            live[k * 20 + j] = r.id;
          });
        }
      }),
    );
    expect(live.filter((id) => id !== undefined)).toHaveLength(sample.contents.length);
    // Live tags group the sample as well as one miner does.
    const one = new TemplateMiner();
    const single = groupingAccuracy(
      sample.contents.map((c) => one.add(c).id),
      sample.truth,
    ).accuracy;
    expect(groupingAccuracy(live, sample.truth).accuracy).toBeGreaterThanOrEqual(single - 0.01);
    // Once both have read the catalogue, each line gets one id whichever process mines it.
    await a.refresh();
    await b.refresh();
    const againA = await a.mine(sample.contents);
    const againB = await b.mine(sample.contents);
    expect(againB.map((r) => r.id)).toEqual(againA.map((r) => r.id));
    // And the catalogue holds each template once.
    const stored = await new KyselyTemplateRepository((stores.at(-1) as StateStore).db).loadAll();
    expect(new Set(stored.map((t) => t.template)).size).toBe(stored.length);
  });
});
