import { describe, expect, it } from 'vitest';
import { FleetEventTopology } from '../../src/engine/fleet-topology.js';
import type { FaultEvent } from '../../src/model/event.js';

// Generated data: the leasing core's fleet.event shapes (src/sources/fleet), reduced to the fields the topology reads.
const T0 = Date.parse('2026-12-07T00:00:00Z');

function fleetEvent(action: string, fields: Record<string, unknown>): FaultEvent {
  return {
    '@timestamp': new Date(T0).toISOString(),
    'event.id': `${action}-${JSON.stringify(fields)}`,
    'event.dataset': 'fleet.event',
    'event.action': action,
    ...fields,
  } as unknown as FaultEvent;
}

const segment = (action: 'segment.program' | 'segment.remove', node: string, port: string, vni: number) =>
  fleetEvent(action, {
    'host.name': node,
    'interface.name': port,
    'network.vni': vni,
    'cloud.account.id': 'tenant-03',
  });

describe('FleetEventTopology', () => {
  it('knows who leases a node at each moment of event time', () => {
    const topo = new FleetEventTopology();
    topo.observe(
      fleetEvent('lease.start', {
        'host.name': 'bm-001',
        'cloud.account.id': 'tenant-03',
        'labels.lease_id': 'l-1',
      }),
      T0,
    );
    topo.observe(
      fleetEvent('lease.end', { 'host.name': 'bm-001', 'labels.lease_id': 'l-1' }),
      T0 + 3_600_000,
    );
    expect(topo.leaseAt('bm-001', T0 - 1)).toBeUndefined();
    expect(topo.leaseAt('bm-001', T0 + 60_000)?.tenantId).toBe('tenant-03');
    expect(topo.leaseAt('bm-001', T0 + 3_600_000)).toBeUndefined();
    expect(topo.leasesOfTenant('tenant-03', T0, T0 + 1)).toHaveLength(1);
  });

  it('keeps a segment’s tenant while any port still carries it, and forgets it with the last one', () => {
    const topo = new FleetEventTopology();
    topo.observe(segment('segment.program', 'bm-001', 'p0', 5001), T0);
    topo.observe(segment('segment.program', 'bm-002', 'p0', 5001), T0);
    topo.observe(segment('segment.remove', 'bm-001', 'p0', 5001), T0 + 1);
    expect(topo.tenantOfSegment(5001)).toBe('tenant-03');
    expect(topo.node('bm-001')?.dpu?.ports.find((p) => p.name === 'p0')?.vnis).toEqual([]);
    expect(topo.node('bm-002')?.dpu?.ports.find((p) => p.name === 'p0')?.vnis).toEqual([5001]);
    topo.observe(segment('segment.remove', 'bm-002', 'p0', 5001), T0 + 2);
    expect(topo.tenantOfSegment(5001)).toBeUndefined();
  });

  it('holds no memory for segments that come and go (a year of leases on one node)', () => {
    const topo = new FleetEventTopology();
    for (let vni = 10_000; vni < 20_000; vni++) {
      topo.observe(segment('segment.program', 'bm-001', 'p1', vni), T0 + vni);
      topo.observe(segment('segment.remove', 'bm-001', 'p1', vni), T0 + vni + 1);
    }
    expect((topo as unknown as { segments: Map<number, unknown> }).segments.size).toBe(0);
  });
});
