import { SimulatedClock } from '../fleet/clock.js';
import { SimulatedDpuFleet, type SimulatedTimings } from '../fleet/drivers/simulated-dpu.js';
import { FanOutSink, type FleetEvent, type FleetEventSink } from '../fleet/fleet-event.js';
import { FleetService } from '../fleet/fleet-service.js';
import { Provisioner } from '../fleet/provisioner.js';
import type { Logger } from '../shared/logger.js';
import type { StateStore } from '../store/state/state-store.js';
import type { SimFleet } from './fleet.js';
import type { FleetAction, FleetControl } from './leases.js';
import type { SimRecord } from './types.js';

/** DPU step timings of the simulator's fleet: a cloud-disk boot in about three minutes. */
const TIMINGS: SimulatedTimings = {
  attachDiskMs: 8_000,
  detachDiskMs: 5_000,
  vnicMs: 2_000,
  segmentMs: 1_000,
  powerMs: 3_000,
  bootMs: 120_000,
  jitter: 0,
};

/** The leasing core's events, as the records its bus sink would write: the `fleet` source's JSON. */
class RecordSink implements FleetEventSink {
  readonly records: SimRecord[] = [];
  async emit(events: FleetEvent[]): Promise<void> {
    for (const e of events)
      this.records.push({
        time: Date.parse(e.at),
        source: 'fleet',
        host: e.node_id ?? 'fleet',
        payload: JSON.stringify(e),
      });
  }
}

/**
 * The simulated tenants lease through the real leasing core (src/fleet): tenants and nodes are
 * enrolled with the simulator's inventory, each lease is created by FleetService and started and
 * ended by the Provisioner on a clock that follows simulated time, with the simulated DPU driver.
 * The core's fleet events go out with the telemetry, so the engine sees the fleet's own deploys and
 * cleanings exactly as it would in production.
 */
export class LeasingCoreFleetControl implements FleetControl {
  readonly kind = 'leasing-core';
  readonly emitsFleetEvents = true;
  readonly fleet: FleetService;
  readonly clock: SimulatedClock;
  private readonly sink = new RecordSink();
  private readonly provisioner: Provisioner;
  private readonly operations: Promise<unknown>[] = [];
  refused = 0;

  /**
   * `alsoTo`: sinks fed before the bus, like the runtime's topology index (src/fleet/fleet-runtime.ts),
   * which enrichment and the engine read.
   */
  constructor(
    store: StateStore,
    start: number,
    private readonly logger?: Logger,
    alsoTo: readonly FleetEventSink[] = [],
  ) {
    this.clock = new SimulatedClock(start);
    const dpu = new SimulatedDpuFleet(this.clock, TIMINGS);
    this.fleet = new FleetService(store, new FanOutSink(...alsoTo, this.sink), this.clock);
    this.provisioner = new Provisioner(this.fleet, dpu, dpu);
  }

  /**
   * Enrolls the simulator's tenants and nodes (with their inventory) and makes the nodes available,
   * all at once as an operator's bulk enrollment would: the core's clock moves by one node's
   * verify-and-clean, not by one per node. (One at a time, 200 nodes put the core 6 simulated
   * minutes ahead of the telemetry: leases already running when the simulation starts were
   * refused, and their cleanings' power-offs alerted as if no one had asked for them.)
   */
  async enroll(fleet: SimFleet): Promise<void> {
    const known = new Set((await this.fleet.repo.tenants()).map((t) => t.id));
    for (const t of fleet.tenants)
      if (!known.has(t.id)) await this.fleet.createTenant({ id: t.id, name: t.name });
    const enrolled: string[] = [];
    for (const n of fleet.nodes) {
      // A data directory reused by a second demo run keeps its nodes (and their lease history).
      if ((await this.fleet.repo.node(n.id)) !== undefined) continue;
      await this.fleet.createNode({
        id: n.id,
        resourceClass: n.resourceClass,
        rack: n.rack,
        bmcAddress: n.bmcAddress,
        components: n.components.map((c) => ({ ...c })),
        dpu: {
          id: n.dpu.id,
          model: n.dpu.model,
          serial: n.dpu.serial,
          ports: n.dpu.ports.map((p) => ({
            name: p.name,
            mac: p.mac,
            ...(p.switchPort ? { switchPort: p.switchPort } : {}),
          })),
        },
      });
      enrolled.push(n.id);
    }
    await this.clock.run(this.provisioner.makeAvailableAll(enrolled));
  }

  async apply(action: FleetAction): Promise<void> {
    await this.until(action.at);
    if (action.type !== 'lease-start') return;
    const l = action.lease;
    try {
      await this.fleet.createLeases({
        tenantId: l.tenant.id,
        nodeId: l.node.id,
        start: new Date(Math.max(l.start, this.clock.now())).toISOString(),
        end: new Date(l.end).toISOString(),
      });
    } catch (error) {
      // The core may refuse (node still cleaning on its timings, overlap): that is its call to make.
      this.refused++;
      this.logger?.debug({ err: error, lease: l.id }, 'leasing core refused a simulated lease');
    }
    const { operations } = await this.provisioner.tick();
    this.operations.push(...operations);
  }

  /** Moves the core's clock to `at`, letting its provisioning steps run, and starts or ends due leases. */
  async until(at: number): Promise<void> {
    if (at > this.clock.now()) await this.clock.advance(at - this.clock.now());
    const { operations } = await this.provisioner.tick();
    this.operations.push(...operations);
  }

  drain(): SimRecord[] {
    return this.sink.records.splice(0);
  }
}
