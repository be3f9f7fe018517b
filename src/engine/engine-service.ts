import type { BusMessage, MessageBus, Subscription } from '../bus/types.js';
import { decodeEventsRecord } from '../ingest/events-record.js';
import { LogAnomalyDetector } from '../logmine/anomaly.js';
import type { FaultEvent } from '../model/event.js';
import type { Topology } from '../model/topology.js';
import type { Logger } from '../shared/logger.js';
import type { AlertIndex } from './alert-index.js';
import type { AlertRepository } from './alert-repository.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { Engine, SnapshotVersionError } from './engine.js';
import { eventTime } from './event-time.js';
import { RecentIds } from './recent-ids.js';
import type { CompiledRule } from './rules/load.js';

export interface EngineServiceDeps {
  bus: MessageBus;
  repo: AlertRepository;
  /** Elasticsearch copy for dashboards, when the deployment has Elasticsearch. */
  index?: AlertIndex;
  rules: readonly CompiledRule[];
  logger: Logger;
  topology?: Topology;
  /** The topic of normalized events keyed by host.name (DESIGN §1). */
  topic: string;
  group: string;
  allowedLatenessMs?: number;
  /** Log-template rate baselines (src/logmine), one per partition; their signals go through the rules. */
  logAnomalies?: () => LogAnomalyDetector;
  /** Records per batch, hence per checkpoint (the bus adapter's default when absent). */
  maxBatchSize?: number;
  /** Engine state saved with the offset it was taken at (DESIGN §5: determinism across a crash). */
  checkpoints?: CheckpointStore;
}

/** The engine of one bus partition: a partition's nodes move between instances together with it. */
interface PartitionTask {
  engine: Engine;
  logAnomalies: LogAnomalyDetector;
  /** Ids applied within the engine's lateness horizon: a redelivered copy is dropped. */
  seen: RecentIds;
  /** The offset after the last record applied; undefined before the first batch. */
  nextOffset?: string;
  /** The offset after the last record delivered (behind a checkpoint, delivered is not applied). */
  delivered?: string;
}

/**
 * The live engine: its own consumer group on `faultline.events`, so all events of one node reach one
 * instance (the topic is keyed by host.name). Each partition has its own Engine, run in event time;
 * the alerts and predictions it created or changed are upserted by id, which is deterministic
 * (fingerprint + first seen): a batch delivered twice writes the same rows. With a checkpoint store
 * the state of each partition is saved after every batch, before the bus commits it, so a process
 * killed at any point resumes with the state an uninterrupted run had at the same record.
 */
export class EngineService {
  private subscription: Subscription | undefined;
  private readonly tasks = new Map<string, PartitionTask>();

  constructor(private readonly deps: EngineServiceDeps) {}

  /** The engines of the partitions this instance has handled (for stats and tests). */
  engines(): Engine[] {
    return [...this.tasks.values()].map((t) => t.engine);
  }

  /** `topic|partition` of every partition this instance has handled a batch of. */
  partitions(): string[] {
    return [...this.tasks.keys()].sort();
  }

  async start(): Promise<void> {
    const { bus, topic, group, logger } = this.deps;
    await bus.ensureTopics([topic]);
    await this.deps.index?.bootstrap();
    this.subscription = await bus.subscribe({
      group,
      topics: [topic],
      fromBeginning: true,
      ...(this.deps.maxBatchSize === undefined ? {} : { maxBatchSize: this.deps.maxBatchSize }),
      onBatch: (messages) => this.handle(messages),
      onError: (error, at) =>
        logger.error(
          { err: error, topic: at.topic, partition: at.partition },
          'engine batch failed; retrying',
        ),
    });
  }

  private get lateness(): number {
    return this.deps.allowedLatenessMs ?? 60_000;
  }

  private newTask(): PartitionTask {
    return {
      engine: new Engine({
        rules: this.deps.rules,
        allowedLatenessMs: this.lateness,
        // Findings go to the store by takeChanges after every batch; the engine keeps only live state.
        retainFindings: false,
        ...(this.deps.topology !== undefined ? { topology: this.deps.topology } : {}),
      }),
      logAnomalies: this.deps.logAnomalies?.() ?? new LogAnomalyDetector(),
      seen: new RecentIds(this.lateness),
    };
  }

