import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { produceWorkload, storedCount, useScenario, waitUntil } from './harness.js';

const RECORDS = 200_000;

describe('ingest survives a SIGKILL of the consumer', () => {
  const { s, bus, store, start } = useScenario('kill');

  it(
    `stores exactly ${RECORDS.toLocaleString('en-US')} events after a kill -9 mid-stream and a restart`,
    { timeout: 900_000 },
    async () => {
      const { topics, expected } = await produceWorkload(bus, s, RECORDS, {
        oneEventPerRecord: true,
        // 200,000 Kafka records, one line each.
        pack: false,
      });
      expect(expected).toBe(RECORDS);

      const first = await start(topics);
      // Kill it while it is busy: some batches stored and committed, some stored but not yet committed.
      await waitUntil('a third of the stream stored', () => first.stats.written >= RECORDS / 3, 600_000, 100);
      await first.kill('SIGKILL');
      // A bulk request the process had sent may still complete inside Elasticsearch after the kill.
      await sleep(3000);
      const beforeRestart = await storedCount(store);
      expect(beforeRestart).toBeGreaterThan(0);
      expect(beforeRestart).toBeLessThan(RECORDS);

      const second = await start(topics);
      await waitUntil(
        'the group to catch up',
        async () => (await bus.lag(s.group, topics)).every((l) => l.lag === 0),
        600_000,
        1000,
      );
      expect(await storedCount(store)).toBe(RECORDS);
      await second.kill('SIGTERM');
      // The restart replayed what the killed process had stored but not committed; ids made it a no-op.
      process.stderr.write(
        `[kill] stored before restart ${beforeRestart}; second process wrote ${second.stats.written}, ` +
          `replays answered as duplicates ${second.stats.duplicates}\n`,
      );
      expect(beforeRestart + second.stats.written).toBe(RECORDS);
    },
  );
});
