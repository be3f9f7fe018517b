import { createSqliteStateStore } from '../store/state/state-store.js';
import { KyselyTemplateRepository, type TemplateRepository } from './template-repository.js';

/** The templates table in an embedded state file, for `faultline logmine --state FILE`. */
export function openSqliteTemplates(file: string): {
  repository(): Promise<TemplateRepository>;
  close(): Promise<void>;
} {
  const store = createSqliteStateStore(file);
  return {
    async repository() {
      // A state file the server already migrated is left as it is; a bare file gets the schema.
      await store.migrate();
      return new KyselyTemplateRepository(store.db);
    },
    close: () => store.close(),
  };
}
