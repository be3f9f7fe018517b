import { setTimeout as sleep } from 'node:timers/promises';
import { Client, errors, type estypes } from '@elastic/elasticsearch';
import { fromDocument } from '../../model/document.js';
import { DATASETS, type Dataset, type FaultEvent, isDataset } from '../../model/event.js';
import { BufferPool } from '../../shared/buffer-pool.js';
import { errorMessage, FaultlineError } from '../../shared/errors.js';
import type { HealthStatus } from '../../shared/health.js';
import type { Logger } from '../../shared/logger.js';
import type { Metrics } from '../../shared/metrics.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type {
  AggregateQuery,
  CountBucket,
  EventPage,
  EventQuery,
  EventStore,
  EventStoreLayout,
  GroupSummary,
  SummaryQuery,
  SummaryRecord,
  WriteResult,
} from '../types.js';
import { BulkBodyBuilder, type BulkChunk, eventAt, releaseChunk, subChunk } from './bulk-body.js';
import { buildAggregation, buildFilter, buildSort } from './query.js';
import { enforceRetention, parseDuration, type RetentionReport } from './retention.js';
import { BulkAwareSerializer } from './serializer.js';
import {
  allStreamsPattern,
  componentNames,
  DEFAULT_RETENTION,
  dataStreamFor,
  eventMappings,
  eventSettings,
  indexTemplate,
  indexTemplateName,
  type MessageFieldType,
  type Naming,
  type SettingsOptions,
  TEMPLATE_VERSION,
} from './templates.js';

export interface ElasticsearchEventStoreOptions {
  node: string;
  namespace: string;
  logger: Logger;
  /** Dataset prefix of stream and template names (default `faultline`); tests use their own. */
  indexPrefix?: string;
  /** Age-based retention per dataset (`30d`, `12h`); defaults in DEFAULT_RETENTION. */
  retention?: Partial<Record<Dataset, string>>;
  /** Size cap per data stream in bytes (primaries + replicas); the oldest backing indices go first. */
  maxStreamBytes?: Partial<Record<Dataset, number>>;
  /** How often the store checks retention itself when the server has no data stream lifecycle (default 1 h; 0 = never). */
  retentionCheckMs?: number;
  /** `index.refresh_interval` of the streams (default: the server's, 1 s). Ingest-heavy sites raise it. */
  refreshInterval?: string;
  shards?: number;
  replicas?: string;
  /** Bulk request size bounds and parallelism of one `write` (defaults 5 MB, 5,000 docs, 2 in flight). */
  bulkMaxBytes?: number;
  bulkMaxDocs?: number;
  bulkConcurrency?: number;
  /** Retries of items the server refused for load (429) before the batch fails (default 5). */
  bulkRetries?: number;
  requestTimeoutMs?: number;
  /** A client to use instead of building one (tests, custom auth/TLS). */
  client?: Client;
  /** Where bulk latency goes (`faultline_store_bulk_duration_seconds`). */
  metrics?: Pick<Metrics, 'storeBulkSeconds'>;
}

/** Whether the server runs data stream lifecycle, and who applies retention. */
export interface LifecycleSupport {
  dataStreamLifecycle: boolean;
  /** `server`: DSL deletes by age; `faultline`: this store does (see retention.ts). */
  ageRetentionBy: 'server' | 'faultline';
}

const TOTAL_LIMIT = 10_000;
const BULK_FILTER =
  'errors,items.*.status,items.*.error.type,items.*.error.reason,items.*.error.caused_by.reason';

interface BulkItem {
  status: number;
  error?: { type?: string; reason?: string; caused_by?: { reason?: string } };
}

/**
 * The shape of an ISO 8601 date-time as decoders write it; checked before sending because a
 * malformed one would be refused item by item. Dates of another shape still go through Date.parse
 * (ten times the cost of this test, on every event).
 */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;
