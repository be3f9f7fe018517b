import type { FleetRepository } from '../../src/fleet/fleet-repository.js';
import type { TopologyIndex } from '../../src/fleet/topology-index.js';

/**
 * The bench's fleet (generated: no public source has one): the workload's hosts `compute-0` … as
 * nodes in racks of 40, three of four leased (one tenant per 25 nodes) since before the workload's
 * timestamps, so that enrichment adds tenant, lease and rack to most events and rack alone to the
 * rest, as in a busy leasing region. It is held by a repository in memory with just what
 * TopologyIndex reads when a node is created; the leases arrive as the fleet's own events do.
 */
export async function benchFleet(
  Index: typeof TopologyIndex,
  hosts: number,
): Promise<InstanceType<typeof TopologyIndex>> {
  const rackOf = (id: string) => `rack-${Math.floor(Number(id.slice('compute-'.length)) / 40)}`;
  const repo = {
    node: async (id: string) => ({ id, resourceClass: 'baremetal.general', rack: rackOf(id) }),
    dpu: async () => undefined,
    segments: async () => [],
    components: async () => [],
  } as unknown as FleetRepository;
  const index = new Index(repo);
  const at = '2000-01-01T00:00:00.000Z';
  for (let i = 0; i < hosts; i++) {
    const node_id = `compute-${i}`;
    await index.apply({ type: 'node.create', at, node_id });
    if (i % 4 === 3) continue;
    await index.apply({
      type: 'lease.start',
      at,
      node_id,
      lease_id: `lease-${i}`,
      tenant_id: `tenant-${Math.floor(i / 25)}`,
      start: at,
    });
  }
  return index;
}
