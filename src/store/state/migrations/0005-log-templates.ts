import type { Kysely } from 'kysely';
import type { StateMigration } from './types.js';

/** Mined log templates (src/logmine): restored at start so template ids survive restarts. */
export const logTemplates: StateMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('log_templates')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addColumn('first_seen', 'text', (c) => c.notNull())
      .addColumn('last_seen', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('log_templates').ifExists().execute();
  },
};
