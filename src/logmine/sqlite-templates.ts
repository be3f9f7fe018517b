import { Kysely, SqliteDialect } from 'kysely';
import { openDatabase } from '../shared/sqlite.js';
import { logTemplates } from '../store/state/migrations/0005-log-templates.js';
import type { StateDatabase } from '../store/state/schema.js';
import { KyselyTemplateRepository, type TemplateRepository } from './template-repository.js';

/** The templates table in an embedded state file, for `faultline logmine --state FILE`. */
export function openSqliteTemplates(file: string): {
  repository(): Promise<TemplateRepository>;
  close(): Promise<void>;
} {
  const db = new Kysely<StateDatabase>({
    dialect: new SqliteDialect({ database: openDatabase(file) }),
  });
  return {
    async repository() {
      // A state file the server already migrated has the table; a bare file gets it here.
      await logTemplates.up(db as unknown as Kysely<unknown>, 'sqlite');
      return new KyselyTemplateRepository(db);
    },
    close: () => db.destroy(),
  };
}
