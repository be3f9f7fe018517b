import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { errorMessage, FaultlineError } from '../../shared/errors.js';
import type { HealthStatus } from '../../shared/health.js';
import { openDatabase } from '../../shared/sqlite.js';
import { ApiKeyRepository } from './api-keys.js';
import { type AuditEntry, AuditRepository, MetaRepository } from './meta-audit.js';
import { migrationProvider, type StateDialect } from './migrations/index.js';
import type { StateDatabase } from './schema.js';

/**
 * What a unit of work sees: the database handle (the store's, or an open transaction's) and the
 * repositories bound to it. Repositories take a `Kysely`, and a `Transaction` is one, so the same
 * repository code runs inside or outside a transaction.
 */
export interface StateScope {
  readonly db: Kysely<StateDatabase>;
  readonly apiKeys: ApiKeyRepository;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  audit(entry: AuditEntry): Promise<void>;
}

/**
 * The state store port (DESIGN §2): tenants, nodes, leases, alerts, tickets, rules and keys. One
 * Kysely schema and one migration list over two dialects: SQLite (embedded) and PostgreSQL.
 */
export interface StateStore extends StateScope {
  readonly kind: StateDialect;
  /**
   * Runs `fn` in one transaction: every write through the scope it gets commits together, or
   * none does if `fn` throws (the error is rethrown). Not reentrant: do not call it inside `fn`.
   */
  transaction<T>(fn: (tx: StateScope) => Promise<T>): Promise<T>;
  migrate(): Promise<void>;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}

class KyselyScope implements StateScope {
  readonly apiKeys: ApiKeyRepository;
  private readonly meta: MetaRepository;
  private readonly auditLog: AuditRepository;

  constructor(readonly db: Kysely<StateDatabase>) {
    this.apiKeys = new ApiKeyRepository(db);
    this.meta = new MetaRepository(db);
    this.auditLog = new AuditRepository(db);
  }

  getMeta(key: string): Promise<string | undefined> {
    return this.meta.get(key);
  }

  setMeta(key: string, value: string): Promise<void> {
    return this.meta.set(key, value);
  }

  audit(entry: AuditEntry): Promise<void> {
    return this.auditLog.append(entry);
  }
}

class KyselyStateStore extends KyselyScope implements StateStore {
  constructor(
    readonly kind: StateDialect,
    db: Kysely<StateDatabase>,
    private readonly schema?: string,
  ) {
    super(db);
  }

  transaction<T>(fn: (tx: StateScope) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new KyselyScope(trx)));
  }

  async migrate(): Promise<void> {
    const schema = this.schema;
    if (schema !== undefined)
      // Two processes starting at once both run `if not exists` and one fails on pg_namespace's
      // unique key: serialize the creation under a transaction-scoped advisory lock.
      await this.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext(${`faultline schema ${schema}`}))`.execute(trx);
        await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
      });
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
      provider: migrationProvider(this.kind),
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

const INT8_OID = 20;
const TIMESTAMPTZ_OID = 1184;

/**
 * Row values as the schema types say, the same on both dialects: `timestamptz` as the ISO 8601
 * string SQLite stores (not a Date), `int8` (bigserial, count) as a number — no sequence or count
 * of this store comes near 2^53.
 */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID) return (v) => Number(v);
  if (oid === TIMESTAMPTZ_OID) {
    const parseDate = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (value: string) => Date;
    return (v) => parseDate(v).toISOString();
  }
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
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
    types: { getTypeParser },
    max: options.max ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  return new KyselyStateStore(
    'postgres',
    new Kysely<StateDatabase>({ dialect: new PostgresDialect({ pool }) }),
    schema,
  );
}
