import type { FlowImpact, Impact } from '../model/alert.js';
import type { FaultEvent } from '../model/event.js';
import type { Topology } from '../model/topology.js';

interface FlowSample {
  at: number;
  flow: string;
  interface?: string;
  vni?: number;
  bytes: number;
  packets: number;
}

/** Flows kept per host: enough for an impact list, bounded so a flow flood costs fixed memory. */
const MAX_SAMPLES_PER_HOST = 4096;
const MAX_FLOWS_LISTED = 20;

/**
 * Recent DPU flow records per host, so an alert can say, at the moment it fires, which flows cross
 * the affected node or port and how many bytes and packets they carried in the window.
 */
export class FlowTracker {
  private readonly byHost = new Map<string, FlowSample[]>();
  constructor(private readonly windowMs: number) {}

  observe(event: FaultEvent, at: number): void {
    const host = event['host.name'];
    if (host === undefined) return;
    const flow =
      event['network.community_id'] ??
      `${event['network.transport'] ?? '?'} ${event['source.ip'] ?? '?'}:${event['source.port'] ?? '?'} > ${event['destination.ip'] ?? '?'}:${event['destination.port'] ?? '?'}`;
    const sample: FlowSample = {
      at,
      flow,
      bytes: event['network.bytes'] ?? 0,
      packets: event['network.packets'] ?? 0,
    };
    if (event['interface.name'] !== undefined) sample.interface = event['interface.name'];
    if (event['network.vni'] !== undefined) sample.vni = event['network.vni'];
    let list = this.byHost.get(host);
    if (list === undefined) {
      list = [];
      this.byHost.set(host, list);
    }
    list.push(sample);
    if (list.length > MAX_SAMPLES_PER_HOST) list.splice(0, list.length - MAX_SAMPLES_PER_HOST);
  }

  /** Samples kept, over all hosts. */
  get size(): number {
    let n = 0;
    for (const list of this.byHost.values()) n += list.length;
    return n;
  }

  /**
   * Drops what no impact can read any more: samples outside the window of every time at or after
   * `oldest` (the oldest event time the engine still takes), and hosts left with none.
   */
  forgetBefore(oldest: number): void {
    const from = oldest - this.windowMs;
    for (const [host, list] of this.byHost) {
      let drop = 0;
      while (drop < list.length && (list[drop] as FlowSample).at <= from) drop++;
      if (drop === list.length) this.byHost.delete(host);
      else if (drop > 0) list.splice(0, drop);
    }
  }

  /** Flows on `host` (on `iface` only, when given) in (at − window, at], biggest first. */
  flows(host: string, at: number, iface: string | undefined, topology: Topology | undefined): FlowImpact[] {
    const from = at - this.windowMs;
    const sums = new Map<string, FlowImpact>();
    for (const s of this.byHost.get(host) ?? []) {
      if (s.at <= from || s.at > at) continue;
      if (iface !== undefined && s.interface !== undefined && s.interface !== iface) continue;
      let f = sums.get(s.flow);
      if (f === undefined) {
        f = { flow: s.flow, bytes: 0, packets: 0 };
        if (s.interface !== undefined) f.interface = s.interface;
        if (s.vni !== undefined) {
          f.vni = s.vni;
          const tenant = topology?.tenantOfSegment(s.vni);
          if (tenant !== undefined) f.tenantId = tenant;
        }
        sums.set(s.flow, f);
      }
      f.bytes += s.bytes;
      f.packets += s.packets;
    }
    return [...sums.values()].sort((a, b) => b.bytes - a.bytes || (a.flow < b.flow ? -1 : 1));
  }

  impact(
    host: string | undefined,
    at: number,
    iface: string | undefined,
    topology: Topology | undefined,
  ): Impact {
    const impact: Impact = { at, tenants: [], leases: [], flows: [], bytes: 0, packets: 0 };
    if (host === undefined) return impact;
    const lease = topology?.leaseAt(host, at);
    const tenants = new Set<string>();
    if (lease !== undefined) {
      tenants.add(lease.tenantId);
      impact.leases.push(lease.leaseId);
    }
    const flows = this.flows(host, at, iface, topology);
    for (const f of flows) {
      impact.bytes += f.bytes;
      impact.packets += f.packets;
      if (f.tenantId !== undefined) tenants.add(f.tenantId);
    }
    impact.flows = flows.slice(0, MAX_FLOWS_LISTED);
    impact.tenants = [...tenants].sort();
    return impact;
  }
}
