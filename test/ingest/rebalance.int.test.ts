import { describe, expect, it } from 'vitest';
import { produceWorkload, storedCount, useScenario, waitUntil } from './harness.js';

const RECORDS = 120_000;

describe('two consumers in one group', () => {
  const { s, bus, store, start } = useScenario('rebal');

  it(
    'split the partitions, and a killed one hands its partitions over without loss',
    { timeout: 900_000 },
    async () => {
      // Both members join before the records arrive: a fast consumer alone would otherwise finish
      // most of the stream while the second one is still joining.
      let members: Array<Awaited<ReturnType<typeof start>>> = [];
      const { topics, expected } = await produceWorkload(bus, s, RECORDS, {
        oneEventPerRecord: true,
        pack: false,
        beforePublish: async (t) => {
          members = [await start(t), await start(t)];
        },
      });
      const [a, b] = members as [(typeof members)[0], (typeof members)[0]];

      // One partition has one owner in a group: both members busy, on disjoint partitions, and a
      // still has records left on its own (else the kill below would hand nothing over).
      let split: { a: string[]; b: string[] } | undefined;
      await waitUntil(
        'both members busy on disjoint partitions, with work left on a',
        async () => {
          const [pa, pb] = [a.stats.active, b.stats.active];
          if (pa.length === 0 || pb.length === 0 || pa.some((p) => pb.includes(p))) return false;
          const lagging = (await bus.lag(s.group, topics))
            .filter((l) => l.lag > 0)
            .map((l) => `${l.topic}/${l.partition}`);
          if (!pa.some((p) => lagging.includes(p))) return false;
          split = { a: pa, b: pb };
          return true;
        },
        300_000,
        100,
      );
      await a.kill('SIGKILL');
      // Mid-stream: a's share cannot be finished until b takes its partitions over.
      expect(await storedCount(store)).toBeLessThan(expected);
      const pending = (await bus.lag(s.group, topics))
        .filter((l) => l.lag > 0)
        .map((l) => `${l.topic}/${l.partition}`);
      const orphaned = pending.filter((p) => split!.a.includes(p));
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
