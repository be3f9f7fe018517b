import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

/**
 * Migrations shared by SQLite and PostgreSQL. Written with the schema builder and portable types
 * only (text, integer), so one list serves both dialects; never edit a shipped migration, add one.
 */
const migrations: Record<string, Migration> = {
  '0001-api-keys-and-meta': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) =>
          c.notNull().check(sql`role in ('admin', 'sre', 'viewer', 'ingest')`),
        )
        .addColumn('tenant_id', 'text')
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('meta').execute();
      await db.schema.dropTable('api_keys').execute();
    },
  },
  '0002-audit-log': {
    async up(db: Kysely<unknown>) {
      const isPg = (db.getExecutor().adapter as { constructor: { name: string } }).constructor.name.includes(
        'Postgres',
      );
      await db.schema
        .createTable('audit_log')
        .addColumn('seq', isPg ? 'bigserial' : 'integer', (c) =>
          isPg ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('audit_log').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
