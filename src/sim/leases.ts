import { getSource } from '../sources/registry.js';
import type { SourceId } from '../sources/types.js';
import type { SimNode, SimTenant } from './fleet.js';
import { type IronicNodeSnapshot, ironicNotification } from './formats/openstack.js';
import type { Random } from './random.js';
import type { TruthRecord } from './truth.js';
import type { NodeState, SimLease, SimProcess, SimRecord, SimWorld } from './types.js';
import { emitSel } from './world.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** What the simulated tenants ask of the fleet, in simulated time order. */
export type FleetAction =
  | { type: 'lease-start'; at: number; lease: SimLease }
  | { type: 'lease-end'; at: number; lease: SimLease };

/**
 * Where the simulator's tenants take their leases: the leasing core (src/fleet) when it is wired in,
 * which then provisions the node and emits its own fleet events, or the in-memory history below.
 * Actions of one simulated step are applied in order before that step's telemetry is published.
 */
export interface FleetControl {
  readonly kind: string;
  /** Whether the control reports provisioning itself (fleet events); if not, the simulator sends
   * ironic notifications for it, as an existing Ironic would. */
  readonly emitsFleetEvents: boolean;
  apply(action: FleetAction): Promise<void>;
  /** Lets the fleet side's own time reach `at` (its provisioning steps run), after a step's actions. */
  until?(at: number): Promise<void>;
  /** Records the fleet side produced itself (its fleet events), taken once. */
  drain?(): SimRecord[];
}

export interface LeaseSpanRecord {
  leaseId: string;
  tenantId: string;
  nodeId: string;
  start: number;
  end: number;
}

/** The default fleet side: remembers every lease, so a Topology can answer "who leased X at T". */
export class InMemoryFleetControl implements FleetControl {
  readonly kind = 'in-memory';
  readonly emitsFleetEvents = false;
  readonly leases: LeaseSpanRecord[] = [];

  async apply(action: FleetAction): Promise<void> {
    if (action.type === 'lease-start') {
      const l = action.lease;
      this.leases.push({
        leaseId: l.id,
        tenantId: l.tenant.id,
        nodeId: l.node.id,
        start: l.start,
        end: l.end,
      });
    }
  }
}

export interface LeaseOptions {
  /** Share of the fleet under lease in steady state. */
  occupancy: number;
  /** Median lease length (ms). */
  medianLease: number;
  ironicNotifications: boolean;
}

const DEPLOY_MS = [150 * SECOND, 200 * SECOND] as const;
const CLEAN_MS = [100 * SECOND, 140 * SECOND] as const;

interface Pending {
  at: number;
  run: () => void;
}

/**
 * Tenants leasing nodes: leases arrive as a Poisson process sized to keep the fleet at its occupancy,
 * each one deployed (cloud disk attached by the DPU, tenant segment programmed, power on, boot) and,
 * when it ends, cleaned (disk detached, segment removed, power off). The deploy's power cycle and the
 * port flaps of reprogramming are the fleet's own doing: recorded as truth that must not alert.
 */
export class LeaseProcess implements SimProcess {
  readonly name = 'leases';
  readonly actions: FleetAction[] = [];
  /** Every lease the tenants took, in creation order (the simulator's own "who leased X at T"). */
  readonly history: LeaseSpanRecord[] = [];
  private seq = 0;
  private readonly pending: Pending[] = [];
  private initialized = false;
  /**
   * Ironic notifications go to the fleet source once the registry has it (it decodes them into
   * `fleet.event`s, which the engine reads to tell provisioning from faults), else to the
   * OpenStack notification source, as a plain Ironic deployment would send them.
   */
  private readonly notificationSource: SourceId =
    getSource('fleet') !== undefined ? 'fleet' : 'openstack-notification';

  constructor(
    private readonly random: Random,
    private readonly options: LeaseOptions,
    private readonly truth: (record: TruthRecord) => void,
  ) {}

