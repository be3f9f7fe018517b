import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemplateMiner } from '../../src/logmine/miner.js';
import { createLogger } from '../../src/shared/logger.js';
import { getSource } from '../../src/sources/registry.js';
import { ElasticsearchEventStore } from '../../src/store/elasticsearch/event-store.js';
import { summarizeByQueries } from '../../src/store/summarize.js';
import type { GroupSummary, SummaryQuery } from '../../src/store/types.js';
import { decodeText } from '../helpers/decode-text.js';
import { readFixture } from '../helpers/fixtures.js';
import { esUrl, uniqueName } from '../helpers/infra.js';

/**
 * The errors view's one-request summary on Elasticsearch against the same answer composed from the
 * port's basic queries (what a store without `summarize` gives), on the Loghub OpenStack sample.
 */
describe('Elasticsearch summarize and batched searches', () => {
  const store = new ElasticsearchEventStore({
    node: esUrl(),
    namespace: uniqueName('summ'),
    indexPrefix: 'faultlinetest',
    logger: createLogger('silent'),
    retentionCheckMs: 0,
  });

  beforeAll(async () => {
    await store.bootstrap();
    const { events } = decodeText(
      getSource('openstack-log')!,
      readFixture('loghub', 'OpenStack', 'OpenStack_2k.log'),
      { host: 'compute-1' },
    );
    const miner = new TemplateMiner();
    for (const e of events) e['log.template.id'] = miner.add(e.message).id;
    const r = await store.write(events);
    expect(r.written).toBe(events.length);
    await store.refresh();
  });
  afterAll(() => store.close());

  const comparable = (groups: GroupSummary[]) =>
    groups.map((g) => ({
      ...g,
      first: { '@timestamp': g.first['@timestamp'], message: g.first.message, level: g.first['log.level'] },
      last: { '@timestamp': g.last['@timestamp'], message: g.last.message, level: g.last['log.level'] },
    }));

  it.each<[string, SummaryQuery]>([
    [
      'WARNING lines by template',
      { level: ['WARNING'], groupBy: 'log.template.id', interval: '1h', limit: 20 },
    ],
    ['every line by template', { groupBy: 'log.template.id', interval: '15m', limit: 7 }],
    ['a word by service', { text: 'instance', groupBy: 'service.name', interval: '1d', limit: 20 }],
  ])('answers %s as the composed queries do', async (_name, query) => {
    const one = await store.summarize(query);
    expect(one.length).toBeGreaterThan(0);
    expect(comparable(one)).toEqual(comparable(await summarizeByQueries(store, query)));
  });

  it('gives each search asked for in one tick its own answer (one _msearch)', async () => {
    const sent: string[] = [];
    const listener = (_err: unknown, meta: unknown) => {
      const path = (meta as { meta?: { request?: { params?: { path?: string } } } } | null)?.meta?.request
        ?.params?.path;
      if (path !== undefined) sent.push(path);
    };
    store.client.diagnostic.on('request', listener);
    const [page, levels, histogram] = await Promise.all([
      store.search({ level: ['WARNING'], size: 5 }),
      store.aggregate({ groupBy: 'log.level' }),
      store.aggregate({ interval: '1h', level: ['WARNING'] }),
    ]);
    store.client.diagnostic.off('request', listener);
    expect(sent.map((p) => p.split('/').at(-1))).toEqual(['_msearch']);
    expect(page).toEqual(await store.search({ level: ['WARNING'], size: 5 }));
    expect(levels).toEqual(await store.aggregate({ groupBy: 'log.level' }));
    expect(histogram.reduce((n, b) => n + b.count, 0)).toBe(page.total);
    expect(levels.find((b) => b.key === 'WARNING')?.count).toBe(page.total);
  });
});
