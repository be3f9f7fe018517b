/**
 * What the leasing core says on the bus: one record per state change, in the spirit of Ironic's
 * `baremetal.node.*` notifications, on topic `faultline.fleet.event`, keyed by node id. The `fleet`
 * source decodes it into a normalized event; the topology index folds it into its interval index.
 */
export const FLEET_EVENT_TYPES = [
  'tenant.create',
  'node.create',
  'node.inventory',
  'node.provision_set',
  'node.power_set',
  'node.maintenance_set',
  'node.step',
  'node.evacuate',
  'lease.create',
  'lease.start',
  'lease.end',
  'network.create',
  'network.delete',
  'segment.program',
  'segment.remove',
  'invariant.violation',
] as const;
export type FleetEventType = (typeof FLEET_EVENT_TYPES)[number];

export interface FleetEvent {
  type: FleetEventType;
  /** When it happened (ISO 8601 UTC): the fleet's clock, simulated in benches. */
  at: string;
  node_id?: string;
  tenant_id?: string;
  lease_id?: string;
  network_id?: string;
  rack?: string;
  resource_class?: string;
  /** Provisioning: verb and states; power: the new power state. */
  verb?: string;
  from?: string;
  to?: string;
  power_state?: string;
  maintenance?: boolean;
  /** Why: the fault reason, the failed step's error, a violation's description. */
  reason?: string;
  /** Lease spans (ISO): the planned start, and the end (planned, or the real one on lease.end). */
  start?: string;
  end?: string;
  status?: string;
  vni?: number;
  port?: string;
  /** A provisioning step (attach_disk, program_segment, power_on, boot, …) and its outcome. */
  step?: string;
  outcome?: 'success' | 'failure';
  duration_ms?: number;
  /** Evacuation: where the lease went. */
  target_node_id?: string;
  disk_id?: string;
}

export function isFleetEventType(value: unknown): value is FleetEventType {
  return typeof value === 'string' && (FLEET_EVENT_TYPES as readonly string[]).includes(value);
}

/** Where the core sends its events: the bus (through the `fleet` source) and in-process listeners. */
export interface FleetEventSink {
  emit(events: FleetEvent[]): Promise<void>;
}

/** Fans events out to several sinks, in order (the topology index first, then the bus). */
export class FanOutSink implements FleetEventSink {
  private readonly sinks: FleetEventSink[];
  constructor(...sinks: FleetEventSink[]) {
    this.sinks = sinks;
  }
  add(sink: FleetEventSink): void {
    this.sinks.push(sink);
  }
  async emit(events: FleetEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const s of this.sinks) await s.emit(events);
  }
}
