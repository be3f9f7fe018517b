import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/fleet/drivers/simulated-dpu.js';
import { FleetRepository } from '../../src/fleet/fleet-repository.js';
import { isFaultlineError } from '../../src/shared/errors.js';
import { availableNode, type FleetHarness, leasedNode } from './harness.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Lease booking and lease history against one store (SQLite in unit runs, PostgreSQL in
 * integration runs): concurrency, and "who leased node X at T" with its query plan.
 */
export function leaseStoreSuite(name: string, open: () => Promise<FleetHarness>): void {
  describe(`leases on ${name}`, () => {
    it('50 concurrent requests for 10 nodes over overlapping periods: no double booking, each loser a 409', async () => {
      const h = await open();
      try {
        const tenant = await h.fleet.createTenant({ name: 'race' });
        for (let i = 0; i < 10; i++) await h.fleet.createNode({ id: `race-${i}`, resourceClass: 'bm' });
        const rnd = seededRandom(7);
        const t0 = h.clock.now() + HOUR;
        const requests = Array.from({ length: 50 }, (_, i) => {
          const start = t0 + Math.floor(rnd() * 6) * HOUR;
          return {
            nodeId: `race-${i % 10}`,
            start: iso(start),
            end: iso(start + (1 + Math.floor(rnd() * 4)) * HOUR),
          };
        });
        const outcomes = await Promise.allSettled(
          requests.map((r) => h.fleet.createLeases({ tenantId: tenant.id, ...r })),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won.length + lost.length).toBe(50);
        console.log(`${name}: ${won.length} leases granted, ${lost.length} refused with 409`);
        for (const o of lost) {
          expect(isFaultlineError(o.reason), String(o.reason)).toBe(true);
          expect(o.reason).toMatchObject({ statusCode: 409, code: 'FAULTLINE_LEASE_CONFLICT' });
        }
        expect(lost.length).toBeGreaterThan(0);
        const leases = await h.fleet.repo.leases({ tenantId: tenant.id });
        expect(leases.length).toBe(won.length);
        for (const a of leases)
          for (const b of leases)
            if (a.id < b.id && a.nodeId === b.nodeId) expect(a.start >= b.end || b.start >= a.end).toBe(true);
        // Every refused request really overlapped a lease that was granted.
        for (const [i, o] of outcomes.entries()) {
          if (o.status === 'fulfilled') continue;
          const r = requests[i]!;
          expect(leases.some((l) => l.nodeId === r.nodeId && l.start < r.end && r.start < l.end)).toBe(true);
        }
      } finally {
        await h.close();
      }
    });

    it('runs a lease through deploy, evacuation to a spare and the end of the lease', async () => {
      const h = await open();
      try {
        const net = await h.fleet.createNetwork({
          tenantId: (await h.fleet.createTenant({ id: 'acme', name: 'Acme' })).id,
          name: 'n',
        });
        await availableNode(h, 'spare');
        const { t0, lease } = await leasedNode(h, 3, [net.id]);
        expect((await h.fleet.node('n1')).provisionState).toBe('active');
        await h.clock.advance(HOUR);
        const { to } = await h.settle(h.prov.evacuate('n1', 'DIMM_A1 uncorrectable'));
        await h.settle(h.prov.idle());
        expect(to).toMatchObject({ nodeId: 'spare', diskId: lease.diskId, end: lease.end });
        expect(await h.fleet.node('spare')).toMatchObject({ provisionState: 'active' });
        expect(await h.fleet.node('n1')).toMatchObject({ maintenance: true, provisionState: 'available' });
        expect((await h.fleet.repo.whoLeasedAt('n1', iso(t0 + 30 * 60_000)))?.id).toBe(lease.id);
        expect((await h.fleet.repo.whoLeasedAt('spare', iso(t0 + 2 * HOUR)))?.id).toBe(to.id);
        await h.clock.advance(3 * HOUR);
        await h.settle(Promise.all((await h.prov.tick()).operations));
        expect((await h.fleet.lease(to.id)).status).toBe('expired');
        expect((await h.fleet.node('spare')).provisionState).toBe('available');
        // The spare is free again: a new booking of the same span's tail conflicts with nothing.
        await h.fleet.createLeases({
          tenantId: 'acme',
          nodeId: 'spare',
          start: iso(h.clock.now()),
          end: iso(h.clock.now() + HOUR),
        });
      } finally {
        await h.close();
      }
    });

    it('answers "who leased node X at T" over 1,000 leases from an index', async () => {
      const h = await open();
      try {
        const tenants = await Promise.all(
          ['a', 'b', 'c', 'd'].map((n) => h.fleet.createTenant({ name: `hist-${n}` })),
        );
        const nodes = Array.from({ length: 20 }, (_, i) => `hist-${i}`);
        for (const id of nodes) await h.fleet.createNode({ id, resourceClass: 'bm' });
        const rnd = seededRandom(42);
        const t0 = Date.parse('2025-01-01T00:00:00.000Z');
        const timeline: { id: string; tenant: string; node: string; start: number; end: number }[] = [];
        const at = iso(t0);
        const repo = new FleetRepository(h.store.db);
        let k = 0;
        for (const node of nodes) {
          let t = t0;
          for (let j = 0; j < 50; j++) {
            t += Math.floor(rnd() * 12) * HOUR; // idle gap, sometimes none
            const end = t + (1 + Math.floor(rnd() * 48)) * HOUR;
            const tenant = tenants[Math.floor(rnd() * tenants.length)]!.id;
            const id = `hist-lease-${k++}`;
            timeline.push({ id, tenant, node, start: t, end });
            await repo.insertLease({
              id,
              tenantId: tenant,
              nodeId: node,
              resourceClass: 'bm',
              start: iso(t),
              end: iso(end),
              status: 'expired',
              activatedAt: iso(t),
              diskId: `disk-${id}`,
              networkIds: [],
              evacuatedFrom: null,
              reason: null,
              createdAt: at,
              updatedAt: at,
            });
            t = end;
          }
        }
        expect(timeline.length).toBe(1000);
        const last = Math.max(...timeline.map((l) => l.end));
        for (let q = 0; q < 300; q++) {
          const node = nodes[Math.floor(rnd() * nodes.length)]!;
          const t = t0 + Math.floor(rnd() * (last - t0 + HOUR));
          const want = timeline.find((l) => l.node === node && l.start <= t && t < l.end);
          const got = await h.fleet.repo.whoLeasedAt(node, iso(t));
          expect(got?.id).toBe(want?.id);
          if (want !== undefined) expect(got?.tenantId).toBe(want.tenant);
        }
        // Edges: a lease's first millisecond is in it, its end is not.
        const first = timeline[0]!;
        expect((await h.fleet.repo.whoLeasedAt(first.node, iso(first.start)))?.id).toBe(first.id);
        const next = timeline.find((l) => l.node === first.node && l.start === first.end);
        expect((await h.fleet.repo.whoLeasedAt(first.node, iso(first.end)))?.id).toBe(next?.id);

        const plan = await explain(h, 'hist-7', iso(t0 + 100 * HOUR));
        console.log(`who-leased-at plan (${name}):\n${plan}`);
        expect(plan).toMatch(/leases_node_start/);
        expect(plan).not.toMatch(/Seq Scan|SCAN leases\b(?! USING)/);
      } finally {
        await h.close();
      }
    });
  });
}

async function explain(h: FleetHarness, nodeId: string, at: string): Promise<string> {
  const q = h.fleet.repo.whoLeasedAtQuery(nodeId, at).compile();
  if (h.store.kind === 'postgres') {
    await sql`analyze leases`.execute(h.store.db);
    const rows = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(inline(q.sql, q.parameters))}`.execute(
      h.store.db,
    );
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const rows = await sql<{
    detail: string;
  }>`explain query plan ${sql.raw(inline(q.sql, q.parameters))}`.execute(h.store.db);
  return rows.rows.map((r) => r.detail).join('\n');
}

/** The compiled query with its parameters written in (test-only: values are our own literals). */
function inline(text: string, params: readonly unknown[]): string {
  const lit = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
  let next = 0;
  return text.replace(/\$(\d+)|\?/g, (_m, n: string | undefined) =>
    lit(params[n === undefined ? next++ : Number(n) - 1]),
  );
}
