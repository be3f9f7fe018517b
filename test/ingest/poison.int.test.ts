import { describe, expect, it } from 'vitest';
import { RECORD_HEADERS } from '../../src/bus/record-headers.js';
import { topicFor } from '../../src/bus/types.js';
import { packFrames } from '../../src/ingest/packing.js';
import { MAX_RECORD_BYTES } from '../../src/ingest/pipeline.js';
import { openstackLogSource } from '../../src/sources/openstack/log/index.js';
import { readFixture } from '../helpers/fixtures.js';
import { readDeadLetters, storedCount, useScenario, waitUntil } from './harness.js';

describe('poison records', () => {
  const { s, bus, store, start } = useScenario('poison');

  it(
    'land in the dead-letter topic with their reason, and the records after them are ingested',
    { timeout: 600_000 },
    async () => {
      const logs = topicFor('openstack.log', s.topicPrefix);
      const dpu = topicFor('dpu.metrics', s.topicPrefix);
      await bus.ensureTopics([logs, dpu]);
      const lines = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log')
        .split(/\r?\n/)
        .filter((l) => l !== '');
      const headers = (source: string, line: number) => ({
        [RECORD_HEADERS.source]: source,
        [RECORD_HEADERS.line]: String(line),
      });
      const good = (from: number, n: number) =>
        lines
          .slice(from, from + n)
          .map((value, i) => ({ key: 'compute-9', value, headers: headers('openstack-log', from + i + 1) }));

      const invalidUtf8 = Buffer.concat([
        Buffer.from(lines[500]!.slice(0, 60)),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from(' tail'),
      ]);
      const huge = Buffer.from(`${lines[501]!} ${'x'.repeat(10 * 1024 * 1024)}`);
      const brokenJson = Buffer.from(
        '{"timestamp": "2024-05-01T12:00:00Z", "host": "compute-9", "counters": {"rx_bytes": 12',
      );
      const dpuLine = (port: string) =>
        JSON.stringify({
          timestamp: '2024-05-01T12:00:00Z',
          host: 'compute-9',
          dpu: 'bf3-0',
          port,
          counters: { rx_bytes: 1 },
        });

      // Same key: one partition, so "after" really is after the poison in the log.
      await bus.publish(logs, good(0, 100));
      await bus.publish(logs, [
        { key: 'compute-9', value: invalidUtf8, headers: headers('openstack-log', 101) },
      ]);
      await bus.publish(logs, good(101, 100));
      await bus.publish(logs, [{ key: 'compute-9', value: huge, headers: headers('openstack-log', 202) }]);
      await bus.publish(logs, good(202, 100));
      await bus.publish(dpu, [
        { key: 'compute-9', value: dpuLine('p0'), headers: headers('dpu-metrics', 1) },
        { key: 'compute-9', value: brokenJson, headers: headers('dpu-metrics', 2) },
        { key: 'compute-9', value: dpuLine('p1'), headers: headers('dpu-metrics', 3) },
      ]);
      // The same poison inside a record the edge packed: only its own frame is dead-lettered.
      const [packed] = packFrames([
        { payload: dpuLine('p2'), line: 4 },
        { payload: brokenJson.toString(), line: 5 },
        { payload: dpuLine('p3'), line: 6 },
      ]);
      await bus.publish(dpu, [{ key: 'compute-9', value: packed!.value, headers: packed!.headers }]);

      const consumer = await start([logs, dpu]);
      const expected = 300 + 4;
      await waitUntil(
        'all good records stored',
        async () => (await storedCount(store)) >= expected,
        300_000,
        1000,
      );
      await waitUntil(
        'the group to catch up',
        async () => (await bus.lag(s.group, [logs, dpu])).every((l) => l.lag === 0),
        300_000,
        500,
      );
      expect(await storedCount(store)).toBe(expected);

      const dead = await readDeadLetters(bus, s.deadLetterTopic, 4);
      expect(dead).toHaveLength(4);
      const byLine = new Map(dead.map((d) => [`${d.source}:${d.line}`, d]));

      const utf = byLine.get('openstack-log:101')!;
      expect(utf.reason).toBe('record is not valid UTF-8');
      expect(utf.sourceTopic).toBe(logs);
      expect(Buffer.compare(utf.original, invalidUtf8)).toBe(0);

      const big = byLine.get('openstack-log:202')!;
      expect(big.reason).toBe(`record of ${huge.length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`);
      expect(big.original.length).toBe(huge.length);
      expect(Buffer.compare(big.original, huge)).toBe(0);

      const json = byLine.get('dpu-metrics:2')!;
      expect(json.reason).toMatch(/JSON/);
      expect(json.sourceTopic).toBe(dpu);
      expect(json.original.toString()).toBe(brokenJson.toString());
      const framed = byLine.get('dpu-metrics:5')!;
      expect(framed.reason).toMatch(/JSON/);
      expect(Buffer.compare(framed.original, brokenJson)).toBe(0);
      for (const d of dead) expect(d.sourceOffset).toMatch(/^\d+$/);

      // The records right after each poison were stored (the exact count above says so too).
      for (const line of [lines[101]!, lines[202]!]) {
        // Decoded as the pipeline does: the Kafka key is the host hint, and part of the event id.
        const decoded = openstackLogSource.decode(line, { host: 'compute-9' });
        if (!decoded.ok) throw new Error(decoded.reason);
        expect(await store.get(decoded.events[0]!['event.id'])).toBeDefined();
      }
      expect((await store.search({ dataset: ['dpu.metrics'] })).total).toBe(4);
      await consumer.kill('SIGTERM');
      expect(consumer.stats.dead).toBe(4);
    },
  );
});
