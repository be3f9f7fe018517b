import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { ElasticsearchEventStore } from '../../src/store/elasticsearch/event-store.js';
import { conformanceEvents } from '../conformance/event-store.conformance.js';
import { esUrl, uniqueName } from '../helpers/infra.js';

const DAY = 86_400_000;

describe('retention of the Elasticsearch data streams', () => {
  const store = new ElasticsearchEventStore({
    node: esUrl(),
    namespace: uniqueName('retention'),
    indexPrefix: 'faultlinetest',
    logger: createLogger('silent'),
    retention: { 'openstack.log': '2d' },
    maxStreamBytes: { 'host.syslog': 1 },
    retentionCheckMs: 0,
  });
  afterAll(() => store.close());

  it('puts the retention in the templates and applies age and size limits to backing indices', async () => {
    await store.bootstrap();
    const template = await store.client.indices.getIndexTemplate({
      name: `faultlinetest-openstack.log-${store.options.namespace}`,
    });
    expect(template.index_templates[0]?.index_template.template?.lifecycle?.data_retention).toBe('2d');

    const events = conformanceEvents();
    expect((await store.write(events)).written).toBe(events.length);
    await store.refresh();
    const count = (d: 'openstack.log' | 'host.syslog' | 'dpu.metrics') => store.count([d]);
    const before = {
      logs: await count('openstack.log'),
      syslog: await count('host.syslog'),
      dpu: await count('dpu.metrics'),
    };
    expect(before.logs).toBeGreaterThan(0);
    expect(before.syslog).toBeGreaterThan(0);

    // Today: nothing is old enough; only the syslog stream is over its (1-byte) cap, so it rolls over
    // and its first generation goes.
    const today = await store.applyRetention();
    expect(today.deleted.map((d) => d.why)).toEqual(['size']);
    expect(today.deleted[0]!.stream).toBe(store.dataStream('host.syslog'));
    await store.refresh();
    expect(await count('host.syslog')).toBe(0);
    expect(await count('openstack.log')).toBe(before.logs);

    const support = await store.lifecycleSupport();
    // Three days on: the logs stream (2 d) rolls over and, where the store
    // enforces age itself, loses its old generation; DPU metrics (14 d) roll over and stay.
    // (The clock is moved here, not on the server, so the server-side rollover condition is 0 ms.)
    const later = await store.applyRetention({ now: Date.now() + 3 * DAY, rolloverAgeMs: 0 });
    expect(later.rolledOver).toEqual(
      expect.arrayContaining([store.dataStream('openstack.log'), store.dataStream('dpu.metrics')]),
    );
    await store.refresh();
    expect(await count('dpu.metrics')).toBe(before.dpu);
    if (support.ageRetentionBy === 'faultline') {
      expect(later.deleted).toEqual([
        expect.objectContaining({ stream: store.dataStream('openstack.log'), why: 'age' }),
      ]);
      expect(await count('openstack.log')).toBe(0);
    }
    // New writes land in the new generation and are kept.
    const fresh = events.filter((e) => e['event.dataset'] === 'openstack.log').slice(0, 5);
    const again = await store.write(fresh.map((e) => ({ ...e, 'event.id': `${e['event.id']}-new` })));
    expect(again.written).toBe(5);
  });
});
