import type { ColumnType, Generated } from 'kysely';

/**
 * Tables of the state store. Times are ISO 8601 UTC strings with milliseconds on both dialects:
 * SQLite stores that text (it sorts as time); PostgreSQL stores fleet times as `timestamptz`, and
 * the store's connection pool reads `timestamptz` back as the same ISO string and `int8` as a
 * number, so the row types below are true on both.
 */
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

export interface TenantTable {
  id: string;
  name: string;
  created_at: string;
}

export interface RackTable {
  id: string;
  location: string | null;
  created_at: string;
}

export interface SwitchPortTable {
  id: string;
  switch_name: string;
  port_name: string;
  rack_id: string | null;
}

export interface NodeTable {
  id: string;
  resource_class: string;
  rack_id: string | null;
  bmc_address: string | null;
  provision_state: string;
  target_provision_state: string | null;
  power_state: string;
  /** 0 or 1 on both dialects. */
  maintenance: number;
  maintenance_reason: string | null;
  fault: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface NodeComponentTable {
  node_id: string;
  id: string;
  type: string;
  location: string;
  serial: string | null;
  manufacturer: string | null;
  model: string | null;
  /** JSON object of further properties (speed, capacity, firmware). */
  detail: string | null;
}

export interface DpuTable {
  node_id: string;
  id: string;
  model: string | null;
  serial: string | null;
}

export interface DpuPortTable {
  node_id: string;
  name: string;
  mac: string | null;
  switch_port_id: string | null;
}

export interface NetworkTable {
  id: string;
  tenant_id: string;
  name: string;
  vni: number;
  created_at: string;
}

export interface PortSegmentTable {
  node_id: string;
  port_name: string;
  vni: number;
  programmed_at: string;
}

export const LEASE_STATUSES = ['pending', 'active', 'expired', 'cancelled', 'error', 'evacuated'] as const;
export type LeaseStatus = (typeof LEASE_STATUSES)[number];

export interface LeaseTable {
  id: string;
  tenant_id: string;
  node_id: string;
  resource_class: string;
  start_at: string;
  end_at: string;
  status: LeaseStatus;
  activated_at: string | null;
  disk_id: string;
  /** JSON array of network ids the lease's node is attached to. */
  network_ids: string;
  evacuated_from: string | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface NodeHistoryTable {
  seq: ColumnType<number, never, never>;
  node_id: string;
  at: string;
  event: string;
  from_state: string | null;
  to_state: string | null;
  detail: string | null;
}

/** A mined log template (src/logmine); `count` is a bigint column, read as a number. */
export interface LogTemplateTable {
  id: string;
  template: string;
  count: number;
  first_seen: string;
  last_seen: string;
  /** Catalogue version that last created or generalized the template (0008). */
  version: ColumnType<number, number | undefined, number>;
}

/** The shared template catalogue's version counter (one row, id 1); also its write lock. */
export interface LogTemplateCatalogueTable {
  id: number;
  version: number;
}

/** A fleet event waiting for the bus (JSON of src/fleet/fleet-event.ts FleetEvent). */
export interface FleetOutboxTable {
  seq: ColumnType<number, never, never>;
  event: string;
}

export interface StateDatabase {
  log_templates: LogTemplateTable;
  log_template_catalogue: LogTemplateCatalogueTable;
  api_keys: ApiKeyTable;
  meta: MetaTable;
  audit_log: AuditTable;
  tenants: TenantTable;
  racks: RackTable;
  switch_ports: SwitchPortTable;
  nodes: NodeTable;
  node_components: NodeComponentTable;
  dpus: DpuTable;
  dpu_ports: DpuPortTable;
  networks: NetworkTable;
  port_segments: PortSegmentTable;
  leases: LeaseTable;
  node_history: NodeHistoryTable;
  fleet_outbox: FleetOutboxTable;
}
