import { type Kysely, sql } from 'kysely';
import type { StateMigration } from './types.js';

/**
 * The shared template catalogue of several ingest processes (src/logmine/catalogue-miner.ts): every
 * template carries the catalogue version that last reshaped it, so a miner reads only what others
 * changed since it last looked; the one-row `log_template_catalogue` holds the current version and
 * is the lock that lets one miner at a time create or generalize templates.
 */
export const logTemplateCatalogue: StateMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('log_templates')
      .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('log_templates_version')
      .ifNotExists()
      .on('log_templates')
      .column('version')
      .execute();
    await db.schema
      .createTable('log_template_catalogue')
      .ifNotExists()
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .execute();
    await sql`insert into log_template_catalogue (id, version) values (1, 0)`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('log_template_catalogue').ifExists().execute();
    await db.schema.dropIndex('log_templates_version').ifExists().execute();
    await db.schema.alterTable('log_templates').dropColumn('version').execute();
  },
};
