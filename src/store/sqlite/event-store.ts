import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { DATASETS, type Dataset, type FaultEvent } from '../../model/event.js';
import { errorMessage } from '../../shared/errors.js';
import type { HealthStatus } from '../../shared/health.js';
import { openDatabase } from '../../shared/sqlite.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { parseDuration } from '../elasticsearch/retention.js';
import { DEFAULT_RETENTION } from '../elasticsearch/templates.js';
import { ID_FIELDS, parseTextQuery, type TextQuery } from '../text-query.js';
import type {
  AggregateQuery,
  CountBucket,
  EventPage,
  EventQuery,
  EventStore,
  EventStoreLayout,
  WriteResult,
} from '../types.js';

/**
 * Ids an SRE pastes (request id, instance, part, logger, fault class, template): a partial
 * expression index each, over the JSON document, so a lookup by one is an index search.
 */
const ID_INDEXES: readonly [string, string][] = [
  ['request_id', 'labels.request_id'],
  ['instance_id', 'cloud.instance.id'],
  ['hw_id', 'hw.id'],
  ['logger', 'log.logger'],
  ['fault_class', 'hw.fault.class'],
  ['template_id', 'log.template.id'],
];

function idIndexes(): string {
  return ID_INDEXES.map(([name, field]) => {
    const expr = `json_extract(doc, '$."${field}"')`;
    return `CREATE INDEX IF NOT EXISTS events_${name} ON events (${expr})\n  WHERE ${expr} IS NOT NULL;`;
  }).join('\n');
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq      INTEGER PRIMARY KEY,
  id       TEXT    NOT NULL UNIQUE,
  ts       INTEGER NOT NULL,
  dataset  TEXT    NOT NULL,
  host     TEXT,
  service  TEXT,
  level    TEXT,
  tenant   TEXT,
  message  TEXT    NOT NULL,
  doc      TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts, seq);
CREATE INDEX IF NOT EXISTS events_dataset_ts ON events (dataset, ts);
CREATE INDEX IF NOT EXISTS events_host_ts ON events (host, ts);
CREATE INDEX IF NOT EXISTS events_level_ts ON events (level, ts);
CREATE INDEX IF NOT EXISTS events_tenant_ts ON events (tenant, ts);
${idIndexes()}
CREATE INDEX IF NOT EXISTS events_severity ON events (json_extract(doc, '$."event.severity"'), ts);
CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5 (
  message, content = 'events', content_rowid = 'seq', tokenize = 'unicode61'
);
CREATE TRIGGER IF NOT EXISTS events_ai AFTER INSERT ON events BEGIN
  INSERT INTO events_fts (rowid, message) VALUES (new.seq, new.message);
END;
CREATE TRIGGER IF NOT EXISTS events_ad AFTER DELETE ON events BEGIN
  INSERT INTO events_fts (events_fts, rowid, message) VALUES ('delete', old.seq, old.message);
END;
`;

/** Columns that have their own index; every other field is filtered through json_extract. */
const COLUMN: Record<string, string> = {
  'event.dataset': 'dataset',
  'host.name': 'host',
  'service.name': 'service',
  'log.level': 'level',
  'cloud.account.id': 'tenant',
};

const TOTAL_LIMIT = 10_000;
const WRITE_CHUNK = 500;
const INTERVAL_MS = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 };

function fieldExpr(field: string): string {
  const column = COLUMN[field];
  if (column !== undefined) return column;
  if (!/^[A-Za-z0-9_.@]+$/.test(field)) throw new Error(`invalid field name ${field}`);
  return `json_extract(doc, '$."${field}"')`;
}

const ftsPhrase = (words: readonly string[]) => `"${words.join(' ').replaceAll('"', '""')}"`;
const FTS = 'seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)';

