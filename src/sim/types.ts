import type { SourceId } from '../sources/types.js';
import type { SimFleet, SimNode, SimTenant } from './fleet.js';
import type { DiskHealth } from './formats/smart.js';

/** One raw record as the edge would receive it: the source's wire format, for one host. */
export interface SimRecord {
  /** Event time, epoch ms (simulated). */
  time: number;
  source: SourceId;
  /** The node (or controller) the record comes from: the bus key, as a real agent would send it. */
  host: string;
  payload: string;
}

export type Phase = 'available' | 'deploying' | 'active' | 'cleaning';

export interface SimLease {
  id: string;
  tenant: SimTenant;
  node: SimNode;
  start: number;
  end: number;
  /** The tenant's mean traffic through the node's DPU, bits per second. */
  trafficBps: number;
  /** The tenant's OpenStack instance running on the node (ironic instance_uuid). */
  instanceUuid: string;
}

/** Monotonic counters of one DPU port, as the DPU reports them. */
export interface PortCounters {
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  rxDropped: number;
  txDropped: number;
  rxErrors: number;
  rxCrcErrors: number;
  rxMissed: number;
  carrierChanges: number;
  up: boolean;
}

/** What the simulation knows about one node right now. */
export interface NodeState {
  node: SimNode;
  phase: Phase;
  lease: SimLease | undefined;
  /** Host power (false after a power loss until it is restored). */
  powered: boolean;
  ports: Map<string, PortCounters>;
  /** Next SEL record id. */
  selId: number;
  /** Extra load a noisy tenant puts on a port, as a fraction of line rate. */
  portLoad: Map<string, number>;
  /** SMART state of the node's disks, by serial. */
  disks: Map<string, DiskHealth>;
}

export interface SimWorld {
  fleet: SimFleet;
  nodes: Map<string, NodeState>;
  emit(record: SimRecord): void;
}

/**
 * One part of the simulation (baseline telemetry of a format, the lease schedule, a fault). Steps
 * run in a fixed order over consecutive windows [from, to) of simulated time, each with its own
 * random stream, which is what makes a run a pure function of the seed.
 */
export interface SimProcess {
  readonly name: string;
  step(world: SimWorld, from: number, to: number): void;
}
