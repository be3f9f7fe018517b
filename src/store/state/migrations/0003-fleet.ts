import { type Kysely, sql } from 'kysely';
import type { StateDialect, StateMigration } from './types.js';

/**
 * The leasing core's tables (src/fleet/). Fleet times are `timestamptz` on PostgreSQL, so the
 * database itself refuses two overlapping leases of one node (an exclusion constraint over
 * `tstzrange`); SQLite keeps ISO 8601 text (which sorts as time) and refuses them in a trigger,
 * which runs inside SQLite's single writer lock and so is serialized.
 */
export const fleet: StateMigration = {
  async up(db: Kysely<unknown>, dialect: StateDialect) {
    const pg = dialect === 'postgres';
    const ts = sql.raw(pg ? 'timestamptz' : 'text');
    const serial = sql.raw(pg ? 'bigserial primary key' : 'integer primary key autoincrement');
    const statements = [
      sql`create table tenants (
        id text primary key,
        name text not null unique,
        created_at ${ts} not null)`,
      sql`create table racks (
        id text primary key,
        location text,
        created_at ${ts} not null)`,
      sql`create table switch_ports (
        id text primary key,
        switch_name text not null,
        port_name text not null,
        rack_id text references racks(id),
        unique (switch_name, port_name))`,
      sql`create table nodes (
        id text primary key,
        resource_class text not null,
        rack_id text references racks(id),
        bmc_address text,
        provision_state text not null,
        target_provision_state text,
        power_state text not null,
        maintenance integer not null default 0,
        maintenance_reason text,
        fault text,
        last_error text,
        created_at ${ts} not null,
        updated_at ${ts} not null)`,
      sql`create index nodes_class_state on nodes (resource_class, provision_state)`,
      sql`create table node_components (
        node_id text not null references nodes(id) on delete cascade,
        id text not null,
        type text not null,
        location text not null,
        serial text,
        manufacturer text,
        model text,
        detail text,
        primary key (node_id, id))`,
      sql`create table dpus (
        node_id text primary key references nodes(id) on delete cascade,
        id text not null unique,
        model text,
        serial text)`,
      sql`create table dpu_ports (
        node_id text not null references nodes(id) on delete cascade,
        name text not null,
        mac text,
        switch_port_id text references switch_ports(id),
        primary key (node_id, name))`,
      sql`create table networks (
        id text primary key,
        tenant_id text not null references tenants(id),
        name text not null,
        vni integer not null unique,
        created_at ${ts} not null,
        unique (tenant_id, name))`,
      sql`create table port_segments (
        node_id text not null,
        port_name text not null,
        vni integer not null,
        programmed_at ${ts} not null,
        primary key (node_id, port_name, vni),
        foreign key (node_id, port_name) references dpu_ports(node_id, name) on delete cascade)`,
      sql`create table leases (
        id text primary key,
        tenant_id text not null references tenants(id),
        node_id text not null references nodes(id),
        resource_class text not null,
        start_at ${ts} not null,
        end_at ${ts} not null,
        status text not null check (status in ('pending', 'active', 'expired', 'cancelled', 'error', 'evacuated')),
        activated_at ${ts},
        disk_id text not null,
        network_ids text not null,
        evacuated_from text references leases(id),
        reason text,
        created_at ${ts} not null,
        updated_at ${ts} not null,
        check (end_at > start_at))`,
      // "Who leased node X at T": node equality, then a range scan on start.
      sql`create index leases_node_start on leases (node_id, start_at)`,
      sql`create index leases_tenant_start on leases (tenant_id, start_at)`,
      sql`create index leases_status_start on leases (status, start_at)`,
      sql`create table node_history (
        seq ${serial},
        node_id text not null,
        at ${ts} not null,
        event text not null,
        from_state text,
        to_state text,
        detail text)`,
      sql`create index node_history_node on node_history (node_id, seq)`,
    ];
    for (const s of statements) await s.execute(db);
    // A lease blocks its node while pending or active, and for the span it really held the node
    // afterwards (ending early truncates end_at); a lease cancelled before it started never held it.
    if (pg) {
      await createBtreeGist(db);
      await sql`alter table leases add constraint leases_no_overlap exclude using gist (
          node_id with =, tstzrange(start_at, end_at, '[)') with &&)
        where (status in ('pending', 'active') or activated_at is not null)`.execute(db);
    } else {
      const blocking = (t: string) =>
        sql.raw(`(${t}.status in ('pending', 'active') or ${t}.activated_at is not null)`);
      const clash = sql`select raise(abort, 'lease_overlap') where exists (
          select 1 from leases l where l.node_id = new.node_id and l.id <> new.id and ${blocking('l')}
            and l.start_at < new.end_at and new.start_at < l.end_at)`;
      await sql`create trigger leases_no_overlap_insert before insert on leases
        when ${blocking('new')} begin ${clash}; end`.execute(db);
      await sql`create trigger leases_no_overlap_update
        before update of node_id, start_at, end_at, status, activated_at on leases
        when ${blocking('new')} begin ${clash}; end`.execute(db);
    }
  },
};

/**
 * btree_gist gives `text` a GiST operator class (needed for `node_id with =` in the exclusion
 * constraint). It is trusted since PostgreSQL 13, so the database owner may create it. It goes in
 * `public`, not in this store's schema: dropping one store's schema must not take it from the others.
 * Kysely's migrator holds a database-wide advisory lock, so two stores never race here.
 */
async function createBtreeGist(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists btree_gist with schema public`.execute(db);
}
