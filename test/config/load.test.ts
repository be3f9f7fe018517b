import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRetention } from '../../src/adapters.js';
import { loadConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/runtime.js';

describe('configuration', () => {
  it('has working defaults and coerces environment strings', () => {
    const c = loadConfig({ env: { FAULTLINE_PORT: '9090', FAULTLINE_AUTH_ENABLED: 'false' } });
    expect(c).toMatchObject({
      port: 9090,
      dataDir: './data',
      host: '127.0.0.1',
      authEnabled: false,
      logLevel: 'info',
    });
    expect(c.kafkaBrokers).toBeUndefined();
    expect(c.kafkaPartitionConcurrency).toBe(6);
    expect(
      loadConfig({ env: { FAULTLINE_KAFKA_PARTITION_CONCURRENCY: '2' } }).kafkaPartitionConcurrency,
    ).toBe(2);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('stops on a bad value with a message naming the variable and what was expected', () => {
    expect(() => loadConfig({ env: { FAULTLINE_PORT: 'eighty' } })).toThrow(
      /FAULTLINE_PORT \(port\) must be integer, got "eighty"/,
    );
    expect(() => loadConfig({ env: { FAULTLINE_PORT: '70000' } })).toThrow(
      /FAULTLINE_PORT \(port\) must be <= 65535/,
    );
    expect(() => loadConfig({ env: { FAULTLINE_KAFKA_BROKERS: 'localhost' } })).toThrow(
      /FAULTLINE_KAFKA_BROKERS \(kafkaBrokers\) must match/,
    );
    expect(() => loadConfig({ env: { FAULTLINE_LOG_LEVEL: 'loud' } })).toThrow(
      'invalid configuration:\n  FAULTLINE_LOG_LEVEL (logLevel) must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
    expect(() => loadConfig({ env: { FAULTLINE_ES_URL: 'localhost:9200' } })).toThrow(/FAULTLINE_ES_URL/);
    expect(() => loadConfig({ env: { FAULTLINE_KAFKA_PARTITION_CONCURRENCY: '0' } })).toThrow(
      /FAULTLINE_KAFKA_PARTITION_CONCURRENCY \(kafkaPartitionConcurrency\) must be >= 1/,
    );
  });

  it('sets Elasticsearch retention, replicas, refresh and bulk size, and Kafka partitions and replication', () => {
    const defaults = loadConfig({ env: {} });
    expect(defaults).toMatchObject({
      esReplicas: '0-1',
      esBulkMaxBytes: 5 * 1024 * 1024,
      esBulkMaxDocs: 5000,
      kafkaPartitions: 6,
      kafkaReplicationFactor: -1,
    });
    expect(defaults.esRetention).toBeUndefined();
    const c = loadConfig({
      env: {
        FAULTLINE_ES_RETENTION: 'dpu.flow=3d,bmc.sel=730d',
        FAULTLINE_ES_REPLICAS: '1-1',
        FAULTLINE_ES_REFRESH_INTERVAL: '30s',
        FAULTLINE_ES_BULK_MAX_DOCS: '2000',
        FAULTLINE_KAFKA_PARTITIONS: '12',
        FAULTLINE_KAFKA_REPLICATION_FACTOR: '3',
      },
    });
    expect(c).toMatchObject({ esReplicas: '1-1', esRefreshInterval: '30s', esBulkMaxDocs: 2000 });
    expect(c).toMatchObject({ kafkaPartitions: 12, kafkaReplicationFactor: 3 });
    expect(parseRetention(c.esRetention!)).toEqual({ 'dpu.flow': '3d', 'bmc.sel': '730d' });
    expect(() => parseRetention('dpu.flows=3d')).toThrow(/unknown dataset dpu.flows; one of openstack.log/);
    expect(() => loadConfig({ env: { FAULTLINE_ES_RETENTION: 'dpu.flow=3 days' } })).toThrow(
      /FAULTLINE_ES_RETENTION \(esRetention\) must match/,
    );
    expect(() => loadConfig({ env: { FAULTLINE_ES_REPLICAS: 'many' } })).toThrow(/FAULTLINE_ES_REPLICAS/);
    expect(() => loadConfig({ env: { FAULTLINE_KAFKA_PARTITIONS: '0' } })).toThrow(
      /FAULTLINE_KAFKA_PARTITIONS \(kafkaPartitions\) must be >= 1/,
    );
  });

  it('reads an optional YAML file; the environment wins over it; unknown keys are errors', () => {
    const dir = tempDir();
    const file = join(dir, 'faultline.yaml');
    writeFileSync(file, 'port: 7000\ndataDir: /var/lib/faultline\nesUrl: http://127.0.0.1:9200\n');
    const c = loadConfig({ env: { FAULTLINE_CONFIG: file, FAULTLINE_PORT: '7001' } });
    expect(c).toMatchObject({ port: 7001, dataDir: '/var/lib/faultline', esUrl: 'http://127.0.0.1:9200' });
    writeFileSync(file, 'prot: 7000\n');
    expect(() => loadConfig({ env: { FAULTLINE_CONFIG: file } })).toThrow(
      /faultline.yaml: prot: unknown configuration key/,
    );
    writeFileSync(file, '- a list\n');
    expect(() => loadConfig({ env: { FAULTLINE_CONFIG: file } })).toThrow(/must hold a mapping/);
    expect(() => loadConfig({ env: { FAULTLINE_CONFIG: join(dir, 'missing.yaml') } })).toThrow(
      /cannot read config file/,
    );
  });
});
