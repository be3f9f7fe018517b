import { type Kysely, sql } from 'kysely';
import type { StateDialect, StateMigration } from './types.js';

/**
 * Fleet events written in the transaction of the change they describe, and put on the bus after
 * it committed (a transactional outbox): a bus that is down delays them, never loses them.
 */
export const fleetOutbox: StateMigration = {
  async up(db: Kysely<unknown>, dialect: StateDialect) {
    const serial = sql.raw(
      dialect === 'postgres' ? 'bigserial primary key' : 'integer primary key autoincrement',
    );
    await sql`create table fleet_outbox (seq ${serial}, event text not null)`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('fleet_outbox').execute();
  },
};
