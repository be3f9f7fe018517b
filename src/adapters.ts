import { join } from 'node:path';
import { EmbeddedBus } from './bus/embedded.js';
import type { MessageBus } from './bus/types.js';
import type { Config } from './config/load.js';
import type { Logger } from './shared/logger.js';
import type { Metrics } from './shared/metrics.js';
import { SqliteEventStore } from './store/sqlite/event-store.js';
import {
  createPostgresStateStore,
  createSqliteStateStore,
  type StateStore,
} from './store/state/state-store.js';
import type { EventStore } from './store/types.js';

/**
 * The only place that knows which adapter is in use (DESIGN §2): each server URL in the config
 * switches its part from the embedded default to the real server.
 */
export async function createBus(config: Readonly<Config>, logger: Logger): Promise<MessageBus> {
  if (config.kafkaBrokers !== undefined) {
    const { KafkaBus } = await import('./bus/kafka.js');
    return new KafkaBus({
      brokers: config.kafkaBrokers.split(','),
      clientId: config.kafkaClientId,
      logger,
      partitionsConsumedConcurrently: config.kafkaPartitionConcurrency,
    });
  }
  return new EmbeddedBus(join(config.dataDir, 'bus.db'));
}

export async function createEventStore(
  config: Readonly<Config>,
  logger: Logger,
  metrics?: Metrics,
): Promise<EventStore> {
  if (config.esUrl !== undefined) {
    const { ElasticsearchEventStore } = await import('./store/elasticsearch/event-store.js');
    return new ElasticsearchEventStore({
      node: config.esUrl,
      namespace: config.esNamespace,
      logger,
      ...(metrics !== undefined ? { metrics } : {}),
    });
  }
  return new SqliteEventStore(
    join(config.dataDir, 'events.db'),
    config.eventsMaxBytes === undefined ? {} : { maxBytes: config.eventsMaxBytes },
  );
}

export function createStateStore(config: Readonly<Config>): StateStore {
  if (config.pgUrl !== undefined) return createPostgresStateStore(config.pgUrl);
  return createSqliteStateStore(join(config.dataDir, 'state.db'));
}
