import { Client } from '@elastic/elasticsearch';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertIndex } from '../../src/engine/alert-index.js';
import type { Alert } from '../../src/model/alert.js';
import { esUrl, uniqueName } from '../helpers/infra.js';

const alert = (id: string, count: number): Alert => ({
  id,
  fingerprint: id.split('-')[0] as string,
  rule: 'FanFailure',
  kind: 'alert',
  status: 'firing',
  severity: 'major',
  labels: { alertname: 'FanFailure', host_name: 'bm-1', hw_id: 'FAN1' },
  annotations: { summary: 'Fan FAN1 failing on bm-1' },
  startsAt: '2026-01-01T00:00:00.000Z',
  lastSeenAt: '2026-01-01T00:05:00.000Z',
  count,
  host: 'bm-1',
  evidence: ['e1'],
  children: [],
  inhibited: false,
  impact: { at: 0, tenants: ['acme'], leases: ['l1'], flows: [], bytes: 10, packets: 1 },
});

describe('alerts in Elasticsearch behind an alias', () => {
  const client = new Client({ node: esUrl() });
  const index = new AlertIndex(client, uniqueName('faultlinetest-alerts'));
  afterAll(async () => {
    await client.indices.delete({ index: `${index.alias}-*` }).catch(() => {});
    await client.indices.deleteIndexTemplate({ name: index.alias }).catch(() => {});
    await client.close();
  });

  it('keeps one document per alert id across a rollover and a replay', async () => {
    await index.bootstrap();
    await index.bootstrap();
    await index.write([alert('aaaa-1', 1), alert('bbbb-1', 1)]);
    await index.refresh();
    await index.rollover();
    // The replay after the rollover updates both and adds a third.
    await index.write([alert('aaaa-1', 5), alert('bbbb-1', 2), alert('cccc-1', 1)]);
    await index.refresh();
    const hits = await client.search<Alert>({ index: index.alias, size: 10, sort: [{ id: 'asc' }] });
    expect(hits.hits.hits.map((h) => [h._id, h._source?.count])).toEqual([
      ['aaaa-1', 5],
      ['bbbb-1', 2],
      ['cccc-1', 1],
    ]);
    const indices = new Set(hits.hits.hits.map((h) => h._index));
    expect(indices.size).toBe(2);
    const byTenant = await client.count({
      index: index.alias,
      query: { term: { 'impact.tenants': 'acme' } },
    });
    expect(byTenant.count).toBe(3);
  });
});
