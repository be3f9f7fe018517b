import type { ComponentView } from '../model/topology.js';
import { edacLine, emitNova } from './baseline.js';
import { componentsOf, DPU_PCI_ADDRESS } from './fleet.js';
import { novaInstanceNotification, requestContext } from './formats/openstack.js';
import { type RedfishAlert, redfishEventPayload } from './formats/redfish.js';
import { KERN } from './formats/syslog.js';
import { TEMPLATES } from './openstack-data.js';
import type { Random } from './random.js';
import { FAULT_KINDS, type FaultKind, type TruthComponent, type TruthRecord } from './truth.js';
import type { NodeState, SimProcess, SimWorld } from './types.js';
import { emitSel, emitSyslog } from './world.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** One fault to inject: its kind, when it manifests, and how long its warning signs run before. */
export interface FaultPlan {
  kind: FaultKind;
  manifestAt: number;
  /** How long before `manifestAt` its first signs appear. */
  lead: number;
  /** How long the condition lasts after it manifests (flapping, saturation, outage). */
  duration: number;
}

export interface FaultPlanOptions {
  start: number;
  /** Simulated span to fill with faults (ms). */
  duration: number;
  nodes: number;
  /** Faults per kind per 200 nodes per simulated day (default 1.5). */
  perDay?: number;
  /** Put the first fault of each kind in the first minutes, for a demo that shows something at once. */
  early?: boolean;
  kinds?: readonly FaultKind[];
}

function lead(random: Random, kind: FaultKind): number {
  switch (kind) {
    case 'dimm-uncorrectable':
      return random.between(4 * HOUR, 8 * HOUR);
    case 'psu-failure':
      return random.between(1.5 * HOUR, 3 * HOUR);
    case 'link-flap':
      return random.between(20 * MINUTE, 90 * MINUTE);
    case 'disk-wearout':
      return random.between(6 * HOUR, 14 * HOUR);
    default:
      return 0;
  }
}

function lasting(random: Random, kind: FaultKind): number {
  switch (kind) {
    case 'link-flap':
    case 'noisy-tenant':
      return random.between(30 * MINUTE, 90 * MINUTE);
    case 'build-failure-burst':
      return random.between(10 * MINUTE, 20 * MINUTE);
    case 'power-loss':
      return random.between(20 * MINUTE, 60 * MINUTE);
    default:
      return 0;
  }
}

/** Offsets of the demo's first faults (manifest times after the start), chosen so something shows at once. */
const EARLY: Record<FaultKind, number> = {
  'psu-failure': 50 * MINUTE,
  'noisy-tenant': 5 * MINUTE,
  'build-failure-burst': 8 * MINUTE,
  'link-flap': 25 * MINUTE,
  'power-loss': 40 * MINUTE,
  'dimm-uncorrectable': 2 * HOUR,
  'disk-wearout': 4 * HOUR,
};

/** The seeded schedule: which kinds manifest when. Nodes are chosen when each fault begins. */
export function planFaults(random: Random, options: FaultPlanOptions): FaultPlan[] {
  const kinds = options.kinds ?? FAULT_KINDS;
  const perDay = options.perDay ?? 1.5;
  const plans: FaultPlan[] = [];
  for (const kind of kinds) {
    const expected = (perDay * options.nodes * options.duration) / (200 * 24 * HOUR);
    const count = Math.max(1, Math.round(expected));
    for (let i = 0; i < count; i++) {
      const l = lead(random, kind);
      const d = lasting(random, kind);
      let at: number;
      if (options.early === true && i === 0) at = options.start + EARLY[kind];
      else {
        // Leave room for the warning signs inside the run, and for the failure to be seen before its end.
        const earliest = options.start + Math.min(l, options.duration * 0.5) + 10 * MINUTE;
        const latest = options.start + options.duration - Math.max(20 * MINUTE, Math.min(d, 30 * MINUTE));
        at = Math.floor(random.between(earliest, Math.max(earliest, latest)));
      }
      plans.push({ kind, manifestAt: at, lead: Math.floor(l), duration: Math.floor(d) });
    }
  }
  return plans.sort((a, b) => a.manifestAt - b.manifestAt || a.kind.localeCompare(b.kind));
}