  private duration(): number {
    const d = Math.exp(this.random.normal(Math.log(this.options.medianLease), 0.8));
    return Math.round(Math.min(7 * 24 * HOUR, Math.max(HOUR, d)));
  }

  private tenant(tenants: readonly SimTenant[]): SimTenant {
    return this.random.weighted(
      tenants,
      tenants.map((t) => t.demand),
    );
  }

  private lease(tenant: SimTenant, node: SimNode, start: number, end: number): SimLease {
    const id = `lease-${String(++this.seq).padStart(5, '0')}`;
    this.history.push({ leaseId: id, tenantId: tenant.id, nodeId: node.id, start, end });
    return {
      id,
      tenant,
      node,
      start,
      end,
      trafficBps: Math.exp(this.random.normal(Math.log(2e9), 0.7)),
      instanceUuid: this.random.uuid(),
    };
  }

  step(world: SimWorld, from: number, to: number): void {
    const nodes = [...world.nodes.values()];
    if (!this.initialized) {
      this.initialized = true;
      // The fleet was running before the simulation began: leases already active, ending later.
      for (const state of nodes) {
        if (!this.random.chance(this.options.occupancy)) continue;
        const total = this.duration();
        const elapsed = Math.floor(this.random.float() * total);
        const lease = this.lease(
          this.tenant(world.fleet.tenants),
          state.node,
          from - elapsed,
          from - elapsed + total,
        );
        state.lease = lease;
        state.phase = 'active';
        this.actions.push({ type: 'lease-start', at: from, lease });
        this.schedule(lease.end, () => this.end(world, state, lease));
      }
    }
    this.runPending(to);
    const rate = (this.options.occupancy * nodes.length) / this.options.medianLease / 1.4;
    let t = from + this.random.exponential(1 / rate);
    while (t < to) {
      const free = nodes.filter((s) => s.phase === 'available' && s.powered && s.lease === undefined);
      if (free.length > 0) {
        const state = this.random.pick(free);
        const start = Math.floor(t);
        const lease = this.lease(
          this.tenant(world.fleet.tenants),
          state.node,
          start,
          start + this.duration(),
        );
        this.deploy(world, state, lease);
      }
      t += this.random.exponential(1 / rate);
    }
    this.runPending(to);
  }

  private schedule(at: number, run: () => void): void {
    this.pending.push({ at, run });
  }

  private runPending(to: number): void {
    for (;;) {
      let first = -1;
      for (let i = 0; i < this.pending.length; i++) {
        const p = this.pending[i]!;
        if (p.at < to && (first === -1 || p.at < this.pending[first]!.at)) first = i;
      }
      if (first === -1) return;
      const [p] = this.pending.splice(first, 1);
      p!.run();
    }
  }

  private snapshot(
    state: NodeState,
    lease: SimLease | undefined,
    change: Partial<IronicNodeSnapshot>,
  ): IronicNodeSnapshot {
    return {
      uuid: state.node.uuid,
      name: state.node.id,
      provisionState: 'available',
      previousProvisionState: 'available',
      targetProvisionState: null,
      powerState: state.powered ? 'power on' : 'power off',
      event: 'deploy',
      resourceClass: state.node.resourceClass,
      lessee: lease?.tenant.projectId ?? null,
      instanceUuid: lease?.instanceUuid ?? null,
      lastError: null,
      maintenance: false,
      ...change,
    };
  }

  private notify(
    world: SimWorld,
    at: number,
    eventType: string,
    payloadName: string,
    node: IronicNodeSnapshot,
  ): void {
    if (!this.options.ironicNotifications) return;
    world.emit({
      time: at,
      source: this.notificationSource,
      host: node.name,
      payload: ironicNotification(at, this.random.uuid(), eventType, payloadName, node, 'ctl-2'),
    });
  }

  /** Port reprogramming: the DPU takes the port down and up again (two carrier changes). */
  private flap(state: NodeState, port: string): void {
    const c = state.ports.get(port);
    if (c !== undefined) c.carrierChanges += 2;
  }

