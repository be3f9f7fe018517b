import type { Kysely } from 'kysely';
import type { StateMigration } from './types.js';

/**
 * Fault-engine checkpoints (src/engine/checkpoint-store.ts): the engine state of one bus partition
 * and the offset it was taken before, in one row so that both change together.
 */
export const engineCheckpoints: StateMigration = {
  async up(db: Kysely<unknown>, dialect) {
    await db.schema
      .createTable('engine_checkpoints')
      .ifNotExists()
      .addColumn('grp', 'text', (c) => c.notNull())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('partition', 'integer', (c) => c.notNull())
      .addColumn('next_offset', 'bigint', (c) => c.notNull())
      .addColumn('state', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('engine_checkpoints_pk', ['grp', 'topic', 'partition'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('engine_checkpoints').ifExists().execute();
  },
};