function truthComponent(c: ComponentView): TruthComponent {
  const out: TruthComponent = { type: c.type, id: c.id, location: c.location };
  if (c.serial !== undefined) out.serial = c.serial;
  return out;
}

interface Active {
  plan: FaultPlan;
  state: NodeState;
  component: ComponentView | undefined;
  start: number;
  /** Kind-specific progress (corrected errors so far, the next flap). */
  count: number;
  next: number;
  done: boolean;
  record: TruthRecord;
  /** Whether the tenant at manifest time has been filled in. */
  settled: boolean;
}

const PSU_ORIGIN = (id: string) => `/redfish/v1/Chassis/1/PowerSubsystem/PowerSupplies/${id}`;

/**
 * Injects the planned faults into the running fleet, each in the telemetry a real one leaves, and
 * writes the ground truth as each one begins. A fault picks its node when it starts, among nodes that
 * fit (powered, not already faulty; leased for the tenant-facing kinds), which keeps it deterministic.
 */
export class FaultProcess implements SimProcess {
  readonly name = 'faults';
  private readonly queue: FaultPlan[];
  private readonly active: Active[] = [];
  private readonly faulty = new Set<string>();
  private eventSeq = 0;

  constructor(
    private readonly random: Random,
    plans: readonly FaultPlan[],
    private readonly truth: (record: TruthRecord) => void,
  ) {
    this.queue = [...plans].sort((a, b) => a.manifestAt - a.lead - (b.manifestAt - b.lead));
  }

  step(world: SimWorld, from: number, to: number): void {
    while (this.queue.length > 0 && this.queue[0]!.manifestAt - this.queue[0]!.lead < to) {
      const plan = this.queue.shift()!;
      const started = this.begin(world, plan, from);
      if (started !== undefined) this.active.push(started);
    }
    for (const a of this.active) {
      // The tenant hurt is whoever holds the node when the failure manifests, not when its signs begin.
      if (!a.settled && a.plan.manifestAt < to) {
        a.settled = true;
        const lease = a.state.lease;
        if (lease !== undefined && lease.start <= a.plan.manifestAt && lease.end > a.plan.manifestAt)
          a.record.tenant = lease.tenant.id;
        else delete a.record.tenant;
      }
      if (!a.done) this.advance(world, a, from, to);
    }
    for (let i = this.active.length - 1; i >= 0; i--)
      if (this.active[i]!.done && this.active[i]!.settled) this.active.splice(i, 1);
  }

  private begin(world: SimWorld, plan: FaultPlan, from: number): Active | undefined {
    const tenantFacing = plan.kind === 'noisy-tenant' || plan.kind === 'build-failure-burst';
    const candidates = [...world.nodes.values()].filter(
      (s) =>
        s.powered &&
        !this.faulty.has(s.node.id) &&
        (!tenantFacing
          ? true
          : s.phase === 'active' && s.lease !== undefined && s.lease.end > plan.manifestAt + plan.duration),
    );
    if (candidates.length === 0) return undefined;
    const state = this.random.pick(candidates);
    this.faulty.add(state.node.id);
    const node = state.node;
    let component: ComponentView | undefined;
    switch (plan.kind) {
      case 'dimm-uncorrectable':
        component = this.random.pick(componentsOf(node, 'memory'));
        break;
      case 'psu-failure':
        component = this.random.pick(componentsOf(node, 'power_supply'));
        break;
      case 'disk-wearout':
        component = componentsOf(node, 'physical_disk').find((c) => c.location.startsWith('M.2'));
        break;
      case 'link-flap':
      case 'noisy-tenant': {
        const port = plan.kind === 'noisy-tenant' ? node.dpu.ports[0]! : this.random.pick(node.dpu.ports);
        component = { id: port.name, type: 'network', location: port.switchPort ?? port.name };
        break;
      }
      case 'build-failure-burst':
        component = { id: 'nova-compute', type: 'system', location: node.id };
        break;
      case 'power-loss':
        component = { id: 'PSU1+PSU2', type: 'power_supply', location: 'AC input A+B' };
        break;
    }
    const start = Math.floor(Math.max(from, plan.manifestAt - plan.lead));
    const tenantAt =
      state.lease !== undefined && state.lease.end > plan.manifestAt ? state.lease.tenant.id : undefined;
    const record: TruthRecord = {
      kind: plan.kind,
      node: node.id,
      start,
      manifestAt: plan.manifestAt,
      expect: {
        alert: true,
        prediction:
          plan.kind === 'dimm-uncorrectable' || plan.kind === 'psu-failure' || plan.kind === 'disk-wearout',
        ...(plan.kind === 'power-loss' ? { rootCause: true } : {}),
      },
    };
    if (component !== undefined) record.component = truthComponent(component);
    if (plan.duration > 0) record.end = Math.floor(plan.manifestAt + plan.duration);
    if (tenantAt !== undefined) record.tenant = tenantAt;
    this.truth(record);
    return { plan, state, component, start, count: 0, next: start, done: false, record, settled: false };
  }

