import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { errorMessage, FaultlineError } from '../../shared/errors.js';
import type { HealthStatus } from '../../shared/health.js';
import { openDatabase } from '../../shared/sqlite.js';
import { ApiKeyRepository } from './api-keys.js';
import { migrationProvider } from './migrations.js';
import type { StateDatabase } from './schema.js';

/**
 * The state store port (DESIGN §2): tenants, nodes, leases, alerts, tickets, rules and keys. One
 * Kysely schema and one migration list over two dialects: SQLite (embedded) and PostgreSQL.
 */
export interface StateStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Kysely<StateDatabase>;
  readonly apiKeys: ApiKeyRepository;
  migrate(): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  audit(entry: { actor: string; action: string; target: string; detail?: unknown }): Promise<void>;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}

class KyselyStateStore implements StateStore {
  readonly apiKeys: ApiKeyRepository;

  constructor(
    readonly kind: 'sqlite' | 'postgres',
    readonly db: Kysely<StateDatabase>,
    private readonly schema?: string,
  ) {
    this.apiKeys = new ApiKeyRepository(db);
  }

  async migrate(): Promise<void> {
    if (this.schema !== undefined)
      await sql`create schema if not exists ${sql.id(this.schema)}`.execute(this.db);
    // Kysely looks for its bookkeeping tables in every schema unless told which one: a
    // `kysely_migration` table in another schema of the same database (another instance, a test)
    // made it skip creating ours and then fail on the unqualified name. Name the schema we migrate.
    let migrationTableSchema: string | undefined;
    if (this.kind === 'postgres') {
      migrationTableSchema =
        this.schema ?? (await sql<{ s: string }>`select current_schema() as s`.execute(this.db)).rows[0]?.s;
    }
    const migrator = new Migrator({
      db: this.db,
      provider: migrationProvider,
      ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new FaultlineError(
        'FAULTLINE_STORE_FAILED',
        `state migration ${failed} failed: ${errorMessage(error)}`,
        undefined,
        {
          cause: error,
        },
      );
    }
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    const updated_at = new Date().toISOString();
    await this.db
      .insertInto('meta')
      .values({ key, value, updated_at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at }))
      .execute();
  }

  async audit(entry: { actor: string; action: string; target: string; detail?: unknown }): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: new Date().toISOString(),
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
      })
      .execute();
  }

  async health(): Promise<HealthStatus> {
    try {
      await sql`select 1`.execute(this.db);
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: errorMessage(error) };
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

export function createSqliteStateStore(file: string): StateStore {
  const database = openDatabase(file);
  return new KyselyStateStore(
    'sqlite',
    new Kysely<StateDatabase>({ dialect: new SqliteDialect({ database }) }),
  );
}

/**
 * PostgreSQL state store. `schema` puts every table in its own schema (tests use one per test); it is
 * created if missing and set as the connection's search_path.
 */
export function createPostgresStateStore(
  url: string,
  options: { schema?: string; max?: number } = {},
): StateStore {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema))
    throw new Error(`invalid schema name ${schema}`);
  // search_path as a startup option applies before the first query on every pooled connection.
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  return new KyselyStateStore(
    'postgres',
    new Kysely<StateDatabase>({ dialect: new PostgresDialect({ pool }) }),
    schema,
  );
}
