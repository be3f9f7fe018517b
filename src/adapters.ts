import { join } from 'node:path';
import { EmbeddedBus } from './bus/embedded.js';
import { deadLetterTopicFor, type MessageBus } from './bus/types.js';
import type { Config } from './config/load.js';
import { DATASETS, type Dataset, isDataset } from './model/event.js';
import { FaultlineError } from './shared/errors.js';
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
      deadLetterTopic: deadLetterTopicFor(config.topicPrefix),
      logger,
      partitionsConsumedConcurrently: config.kafkaPartitionConcurrency,
      partitions: config.kafkaPartitions,
      replicationFactor: config.kafkaReplicationFactor,
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
      replicas: config.esReplicas,
      bulkMaxBytes: config.esBulkMaxBytes,
      bulkMaxDocs: config.esBulkMaxDocs,
      ...(config.esRetention === undefined ? {} : { retention: parseRetention(config.esRetention) }),
      ...(config.esRefreshInterval === undefined ? {} : { refreshInterval: config.esRefreshInterval }),
      ...(metrics !== undefined ? { metrics } : {}),
    });
  }
  return new SqliteEventStore(join(config.dataDir, 'events.db'), {
    ...(config.eventsMaxBytes === undefined ? {} : { maxBytes: config.eventsMaxBytes }),
    ...(config.esRetention === undefined ? {} : { retention: parseRetention(config.esRetention) }),
  });
}

/** `dataset=duration,…` (FAULTLINE_ES_RETENTION) as a map; a dataset Faultline does not have is an error. */
export function parseRetention(text: string): Partial<Record<Dataset, string>> {
  const retention: Partial<Record<Dataset, string>> = {};
  for (const entry of text.split(',')) {
    const [dataset = '', duration = ''] = entry.split('=');
    if (!isDataset(dataset)) {
      throw new FaultlineError(
        'FAULTLINE_CONFIG_INVALID',
        `FAULTLINE_ES_RETENTION (esRetention): unknown dataset ${dataset}; one of ${DATASETS.join(', ')}`,
      );
    }
    retention[dataset] = duration;
  }
  return retention;
}

export function createStateStore(config: Readonly<Config>): StateStore {
  if (config.pgUrl !== undefined) return createPostgresStateStore(config.pgUrl);
  return createSqliteStateStore(join(config.dataDir, 'state.db'));
}
