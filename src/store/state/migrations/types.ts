import type { Kysely } from 'kysely';

/** The SQL dialect a state store speaks; passed to every migration, never guessed. */
export type StateDialect = 'sqlite' | 'postgres';

/**
 * One schema step. A shipped migration is never edited (databases in the field have run it);
 * change the schema by adding a file to this folder and a line to `index.ts`.
 */
export interface StateMigration {
  up(db: Kysely<unknown>, dialect: StateDialect): Promise<void>;
  down?(db: Kysely<unknown>, dialect: StateDialect): Promise<void>;
}
