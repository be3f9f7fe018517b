import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { DATASETS, type Dataset, type FaultEvent } from '../../model/event.js';
import { errorMessage } from '../../shared/errors.js';
import type { HealthStatus } from '../../shared/health.js';
import { openDatabase } from '../../shared/sqlite.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { parseDuration } from '../elasticsearch/retention.js';
import { DEFAULT_RETENTION } from '../elasticsearch/templates.js';
import type {
  AggregateQuery,
  CountBucket,
  EventPage,
  EventQuery,
  EventStore,
  EventStoreLayout,
  WriteResult,
} from '../types.js';
import { DICTIONARY_COLUMNS, StringDictionary } from './dictionary.js';
import {
  COLUMN_FIELDS,
  type Defaults,
  decodeEvent,
  docKey,
  encodeEvent,
  learnDefaults,
  type StoredRow,
} from './event-codec.js';
import {
  type CompiledText,
  columnWhere,
  compileText,
  type Filters,
  fieldExpr,
  ID_COLUMNS,
  keyRange,
  matchIn,
  type Where,
} from './query.js';
import { HOUR_MS, planRollup, RollupDelta, type RollupPlan } from './rollups.js';
import { isLayout1, LAYOUT, schemaSql, upgradeLayout1 } from './schema.js';
import { keyable, keyOf, MS_SQL, msOf, SLOTS } from './time-key.js';

const TOTAL_LIMIT = 10_000;
const WRITE_CHUNK = 500;
const INTERVAL_MS = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 };
const TEXT_COLUMNS = COLUMN_FIELDS.map(([c]) => c);
const ROW = `e.tk, e.id, e.severity, e.message, e.doc, ${TEXT_COLUMNS.map((c) => `e.${c}`).join(', ')}`;
/** Filters on these find few rows: a full-text query is then checked row by row, not walked. */
const SELECTIVE = new Set(['request_id', 'instance', 'hw_id', 'template']);

export interface SqliteEventStoreOptions {
  /** Age-based retention per dataset (`30d`, `12h`); defaults as the Elasticsearch store's. */
  retention?: Partial<Record<Dataset, string>>;
  /** Cap on the live data of the database (pages in use × page size); the oldest events go first. */
  maxBytes?: number;
  /** How often retention runs (default 10 min; 0 = only when `enforceRetention` is called). */
  retentionCheckMs?: number;
}

export interface SqliteRetentionReport {
  deletedByAge: number;
  deletedBySize: number;
  bytesBefore: number;
  bytesAfter: number;
}

const DELETE_CHUNK = 5_000;

type Row = StoredRow & { tk: number };

/** A query's parts: column filters, key range and compiled `q`. */
interface Plan {
  cols: Where;
  text: CompiledText | undefined;
  lo: number;
  hi: number;
}

