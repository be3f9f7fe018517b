import type { FaultEvent } from '../model/event.js';
import type { LeaseSpan, NodeView, PortView, Topology } from '../model/topology.js';
import { type FleetEvent, type FleetEventSink, isFleetEventType } from './fleet-event.js';
import type { FleetRepository } from './fleet-repository.js';

/**
 * The Topology port over memory: nodes with their parts and ports, every lease span a node had
 * (sorted by start, so "who held node X at T" is a binary search), segment owners. Loaded once from
 * the state store, then kept current by fleet events (it is a FleetEventSink); applying an event
 * twice changes nothing, so it may hear the same event in-process and from the bus.
 */
export class TopologyIndex implements Topology, FleetEventSink {
  private readonly nodes = new Map<string, NodeView>();
  private readonly spans = new Map<string, LeaseSpan[]>();
  private readonly byLease = new Map<string, LeaseSpan>();
  private readonly vniOwner = new Map<number, string>();

  constructor(private readonly repo: FleetRepository) {}

  /** Reads the whole fleet from the store (startup). */
  async load(): Promise<void> {
    this.nodes.clear();
    this.spans.clear();
    this.byLease.clear();
    this.vniOwner.clear();
    for (const n of await this.repo.nodes()) await this.loadNode(n.id);
    for (const l of await this.repo.leases()) {
      if (l.activatedAt === null) continue;
      const open = l.status === 'active';
      this.addSpan({
        leaseId: l.id,
        tenantId: l.tenantId,
        nodeId: l.nodeId,
        start: Date.parse(l.start),
        ...(open ? {} : { end: Date.parse(l.end) }),
      });
    }
    for (const n of await this.repo.networks()) this.vniOwner.set(n.vni, n.tenantId);
  }

  private async loadNode(id: string): Promise<void> {
    const n = await this.repo.node(id);
    if (n === undefined) {
      this.nodes.delete(id);
      return;
    }
    const dpu = await this.repo.dpu(id);
    const segs = await this.repo.segments(id);
    const view: NodeView = {
      id,
      resourceClass: n.resourceClass,
      components: (await this.repo.components(id)).map((c) => ({
        id: c.id,
        type: c.type,
        location: c.location,
        ...(c.serial === undefined ? {} : { serial: c.serial }),
        ...(c.manufacturer === undefined ? {} : { manufacturer: c.manufacturer }),
        ...(c.model === undefined ? {} : { model: c.model }),
      })),
    };
    if (n.rack !== null) view.rack = n.rack;
    if (dpu !== undefined)
      view.dpu = {
        id: dpu.id,
        ports: dpu.ports.map(
          (p): PortView => ({
            name: p.name,
            ...(p.switchPort === undefined ? {} : { switchPort: p.switchPort }),
            vnis: segs.filter((s) => s.port === p.name).map((s) => s.vni),
          }),
        ),
      };
    this.nodes.set(id, view);
  }

  private addSpan(span: LeaseSpan): void {
    if (this.byLease.has(span.leaseId)) return;
    this.byLease.set(span.leaseId, span);
    let list = this.spans.get(span.nodeId);
    if (list === undefined) {
      list = [];
      this.spans.set(span.nodeId, list);
    }
    let i = list.length;
    while (i > 0 && list[i - 1]!.start > span.start) i--;
    list.splice(i, 0, span);
  }

  async emit(events: FleetEvent[]): Promise<void> {
    for (const e of events) await this.apply(e);
  }

