import { describe, expect, it } from 'vitest';
import { FleetRepository } from '../../src/fleet/fleet-repository.js';
import { TopologyIndex } from '../../src/fleet/topology-index.js';
import type { FaultEvent } from '../../src/model/event.js';
import { getSource } from '../../src/sources/registry.js';
import { availableNode, fleetHarness, leasedNode } from './harness.js';

const HOUR = 3_600_000;

function hwEvent(host: string, at: number): FaultEvent {
  return {
    '@timestamp': new Date(at).toISOString(),
    'event.id': `e-${at}`,
    'event.dataset': 'bmc.sel',
    'event.kind': 'event',
    'event.severity': 3,
    'event.original': 'x',
    message: 'Correctable ECC',
    'host.name': host,
  };
}

describe('TopologyIndex (the Topology port over fleet events)', () => {
  it('answers node, ports, segments, lease at a time, leases of a tenant, segment owner', async () => {
    const h = await fleetHarness();
    try {
      const index = new TopologyIndex(new FleetRepository(h.store.db));
      await index.load();
      h.fanout.add(index);
      const t = await h.fleet.createTenant({ id: 'acme', name: 'Acme' });
      const net = await h.fleet.createNetwork({ tenantId: t.id, name: 'prod' });
      await availableNode(h, 'n1');
      const t0 = h.clock.now();
      const [lease] = await h.fleet.createLeases({
        tenantId: t.id,
        nodeId: 'n1',
        start: new Date(t0).toISOString(),
        end: new Date(t0 + 2 * HOUR).toISOString(),
        networkIds: [net.id],
      });
      await h.settle(Promise.all((await h.prov.tick()).operations));
      const view = index.node('n1')!;
      expect(view).toMatchObject({ id: 'n1', rack: 'r01', resourceClass: 'bm.large' });
      expect(view.components[0]).toMatchObject({ id: 'CPU0', serial: 'S-n1-CPU0' });
      expect(view.dpu?.ports).toEqual([
        { name: 'p0', switchPort: 'tor-r01:Ethernet2', vnis: [net.vni] },
        { name: 'p1', vnis: [net.vni] },
      ]);
      expect(index.tenantOfSegment(net.vni)).toBe('acme');
      expect(index.leaseAt('n1', t0 + HOUR)).toMatchObject({ leaseId: lease!.id, tenantId: 'acme' });
      expect(index.leaseAt('n1', t0 - 1)).toBeUndefined();
      await h.clock.advance(2 * HOUR);
      await h.settle(Promise.all((await h.prov.tick()).operations));
      expect(index.leaseAt('n1', t0 + 2 * HOUR + 1)).toBeUndefined();
      expect(index.leaseAt('n1', t0 + HOUR)?.tenantId).toBe('acme');
      expect(index.leasesOfTenant('acme', t0, t0 + 10 * HOUR).map((s) => s.leaseId)).toEqual([lease!.id]);
      expect(index.leasesOfTenant('acme', t0 + 3 * HOUR, t0 + 4 * HOUR)).toEqual([]);
      expect(index.node('n1')!.dpu!.ports.every((p) => p.vnis.length === 0)).toBe(true);
      // A fresh index loaded from the store agrees with the one kept by events.
      const reloaded = new TopologyIndex(new FleetRepository(h.store.db));
      await reloaded.load();
      expect(reloaded.leaseAt('n1', t0 + HOUR)).toEqual(index.leaseAt('n1', t0 + HOUR));
      expect(reloaded.node('n1')).toEqual(index.node('n1'));
    } finally {
      await h.close();
    }
  });

  it("learns another process's changes from the fleet events in the ingest stream, then enriches", async () => {
    const h = await fleetHarness();
    try {
      const other = new TopologyIndex(new FleetRepository(h.store.db));
      await other.load(); // empty: everything below happens "elsewhere"
      const { t0 } = await leasedNode(h);
      const source = getSource('fleet')!;
      const decoded = h.sink.events.flatMap((e) => {
        const r = source.decode(JSON.stringify(e), {});
        return r.ok ? r.events : [];
      });
      const during = hwEvent('n1', t0 + 30 * 60_000);
      const after = hwEvent('n1', t0 + 2 * HOUR);
      const unknown = hwEvent('elsewhere', t0 + 30 * 60_000);
      expect(other.node('n1')).toBeUndefined();
      await other.enrich([...decoded, during, after, unknown]);
      expect(during).toMatchObject({ 'cloud.account.id': 'acme', 'labels.rack': 'r01' });
      expect(during['labels.lease_id']).toEqual(expect.any(String));
      // The lease is still open at t0 + 2 h until the scheduler ends it: the index says so too.
      expect(after['cloud.account.id']).toBe('acme');
      expect(unknown['cloud.account.id']).toBeUndefined();
      expect(unknown['labels.rack']).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});
