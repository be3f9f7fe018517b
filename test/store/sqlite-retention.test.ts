import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventStore } from '../../src/adapters.js';
import { loadConfig } from '../../src/config/load.js';
import type { Dataset, FaultEvent } from '../../src/model/event.js';
import { createLogger } from '../../src/shared/logger.js';
import { SqliteEventStore } from '../../src/store/sqlite/event-store.js';
import { tempDir } from '../helpers/runtime.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');

function event(i: number, dataset: Dataset, ageMs: number, message = `line ${i}`): FaultEvent {
  return {
    '@timestamp': new Date(NOW - ageMs).toISOString(),
    'event.id': `e${i}`,
    'event.dataset': dataset,
    'event.kind': 'event',
    'event.severity': 6,
    'event.original': message,
    message,
  };
}

const dirs: string[] = [];
const stores: SqliteEventStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(options: ConstructorParameters<typeof SqliteEventStore>[1] = {}) {
  const dir = tempDir('sqlite-retention-');
  dirs.push(dir);
  const store = new SqliteEventStore(join(dir, 'events.db'), { retentionCheckMs: 0, ...options });
  stores.push(store);
  await store.bootstrap();
  return store;
}

describe('SQLite event store retention', () => {
  it('deletes events older than their dataset retention, keeps the rest', async () => {
    const store = await open({ retention: { 'dpu.flow': '7d' } });
    await store.write([
      event(1, 'dpu.flow', 8 * DAY),
      event(2, 'dpu.flow', 6 * DAY),
      event(3, 'bmc.sel', 200 * DAY),
      event(4, 'openstack.log', 31 * DAY),
      event(5, 'openstack.log', 29 * DAY),
    ]);
    const report = await store.enforceRetention(NOW);
    expect(report.deletedByAge).toBe(2);
    const left = await store.search({ size: 10, order: 'asc' });
    expect(left.events.map((e) => e['event.id']).sort()).toEqual(['e2', 'e3', 'e5']);
    // Full text forgets the deleted lines too.
    expect((await store.search({ text: '"line 1"' })).total).toBe(0);
  });

  it('keeps the live data under its size cap by deleting the oldest events first', async () => {
    const cap = 2 * 1024 * 1024;
    const store = await open({ maxBytes: cap });
    const filler = 'x'.repeat(400);
    const events = Array.from({ length: 20_000 }, (_, i) =>
      event(i, 'openstack.log', (20_000 - i) * 1000, `message ${i} ${filler}`),
    );
    await store.write(events);
    expect(store.usedBytes()).toBeGreaterThan(cap);
    const report = await store.enforceRetention(NOW);
    expect(report.deletedBySize).toBeGreaterThan(0);
    expect(store.usedBytes()).toBeLessThanOrEqual(cap);
    const newest = await store.search({ size: 1 });
    expect(newest.events[0]?.['event.id']).toBe('e19999');
    const oldest = await store.search({ size: 1, order: 'asc' });
    expect(Number(oldest.events[0]?.['event.id'].slice(1))).toBe(report.deletedBySize);
  });

  it('takes its age retention from FAULTLINE_ES_RETENTION and its cap from FAULTLINE_EVENTS_MAX_BYTES', async () => {
    const dir = tempDir('sqlite-retention-config-');
    dirs.push(dir);
    const config = loadConfig({
      env: {
        FAULTLINE_DATA_DIR: dir,
        FAULTLINE_ES_RETENTION: 'dpu.flow=3d',
        FAULTLINE_EVENTS_MAX_BYTES: '2000000',
      },
    });
    const store = (await createEventStore(config, createLogger('silent'))) as SqliteEventStore;
    stores.push(store);
    await store.bootstrap();
    const layout = await store.describe();
    expect(layout).toMatchObject({
      ageRetentionBy: 'faultline',
      retention: { 'dpu.flow': '3d', 'bmc.sel': '365d' },
    });
    await store.write([event(1, 'dpu.flow', 4 * DAY), event(2, 'dpu.flow', 2 * DAY)]);
    expect((await store.enforceRetention(NOW)).deletedByAge).toBe(1);
  });
});