  private advance(world: SimWorld, a: Active, from: number, to: number): void {
    const inject: Record<FaultKind, (w: SimWorld, a: Active, from: number, to: number) => void> = {
      'dimm-uncorrectable': this.dimm,
      'psu-failure': this.psu,
      'link-flap': this.linkFlap,
      'noisy-tenant': this.noisy,
      'build-failure-burst': this.buildFailures,
      'disk-wearout': this.disk,
      'power-loss': this.powerLoss,
    };
    inject[a.plan.kind].call(this, world, a, from, to);
  }

  private at(from: number, to: number): number {
    return from + Math.floor(this.random.float() * (to - from));
  }

  private redfish(world: SimWorld, state: NodeState, alert: Omit<RedfishAlert, 'eventId'>): void {
    const eventId = String(++this.eventSeq);
    world.emit({
      time: alert.time,
      source: 'redfish',
      host: state.node.id,
      payload: redfishEventPayload({ ...alert, eventId }),
    });
  }

  /**
   * Corrected errors at a rate growing exponentially from 0.5/min to 60/min over the lead (about
   * 4,500 over six hours), each an EDAC line; the BMC logs one in fifty to its SEL and Redfish, then
   * "logging limit reached"; at the end, the uncorrectable error.
   */
  private dimm(world: SimWorld, a: Active, from: number, to: number): void {
    const { state, plan } = a;
    const dimm = a.component!;
    const m = /^CPU(\d+)_DIMM_([A-H])(\d)$/.exec(dimm.id)!;
    const begin = plan.manifestAt - plan.lead;
    const rate = (t: number) => (0.5 / MINUTE) * Math.exp((Math.log(120) * (t - begin)) / plan.lead);
    const stop = Math.min(to, plan.manifestAt);
    if (from < stop && state.powered) {
      const lo = Math.max(from, a.start);
      const n = this.random.poisson(((rate(lo) + rate(stop)) / 2) * (stop - lo));
      const times = Array.from({ length: n }, () => this.at(lo, stop)).sort((x, y) => x - y);
      for (const t of times) {
        a.count++;
        emitSyslog(world, state.node.id, t, KERN, 4, 'kernel', edacLine('CE', dimm.id, this.random));
        if (a.count % 50 === 1) {
          emitSel(world, state, {
            time: t,
            sensor: 'Memory #0x88',
            event: `Correctable ECC (${dimm.location})`,
          });
          this.redfish(world, state, {
            time: t,
            messageId: 'OpenBMC.0.1.MemoryECCCorrectable',
            args: [m[1]!, m[2]!, m[3]!, String(this.random.int(0, 65535))],
            message: `Memory ECC correctable error. Socket=${m[1]} Channel=${m[2]} DIMM=${m[3]} Row=${this.random.int(0, 65535)}.`,
            severity: 'Warning',
            origin: `/redfish/v1/Systems/system/Memory/${dimm.id}`,
          });
        }
        if (a.count === 1000)
          emitSel(world, state, {
            time: t,
            sensor: `Memory ${dimm.id}`,
            event: 'Correctable ECC logging limit reached',
          });
      }
    }
    if (plan.manifestAt >= from && plan.manifestAt < to) {
      const t = plan.manifestAt;
      emitSel(world, state, {
        time: t,
        sensor: 'Memory #0x88',
        event: `Uncorrectable ECC (${dimm.location})`,
      });
      emitSyslog(world, state.node.id, t, KERN, 3, 'kernel', edacLine('UE', dimm.id, this.random));
      emitSyslog(
        world,
        state.node.id,
        t + 40,
        KERN,
        3,
        'kernel',
        `Memory failure: 0x${this.random.hex(6)}: recovery action for dirty LRU page: Recovered`,
      );
      this.redfish(world, state, {
        time: t,
        messageId: 'OpenBMC.0.1.MemoryECCUncorrectable',
        args: [m[1]!, m[2]!, m[3]!, String(this.random.int(0, 65535))],
        message: `Memory ECC uncorrectable error. Socket=${m[1]} Channel=${m[2]} DIMM=${m[3]} Row=${this.random.int(0, 65535)}.`,
        severity: 'Critical',
        origin: `/redfish/v1/Systems/system/Memory/${dimm.id}`,
      });
    }
    if (to > plan.manifestAt) a.done = true;
  }

