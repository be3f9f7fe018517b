import { fileURLToPath } from 'node:url';
import type { BusMessage } from '../bus/types.js';
import { KyselyAlertRepository } from '../engine/alert-repository.js';
import { EngineService } from '../engine/engine-service.js';
import { loadRuleDir } from '../engine/rules/load.js';
import { SHIPPED_RULES } from '../engine/start.js';
import { encodeEventsRecords } from '../ingest/events-record.js';
import { decodeBatch, sourcesByTopic } from '../ingest/pipeline.js';
import { KyselyTemplateRepository } from '../logmine/template-repository.js';
import { TemplateTagger } from '../logmine/template-tagger.js';
import type { FaultEvent } from '../model/event.js';
import type { Runtime } from '../runtime.js';
import { BusSink } from './bus-sink.js';
import { fetchAll } from './evaluate.js';
import { LeasingCoreFleetControl } from './leasing-core.js';
import { runSimulation } from './runner.js';
import type { ScoredFinding } from './score.js';
import { Simulator, type SimulatorOptions } from './simulator.js';

export interface InProcessResult {
  sim: Simulator;
  /** Simulated records written (lines, SEL entries, samples). */
  published: number;
  /** Events decoded from them, and frames the decoders refused (expected 0: the simulator writes real formats). */
  events: number;
  rejected: number;
  alerts: ScoredFinding[];
  predictions: ScoredFinding[];
}

/** Events handed to the engine per call: one engine batch of `serve` (src/engine/start.ts). */
const ENGINE_BATCH = 5000;

/**
 * A simulated run through the production stages without the transport: each step's records are
 * packed as the edge packs them, decoded by `decodeBatch` (the ingest pipeline's decode), enriched by
 * the fleet topology and the template tagger as `serve` enriches them, serialized as the pipeline
 * writes `faultline.events`, and handed to an EngineService with the shipped rules, in event time.
 * The alerts land in the runtime's state store and are read back through its API.
 *
 * What is left out is what does not decide an alert: the bus's storage, the event store's writes and
 * the engine's checkpoints (durability), and the wall clock (no pacing, no polling for lag). It is
 * deterministic: the same options give the same findings. The runtime must be created without its
 * own ingest pipeline and engine (`{ ingest: false }`).
 */
export async function evaluateInProcess(
  runtime: Runtime,
  key: string,
  options: Omit<SimulatorOptions, 'fleet'> & { duration: number },
): Promise<InProcessResult> {
  const prefix = runtime.config.topicPrefix;
  const topology = runtime.fleet.topology;
  // The runtime's topology index hears the leasing core in process, as in `serve` (src/fleet/fleet-runtime.ts).
  const control = new LeasingCoreFleetControl(runtime.stateStore, options.start, runtime.logger, [topology]);
  const sim = new Simulator({ ...options, fleet: control });
  await control.enroll(sim.fleet);
  const tagger = new TemplateTagger(new KyselyTemplateRepository(runtime.stateStore.db));
  await tagger.start();
  const enrich = async (events: FaultEvent[]) => tagger.enrich(await topology.enrich(events));
  const eventsTopic = `${prefix}.events`;
  const engine = new EngineService({
    bus: runtime.bus,
    repo: new KyselyAlertRepository(runtime.stateStore.db),
    rules: loadRuleDir(fileURLToPath(SHIPPED_RULES)),
    logger: runtime.logger,
    topology,
    topic: eventsTopic,
    group: `${prefix}-engine`,
  });
  const sink = new BusSink(runtime.bus, prefix);
  const sourceForTopic = sourcesByTopic(prefix);
  let pending: BusMessage[] = [];
  let pendingEvents = 0;
  const partitionOf = await runtime.bus.partitioner(eventsTopic);
  let offset = 0;
  let events = 0;
  let rejected = 0;
  let published = 0;
  await runSimulation(sim, {
    speed: Number.POSITIVE_INFINITY,
    until: options.start + options.duration,
    write: async (records, shippedAt) => {
      published += records.length;
      for (const [topic, messages] of sink.messages(records, shippedAt)) {
        const batch = decodeBatch(
          messages.map((m, i) => ({
            topic,
            partition: 0,
            offset: String(i),
            key: m.key,
            value: typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value,
            headers: m.headers ?? {},
            timestamp: m.timestamp ?? shippedAt,
          })),
          sourceForTopic,
        );
        rejected += batch.dead.length;
        const enriched = await enrich(batch.events);
        events += enriched.length;
        // As the pipeline writes them: packed per partition (src/ingest/events-record.ts).
        for (const m of encodeEventsRecords(enriched, partitionOf))
          pending.push({
            topic: eventsTopic,
            partition: m.partition ?? 0,
            offset: String(offset++),
            key: m.key,
            value: typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value,
            headers: m.headers ?? {},
            timestamp: shippedAt,
          });
        pendingEvents += enriched.length;
      }
      if (pendingEvents >= ENGINE_BATCH) {
        await engine.handle(pending);
        pending = [];
        pendingEvents = 0;
      }
    },
  });
  if (pending.length > 0) await engine.handle(pending);
  await tagger.save();
  const alerts = await fetchAll(runtime, '/v1/alerts', key, 'status=firing,resolved,suppressed');
  if (alerts === undefined) throw new Error('this build serves no /v1/alerts: nothing to score');
  const predictions = (await fetchAll(runtime, '/v1/predictions', key)) ?? [];
  return { sim, published, events, rejected, alerts, predictions };
}
