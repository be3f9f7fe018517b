import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { DocumentBatch } from '../../model/document-batch.js';
import type { FaultEvent } from '../../model/event.js';
import { errorMessage } from '../../shared/errors.js';
import type { HealthStatus } from '../../shared/health.js';
import { openDatabase } from '../../shared/sqlite.js';
import { decodeCursor, encodeCursor, textTerms } from '../cursor.js';
import type {
  AggregateQuery,
  CountBucket,
  EventPage,
  EventQuery,
  EventStore,
  EventStoreLayout,
  WriteResult,
} from '../types.js';

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
CREATE INDEX IF NOT EXISTS events_tenant_ts ON events (tenant, ts);
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
  inList('level', q.level, true);
  inList('tenant', q.tenant);
  for (const [field, values] of Object.entries(q.terms ?? {})) inList(fieldExpr(field), values);
  if (q.text !== undefined && q.text.trim() !== '') {
    const terms = textTerms(q.text);
    if (terms.length === 0) clauses.push('0');
    else {
      clauses.push('seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)');
      params.push(terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(' '));
    }
  }
  return { sql: clauses.length === 0 ? '1' : clauses.join(' AND '), params };
}

/** The embedded event store: SQLite with WAL, a time index and FTS5 over `message`. */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  readonly prefersDocuments = false;
  private readonly db: Database.Database;
  private insert!: Database.Statement;
  private writeMany!: (events: FaultEvent[]) => number;

  constructor(file: string) {
    this.db = openDatabase(file);
  }

  async bootstrap(): Promise<void> {
    this.db.exec(SCHEMA);
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

  async write(events: FaultEvent[], documents?: DocumentBatch): Promise<WriteResult> {
    const failed: WriteResult['failed'] = [];
    const valid: FaultEvent[] = [];
    // SQLite keeps the event object's fields in columns: documents are parsed back into events.
    const all = documents === undefined || documents.count === 0 ? events : events.concat(documents.events());
    for (const e of all) {
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
    if (this.db.open) this.db.close();
  }
}