  async apply(e: FleetEvent): Promise<void> {
    switch (e.type) {
      case 'node.create':
      case 'node.inventory':
        if (e.node_id !== undefined) await this.loadNode(e.node_id);
        return;
      case 'lease.start':
        if (e.lease_id && e.tenant_id && e.node_id && e.start)
          this.addSpan({
            leaseId: e.lease_id,
            tenantId: e.tenant_id,
            nodeId: e.node_id,
            start: Date.parse(e.start),
          });
        return;
      case 'lease.end': {
        const span = e.lease_id === undefined ? undefined : this.byLease.get(e.lease_id);
        if (span !== undefined && e.end !== undefined) span.end = Date.parse(e.end);
        return;
      }
      case 'network.create':
        if (e.vni !== undefined && e.tenant_id !== undefined) this.vniOwner.set(e.vni, e.tenant_id);
        return;
      case 'network.delete':
        if (e.vni !== undefined) this.vniOwner.delete(e.vni);
        return;
      case 'segment.program':
      case 'segment.remove': {
        const port = this.nodes.get(e.node_id ?? '')?.dpu?.ports.find((p) => p.name === e.port);
        if (port === undefined || e.vni === undefined) return;
        const has = port.vnis.includes(e.vni);
        if (e.type === 'segment.program' && !has) port.vnis.push(e.vni);
        if (e.type === 'segment.remove' && has) port.vnis = port.vnis.filter((v) => v !== e.vni);
        return;
      }
      default:
    }
  }

  /** Adds the lease/tenant/rack fields to one event; true when it added any. */
  private enrichOne(e: FaultEvent): boolean {
    const host = e['host.name'];
    if (host === undefined) return false;
    const node = this.nodes.get(host);
    if (node === undefined) return false;
    let changed = false;
    if (node.rack !== undefined && e['labels.rack'] === undefined) {
      e['labels.rack'] = node.rack;
      changed = true;
    }
    const span = this.leaseAt(host, Date.parse(e['@timestamp']));
    if (span === undefined) return changed;
    if (e['cloud.account.id'] === undefined) {
      e['cloud.account.id'] = span.tenantId;
      changed = true;
    }
    if (e['labels.lease_id'] === undefined) {
      e['labels.lease_id'] = span.leaseId;
      changed = true;
    }
    return changed;
  }

  node(nodeId: string): NodeView | undefined {
    return this.nodes.get(nodeId);
  }

  leaseAt(nodeId: string, at: number): LeaseSpan | undefined {
    const list = this.spans.get(nodeId);
    if (list === undefined) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.start <= at) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const span = found < 0 ? undefined : list[found];
    return span !== undefined && (span.end === undefined || at < span.end) ? span : undefined;
  }

  leasesOfTenant(tenantId: string, from: number, to: number): LeaseSpan[] {
    const out: LeaseSpan[] = [];
    for (const span of this.byLease.values())
      if (span.tenantId === tenantId && span.start < to && (span.end === undefined || span.end > from))
        out.push(span);
    return out.sort((a, b) => a.start - b.start);
  }

  tenantOfSegment(vni: number): string | undefined {
    return this.vniOwner.get(vni);
  }

  /**
   * Enrichment at ingest (DESIGN §4): the tenant leasing the event's node at the event's own time,
   * the lease and the rack. Events of unknown or unleased nodes get nothing; fields a decoder set
   * (a fleet event names its tenant) are kept. Faultline's own fleet events in the batch are folded
   * into the index first: that is how a process learns what another one (a CLI, another replica)
   * changed, and applying an event it already applied changes nothing.
   */
  enrich = async (events: FaultEvent[]): Promise<FaultEvent[]> => {
    for (const e of events) {
      if (e['event.dataset'] !== 'fleet.event' || e['event.provider'] !== 'faultline') continue;
      const fleetEvent = parseFleetEvent(e['event.original']);
      if (fleetEvent !== undefined) await this.apply(fleetEvent);
    }
    for (const e of events) this.enrichOne(e);
    return events;
  };
}

function parseFleetEvent(original: string): FleetEvent | undefined {
  try {
    const v = JSON.parse(original) as FleetEvent;
    return typeof v === 'object' && v !== null && isFleetEventType(v.type) ? v : undefined;
  } catch {
    return undefined;
  }
}
