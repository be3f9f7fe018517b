import { type Admin, Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import { errorMessage } from '../shared/errors.js';
import type { HealthStatus } from '../shared/health.js';
import type { Logger } from '../shared/logger.js';
import { deadLetterRecord } from './kafka/dead-letter-wire.js';
import { KAFKA_LOG_LEVEL, pinoLogCreator } from './kafka/log-bridge.js';
import type { KafkaBusOptions } from './kafka/options.js';
import { keyPartitioner } from './kafka/partitioner.js';
import { produceChunks } from './kafka/records.js';
import { KafkaSubscription } from './kafka/subscription.js';
import {
  type DeadLetter,
  deadLetterTopicFor,
  type KeyPartitioner,
  type MessageBus,
  type OutgoingMessage,
  type SubscribeOptions,
  type Subscription,
  type TopicLag,
} from './types.js';

export type { KafkaBusOptions } from './kafka/options.js';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The Kafka adapter (DESIGN §2) on kafkajs 2.2.4. One topic per dataset, key = node id with the
 * Java-compatible default partitioner, so one server's records stay on one partition in order.
 * Consumers use `eachBatch` with manual commits: a chunk's offset (last + 1) is committed only after
 * `onBatch` resolved; a failing chunk pauses its partition, backs off, seeks back and is delivered
 * again; nothing is skipped.
 */
/** Tries of ensureTopics before a retriable metadata error is final (about 5 s in all). */
const TOPIC_ATTEMPTS = 10;
/**
 * How long a topic's partition count is trusted: as long as the producer's own metadata (kafkajs
 * `metadataMaxAge`), so after partitions are added both place keys the new way within the same time.
 */
const PARTITION_COUNT_TTL_MS = 300_000;

class TopicsNotReady extends Error {
  readonly retriable = true;
  constructor(topics: string[]) {
    super(`Kafka topics without a leader yet: ${topics.join(', ')}`);
  }
}

export class KafkaBus implements MessageBus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private readonly deadLetterTopic: string;
  private producerPromise: Promise<Producer> | undefined;
  private adminPromise: Promise<Admin> | undefined;
  /** The clients themselves, so `close` can disconnect one that is still trying to connect. */
  private readonly clients = new Set<Producer | Admin>();
  private sendChain: Promise<unknown> = Promise.resolve();
  private topicChain: Promise<unknown> = Promise.resolve();
  private readonly knownTopics = new Set<string>();
  private readonly partitioners = new Map<string, { place: KeyPartitioner; at: number }>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  private closed = false;

  constructor(readonly options: KafkaBusOptions) {
    this.logger = options.logger.child({ component: 'kafka-bus' });
    this.deadLetterTopic = options.deadLetterTopic ?? deadLetterTopicFor();
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: KAFKA_LOG_LEVEL[options.kafkaLogLevel ?? 'warn'],
      logCreator: pinoLogCreator(options.logger),
      connectionTimeout: 3000,
      requestTimeout: 30_000,
      // Connection attempts (producer and consumers retry their own operations longer, below).
      retry: { initialRetryTime: 200, retries: 4, maxRetryTime: 3000 },
    });
  }

  private producer(): Promise<Producer> {
    this.producerPromise ??= (async () => {
      const producer = this.kafka.producer({
        // Idempotent: a retried produce request is not appended twice. kafkajs keeps one sequence
        // per partition and does not support concurrent idempotent sends, so `send` serializes them.
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        // Bounded, so a publish against a dead cluster fails (HTTP 503) instead of hanging forever.
        retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
      });
      this.clients.add(producer);
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.producerPromise = undefined;
      throw error;
    });
    return this.producerPromise;
  }

  private admin(): Promise<Admin> {
    this.adminPromise ??= (async () => {
      // Few retries: admin calls serve health checks and lag gauges, which must answer soon either way.
      const admin = this.kafka.admin({ retry: { initialRetryTime: 200, retries: 3, maxRetryTime: 2000 } });
      this.clients.add(admin);
      try {
        await admin.connect();
      } catch (error) {
        this.clients.delete(admin);
        throw error;
      }
      return admin;
    })().catch((error: unknown) => {
      this.adminPromise = undefined;
      throw error;
    });
    return this.adminPromise;
  }

  /** Runs produce requests one at a time (see `producer()`); a failure does not poison the queue. */
  private send(topic: string, messages: Message[]): Promise<void> {
    const run = async () => {
      const producer = await this.producer();
      await producer.send({ topic, acks: -1, messages });
    };
    const next = this.sendChain.then(run, run);
    this.sendChain = next.catch(() => {});
    return next;
  }

  /**
   * Creates the topics that do not exist and returns once every partition has a leader. Calls are
   * serialized (the pipeline, the engine and a producer may ask at once). A topic just created can be
   * unknown for a moment to the broker that answers the metadata request (KRaft propagates it
   * asynchronously; kafkajs's waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION), so retriable
   * errors are retried with a short backoff.
   */
  ensureTopics(topics: string[]): Promise<void> {
    const run = () => this.createMissingTopics(topics);
    const next = this.topicChain.then(run, run);
    this.topicChain = next.catch(() => {});
    return next;
  }

  private async createMissingTopics(topics: string[]): Promise<void> {
    const missing = [...new Set(topics)].filter((t) => !this.knownTopics.has(t));
    if (missing.length === 0) return;
    const admin = await this.admin();
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = new Set(await admin.listTopics());
        const create = missing.filter((t) => !existing.has(t));
        if (create.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: create.map((topic) => ({
              topic,
              numPartitions: topic === this.deadLetterTopic ? 1 : (this.options.partitions ?? 6),
              replicationFactor: this.options.replicationFactor ?? -1,
              configEntries: [{ name: 'max.message.bytes', value: String(this.maxMessageBytes) }],
            })),
          });
          this.logger.info({ topics: create }, 'created Kafka topics');
        }
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics: missing });
        const leaderless = metadata.filter((t) => t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
        if (leaderless.length > 0) throw new TopicsNotReady(leaderless);
        break;
      } catch (error) {
        const retriable =
          error instanceof TopicsNotReady || (error as { retriable?: boolean }).retriable === true;
        if (!retriable || attempt >= TOPIC_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    for (const t of missing) this.knownTopics.add(t);
  }

  private get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? 16 * 1024 * 1024;
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    for (const chunk of produceChunks(messages)) await this.send(topic, chunk);
  }

  async partitioner(topic: string): Promise<KeyPartitioner> {
    const known = this.partitioners.get(topic);
    if (known !== undefined && performance.now() - known.at < PARTITION_COUNT_TTL_MS) return known.place;
    const admin = await this.admin();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = topics.find((t) => t.name === topic)?.partitions.length ?? 0;
    if (count === 0) throw new Error(`Kafka topic ${topic} has no partitions`);
    const place = keyPartitioner(topic, count);
    this.partitioners.set(topic, { place, at: performance.now() });
    return place;
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    await this.ensureTopics(options.topics);
    const sub = new KafkaSubscription(this.kafka, this.options, this.logger, options, () =>
      this.subscriptions.delete(sub),
    );
    this.subscriptions.add(sub);
    try {
      await sub.start();
    } catch (error) {
      await sub.close();
      throw error;
    }
    return sub;
  }

  async deadLetter(entries: DeadLetter[]): Promise<void> {
    if (entries.length === 0) return;
    await this.ensureTopics([this.deadLetterTopic]);
    const room = this.maxMessageBytes - 64 * 1024;
    const messages = entries.map((e) => deadLetterRecord(e, room));
    await this.publish(this.deadLetterTopic, messages);
  }

  async lag(group: string, topics: string[]): Promise<TopicLag[]> {
    const admin = await this.admin();
    // A topic nobody has written yet holds nothing to consume. kafkajs fails on a topic whose
    // partitions its cached metadata lacks (one another client just created): refresh it first.
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length === 0) return [];
    await admin.fetchTopicMetadata({ topics: present });
    const committed = await admin.fetchOffsets({ groupId: group, topics: present });
    const result: TopicLag[] = [];
    for (const t of committed) {
      const ends = await admin.fetchTopicOffsets(t.topic);
      for (const p of t.partitions) {
        const end = ends.find((e) => e.partition === p.partition);
        if (end === undefined) continue;
        const high = BigInt(end.high);
        const low = BigInt(end.low);
        const position = BigInt(p.offset);
        // -1 means no commit yet: everything still in the log is lag.
        const from = position < low ? low : position;
        result.push({
          topic: t.topic,
          partition: p.partition,
          group,
          lag: Number(high > from ? high - from : 0n),
        });
      }
    }
    return result.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async health(): Promise<HealthStatus> {
    if (this.closed) return { ok: false, detail: 'bus closed' };
    const timeout = this.options.healthTimeoutMs ?? 2000;
    try {
      const cluster = await withTimeout(
        this.admin().then((a) => a.describeCluster()),
        timeout,
        'Kafka describeCluster',
      );
      if (cluster.brokers.length === 0)
        return { ok: false, detail: 'no Kafka brokers in the cluster metadata' };
      return {
        ok: true,
        detail: `${cluster.brokers.length} broker(s), controller ${cluster.controller ?? 'unknown'}`,
      };
    } catch (error) {
      return { ok: false, detail: errorMessage(error) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.sendChain;
    // Not awaiting a pending connect: against a dead cluster it would retry for a long while.
    this.producerPromise?.catch(() => {});
    this.adminPromise?.catch(() => {});
    await Promise.all(
      [...this.clients].map(async (c) => {
        try {
          await c.disconnect();
        } catch {
          // never connected: nothing to release
        }
      }),
    );
    this.clients.clear();
  }
}
