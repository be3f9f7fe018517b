import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createBus, createEventStore } from '../../src/adapters.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/shared/logger.js';
import type { ElasticsearchEventStore } from '../../src/store/elasticsearch/event-store.js';
import { esUrl, kafkaBrokers, uniqueName } from '../helpers/infra.js';

const logger = createLogger('silent');

describe('configuration reaches the real servers', () => {
  it('Elasticsearch: retention, replicas and refresh interval land in the index templates', async () => {
    const namespace = uniqueName('cfg');
    const config = loadConfig({
      env: {
        FAULTLINE_ES_URL: esUrl(),
        FAULTLINE_ES_NAMESPACE: namespace,
        FAULTLINE_ES_RETENTION: 'dpu.flow=3d',
        FAULTLINE_ES_REPLICAS: '0-0',
        FAULTLINE_ES_REFRESH_INTERVAL: '7s',
        FAULTLINE_ES_BULK_MAX_DOCS: '10',
      },
    });
    const store = (await createEventStore(config, logger)) as ElasticsearchEventStore;
    try {
      await store.bootstrap();
      const layout = await store.describe();
      expect(layout.retention).toMatchObject({ 'dpu.flow': '3d', 'bmc.sel': '365d' });
      const { index_templates } = await store.client.indices.getIndexTemplate({
        name: `faultline-dpu.flow-${namespace}`,
      });
      const settings = index_templates[0]?.index_template.template?.settings as {
        index?: { auto_expand_replicas?: string; refresh_interval?: string };
      };
      expect(settings.index).toMatchObject({ auto_expand_replicas: '0-0', refresh_interval: '7s' });
      expect(store.options.bulkMaxDocs).toBe(10);
    } finally {
      await store.close();
    }
  });

  it('Kafka: created topics get the configured partitions, the dead-letter topic the configured prefix', async () => {
    const prefix = uniqueName('cfg');
    const config = loadConfig({
      env: {
        FAULTLINE_KAFKA_BROKERS: kafkaBrokers().join(','),
        FAULTLINE_TOPIC_PREFIX: prefix,
        FAULTLINE_KAFKA_PARTITIONS: '2',
        FAULTLINE_KAFKA_REPLICATION_FACTOR: '1',
      },
    });
    const bus = await createBus(config, logger);
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    try {
      await bus.ensureTopics([`${prefix}.bmc.sel`]);
      await bus.deadLetter([
        {
          sourceTopic: `${prefix}.bmc.sel`,
          sourcePartition: 0,
          sourceOffset: '0',
          source: 'ipmi-sel',
          reason: 'test',
          original: Buffer.from('x'),
          at: new Date().toISOString(),
        },
      ]);
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({
        topics: [`${prefix}.bmc.sel`, `${prefix}.deadletter`],
      });
      expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
        [`${prefix}.bmc.sel`, 2],
        [`${prefix}.deadletter`, 1],
      ]);
      expect(topics[0]!.partitions.every((p) => p.replicas.length === 1)).toBe(true);
    } finally {
      await admin.disconnect();
      await bus.close();
    }
  });
});
