import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { LeaseSpan, NodeView, Topology } from '../model/topology.js';

/** The file form: nodes as the port shows them, leases with ISO times, segments VNI → tenant. */
export interface TopologyFile {
  nodes: NodeView[];
  leases?: { leaseId: string; tenantId: string; nodeId: string; start: string; end?: string }[];
  segments?: Record<string, string>;
}

/**
 * A Topology from a JSON or YAML file: what `faultline analyze --topology` and the tests use until
 * (and besides) the leasing core's live index.
 */
export class StaticTopology implements Topology {
  private readonly nodes = new Map<string, NodeView>();
  private readonly leases: LeaseSpan[] = [];
  private readonly segments = new Map<number, string>();

  constructor(data: TopologyFile) {
    for (const n of data.nodes ?? []) this.nodes.set(n.id, { ...n, components: n.components ?? [] });
    for (const l of data.leases ?? []) {
      const span: LeaseSpan = {
        leaseId: l.leaseId,
        tenantId: l.tenantId,
        nodeId: l.nodeId,
        start: Date.parse(l.start),
      };
      if (l.end !== undefined) span.end = Date.parse(l.end);
      if (Number.isNaN(span.start) || (span.end !== undefined && Number.isNaN(span.end))) {
        throw new Error(`lease ${l.leaseId}: start/end must be ISO 8601 times`);
      }
      this.leases.push(span);
    }
    for (const [vni, tenant] of Object.entries(data.segments ?? {})) this.segments.set(Number(vni), tenant);
  }

  static fromFile(path: string): StaticTopology {
    const data = parse(readFileSync(path, 'utf8')) as TopologyFile | null;
    if (data === null || typeof data !== 'object' || !Array.isArray(data.nodes)) {
      throw new Error(`${path}: a topology file needs a "nodes" list`);
    }
    return new StaticTopology(data);
  }

  node(nodeId: string): NodeView | undefined {
    return this.nodes.get(nodeId);
  }

  leaseAt(nodeId: string, at: number): LeaseSpan | undefined {
    return this.leases.find(
      (l) => l.nodeId === nodeId && l.start <= at && (l.end === undefined || at < l.end),
    );
  }

  leasesOfTenant(tenantId: string, from: number, to: number): LeaseSpan[] {
    return this.leases.filter(
      (l) => l.tenantId === tenantId && l.start < to && (l.end === undefined || l.end > from),
    );
  }

  tenantOfSegment(vni: number): string | undefined {
    return this.segments.get(vni);
  }
}
