import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  type LogEntry,
  logLevel,
  type Message,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { errorMessage } from '../shared/errors.js';
import type { HealthStatus } from '../shared/health.js';
import type { Logger } from '../shared/logger.js';
import { RECORD_HEADERS } from './record-headers.js';
import {
  type BatchContext,
  type BusMessage,
  type DeadLetter,
  deadLetterTopicFor,
  type MessageBus,
  type OutgoingMessage,
  type SubscribeOptions,
  type Subscription,
  type TopicLag,
} from './types.js';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Partitions of the telemetry topics `ensureTopics` creates (default 6); existing topics are left alone. */
  partitions?: number;
  /** Replication factor of created topics; -1 (default) takes the broker's `default.replication.factor`. */
  replicationFactor?: number;
  /**
   * Topic-level `max.message.bytes` of created topics (default 16 MiB). Larger than the pipeline's
   * record limit on purpose: an oversized line must reach the pipeline and its dead-letter path
   * instead of failing at publish time.
   */
  maxMessageBytes?: number;
  /** Consumer group session timeout (default 30 s): how long a dead member keeps its partitions. */
  sessionTimeout?: number;
  heartbeatInterval?: number;
  /** Partitions handled in parallel by one consumer (kafkajs `partitionsConsumedConcurrently`, default 6). */
  partitionsConsumedConcurrently?: number;
  /** Fetch size per partition (default 4 MiB); one fetch feeds one `onBatch` chunk series per partition. */
  maxBytesPerPartition?: number;
  /** Dead-letter topic (default `faultline.deadletter`; `adapters.ts` puts it under the configured prefix). */
  deadLetterTopic?: string;
  /** Upper bound of `health()` (default 2 s): readiness must answer even when the brokers do not. */
  healthTimeoutMs?: number;
  /** Backoff after a failed batch: first wait and ceiling (default 250 ms → 10 s, doubling). */
  retryBackoffMs?: { initial: number; max: number };
  /** kafkajs log level forwarded to pino (default warn; kafkajs info lines become pino debug). */
  kafkaLogLevel?: 'error' | 'warn' | 'info' | 'debug';
}

/** Headers of a dead-letter record; the value is the original bytes. Source and line reuse the edge's names. */
export const DEAD_LETTER_HEADERS = {
  reason: 'faultline-dead-letter-reason',
  sourceTopic: 'faultline-dead-letter-topic',
  sourcePartition: 'faultline-dead-letter-partition',
  sourceOffset: 'faultline-dead-letter-offset',
  at: 'faultline-dead-letter-at',
  /** Present when the original was cut to fit the topic: its full length in bytes. */
  truncated: 'faultline-dead-letter-truncated',
  frame: 'faultline-dead-letter-frame',
  source: RECORD_HEADERS.source,
  line: RECORD_HEADERS.line,
} as const;

/** Reads a record of the dead-letter topic back into the port's shape (tools and tests). */
export function parseDeadLetter(message: BusMessage): DeadLetter {
  const h = message.headers;
  const entry: DeadLetter = {
    sourceTopic: h[DEAD_LETTER_HEADERS.sourceTopic] ?? '',
    sourcePartition: Number(h[DEAD_LETTER_HEADERS.sourcePartition] ?? -1),
    sourceOffset: h[DEAD_LETTER_HEADERS.sourceOffset] ?? '',
    source: h[DEAD_LETTER_HEADERS.source] ?? 'unknown',
    reason: h[DEAD_LETTER_HEADERS.reason] ?? '',
    original: message.value,
    at: h[DEAD_LETTER_HEADERS.at] ?? new Date(message.timestamp).toISOString(),
  };
  const line = h[DEAD_LETTER_HEADERS.line];
  if (line !== undefined && Number.isFinite(Number(line))) entry.line = Number(line);
  const frame = h[DEAD_LETTER_HEADERS.frame];
  if (frame !== undefined && Number.isInteger(Number(frame))) entry.frame = Number(frame);
  return entry;
}

const KAFKA_LOG_LEVEL = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** kafkajs log lines go to pino, one level quieter than kafkajs thinks. */
function pinoLogCreator(logger: Logger) {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = entry;
      const fields = { ...extra, namespace };
      // Expected with bounded retries, which we want so that a publish fails instead of hanging.
      if (message.startsWith('Limiting retries for the idempotent producer'))
        return log.debug(fields, message);
      // kafkajs reports every failed connection attempt as an error; the adapter logs what it cannot
      // recover from itself, so kafkajs's own lines sit one level lower.
      if (level === logLevel.ERROR) log.warn(fields, message);
      else if (level === logLevel.WARN) log.info(fields, message);
      else if (level === logLevel.INFO) log.debug(fields, message);
      else log.trace(fields, message);
    };
}

