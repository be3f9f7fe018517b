import {
  FlowProcess,
  HostNoiseProcess,
  NovaComputeProcess,
  PortCounterProcess,
  SmartProcess,
} from './baseline.js';
import { type FaultPlan, type FaultPlanOptions, FaultProcess, planFaults } from './faults.js';
import { buildFleet, type SimFleet } from './fleet.js';
import { type FleetAction, type FleetControl, InMemoryFleetControl, LeaseProcess } from './leases.js';
import { Random } from './random.js';
import { SimTopology } from './topology.js';
import type { TruthRecord } from './truth.js';
import type { SimProcess, SimRecord, SimWorld } from './types.js';
import { createWorld } from './world.js';

const SECOND = 1000;
const HOUR = 3_600_000;

export interface SimulatorOptions {
  seed: number;
  /** Simulated start time, epoch ms. */
  start: number;
  nodes?: number;
  tenants?: number;
  /** Span the fault schedule covers (default 24 h); the simulation itself may run longer or shorter. */
  horizon?: number;
  /** Length of one simulation step (default 10 s). */
  step?: number;
  /** Fault schedule options, or false for a healthy fleet. */
  faults?: Partial<Pick<FaultPlanOptions, 'perDay' | 'early' | 'kinds'>> | false;
  /** Share of nodes under lease (default 0.7) and median lease length (default 8 h). */
  occupancy?: number;
  medianLease?: number;
  /** The fleet side the tenants lease through (default: in memory). */
  fleet?: FleetControl;
}

/**
 * The simulated bare-metal cloud. `advance(to)` runs every process over the steps up to `to` and
 * returns the raw records (wire format, host, event time) with times before `to`, in time order.
 * Nothing here knows about wall-clock time or the bus: a run is a pure function of the options,
 * which is what lets a test and a benchmark replay exactly what the demo showed.
 */
export class Simulator {
  readonly fleet: SimFleet;
  readonly control: FleetControl;
  readonly plans: FaultPlan[];
  readonly truth: TruthRecord[] = [];
  readonly stepMs: number;
  private readonly world: SimWorld;
  private readonly processes: SimProcess[];
  private readonly leases: LeaseProcess;
  private buffer: SimRecord[] = [];
  private current: number;

  constructor(readonly options: SimulatorOptions) {
    const root = new Random(options.seed);
    const nodes = options.nodes ?? 200;
    this.fleet = buildFleet(root.fork('fleet'), { nodes, tenants: options.tenants ?? 20 });
    this.control = options.fleet ?? new InMemoryFleetControl();
    this.stepMs = options.step ?? 10 * SECOND;
    this.current = options.start;
    this.world = createWorld(this.fleet, root.fork('world'), (r) => this.buffer.push(r));
    const onTruth = (r: TruthRecord) => this.truth.push(r);
    this.leases = new LeaseProcess(
      root.fork('leases'),
      {
        occupancy: options.occupancy ?? 0.7,
        medianLease: options.medianLease ?? 8 * HOUR,
        ironicNotifications: !this.control.emitsFleetEvents,
      },
      onTruth,
    );
    this.plans =
      options.faults === false
        ? []
        : planFaults(root.fork('fault-plan'), {
            start: options.start,
            duration: options.horizon ?? 24 * HOUR,
            nodes,
            ...(options.faults ?? {}),
          });
    this.processes = [
      this.leases,
      new FaultProcess(root.fork('faults'), this.plans, onTruth),
      new PortCounterProcess(root.fork('dpu-metrics'), this.fleet.nodes),
      new FlowProcess(root.fork('dpu-flow'), this.fleet.nodes),
      new NovaComputeProcess(root.fork('openstack-log'), this.fleet.nodes),
      new SmartProcess(root.fork('smart'), this.fleet.nodes),
      new HostNoiseProcess(root.fork('host-noise')),
    ];
  }

  /** Simulated time reached so far (epoch ms). */
  get now(): number {
    return this.current;
  }

  /**
   * The Topology port over this run's fleet and the leases taken so far: what the engine would read
   * from the leasing core, for tests and offline analysis of simulated data.
   */
  topology(): SimTopology {
    return new SimTopology(this.fleet, this.leases.history);
  }

  /** Fleet actions taken since the last call (lease starts and ends), in order. */
  takeActions(): FleetAction[] {
    return this.leases.actions.splice(0);
  }

  /**
   * Runs the steps up to `to` (exclusive) and returns the records stamped before it, in time order
   * (records a process stamps later, like the tail of an instance build, wait for their step).
   */
  advance(to: number): SimRecord[] {
    while (this.current < to) {
      const next = Math.min(to, this.current + this.stepMs);
      for (const p of this.processes) p.step(this.world, this.current, next);
      this.current = next;
    }
    const ready: SimRecord[] = [];
    const later: SimRecord[] = [];
    for (const r of this.buffer) (r.time < to ? ready : later).push(r);
    this.buffer = later;
    // Array#sort is stable: records of equal time keep the order their processes wrote them in.
    return ready.sort((a, b) => a.time - b.time);
  }

  /** `advance`, then hands the step's fleet actions to the fleet control, in order. */
  async advanceAndApply(to: number): Promise<SimRecord[]> {
    const records = this.advance(to);
    for (const action of this.takeActions()) await this.control.apply(action);
    await this.control.until?.(to);
    const own = this.control.drain?.() ?? [];
    if (own.length === 0) return records;
    for (const r of own) (r.time < to ? records : this.buffer).push(r);
    return records.sort((a, b) => a.time - b.time);
  }
}
