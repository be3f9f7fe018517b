import type { Generated } from 'kysely';

/** Tables of the state store. Timestamps are ISO 8601 strings so both dialects compare them alike. */
/** Roles of API keys. Migration 0001 spells them out too, on purpose: a shipped migration never changes. */
export const ROLES = ['admin', 'sre', 'viewer', 'ingest'] as const;

export interface ApiKeyTable {
  id: string;
  name: string;
  role: (typeof ROLES)[number];
  tenant_id: string | null;
  key_hash: string;
  key_prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface AuditTable {
  seq: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: string | null;
}

export interface StateDatabase {
  api_keys: ApiKeyTable;
  meta: MetaTable;
  audit_log: AuditTable;
}
