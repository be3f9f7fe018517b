import { type Admin, type Consumer, Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueName } from '../helpers/infra.js';

const kafka = new Kafka({
  clientId: 'faultline-infra-smoke',
  brokers: kafkaBrokers(),
  logLevel: process.env['KAFKA_DEBUG'] ? logLevel.WARN : logLevel.NOTHING,
});
const consumers: Consumer[] = [];

afterAll(async () => {
  await Promise.allSettled(consumers.map((c) => c.disconnect()));
});

interface Received {
  partition: number;
  offset: bigint;
  key: string;
  value: string;
}

/**
 * Consumes with manual commits until `count` distinct records arrived, then leaves the group. Kafka
 * delivers at least once: a commit refused during a rebalance makes kafkajs hand the batch over again,
 * so records are counted by partition and offset, and only once their commit went through.
 */
async function consume(groupId: string, topic: string, count: number): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got = new Map<string, Received>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${got.size}/${count} records within 60 s`)),
      60_000,
    );
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ topic: t, partition, message }) => {
          const offset = BigInt(message.offset);
          await consumer.commitOffsets([{ topic: t, partition, offset: (offset + 1n).toString() }]);
          got.set(`${partition}:${offset}`, {
            partition,
            offset,
            key: message.key?.toString() ?? '',
            value: message.value?.toString() ?? '',
          });
          if (got.size >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return [...got.values()].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
}

/**
 * Creates a topic and waits until every partition has a working leader. Not kafkajs's waitForLeaders:
 * in a KRaft cluster each broker learns of a new topic from the metadata log on its own, and kafkajs
 * gives up on the first broker that has not yet (UNKNOWN_TOPIC_OR_PARTITION) instead of retrying.
 */
async function createTopic(admin: Admin, topic: string, numPartitions: number): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: false })).toBe(true);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]?.partitions ?? [];
      // ListOffsets is answered by each partition's leader itself, so it fails until leadership is
      // in place on the broker, not just announced in the metadata.
      if (partitions.length === numPartitions && partitions.every((p) => p.leader >= 0)) {
        if ((await admin.fetchTopicOffsets(topic)).length === numPartitions) return;
      }
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topic ${topic} has no leader for every partition after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('Kafka (KRaft broker on loopback)', () => {
  it('delivers keyed records to a consumer group and keeps its committed offsets', async () => {
    const topic = uniqueName('smoke.kafka');
    const groupId = uniqueName('smoke_group');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await createTopic(admin, topic, 3);

      // Idempotent: kafkajs retries a whole request when one partition in it fails (e.g. NOT_LEADER
      // on a young topic), which without producer sequence numbers writes the others twice.
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const records = Array.from({ length: 12 }, (_, i) => ({ key: `node-${i % 4}`, value: `event ${i}` }));
      await producer.send({ topic, messages: records });

      const got = await consume(groupId, topic, records.length);
      expect(got.map((r) => r.value).sort()).toEqual(records.map((r) => r.value).sort());
      // Same key, same partition, in the order sent: the per-node order the engine relies on.
      for (const key of ['node-0', 'node-1', 'node-2', 'node-3']) {
        const sent = records.filter((r) => r.key === key).map((r) => r.value);
        const mine = got.filter((r) => r.key === key);
        expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
        expect(mine.map((r) => r.value)).toEqual(sent);
      }

      // What the group committed is exactly the end of every partition.
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed?.topic).toBe(topic);
      const byPartition = new Map(committed?.partitions.map((p) => [p.partition, p.offset]));
      expect(ends).toHaveLength(3);
      for (const end of ends) expect(byPartition.get(end.partition)).toBe(end.high);
      expect(ends.reduce((sum, p) => sum + Number(p.high), 0)).toBe(records.length);

      // A new member of the group resumes from the committed offsets: it sees only what came after.
      await producer.send({ topic, messages: [{ key: 'node-9', value: 'after the commit' }] });
      await producer.disconnect();
      const resumed = await consume(groupId, topic, 1);
      expect(resumed.map(({ key, value }) => ({ key, value }))).toEqual([
        { key: 'node-9', value: 'after the commit' },
      ]);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });
});
