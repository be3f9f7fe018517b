import type Database from 'better-sqlite3';
import type { AggregateQuery } from '../types.js';

/**
 * Counts per hour kept on write, so histograms, field values, top-N and error groups over days answer
 * from a few thousand rows instead of a scan of the events. Each event adds 1 to the all-events row
 * (dim 0) and to one row per dimension it has, each keyed by hour, dataset, level, severity and tenant
 * (the filters these views take). Retention subtracts what it deletes. A query these rows cannot answer
 * (full text, an id, two dimensions at once, buckets under an hour) goes to the events themselves.
 */

export const HOUR_MS = 3_600_000;

/** Dimension number → field (index 0: every event, no field). Stored: append only. */
export const ROLLUP_DIMS = [
  '',
  'host.name',
  'service.name',
  'process.name',
  'log.template.id',
  'log.logger',
  'hw.type',
  'hw.fault.class',
] as const;
/** The events column of each dimension. */
export const DIM_COLUMN = ['', 'host', 'service', 'program', 'template', 'logger', 'hw_type', 'fault_class'];
/** Severity of an event without a (numeric) event.severity: never "at least as severe as" anything. */
export const NO_SEVERITY = 99;

export const ROLLUP_SCHEMA = `
CREATE TABLE IF NOT EXISTS event_counts (
  dim      INTEGER NOT NULL,
  hour     INTEGER NOT NULL,
  value    TEXT    NOT NULL,
  dataset  TEXT    NOT NULL,
  level    TEXT    NOT NULL,
  severity INTEGER NOT NULL,
  tenant   TEXT    NOT NULL,
  n        INTEGER NOT NULL,
  PRIMARY KEY (dim, hour, value, dataset, level, severity, tenant)
) WITHOUT ROWID;
`;

/** The columns of an events row the rollups read. */
export interface RollupSource {
  dataset: string;
  level: string | null;
  severity: number | null;
  tenant: string | null;
  [column: string]: unknown;
}

/** Count changes of one transaction, summed in memory and written once. */
export class RollupDelta {
  private readonly deltas = new Map<string, number>();

  add(ms: number, row: RollupSource, delta: 1 | -1): void {
    const hour = Math.floor(ms / HOUR_MS);
    const tail = `\u0000${row.dataset}\u0000${row.level ?? ''}\u0000${row.severity ?? NO_SEVERITY}\u0000${row.tenant ?? ''}`;
    for (let dim = 0; dim < DIM_COLUMN.length; dim++) {
      const value = dim === 0 ? '' : row[DIM_COLUMN[dim] as string];
      if (typeof value !== 'string') continue;
      const key = `${dim}\u0000${hour}\u0000${value}${tail}`;
      this.deltas.set(key, (this.deltas.get(key) ?? 0) + delta);
    }
  }

  /** Writes the sums (inside the caller's transaction) and forgets them. */
  apply(db: Database.Database): void {
    if (this.deltas.size === 0) return;
    const upsert = db.prepare(
      `INSERT INTO event_counts (dim, hour, value, dataset, level, severity, tenant, n)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n`,
    );
    let removed = false;
    for (const [key, n] of this.deltas) {
      if (n === 0) continue;
      const [dim, hour, value, dataset, level, severity, tenant] = key.split('\u0000');
      upsert.run(Number(dim), Number(hour), value, dataset, level, Number(severity), tenant, n);
      if (n < 0) removed = true;
    }
    if (removed) db.prepare('DELETE FROM event_counts WHERE n <= 0').run();
    this.deltas.clear();
  }
}

/** What an aggregation asks of the rollups: which dimension, which filter on it, grouped how. */
export interface RollupPlan {
  dim: number;
  values?: readonly string[];
  /** SQL over event_counts giving the group key (`value`, `dataset`, `level`, `tenant`, or a time bucket). */
  key: string;
  /** An extra condition for that key (a group by level leaves out the events without one). */
  keyFilter?: string;
}

const KEY_COLUMNS: Record<string, string> = {
  'event.dataset': 'dataset',
  'log.level': 'level',
  'cloud.account.id': 'tenant',
};

/**
 * How the rollups answer this query, or undefined when they cannot. `bucketMs` is the histogram
 * interval (a whole number of hours) when the query buckets by time.
 */
export function planRollup(
  q: Omit<AggregateQuery, 'limit'>,
  bucketMs: number | undefined,
): RollupPlan | undefined {
  if (q.text !== undefined) return undefined;
  if (bucketMs !== undefined && bucketMs % HOUR_MS !== 0) return undefined;
  const filtered: Array<[number, readonly string[]]> = [];
  const dimOf = (field: string) => ROLLUP_DIMS.indexOf(field as (typeof ROLLUP_DIMS)[number]);
  if (q.host !== undefined && q.host.length > 0) filtered.push([dimOf('host.name'), q.host]);
  if (q.service !== undefined && q.service.length > 0) filtered.push([dimOf('service.name'), q.service]);
  for (const [field, values] of Object.entries(q.terms ?? {})) {
    const dim = dimOf(field);
    if (dim <= 0) return undefined;
    filtered.push([dim, values]);
  }
  if (filtered.length > 1) return undefined;
  const [filter] = filtered;
  let dim = filter?.[0] ?? 0;
  let key: string;
  let keyFilter: string | undefined;
  if (bucketMs !== undefined) {
    key = `(hour * ${HOUR_MS}) / ${bucketMs} * ${bucketMs}`;
  } else {
    const field = q.groupBy ?? 'event.dataset';
    const column = KEY_COLUMNS[field];
    if (column !== undefined) {
      key = column;
      if (column !== 'dataset') keyFilter = `${column} <> ''`;
    } else {
      const groupDim = dimOf(field);
      if (groupDim <= 0 || (filter !== undefined && filter[0] !== groupDim)) return undefined;
      dim = groupDim;
      key = 'value';
    }
  }
  const plan: RollupPlan = { dim, key };
  if (filter !== undefined) plan.values = filter[1];
  if (keyFilter !== undefined) plan.keyFilter = keyFilter;
  return plan;
}
