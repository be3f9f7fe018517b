import type { HwType } from './event.js';

/**
 * The Topology port (DESIGN §1, §5): the fault engine's only view of the fleet. The leasing core
 * (`src/fleet/`) implements it over an in-memory index kept current by `fleet.event`s; tests and
 * `faultline analyze` use a static one loaded from a file. Reads are synchronous because the engine
 * asks on every alert it fires; times are epoch milliseconds of event time, never wall-clock time.
 */

/** A physical part of a node, as a technician finds it: board label, serial, type. */
export interface ComponentView {
  /** Stable component id, as decoders put it in `hw.id` (e.g. `CPU0_DIMM_C1`, `PSU2`). */
  id: string;
  type: HwType;
  /** What is printed on the board or chassis next to the part (e.g. `CPU0_G1`). */
  location: string;
  serial?: string;
  manufacturer?: string;
  model?: string;
}

/** One DPU port of a node, with what it is cabled to and the tenant segments programmed on it. */
export interface PortView {
  /** `interface.name` as DPU telemetry reports it (e.g. `p0`, `pf0hpf`). */
  name: string;
  /** The top-of-rack switch port this DPU port is cabled to (e.g. `tor-r12:Ethernet14`). */
  switchPort?: string;
  /** VNIs programmed on this port right now. */
  vnis: number[];
}

/** One lease of one node: who held it from `start` to `end` (epoch ms, `end` undefined while open). */
export interface LeaseSpan {
  leaseId: string;
  tenantId: string;
  nodeId: string;
  start: number;
  end?: number;
}

export interface NodeView {
  /** The node id, equal to the `host.name` its events carry. */
  id: string;
  rack?: string;
  resourceClass?: string;
  dpu?: { id: string; ports: PortView[] };
  components: ComponentView[];
}

export interface Topology {
  /** The node whose events carry this `host.name`, or undefined for a host the fleet does not know. */
  node(nodeId: string): NodeView | undefined;
  /** The lease active on the node at event time `at`, if any. */
  leaseAt(nodeId: string, at: number): LeaseSpan | undefined;
  /** Every lease of a tenant that overlaps [from, to). */
  leasesOfTenant(tenantId: string, from: number, to: number): LeaseSpan[];
  /** The tenant a segment (VNI) belongs to, if it is allocated. */
  tenantOfSegment(vni: number): string | undefined;
}
