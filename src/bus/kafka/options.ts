import type { Logger } from '../../shared/logger.js';

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