/** The `q` language (text-query.ts) as SQL: FTS5 phrases for the message, indexed equality for ids. */
function textSql(q: TextQuery, params: unknown[]): string {
  switch (q.kind) {
    case 'phrase':
      params.push(ftsPhrase(q.words));
      return FTS;
    case 'term': {
      // One set built from index lookups (FTS for the message, an index per id field), not an OR
      // that SQLite would evaluate row by row over the whole table.
      const arms: string[] = [];
      if (q.words.length > 0) {
        arms.push('SELECT rowid FROM events_fts WHERE events_fts MATCH ?');
        params.push(ftsPhrase(q.words));
      }
      for (const field of ID_FIELDS) {
        arms.push(`SELECT seq FROM events WHERE ${fieldExpr(field)} = ?`);
        params.push(q.text);
      }
      return `seq IN (${arms.join(' UNION ALL ')})`;
    }
    case 'not':
      return `NOT ${textSql(q.item, params)}`;
    default:
      return `(${q.items.map((i) => textSql(i, params)).join(q.kind === 'and' ? ' AND ' : ' OR ')})`;
  }
}

interface Where {
  sql: string;
  params: unknown[];
}

function buildWhere(q: Omit<EventQuery, 'size' | 'cursor' | 'order'>): Where {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (q.from !== undefined) {
    clauses.push('ts >= ?');
    params.push(Date.parse(q.from));
  }
  if (q.to !== undefined) {
    clauses.push('ts < ?');
    params.push(Date.parse(q.to));
  }
  const inList = (expr: string, values: readonly string[] | undefined, upper = false) => {
    if (values === undefined || values.length === 0) return;
    clauses.push(`${expr} IN (${values.map(() => '?').join(',')})`);
    for (const v of values) params.push(upper ? v.toUpperCase() : v);
  };
  inList('dataset', q.dataset);
  inList('host', q.host);
  inList('service', q.service);
  if (q.levelMissing === true) {
    const named = q.level ?? [];
    clauses.push(
      named.length === 0
        ? 'level IS NULL'
        : `(level IS NULL OR level IN (${named.map(() => '?').join(',')}))`,
    );
    for (const v of named) params.push(v.toUpperCase());
  } else inList('level', q.level, true);
  if (q.maxSeverity !== undefined) {
    clauses.push(`${fieldExpr('event.severity')} <= ?`);
    params.push(q.maxSeverity);
  }
  inList('tenant', q.tenant);
  for (const [field, values] of Object.entries(q.terms ?? {})) inList(fieldExpr(field), values);
  const text = q.text === undefined ? undefined : parseTextQuery(q.text);
  if (text !== undefined) clauses.push(textSql(text, params));
  return { sql: clauses.length === 0 ? '1' : clauses.join(' AND '), params };
}

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

