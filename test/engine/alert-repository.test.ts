import { serialize } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage, MessageBus } from '../../src/bus/types.js';
import { SHIPPED_RULES_DIR } from '../../src/cli/analyze.js';
import { KyselyAlertRepository, silencedBy } from '../../src/engine/alert-repository.js';
import type { CheckpointStore, EngineCheckpoint } from '../../src/engine/checkpoint-store.js';
import { EngineService } from '../../src/engine/engine-service.js';
import { loadRuleDir } from '../../src/engine/rules/load.js';
import { createLogger } from '../../src/shared/logger.js';
import { createSqliteStateStore, type StateStore } from '../../src/store/state/state-store.js';
import { tempDir } from '../helpers/runtime.js';
import { asBusMessages } from './engine-process.js';
import { correctableEcc } from './helpers.js';
import { ipmiEvents } from './sel-events.js';

/** The live engine service with the shipped rules, fed by hand (no bus). */
function engineService(
  repo: KyselyAlertRepository,
  group: string,
  checkpoints?: CheckpointStore,
): EngineService {
  return new EngineService({
    bus: {} as MessageBus,
    repo,
    rules: loadRuleDir(SHIPPED_RULES_DIR),
    logger: createLogger('silent'),
    topic: 'faultline.events',
    group,
    ...(checkpoints === undefined ? {} : { checkpoints }),
  });
}

