import type Database from 'better-sqlite3';

/**
 * Columns whose values repeat (datasets, hosts, services, levels, loggers, templates…) hold a small
 * number standing for the text, kept once in `strings`: the rows and, above all, the indexes on these
 * columns shrink to a few bytes an entry. Event ids, request ids, instances and part ids stay text.
 */
export const DICTIONARY_COLUMNS: ReadonlySet<string> = new Set([
  'dataset',
  'host',
  'service',
  'level',
  'tenant',
  'program',
  'template',
  'logger',
  'hw_type',
  'fault_class',
  'code',
  'project',
  'user',
  'file',
]);

export const DICTIONARY_SCHEMA = `
CREATE TABLE IF NOT EXISTS strings (
  id    INTEGER PRIMARY KEY,
  value TEXT    NOT NULL UNIQUE
);
`;

export class StringDictionary {
  private readonly ids = new Map<string, number>();
  private readonly values = new Map<number, string>();
  private readonly byValue: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly add: Database.Statement;

  constructor(db: Database.Database) {
    this.byValue = db.prepare('SELECT id FROM strings WHERE value = ?');
    this.byId = db.prepare('SELECT value FROM strings WHERE id = ?');
    this.add = db.prepare('INSERT INTO strings (value) VALUES (?) RETURNING id');
  }

  /** The number of a value, stored now if new (inside the caller's write transaction). */
  intern(value: string): number {
    return this.idOf(value) ?? this.remember(value, (this.add.get(value) as { id: number }).id);
  }

  /** The number of a value, or undefined when no row was ever written with it. */
  idOf(value: string): number | undefined {
    const known = this.ids.get(value);
    if (known !== undefined) return known;
    const row = this.byValue.get(value) as { id: number } | undefined;
    return row === undefined ? undefined : this.remember(value, row.id);
  }

  valueOf(id: number): string {
    const known = this.values.get(id);
    if (known !== undefined) return known;
    const row = this.byId.get(id) as { value: string } | undefined;
    if (row === undefined) throw new Error(`events.db: no string ${id}`);
    this.remember(row.value, id);
    return row.value;
  }

  /** Forgets what a rolled-back transaction may have added. */
  reset(): void {
    this.ids.clear();
    this.values.clear();
  }

  private remember(value: string, id: number): number {
    this.ids.set(value, id);
    this.values.set(id, value);
    return id;
  }
}
