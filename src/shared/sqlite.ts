import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens an embedded database the way every embedded adapter needs it: WAL so readers never block the
 * writer, NORMAL sync (durable across process crashes, which is what the SIGKILL tests check; an OS
 * crash may lose the last transactions), and a busy timeout so a CLI and the server can share a file.
 */
export function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  return db;
}
