import { Client } from '@elastic/elasticsearch';
import { afterAll, describe, expect, it } from 'vitest';
import { esUrl, uniqueName } from '../helpers/infra.js';

const client = new Client({ node: esUrl() });

afterAll(async () => {
  await client.close();
});

describe('Elasticsearch 8 on loopback', () => {
  it('is Elasticsearch 8 (the 8.x client accepts its product header)', async () => {
    const health = await client.cluster.health({ wait_for_status: 'yellow', timeout: '30s' });
    expect(health.timed_out).toBe(false);
    const nodes = await client.nodes.info({ metric: 'plugins' });
    for (const node of Object.values(nodes.nodes)) expect(node.version).toMatch(/^8\./);
  });

  it('writes a data stream from a composable template with _bulk create, searches and aggregates it', async () => {
    const namespace = uniqueName('smoke');
    const stream = `logs-faultline.smoke-${namespace}`;
    const template = uniqueName('faultline_smoke');
    await client.indices.putIndexTemplate({
      name: template,
      index_patterns: [stream],
      priority: 300,
      data_stream: {},
      template: {
        settings: { number_of_replicas: 0 },
        mappings: {
          properties: {
            '@timestamp': { type: 'date' },
            'host.name': { type: 'keyword' },
            'log.level': { type: 'keyword' },
            message: { type: 'text' },
          },
        },
      },
    });

    const docs = [
      { host: 'compute-01', level: 'ERROR', message: 'Instance failed to spawn: disk I/O error' },
      { host: 'compute-01', level: 'ERROR', message: 'Instance failed to spawn: disk I/O error' },
      { host: 'compute-02', level: 'ERROR', message: 'Failed to attach volume: disk timeout' },
      { host: 'compute-02', level: 'INFO', message: 'Instance spawned successfully' },
      { host: 'compute-03', level: 'ERROR', message: 'Correctable ECC memory error on DIMM C1' },
      { host: 'compute-01', level: 'INFO', message: 'Took 2.1 seconds to build instance' },
    ];
    const bulk = await client.bulk({
      refresh: true,
      operations: docs.flatMap((d, i) => [
        { create: { _index: stream } },
        {
          '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          'host.name': d.host,
          'log.level': d.level,
          message: d.message,
        },
      ]),
    });
    expect(bulk.errors).toBe(false);
    for (const item of bulk.items) {
      expect(item.create?.status).toBe(201);
      // Written to a backing index of the data stream, not to a plain index of that name.
      expect(item.create?._index).toMatch(new RegExp(`^\\.ds-${stream.replaceAll('.', '\\.')}-`));
    }

    const resolved = await client.indices.resolveIndex({ name: stream, expand_wildcards: 'all' });
    expect(resolved.data_streams.map((d) => d.name)).toEqual([stream]);
    expect(resolved.indices).toEqual([]);

    // A data stream is append-only: an `index` op is refused, only `create` is allowed.
    const refused = await client.bulk({
      operations: [{ index: { _index: stream } }, { '@timestamp': '2026-01-01T00:00:00Z', message: 'x' }],
    });
    expect(refused.errors).toBe(true);

    const result = await client.search({
      index: stream,
      size: 10,
      query: {
        bool: { must: [{ match: { message: 'disk' } }], filter: [{ term: { 'log.level': 'ERROR' } }] },
      },
      aggs: { hosts: { terms: { field: 'host.name', size: 10 } } },
    });
    const total = typeof result.hits.total === 'number' ? result.hits.total : result.hits.total?.value;
    expect(total).toBe(3);
    const buckets = (result.aggregations?.hosts as { buckets: { key: string; doc_count: number }[] }).buckets;
    expect(buckets).toEqual([
      { key: 'compute-01', doc_count: 2 },
      { key: 'compute-02', doc_count: 1 },
    ]);

    // Template plus data stream, not dynamic mapping: host.name is the keyword the template declared.
    const mapping = await client.indices.getMapping({ index: stream });
    const first = Object.values(mapping)[0];
    expect(first?.mappings.properties?.['host']).toEqual({ properties: { name: { type: 'keyword' } } });
    expect(first?.mappings.properties?.['@timestamp']).toMatchObject({ type: 'date' });
  });
});
