import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { availableNode, type FleetHarness, fleetHarness } from './harness.js';

const HOUR = 3_600_000;

describe('leases drive provisioning (simulated DPU, simulated time)', () => {
  let h: FleetHarness;
  let tenant: string;
  let net: { id: string; vni: number };
  beforeEach(async () => {
    h = await fleetHarness();
    tenant = (await h.fleet.createTenant({ id: 'acme', name: 'Acme' })).id;
    net = await h.fleet.createNetwork({ tenantId: tenant, name: 'prod' });
    await availableNode(h, 'n1');
    await availableNode(h, 'n2');
  });
  afterEach(async () => h.close());

  const iso = (ms: number) => new Date(ms).toISOString();
  /** One lease of n1 on the tenant's network, from `start` to `end` (epoch ms). */
  const leaseN1 = async (start: number, end: number) =>
    (
      await h.fleet.createLeases({
        tenantId: tenant,
        nodeId: 'n1',
        start: iso(start),
        end: iso(end),
        networkIds: [net.id],
      })
    )[0]!;

  it('fails a node stuck mid-deploy for 30 min (nothing drives it any more) and ends its lease in error; a recent one is left alone', async () => {
    const t0 = h.clock.now();
    const lease = await leaseN1(t0 + 60_000, t0 + 2 * HOUR);
    await h.clock.advance(60_000);
    // What a process stopped mid-deploy leaves behind: the lease active, the node deploying, no driver.
    await h.fleet.work((w) => h.fleet.activateLeaseIn(w, lease));
    await h.fleet.transition('n1', 'deploy');
    await h.clock.advance(25 * 60_000);
    await h.fleet.transition('n2', 'deploy');
    expect(await h.prov.failStuck()).toEqual([]);
    await h.clock.advance(6 * 60_000);
    const failed = await h.prov.failStuck();
    expect(failed.map((n) => [n.id, n.provisionState])).toEqual([['n1', 'deploy failed']]);
    expect((await h.fleet.node('n1')).fault).toMatch(
      /^stuck in deploying since .*: the operation was interrupted$/,
    );
    expect((await h.fleet.lease(lease.id)).status).toBe('error');
    expect((await h.fleet.node('n2')).provisionState).toBe('deploying');
  });

  it('walks a fresh node enroll → verifying → manageable → cleaning → available', async () => {
    const states = (await h.fleet.repo.history('n1'))
      .filter((e) => e.event.startsWith('provision.'))
      .map((e) => e.to);
    expect(states).toEqual(['verifying', 'manageable', 'cleaning', 'available']);
  });

  it('lease start → deploy (disk, vNICs, segment, power, boot) → active; lease end → clean → available', async () => {
    const t0 = h.clock.now();
    const lease = await leaseN1(t0 + 60_000, t0 + 2 * HOUR);
    expect(lease.status).toBe('pending');
    await h.clock.advance(60_000);
    const { started, operations } = await h.prov.tick();
    expect(started.map((l) => l.id)).toEqual([lease.id]);
    await h.settle(Promise.all(operations));
    const node = await h.fleet.node('n1');
    expect(node).toMatchObject({ provisionState: 'active', powerState: 'power on', lastError: null });
    expect(h.dpu.diskOf('n1')).toBe(lease.diskId);
    expect((await h.dpu.segments('n1')).sort((a, b) => a.port.localeCompare(b.port))).toEqual([
      { port: 'p0', vni: net.vni },
      { port: 'p1', vni: net.vni },
    ]);
    const deploy = (await h.fleet.repo.history('n1'))
      .filter((e) => e.event.startsWith('provision.'))
      .slice(-4);
    expect(deploy.map((e) => `${e.from}>${e.to}`)).toEqual([
      'available>deploying',
      'deploying>wait call-back',
      'wait call-back>deploying',
      'deploying>active',
    ]);
    // 8 s disk + 2×2 s vNIC + 2×1 s segment + 3 s power + 90 s boot = 107 s of simulated time.
    const active = h.sink.ofType('node.provision_set').find((e) => e.node_id === 'n1' && e.to === 'active')!;
    expect(Date.parse(active.at) - (t0 + 60_000)).toBe(107_000);

    await h.clock.advance(2 * HOUR);
    const { ended, operations: cleanOps } = await h.prov.tick();
    expect(ended.map((l) => l.status)).toEqual(['expired']);
    await h.settle(Promise.all(cleanOps));
    expect(await h.fleet.node('n1')).toMatchObject({ provisionState: 'available', powerState: 'power off' });
    expect(h.dpu.diskOf('n1')).toBeUndefined();
    expect(await h.dpu.segments('n1')).toEqual([]);
    expect(await h.fleet.repo.segments('n1')).toEqual([]);
  });

  it('a failed step leaves the node in deploy failed with the reason, undone, and the lease in error', async () => {
    h.dpu.setFailureRate('program_segment', 1);
    const t0 = h.clock.now();
    const lease = await leaseN1(t0, t0 + HOUR);
    const { operations } = await h.prov.tick();
    await h.settle(Promise.all(operations));
    const node = await h.fleet.node('n1');
    expect(node.provisionState).toBe('deploy failed');
    expect(node.lastError).toMatch(/^program_segment: simulated program_segment failure on n1/);
    expect(h.dpu.diskOf('n1')).toBeUndefined();
    expect(await h.dpu.segments('n1')).toEqual([]);
    const l = await h.fleet.lease(lease.id);
    expect(l.status).toBe('error');
    expect(l.reason).toMatch(/program_segment/);
    expect(
      h.sink.ofType('node.step').some((e) => e.step === 'program_segment' && e.outcome === 'failure'),
    ).toBe(true);
  });

  it('evacuates an active lease to a spare of the same class with the same disk and segment', async () => {
    await availableNode(h, 'other', 'bm.small');
    const t0 = h.clock.now();
    const lease = await leaseN1(t0, t0 + 4 * HOUR);
    await h.settle(Promise.all((await h.prov.tick()).operations));
    await h.clock.advance(HOUR);
    const { from, to } = await h.settle(h.prov.evacuate('n1', 'CPU0 uncorrectable machine check'));
    expect(to.status).toBe('active');
    await h.settle(h.prov.idle());
    expect(from.status).toBe('evacuated');
    expect(to).toMatchObject({
      nodeId: 'n2',
      tenantId: tenant,
      diskId: lease.diskId,
      networkIds: [net.id],
      status: 'active',
      evacuatedFrom: lease.id,
      end: lease.end,
    });
    expect(h.dpu.diskOf('n2')).toBe(lease.diskId);
    expect(h.dpu.diskOf('n1')).toBeUndefined();
    expect((await h.dpu.segments('n2')).map((s) => s.vni)).toEqual([net.vni, net.vni]);
    expect(await h.dpu.segments('n1')).toEqual([]);
    expect(await h.fleet.node('n1')).toMatchObject({
      maintenance: true,
      maintenanceReason: 'CPU0 uncorrectable machine check',
    });
    expect((await h.fleet.node('n2')).provisionState).toBe('active');
    // History stays true on both nodes.
    const before = iso(t0 + 30 * 60_000);
    expect((await h.fleet.repo.whoLeasedAt('n1', before))?.id).toBe(lease.id);
    expect(await h.fleet.repo.whoLeasedAt('n1', iso(t0 + 2 * HOUR))).toBeUndefined();
    expect((await h.fleet.repo.whoLeasedAt('n2', iso(t0 + 2 * HOUR)))?.id).toBe(to.id);
    // A maintenance node is never booked again.
    await expect(
      h.fleet.createLeases({
        tenantId: tenant,
        nodeId: 'n1',
        start: iso(t0 + 5 * HOUR),
        end: iso(t0 + 6 * HOUR),
      }),
    ).rejects.toMatchObject({ statusCode: 409 });
  });

  it('refuses an overlapping lease with 409 and books by class only what is free', async () => {
    const t0 = h.clock.now();
    await h.fleet.createLeases({
      tenantId: tenant,
      nodeId: 'n1',
      start: iso(t0 + HOUR),
      end: iso(t0 + 3 * HOUR),
    });
    await expect(
      h.fleet.createLeases({
        tenantId: tenant,
        nodeId: 'n1',
        start: iso(t0 + 2 * HOUR),
        end: iso(t0 + 4 * HOUR),
      }),
    ).rejects.toMatchObject({ statusCode: 409, code: 'FAULTLINE_LEASE_CONFLICT' });
    const byClass = await h.fleet.createLeases({
      tenantId: tenant,
      resourceClass: 'bm.large',
      count: 1,
      start: iso(t0 + 2 * HOUR),
      end: iso(t0 + 4 * HOUR),
    });
    expect(byClass.map((l) => l.nodeId)).toEqual(['n2']);
    await expect(
      h.fleet.createLeases({
        tenantId: tenant,
        resourceClass: 'bm.large',
        count: 1,
        start: iso(t0 + 2 * HOUR),
        end: iso(t0 + 3 * HOUR),
      }),
    ).rejects.toMatchObject({ statusCode: 409, code: 'FAULTLINE_NO_CAPACITY' });
  });

  it('allocates one VNI per network from the pool and never twice', async () => {
    const other = await h.fleet.createTenant({ name: 'Other' });
    const a = await h.fleet.createNetwork({ tenantId: tenant, name: 'dev' });
    const b = await h.fleet.createNetwork({ tenantId: other.id, name: 'prod' });
    expect(new Set([net.vni, a.vni, b.vni]).size).toBe(3);
    await expect(h.fleet.createNetwork({ tenantId: tenant, name: 'dev' })).rejects.toMatchObject({
      statusCode: 409,
    });
  });

  it("reports segments that are not the current lessee's as invariant violations", async () => {
    const other = await h.fleet.createTenant({ name: 'Mallory' });
    const foreign = await h.fleet.createNetwork({ tenantId: other.id, name: 'x' });
    const t0 = h.clock.now();
    await h.fleet.createLeases({
      tenantId: tenant,
      nodeId: 'n1',
      start: iso(t0),
      end: iso(t0 + HOUR),
      networkIds: [net.id],
    });
    await h.settle(Promise.all((await h.prov.tick()).operations));
    expect(await h.prov.checkSegments()).toEqual([]);
    h.dpu.injectSegment('n1', 'p1', foreign.vni);
    h.dpu.injectSegment('n2', 'p0', net.vni);
    const v = await h.prov.checkSegments();
    expect(v.map((x) => `${x.nodeId}/${x.port}/${x.vni}`).sort()).toEqual([
      `n1/p1/${foreign.vni}`,
      `n2/p0/${net.vni}`,
    ]);
    const events = h.sink.ofType('invariant.violation');
    expect(events.map((e) => e.tenant_id).sort()).toEqual([tenant, other.id].sort());
    expect(events.find((e) => e.node_id === 'n1')!.reason).toContain('leased to acme');
  });

  it('moves a pending lease whose node broke before the start to a spare of its class', async () => {
    const t0 = h.clock.now();
    const lease = await leaseN1(t0 + HOUR, t0 + 3 * HOUR);
    await h.fleet.setMaintenance('n1', true, 'PSU2 failed');
    await h.clock.advance(HOUR);
    const { started, operations } = await h.prov.tick();
    await h.settle(Promise.all(operations));
    expect(started.map((l) => [l.id, l.nodeId])).toEqual([[lease.id, 'n2']]);
    const moved = await h.fleet.lease(lease.id);
    expect(moved).toMatchObject({ nodeId: 'n2', status: 'active' });
    expect(moved.reason).toContain('PSU2 failed');
    expect((await h.fleet.node('n2')).provisionState).toBe('active');
    expect((await h.fleet.node('n1')).provisionState).toBe('available');
  });
});