/**
 * The embedded event store: SQLite with WAL; rows keyed by time (time-key.ts), filterable fields as
 * indexed columns and the rest as a compact document (event-codec.ts), FTS5 over `message`, and
 * hourly counts kept on write (rollups.ts).
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly defaults = new Map<string, Defaults>();
  private dict!: StringDictionary;
  private insert!: Database.Statement;
  private slotMax!: Database.Statement;
  private exists!: Database.Statement;
  private writeMany!: (events: FaultEvent[]) => number;
  private retentionTimer: NodeJS.Timeout | undefined;
  private retentionRun: Promise<SqliteRetentionReport> | undefined;

  constructor(
    file: string,
    private readonly options: SqliteEventStoreOptions = {},
  ) {
    this.db = openDatabase(file);
  }

  async bootstrap(): Promise<void> {
    // Space freed by retention goes back to the file only with incremental vacuum, and SQLite
    // takes that setting only before the first table exists, through a VACUUM once WAL has written
    // the header (older files keep reusing free pages).
    if ((this.db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n === 0) {
      this.db.pragma('auto_vacuum = INCREMENTAL');
      this.db.exec('VACUUM');
    }
    this.db.function('fl_field', { deterministic: true }, (doc, dataset, field) =>
      this.docField(doc, dataset, field),
    );
    const createLayout2 = () => {
      this.db.exec(schemaSql());
      this.dict = new StringDictionary(this.db);
      this.loadDefaults();
      this.prepareWrites();
    };
    if (isLayout1(this.db)) {
      upgradeLayout1(this.db, createLayout2, (events) => this.writeMany(events));
      this.db.pragma('incremental_vacuum');
    } else {
      createLayout2();
      this.db.pragma(`user_version = ${LAYOUT}`);
    }
    const every = this.options.retentionCheckMs ?? 600_000;
    if (every > 0 && this.retentionTimer === undefined) {
      this.retentionTimer = setInterval(() => {
        this.enforceRetention().catch(() => undefined);
      }, every);
      this.retentionTimer.unref();
    }
  }

  private loadDefaults(): void {
    const rows = this.db.prepare('SELECT dataset, doc FROM doc_defaults').all() as Array<{
      dataset: string;
      doc: string;
    }>;
    for (const r of rows) this.defaults.set(r.dataset, JSON.parse(r.doc) as Defaults);
  }

  private defaultsOf(dataset: string): Defaults | undefined {
    if (!this.defaults.has(dataset)) this.loadDefaults();
    return this.defaults.get(dataset);
  }

  /** fl_field(): a document field of a row, defaults applied (filters on fields without a column). */
  private docField(doc: unknown, dataset: unknown, field: unknown): string | number | null {
    const parsed = JSON.parse(String(doc)) as Record<string, unknown>;
    const key = docKey(String(field));
    let v = parsed[key];
    if (v === undefined && !((parsed['-'] as string[] | undefined) ?? []).includes(key)) {
      v = this.defaultsOf(this.dict.valueOf(Number(dataset)))?.[String(field)];
    }
    return typeof v === 'string' || typeof v === 'number' ? v : null;
  }

  private prepareWrites(): void {
    this.insert = this.db.prepare(
      `INSERT INTO events (tk, id, ${TEXT_COLUMNS.join(', ')}, severity, message, doc)
       VALUES (?, ?, ${TEXT_COLUMNS.map(() => '?').join(', ')}, ?, ?, ?)`,
    );
    this.slotMax = this.db.prepare('SELECT max(tk) AS k FROM events WHERE tk BETWEEN ? AND ?');
    const byId = matchIn('id', ['']);
    this.exists = this.db.prepare(`SELECT 1 FROM events WHERE ${byId.sql}`);
    const learn = this.db.prepare('INSERT OR IGNORE INTO doc_defaults (dataset, doc) VALUES (?, ?)');
    this.writeMany = this.db.transaction((events: FaultEvent[]) => {
      let written = 0;
      const next = new Map<number, number>();
      const counts = new RollupDelta();
      // ECS event.ingested: when the event reached this store (the first write; a replay is ignored).
      const ingested = new Date().toISOString();
      for (const e of events) {
        const ms = Date.parse(e['@timestamp']);
        let defaults = this.defaultsOf(e['event.dataset']);
        if (defaults === undefined) {
          defaults = learnDefaults(e);
          learn.run(e['event.dataset'], JSON.stringify(defaults));
          this.defaults.set(e['event.dataset'], defaults);
        }
        // An id already stored is a replay: a duplicate, not an error.
        if (this.exists.get(e['event.id'], e['event.id']) !== undefined) continue;
        const key = this.allocate(ms, next);
        const row = encodeEvent(
          e['event.ingested'] === undefined ? { ...e, 'event.ingested': ingested } : e,
          msOf(key),
          defaults,
        );
        const r = this.insert.run(
          key,
          row.id,
          ...TEXT_COLUMNS.map((c) => {
            const v = row.columns[c];
            return v !== null && DICTIONARY_COLUMNS.has(c) ? this.dict.intern(v) : v;
          }),
          row.severity,
          row.message,
          row.doc,
        );
        written += r.changes;
        counts.add(msOf(key), { ...row.columns, dataset: e['event.dataset'], severity: row.severity }, 1);
      }
      counts.apply(this.db);
      return written;
    });
  }

  /** The next free key of a millisecond (spilling into the next one when its slots are used up). */
  private allocate(ms: number, next: Map<number, number>): number {
    let slot = keyOf(ms);
    for (;;) {
      let k = next.get(slot);
      if (k === undefined) {
        const max = (this.slotMax.get(slot, slot + SLOTS - 1) as { k: number | null }).k;
        k = max === null ? slot : max + 1;
      }
      if (k < slot + SLOTS) {
        next.set(slot, k + 1);
        return k;
      }
      slot += SLOTS;
    }
  }

  async describe(): Promise<EventStoreLayout> {
    return { containers: ['events'] };
  }

  async write(events: FaultEvent[]): Promise<WriteResult> {
    const failed: WriteResult['failed'] = [];
    const valid: FaultEvent[] = [];
    for (const e of events) {
      if (!keyable(Date.parse(e['@timestamp']))) failed.push({ event: e, reason: 'invalid @timestamp' });
      else valid.push(e);
    }
    // Several short transactions instead of one long one: the API shares this event loop.
    let written = 0;
    for (let i = 0; i < valid.length; i += WRITE_CHUNK) {
      if (i > 0) await yieldToLoop();
      try {
        written += this.writeMany(valid.slice(i, i + WRITE_CHUNK));
      } catch (error) {
        this.dict.reset();
        throw error;
      }
    }
    return { written, duplicates: valid.length - written, failed };
  }

  /** A filter value as its column stores it. */
  private stored = (column: string, value: string): unknown =>
    DICTIONARY_COLUMNS.has(column) ? this.dict.idOf(value) : value;

  /** The id columns that hold `text` exactly (a pasted id). */
  private idColumnsHaving = (text: string): Array<[string, unknown]> => {
    const out: Array<[string, unknown]> = [];
    for (const c of ID_COLUMNS) {
      const v = this.stored(c, text);
      if (v === undefined) continue;
      const m = matchIn(c, [v]);
      if (this.db.prepare(`SELECT 1 FROM events WHERE ${m.sql} LIMIT 1`).get(...m.params) !== undefined) {
        out.push([c, v]);
      }
    }
    return out;
  };

  /** A row's column values as text (dictionary numbers looked up). */
  private text<T extends Record<string, unknown>>(row: T): T {
    const out: Record<string, unknown> = { ...row };
    for (const c of DICTIONARY_COLUMNS) {
      const v = out[c];
      if (typeof v === 'number') out[c] = this.dict.valueOf(v);
    }
    return out as T;
  }

  private plan(q: Filters): Plan {
    const [lo, hi] = keyRange(q);
    return {
      cols: columnWhere(q, this.stored),
      text: q.text === undefined ? undefined : compileText(q.text, this.idColumnsHaving),
      lo,
      hi,
    };
  }

  /**
   * FROM and WHERE of a query over the key range [lo, hi]: the FTS index walked by key when `q` is
   * full text (alone, or joined with the rows for the other filters), else the rows.
   */
  private source(
    p: Plan,
    lo: number,
    hi: number,
  ): { from: string; key: string; where: string; params: unknown[] } {
    const cols = p.cols.sql === '' ? [] : [p.cols.sql];
    if (p.text !== undefined && 'fts' in p.text) {
      const selective = p.cols.columns.some((c) => SELECTIVE.has(c));
      if (selective) {
        return {
          from: 'events e',
          key: 'e.tk',
          where: [
            'e.tk BETWEEN ? AND ?',
            ...cols,
            'EXISTS (SELECT 1 FROM events_fts WHERE events_fts MATCH ? AND rowid = e.tk)',
          ].join(' AND '),
          params: [lo, hi, ...p.cols.params, p.text.fts],
        };
      }
      return {
        from: cols.length === 0 ? 'events_fts f' : 'events_fts f JOIN events e ON e.tk = f.rowid',
        key: 'f.rowid',
        where: ['f.events_fts MATCH ?', 'f.rowid BETWEEN ? AND ?', ...cols].join(' AND '),
        params: [p.text.fts, lo, hi, ...p.cols.params],
      };
    }
    const text = p.text === undefined ? [] : [p.text.sql];
    return {
      from: 'events e',
      key: 'e.tk',
      where: ['e.tk BETWEEN ? AND ?', ...cols, ...text].join(' AND '),
      params: [lo, hi, ...p.cols.params, ...(p.text === undefined ? [] : p.text.params)],
    };
  }

  async search(query: EventQuery): Promise<EventPage> {
    const p = this.plan(query);
    const size = Math.min(Math.max(query.size ?? 50, 1), 1000);
    const desc = (query.order ?? 'desc') === 'desc';
    let { lo, hi } = p;
    if (query.cursor !== undefined) {
      const [key, ...rest] = decodeCursor(query.cursor);
      if (typeof key !== 'number' || rest.length > 0) decodeCursor('!');
      if (desc) hi = Math.min(hi, (key as number) - 1);
      else lo = Math.max(lo, (key as number) + 1);
    }
    const dir = desc ? 'DESC' : 'ASC';
    const s = this.source(p, lo, hi);
    let rows: Row[];
    if (s.from === 'events_fts f') {
      // The page's keys from the FTS index alone, then their rows.
      rows = this.db
        .prepare(
          `SELECT ${ROW} FROM events e WHERE e.tk IN
             (SELECT f.rowid FROM ${s.from} WHERE ${s.where} ORDER BY f.rowid ${dir} LIMIT ?)
           ORDER BY e.tk ${dir}`,
        )
        .all(...s.params, size + 1) as Row[];
    } else {
      rows = this.db
        .prepare(`SELECT ${ROW} FROM ${s.from} WHERE ${s.where} ORDER BY ${s.key} ${dir} LIMIT ?`)
        .all(...s.params, size + 1) as Row[];
    }
    const page = rows.slice(0, size);
    const total = this.count(query, p);
    const result: EventPage = {
      total: Math.min(total, TOTAL_LIMIT),
      totalIsExact: total <= TOTAL_LIMIT,
      events: page.map((r) => this.decode(r)),
    };
    const last = page.at(-1);
    if (rows.length > size && last !== undefined) result.nextCursor = encodeCursor([last.tk]);
    return result;
  }

  private decode(r: Row): FaultEvent {
    const row = this.text(r);
    return decodeEvent({ ...row, ts: msOf(r.tk) }, this.defaultsOf(String(row.dataset)));
  }

  /** Matches of a query, exact up to TOTAL_LIMIT + 1 (from the hourly counts when they can answer). */
  private count(query: Filters, p: Plan): number {
    const rolled = this.rollupCounts({ ...query, groupBy: 'event.dataset' }, undefined);
    if (rolled !== undefined) return [...rolled.values()].reduce((a, b) => a + b, 0);
    const s = this.source(p, p.lo, p.hi);
    const n = this.db
      .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${s.from} WHERE ${s.where} LIMIT ?)`)
      .get(...s.params, TOTAL_LIMIT + 1) as { n: number };
    return n.n;
  }

  async aggregate(query: AggregateQuery): Promise<CountBucket[]> {
    const limit = Math.min(Math.max(query.limit ?? 20, 1), 1000);
    const bucketMs = query.interval === undefined ? undefined : INTERVAL_MS[query.interval];
    const counts =
      this.rollupCounts(query, bucketMs) ?? this.rawCounts(query, this.plan(query), bucketMs, undefined);
    if (bucketMs !== undefined) {
      return [...counts]
        .sort((a, b) => Number(a[0]) - Number(b[0]))
        .slice(0, limit)
        .map(([k, n]) => ({ key: new Date(Number(k)).toISOString(), count: n }));
    }
    return [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, limit)
      .map(([k, n]) => ({ key: k, count: n }));
  }

  /** Counts per group (or time bucket) straight from the events, over [lo, hi] or the query's range. */
  private rawCounts(
    query: Omit<AggregateQuery, 'limit'>,
    p: Plan,
    bucketMs: number | undefined,
    range: [number, number] | undefined,
  ): Map<string, number> {
    const s = this.source(p, range?.[0] ?? p.lo, range?.[1] ?? p.hi);
    let key: string;
    let from = s.from;
    let notNull = '';
    if (bucketMs !== undefined) key = `${MS_SQL(s.key)} / ${bucketMs} * ${bucketMs}`;
    else {
      key = fieldExpr(query.groupBy ?? 'event.dataset');
      notNull = ` AND ${key} IS NOT NULL`;
      // A group needs the rows: the FTS index alone only knows keys.
      if (from === 'events_fts f') from = 'events_fts f JOIN events e ON e.tk = f.rowid';
    }
    const rows = this.db
      .prepare(`SELECT ${key} AS k, count(*) AS n FROM ${from} WHERE ${s.where}${notNull} GROUP BY k`)
      .all(...s.params) as Array<{ k: unknown; n: number }>;
    const dictionary = bucketMs === undefined && DICTIONARY_COLUMNS.has(key);
    return new Map(rows.map((r) => [dictionary ? this.dict.valueOf(Number(r.k)) : String(r.k), r.n]));
  }

  /**
   * Counts from the hourly rollups for the whole hours of the range, plus the events of the partial
   * hours at its ends; undefined when the rollups cannot answer the query.
   */
  private rollupCounts(
    query: Omit<AggregateQuery, 'limit'>,
    bucketMs: number | undefined,
  ): Map<string, number> | undefined {
    const plan = planRollup(query, bucketMs);
    if (plan === undefined) return undefined;
    const from = query.from === undefined ? undefined : Date.parse(query.from);
    const to = query.to === undefined ? undefined : Date.parse(query.to);
    const hourLo = from === undefined ? Number.MIN_SAFE_INTEGER : Math.ceil(from / HOUR_MS);
    const hourHi = to === undefined ? Number.MAX_SAFE_INTEGER : Math.floor(to / HOUR_MS);
    if (hourLo >= hourHi) return undefined;
    const counts = this.rollupRows(plan, query, hourLo, hourHi);
    const p = this.plan(query);
    const edges: Array<[number, number]> = [];
    if (from !== undefined && from < hourLo * HOUR_MS) edges.push([p.lo, keyOf(hourLo * HOUR_MS) - 1]);
    if (to !== undefined && to > hourHi * HOUR_MS) edges.push([keyOf(hourHi * HOUR_MS), p.hi]);
    for (const edge of edges) {
      for (const [k, n] of this.rawCounts(query, p, bucketMs, edge)) counts.set(k, (counts.get(k) ?? 0) + n);
    }
    return counts;
  }

  private rollupRows(
    plan: RollupPlan,
    q: Omit<AggregateQuery, 'limit'>,
    hourLo: number,
    hourHi: number,
  ): Map<string, number> {
    const clauses = ['dim = ?', 'hour >= ?', 'hour < ?'];
    const params: unknown[] = [plan.dim, hourLo, hourHi];
    const inList = (column: string, values: readonly string[] | undefined) => {
      if (values === undefined || values.length === 0) return;
      clauses.push(`${column} IN (${values.map(() => '?').join(',')})`);
      params.push(...values);
    };
    inList('value', plan.values);
    inList('dataset', q.dataset);
    const levels = (q.level ?? []).map((l) => l.toUpperCase());
    if (q.levelMissing === true) levels.push('');
    inList('level', levels.length > 0 ? levels : undefined);
    if (q.maxSeverity !== undefined) {
      clauses.push('severity <= ?');
      params.push(q.maxSeverity);
    }
    inList('tenant', q.tenant);
    if (plan.keyFilter !== undefined) clauses.push(plan.keyFilter);
    const rows = this.db
      .prepare(
        `SELECT ${plan.key} AS k, sum(n) AS n FROM event_counts WHERE ${clauses.join(' AND ')} GROUP BY k`,
      )
      .all(...params) as Array<{ k: unknown; n: number }>;
    return new Map(rows.filter((r) => r.n > 0).map((r) => [String(r.k), r.n]));
  }

  async get(id: string): Promise<FaultEvent | undefined> {
    const m = matchIn('id', [id]);
    const row = this.db.prepare(`SELECT ${ROW} FROM events e WHERE ${m.sql}`).get(...m.params) as
      | Row
      | undefined;
    return row === undefined ? undefined : this.decode(row);
  }

  /** Bytes of live data: pages in use × page size (free pages are reused before the file grows). */
  usedBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return (pages - free) * size;
  }

  /**
   * Deletes events older than their dataset's retention, then the oldest events while the live
   * data is over `maxBytes`; in short transactions, yielding to the API between them.
   */
  enforceRetention(now = Date.now()): Promise<SqliteRetentionReport> {
    this.retentionRun ??= this.runRetention(now).finally(() => {
      this.retentionRun = undefined;
    });
    return this.retentionRun;
  }

  /** Deletes the events a statement selects (`?` bound to `params`, then a limit), rollups updated. */
  private deleteChunk(select: string, params: unknown[], limit: number): number {
    const returning = `tk, dataset, level, severity, tenant, ${TEXT_COLUMNS.filter((c) => !['dataset', 'level', 'tenant'].includes(c)).join(', ')}`;
    const run = this.db.transaction(() => {
      const rows = this.db
        .prepare(`DELETE FROM events WHERE tk IN (${select} LIMIT ?) RETURNING ${returning}`)
        .all(...params, limit) as Array<Record<string, unknown> & { tk: number; dataset: string }>;
      const counts = new RollupDelta();
      for (const r of rows) {
        const row = this.text(r);
        counts.add(
          msOf(r.tk),
          {
            ...row,
            level: row.level as string | null,
            severity: row.severity as number | null,
            tenant: row.tenant as string | null,
          },
          -1,
        );
      }
      counts.apply(this.db);
      return rows.length;
    });
    return run();
  }

  private async runRetention(now: number): Promise<SqliteRetentionReport> {
    const report: SqliteRetentionReport = {
      deletedByAge: 0,
      deletedBySize: 0,
      bytesBefore: this.usedBytes(),
      bytesAfter: 0,
    };
    for (const dataset of DATASETS) {
      const cutoff = now - parseDuration(this.options.retention?.[dataset] ?? DEFAULT_RETENTION[dataset]);
      for (;;) {
        const id = this.dict.idOf(dataset);
        if (id === undefined) break;
        const n = this.deleteChunk(
          'SELECT tk FROM events WHERE dataset = ? AND tk < ?',
          [id, keyOf(cutoff)],
          DELETE_CHUNK,
        );
        report.deletedByAge += n;
        if (n < DELETE_CHUNK) break;
        await yieldToLoop();
      }
    }
    const cap = this.options.maxBytes;
    const used = this.usedBytes();
    if (cap !== undefined && used > cap) {
      // Pages free up only as whole pages empty and FTS segments merge, so the bytes to drop are
      // turned into a number of events from the mean event size, down to 90% of the cap.
      const rows = (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      let target = rows === 0 ? 0 : Math.ceil((used - cap * 0.9) / (used / rows));
      while (target > 0) {
        const n = this.deleteChunk('SELECT tk FROM events ORDER BY tk', [], Math.min(DELETE_CHUNK, target));
        report.deletedBySize += n;
        target -= n;
        if (n === 0) break;
        await yieldToLoop();
      }
    }
    if (report.deletedByAge + report.deletedBySize > 0) {
      this.db.exec("INSERT INTO events_fts (events_fts) VALUES ('optimize')");
      this.db.pragma('incremental_vacuum');
    }
    report.bytesAfter = this.usedBytes();
    return report;
  }

  async refresh(): Promise<void> {}

  async health(): Promise<HealthStatus> {
    try {
      this.db.prepare('SELECT 1 FROM events LIMIT 1').get();
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: errorMessage(error) };
    }
  }

  async close(): Promise<void> {
    if (this.retentionTimer !== undefined) clearInterval(this.retentionTimer);
    await this.retentionRun?.catch(() => undefined);
    if (this.db.open) this.db.close();
  }
}
