import { describe, expect, it } from 'vitest';
import { produceWorkload, storedCount, useScenario, waitUntil } from './harness.js';

const RECORDS = 120_000;

describe('two consumers in one group', () => {
  const { s, bus, store, start } = useScenario('rebal');

  it(
    'split the partitions, and a killed one hands its partitions over without loss',
    { timeout: 900_000 },
    async () => {
      const { topics, expected } = await produceWorkload(bus, s, RECORDS, { oneEventPerRecord: true });
      const a = await start(topics);
      const b = await start(topics);

      // One partition has one owner in a group: both members busy, on disjoint partitions.
      let split: { a: string[]; b: string[] } | undefined;
      await waitUntil(
        'both members busy on disjoint partitions',
        () => {
          const [pa, pb] = [a.stats.active, b.stats.active];
          if (pa.length > 0 && pb.length > 0 && !pa.some((p) => pb.includes(p))) split = { a: pa, b: pb };
          return split !== undefined;
        },
        300_000,
        100,
      );
      expect(await storedCount(store)).toBeLessThan(expected);

      await a.kill('SIGKILL');
      const pending = (await bus.lag(s.group, topics))
        .filter((l) => l.lag > 0)
        .map((l) => `${l.topic}/${l.partition}`);
      const orphaned = pending.filter((p) => !b.stats.partitions.includes(p));
      // b takes over a's partitions after the session timeout (6 s in these tests) and finishes the stream.
      await waitUntil(
        'the group to catch up',
        async () => (await bus.lag(s.group, topics)).every((l) => l.lag === 0),
        600_000,
        1000,
      );
      expect(await storedCount(store)).toBe(expected);
      await b.kill('SIGTERM');
      expect(orphaned.length).toBeGreaterThan(0);
      for (const p of orphaned) expect(b.stats.partitions).toContain(p);
      process.stderr.write(
        `[rebalance] busy at once: a ${split!.a.join(' ')} | b ${split!.b.join(' ')}; ` +
          `a's unfinished partitions taken over by b: ${orphaned.join(' ')}\n`,
      );
    },
  );
});
