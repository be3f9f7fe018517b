import { createLogger } from '../../src/shared/logger.js';
import { ElasticsearchEventStore } from '../../src/store/elasticsearch/event-store.js';
import { esUrl, uniqueName } from '../helpers/infra.js';
import { eventStoreConformance } from './event-store.conformance.js';

eventStoreConformance('Elasticsearch', async () => {
  const store = new ElasticsearchEventStore({
    node: esUrl(),
    namespace: uniqueName('conf'),
    indexPrefix: 'faultlinetest',
    logger: createLogger('silent'),
    retentionCheckMs: 0,
  });
  return { store, close: () => store.close() };
});
