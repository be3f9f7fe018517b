import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLoghubSample } from '../../bench/logmine/loghub.js';
import { CatalogueMiner } from '../../src/logmine/catalogue-miner.js';
import { TemplateMiner } from '../../src/logmine/miner.js';
import {
  KyselyTemplateRepository,
  MemoryTemplateRepository,
  type TemplateRepository,
} from '../../src/logmine/template-repository.js';
import { createSqliteStateStore, type StateStore } from '../../src/store/state/state-store.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const dirs: string[] = [];
const stores: StateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function sqliteFile(): Promise<() => Promise<TemplateRepository>> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-catalogue-'));
  dirs.push(dir);
  const file = join(dir, 'state.db');
  // Each "process" opens the file on its own connection.
  return async () => {
    const store = createSqliteStateStore(file);
    stores.push(store);
    await store.migrate();
    return new KyselyTemplateRepository(store.db);
  };
}

describe('catalogue miner', () => {
  it('two miners on one SQLite state file, fed alternate batches, tag as one miner does', async () => {
    const sample = loadLoghubSample(FIXTURES_DIR, 'Thunderbird');
    const single = new TemplateMiner();
    const expected = sample.contents.map((c) => single.add(c).id);
    const open = await sqliteFile();
    const miners = [
      new CatalogueMiner(await open(), { refreshEveryMs: 0 }),
      new CatalogueMiner(await open(), { refreshEveryMs: 0 }),
    ];
    for (const m of miners) await m.start();
    const ids: string[] = [];
    for (let i = 0, k = 0; i < sample.contents.length; i += 40, k++) {
      const results = await (miners[k % 2] as CatalogueMiner).mine(sample.contents.slice(i, i + 40));
      ids.push(...results.map((r) => r.id));
    }
    expect(ids).toEqual(expected);
    for (const m of miners) await m.flushCounts();
    const stored = await (await open()).loadAll();
    expect(stored.reduce((n, t) => n + t.count, 0)).toBe(sample.contents.length);
  });

  it('writes a reshape that failed with the next one', async () => {
    const repository = new MemoryTemplateRepository();
    let fail = true;
    const flaky: TemplateRepository = Object.assign(Object.create(repository) as TemplateRepository, {
      reshape: (...args: Parameters<TemplateRepository['reshape']>) => {
        if (!fail) return repository.reshape(...args);
        fail = false;
        // The lock was taken and the lines mined, then the commit failed.
        args[1]([]);
        return Promise.reject(new Error('connection lost'));
      },
    });
    const miner = new CatalogueMiner(flaky, { refreshEveryMs: 0 });
    await miner.start();
    await expect(miner.mine(['disk sda1 failed'])).rejects.toThrow('connection lost');
    await miner.mine(['fan 3 stopped']);
    expect([...repository.rows.values()].map((r) => r.template).sort()).toEqual([
      'disk sda<*> failed',
      'fan <*> stopped',
    ]);
  });
});