  /**
   * The PSU's own PMBus warnings first: "predictive failure" asserted and cleared again, more and more
   * often (every 30 minutes at first, every few minutes at the end) as it degrades, each also a Redfish
   * event; then the failure and the lost redundancy.
   */
  private psu(world: SimWorld, a: Active, from: number, to: number): void {
    const { state, plan } = a;
    const psu = a.component!;
    const begin = plan.manifestAt - plan.lead;
    while (a.next < to && a.next < plan.manifestAt) {
      const t = Math.floor(a.next);
      emitSel(world, state, {
        time: t,
        sensor: `Power Supply ${psu.id} Status`,
        event: 'Predictive failure',
      });
      emitSel(world, state, {
        time: t + this.random.int(20, 90) * SECOND,
        sensor: `Power Supply ${psu.id} Status`,
        event: 'Predictive failure',
        asserted: false,
      });
      this.redfish(world, state, {
        time: t,
        messageId: 'OpenBMC.0.1.PowerSupplyFailurePredicted',
        args: [psu.id],
        message: `Power supply ${psu.id} is predicted to fail.`,
        severity: 'Warning',
        origin: PSU_ORIGIN(psu.id),
      });
      const progress = Math.min(1, Math.max(0, (t - begin) / plan.lead));
      a.next = t + this.random.exponential((30 - 27 * progress) * MINUTE);
    }
    if (plan.manifestAt >= from && plan.manifestAt < to) {
      const t = plan.manifestAt;
      emitSel(world, state, { time: t, sensor: `Power Supply ${psu.id} Status`, event: 'Failure detected' });
      emitSel(world, state, {
        time: t + SECOND,
        sensor: 'Power Supply PS Redundancy',
        event: 'Redundancy Lost',
      });
      this.redfish(world, state, {
        time: t,
        messageId: 'OpenBMC.0.1.PowerSupplyFailed',
        args: [psu.id],
        message: `Power supply ${psu.id} failed.`,
        severity: 'Critical',
        origin: PSU_ORIGIN(psu.id),
      });
      a.done = true;
    }
  }