const validTimestamp = (value: unknown) =>
  typeof value === 'string' && (ISO_DATE_TIME.test(value) || !Number.isNaN(Date.parse(value)));

type SearchResponse<T = unknown> = estypes.SearchResponse<T>;

/** Fields of a group's first and last record that `summarize` fetches. */
const SUMMARY_SOURCE = ['@timestamp', 'message', 'log.level'] as const;

type Bucket = { key: string | number; doc_count: number };

interface QueuedSearch {
  index: string[];
  body: Record<string, unknown>;
  resolve: (response: SearchResponse) => void;
  reject: (error: unknown) => void;
}

/** The buckets of a terms or date_histogram aggregation as the port's counts. */
function countBuckets(
  agg: unknown,
  query: Pick<AggregateQuery, 'interval' | 'groupBy'>,
  limit: number,
): CountBucket[] {
  const buckets = ((agg as { buckets?: unknown } | undefined)?.buckets ?? []) as Bucket[];
  if (query.interval !== undefined) {
    return buckets
      .slice(0, limit)
      .map((b) => ({ key: new Date(Number(b.key)).toISOString(), count: b.doc_count }));
  }
  // Levels are counted case-folded; report them the way the SQLite store does (upper case).
  const upper = query.groupBy === 'log.level';
  return buckets.map((b) => ({
    key: upper ? String(b.key).toUpperCase() : String(b.key),
    count: b.doc_count,
  }));
}

/** Item failures worth retrying: overload and shard trouble, not the document itself. */
const retryable = (status: number) => status === 429 || status >= 500;

/**
 * The production event store (DESIGN §2, §6): Elasticsearch data streams behind composable index
 * templates. Writes are bulk `create`s with `_id` = `event.id`: a replay answers 409 per document,
 * which counts as a duplicate, so at-least-once delivery stores every event exactly once within a
 * backing index. An id is unique per index, not per stream: a batch replayed after a rollover lands
 * in the new write index and is stored again (one uncommitted batch, at a rollover only).
 */
export class ElasticsearchEventStore implements EventStore {
  readonly kind = 'elasticsearch' as const;
  readonly client: Client;
  private readonly naming: Naming;
  private readonly logger: Logger;
  private lifecycle: LifecycleSupport | undefined;
  /** How `message` is mapped on this server (known after bootstrap). */
  messageType: MessageFieldType | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private readonly ownsClient: boolean;

  constructor(readonly options: ElasticsearchEventStoreOptions) {
    this.logger = options.logger.child({ component: 'es-event-store' });
    this.naming = { prefix: options.indexPrefix ?? 'faultline', namespace: options.namespace };
    if (!/^[a-z0-9_]+$/.test(this.naming.namespace)) {
      throw new FaultlineError(
        'FAULTLINE_CONFIG_INVALID',
        `invalid Elasticsearch namespace ${this.naming.namespace}`,
      );
    }
    if (!/^[a-z0-9_.]+$/.test(this.naming.prefix)) {
      throw new FaultlineError(
        'FAULTLINE_CONFIG_INVALID',
        `invalid Elasticsearch index prefix ${this.naming.prefix}`,
      );
    }
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      new Client({
        node: options.node,
        requestTimeout: options.requestTimeoutMs ?? 60_000,
        maxRetries: 2,
        compression: false,
        Serializer: BulkAwareSerializer,
      });
  }

  dataStream(dataset: Dataset): string {
    return dataStreamFor(dataset, this.naming);
  }

  private readonly prefixes = new Map<Dataset, string>();
  /** Bulk body buffers of bulkMaxBytes, reused across writes (BufferPool): at most 8 held idle. */
  private bodyPool: BufferPool | undefined;
  /** Bulk bytes per event of the last write: sizes the next write's first buffer. */
  private bytesPerEvent = 1024;

