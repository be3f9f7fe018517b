import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { ElasticsearchEventStore } from '../../src/store/elasticsearch/event-store.js';
import { esUrl, uniqueName } from '../helpers/infra.js';
import { conformanceEvents, eventStoreConformance } from './event-store.conformance.js';

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

describe('Elasticsearch documents', () => {
  const namespace = uniqueName('doc');
  const store = new ElasticsearchEventStore({
    node: esUrl(),
    namespace,
    indexPrefix: 'faultlinetest',
    logger: createLogger('silent'),
    retentionCheckMs: 0,
  });
  // The test build of Elasticsearch has no data stream API to delete them; the names are unique.
  afterAll(() => store.close());

  it('are stored nested along the ECS paths and read back as the flat events written', async () => {
    await store.bootstrap();
    const events = conformanceEvents();
    const syslog = events.find((e) => e['event.dataset'] === 'host.syslog')!;
    await store.write(events);
    await store.refresh();
    const raw = await store.client.search<Record<string, unknown>>({
      index: store.dataStream('host.syslog'),
      query: { ids: { values: [syslog['event.id']] } },
    });
    const source = raw.hits.hits[0]!._source!;
    // One dotted key, the write's event.ingested, which opens every document (bulk-body.ts).
    expect(Object.keys(source).filter((k) => k.includes('.'))).toEqual(['event.ingested']);
    expect(source.event).toMatchObject({ id: syslog['event.id'], dataset: 'host.syslog' });
    expect(source.labels).toEqual({ rack: 'r12' });
    expect(source.hw).toMatchObject({ type: 'memory', fault: { class: 'correctable' } });
    for (const e of [...events.slice(0, 5), ...events.slice(-9)])
      expect(await store.get(e['event.id'])).toEqual({ ...e, 'event.ingested': source['event.ingested'] });
    // Fields map as before: a term on a nested path finds the event.
    const page = await store.search({ host: ['compute-1'], dataset: ['host.syslog'] });
    expect(page.events.map((x) => x['event.id']).sort()).toEqual(
      events
        .filter((x) => x['event.dataset'] === 'host.syslog')
        .map((x) => x['event.id'])
        .sort(),
    );
  });

  it('stored flat, as before the nested form, still read back as the same events', async () => {
    const e = conformanceEvents()[0]!;
    const legacy = { ...e, 'event.id': `${e['event.id'].slice(0, 20)}LG` };
    await store.client.index({
      index: store.dataStream(legacy['event.dataset']),
      id: legacy['event.id'],
      op_type: 'create',
      document: legacy,
      refresh: true,
    });
    expect(await store.get(legacy['event.id'])).toEqual(legacy);
  });
});
