import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '../../src/bus/kafka.js';
import { createLogger } from '../../src/shared/logger.js';
import { createPostgresStateStore } from '../../src/store/state/state-store.js';
import { kafkaBrokers, pgUrl, uniqueName } from '../helpers/infra.js';
import { crashInput } from './crash-input.js';
import {
  crashTwiceThenFinish,
  type EngineProcess,
  publishEvents,
  startEngineProcess,
  storedFindings,
} from './engine-process.js';

/**
 * The live engine on the real Kafka and PostgreSQL: one topic of 4 partitions keyed by host.name,
 * each run its own consumer group and its own state-store schema, compared with one uninterrupted run.
 */
describe('the live engine on Kafka', () => {
  const id = uniqueName('engine');
  const topic = `t.${id}.events`;
  const schemas: string[] = [];
  const running: EngineProcess[] = [];
  const bus = new KafkaBus({
    brokers: kafkaBrokers(),
    clientId: 'engine-test-producer',
    logger: createLogger('silent'),
    partitions: 4,
  });
  const events = crashInput();
  let expected: unknown[] = [];

  const engine = (run: string, kill?: string, on = topic) => {
    const schema = `${id}_${run}`;
    if (!schemas.includes(schema)) schemas.push(schema);
    const p = startEngineProcess({
      FL_BUS: 'kafka',
      FL_BROKERS: kafkaBrokers().join(','),
      FL_PG_URL: pgUrl(),
      FL_PG_SCHEMA: schema,
      FL_GROUP: `${id}.${run}`,
      FL_TOPIC: on,
      ...(kill === undefined ? {} : { FL_KILL: kill }),
    });
    running.push(p);
    return p;
  };
  const findings = (run: string) =>
    storedFindings(createPostgresStateStore(pgUrl(), { schema: `${id}_${run}` }));

  beforeAll(async () => {
    await bus.ensureTopics([topic]);
    await publishEvents(bus, topic, events);
    const whole = engine('whole');
    await whole.done;
    await whole.stop();
    expected = await findings('whole');
  }, 180_000);

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await bus.close();
    const client = new pg.Client({ connectionString: pgUrl() });
    await client.connect();
    try {
      for (const s of schemas) await client.query(`drop schema if exists ${s} cascade`);
    } finally {
      await client.end();
    }
  });

  it(
    'after SIGKILLs and a restart stores the same alerts as an uninterrupted run',
    { timeout: 240_000 },
    async () => {
      expect(expected.length).toBeGreaterThan(8);
      await crashTwiceThenFinish((kill) => engine('crash', kill));
      expect(await findings('crash')).toEqual(expected);
    },
  );

  /**
   * Two members of one group on a topic of their own, written once both are in the group: on a
   * topic with records waiting, the first member to join would take every partition and finish
   * before the second came. Returns the partitions each handled and those that hold records.
   */
  async function twoMembers(run: string, killFirst?: string) {
    const on = `t.${id}.${run}`;
    await bus.ensureTopics([on]);
    const [a, b] = [engine(run, killFirst, on), engine(run, undefined, on)] as const;
    await Promise.all([a.ready, b.ready]);
    await sleep(8000);
    await publishEvents(bus, on, events);
    // A stall names itself: the lag it is stuck at and both members' logs (a hang says nothing).
    const deadline = Date.now() + 120_000;
    for (;;) {
      const lag = await bus.lag(`${id}.${run}`, [on]);
      if (lag.length === 4 && lag.every((l) => l.lag === 0)) break;
      if (Date.now() > deadline)
        throw new Error(
          `${run}: lag ${JSON.stringify(lag.map((l) => [l.partition, l.lag]))} after 120 s\n` +
            `first member:\n${a.log()}\nsecond member:\n${b.log()}`,
        );
      await sleep(500);
    }
    const handled = await Promise.all([a.stop(), b.stop()]);
    // 8 hosts over 4 partitions may leave one empty.
    const withRecords = (await bus.lag(`${id}.nobody`, [on]))
      .filter((l) => l.lag > 0)
      .map((l) => `${on}|${l.partition}`)
      .sort();
    return { handled, withRecords, firstEnded: await a.ended };
  }

  it(
    'two instances in one group split the partitions and together store the same alerts as one',
    {
      timeout: 240_000,
    },
    async () => {
      const { handled, withRecords } = await twoMembers('scale');
      const [ofA, ofB] = handled as [string[], string[]];
      expect(ofA.length).toBeGreaterThan(0);
      expect(ofB.length).toBeGreaterThan(0);
      expect(withRecords.length).toBeGreaterThanOrEqual(2);
      expect([...new Set([...ofA, ...ofB])].sort()).toEqual(withRecords);
      // Split, not shared: no partition was handled by both (no rebalance after the records came).
      expect(ofA.filter((p) => ofB.includes(p))).toEqual([]);
      expect(await findings('scale')).toEqual(expected);
    },
  );

  it(
    'when one of two instances is SIGKILLed, the other takes its partitions over from their checkpoints',
    {
      timeout: 240_000,
    },
    async () => {
      const { handled, withRecords, firstEnded } = await twoMembers('handover', 'after:6');
      expect(firstEnded).toBe('SIGKILL');
      const [, ofB] = handled as [string[], string[]];
      // The survivor ends with every partition, including those the dead member had checkpointed.
      expect(ofB.sort()).toEqual(withRecords);
      expect(await findings('handover')).toEqual(expected);
    },
  );
});
