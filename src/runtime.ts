import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createBus, createEventStore, createStateStore } from './adapters.js';
import { buildApp } from './api/app.js';
import type { MessageBus } from './bus/types.js';
import type { Config } from './config/load.js';
import { startEngine } from './engine/start.js';
import { createFleetRuntime, type FleetRuntime } from './fleet/fleet-runtime.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { IngestPublisher } from './ingest/publisher.js';
import { telemetryTopics } from './ingest/topics.js';
import { KyselyTemplateRepository } from './logmine/template-repository.js';
import { TemplateTagger } from './logmine/template-tagger.js';
import type { Logger } from './shared/logger.js';
import { createMetrics, type Metrics } from './shared/metrics.js';
import { VERSION } from './shared/version.js';
import type { StateStore } from './store/state/state-store.js';
import type { EventStore } from './store/types.js';

export interface Runtime {
  config: Readonly<Config>;
  logger: Logger;
  metrics: Metrics;
  bus: MessageBus;
  eventStore: EventStore;
  stateStore: StateStore;
  publisher: IngestPublisher;
  pipeline: IngestPipeline | undefined;
  fleet: FleetRuntime;
  app: FastifyInstance;
  /** Where a generated bootstrap admin key was written, if one was generated on this start. */
  adminKeyFile?: string;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Run the ingest pipeline in this process (default true). */
  ingest?: boolean;
  metrics?: Metrics;
  /** Run the leasing core's wall-clock lease scheduler and checks (default true); false when another driver, like the simulator on its own clock, runs the fleet. */
  leaseScheduler?: boolean;
  /** The caller shows a generated admin key itself (the demo prints it): log its file at info, not warn. */
  showsAdminKey?: boolean;
}

/** Makes sure an admin can get in: FAULTLINE_ADMIN_KEY, or a generated key written to a 0600 file. */
async function bootstrapAdmin(
  config: Readonly<Config>,
  state: StateStore,
  logger: Logger,
  shownByCaller: boolean,
): Promise<string | undefined> {
  if (config.adminKey !== undefined) {
    if ((await state.apiKeys.findBySecret(config.adminKey)) === undefined) {
      await state.apiKeys.create({
        name: 'bootstrap admin (FAULTLINE_ADMIN_KEY)',
        role: 'admin',
        secret: config.adminKey,
      });
      logger.info('bootstrap admin key from FAULTLINE_ADMIN_KEY registered');
    }
    return undefined;
  }
  if ((await state.apiKeys.countActiveAdmins()) > 0) return undefined;
  const { secret } = await state.apiKeys.create({ name: 'bootstrap admin', role: 'admin' });
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'admin-api-key');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  // The path, never the key: logs end up in places keys must not.
  logger[shownByCaller ? 'info' : 'warn'](
    { file },
    'no admin API key existed; generated one and wrote it to the file',
  );
  return file;
}

/**
 * The composition root (DESIGN §3): builds bus, stores, ingest pipeline and API in dependency
 * order, and closes them in reverse. Nothing else decides which adapter is in use.
 */
export async function createRuntime(
  config: Readonly<Config>,
  logger: Logger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const closers: Array<[string, () => Promise<unknown>]> = [];
  // One closing for all callers (a signal handler and a test teardown may both ask): a second call
  // awaits the first instead of closing the stores under a component still shutting down.
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= closeInReverse();
    return closing;
  };
  const closeInReverse = async () => {
    while (closers.length > 0) {
      const [name, fn] = closers.pop()!;
      try {
        await fn();
      } catch (error) {
        logger.error({ err: error, component: name }, 'error while closing');
      }
    }
  };
  try {
    const metrics = options.metrics ?? createMetrics();

    const stateStore = createStateStore(config);
    closers.push(['state store', () => stateStore.close()]);
    await stateStore.migrate();
    const adminKeyFile = await bootstrapAdmin(config, stateStore, logger, options.showsAdminKey === true);

    const eventStore = await createEventStore(config, logger, metrics);
    closers.push(['event store', () => eventStore.close()]);
    await eventStore.bootstrap();

    const bus = await createBus(config, logger);
    closers.push(['bus', () => bus.close()]);
    const publisher = new IngestPublisher(bus, metrics, config.topicPrefix);
    const topics = telemetryTopics(config.topicPrefix);
    await bus.ensureTopics(topics);
    const fleet = await createFleetRuntime({
      stateStore,
      bus,
      logger,
      topicPrefix: config.topicPrefix,
      ...(options.leaseScheduler === false ? { tickMs: 0, invariantMs: 0 } : {}),
    });
    closers.push(['fleet', () => fleet.stop()]);

    let pipeline: IngestPipeline | undefined;
    if (options.ingest ?? true) {
      // Log templates are mined where every line passes once (src/logmine); their rate baselines live in the engine.
      const tagger = new TemplateTagger(new KyselyTemplateRepository(stateStore.db), {
        onFlushError: (error) => logger.warn({ err: error }, 'log templates: line counts not written'),
      });
      await tagger.start();
      closers.push(['log templates', () => tagger.save()]);
      pipeline = new IngestPipeline({
        bus,
        store: eventStore,
        // Lessee and rack first (they do not depend on the text), then the log template of each line.
        enrich: async (events) => tagger.enrich(await fleet.topology.enrich(events)),
        logger,
        metrics,
        group: config.ingestGroup,
        topics,
        topicPrefix: config.topicPrefix,
        batchSize: config.ingestBatchSize,
        eventsTopic: `${config.topicPrefix}.events`,
      });
      await pipeline.start();
      const engine = await startEngine(
        bus,
        stateStore,
        eventStore,
        logger,
        config.topicPrefix,
        fleet.topology,
      );
      closers.push(['fault engine', () => engine.stop()]);
      const p = pipeline;
      closers.push(['ingest pipeline', () => p.stop()]);
      const lagTimer = setInterval(() => {
        bus
          .lag(config.ingestGroup, topics)
          .then((lags) => {
            for (const l of lags)
              metrics.consumerLag.set(
                { group: l.group, topic: l.topic, partition: String(l.partition) },
                l.lag,
              );
          })
          .catch(() => {});
      }, 5000);
      lagTimer.unref();
      closers.push(['lag gauge', async () => clearInterval(lagTimer)]);
    }

    const app = await buildApp({
      logger,
      metrics,
      eventStore,
      stateStore,
      bus,
      publisher,
      ingestGroup: config.ingestGroup,
      maxBodyBytes: config.maxBodyBytes,
      maxEventLoopDelayMs: config.maxEventLoopDelayMs,
      authEnabled: config.authEnabled,
      metricsPublic: config.metricsPublic,
      version: VERSION,
      fleet,
    });
    closers.push(['api', () => app.close()]);
    if (!config.authEnabled)
      logger.warn('API authentication is disabled (FAULTLINE_AUTH_ENABLED=false): every request is admin');

    const runtime: Runtime = {
      config,
      logger,
      metrics,
      bus,
      eventStore,
      stateStore,
      publisher,
      pipeline,
      fleet,
      app,
      close,
    };
    if (adminKeyFile !== undefined) runtime.adminKeyFile = adminKeyFile;
    return runtime;
  } catch (error) {
    await close();
    throw error;
  }
}
