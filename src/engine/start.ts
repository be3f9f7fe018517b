import type { MessageBus } from '../bus/types.js';
import type { Topology } from '../model/topology.js';
import type { Logger } from '../shared/logger.js';
import { ElasticsearchEventStore } from '../store/elasticsearch/event-store.js';
import type { StateStore } from '../store/state/state-store.js';
import type { EventStore } from '../store/types.js';
import { AlertIndex } from './alert-index.js';
import { KyselyAlertRepository } from './alert-repository.js';
import { KyselyCheckpointStore } from './checkpoint-store.js';
import { EngineService } from './engine-service.js';
import { loadRuleDir } from './rules/load.js';

/** The shipped rules (`rules/` beside `src/` and `dist/`). */
export const SHIPPED_RULES = new URL('../../rules', import.meta.url);

/** Builds and starts the live engine of `serve`: shipped rules, alerts in the state store. */
export async function startEngine(
  bus: MessageBus,
  state: StateStore,
  events: EventStore,
  logger: Logger,
  topicPrefix: string,
  topology?: Topology,
): Promise<EngineService> {
  const { fileURLToPath } = await import('node:url');
  const service = new EngineService({
    bus,
    repo: new KyselyAlertRepository(state.db),
    checkpoints: new KyselyCheckpointStore(state.db),
    // One checkpoint per batch: at 1,000 records it cost 3.3× the engine's own work, at 5,000 about 2×
    // (bench/engine/checkpoint.ts).
    maxBatchSize: 5000,
    rules: loadRuleDir(fileURLToPath(SHIPPED_RULES)),
    logger,
    topic: `${topicPrefix}.events`,
    group: `${topicPrefix}-engine`,
    ...(events instanceof ElasticsearchEventStore
      ? { index: new AlertIndex(events.client, `${topicPrefix}-alerts`) }
      : {}),
    ...(topology === undefined ? {} : { topology }),
  });
  await service.start();
  return service;
}