  /** `{"create":{"_index":"<stream>","_id":` once per stream: the bulk hot path only appends the id. */
  private actionPrefix(dataset: Dataset): string {
    let prefix = this.prefixes.get(dataset);
    if (prefix === undefined) {
      prefix = `{"create":{"_index":${JSON.stringify(this.dataStream(dataset))},"_id":`;
      this.prefixes.set(dataset, prefix);
    }
    return prefix;
  }

  private patterns(datasets?: readonly Dataset[]): string[] {
    if (datasets !== undefined && datasets.length > 0) return datasets.map((d) => this.dataStream(d));
    return allStreamsPattern(this.naming);
  }

  async describe(): Promise<EventStoreLayout> {
    return {
      containers: DATASETS.map((d) => this.dataStream(d)),
      retention: Object.fromEntries(DATASETS.map((d) => [d, this.retentionFor(d)])),
      ageRetentionBy: (await this.lifecycleSupport()).ageRetentionBy,
    };
  }

  retentionFor(dataset: Dataset): string {
    return this.options.retention?.[dataset] ?? DEFAULT_RETENTION[dataset];
  }

  /** Component and index templates (idempotent: a PUT of the same body is a no-op for the cluster). */
  async bootstrap(): Promise<void> {
    const c = componentNames(this.naming.prefix);
    const meta = { managed_by: 'faultline', version: TEMPLATE_VERSION };
    const putMappings = (message: MessageFieldType) =>
      this.client.cluster.putComponentTemplate({
        name: c.mappings,
        template: { mappings: eventMappings({ message }) as never },
        _meta: { ...meta, message },
      });
    try {
      await putMappings('match_only_text');
      this.messageType = 'match_only_text';
    } catch (error) {
      // Builds without the mapper-extras module (the integ-test distribution) do not know the type.
      if (!(error instanceof errors.ResponseError) || !errorMessage(error).includes('match_only_text'))
        throw error;
      await putMappings('text');
      this.messageType = 'text';
    }
    await this.client.cluster.putComponentTemplate({
      name: c.settings,
      template: { settings: eventSettings() },
      _meta: meta,
    });
    const settings: SettingsOptions = {};
    if (this.options.refreshInterval !== undefined) settings.refreshInterval = this.options.refreshInterval;
    if (this.options.shards !== undefined) settings.shards = this.options.shards;
    if (this.options.replicas !== undefined) settings.replicas = this.options.replicas;
    for (const dataset of DATASETS) {
      const retention = this.retentionFor(dataset);
      parseDuration(retention);
      await this.client.indices.putIndexTemplate({
        name: indexTemplateName(dataset, this.naming),
        ...(indexTemplate(dataset, this.naming, retention, settings) as Record<string, unknown>),
      } as never);
    }
    this.lifecycle = await this.detectLifecycle();
    this.startRetention();
  }

  /** DSL is a module of the default distribution; the stats endpoint answers only where it is loaded. */
  private async detectLifecycle(): Promise<LifecycleSupport> {
    try {
      await this.client.transport.request({ method: 'GET', path: '/_lifecycle/stats' });
      return { dataStreamLifecycle: true, ageRetentionBy: 'server' };
    } catch {
      return { dataStreamLifecycle: false, ageRetentionBy: 'faultline' };
    }
  }

  async lifecycleSupport(): Promise<LifecycleSupport> {
    this.lifecycle ??= await this.detectLifecycle();
    return this.lifecycle;
  }

