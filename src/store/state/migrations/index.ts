import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { apiKeysAndMeta } from './0001-api-keys-and-meta.js';
import { auditLog } from './0002-audit-log.js';
import { fleet } from './0003-fleet.js';
import { alerts } from './0004-alerts.js';
import { logTemplates } from './0005-log-templates.js';
import { fleetOutbox } from './0006-fleet-outbox.js';
import { engineCheckpoints } from './0007-engine-checkpoints.js';
import { logTemplateCatalogue } from './0008-log-template-catalogue.js';
import type { StateDialect, StateMigration } from './types.js';

/**
 * Every migration, by the name recorded in `kysely_migration` (names sort in the order they run;
 * a shipped name never changes, or databases in the field would run it twice). Add a file to this
 * folder and one line here.
 */
export const STATE_MIGRATIONS: Readonly<Record<string, StateMigration>> = {
  '0001-api-keys-and-meta': apiKeysAndMeta,
  '0002-audit-log': auditLog,
  '0003-fleet': fleet,
  '0004-alerts': alerts,
  '0005-log-templates': logTemplates,
  '0006-fleet-outbox': fleetOutbox,
  '0007-engine-checkpoints': engineCheckpoints,
  '0008-log-template-catalogue': logTemplateCatalogue,
};

export function migrationProvider(dialect: StateDialect): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(STATE_MIGRATIONS)) {
        const down = m.down;
        out[name] = {
          up: (db: Kysely<unknown>) => m.up(db, dialect),
          ...(down === undefined ? {} : { down: (db: Kysely<unknown>) => down(db, dialect) }),
        };
      }
      return out;
    },
  };
}

export type { StateDialect, StateMigration } from './types.js';
