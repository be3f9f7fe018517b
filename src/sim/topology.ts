import type { LeaseSpan, NodeView, Topology } from '../model/topology.js';
import type { SimFleet } from './fleet.js';
import type { LeaseSpanRecord } from './leases.js';

/**
 * The Topology port over the simulator's own fleet and lease history: what the engine sees of a
 * simulated run when the leasing core is not wired in (tests, `analyze` over simulated files).
 */
export class SimTopology implements Topology {
  private readonly nodes: Map<string, NodeView>;
  private readonly segments: Map<number, string>;

  constructor(
    fleet: SimFleet,
    private readonly leases: readonly LeaseSpanRecord[],
  ) {
    this.nodes = new Map(fleet.nodes.map((n) => [n.id, n]));
    this.segments = new Map(fleet.tenants.map((t) => [t.vni, t.id]));
  }

  node(nodeId: string): NodeView | undefined {
    return this.nodes.get(nodeId);
  }

  leaseAt(nodeId: string, at: number): LeaseSpan | undefined {
    const l = this.leases.find((x) => x.nodeId === nodeId && x.start <= at && at < x.end);
    return l === undefined
      ? undefined
      : { leaseId: l.leaseId, tenantId: l.tenantId, nodeId, start: l.start, end: l.end };
  }

  leasesOfTenant(tenantId: string, from: number, to: number): LeaseSpan[] {
    return this.leases
      .filter((l) => l.tenantId === tenantId && l.start < to && l.end > from)
      .map((l) => ({ leaseId: l.leaseId, tenantId, nodeId: l.nodeId, start: l.start, end: l.end }));
  }

  tenantOfSegment(vni: number): string | undefined {
    return this.segments.get(vni);
  }
}
