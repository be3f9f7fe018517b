import type Database from 'better-sqlite3';
import type { FaultEvent } from '../../model/event.js';
import { DICTIONARY_COLUMNS, DICTIONARY_SCHEMA } from './dictionary.js';
import { COLUMN_FIELDS } from './event-codec.js';
import { SUFFIX_INDEXED } from './query.js';
import { ROLLUP_SCHEMA } from './rollups.js';

/** The layout of events.db this code writes (PRAGMA user_version). Layout 1 had no version. */
export const LAYOUT = 2;

/** Sparse columns indexed where set: ids an SRE pastes or filters on, and the rarer groupings. */
const SPARSE_INDEXED = ['tenant', 'program', 'template', 'logger', 'hw_id', 'hw_type', 'fault_class', 'code'];

/**
 * Layout 2: the row key `tk` is the event's time (time-key.ts), so no index carries a time column of
 * its own: each index entry ends with the key, which orders and range-filters by time. Repeating
 * values are numbers from `strings` (dictionary.ts). FTS5 keeps no per-row sizes (no ranking here).
 */
export function schemaSql(): string {
  const text = COLUMN_FIELDS.map(
    ([c]) => `  ${c} ${DICTIONARY_COLUMNS.has(c) ? 'INTEGER' : 'TEXT'}${c === 'dataset' ? ' NOT NULL' : ''},`,
  ).join('\n');
  return `
CREATE TABLE IF NOT EXISTS events (
  tk       INTEGER PRIMARY KEY,
  id       TEXT    NOT NULL,
${text}
  severity INTEGER,
  message  TEXT    NOT NULL,
  doc      TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS events_id ON events (substr(id, -${SUFFIX_INDEXED.id}));
CREATE INDEX IF NOT EXISTS events_request_id ON events (substr(request_id, -${SUFFIX_INDEXED.request_id}))
  WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_instance ON events (substr(instance, -${SUFFIX_INDEXED.instance}))
  WHERE instance IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_dataset ON events (dataset);
CREATE INDEX IF NOT EXISTS events_host ON events (host);
CREATE INDEX IF NOT EXISTS events_service ON events (service);
CREATE INDEX IF NOT EXISTS events_level ON events (level);
${SPARSE_INDEXED.map((c) => `CREATE INDEX IF NOT EXISTS events_${c} ON events (${c}) WHERE ${c} IS NOT NULL;`).join('\n')}
CREATE INDEX IF NOT EXISTS events_severe ON events (severity) WHERE severity <= 4;
CREATE TABLE IF NOT EXISTS doc_defaults (dataset TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5 (
  message, content = 'events', content_rowid = 'tk', tokenize = 'unicode61', columnsize = 0
);
CREATE TRIGGER IF NOT EXISTS events_ai AFTER INSERT ON events BEGIN
  INSERT INTO events_fts (rowid, message) VALUES (new.tk, new.message);
END;
CREATE TRIGGER IF NOT EXISTS events_ad AFTER DELETE ON events BEGIN
  INSERT INTO events_fts (events_fts, rowid, message) VALUES ('delete', old.tk, old.message);
END;
${ROLLUP_SCHEMA}
${DICTIONARY_SCHEMA}`;
}

/** Whether the file holds layout 1 (events keyed by an arrival sequence, the whole event as JSON). */
export function isLayout1(db: Database.Database): boolean {
  return (
    (db.pragma('user_version', { simple: true }) as number) < LAYOUT &&
    db.prepare("SELECT 1 FROM pragma_table_info('events') WHERE name = 'seq'").get() !== undefined
  );
}

/**
 * Upgrades a layout 1 file in place, in one transaction (an interrupted upgrade leaves layout 1 and
 * runs again at the next start): the old table is renamed, its FTS index, triggers and indexes
 * dropped, and every event written again through `write` into layout 2.
 */
export function upgradeLayout1(
  db: Database.Database,
  createLayout2: () => void,
  write: (events: FaultEvent[]) => number,
): number {
  let moved = 0;
  db.transaction(() => {
    db.exec(
      'DROP TRIGGER IF EXISTS events_ai; DROP TRIGGER IF EXISTS events_ad; DROP TABLE IF EXISTS events_fts;',
    );
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL",
      )
      .all() as Array<{ name: string }>;
    for (const { name } of indexes) db.exec(`DROP INDEX "${name}"`);
    db.exec('ALTER TABLE events RENAME TO events_v1');
    createLayout2();
    const chunk = db.prepare('SELECT seq, doc FROM events_v1 WHERE seq > ? ORDER BY seq LIMIT 2000');
    let after = -1;
    for (;;) {
      const rows = chunk.all(after) as Array<{ seq: number; doc: string }>;
      if (rows.length === 0) break;
      moved += write(rows.map((r) => JSON.parse(r.doc) as FaultEvent));
      after = (rows.at(-1) as { seq: number }).seq;
    }
    db.exec('DROP TABLE events_v1');
    db.pragma(`user_version = ${LAYOUT}`);
  })();
  return moved;
}