  private startRetention(): void {
    const every = this.options.retentionCheckMs ?? 3_600_000;
    const needed =
      this.lifecycle?.ageRetentionBy === 'faultline' || this.options.maxStreamBytes !== undefined;
    if (every <= 0 || !needed || this.retentionTimer !== undefined) return;
    this.retentionTimer = setInterval(() => {
      this.applyRetention().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'retention check failed'),
      );
    }, every);
    this.retentionTimer.unref();
  }

  /** Rolls over and deletes backing indices by age (where the server does not) and by size cap. */
  async applyRetention(
    options: { now?: number; rolloverAgeMs?: number; rolloverBytes?: number } = {},
  ): Promise<RetentionReport> {
    const support = await this.lifecycleSupport();
    const byStream = new Map(DATASETS.map((d) => [this.dataStream(d), d]));
    const report = await enforceRetention(
      this.client,
      this.patterns(),
      (stream) => {
        const dataset = byStream.get(stream);
        if (dataset === undefined) return undefined;
        const cap = this.options.maxStreamBytes?.[dataset];
        return {
          maxAgeMs: parseDuration(this.retentionFor(dataset)),
          ...(cap === undefined ? {} : { maxSizeBytes: cap }),
        };
      },
      { ...options, enforceAge: support.ageRetentionBy === 'faultline' },
    );
    if (report.deleted.length > 0 || report.rolledOver.length > 0)
      this.logger.info(report, 'retention applied');
    return report;
  }

  async write(events: FaultEvent[]): Promise<WriteResult> {
    const result: WriteResult = { written: 0, duplicates: 0, failed: [] };
    const total = events.length;
    const maxBytes = this.options.bulkMaxBytes ?? 5 * 1024 * 1024;
    this.bodyPool ??= new BufferPool(maxBytes, 8);
    const pool = this.bodyPool;
    const builder = new BulkBodyBuilder(
      maxBytes,
      this.options.bulkMaxDocs ?? 5000,
      total * this.bytesPerEvent,
      pool,
      new Date().toISOString(),
    );
    for (const event of events) {
      if (!validTimestamp(event['@timestamp'])) {
        result.failed.push({ event, reason: 'invalid @timestamp' });
        continue;
      }
      if (!isDataset(event['event.dataset'])) {
        result.failed.push({ event, reason: `unknown dataset ${JSON.stringify(event['event.dataset'])}` });
        continue;
      }
      builder.add(
        event,
        `${this.actionPrefix(event['event.dataset'])}${JSON.stringify(event['event.id'])}}}`,
      );
    }
    if (total > 0) this.bytesPerEvent = Math.ceil(builder.bytes / total);
    const chunks = builder.finish();
    const concurrency = Math.max(1, this.options.bulkConcurrency ?? 2);
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const mine = chunks[next++]!;
        try {
          await this.bulk(mine, result);
        } finally {
          // The request is answered (or given up): nothing reads the body any more.
          releaseChunk(mine, pool);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
    return result;
  }

  /** One bulk request, retrying only the items the server refused for load; throws if they keep failing. */
  private async bulk(chunk: BulkChunk, result: WriteResult): Promise<void> {
    let pending = chunk;
    const retries = this.options.bulkRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      const stop = this.options.metrics?.storeBulkSeconds.startTimer();
      let response: { errors: boolean; items?: Array<Record<string, BulkItem>> };
      try {
        response = (await this.client.transport.request({
          method: 'POST',
          path: '/_bulk',
          querystring: { filter_path: BULK_FILTER, require_data_stream: 'true' },
          bulkBody: pending.body,
        })) as typeof response;
      } catch (error) {
        stop?.({ outcome: 'error' });
        throw error;
      }
      if (!response.errors) {
        stop?.({ outcome: 'ok' });
        result.written += pending.count;
        return;
      }
      const again: number[] = [];
      let lastError = '';
      let missingTemplate = false;
      const items = response.items ?? [];
      for (let k = 0; k < pending.count; k++) {
        const item = items[k]?.create;
        if (item === undefined) {
          again.push(k);
          continue;
        }
        if (item.status === 200 || item.status === 201) result.written++;
        else if (item.status === 409) result.duplicates++;
        else if (retryable(item.status) || item.error?.type === 'index_not_found_exception') {
          again.push(k);
          if (item.error?.type === 'index_not_found_exception') missingTemplate = true;
          lastError = `${item.status} ${item.error?.type ?? ''}: ${item.error?.reason ?? ''}`;
        } else {
          const e = item.error;
          const cause = e?.caused_by?.reason === undefined ? '' : ` (${e.caused_by.reason})`;
          result.failed.push({
            event: eventAt(pending, k),
            reason: `${e?.type ?? item.status}: ${e?.reason ?? 'refused'}${cause}`,
          });
        }
      }
      stop?.({ outcome: again.length === 0 ? 'ok' : 'retry' });
      if (again.length === 0) return;
      if (attempt >= retries) {
        throw new FaultlineError(
          'FAULTLINE_STORE_FAILED',
          `Elasticsearch kept refusing ${again.length} documents: ${lastError}`,
        );
      }
      // A missing template (deleted under us) is put back; overload is waited out.
      if (missingTemplate) await this.bootstrap();
      await sleep(Math.min(200 * 2 ** attempt, 5000));
      pending = subChunk(pending, again);
    }
  }

  async search(query: EventQuery): Promise<EventPage> {
    const size = Math.min(Math.max(query.size ?? 50, 1), 1000);
    const order = query.order ?? 'desc';
    const body: Record<string, unknown> = {
      size: size + 1,
      track_total_hits: TOTAL_LIMIT,
      query: buildFilter(query),
      sort: buildSort(order),
    };
    if (query.cursor !== undefined) {
      const [ts, id] = decodeCursor(query.cursor);
      if (typeof ts !== 'number' || typeof id !== 'string') decodeCursor('!');
      body.search_after = [ts, id];
    }
    const response = await this.runSearch<FaultEvent>(this.patterns(query.dataset), body);
    const hits = response.hits.hits;
    const page = hits.slice(0, size);
    const total = response.hits.total;
    const value = typeof total === 'number' ? total : (total?.value ?? 0);
    const relation = typeof total === 'number' ? 'eq' : (total?.relation ?? 'eq');
    const result: EventPage = {
      total: Math.min(value, TOTAL_LIMIT),
      totalIsExact: relation === 'eq' && value <= TOTAL_LIMIT,
      events: page.map((h) => fromDocument(h._source)),
    };
    const last = page.at(-1);
    if (hits.length > size && last?.sort !== undefined)
      result.nextCursor = encodeCursor(last.sort as unknown[]);
    return result;
  }

  async aggregate(query: AggregateQuery): Promise<CountBucket[]> {
    const limit = Math.min(Math.max(query.limit ?? 20, 1), 1000);
    // size 0: the shard request cache keeps the answer until the next refresh that changes the shard.
    const response = await this.runSearch(this.patterns(query.dataset), {
      size: 0,
      track_total_hits: false,
      query: buildFilter(query),
      aggs: { by: buildAggregation(query, limit) },
    });
    return countBuckets(response.aggregations?.by, query, limit);
  }

  /**
   * The errors view in one request: the biggest groups, each with its oldest and newest record
   * (a one-hit `top_hits` each, `_source` cut to what the view shows) and its date histogram.
   */
  async summarize(query: SummaryQuery): Promise<GroupSummary[]> {
    const limit = Math.min(Math.max(query.limit ?? 20, 1), 1000);
    const edge = (order: 'asc' | 'desc') => ({
      top_hits: { size: 1, sort: buildSort(order), _source: { includes: [...SUMMARY_SOURCE] } },
    });
    const response = await this.runSearch(this.patterns(query.dataset), {
      size: 0,
      track_total_hits: false,
      query: buildFilter(query),
      aggs: {
        by: {
          ...buildAggregation({ groupBy: query.groupBy }, limit),
          aggs: {
            first: edge('asc'),
            last: edge('desc'),
            trend: buildAggregation({ interval: query.interval }, 1000),
          },
        },
      },
    });
    type Edge = { hits: { hits: Array<{ _source?: Record<string, unknown> }> } };
    const buckets = ((response.aggregations?.by as { buckets?: unknown } | undefined)?.buckets ??
      []) as Array<Bucket & { first: Edge; last: Edge; trend: unknown }>;
    const record = (e: Edge) => {
      const source = e.hits.hits[0]?._source;
      return source === undefined ? undefined : (fromDocument(source) as unknown as SummaryRecord);
    };
    const out: GroupSummary[] = [];
    for (const [i, key] of countBuckets(
      response.aggregations?.by,
      { groupBy: query.groupBy },
      limit,
    ).entries()) {
      const b = buckets[i] as (typeof buckets)[number];
      const first = record(b.first);
      const last = record(b.last);
      if (first === undefined || last === undefined) continue;
      out.push({ ...key, first, last, trend: countBuckets(b.trend, { interval: query.interval }, 1000) });
    }
    return out;
  }

  /** Searches asked for in the same tick (a page and its histogram) queued for one `_msearch`. */
  private queued: QueuedSearch[] = [];

  /** One search, sent together with the others asked for in the same tick: one round trip for all. */
  private runSearch<T = unknown>(index: string[], body: Record<string, unknown>): Promise<SearchResponse<T>> {
    return new Promise((resolve, reject) => {
      const entry = { index, body, resolve: resolve as QueuedSearch['resolve'], reject };
      if (this.queued.push(entry) === 1) process.nextTick(() => void this.flushSearches());
    });
  }

  private async flushSearches(): Promise<void> {
    const batch = this.queued;
    this.queued = [];
    const scope = { ignore_unavailable: true, allow_no_indices: true };
    if (batch.length === 1) {
      const only = batch[0] as QueuedSearch;
      try {
        only.resolve(await this.client.search({ index: only.index, ...scope, ...only.body }));
      } catch (error) {
        only.reject(error);
      }
      return;
    }
    try {
      const { responses } = await this.client.msearch({
        searches: batch.flatMap((b) => [{ index: b.index, ...scope }, b.body]),
      });
      batch.forEach((b, i) => {
        const r = responses[i];
        if (r !== undefined && !('error' in r)) b.resolve(r as SearchResponse);
        else {
          const e = r?.error;
          b.reject(
            new FaultlineError(
              'FAULTLINE_STORE_FAILED',
              `Elasticsearch search failed: ${e?.type ?? 'no answer'}: ${e?.reason ?? ''}`,
            ),
          );
        }
      });
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
  }

  async get(id: string): Promise<FaultEvent | undefined> {
    const response = await this.runSearch<FaultEvent>(this.patterns(), {
      size: 1,
      query: { ids: { values: [id] } },
    });
    const hit = response.hits.hits[0];
    return hit === undefined ? undefined : fromDocument(hit._source);
  }

  async refresh(): Promise<void> {
    await this.client.indices.refresh({
      index: this.patterns(),
      ignore_unavailable: true,
      allow_no_indices: true,
    });
  }

  /** Number of stored events, exact (`_count` over the namespace's streams). */
  async count(datasets?: Dataset[]): Promise<number> {
    const r = await this.client.count({
      index: this.patterns(datasets),
      ignore_unavailable: true,
      allow_no_indices: true,
    });
    return r.count;
  }

  async health(): Promise<HealthStatus> {
    try {
      const h = await this.client.cluster.health({ timeout: '2s' }, { requestTimeout: 3000, maxRetries: 0 });
      if (h.status === 'red') return { ok: false, detail: `cluster ${h.cluster_name} is red` };
      return { ok: true, detail: `cluster ${h.cluster_name} ${h.status}` };
    } catch (error) {
      const detail =
        error instanceof errors.ResponseError ? `${error.statusCode}: ${error.message}` : errorMessage(error);
      return { ok: false, detail };
    }
  }

  async close(): Promise<void> {
    clearInterval(this.retentionTimer);
    this.retentionTimer = undefined;
    if (this.ownsClient) await this.client.close();
  }
}
