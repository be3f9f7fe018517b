import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '../../src/bus/kafka.js';
import type { BusMessage } from '../../src/bus/types.js';
import { decodeEventsRecord, EVENTS_FORMAT, EVENTS_FORMAT_HEADER } from '../../src/ingest/events-record.js';
import { IngestPipeline } from '../../src/ingest/pipeline.js';
import { createLogger } from '../../src/shared/logger.js';
import { SqliteEventStore } from '../../src/store/sqlite/event-store.js';
import { readFixture } from '../helpers/fixtures.js';
import { kafkaBrokers, uniqueName } from '../helpers/infra.js';
import { tempDir } from '../helpers/runtime.js';

/** Reads `topic` from the start, in a group of its own, until `enough` says so. */
async function readUntil(
  bus: KafkaBus,
  topic: string,
  enough: (got: BusMessage[]) => boolean,
): Promise<BusMessage[]> {
  const got: BusMessage[] = [];
  const sub = await bus.subscribe({
    group: uniqueName('g'),
    topics: [topic],
    fromBeginning: true,
    onBatch: async (messages) => {
      got.push(...messages);
    },
  });
  try {
    for (let waited = 0; !enough(got); waited += 100) {
      if (waited > 60_000) throw new Error(`read only ${got.length} records of ${topic}`);
      await sleep(100);
    }
  } finally {
    await sub.close();
  }
  return got;
}

describe('faultline.events on Kafka', () => {
  const dir = tempDir();
  const prefix = uniqueName('t.events');
  const bus = new KafkaBus({
    brokers: kafkaBrokers(),
    clientId: 'events-record-test',
    logger: createLogger('silent'),
    partitions: 6,
  });
  afterAll(async () => {
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    "puts each host's events on the partition Kafka's producer gives the host as a key",
    { timeout: 120_000 },
    async () => {
      // The real SEL of one server, replayed as 30 servers' (the same lines keyed by each host).
      const lines = readFixture('bmc', 'ipmi-sel', 'linuxfabrik', 'ipmitool_sel_elist_chassis-intrusion.txt')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .slice(0, 20);
      const hosts = Array.from({ length: 30 }, (_, i) => `bm-${String(i).padStart(3, '0')}`);
      const raw: BusMessage[] = hosts.flatMap((host, h) =>
        lines.map((line, i) => ({
          topic: `${prefix}.bmc.sel`,
          partition: 0,
          offset: String(h * lines.length + i),
          key: host,
          value: Buffer.from(line),
          headers: { 'faultline-line': String(i + 1) },
          timestamp: Date.parse('2026-12-07T00:00:00Z'),
        })),
      );
      const store = new SqliteEventStore(join(dir, 'events.db'));
      await store.bootstrap();
      const eventsTopic = `${prefix}.events`;
      const markers = `${prefix}.markers`;
      const pipeline = new IngestPipeline({
        bus,
        store,
        logger: createLogger('silent'),
        group: uniqueName('ingest'),
        topics: [`${prefix}.bmc.sel`],
        topicPrefix: prefix,
        eventsTopic,
      });
      try {
        await pipeline.start();
        await pipeline.handle(raw);
      } finally {
        await pipeline.stop();
        await store.close();
      }
      // One plain record per host, keyed by it and placed by the producer itself, on a topic of as many partitions.
      await bus.ensureTopics([markers]);
      await bus.publish(
        markers,
        hosts.map((h) => ({ key: h, value: h })),
      );

      const total = hosts.length * lines.length;
      const packed = await readUntil(
        bus,
        eventsTopic,
        (got) => got.reduce((n, r) => n + (JSON.parse(String(r.value)) as unknown[]).length, 0) >= total,
      );
      const placed = new Map(
        (await readUntil(bus, markers, (got) => got.length >= hosts.length)).map((m) => [m.key, m.partition]),
      );
      // A few records for 600 events, each of the format this version writes.
      expect(packed.length).toBeGreaterThan(1);
      expect(packed.length).toBeLessThanOrEqual(6);
      let events = 0;
      for (const r of packed) {
        expect(r.headers[EVENTS_FORMAT_HEADER]).toBe(EVENTS_FORMAT);
        const d = decodeEventsRecord(r);
        if (!d.ok) throw new Error(d.reason);
        for (const e of d.events) expect(placed.get(e['host.name']!)).toBe(r.partition);
        events += d.events.length;
      }
      expect(events).toBe(total);
    },
  );
});
