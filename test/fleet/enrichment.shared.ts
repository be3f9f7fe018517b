import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/load.js';
import { FleetRepository } from '../../src/fleet/fleet-repository.js';
import { auth, startRuntime } from '../helpers/runtime.js';
import { untilIngested, untilServing } from './harness.js';

const HOUR = 3_600_000;

/** An OpenStack log line (loghub OpenStack_2k, first line) re-timed to `at`. */
function logLineAt(at: number): string {
  const t = new Date(at).toISOString().replace('T', ' ').replace('Z', '');
  return `nova-compute.log.1.2017-05-16_13:55:31 ${t} 2931 INFO nova.compute.manager [req-3ea4052c-895d-4b64-9e2d-04d64c4d94ab - - - - -] [instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] VM Started (Lifecycle Event)`;
}

/**
 * Enrichment at ingest through the whole runtime (ingest API → bus → pipeline → event store):
 * an event of a node during a lease carries the lessee, lease and rack; the same node's event an
 * hour after the lease ended carries no tenant. Run against each event store.
 */
export function enrichmentSuite(
  name: string,
  setup: () => Promise<{ overrides: Partial<Config>; cleanup?: () => Promise<void> }>,
): void {
  describe(`enrichment at ingest (${name})`, () => {
    it("stamps the tenant that leased the node at the event's time, and none after the lease", async () => {
      const env = await setup();
      const rt = await startRuntime({ overrides: env.overrides });
      await untilServing(rt.app);
      try {
        const fleet = rt.runtime.fleet;
        await fleet.service.createTenant({ id: 'tenant-e', name: 'Enriched' });
        await fleet.service.createNode({ id: 'node-e', resourceClass: 'bm', rack: 'rack-7' });
        const now = Date.now();
        const start = now - 4 * HOUR;
        const end = now - 2 * HOUR;
        // A lease in the past, as history holds it; the index learns it by reloading from the store.
        const repo = new FleetRepository(rt.runtime.stateStore.db);
        const iso = (t: number) => new Date(t).toISOString();
        await repo.insertLease({
          id: 'lease-e',
          tenantId: 'tenant-e',
          nodeId: 'node-e',
          resourceClass: 'bm',
          start: iso(start),
          end: iso(end),
          status: 'expired',
          activatedAt: iso(start),
          diskId: 'disk-e',
          networkIds: [],
          evacuatedFrom: null,
          reason: null,
          createdAt: iso(start),
          updatedAt: iso(end),
        });
        await fleet.topology.load();
        const body = [logLineAt(start + HOUR), logLineAt(end + HOUR)].join('\n');
        const res = await rt.app.inject({
          method: 'POST',
          url: '/v1/ingest/openstack-log?host=node-e',
          headers: { ...auth(), 'content-type': 'text/plain' },
          payload: body,
        });
        expect(res.statusCode, res.body).toBe(202);
        await untilIngested(rt.app, auth());
        let events: Record<string, unknown>[] = [];
        // The event store may show a write a moment after the pipeline acknowledged it (ES refresh).
        for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
          const page = await rt.app.inject({
            method: 'GET',
            url: '/v1/logs/search?host=node-e&dataset=openstack.log&order=asc&size=10',
            headers: auth(),
          });
          if (page.statusCode === 200) events = page.json().events;
          if (events.length === 2) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(events.length, JSON.stringify(events)).toBe(2);
        const [during, after] = events as Record<string, unknown>[];
        expect(during).toMatchObject({
          'cloud.account.id': 'tenant-e',
          'labels.lease_id': 'lease-e',
          'labels.rack': 'rack-7',
        });
        expect(after!['cloud.account.id']).toBeUndefined();
        expect(after!['labels.lease_id']).toBeUndefined();
        expect(after!['labels.rack']).toBe('rack-7');
        // The same one ingest path tags the log template in every store (no fast path skips it).
        expect(during!['log.template.id']).toMatch(/\S/);
        expect(after!['log.template.id']).toBe(during!['log.template.id']);
        // A tenant key finds its hardware's event, and only that one.
        const key = (
          await rt.app.inject({
            method: 'POST',
            url: '/v1/api-keys',
            headers: auth(),
            payload: { name: 'tenant-e viewer', role: 'viewer', tenantId: 'tenant-e' },
          })
        ).json().secret as string;
        const mine = await rt.app.inject({
          method: 'GET',
          url: '/v1/logs/search?host=node-e&dataset=openstack.log',
          headers: auth(key),
        });
        expect(mine.json().events.map((e: Record<string, unknown>) => e['labels.lease_id'])).toEqual([
          'lease-e',
        ]);
      } finally {
        await rt.close();
        await env.cleanup?.();
      }
    });
  });
}
