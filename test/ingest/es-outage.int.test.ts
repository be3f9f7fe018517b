import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { produceWorkload, storedCount, TcpProxy, useScenario, waitUntil } from './harness.js';

const RECORDS = 60_000;
const OUTAGE_MS = 30_000;

/**
 * Elasticsearch goes away for 30 s in the middle of ingest. The consumer reaches Elasticsearch through
 * a TCP proxy that the test closes and reopens on the same port: the consumer sees exactly what a
 * stopped server looks like (connections reset, then refused), while the shared server stays up for
 * the other tests.
 */
describe('ingest rides out an Elasticsearch outage', () => {
  const { s, bus, store, start } = useScenario('esdown');
  const target = new URL(s.es);
  const proxy = new TcpProxy(target.hostname, Number(target.port));
  afterAll(() => proxy.down());

  it(
    'pauses and retries while Elasticsearch is down, then stores everything exactly once',
    { timeout: 900_000 },
    async () => {
      // Packed records, as the edge sends them: a failed bulk replays whole records of many lines.
      const { topics, expected } = await produceWorkload(bus, s, RECORDS);
      await proxy.up();
      const consumer = await start(topics, { es: proxy.url });
      await waitUntil('some events stored', () => consumer.stats.written >= 5000, 300_000, 100);

      await proxy.down();
      const lagAt = async () => (await bus.lag(s.group, topics)).reduce((n, l) => n + l.lag, 0);
      await sleep(3000);
      const lagDuring = await lagAt();
      const errorsBefore = consumer.stats.errors;
      await sleep(OUTAGE_MS - 3000);
      // Nothing was committed past what was stored: the lag did not move while the store was away,
      // the consumer kept failing batches (and backing off), and it is still alive.
      expect(await lagAt()).toBe(lagDuring);
      expect(lagDuring).toBeGreaterThan(0);
      expect(consumer.stats.errors).toBeGreaterThan(errorsBefore);
      expect(consumer.child.exitCode).toBeNull();

      await proxy.up();
      await waitUntil('the group to catch up', async () => (await lagAt()) === 0, 600_000, 1000);
      expect(await storedCount(store)).toBe(expected);
      await consumer.kill('SIGTERM');
      expect(consumer.stats.failed).toBe(0);
      process.stderr.write(
        `[esdown] errors ${consumer.stats.errors}, written ${consumer.stats.written}, duplicates ${consumer.stats.duplicates}\n`,
      );
    },
  );
});
