import type { Kysely } from 'kysely';
import type { HwType } from '../model/event.js';
import type { LeaseTable, NodeTable, StateDatabase } from '../store/state/schema.js';
import type { Component, Dpu, HistoryEntry, Lease, Network, Node, Tenant } from './model.js';
import type { ProvisionState } from './provision-states.js';

/** Statuses in which a lease still holds, or will hold, its node. */
export const OPEN_LEASE_STATUSES = ['pending', 'active'] as const;

export function toNode(r: NodeTable): Node {
  return {
    id: r.id,
    resourceClass: r.resource_class,
    rack: r.rack_id,
    bmcAddress: r.bmc_address,
    provisionState: r.provision_state as ProvisionState,
    targetProvisionState: r.target_provision_state as ProvisionState | null,
    powerState: r.power_state,
    maintenance: r.maintenance === 1,
    maintenanceReason: r.maintenance_reason,
    fault: r.fault,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toLease(r: LeaseTable): Lease {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    nodeId: r.node_id,
    resourceClass: r.resource_class,
    start: r.start_at,
    end: r.end_at,
    status: r.status,
    activatedAt: r.activated_at,
    diskId: r.disk_id,
    networkIds: JSON.parse(r.network_ids) as string[],
    evacuatedFrom: r.evacuated_from,
    reason: r.reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Reads and writes of the leasing core's tables. It takes a `Kysely`, so the same code runs on
 * the store or inside a `StateStore.transaction` (a Transaction is a Kysely).
 */
export class FleetRepository {
  constructor(readonly db: Kysely<StateDatabase>) {}

  // tenants
  async insertTenant(t: Tenant): Promise<void> {
    await this.db.insertInto('tenants').values({ id: t.id, name: t.name, created_at: t.createdAt }).execute();
  }
  async tenant(id: string): Promise<Tenant | undefined> {
    const r = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return r === undefined ? undefined : { id: r.id, name: r.name, createdAt: r.created_at };
  }
  async tenants(): Promise<Tenant[]> {
    const rows = await this.db.selectFrom('tenants').selectAll().orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
  }

  // racks and switch ports
  async ensureRack(id: string, at: string, location?: string): Promise<void> {
    await this.db
      .insertInto('racks')
      .values({ id, location: location ?? null, created_at: at })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
  async ensureSwitchPort(switchPort: string, rack: string | null): Promise<string> {
    const [switchName, ...rest] = switchPort.split(':');
    const portName = rest.join(':');
    await this.db
      .insertInto('switch_ports')
      .values({ id: switchPort, switch_name: switchName ?? switchPort, port_name: portName, rack_id: rack })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return switchPort;
  }

  // nodes
  async insertNode(n: Node): Promise<void> {
    await this.db
      .insertInto('nodes')
      .values({
        id: n.id,
        resource_class: n.resourceClass,
        rack_id: n.rack,
        bmc_address: n.bmcAddress,
        provision_state: n.provisionState,
        target_provision_state: n.targetProvisionState,
        power_state: n.powerState,
        maintenance: n.maintenance ? 1 : 0,
        maintenance_reason: n.maintenanceReason,
        fault: n.fault,
        last_error: n.lastError,
        created_at: n.createdAt,
        updated_at: n.updatedAt,
      })
      .execute();
  }
  async node(id: string): Promise<Node | undefined> {
    const r = await this.db.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst();
    return r === undefined ? undefined : toNode(r);
  }
  /** The node row locked for update on PostgreSQL (SQLite serializes writers anyway). */
  async nodeForUpdate(id: string, pg: boolean): Promise<Node | undefined> {
    let q = this.db.selectFrom('nodes').selectAll().where('id', '=', id);
    if (pg) q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r === undefined ? undefined : toNode(r);
  }
  async nodes(filter: { resourceClass?: string; ids?: string[] } = {}): Promise<Node[]> {
    let q = this.db.selectFrom('nodes').selectAll().orderBy('id');
    if (filter.resourceClass !== undefined) q = q.where('resource_class', '=', filter.resourceClass);
    if (filter.ids !== undefined) {
      if (filter.ids.length === 0) return [];
      q = q.where('id', 'in', filter.ids);
    }
    return (await q.execute()).map(toNode);
  }
  async updateNode(
    id: string,
    set: Partial<Omit<NodeTable, 'id' | 'created_at'>> & { updated_at: string },
  ): Promise<void> {
    await this.db.updateTable('nodes').set(set).where('id', '=', id).execute();
  }

  async appendHistory(e: {
    nodeId: string;
    at: string;
    event: string;
    from?: string | null;
    to?: string | null;
    detail?: Record<string, unknown>;
  }): Promise<void> {
    await this.db
      .insertInto('node_history')
      .values({
        node_id: e.nodeId,
        at: e.at,
        event: e.event,
        from_state: e.from ?? null,
        to_state: e.to ?? null,
        detail: e.detail === undefined ? null : JSON.stringify(e.detail),
      })
      .execute();
  }
  async history(nodeId: string, window?: { from: string; to: string }[]): Promise<HistoryEntry[]> {
    let q = this.db.selectFrom('node_history').selectAll().where('node_id', '=', nodeId).orderBy('seq');
    if (window !== undefined) {
      if (window.length === 0) return [];
      q = q.where((eb) => eb.or(window.map((w) => eb.and([eb('at', '>=', w.from), eb('at', '<', w.to)]))));
    }
    return (await q.execute()).map((r) => ({
      seq: r.seq,
      at: r.at,
      event: r.event,
      from: r.from_state,
      to: r.to_state,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
    }));
  }

  // inventory
  async replaceComponents(nodeId: string, components: Component[]): Promise<void> {
    await this.db.deleteFrom('node_components').where('node_id', '=', nodeId).execute();
    if (components.length === 0) return;
    await this.db
      .insertInto('node_components')
      .values(
        components.map((c) => ({
          node_id: nodeId,
          id: c.id,
          type: c.type,
          location: c.location,
          serial: c.serial ?? null,
          manufacturer: c.manufacturer ?? null,
          model: c.model ?? null,
          detail: c.detail === undefined ? null : JSON.stringify(c.detail),
        })),
      )
      .execute();
  }
  async components(nodeId: string): Promise<Component[]> {
    const rows = await this.db
      .selectFrom('node_components')
      .selectAll()
      .where('node_id', '=', nodeId)
      .orderBy('id')
      .execute();
    return rows.map((r) => {
      const c: Component = { id: r.id, type: r.type as HwType, location: r.location };
      if (r.serial !== null) c.serial = r.serial;
      if (r.manufacturer !== null) c.manufacturer = r.manufacturer;
      if (r.model !== null) c.model = r.model;
      if (r.detail !== null) c.detail = JSON.parse(r.detail) as Record<string, unknown>;
      return c;
    });
  }
  async replaceDpu(nodeId: string, rack: string | null, dpu: Dpu): Promise<void> {
    await this.db.deleteFrom('dpus').where('node_id', '=', nodeId).execute();
    await this.db.deleteFrom('dpu_ports').where('node_id', '=', nodeId).execute();
    await this.db
      .insertInto('dpus')
      .values({ node_id: nodeId, id: dpu.id, model: dpu.model ?? null, serial: dpu.serial ?? null })
      .execute();
    for (const p of dpu.ports) {
      const sp = p.switchPort === undefined ? null : await this.ensureSwitchPort(p.switchPort, rack);
      await this.db
        .insertInto('dpu_ports')
        .values({ node_id: nodeId, name: p.name, mac: p.mac ?? null, switch_port_id: sp })
        .execute();
    }
  }
  async dpu(nodeId: string): Promise<Dpu | undefined> {
    const d = await this.db.selectFrom('dpus').selectAll().where('node_id', '=', nodeId).executeTakeFirst();
    if (d === undefined) return undefined;
    const ports = await this.db
      .selectFrom('dpu_ports')
      .selectAll()
      .where('node_id', '=', nodeId)
      .orderBy('name')
      .execute();
    const out: Dpu = {
      id: d.id,
      ports: ports.map((p) => ({
        name: p.name,
        ...(p.mac === null ? {} : { mac: p.mac }),
        ...(p.switch_port_id === null ? {} : { switchPort: p.switch_port_id }),
      })),
    };
    if (d.model !== null) out.model = d.model;
    if (d.serial !== null) out.serial = d.serial;
    return out;
  }
  async setSegment(nodeId: string, port: string, vni: number, present: boolean, at: string): Promise<void> {
    if (present)
      await this.db
        .insertInto('port_segments')
        .values({ node_id: nodeId, port_name: port, vni, programmed_at: at })
        .onConflict((oc) => oc.columns(['node_id', 'port_name', 'vni']).doNothing())
        .execute();
    else
      await this.db
        .deleteFrom('port_segments')
        .where('node_id', '=', nodeId)
        .where('port_name', '=', port)
        .where('vni', '=', vni)
        .execute();
  }
  async segments(nodeId?: string): Promise<{ nodeId: string; port: string; vni: number }[]> {
    let q = this.db.selectFrom('port_segments').selectAll();
    if (nodeId !== undefined) q = q.where('node_id', '=', nodeId);
    return (await q.execute()).map((r) => ({ nodeId: r.node_id, port: r.port_name, vni: r.vni }));
  }

  // leases
  async insertLease(l: Lease): Promise<void> {
    await this.db
      .insertInto('leases')
      .values({
        id: l.id,
        tenant_id: l.tenantId,
        node_id: l.nodeId,
        resource_class: l.resourceClass,
        start_at: l.start,
        end_at: l.end,
        status: l.status,
        activated_at: l.activatedAt,
        disk_id: l.diskId,
        network_ids: JSON.stringify(l.networkIds),
        evacuated_from: l.evacuatedFrom,
        reason: l.reason,
        created_at: l.createdAt,
        updated_at: l.updatedAt,
      })
      .execute();
  }
  async lease(id: string): Promise<Lease | undefined> {
    const r = await this.db.selectFrom('leases').selectAll().where('id', '=', id).executeTakeFirst();
    return r === undefined ? undefined : toLease(r);
  }
  async leases(filter: { tenantId?: string; nodeId?: string; status?: string[] } = {}): Promise<Lease[]> {
    let q = this.db.selectFrom('leases').selectAll().orderBy('start_at').orderBy('id');
    if (filter.tenantId !== undefined) q = q.where('tenant_id', '=', filter.tenantId);
    if (filter.nodeId !== undefined) q = q.where('node_id', '=', filter.nodeId);
    if (filter.status !== undefined) q = q.where('status', 'in', filter.status as LeaseTable['status'][]);
    return (await q.execute()).map(toLease);
  }
  async updateLease(
    id: string,
    set: Partial<Omit<LeaseTable, 'id' | 'created_at'>> & { updated_at: string },
  ): Promise<void> {
    await this.db.updateTable('leases').set(set).where('id', '=', id).execute();
  }
  /**
   * The lease that held node `nodeId` at `at`: one probe of index leases_node_start (node
   * equality, start <= at, newest first), then the end check on that row.
   */
  whoLeasedAtQuery(nodeId: string, at: string) {
    return this.db
      .selectFrom('leases')
      .selectAll()
      .where('node_id', '=', nodeId)
      .where('start_at', '<=', at)
      .where('activated_at', 'is not', null)
      .orderBy('start_at', 'desc')
      .limit(1);
  }
  async whoLeasedAt(nodeId: string, at: string): Promise<Lease | undefined> {
    const r = await this.whoLeasedAtQuery(nodeId, at).executeTakeFirst();
    if (r === undefined || r.end_at <= at) return undefined;
    return toLease(r);
  }
  /** Nodes of a class with a blocking lease overlapping [start, end). */
  async busyNodes(resourceClass: string, start: string, end: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('leases')
      .select('node_id')
      .where('resource_class', '=', resourceClass)
      .where('start_at', '<', end)
      .where('end_at', '>', start)
      .where((eb) =>
        eb.or([eb('status', 'in', [...OPEN_LEASE_STATUSES]), eb('activated_at', 'is not', null)]),
      )
      .execute();
    return new Set(rows.map((r) => r.node_id));
  }

  // networks
  async insertNetwork(n: Network): Promise<void> {
    await this.db
      .insertInto('networks')
      .values({ id: n.id, tenant_id: n.tenantId, name: n.name, vni: n.vni, created_at: n.createdAt })
      .execute();
  }
  async network(id: string): Promise<Network | undefined> {
    const r = await this.db.selectFrom('networks').selectAll().where('id', '=', id).executeTakeFirst();
    return r === undefined
      ? undefined
      : { id: r.id, tenantId: r.tenant_id, name: r.name, vni: r.vni, createdAt: r.created_at };
  }
  async networks(tenantId?: string): Promise<Network[]> {
    let q = this.db.selectFrom('networks').selectAll().orderBy('vni');
    if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
    return (await q.execute()).map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      name: r.name,
      vni: r.vni,
      createdAt: r.created_at,
    }));
  }
  async deleteNetwork(id: string): Promise<void> {
    await this.db.deleteFrom('networks').where('id', '=', id).execute();
  }
  /** The lowest VNI of [min, max] no network holds. */
  async freeVni(min: number, max: number): Promise<number | undefined> {
    const used = await this.db
      .selectFrom('networks')
      .select('vni')
      .where('vni', '>=', min)
      .where('vni', '<=', max)
      .orderBy('vni')
      .execute();
    let want = min;
    for (const { vni } of used) {
      if (vni > want) break;
      want = vni + 1;
    }
    return want <= max ? want : undefined;
  }
}

/** Is this database error a refused overlapping lease (exclusion constraint, or the SQLite trigger)? */
export function isLeaseOverlap(error: unknown): boolean {
  const e = error as { code?: string; message?: string; constraint?: string };
  return e?.code === '23P01' || (typeof e?.message === 'string' && e.message.includes('lease_overlap'));
}

/** Is this a unique-key violation (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY)? */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