  /** CRC errors on the port grow as the optic or cable degrades, then the link starts to flap. */
  private linkFlap(world: SimWorld, a: Active, from: number, to: number): void {
    const { state, plan } = a;
    const port = a.component!.id;
    const c = state.ports.get(port)!;
    const end = plan.manifestAt + plan.duration;
    const lo = Math.max(from, a.start);
    if (lo < to && state.powered) {
      const progress = Math.min(1, (to - (plan.manifestAt - plan.lead)) / Math.max(1, plan.lead));
      c.rxCrcErrors += this.random.poisson(((to - lo) / SECOND) * (0.05 + 20 * progress ** 2));
      c.rxErrors = c.rxCrcErrors;
    }
    while (a.next < to && a.next < end) {
      if (a.next >= plan.manifestAt) {
        const down = a.next;
        const up = down + this.random.int(2, 12) * SECOND;
        c.carrierChanges += 2;
        emitSyslog(
          world,
          state.node.id,
          down,
          KERN,
          4,
          'kernel',
          `mlx5_core ${DPU_PCI_ADDRESS} ${port}: Link down`,
        );
        emitSyslog(
          world,
          state.node.id,
          up,
          KERN,
          6,
          'kernel',
          `mlx5_core ${DPU_PCI_ADDRESS} ${port}: Link up`,
        );
        a.next = down + this.random.between(1 * MINUTE, 6 * MINUTE);
      } else a.next = plan.manifestAt;
    }
    if (to >= end) a.done = true;
  }

  /** A tenant's job pushes its node's uplink to line rate: drops and elephant flows until it stops. */
  private noisy(_world: SimWorld, a: Active, from: number, to: number): void {
    const { state, plan } = a;
    const end = plan.manifestAt + plan.duration;
    if (to > plan.manifestAt && from < end) state.portLoad.set('p0', 0.97);
    if (to >= end) {
      state.portLoad.delete('p0');
      a.done = true;
    }
  }

  /**
   * Instance builds on the node fail (libvirt cannot start guests): nova-compute's errors and the
   * `instance.create.error` notification, one failed build every 30–90 s while the burst lasts.
   */
  private buildFailures(world: SimWorld, a: Active, _from: number, to: number): void {
    const { state, plan } = a;
    const end = plan.manifestAt + plan.duration;
    const lease = state.lease;
    if (lease === undefined) {
      a.done = true;
      return;
    }
    const host = state.node.id;
    const tenant = lease.tenant;
    if (a.next < plan.manifestAt) a.next = plan.manifestAt;
    while (a.next < to && a.next < end) {
      const t = a.next;
      const uuid = this.random.uuid();
      const context = requestContext(`req-${this.random.uuid()}`, tenant.userId, tenant.projectId);
      const line = (dt: number, template: (typeof TEMPLATES)[keyof typeof TEMPLATES], values: string[]) =>
        emitNova(world, host, 2931, { time: t + dt, template, values, context });
      line(0, TEMPLATES.claimAttempt, [uuid, '2048', '20', '1']);
      line(40, TEMPLATES.claimOk, [uuid]);
      line(610, TEMPLATES.creatingImage, [uuid]);
      line(2100, TEMPLATES.spawnFailed, [uuid]);
      line(2400, TEMPLATES.buildFailed, [
        uuid,
        uuid,
        'internal error: process exited while connecting to monitor: Could not access KVM kernel module: Permission denied',
      ]);
      world.emit({
        time: t + 2500,
        source: 'openstack-notification',
        host,
        payload: novaInstanceNotification(
          t + 2500,
          this.random.uuid(),
          'instance.create.error',
          host,
          { uuid, project: tenant.projectId, user: tenant.userId, state: 'error' },
          { exception: 'BuildAbortException', message: `Build of instance ${uuid} aborted: internal error` },
        ),
      });
      a.count++;
      a.next = t + this.random.between(30 * SECOND, 90 * SECOND);
    }
    if (to >= end) a.done = true;
  }