describe('alert repository and the engine service', () => {
  let state: StateStore;
  beforeAll(async () => {
    state = createSqliteStateStore(`${tempDir()}/state.db`);
    await state.migrate();
  });
  afterAll(() => state.close());

  const messages = (): BusMessage[] => asBusMessages(ipmiEvents());

  async function runOnce(repo: KyselyAlertRepository, batches: BusMessage[][]): Promise<void> {
    const service = new EngineService({
      bus: {} as MessageBus,
      repo,
      rules: loadRuleDir(SHIPPED_RULES_DIR),
      logger: createLogger('silent'),
      topic: 'faultline.events',
      group: 'test',
      allowedLatenessMs: 0,
    });
    for (const b of batches) await service.handle(b);
  }

  it('writes the same rows whether the input comes in one batch or many, and again on a replay', async () => {
    const repo = new KyselyAlertRepository(state.db);
    const all = messages();
    await runOnce(repo, [all]);
    const once = await repo.list({ kind: 'alert', limit: 500 });
    const bodies = (page: typeof once) => page.items.map((a) => JSON.stringify(a));
    expect(once.items.length).toBeGreaterThan(3);
    // A replay from the start, in small batches, after the alerts were resolved: nothing moves back.
    const batches: BusMessage[][] = [];
    for (let i = 0; i < all.length; i += 7) batches.push(all.slice(i, i + 7));
    await runOnce(repo, batches);
    const again = await repo.list({ kind: 'alert', limit: 500 });
    expect(bodies(again)).toEqual(bodies(once));
    for (const a of again.items) {
      const history = await repo.history(a.id);
      expect(new Set(history.map((h) => h.change)).size).toBe(history.length);
    }
  });

  it('drops the copies a republishing producer sends again, across a restart from a checkpoint', async () => {
    // Generated: a correctable-ECC storm on five hosts, one record a second (the storm rule counts them).
    const t0 = Date.parse('2026-04-01T00:00:00Z');
    const events = Array.from({ length: 500 }, (_, i) =>
      correctableEcc(t0 + i * 1000, `bm-${i % 5}`, 'DIMM_A1'),
    );
    const alertsOf = async (repo: KyselyAlertRepository) =>
      (await repo.list({ kind: 'alert', limit: 500 })).items.map((a) =>
        JSON.stringify({ ...a, updatedAt: 0 }),
      );
    const service = (repo: KyselyAlertRepository, checkpoints?: CheckpointStore) =>
      engineService(repo, 'dups', checkpoints);
    const once = createSqliteStateStore(`${tempDir()}/once.db`);
    const twice = createSqliteStateStore(`${tempDir()}/twice.db`);
    await once.migrate();
    await twice.migrate();
    try {
      await service(new KyselyAlertRepository(once.db)).handle(asBusMessages(events));
      const expected = await alertsOf(new KyselyAlertRepository(once.db));
      expect(expected.length).toBeGreaterThan(0);
      // The producer published records 220–249 again after 250 (an ingest crash replaying its batch),
      // and the engine was restarted from its checkpoint in between.
      const delivered = asBusMessages([
        ...events.slice(0, 250),
        ...events.slice(220, 250),
        ...events.slice(250),
      ]);
      const saved = new Map<string, EngineCheckpoint>();
      const store: CheckpointStore = {
        load: async (at) => saved.get(`${at.topic}|${at.partition}`),
        position: async (at) => saved.get(`${at.topic}|${at.partition}`)?.nextOffset,
        save: async (at, c) => {
          saved.set(`${at.topic}|${at.partition}`, c);
        },
      };
      const repo = new KyselyAlertRepository(twice.db);
      await service(repo, store).handle(delivered.slice(0, 260));
      await service(repo, store).handle(delivered.slice(260));
      expect(await alertsOf(repo)).toEqual(expected);
      // A checkpoint of another engine layout: the service starts empty there instead of failing.
      const key = [...saved.keys()][0] as string;
      saved.set(key, { nextOffset: String(delivered.length), state: serialize({ version: 1 }) });
      const more = asBusMessages([...events, correctableEcc(t0 + 600_000, 'bm-9', 'DIMM_A1')]).slice(-1);
      more[0] = { ...(more[0] as BusMessage), offset: String(delivered.length) };
      await service(repo, store).handle(more);
    } finally {
      await once.close();
      await twice.close();
    }
  });

  it('keeps its memory across offset gaps while the checkpoint is its own, and drops it when another instance saved', async () => {
    // Generated: the storm of the test above. The embedded bus numbers every topic from one sequence,
    // so one topic's offsets have gaps; Kafka skips transaction markers and compacted records.
    const t0 = Date.parse('2026-04-01T00:00:00Z');
    const events = Array.from({ length: 500 }, (_, i) =>
      correctableEcc(t0 + i * 1000, `bm-${i % 5}`, 'DIMM_A1'),
    );
    const gapped = asBusMessages(events).map((m, i) => ({ ...m, offset: String(i * 3 + 7) }));
    const saved = new Map<string, EngineCheckpoint>();
    let loads = 0;
    const store: CheckpointStore = {
      load: async (at) => {
        loads++;
        return saved.get(`${at.topic}|${at.partition}`);
      },
      position: async (at) => saved.get(`${at.topic}|${at.partition}`)?.nextOffset,
      save: async (at, c) => {
        saved.set(`${at.topic}|${at.partition}`, c);
      },
    };
    const gappedState = createSqliteStateStore(`${tempDir()}/gapped.db`);
    const wholeState = createSqliteStateStore(`${tempDir()}/whole.db`);
    await gappedState.migrate();
    await wholeState.migrate();
    const service = (repo: KyselyAlertRepository, checkpoints?: CheckpointStore) =>
      engineService(repo, 'gaps', checkpoints);
    const alertsOf = async (repo: KyselyAlertRepository) =>
      (await repo.list({ kind: 'alert', limit: 500 })).items.map((a) =>
        JSON.stringify({ ...a, updatedAt: 0 }),
      );
    try {
      const whole = new KyselyAlertRepository(wholeState.db);
      await service(whole).handle(asBusMessages(events));
      const repo = new KyselyAlertRepository(gappedState.db);
      const live = service(repo, store);
      for (let i = 0; i < 400; i += 50) await live.handle(gapped.slice(i, i + 50));
      expect(loads).toBe(1);
      // Another instance took the partition for the next batch and checkpointed past it.
      const other = service(repo, store);
      await other.handle(gapped.slice(400, 450));
      await live.handle(gapped.slice(450));
      expect(loads).toBe(3);
      expect(await alertsOf(repo)).toEqual(await alertsOf(whole));
      expect((await alertsOf(whole)).length).toBeGreaterThan(0);
    } finally {
      await gappedState.close();
      await wholeState.close();
    }
  });

  it('matches silences like Alertmanager: all matchers, regex anchored, a missing label is empty', () => {
    const s = (matchers: { name: string; value: string; op: '=' | '!=' | '=~' | '!~' }[]) => ({
      id: 's',
      matchers,
      startsAt: '2026-01-01T00:00:00Z',
      endsAt: '2026-02-01T00:00:00Z',
      createdBy: 'x',
      comment: 'c',
      updatedAt: '',
    });
    const labels = { alertname: 'FanFailure', host_name: 'bm-12' };
    const at = '2026-01-10T00:00:00Z';
    expect(silencedBy(labels, [s([{ name: 'host_name', value: 'bm-1', op: '=~' }])], at)).toEqual([]);
    expect(silencedBy(labels, [s([{ name: 'host_name', value: 'bm-1.', op: '=~' }])], at)).toEqual(['s']);
    expect(
      silencedBy(
        labels,
        [
          s([
            { name: 'rack', value: '', op: '=' },
            { name: 'alertname', value: 'FanFailure', op: '=' },
          ]),
        ],
        at,
      ),
    ).toEqual(['s']);
    expect(silencedBy(labels, [s([{ name: 'alertname', value: 'FanFailure', op: '!=' }])], at)).toEqual([]);
    expect(
      silencedBy(labels, [s([{ name: 'alertname', value: 'FanFailure', op: '=' }])], '2026-03-01T00:00:00Z'),
    ).toEqual([]);
  });
});
