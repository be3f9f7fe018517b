import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry and the series Faultline exports. Labels are bounded sets
 * (source ids, datasets, outcomes), never hosts or free text.
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'faultline_' });

  const m = {
    registry,
    ingestAccepted: new Counter({
      name: 'faultline_ingest_accepted_records_total',
      help: 'Raw records accepted at the edge (HTTP, replay) and published to the bus',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    consumed: new Counter({
      name: 'faultline_ingest_consumed_records_total',
      help: 'Records read from the bus by the ingest pipeline',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    decoded: new Counter({
      name: 'faultline_ingest_decoded_records_total',
      help: 'Records decoded into normalized events',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'faultline_ingest_rejected_records_total',
      help: 'Records that could not be decoded or stored (sent to the dead-letter destination)',
      labelNames: ['source', 'stage'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'faultline_dead_letters_total',
      help: 'Entries written to the dead-letter destination',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    written: new Counter({
      name: 'faultline_events_written_total',
      help: 'Events newly stored in the event store',
      labelNames: ['dataset'] as const,
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'faultline_events_duplicate_total',
      help: 'Events already stored (replays after a crash or rebalance); not errors',
      registers: [registry],
    }),
    storeWriteSeconds: new Histogram({
      name: 'faultline_store_write_duration_seconds',
      help: 'Duration of one event-store write (one bus batch)',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    storeBulkSeconds: new Histogram({
      name: 'faultline_store_bulk_duration_seconds',
      help: 'Duration of one Elasticsearch bulk request, by outcome (ok, retried items, failed request)',
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'faultline_consumer_lag_records',
      help: 'Records published but not yet committed by a consumer group',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
    }),
    httpSeconds: new Histogram({
      name: 'faultline_http_request_duration_seconds',
      help: 'HTTP request duration by route and status class',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