  /**
   * The task for a batch starting at `first`. Memory is trusted only if it stopped right there;
   * otherwise (a restart, or the partition was away at another instance) the checkpoint is the truth.
   */
  private async taskFor(topic: string, partition: number, first: string): Promise<PartitionTask> {
    const key = `${topic}|${partition}`;
    const known = this.tasks.get(key);
    const store = this.deps.checkpoints;
    if (
      known !== undefined &&
      (store === undefined || known.nextOffset === first || known.delivered === first)
    )
      return known;
    let task = this.newTask();
    const saved = await store?.load({ group: this.deps.group, topic, partition });
    if (saved !== undefined) {
      try {
        const extra = task.engine.restore(saved.state, { LogAnomalyDetector });
        task.logAnomalies = extra.logAnomalies as LogAnomalyDetector;
        task.seen = RecentIds.fromBytes(extra.seen as Uint8Array);
      } catch (error) {
        if (!(error instanceof SnapshotVersionError)) throw error;
        // Written by another release: its findings are stored; windows and baselines start again here.
        this.deps.logger.warn(
          { topic, partition, err: error },
          'engine checkpoint of another version; starting empty',
        );
        task = this.newTask();
      }
      task.nextOffset = saved.nextOffset;
      if (BigInt(saved.nextOffset) < BigInt(first))
        this.deps.logger.warn(
          { topic, partition, checkpoint: saved.nextOffset, delivered: first },
          'engine checkpoint is behind the bus position; records in between were never applied',
        );
    }
    this.tasks.set(key, task);
    return task;
  }

  async handle(messages: BusMessage[]): Promise<void> {
    const head = messages[0];
    if (head === undefined) return;
    const key = `${head.topic}|${head.partition}`;
    const task = await this.taskFor(head.topic, head.partition, head.offset);
    try {
      await this.applyBatch(task, messages);
    } catch (error) {
      // Part of the batch may be in memory with its changes taken but never stored: the retry
      // starts again from the checkpoint, where the store and the state agree.
      if (this.deps.checkpoints !== undefined) this.tasks.delete(key);
      throw error;
    }
  }

  private async applyBatch(task: PartitionTask, messages: BusMessage[]): Promise<void> {
    const skipBefore = task.nextOffset === undefined ? undefined : BigInt(task.nextOffset);
    let n = 0;
    for (const m of messages) {
      // Applied before the checkpoint that a redelivery starts behind.
      if (skipBefore !== undefined && BigInt(m.offset) < skipBefore) continue;
      const record = decodeEventsRecord(m);
      if (!record.ok) {
        // The pipeline wrote this topic from events it had built: a broken record is a bug upstream, not data.
        this.deps.logger.warn(
          { topic: m.topic, partition: m.partition, offset: m.offset, reason: record.reason },
          'engine: unreadable events record; skipped',
        );
        continue;
      }
      for (const event of record.events) {
        // Let the API and ingest breathe between slices of a large batch (under-pressure watches the loop).
        if (++n % 2000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        this.apply(task, event);
      }
    }
    const changes = task.engine.takeChanges();
    if (changes.length > 0) {
      await this.deps.repo.upsert(changes, new Date().toISOString());
      await this.deps.index?.write(changes);
    }
    const last = messages.at(-1) as BusMessage;
    const nextOffset = (BigInt(last.offset) + 1n).toString();
    task.delivered = nextOffset;
    if (skipBefore !== undefined && BigInt(nextOffset) <= skipBefore) return;
    task.nextOffset = nextOffset;
    if (this.deps.checkpoints === undefined) return;
    const state = task.engine.snapshot(
      { logAnomalies: task.logAnomalies, seen: task.seen.toBytes() },
      { LogAnomalyDetector },
    );
    await this.deps.checkpoints.save(
      { group: this.deps.group, topic: last.topic, partition: last.partition },
      { nextOffset, state },
      new Date().toISOString(),
    );
  }

  private apply(task: PartitionTask, event: FaultEvent): void {
    if (!this.firstDelivery(task, event)) return;
    if (event['log.template.id'] !== undefined)
      for (const signal of task.logAnomalies.observe([event])) task.engine.push(signal);
  }

  /**
   * Pushes the event into the engine unless a copy of it was applied already (same id, dataset and
   * event time); false for a copy. The id is remembered while its time is inside the horizon.
   */
  private firstDelivery(task: PartitionTask, event: FaultEvent): boolean {
    const id = event['event.id'];
    const dataset = event['event.dataset'];
    const at = eventTime(event['@timestamp']);
    if (task.seen.has(dataset, at, id)) return false;
    task.engine.push(event, at);
    const horizon = task.engine.horizonOf(dataset);
    if (at >= horizon) task.seen.add(dataset, at, id);
    task.seen.forgetBefore(dataset, horizon);
    return true;
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }
}
