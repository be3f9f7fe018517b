import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../src/fleet/model.js';
import type { Runtime } from '../../src/runtime.js';
import { auth, startRuntime } from '../helpers/runtime.js';
import { untilIngested, untilServing } from './harness.js';

type Started = Awaited<ReturnType<typeof startRuntime>>;

describe('fleet API', () => {
  let rt: Started;
  let app: FastifyInstance;
  let runtime: Runtime;
  let keyA: string;
  let keyB: string;
  let leaseA: Lease;
  let leaseB: Lease;
  let netA: { id: string };
  const admin = auth();

  const call = (method: string, url: string, headers = admin, payload?: unknown) =>
    app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  /** Starts a lease now without running the (minutes-long, simulated) deploy: scoping needs only the lease. */
  async function activate(lease: Lease): Promise<Lease> {
    return runtime.fleet.service.work((w) => runtime.fleet.service.activateLeaseIn(w, lease));
  }

  beforeAll(async () => {
    rt = await startRuntime();
    app = rt.app;
    runtime = rt.runtime;
    await untilServing(app);
    for (const t of ['a', 'b'])
      expect(
        (await call('POST', '/v1/tenants', admin, { id: `tenant-${t}`, name: `Tenant ${t}` })).statusCode,
      ).toBe(201);
    for (const n of ['na', 'nb']) {
      const res = await call('POST', '/v1/nodes', admin, {
        id: n,
        resourceClass: 'bm',
        rack: 'r1',
        components: [{ id: 'PSU2', type: 'power_supply', location: 'PSU2', serial: `SN-${n}` }],
        dpu: { id: `dpu-${n}`, ports: [{ name: 'p0', switchPort: 'tor-r1:Ethernet1' }] },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    netA = (await call('POST', '/v1/networks', admin, { tenantId: 'tenant-a', name: 'prod' })).json();
    const netB = (await call('POST', '/v1/networks', admin, { tenantId: 'tenant-b', name: 'prod' })).json();
    const now = Date.now();
    const span = { start: new Date(now - 1000).toISOString(), end: new Date(now + 3_600_000).toISOString() };
    const la = await call('POST', '/v1/leases', admin, {
      tenantId: 'tenant-a',
      nodeId: 'na',
      networkIds: [netA.id],
      ...span,
    });
    expect(la.statusCode, la.body).toBe(201);
    const lb = await call('POST', '/v1/leases', admin, {
      tenantId: 'tenant-b',
      nodeId: 'nb',
      networkIds: [netB.id],
      ...span,
    });
    leaseA = await activate(la.json().leases[0]);
    leaseB = await activate(lb.json().leases[0]);
    const mk = async (tenant: string) =>
      (
        await call('POST', '/v1/api-keys', admin, {
          name: `viewer ${tenant}`,
          role: 'viewer',
          tenantId: tenant,
        })
      ).json().secret as string;
    keyA = await mk('tenant-a');
    keyB = await mk('tenant-b');
  });
  afterAll(async () => rt?.close());

  it('answers an invalid provisioning verb with 409 and the allowed verbs; a valid one with 202', async () => {
    const bad = await call('PUT', '/v1/nodes/na/states/provision', admin, { target: 'provide' });
    expect(bad.statusCode).toBe(409);
    expect(bad.json()).toMatchObject({
      code: 'FAULTLINE_INVALID_TRANSITION',
      details: { state: 'enroll', allowed: ['manage'] },
    });
    const ok = await call('PUT', '/v1/nodes/nb/states/provision', admin, { target: 'manage' });
    expect(ok.statusCode).toBe(202);
    expect(ok.json().provisionState).toBe('verifying');
    await runtime.fleet.provisioner.idle();
    expect((await call('GET', '/v1/nodes/nb')).json().provisionState).toBe('manageable');
    const unknown = await call('PUT', '/v1/nodes/nb/states/provision', admin, { target: 'explode' });
    expect(unknown.statusCode).toBe(409);
  });

  it('puts every fleet state change on the bus, where the fleet source decodes it into the event store', async () => {
    await untilIngested(app, auth());
    const res = await call('GET', '/v1/logs/search?dataset=fleet.event&host=na&order=asc&size=100');
    const actions = (res.json().events as Record<string, unknown>[]).map((e) => e['event.action']);
    expect(actions).toEqual(expect.arrayContaining(['node.create', 'lease.create', 'lease.start']));
    const start = (res.json().events as Record<string, unknown>[]).find(
      (e) => e['event.action'] === 'lease.start',
    )!;
    expect(start).toMatchObject({
      'cloud.account.id': 'tenant-a',
      'labels.lease_id': leaseA.id,
      'labels.rack': 'r1',
    });
  });

  it('audits each change in its own transaction, attributed to the key; a refused change leaves no record', async () => {
    const db = runtime.stateStore.db;
    const rows = await db.selectFrom('audit_log').selectAll().where('action', 'like', 'fleet.%').execute();
    const actions = rows.map((r) => `${r.action} ${r.target}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'fleet.tenant.create tenant-a',
        'fleet.node.create na',
        `fleet.lease.create ${leaseA.id}`,
      ]),
    );
    const adminKey = rows.find((r) => r.target === 'tenant-a')!.actor;
    expect(adminKey).not.toBe('unknown');
    const before = rows.length;
    const refused = await call('POST', '/v1/networks', admin, { tenantId: 'no-such-tenant', name: 'x' });
    expect(refused.statusCode).toBe(404);
    const after = await db.selectFrom('audit_log').selectAll().where('action', 'like', 'fleet.%').execute();
    expect(after.length).toBe(before);
  });

  it('refuses an overlapping lease with 409 FAULTLINE_LEASE_CONFLICT and answers who leased a node at a time', async () => {
    const res = await call('POST', '/v1/leases', admin, {
      tenantId: 'tenant-b',
      nodeId: 'na',
      start: new Date(Date.now() + 60_000).toISOString(),
      end: new Date(Date.now() + 120_000).toISOString(),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('FAULTLINE_LEASE_CONFLICT');
    const who = await call('GET', `/v1/leases?nodeId=na&at=${encodeURIComponent(new Date().toISOString())}`);
    expect(who.json().leases.map((l: Lease) => l.tenantId)).toEqual(['tenant-a']);
  });

  it('lets a tenant key read its own lease, node, history, components and network', async () => {
    const a = auth(keyA);
    expect((await call('GET', `/v1/leases/${leaseA.id}`, a)).statusCode).toBe(200);
    expect((await call('GET', '/v1/nodes/na', a)).json()).toMatchObject({ id: 'na', dpu: { id: 'dpu-na' } });
    expect((await call('GET', '/v1/nodes/na/components', a)).json().components[0]).toMatchObject({
      location: 'PSU2',
      serial: 'SN-na',
    });
    expect((await call('GET', '/v1/nodes/na/history', a)).statusCode).toBe(200);
    expect((await call('GET', `/v1/networks/${netA.id}`, a)).statusCode).toBe(200);
    expect((await call('GET', '/v1/nodes', a)).json().nodes.map((n: { id: string }) => n.id)).toEqual(['na']);
  });

  it("walks every fleet route with the other tenant's key: 404 on reads of A's things, 403 on every write", async () => {
    const b = auth(keyB);
    const reads: [string, string][] = [
      ['GET', '/v1/tenants/tenant-a'],
      ['GET', `/v1/networks/${netA.id}`],
      ['GET', `/v1/leases/${leaseA.id}`],
      ['GET', '/v1/nodes/na'],
      ['GET', '/v1/nodes/na/components'],
      ['GET', '/v1/nodes/na/history'],
      ['GET', '/v1/tenants/tenant-a/diagnose'],
    ];
    for (const [m, u] of reads) expect((await call(m, u, b)).statusCode, `${m} ${u}`).toBe(404);
    // Routes of other areas under the fleet's paths: refused too (the alerts API answers 403).
    const others: [string, string][] = [['GET', '/v1/tenants/tenant-a/diagnose']];
    for (const [m, u] of others) expect([403, 404], `${m} ${u}`).toContain((await call(m, u, b)).statusCode);
    const lists: [string, string, string][] = [
      ['/v1/tenants', 'tenants', 'tenant-b'],
      ['/v1/networks', 'networks', 'tenant-b'],
      ['/v1/networks?tenantId=tenant-a', 'networks', ''],
      ['/v1/leases', 'leases', 'tenant-b'],
      ['/v1/leases?tenantId=tenant-a', 'leases', ''],
      [`/v1/leases?nodeId=na&at=${encodeURIComponent(new Date().toISOString())}`, 'leases', ''],
      ['/v1/leases?nodeId=na', 'leases', ''],
      ['/v1/nodes', 'nodes', 'nb'],
    ];
    for (const [u, key, only] of lists) {
      const res = await call('GET', u, b);
      expect(res.statusCode, u).toBe(200);
      const items = res.json()[key] as { id: string; tenantId?: string }[];
      const ids = items.map((x) => x.tenantId ?? x.id);
      expect(ids, u).toEqual(only === '' ? [] : ids.map(() => only));
      if (only !== '') expect(ids.length, u).toBeGreaterThan(0);
    }
    const writes: [string, string, unknown][] = [
      ['POST', '/v1/tenants', { name: 'x' }],
      ['POST', '/v1/networks', { tenantId: 'tenant-a', name: 'x' }],
      ['DELETE', `/v1/networks/${netA.id}`, undefined],
      ['POST', '/v1/nodes', { id: 'x', resourceClass: 'bm' }],
      ['POST', '/v1/nodes/import-redfish', { url: 'http://127.0.0.1:1' }],
      ['PUT', '/v1/nodes/na/components', { components: [] }],
      ['PUT', '/v1/nodes/na/states/provision', { target: 'manage' }],
      ['PUT', '/v1/nodes/na/maintenance', { reason: 'x' }],
      ['DELETE', '/v1/nodes/na/maintenance', undefined],
      ['POST', '/v1/nodes/na/evacuate', { reason: 'x' }],
      ['POST', '/v1/leases', { tenantId: 'tenant-b', nodeId: 'na', start: leaseA.start, end: leaseA.end }],
      ['DELETE', `/v1/leases/${leaseA.id}`, undefined],
    ];
    for (const [m, u, body] of writes) expect((await call(m, u, b, body)).statusCode, `${m} ${u}`).toBe(403);
    // Nothing of A's changed.
    expect((await call('GET', `/v1/leases/${leaseA.id}`)).json().status).toBe('active');
    expect((await call('GET', '/v1/nodes/na')).json().maintenance).toBe(false);
    // The walk covered every fleet route the app has.
    const walked = new Set(
      [...reads, ...others, ...writes]
        .map(([m, u]) => `${m} ${routeOf(u)}`)
        .concat(lists.map(([u]) => `GET ${routeOf(u)}`)),
    );
    const routes = fleetRoutes(app);
    expect(routes.size).toBeGreaterThanOrEqual(18);
    expect([...routes].filter((r) => !walked.has(r))).toEqual([]);
    expect(leaseB.tenantId).toBe('tenant-b');
  });

  it('evacuates an active lease to a spare of the same class, answering once the lease has moved', async () => {
    await call('POST', '/v1/nodes', admin, {
      id: 'nc',
      resourceClass: 'bm',
      rack: 'r1',
      dpu: { id: 'dpu-nc', ports: [{ name: 'p0' }] },
    });
    await runtime.fleet.provisioner.makeAvailable('nc');
    const res = await call('POST', '/v1/nodes/na/evacuate', admin, { reason: 'CPU0 IERR' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      from: { id: leaseA.id, status: 'evacuated', reason: 'CPU0 IERR' },
      to: {
        nodeId: 'nc',
        tenantId: 'tenant-a',
        diskId: leaseA.diskId,
        networkIds: [netA.id],
        status: 'active',
        evacuatedFrom: leaseA.id,
      },
    });
    expect((await call('GET', '/v1/nodes/na')).json()).toMatchObject({
      maintenance: true,
      maintenanceReason: 'CPU0 IERR',
    });
    // Tenant A now sees the spare, not the failed node.
    expect((await call('GET', '/v1/nodes/nc', auth(keyA))).statusCode).toBe(200);
    expect((await call('GET', '/v1/nodes/na', auth(keyA))).statusCode).toBe(404);
    const none = await call('POST', '/v1/nodes/nb/evacuate', admin, { reason: 'x' });
    expect(none.statusCode).toBe(409);
  });
});

/** The route pattern a concrete URL hits (ids → :id). */
function routeOf(url: string): string {
  const path = url.split('?')[0]!;
  return path
    .replace(/^\/v1\/(tenants|networks|leases|nodes)\/(?!import-redfish)[^/]+/, '/v1/$1/:id')
    .replace(/\/$/, '');
}

/** "METHOD /path" of every /v1 fleet route registered, rebuilt from Fastify's printed route tree. */
function fleetRoutes(app: FastifyInstance): Set<string> {
  const out = new Set<string>();
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)/.exec(line);
    if (m === null) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('');
    if (!/^\/v1\/(tenants|networks|leases|nodes)\b/.test(path)) continue;
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.add(`${method} ${path}`);
  }
  return out;
}
