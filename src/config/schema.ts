import { type Static, Type } from 'typebox';

/**
 * The one configuration schema (DESIGN §6). Every key can come from the environment (the name in
 * `ENV`) or from the YAML file named by FAULTLINE_CONFIG; the environment wins. Each of the four
 * server URLs switches its part from the embedded default to the real server.
 */
/** `dataset=duration`: one dataset's age retention (store/elasticsearch/retention.ts reads the duration). */
const RETENTION_ENTRY = '[a-z]+\\.[a-z]+=\\d+(ms|s|m|h|d)';

export const ConfigSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'HTTP port' }),
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'HTTP listen address' }),
    dataDir: Type.String({ minLength: 1, default: './data', description: 'Embedded stores live here' }),
    logLevel: Type.Union(
      [
        Type.Literal('fatal'),
        Type.Literal('error'),
        Type.Literal('warn'),
        Type.Literal('info'),
        Type.Literal('debug'),
        Type.Literal('trace'),
        Type.Literal('silent'),
      ],
      { default: 'info' },
    ),
    kafkaBrokers: Type.Optional(
      Type.String({ pattern: '^[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*$', description: 'host:port[,host:port…]' }),
    ),
    kafkaClientId: Type.String({ default: 'faultline' }),
    topicPrefix: Type.String({ pattern: '^[A-Za-z0-9._-]+$', default: 'faultline' }),
    esUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'http(s)://host:port' })),
    esNamespace: Type.String({ pattern: '^[a-z0-9_]+$', default: 'default' }),
    esRetention: Type.Optional(
      Type.String({
        pattern: `^${RETENTION_ENTRY}(,${RETENTION_ENTRY})*$`,
        description:
          'Age retention per dataset, on either event store, e.g. dpu.flow=3d,bmc.sel=730d (others keep their defaults)',
      }),
    ),
    esReplicas: Type.String({
      pattern: '^\\d+-(\\d+|all)$',
      default: '0-1',
      description: 'Replicas per backing index as a range (index.auto_expand_replicas: 0-1, 1-1, 1-all)',
    }),
    esRefreshInterval: Type.Optional(
      Type.String({
        pattern: '^(-1|\\d+(ms|s|m))$',
        description: 'index.refresh_interval, e.g. 1s, 30s, -1',
      }),
    ),
    esBulkMaxBytes: Type.Integer({ minimum: 64 * 1024, default: 5 * 1024 * 1024 }),
    esBulkMaxDocs: Type.Integer({ minimum: 1, maximum: 100000, default: 5000 }),
    kafkaPartitions: Type.Integer({
      minimum: 1,
      maximum: 10000,
      default: 6,
      description: 'Partitions of the topics Faultline creates (existing topics are left alone)',
    }),
    kafkaReplicationFactor: Type.Integer({
      minimum: -1,
      maximum: 100,
      default: -1,
      description: "Replication factor of the topics Faultline creates; -1 takes the broker's default",
    }),
    pgUrl: Type.Optional(
      Type.String({ pattern: '^postgres(ql)?://', description: 'postgres://user@host:port/db' }),
    ),
    alertmanagerUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    ingestGroup: Type.String({ minLength: 1, default: 'faultline-ingest' }),
    // Partitions one consumer works on at once. 6 measured better than 3 in paired bench/ingest runs
    // (ratio to the bulk ceiling higher in 5 of 5 pairs): more bulk requests in flight keep both
    // Elasticsearch write threads busy while the consumer decodes.
    kafkaPartitionConcurrency: Type.Integer({ minimum: 1, maximum: 64, default: 6 }),
    // 5000 measured cheaper per event in Elasticsearch than 2000 (bench/ingest); SQLite writes in 500s anyway.
    ingestBatchSize: Type.Integer({ minimum: 1, maximum: 100000, default: 5000 }),
    maxBodyBytes: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024 }),
    maxEventLoopDelayMs: Type.Integer({
      minimum: 0,
      default: 2000,
      description: 'Answer 503 while the event loop lags more than this (overload shedding); 0 turns it off',
    }),
    // Embedded event store: live data above this goes oldest first (ages per dataset apply always).
    eventsMaxBytes: Type.Optional(
      Type.Integer({ minimum: 1024 * 1024, description: 'SQLite event store cap' }),
    ),
    adminKey: Type.Optional(Type.String({ minLength: 24, description: 'Bootstrap admin API key' })),
    authEnabled: Type.Boolean({ default: true }),
    metricsPublic: Type.Boolean({ default: true, description: 'Serve /metrics without an API key' }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

/** Environment variable for each key. */
export const ENV: Record<keyof Config, string> = {
  port: 'FAULTLINE_PORT',
  host: 'FAULTLINE_HOST',
  dataDir: 'FAULTLINE_DATA_DIR',
  logLevel: 'FAULTLINE_LOG_LEVEL',
  kafkaBrokers: 'FAULTLINE_KAFKA_BROKERS',
  kafkaClientId: 'FAULTLINE_KAFKA_CLIENT_ID',
  topicPrefix: 'FAULTLINE_TOPIC_PREFIX',
  esUrl: 'FAULTLINE_ES_URL',
  esNamespace: 'FAULTLINE_ES_NAMESPACE',
  esRetention: 'FAULTLINE_ES_RETENTION',
  esReplicas: 'FAULTLINE_ES_REPLICAS',
  esRefreshInterval: 'FAULTLINE_ES_REFRESH_INTERVAL',
  esBulkMaxBytes: 'FAULTLINE_ES_BULK_MAX_BYTES',
  esBulkMaxDocs: 'FAULTLINE_ES_BULK_MAX_DOCS',
  kafkaPartitions: 'FAULTLINE_KAFKA_PARTITIONS',
  kafkaReplicationFactor: 'FAULTLINE_KAFKA_REPLICATION_FACTOR',
  pgUrl: 'FAULTLINE_PG_URL',
  alertmanagerUrl: 'FAULTLINE_ALERTMANAGER_URL',
  ingestGroup: 'FAULTLINE_INGEST_GROUP',
  kafkaPartitionConcurrency: 'FAULTLINE_KAFKA_PARTITION_CONCURRENCY',
  ingestBatchSize: 'FAULTLINE_INGEST_BATCH_SIZE',
  maxBodyBytes: 'FAULTLINE_MAX_BODY_BYTES',
  maxEventLoopDelayMs: 'FAULTLINE_MAX_EVENT_LOOP_DELAY_MS',
  eventsMaxBytes: 'FAULTLINE_EVENTS_MAX_BYTES',
  adminKey: 'FAULTLINE_ADMIN_KEY',
  authEnabled: 'FAULTLINE_AUTH_ENABLED',
  metricsPublic: 'FAULTLINE_METRICS_PUBLIC',
};
