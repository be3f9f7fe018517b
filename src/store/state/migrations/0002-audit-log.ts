import type { Kysely } from 'kysely';
import type { StateDialect, StateMigration } from './types.js';

export const auditLog: StateMigration = {
  async up(db: Kysely<unknown>, dialect: StateDialect) {
    const isPg = dialect === 'postgres';
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
};
