import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { STATE_MIGRATIONS } from '../../src/store/state/migrations/index.js';
import { createSqliteStateStore } from '../../src/store/state/state-store.js';

describe('state migrations', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('carries a database migrated before the migrations folder (0001, 0002 only) forward, keeping its rows', async () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-migrate-'));
    const file = join(dir, 'state.db');
    // What a database of the previous release holds: the first two migrations under their names.
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    const shipped = ['0001-api-keys-and-meta', '0002-audit-log'];
    await new Migrator({
      db: old,
      provider: {
        getMigrations: async () =>
          Object.fromEntries(
            shipped.map((n) => [n, { up: (db: Kysely<unknown>) => STATE_MIGRATIONS[n]!.up(db, 'sqlite') }]),
          ),
      },
    }).migrateToLatest();
    await sql`insert into meta (key, value, updated_at) values ('kept', 'yes', '2025-01-01T00:00:00.000Z')`.execute(
      old,
    );
    await old.destroy();

    const store = createSqliteStateStore(file);
    try {
      await store.migrate();
      expect(await store.getMeta('kept')).toBe('yes');
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        store.db,
      );
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(STATE_MIGRATIONS).sort());
      await store.db
        .insertInto('tenants')
        .values({ id: 't', name: 't', created_at: '2026-01-01T00:00:00.000Z' })
        .execute();
    } finally {
      await store.close();
    }
  });

  it('names every migration file once, in the order they run', () => {
    const names = Object.keys(STATE_MIGRATIONS);
    expect(names).toEqual([...names].sort());
    expect(names.every((n) => /^\d{4}-[a-z0-9-]+$/.test(n))).toBe(true);
  });
});
