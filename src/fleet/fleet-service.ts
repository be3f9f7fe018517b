import { randomUUID } from 'node:crypto';
import { FaultlineError } from '../shared/errors.js';
import type { StateStore } from '../store/state/state-store.js';
import type { Clock } from './clock.js';
import type { FleetEvent, FleetEventSink } from './fleet-event.js';
import {
  FleetRepository,
  isLeaseOverlap,
  isUniqueViolation,
  OPEN_LEASE_STATUSES,
} from './fleet-repository.js';
import type { Component, Dpu, Lease, Network, Node, Tenant } from './model.js';
import type { FleetOutbox } from './outbox.js';
import { allowedVerbs, nextState, type ProvisionVerb } from './provision-states.js';

export interface FleetServiceOptions {
  /** Where events go to the bus, written in each change's transaction (see outbox.ts). */
  outbox?: FleetOutbox;
  /** VNIs handed to tenant networks, inclusive. */
  vniPool?: { min: number; max: number };
}

export interface NewNode {
  id: string;
  resourceClass: string;
  rack?: string;
  bmcAddress?: string;
  components?: Component[];
  dpu?: Dpu;
}

export interface NewLease {
  tenantId: string;
  nodeId?: string;
  resourceClass?: string;
  count?: number;
  start: string;
  end: string;
  networkIds?: string[];
  /** The cloud disk to boot; a new one is named after the lease when absent. */
  diskId?: string;
}

/** What one unit of work did: its events go out after it commits, never before. */
class Work {
  readonly events: FleetEvent[] = [];
  constructor(
    readonly repo: FleetRepository,
    readonly at: string,
  ) {}
}

