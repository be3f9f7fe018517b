import type { BusMessage, MessageBus, Subscription } from '../bus/types.js';
import { LogAnomalyDetector } from '../logmine/anomaly.js';
import type { FaultEvent } from '../model/event.js';
import type { Topology } from '../model/topology.js';
import type { Logger } from '../shared/logger.js';
import type { AlertIndex } from './alert-index.js';
import type { AlertRepository } from './alert-repository.js';
import { Engine } from './engine.js';
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
  /** Log-template rate baselines (src/logmine); their signals go through the rules like any event. */
  logAnomalies?: LogAnomalyDetector;
}

/** Event ids remembered to drop the copies an at-least-once bus delivers twice. */
const SEEN_IDS = 200_000;

/**
 * The live engine: its own consumer group on `faultline.events`, so all events of one node reach one
 * instance (the topic is keyed by host.name). Each batch goes through the Engine in event time and
 * the alerts and predictions it created or changed are upserted by id, which is deterministic
 * (fingerprint + first seen): a batch delivered twice writes the same rows.
 */
export class EngineService {
  readonly engine: Engine;
  private subscription: Subscription | undefined;
  private readonly seen = new Set<string>();
  private readonly logAnomalies: LogAnomalyDetector;

  constructor(private readonly deps: EngineServiceDeps) {
    this.logAnomalies = deps.logAnomalies ?? new LogAnomalyDetector();
    this.engine = new Engine({
      rules: deps.rules,
      allowedLatenessMs: deps.allowedLatenessMs ?? 60_000,
      ...(deps.topology !== undefined ? { topology: deps.topology } : {}),
    });
  }

  async start(): Promise<void> {
    const { bus, topic, group, logger } = this.deps;
    await bus.ensureTopics([topic]);
    await this.deps.index?.bootstrap();
    this.subscription = await bus.subscribe({
      group,
      topics: [topic],
      fromBeginning: true,
      onBatch: (messages) => this.handle(messages),
      onError: (error, at) =>
        logger.error(
          { err: error, topic: at.topic, partition: at.partition },
          'engine batch failed; retrying',
        ),
    });
  }

  async handle(messages: BusMessage[]): Promise<void> {
    let n = 0;
    for (const m of messages) {
      // Let the API and ingest breathe between slices of a large batch (under-pressure watches the loop).
      if (++n % 2000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      let event: FaultEvent;
      try {
        event = JSON.parse(m.value.toString('utf8')) as FaultEvent;
      } catch {
        // The pipeline wrote this topic from events it had built: a broken value is a bug upstream, not data.
        this.deps.logger.warn(
          { topic: m.topic, partition: m.partition, offset: m.offset },
          'engine: value is not JSON; skipped',
        );
        continue;
      }
      const id = event['event.id'];
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.values().next().value as string);
      this.engine.push(event);
      if (event['log.template.id'] !== undefined)
        for (const signal of this.logAnomalies.observe([event])) this.engine.push(signal);
    }
    const changes = this.engine.takeChanges();
    if (changes.length > 0) {
      await this.deps.repo.upsert(changes, new Date().toISOString());
      await this.deps.index?.write(changes);
    }
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }
}
