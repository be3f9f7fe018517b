import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../../shared/logger.js';
import type { BatchContext, SubscribeOptions, Subscription } from '../types.js';
import type { KafkaBusOptions } from './options.js';
import { toBusMessage } from './records.js';

const isRebalancing = (e: unknown) => {
  const type = (e as { type?: string } | undefined)?.type;
  return (
    type === 'REBALANCE_IN_PROGRESS' || type === 'ILLEGAL_GENERATION' || type === 'NOT_COORDINATOR_FOR_GROUP'
  );
};

/** Map key of one topic partition (backoff timers, failure counts). */
const partitionKey = (topic: string, partition: number) => `${topic}|${partition}`;

/**
 * One consumer group member. kafkajs restarts a crashed consumer for retriable errors; for the rest
 * this class builds a new consumer after a backoff, so a subscription ends only when closed.
 */
export class KafkaSubscription implements Subscription {
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
    const key = partitionKey(topic, partition);
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
    const key = partitionKey(topic, partition);
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