/** The embedded event store: SQLite with WAL, a time index and FTS5 over `message`. */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private insert!: Database.Statement;
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
    // takes that setting only before the first table exists (older files keep reusing free pages).
    if ((this.db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n === 0) {
      this.db.pragma('auto_vacuum = INCREMENTAL');
    }
    this.db.exec(SCHEMA);
    const every = this.options.retentionCheckMs ?? 600_000;
    if (every > 0 && this.retentionTimer === undefined) {
      this.retentionTimer = setInterval(() => {
        this.enforceRetention().catch(() => undefined);
      }, every);
      this.retentionTimer.unref();
    }
    this.insert = this.db.prepare(
      `INSERT INTO events (id, ts, dataset, host, service, level, tenant, message, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.writeMany = this.db.transaction((events: FaultEvent[]) => {
      let written = 0;
      // ECS event.ingested: when the event reached this store (the first write; a replay is ignored).
      const opening = `{"event.ingested":${JSON.stringify(new Date().toISOString())},`;
      for (const e of events) {
        const r = this.insert.run(
          e['event.id'],
          Date.parse(e['@timestamp']),
          e['event.dataset'],
          e['host.name'] ?? null,
          e['service.name'] ?? null,
          e['log.level']?.toUpperCase() ?? null,
          e['cloud.account.id'] ?? null,
          e.message,
          e['event.ingested'] === undefined ? opening + JSON.stringify(e).slice(1) : JSON.stringify(e),
        );
        written += r.changes;
      }
      return written;
    });
  }

  async describe(): Promise<EventStoreLayout> {
    return { containers: ['events'] };
  }

  async write(events: FaultEvent[]): Promise<WriteResult> {
    const failed: WriteResult['failed'] = [];
    const valid: FaultEvent[] = [];
    for (const e of events) {
      if (Number.isNaN(Date.parse(e['@timestamp']))) failed.push({ event: e, reason: 'invalid @timestamp' });
      else valid.push(e);
    }
    // Several short transactions instead of one long one: the API shares this event loop.
    let written = 0;
    for (let i = 0; i < valid.length; i += WRITE_CHUNK) {
      if (i > 0) await yieldToLoop();
      written += this.writeMany(valid.slice(i, i + WRITE_CHUNK));
    }
    return { written, duplicates: valid.length - written, failed };
  }

  async search(query: EventQuery): Promise<EventPage> {
    const where = buildWhere(query);
    const size = Math.min(Math.max(query.size ?? 50, 1), 1000);
    const desc = (query.order ?? 'desc') === 'desc';
    let pageSql = where.sql;
    const pageParams = [...where.params];
    if (query.cursor !== undefined) {
      const [ts, seq] = decodeCursor(query.cursor);
      if (typeof ts !== 'number' || typeof seq !== 'number') decodeCursor('!');
      pageSql += desc ? ' AND (ts, seq) < (?, ?)' : ' AND (ts, seq) > (?, ?)';
      pageParams.push(ts, seq);
    }
    const dir = desc ? 'DESC' : 'ASC';
    const rows = this.db
      .prepare(`SELECT seq, ts, doc FROM events WHERE ${pageSql} ORDER BY ts ${dir}, seq ${dir} LIMIT ?`)
      .all(...pageParams, size + 1) as Array<{ seq: number; ts: number; doc: string }>;
    const counted = this.db
      .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE ${where.sql} LIMIT ?)`)
      .get(...where.params, TOTAL_LIMIT + 1) as { n: number };
    const page = rows.slice(0, size);
    const last = page.at(-1);
    const result: EventPage = {
      total: Math.min(counted.n, TOTAL_LIMIT),
      totalIsExact: counted.n <= TOTAL_LIMIT,
      events: page.map((r) => JSON.parse(r.doc) as FaultEvent),
    };
    if (rows.length > size && last !== undefined) result.nextCursor = encodeCursor([last.ts, last.seq]);
    return result;
  }

  async aggregate(query: AggregateQuery): Promise<CountBucket[]> {
    const where = buildWhere(query);
    const limit = Math.min(Math.max(query.limit ?? 20, 1), 1000);
    if (query.interval !== undefined) {
      const ms = INTERVAL_MS[query.interval];
      const rows = this.db
        .prepare(
          `SELECT (ts / ${ms}) * ${ms} AS bucket, count(*) AS n FROM events WHERE ${where.sql}
           GROUP BY bucket ORDER BY bucket LIMIT ?`,
        )
        .all(...where.params, limit) as Array<{ bucket: number; n: number }>;
      return rows.map((r) => ({ key: new Date(r.bucket).toISOString(), count: r.n }));
    }
    const expr = fieldExpr(query.groupBy ?? 'event.dataset');
    const rows = this.db
      .prepare(
        `SELECT ${expr} AS k, count(*) AS n FROM events WHERE ${where.sql} AND ${expr} IS NOT NULL
         GROUP BY k ORDER BY n DESC, k LIMIT ?`,
      )
      .all(...where.params, limit) as Array<{ k: string; n: number }>;
    return rows.map((r) => ({ key: String(r.k), count: r.n }));
  }

  async get(id: string): Promise<FaultEvent | undefined> {
    const row = this.db.prepare('SELECT doc FROM events WHERE id = ?').get(id) as { doc: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.doc) as FaultEvent);
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

  private async runRetention(now: number): Promise<SqliteRetentionReport> {
    const report: SqliteRetentionReport = {
      deletedByAge: 0,
      deletedBySize: 0,
      bytesBefore: this.usedBytes(),
      bytesAfter: 0,
    };
    const byAge = this.db.prepare(
      'DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE dataset = ? AND ts < ? LIMIT ?)',
    );
    for (const dataset of DATASETS) {
      const cutoff = now - parseDuration(this.options.retention?.[dataset] ?? DEFAULT_RETENTION[dataset]);
      for (;;) {
        const n = byAge.run(dataset, cutoff, DELETE_CHUNK).changes;
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
      const oldest = this.db.prepare(
        'DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY ts, seq LIMIT ?)',
      );
      while (target > 0) {
        const n = oldest.run(Math.min(DELETE_CHUNK, target)).changes;
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