function headerValue(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const v = Array.isArray(value) ? value.at(-1) : value;
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

function toBusMessage(topic: string, partition: number, m: KafkaMessage): BusMessage {
  const headers: Record<string, string> = {};
  const raw = m.headers;
  // for-in, not Object.entries: no pair arrays per record on the hot path.
  if (raw !== undefined) {
    for (const k in raw) {
      const s = headerValue(raw[k]);
      if (s !== undefined) headers[k] = s;
    }
  }
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key === null || m.key === undefined ? null : m.key.toString('utf8'),
    value: m.value ?? Buffer.alloc(0),
    headers,
    timestamp: Number(m.timestamp),
  };
}

const isRebalancing = (e: unknown) => {
  const type = (e as { type?: string } | undefined)?.type;
  return (
    type === 'REBALANCE_IN_PROGRESS' || type === 'ILLEGAL_GENERATION' || type === 'NOT_COORDINATOR_FOR_GROUP'
  );
};

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Bytes a produce request may carry before it is split (well under the broker's request limit). */
const SEND_CHUNK_BYTES = 8 * 1024 * 1024;
const SEND_CHUNK_RECORDS = 20_000;

/**
 * The Kafka adapter (DESIGN §2) on kafkajs 2.2.4. One topic per dataset, key = node id with the
 * Java-compatible default partitioner, so one server's records stay on one partition in order.
 * Consumers use `eachBatch` with manual commits: a chunk's offset (last + 1) is committed only after
 * `onBatch` resolved; a failing chunk pauses its partition, backs off, seeks back and is delivered
 * again; nothing is skipped.
 */
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
  private readonly knownTopics = new Set<string>();
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

  async ensureTopics(topics: string[]): Promise<void> {
    const missing = [...new Set(topics)].filter((t) => !this.knownTopics.has(t));
    if (missing.length === 0) return;
    const admin = await this.admin();
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
    for (const t of missing) this.knownTopics.add(t);
  }

  private get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? 16 * 1024 * 1024;
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    let chunk: Message[] = [];
    let bytes = 0;
    for (const m of messages) {
      const value = typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value;
      if (
        chunk.length > 0 &&
        (bytes + value.length > SEND_CHUNK_BYTES || chunk.length >= SEND_CHUNK_RECORDS)
      ) {
        await this.send(topic, chunk);
        chunk = [];
        bytes = 0;
      }
      const message: Message = { key: m.key, value };
      if (m.headers !== undefined) message.headers = m.headers;
      if (m.timestamp !== undefined) message.timestamp = String(m.timestamp);
      chunk.push(message);
      bytes += value.length;
    }
    await this.send(topic, chunk);
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
    const messages: OutgoingMessage[] = entries.map((e) => {
      const headers: Record<string, string> = {
        [DEAD_LETTER_HEADERS.reason]: e.reason.slice(0, 4000),
        [DEAD_LETTER_HEADERS.sourceTopic]: e.sourceTopic,
        [DEAD_LETTER_HEADERS.sourcePartition]: String(e.sourcePartition),
        [DEAD_LETTER_HEADERS.sourceOffset]: e.sourceOffset,
        [DEAD_LETTER_HEADERS.source]: e.source,
        [DEAD_LETTER_HEADERS.at]: e.at,
      };
      if (e.line !== undefined) headers[DEAD_LETTER_HEADERS.line] = String(e.line);
      if (e.frame !== undefined) headers[DEAD_LETTER_HEADERS.frame] = String(e.frame);
      let value = e.original;
      if (value.length > room) {
        headers[DEAD_LETTER_HEADERS.truncated] = String(value.length);
        value = value.subarray(0, room);
      }
      return { key: e.sourceTopic, value, headers };
    });
    await this.publish(this.deadLetterTopic, messages);
  }

  async lag(group: string, topics: string[]): Promise<TopicLag[]> {
    const admin = await this.admin();
    const committed = await admin.fetchOffsets({ groupId: group, topics });
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

const tp = (topic: string, partition: number) => `${topic}|${partition}`;

/**
 * One consumer group member. kafkajs restarts a crashed consumer for retriable errors; for the rest
 * this class builds a new consumer after a backoff, so a subscription ends only when closed.
 */
class KafkaSubscription implements Subscription {
  private consumer: Consumer | undefined;
  private closing = false;
  private paused = false;
  /** Partitions waiting out a backoff after a failed chunk, with their resume timers. */
  private readonly backingOff = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private restartTimer: NodeJS.Timeout | undefined;
  private restarts = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly busOptions: KafkaBusOptions,
    private readonly logger: Logger,
    private readonly options: SubscribeOptions,
    private readonly onClosed: () => void,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.group,
      sessionTimeout: this.busOptions.sessionTimeout ?? 30_000,
      heartbeatInterval: this.busOptions.heartbeatInterval ?? 3000,
      maxBytesPerPartition: this.busOptions.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.closing) return;
      this.logger.error(
        { err: payload.error, group: this.options.group },
        'Kafka consumer crashed; rebuilding it',
      );
      this.scheduleRestart();
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: this.options.topics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.busOptions.partitionsConsumedConcurrently ?? 6,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    if (this.paused) consumer.pause(this.options.topics.map((topic) => ({ topic })));
  }

  private scheduleRestart(): void {
    if (this.closing || this.restartTimer !== undefined) return;
    const delay = Math.min(1000 * 2 ** this.restarts, 30_000);
    this.restarts++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.closing) return;
      const old = this.consumer;
      this.consumer = undefined;
      void (async () => {
        try {
          await old?.disconnect();
        } catch {
          // already torn down by the crash
        }
        if (this.closing) return;
        try {
          await this.start();
          this.restarts = 0;
        } catch (error) {
          this.logger.error(
            { err: error, group: this.options.group },
            'Kafka consumer restart failed; retrying',
          );
          this.scheduleRestart();
        }
      })();
    }, delay);
  }

  private backoffMs(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const { initial, max } = this.busOptions.retryBackoffMs ?? { initial: 250, max: 10_000 };
    return Math.min(initial * 2 ** (n - 1), max);
  }

  /**
   * A chunk failed: pause its partition, rewind the fetch position to the chunk's first offset and
   * resume after a backoff. The partition's next delivery is that same chunk.
   */
  private retryLater(consumer: Consumer, topic: string, partition: number, offset: string): void {
    const key = tp(topic, partition);
    const wait = this.backoffMs(key);
    consumer.pause([{ topic, partitions: [partition] }]);
    consumer.seek({ topic, partition, offset });
    clearTimeout(this.backingOff.get(key));
    this.backingOff.set(
      key,
      setTimeout(() => {
        this.backingOff.delete(key);
        if (!this.paused && !this.closing && this.consumer === consumer)
          consumer.resume([{ topic, partitions: [partition] }]);
      }, wait),
    );
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, resolveOffset, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const consumer = this.consumer;
    if (consumer === undefined || batch.messages.length === 0) return;
    const key = tp(topic, partition);
    const first = batch.messages[0]!.offset;
    // Fetched before a pause took effect: give it back unprocessed so a pause really stops delivery.
    if (this.paused || this.backingOff.has(key)) {
      if (!isStale()) consumer.seek({ topic, partition, offset: first });
      return;
    }
    let revoked = false;
    const alive = () => !this.closing && !revoked && isRunning() && !isStale();
    const ctx: BatchContext = {
      topic,
      partition,
      heartbeat: async () => {
        try {
          await heartbeat();
        } catch (error) {
          if (isRebalancing(error)) revoked = true;
          throw error;
        }
      },
      isRunning: alive,
    };
    const max = Math.max(1, this.options.maxBatchSize ?? 1000);
    const heartbeatEvery = this.busOptions.heartbeatInterval ?? 3000;
    for (let i = 0; i < batch.messages.length; i += max) {
      if (!alive()) return;
      const slice = batch.messages.slice(i, i + max);
      if (this.paused) {
        consumer.seek({ topic, partition, offset: slice[0]!.offset });
        return;
      }
      const messages = slice.map((m) => toBusMessage(topic, partition, m));
      // Keeps the membership alive through a slow store without the handler having to care.
      const beat = setInterval(() => {
        heartbeat().catch((error: unknown) => {
          if (isRebalancing(error)) revoked = true;
        });
      }, heartbeatEvery);
      try {
        await this.options.onBatch(messages, ctx);
      } catch (error) {
        this.options.onError?.(error, { topic, partition });
        if (!isStale() && !this.closing) this.retryLater(consumer, topic, partition, slice[0]!.offset);
        return;
      } finally {
        clearInterval(beat);
      }
      // Closing, revoked or rewound by a seek while the handler ran: leave the position alone and let
      // the chunk be delivered again (a replay is a no-op in the store; a skipped chunk would be lost).
      if (!alive()) return;
      const last = slice.at(-1)!.offset;
      const next = (BigInt(last) + 1n).toString();
      // Throws on a rebalance; kafkajs then rejoins and the new owner gets this chunk again.
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
      resolveOffset(last);
      this.failures.delete(key);
    }
  }

  pause(): void {
    this.paused = true;
    // Before `run` (a restart in progress) kafkajs refuses; `start` applies the pause itself.
    try {
      this.consumer?.pause(this.options.topics.map((topic) => ({ topic })));
    } catch {}
  }

  resume(): void {
    this.paused = false;
    const consumer = this.consumer;
    if (consumer === undefined) return;
    try {
      consumer.resume(this.options.topics.map((topic) => ({ topic })));
      // Resuming a topic resumes all its partitions; the ones still backing off stay paused.
      for (const key of this.backingOff.keys()) {
        const sep = key.lastIndexOf('|');
        consumer.pause([{ topic: key.slice(0, sep), partitions: [Number(key.slice(sep + 1))] }]);
      }
    } catch {}
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.restartTimer);
    for (const t of this.backingOff.values()) clearTimeout(t);
    this.backingOff.clear();
    try {
      await this.consumer?.disconnect();
    } catch (error) {
      this.logger.warn({ err: error, group: this.options.group }, 'error while leaving the consumer group');
    }
    this.onClosed();
  }
}