/** Normalizes a time to the one ISO form both stores compare as text; undefined if it is no time. */
export function isoTime(value: string | number): string | undefined {
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

function notFound(what: string, id: string): FaultlineError {
  return new FaultlineError('FAULTLINE_NOT_FOUND', `${what} ${id} not found`);
}

/**
 * Tenants, nodes, networks and leases: every change in one transaction with its history rows, and
 * its `fleet.event`s emitted once the transaction committed. The provisioner (steps that talk to
 * drivers) and the lease scheduler build on the primitives here.
 */
export class FleetService {
  private readonly vniPool: { min: number; max: number };
  private readonly outbox: FleetOutbox | undefined;

  constructor(
    readonly store: StateStore,
    readonly sink: FleetEventSink,
    readonly clock: Clock,
    options: FleetServiceOptions = {},
  ) {
    this.vniPool = options.vniPool ?? { min: 10_000, max: 16_777_215 };
    this.outbox = options.outbox;
  }

  /** Read-only repository over the store (no transaction). */
  get repo(): FleetRepository {
    return new FleetRepository(this.store.db);
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** Who the changes are made for, in the audit log; undefined for the core's own work. */
  readonly actor: string | undefined = undefined;

  /** The same service, its changes audited as `actor`'s (an API key) in their own transaction. */
  as(actor: string): FleetService {
    const view = Object.create(this) as FleetService;
    Object.defineProperty(view, 'actor', { value: actor });
    return view;
  }

  /**
   * Runs `fn` in a transaction and emits its events after the commit. A change made for an actor
   * writes its audit entries in the same transaction: no change without its record, nor the reverse.
   */
  async work<T>(fn: (w: Work) => Promise<T>): Promise<T> {
    const at = this.nowIso();
    let events: FleetEvent[] = [];
    const result = await this.store.transaction(async (tx) => {
      const w = new Work(new FleetRepository(tx.db), at);
      const r = await fn(w);
      events = w.events;
      await this.outbox?.write(tx.db, events);
      if (this.actor !== undefined)
        for (const e of events)
          await tx.audit({
            actor: this.actor,
            action: `fleet.${e.type}`,
            target: e.lease_id ?? e.network_id ?? e.node_id ?? e.tenant_id ?? '',
            detail: e,
          });
      return r;
    });
    await this.sink.emit(events);
    if (events.length > 0) void this.outbox?.kick();
    return result;
  }

  // tenants
  async createTenant(input: { id?: string; name: string }): Promise<Tenant> {
    const tenant: Tenant = { id: input.id ?? randomUUID(), name: input.name, createdAt: this.nowIso() };
    try {
      await this.work(async (w) => {
        await w.repo.insertTenant(tenant);
        w.events.push({ type: 'tenant.create', at: w.at, tenant_id: tenant.id });
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new FaultlineError(
          'FAULTLINE_CONFLICT',
          `a tenant with id ${tenant.id} or name ${tenant.name} exists`,
        );
      throw error;
    }
    return tenant;
  }

  // nodes
  async createNode(input: NewNode): Promise<Node> {
    const at = this.nowIso();
    const node: Node = {
      id: input.id,
      resourceClass: input.resourceClass,
      rack: input.rack ?? null,
      bmcAddress: input.bmcAddress ?? null,
      provisionState: 'enroll',
      targetProvisionState: null,
      powerState: 'power off',
      maintenance: false,
      maintenanceReason: null,
      fault: null,
      lastError: null,
      createdAt: at,
      updatedAt: at,
    };
    try {
      await this.work(async (w) => {
        if (node.rack !== null) await w.repo.ensureRack(node.rack, w.at);
        await w.repo.insertNode(node);
        if (input.components !== undefined) await w.repo.replaceComponents(node.id, input.components);
        if (input.dpu !== undefined) await w.repo.replaceDpu(node.id, node.rack, input.dpu);
        await w.repo.appendHistory({ nodeId: node.id, at: w.at, event: 'create', to: 'enroll' });
        w.events.push({
          type: 'node.create',
          at: w.at,
          node_id: node.id,
          resource_class: node.resourceClass,
          to: 'enroll',
          ...(node.rack === null ? {} : { rack: node.rack }),
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new FaultlineError('FAULTLINE_CONFLICT', `node ${node.id} exists`);
      throw error;
    }
    return node;
  }

  async node(id: string): Promise<Node> {
    const n = await this.repo.node(id);
    if (n === undefined) throw notFound('node', id);
    return n;
  }

  async setInventory(nodeId: string, inventory: { components?: Component[]; dpu?: Dpu }): Promise<void> {
    await this.work(async (w) => {
      const node = await w.repo.node(nodeId);
      if (node === undefined) throw notFound('node', nodeId);
      if (inventory.components !== undefined) await w.repo.replaceComponents(nodeId, inventory.components);
      if (inventory.dpu !== undefined) await w.repo.replaceDpu(nodeId, node.rack, inventory.dpu);
      await w.repo.appendHistory({
        nodeId,
        at: w.at,
        event: 'inventory',
        detail: { components: inventory.components?.length ?? null, dpu: inventory.dpu?.id ?? null },
      });
      w.events.push({ type: 'node.inventory', at: w.at, node_id: nodeId });
    });
  }

  /**
   * Moves a node along the state machine. An edge the machine does not have is a 409 listing the
   * verbs allowed from the current state (`among` narrows them to what the caller may ask for).
   */
  async transition(
    nodeId: string,
    verb: ProvisionVerb,
    options: { reason?: string; among?: readonly ProvisionVerb[]; detail?: Partial<FleetEvent> } = {},
  ): Promise<Node> {
    return this.work(async (w) => this.transitionIn(w, nodeId, verb, options));
  }

  async transitionIn(
    w: Work,
    nodeId: string,
    verb: ProvisionVerb,
    options: { reason?: string; among?: readonly ProvisionVerb[]; detail?: Partial<FleetEvent> } = {},
  ): Promise<Node> {
    const node = await w.repo.nodeForUpdate(nodeId, this.store.kind === 'postgres');
    if (node === undefined) throw notFound('node', nodeId);
    const from = node.provisionState;
    const to =
      options.among === undefined || options.among.includes(verb) ? nextState(from, verb) : undefined;
    if (to === undefined) {
      const allowed = allowedVerbs(from, options.among);
      throw new FaultlineError(
        'FAULTLINE_INVALID_TRANSITION',
        `node ${nodeId} is ${from}: cannot ${verb} (allowed: ${allowed.join(', ') || 'none'})`,
        { state: from, verb, allowed },
      );
    }
    const failed = verb === 'fail';
    const set = {
      provision_state: to,
      target_provision_state: null,
      updated_at: w.at,
      ...(failed ? { last_error: options.reason ?? 'failed', fault: options.reason ?? 'failed' } : {}),
      // Leaving a fail state by an operator's verb clears the error, as Ironic does.
      ...(!failed && verb !== 'wait' && verb !== 'resume' && verb !== 'done' ? { last_error: null } : {}),
    };
    await w.repo.updateNode(nodeId, set);
    const detail = options.reason === undefined ? undefined : { reason: options.reason };
    await w.repo.appendHistory({
      nodeId,
      at: w.at,
      event: `provision.${verb}`,
      from,
      to,
      ...(detail ? { detail } : {}),
    });
    w.events.push({
      type: 'node.provision_set',
      at: w.at,
      node_id: nodeId,
      verb,
      from,
      to,
      resource_class: node.resourceClass,
      ...(node.rack === null ? {} : { rack: node.rack }),
      ...(options.reason === undefined ? {} : { reason: options.reason }),
      ...options.detail,
    });
    return {
      ...node,
      provisionState: to,
      updatedAt: w.at,
      ...(failed ? { lastError: options.reason ?? 'failed' } : {}),
    };
  }

  async setMaintenance(nodeId: string, on: boolean, reason?: string): Promise<Node> {
    return this.work(async (w) => this.setMaintenanceIn(w, nodeId, on, reason));
  }

  async setMaintenanceIn(w: Work, nodeId: string, on: boolean, reason?: string): Promise<Node> {
    const node = await w.repo.nodeForUpdate(nodeId, this.store.kind === 'postgres');
    if (node === undefined) throw notFound('node', nodeId);
    await w.repo.updateNode(nodeId, {
      maintenance: on ? 1 : 0,
      maintenance_reason: on ? (reason ?? null) : null,
      ...(on && reason !== undefined ? { fault: reason } : {}),
      ...(on ? {} : { fault: null }),
      updated_at: w.at,
    });
    await w.repo.appendHistory({
      nodeId,
      at: w.at,
      event: on ? 'maintenance.set' : 'maintenance.unset',
      ...(reason === undefined ? {} : { detail: { reason } }),
    });
    w.events.push({
      type: 'node.maintenance_set',
      at: w.at,
      node_id: nodeId,
      maintenance: on,
      ...(reason === undefined ? {} : { reason }),
    });
    return { ...node, maintenance: on, maintenanceReason: on ? (reason ?? null) : null, updatedAt: w.at };
  }

  async setPowerState(nodeId: string, powerState: string): Promise<void> {
    await this.work(async (w) => {
      await w.repo.updateNode(nodeId, { power_state: powerState, updated_at: w.at });
      await w.repo.appendHistory({ nodeId, at: w.at, event: 'power', to: powerState });
      w.events.push({ type: 'node.power_set', at: w.at, node_id: nodeId, power_state: powerState });
    });
  }

  /** Records a provisioning step's outcome (history + event), outside any state change. */
  async recordStep(
    nodeId: string,
    step: string,
    outcome: 'success' | 'failure',
    durationMs: number,
    extra: Partial<FleetEvent> = {},
  ): Promise<void> {
    await this.work(async (w) => {
      await w.repo.appendHistory({
        nodeId,
        at: w.at,
        event: `step.${step}`,
        detail: { outcome, durationMs, ...extra },
      });
      w.events.push({
        type: 'node.step',
        at: w.at,
        node_id: nodeId,
        step,
        outcome,
        duration_ms: durationMs,
        ...extra,
      });
    });
  }

  // networks
  async createNetwork(input: { tenantId: string; name: string }): Promise<Network> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        return await this.work(async (w) => {
          if ((await w.repo.tenant(input.tenantId)) === undefined) throw notFound('tenant', input.tenantId);
          const vni = await w.repo.freeVni(this.vniPool.min, this.vniPool.max);
          if (vni === undefined)
            throw new FaultlineError('FAULTLINE_NO_CAPACITY', 'the VNI pool is exhausted');
          const net: Network = {
            id: randomUUID(),
            tenantId: input.tenantId,
            name: input.name,
            vni,
            createdAt: w.at,
          };
          await w.repo.insertNetwork(net);
          w.events.push({
            type: 'network.create',
            at: w.at,
            network_id: net.id,
            tenant_id: net.tenantId,
            vni,
          });
          return net;
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const taken = (await this.repo.networks(input.tenantId)).some((n) => n.name === input.name);
        if (taken)
          throw new FaultlineError('FAULTLINE_CONFLICT', `tenant already has a network ${input.name}`);
        // Another request took the same VNI first: pick again.
      }
    }
    throw new FaultlineError('FAULTLINE_CONFLICT', 'could not allocate a VNI under contention; retry');
  }

  async deleteNetwork(id: string): Promise<void> {
    await this.work(async (w) => {
      const net = await w.repo.network(id);
      if (net === undefined) throw notFound('network', id);
      const using = (
        await w.repo.leases({ tenantId: net.tenantId, status: [...OPEN_LEASE_STATUSES] })
      ).filter((l) => l.networkIds.includes(id));
      if (using.length > 0)
        throw new FaultlineError('FAULTLINE_CONFLICT', `network ${id} is used by lease ${using[0]!.id}`, {
          leases: using.map((l) => l.id),
        });
      await w.repo.deleteNetwork(id);
      w.events.push({
        type: 'network.delete',
        at: w.at,
        network_id: id,
        tenant_id: net.tenantId,
        vni: net.vni,
      });
    });
  }

  // leases
  /**
   * Books one node, or `count` nodes of a class, for [start, end). The database refuses an overlap
   * (exclusion constraint / trigger); that, and a class without enough free nodes, is a 409.
   */
  async createLeases(input: NewLease): Promise<Lease[]> {
    const start = isoTime(input.start);
    const end = isoTime(input.end);
    if (start === undefined || end === undefined)
      throw new FaultlineError('FAULTLINE_VALIDATION', 'start and end must be ISO 8601 times');
    if (end <= start) throw new FaultlineError('FAULTLINE_VALIDATION', 'end must be after start');
    if (end <= this.nowIso()) throw new FaultlineError('FAULTLINE_VALIDATION', 'end is in the past');
    if (input.nodeId === undefined && input.resourceClass === undefined)
      throw new FaultlineError('FAULTLINE_VALIDATION', 'name a nodeId or a resourceClass');
    try {
      return await this.work(async (w) => {
        if ((await w.repo.tenant(input.tenantId)) === undefined) throw notFound('tenant', input.tenantId);
        const networkIds = input.networkIds ?? [];
        for (const id of networkIds) {
          const net = await w.repo.network(id);
          if (net === undefined || net.tenantId !== input.tenantId) throw notFound('network', id);
        }
        let nodes: Node[];
        if (input.nodeId !== undefined) {
          const n = await w.repo.node(input.nodeId);
          if (n === undefined) throw notFound('node', input.nodeId);
          if (n.maintenance)
            throw new FaultlineError(
              'FAULTLINE_CONFLICT',
              `node ${n.id} is in maintenance: ${n.maintenanceReason ?? ''}`,
            );
          nodes = [n];
        } else {
          const count = input.count ?? 1;
          const cls = input.resourceClass as string;
          const busy = await w.repo.busyNodes(cls, start, end);
          const free = (await w.repo.nodes({ resourceClass: cls })).filter(
            (n) => !n.maintenance && !busy.has(n.id) && n.provisionState !== 'enroll',
          );
          if (free.length < count)
            throw new FaultlineError(
              'FAULTLINE_NO_CAPACITY',
              `${free.length} node(s) of class ${cls} free for that period, ${count} asked`,
              { free: free.length, asked: count },
            );
          nodes = free.slice(0, count);
        }
        const leases: Lease[] = [];
        for (const n of nodes) {
          const id = randomUUID();
          const lease: Lease = {
            id,
            tenantId: input.tenantId,
            nodeId: n.id,
            resourceClass: n.resourceClass,
            start,
            end,
            status: 'pending',
            activatedAt: null,
            diskId: input.diskId ?? `disk-${id}`,
            networkIds,
            evacuatedFrom: null,
            reason: null,
            createdAt: w.at,
            updatedAt: w.at,
          };
          await w.repo.insertLease(lease);
          w.events.push({
            type: 'lease.create',
            at: w.at,
            lease_id: id,
            node_id: n.id,
            tenant_id: input.tenantId,
            start,
            end,
            status: 'pending',
          });
          leases.push(lease);
        }
        return leases;
      });
    } catch (error) {
      if (isLeaseOverlap(error))
        throw new FaultlineError(
          'FAULTLINE_LEASE_CONFLICT',
          `the node is already leased for part of ${start} – ${end}`,
          { nodeId: input.nodeId ?? null, start, end },
        );
      throw error;
    }
  }

  async lease(id: string): Promise<Lease> {
    const l = await this.repo.lease(id);
    if (l === undefined) throw notFound('lease', id);
    return l;
  }

  /**
   * Ends a lease: `expired` at its end, `cancelled` by a user, `error` when deploying failed,
   * `evacuated` when it moved to a spare. A lease that held its node keeps the span it really held
   * (end truncated to now), so history and "who leased X at T" stay true.
   */
  async endLeaseIn(
    w: Work,
    lease: Lease,
    status: 'expired' | 'cancelled' | 'error' | 'evacuated',
    reason?: string,
  ): Promise<Lease> {
    const held = lease.activatedAt !== null;
    const end = held && w.at < lease.end ? (w.at > lease.start ? w.at : lease.end) : lease.end;
    await w.repo.updateLease(lease.id, { status, end_at: end, reason: reason ?? null, updated_at: w.at });
    w.events.push({
      type: 'lease.end',
      at: w.at,
      lease_id: lease.id,
      node_id: lease.nodeId,
      tenant_id: lease.tenantId,
      start: lease.start,
      end,
      status,
      ...(reason === undefined ? {} : { reason }),
      ...(held ? {} : { from: 'pending' }),
    });
    return { ...lease, status, end, reason: reason ?? null, updatedAt: w.at };
  }

  /**
   * pending → active. Only from pending: when two schedulers (two replicas) start the same lease,
   * one wins and the other gets a 409 (and deploys nothing).
   */
  async activateLeaseIn(w: Work, lease: Lease): Promise<Lease> {
    const r = await w.repo.db
      .updateTable('leases')
      .set({ status: 'active', activated_at: w.at, updated_at: w.at })
      .where('id', '=', lease.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1)
      throw new FaultlineError('FAULTLINE_CONFLICT', `lease ${lease.id} is no longer pending`);
    const node = await w.repo.node(lease.nodeId);
    w.events.push({
      type: 'lease.start',
      at: w.at,
      lease_id: lease.id,
      node_id: lease.nodeId,
      tenant_id: lease.tenantId,
      start: lease.start,
      end: lease.end,
      status: 'active',
      ...(node?.rack ? { rack: node.rack } : {}),
    });
    return { ...lease, status: 'active', activatedAt: w.at, updatedAt: w.at };
  }
}

export type { Work };
