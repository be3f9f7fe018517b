import type { Dataset, FaultEvent } from '../model/event.js';
import type { HealthStatus } from '../shared/health.js';

/**
 * The event store port (DESIGN §2): SQLite by default, Elasticsearch data streams in production.
 * It promises only what both can do well: idempotent writes keyed by `event.id`, a time range with
 * term filters and full text, cursor pagination, terms and date-histogram counts.
 */

export interface WriteResult {
  /** Newly stored events. */
  written: number;
  /** Events whose `event.id` was already stored (a replay): success, not an error. */
  duplicates: number;
  /** Events the store refused (mapping conflict, too large): they go to the dead-letter destination. */
  failed: Array<{ event: FaultEvent; reason: string }>;
}

export interface EventQuery {
  /** Inclusive lower bound of `@timestamp` (ISO 8601). */
  from?: string;
  /** Exclusive upper bound of `@timestamp` (ISO 8601). */
  to?: string;
  dataset?: Dataset[];
  host?: string[];
  service?: string[];
  /** Matches `log.level` case-insensitively (WARNING, warning). */
  level?: string[];
  /** Also (or only, without `level`) records that have no `log.level`. */
  levelMissing?: boolean;
  /** Records at least this severe: `event.severity` <= this (syslog 0 emergency … 7 debug). */
  maxSeverity?: number;
  tenant?: string[];
  /** Exact-match filters on any other stored field, e.g. `{ 'hw.type': ['memory'] }`. */
  terms?: Record<string, string[]>;
  /** Full-text query over `message`: words, all must match. */
  text?: string;
  /** Newest first (default) or oldest first. */
  order?: 'desc' | 'asc';
  size?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface EventPage {
  /** Number of events matching the query (exact up to `totalLimit`, then a lower bound). */
  total: number;
  totalIsExact: boolean;
  events: FaultEvent[];
  nextCursor?: string;
}

export interface CountBucket {
  key: string;
  count: number;
}

export interface AggregateQuery extends Omit<EventQuery, 'size' | 'cursor' | 'order'> {
  /** Group by a stored field (terms) — only fields in `AGGREGATABLE_FIELDS`. */
  groupBy?: AggregatableField;
  /** Or bucket by time. */
  interval?: '1m' | '5m' | '15m' | '1h' | '1d';
  limit?: number;
}

export const AGGREGATABLE_FIELDS = [
  'event.dataset',
  'host.name',
  'service.name',
  'log.level',
  'hw.type',
  'hw.fault.class',
  'event.code',
  'cloud.account.id',
  'cloud.project.id',
  'log.template.id',
  'log.logger',
  'hw.id',
  'process.name',
  'labels.request_id',
  'cloud.instance.id',
  'user.id',
] as const;
export type AggregatableField = (typeof AGGREGATABLE_FIELDS)[number];

/** The part of a group's first or last record that a summary carries. */
export type SummaryRecord = Pick<FaultEvent, '@timestamp' | 'message' | 'log.level'>;

/** One group of `EventStore.summarize`: its count, oldest and newest record, and counts over time. */
export interface GroupSummary extends CountBucket {
  first: SummaryRecord;
  last: SummaryRecord;
  trend: CountBucket[];
}

export interface SummaryQuery extends Omit<AggregateQuery, 'interval' | 'groupBy'> {
  groupBy: AggregatableField;
  interval: NonNullable<AggregateQuery['interval']>;
}

/** Where a store keeps events and how long, as `faultline bootstrap` reports it. */
export interface EventStoreLayout {
  /** Data streams (Elasticsearch) or tables (SQLite) that hold events. */
  containers: string[];
  /** Age-based retention per dataset, where the store applies one. */
  retention?: Record<string, string>;
  /** Who deletes by age: the server (data stream lifecycle) or Faultline itself. */
  ageRetentionBy?: 'server' | 'faultline';
}

export interface EventStore {
  readonly kind: 'sqlite' | 'elasticsearch';
  /** Creates schema / templates (idempotent). */
  bootstrap(): Promise<void>;
  describe(): Promise<EventStoreLayout>;
  /** Stores events; an `event.id` already stored counts as a duplicate, not an error. */
  write(events: FaultEvent[]): Promise<WriteResult>;
  search(query: EventQuery): Promise<EventPage>;
  aggregate(query: AggregateQuery): Promise<CountBucket[]>;
  /**
   * Optional: the biggest groups of a field (as `aggregate` with `groupBy`), each with its first and
   * last record and its counts per `interval`, in one pass. A store that has it answers the errors
   * view in one request instead of three per group; without it the caller composes `aggregate` and
   * `search`, with the same result.
   */
  summarize?(query: SummaryQuery): Promise<GroupSummary[]>;
  get(id: string): Promise<FaultEvent | undefined>;
  /** Makes written events visible to search now (Elasticsearch refresh; no-op on SQLite). */
  refresh(): Promise<void>;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}
