import { Kysely, SqliteDialect } from 'kysely';
import { openDatabase } from '../shared/sqlite.js';
import {
  KyselyTemplateRepository,
  type LogTemplateDatabase,
  logTemplatesMigration,
  type TemplateRepository,
} from './template-repository.js';

/** The templates table in an embedded state file, for `faultline logmine --state FILE`. */
export function openSqliteTemplates(file: string): {
  repository(): Promise<TemplateRepository>;
  close(): Promise<void>;
} {
  const db = new Kysely<LogTemplateDatabase>({
    dialect: new SqliteDialect({ database: openDatabase(file) }),
  });
  return {
    async repository() {
      await logTemplatesMigration.up(db as unknown as Kysely<unknown>);
      return new KyselyTemplateRepository(db);
    },
    close: () => db.destroy(),
  };
}
