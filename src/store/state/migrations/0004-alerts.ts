import type { Kysely } from 'kysely';
import type { StateMigration } from './types.js';

/**
 * Alerts and predictions of the fault engine (src/engine/alert-repository.ts), their history, and
 * silences. `body` is the full JSON (src/model/alert.ts); the other columns are what the API filters
 * and sorts on. `tenants` is `,t1,t2,` so a tenant filter is one indexed-free LIKE that cannot match
 * a prefix of another id.
 */
export const alerts: StateMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('rule', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('host', 'text')
      .addColumn('tenants', 'text', (c) => c.notNull())
      .addColumn('starts_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('acked_by', 'text')
      .addColumn('acked_at', 'text')
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('alerts_kind_starts')
      .on('alerts')
      .columns(['kind', 'starts_at', 'id'])
      .execute();
    await db.schema.createIndex('alerts_fingerprint').on('alerts').column('fingerprint').execute();
    await db.schema
      .createTable('alert_history')
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('change', 'text', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('detail', 'text')
      .execute();
    await db.schema
      .createIndex('alert_history_alert')
      .on('alert_history')
      .columns(['alert_id', 'at'])
      .execute();
    await db.schema
      .createTable('silences')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('matchers', 'text', (c) => c.notNull())
      .addColumn('starts_at', 'text', (c) => c.notNull())
      .addColumn('ends_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('comment', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('silences').execute();
    await db.schema.dropTable('alert_history').execute();
    await db.schema.dropTable('alerts').execute();
  },
};
