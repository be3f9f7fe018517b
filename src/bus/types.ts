import type { HealthStatus } from '../shared/health.js';

/**
 * The message bus port (DESIGN §2). Two adapters: `embedded.ts` (SQLite append-log, the default) and
 * `kafka.ts`. Both promise the same thing, checked by one conformance suite:
 *
 * - at least once: a batch handed to `onBatch` is committed only after the handler resolves; if the
 *   handler throws, or the process dies first, the same records are delivered again;
 * - per-key order: records with the same key (node id) land on one partition, in publish order;
 * - consumer groups: each group has its own committed position per partition.
 */

export interface OutgoingMessage {
  /** Node id; records of one server land on one partition. */
  key: string | null;
  value: Buffer | string;
  headers?: Record<string, string>;
  /** When the edge received the record (ms since epoch); the adapter's clock when absent. */
  timestamp?: number;
  /**
   * The partition to append to, as `partitioner(topic)` placed a key; the key's partition when absent.
   * The embedded bus has one partition per topic and ignores it.
   */
  partition?: number;
}

/** Where a bus puts a record of this key: what publishing it without `partition` would do. */
export type KeyPartitioner = (key: string | null) => number;

export interface BusMessage {
  topic: string;
  partition: number;
  /** Decimal string: Kafka offsets are int64 and do not fit a JS number forever. */
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** Record time, ms since epoch: the producer's (the edge's receive time) or else the append time. */
  timestamp: number;
}

export interface BatchContext {
  topic: string;
  partition: number;
  /** Keep the group membership alive during long handlers. */
  heartbeat(): Promise<void>;
  /** False once the subscription is closing or the partition was revoked: stop early, do not commit. */
  isRunning(): boolean;
}

export interface SubscribeOptions {
  group: string;
  topics: string[];
  /** Start position for a group that has no committed offset yet. Default: earliest. */
  fromBeginning?: boolean;
  /** Upper bound of records per batch handed to `onBatch`. */
  maxBatchSize?: number;
  onBatch(messages: BusMessage[], ctx: BatchContext): Promise<void>;
  /** Called when a handler throws; the batch is retried after a backoff. */
  onError?(error: unknown, ctx: { topic: string; partition: number }): void;
}

export interface Subscription {
  /** Stops fetching, waits for the batch in flight, leaves the group. */
  close(): Promise<void>;
  /** Pauses delivery (backpressure from the store) until `resume`. */
  pause(): void;
  resume(): void;
}

export interface DeadLetter {
  /** Where the record came from: `topic/partition/offset`, or `http` for edge rejections. */
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  source: string;
  /** 1-based line in the original input, when the input was text. */
  line?: number;
  /**
   * 0-based position of the line within a packed record (src/ingest/packing.ts), whose lines share
   * one topic/partition/offset; absent for a record of one line. Position, frame and reason identify
   * a dead letter, so a replayed batch does not store it twice and no two lines collapse into one.
   */
  frame?: number;
  reason: string;
  /** The original bytes, untouched (they may not be valid UTF-8). */
  original: Buffer;
  at: string;
}

/** A stored dead letter as an API shows it: the bytes as text when valid UTF-8, else base64. */
export interface DeadLetterEntry extends Omit<DeadLetter, 'original'> {
  id: number;
  original: string;
  encoding: 'utf8' | 'base64';
}

export interface DeadLetterQuery {
  limit?: number;
  source?: string;
  /** Cursor: entries with a smaller id than this, newest first. */
  before?: number;
}

export interface TopicLag {
  topic: string;
  partition: number;
  group: string;
  lag: number;
}

export interface MessageBus {
  readonly kind: 'embedded' | 'kafka';
  /** Creates topics that do not exist yet (idempotent). */
  ensureTopics(topics: string[]): Promise<void>;
  /** Durably appends; resolves once the records survive a crash of this process. */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  /**
   * How the bus places keys on the topic's partitions now (Kafka: the Java client's murmur2 over the
   * partition count; embedded: one partition), so that a producer packing records of several keys
   * can group them by partition and keep every key on its own. A keyless record gets partition 0.
   */
  partitioner(topic: string): Promise<KeyPartitioner>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Stores undecodable records with their reason; never throws for a valid DeadLetter. */
  deadLetter(entries: DeadLetter[]): Promise<void>;
  /**
   * Reads dead letters back, newest first, for adapters that keep them queryable (the embedded
   * table). Absent where dead letters are a stream to consume (the Kafka topic).
   */
  listDeadLetters?(query?: DeadLetterQuery): Promise<DeadLetterEntry[]>;
  lag(group: string, topics: string[]): Promise<TopicLag[]>;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}

/** One topic per dataset (DESIGN §6): `faultline.bmc.sel`. */
export function topicFor(dataset: string, prefix = 'faultline'): string {
  return `${prefix}.${dataset}`;
}

/** Where the Kafka adapter writes dead letters: under the same prefix as the telemetry topics. */
export function deadLetterTopicFor(prefix = 'faultline'): string {
  return `${prefix}.deadletter`;
}