  /** Reallocated sectors climb (quadratically) until SMART declares the disk failing and I/O errors start. */
  private disk(world: SimWorld, a: Active, from: number, to: number): void {
    const { state, plan } = a;
    const disk = state.disks.get(a.component!.id)!;
    const begin = plan.manifestAt - plan.lead;
    const progress = Math.max(0, Math.min(1, (to - begin) / plan.lead));
    disk.reallocated = Math.max(disk.reallocated, Math.round(8 + 3700 * progress ** 2));
    disk.pending = Math.round(40 * progress);
    if (plan.manifestAt >= from && plan.manifestAt < to) {
      disk.failed = true;
      for (let i = 0; i < 3; i++) {
        const t = plan.manifestAt + i * 7 * SECOND;
        emitSyslog(
          world,
          state.node.id,
          t,
          KERN,
          3,
          'kernel',
          `blk_update_request: I/O error, dev sda, sector ${this.random.int(1e6, 9e8)} op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 0`,
        );
      }
      a.done = true;
    }
  }

  /** Both feeds lost: the BMC (on standby power) logs the PSUs, fans and rails going down; the host goes dark. */
  private powerLoss(world: SimWorld, a: Active, from: number, to: number): void {
    const { state, plan } = a;
    const end = plan.manifestAt + plan.duration;
    const psus = componentsOf(state.node, 'power_supply');
    const fans = componentsOf(state.node, 'fan');
    const rails: [string, string][] = [
      ['P12V', 'Volts'],
      ['P5V', 'Volts'],
      ['P3V3', 'Volts'],
      ['CPU0_VCCIN', 'Volts'],
      ['CPU1_VCCIN', 'Volts'],
    ];
    if (plan.manifestAt >= from && plan.manifestAt < to) {
      const t = plan.manifestAt;
      for (const psu of psus) {
        emitSel(world, state, {
          time: t,
          sensor: `Power Supply ${psu.id} Status`,
          event: 'Power Supply AC lost',
        });
        this.redfish(world, state, {
          time: t,
          messageId: 'OpenBMC.0.1.PowerSupplyPowerLost',
          args: [psu.id],
          message: `Power supply ${psu.id} power lost.`,
          severity: 'Warning',
          origin: PSU_ORIGIN(psu.id),
        });
      }
      emitSel(world, state, {
        time: t + SECOND,
        sensor: 'Power Unit Pwr Unit Status',
        event: 'Power off/down',
      });
      for (const fan of fans)
        emitSel(world, state, {
          time: t + 3 * SECOND,
          sensor: `Fan ${fan.id}`,
          event: 'Lower Critical going low',
          reading: 'Reading 0 < Threshold 300 RPM',
        });
      for (const [rail, unit] of rails)
        emitSel(world, state, {
          time: t + 2 * SECOND,
          sensor: `Voltage ${rail}`,
          event: 'Lower Critical going low',
          reading: `Reading 0 < Threshold 0.50 ${unit}`,
        });
      state.powered = false;
      for (const c of state.ports.values()) {
        c.up = false;
        c.carrierChanges++;
      }
    }
    if (end >= from && end < to) {
      for (const psu of psus) {
        emitSel(world, state, {
          time: end,
          sensor: `Power Supply ${psu.id} Status`,
          event: 'Power Supply AC lost',
          asserted: false,
        });
        this.redfish(world, state, {
          time: end,
          messageId: 'OpenBMC.0.1.PowerSupplyPowerRestored',
          args: [psu.id],
          message: `Power supply ${psu.id} power restored.`,
          severity: 'OK',
          origin: PSU_ORIGIN(psu.id),
        });
      }
      for (const fan of fans)
        emitSel(world, state, {
          time: end + 5 * SECOND,
          sensor: `Fan ${fan.id}`,
          event: 'Lower Critical going low',
          asserted: false,
          reading: 'Reading 6000 > Threshold 300 RPM',
        });
      emitSel(world, state, {
        time: end + 30 * SECOND,
        sensor: 'System ACPI Power State ACPI_Stat',
        event: 'S0/G0: working',
      });
      state.powered = true;
      for (const c of state.ports.values()) {
        c.up = true;
        c.carrierChanges++;
      }
      a.done = true;
    }
  }
}
