import type { FaultEvent } from '../model/event.js';
import type { LeaseSpan, NodeView, PortView, Topology } from '../model/topology.js';

/** Lease spans kept per node: a node has a handful of leases a month; older ones stop mattering. */
const MAX_LEASES_PER_NODE = 64;

/**
 * A Topology folded from the leasing core's own `fleet.event`s as the engine reads them (src/sources/
 * fleet): lease start/end per node and tenant, segments programmed on DPU ports. It is the live
 * engine's view when no other Topology is given, and it follows event time, so a replay sees the
 * same tenants at the same moments. Components (board labels, serials) are the leasing core's
 * inventory and come only from a full Topology.
 */
export class FleetEventTopology implements Topology {
  private readonly nodes = new Map<string, NodeView>();
  private readonly leases = new Map<string, LeaseSpan[]>();
  /** VNI → its tenant and the ports (`node/port`) it is programmed on; forgotten with its last port. */
  private readonly segments = new Map<number, { tenant: string; ports: Set<string> }>();

  observe(event: FaultEvent, at: number): void {
    const f = event as unknown as Record<string, unknown>;
    const node = event['host.name'];
    const action = event['event.action'];
    const tenant = event['cloud.account.id'];
    const leaseId = f['labels.lease_id'];
    if (node !== undefined && !this.nodes.has(node)) this.nodes.set(node, { id: node, components: [] });
    if (
      // `lease.create` is only a booking (also emitted when a lease moves to a spare): the tenant
      // holds the node from `lease.start` to `lease.end`.
      action === 'lease.start' &&
      node !== undefined &&
      typeof leaseId === 'string' &&
      tenant !== undefined
    ) {
      const list = this.leases.get(node) ?? [];
      if (!list.some((l) => l.leaseId === leaseId)) {
        const start =
          typeof f['fleet.lease.start'] === 'string' ? Date.parse(f['fleet.lease.start'] as string) : at;
        list.push({ leaseId, tenantId: tenant, nodeId: node, start: Number.isNaN(start) ? at : start });
        if (list.length > MAX_LEASES_PER_NODE) list.shift();
        this.leases.set(node, list);
      }
    } else if (action === 'lease.end' && node !== undefined && typeof leaseId === 'string') {
      const lease = this.leases.get(node)?.find((l) => l.leaseId === leaseId);
      if (lease !== undefined) lease.end = at;
    } else if (action === 'segment.program' || action === 'segment.remove') {
      const vni = event['network.vni'];
      if (vni === undefined) return;
      const port = event['interface.name'];
      const where = `${node ?? ''}/${port ?? ''}`;
      if (action === 'segment.program' && tenant !== undefined) {
        const seg = this.segments.get(vni);
        if (seg === undefined || seg.tenant !== tenant)
          this.segments.set(vni, { tenant, ports: new Set([where]) });
        else seg.ports.add(where);
      } else if (action === 'segment.remove') {
        const seg = this.segments.get(vni);
        if (seg !== undefined) {
          seg.ports.delete(where);
          if (seg.ports.size === 0) this.segments.delete(vni);
        }
      }
      const view = node === undefined ? undefined : this.nodes.get(node);
      if (view !== undefined && port !== undefined) {
        view.dpu ??= { id: `${view.id}-dpu`, ports: [] };
        let p: PortView | undefined = view.dpu.ports.find((x) => x.name === port);
        if (p === undefined) {
          p = { name: port, vnis: [] };
          view.dpu.ports.push(p);
        }
        p.vnis =
          action === 'segment.program' ? [...new Set([...p.vnis, vni])] : p.vnis.filter((v) => v !== vni);
      }
    }
  }

  node(nodeId: string): NodeView | undefined {
    return this.nodes.get(nodeId);
  }

  leaseAt(nodeId: string, at: number): LeaseSpan | undefined {
    return this.leases.get(nodeId)?.find((l) => l.start <= at && (l.end === undefined || at < l.end));
  }

  leasesOfTenant(tenantId: string, from: number, to: number): LeaseSpan[] {
    const out: LeaseSpan[] = [];
    for (const list of this.leases.values())
      for (const l of list)
        if (l.tenantId === tenantId && l.start < to && (l.end === undefined || l.end > from)) out.push(l);
    return out;
  }

  tenantOfSegment(vni: number): string | undefined {
    return this.segments.get(vni)?.tenant;
  }
}