  private deploy(world: SimWorld, state: NodeState, lease: SimLease): void {
    const t = lease.start;
    const took = this.random.between(...DEPLOY_MS);
    state.phase = 'deploying';
    state.lease = lease;
    this.actions.push({ type: 'lease-start', at: t, lease });
    this.notify(
      world,
      t,
      'baremetal.node.provision_set.start',
      'NodeSetProvisionStatePayload',
      this.snapshot(state, lease, {
        provisionState: 'deploying',
        previousProvisionState: 'available',
        targetProvisionState: 'active',
        event: 'deploy',
      }),
    );
    this.flap(state, 'p0');
    this.flap(state, 'p1');
    const powerOn = t + 30 * SECOND;
    this.notify(
      world,
      powerOn,
      'baremetal.node.power_set.end',
      'NodeSetPowerStatePayload',
      this.snapshot(state, lease, {
        provisionState: 'deploying',
        previousProvisionState: 'available',
        targetProvisionState: 'active',
        powerState: 'power on',
        event: 'deploy',
      }),
    );
    emitSel(world, state, {
      time: powerOn + 2 * SECOND,
      sensor: 'System ACPI Power State ACPI_Stat',
      event: 'S0/G0: working',
    });
    const done = Math.floor(t + took);
    this.truth({
      kind: 'deploy',
      node: state.node.id,
      start: t,
      manifestAt: t,
      end: done,
      tenant: lease.tenant.id,
      expect: { alert: false, prediction: false },
    });
    this.schedule(done, () => {
      state.phase = 'active';
      this.notify(
        world,
        done,
        'baremetal.node.provision_set.end',
        'NodeSetProvisionStatePayload',
        this.snapshot(state, lease, {
          provisionState: 'active',
          previousProvisionState: 'deploying',
          event: 'done',
        }),
      );
    });
    this.schedule(lease.end, () => this.end(world, state, lease));
  }

  private end(world: SimWorld, state: NodeState, lease: SimLease): void {
    if (state.lease !== lease) return;
    const t = lease.end;
    const took = this.random.between(...CLEAN_MS);
    this.actions.push({ type: 'lease-end', at: t, lease });
    state.phase = 'cleaning';
    state.lease = undefined;
    this.notify(
      world,
      t,
      'baremetal.node.provision_set.start',
      'NodeSetProvisionStatePayload',
      this.snapshot(state, lease, {
        provisionState: 'cleaning',
        previousProvisionState: 'active',
        targetProvisionState: 'available',
        event: 'delete',
      }),
    );
    this.flap(state, 'p0');
    this.flap(state, 'p1');
    const off = t + 20 * SECOND;
    if (state.powered) {
      emitSel(world, state, {
        time: off,
        sensor: 'System ACPI Power State ACPI_Stat',
        event: 'S4/S5: soft-off',
      });
      this.notify(
        world,
        off,
        'baremetal.node.power_set.end',
        'NodeSetPowerStatePayload',
        this.snapshot(state, lease, {
          provisionState: 'cleaning',
          previousProvisionState: 'active',
          targetProvisionState: 'available',
          powerState: 'power off',
          event: 'delete',
        }),
      );
    }
    const done = Math.floor(t + took);
    this.truth({
      kind: 'clean',
      node: state.node.id,
      start: t,
      manifestAt: t,
      end: done,
      tenant: lease.tenant.id,
      expect: { alert: false, prediction: false },
    });
    this.schedule(done, () => {
      if (state.phase === 'cleaning') state.phase = 'available';
      this.notify(
        world,
        done,
        'baremetal.node.provision_set.end',
        'NodeSetProvisionStatePayload',
        this.snapshot(state, undefined, {
          provisionState: 'available',
          previousProvisionState: 'cleaning',
          powerState: 'power off',
          event: 'done',
        }),
      );
    });
  }
}
