import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiKeyTable, StateDatabase } from './schema.js';

export type Role = ApiKeyTable['role'];

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  tenantId: string | null;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Keys are 32 random bytes; storing their SHA-256 is enough (no dictionary to attack). */
export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function generateKeySecret(): string {
  return `flk_${randomBytes(32).toString('base64url')}`;
}

function toApiKey(row: ApiKeyTable): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    tenantId: row.tenant_id,
    prefix: row.key_prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export class ApiKeyRepository {
  constructor(private readonly db: Kysely<StateDatabase>) {}

  /** Stores a key; `secret` is generated unless given (bootstrap from FAULTLINE_ADMIN_KEY). */
  async create(input: {
    name: string;
    role: Role;
    tenantId?: string | null;
    secret?: string;
  }): Promise<{ key: ApiKey; secret: string }> {
    const secret = input.secret ?? generateKeySecret();
    const row: ApiKeyTable = {
      id: randomUUID(),
      name: input.name,
      role: input.role,
      tenant_id: input.tenantId ?? null,
      key_hash: hashKey(secret),
      key_prefix: secret.slice(0, 8),
      created_at: new Date().toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    return { key: toApiKey(row), secret };
  }

  /** The active (not revoked) key for a presented secret, or undefined. */
  async verify(secret: string): Promise<ApiKey | undefined> {
    const key = await this.findBySecret(secret);
    return key?.revokedAt === null ? key : undefined;
  }

  async touch(id: string, at = new Date().toISOString()): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  /** The key for a presented secret, revoked or not. */
  async findBySecret(secret: string): Promise<ApiKey | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', hashKey(secret))
      .executeTakeFirst();
    return row === undefined ? undefined : toApiKey(row);
  }

  async list(): Promise<ApiKey[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
    return rows.map(toApiKey);
  }

  async get(id: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toApiKey(row);
  }

  async revoke(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async countActiveAdmins(): Promise<number> {
    const r = await this.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'admin')
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
