import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/load.js';
import { readFixture } from '../helpers/fixtures.js';
import { auth, postIngest, startRuntime, waitForIngest } from '../helpers/runtime.js';

const OPENSTACK_2K = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log');
const LINES = OPENSTACK_2K.split(/\r?\n/).filter((l) => l !== '');

/** Waits until ingest has stored everything and it is searchable. */
async function settled(t: Awaited<ReturnType<typeof startRuntime>>): Promise<void> {
  // A loaded machine makes under-pressure answer 503 now and then: that is "ask again".
  for (let attempt = 0; ; attempt++) {
    try {
      await waitForIngest(t.app);
      break;
    } catch (error) {
      if (attempt >= 20 || !String(error).includes('503')) throw error;
      await sleep(250);
    }
  }
  await t.runtime.eventStore.refresh();
}

/** Template counts reach the catalogue every few seconds (catalogue-miner.ts): waits until they add up. */
async function templateCountsFlushed(
  t: Awaited<ReturnType<typeof startRuntime>>,
  lines: number,
): Promise<void> {
  let total = 0;
  for (let attempt = 0; attempt < 80; attempt++) {
    const res = await t.app.inject({ method: 'GET', url: '/v1/logs/templates?limit=1000', headers: auth() });
    total = res.json<{ templates: Array<{ count: number }> }>().templates.reduce((n, x) => n + x.count, 0);
    if (total === lines) return;
    await sleep(250);
  }
  throw new Error(`template counts add up to ${total}, not ${lines}, after 20 s`);
}

/** The same scenarios on either store: log-analysis.int.test.ts runs them on Elasticsearch. */
export function logAnalysisScenarios(store: string, overrides: () => Partial<Config> = () => ({})): void {
  describe(`log analysis API on the ${store} store (Loghub OpenStack sample)`, () => {
    let t: Awaited<ReturnType<typeof startRuntime>>;

    beforeAll(async () => {
      t = await startRuntime({ overrides: overrides() });
      const res = await postIngest(t.app, 'openstack-log', OPENSTACK_2K, { host: 'compute-1' });
      expect(res.statusCode, res.body).toBe(202);
      await settled(t);
      await templateCountsFlushed(t, LINES.length);
    });
    afterAll(() => t.close());

    const get = async <T>(url: string, status = 200): Promise<T> => {
      const res = await t.app.inject({ method: 'GET', url, headers: auth() });
      expect(res.statusCode, res.body).toBe(status);
      return res.json<T>();
    };

    it('stores every OpenStack event with its log.template.id, searchable by it', async () => {
      const page = await get<{ events: Array<Record<string, unknown>> }>('/v1/logs/search?size=1000');
      expect(page.events.every((e) => typeof e['log.template.id'] === 'string')).toBe(true);
      const buckets = await get<{ buckets: Array<{ key: string; count: number }> }>(
        '/v1/logs/aggregate?groupBy=log.template.id&limit=1000',
      );
      expect(buckets.buckets.reduce((n, b) => n + b.count, 0)).toBe(2000);
      expect(buckets.buckets.length).toBeGreaterThanOrEqual(40);
    });

    it('lists the mined templates and the occurrences of one', async () => {
      const { templates } = await get<{ templates: Array<{ id: string; template: string; count: number }> }>(
        '/v1/logs/templates?limit=1000',
      );
      expect(templates.length).toBeGreaterThanOrEqual(40);
      const top = templates[0]!;
      expect(top.template).toContain('"GET <*>');
      const one = await get<{ total: number; events: Array<Record<string, unknown>>; histogram: unknown[] }>(
        `/v1/logs/templates/${top.id}?size=5`,
      );
      expect(one.total).toBe(LINES.filter((l) => l.includes('"GET ')).length);
      expect(one.events.every((e) => e['log.template.id'] === top.id)).toBe(true);
      expect(one.histogram.length).toBeGreaterThan(0);
      const spawned = await get<{ templates: Array<{ template: string }> }>(
        `/v1/logs/templates?contains=${encodeURIComponent('Instance spawned')}`,
      );
      expect(spawned.templates.map((x) => x.template)).toEqual(['Instance spawned successfully.']);
      await get('/v1/logs/templates/t000000000000', 404);
    });

    it('keeps the fleet-wide template catalogue from tenant-scoped keys, and scopes their errors', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: auth(),
        payload: { name: 'acme viewer', role: 'viewer', tenantId: 'acme' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const viewer = auth(created.json<{ secret: string }>().secret);
      const list = await t.app.inject({ method: 'GET', url: '/v1/logs/templates', headers: viewer });
      expect(list.statusCode).toBe(403);
      const errors = await t.app.inject({
        method: 'GET',
        url: '/v1/logs/errors?level=WARNING',
        headers: viewer,
      });
      expect(errors.statusCode).toBe(200);
      expect(errors.json<{ groups: unknown[] }>().groups).toEqual([]);
      // Every other log route, with the sample's own ids: the sample names no tenant, so acme sees none of it.
      const line = LINES.find((l) => l.includes('req-'))!;
      const requestId = /req-[0-9a-f-]{36}/.exec(line)![0];
      const admin = await get<{ events: { 'event.id': string; 'log.template.id': string }[] }>(
        `/v1/logs/search?q=${requestId}&size=1`,
      );
      const [{ 'event.id': eventId, 'log.template.id': templateId }] = admin.events as [
        { 'event.id': string; 'log.template.id': string },
      ];
      const empty: [string, (body: Record<string, unknown>) => unknown][] = [
        ['/v1/logs/search?level=INFO', (b) => b.events],
        [`/v1/logs/search?q=${requestId}`, (b) => b.events],
        ['/v1/logs/aggregate?groupBy=service.name', (b) => b.buckets],
        ['/v1/logs/values/service.name', (b) => b.values],
        ['/v1/logs/top?by=host', (b) => b.top],
        [`/v1/logs/trace?request_id=${requestId}`, (b) => b.events],
      ];
      for (const [url, pick] of empty) {
        const res = await t.app.inject({ method: 'GET', url, headers: viewer });
        expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
        expect(pick(res.json()), url).toEqual([]);
      }
      const exported = await t.app.inject({
        method: 'GET',
        url: '/v1/logs/export?format=ndjson',
        headers: viewer,
      });
      expect(exported.statusCode).toBe(200);
      expect(exported.body).toBe('');
      for (const url of [`/v1/logs/${eventId}`, `/v1/logs/templates/${templateId}`]) {
        const res = await t.app.inject({ method: 'GET', url, headers: viewer });
        expect(res.statusCode, url).toBe(404);
      }
    });

    it('trace of a request id returns exactly its lines, oldest first, per service', async () => {
      const id = /req-[0-9a-f-]{36}/.exec(
        LINES.find((l) => l.includes('nova-compute') && l.includes('req-'))!,
      )![0];
      const expected = LINES.filter((l) => l.includes(`[${id} `));
      const trace = await get<{
        events: Array<Record<string, unknown>>;
        services: Array<{ service: string; count: number; durationMs: number }>;
      }>(`/v1/logs/trace?request_id=${id}`);
      const got = trace.events.map((e) => String(e['event.original']));
      expect([...got].sort()).toEqual([...expected].sort());
      const times = trace.events.map((e) => String(e['@timestamp']));
      expect([...times].sort()).toEqual(times);
      expect(trace.services.reduce((n, s) => n + s.count, 0)).toBe(expected.length);
    });

    it('trace of an instance follows its lifecycle across services', async () => {
      const uuid = '127e769a-4fe6-4548-93b1-513ac51e0452';
      const trace = await get<{ events: Array<Record<string, unknown>> }>(`/v1/logs/trace?instance=${uuid}`);
      expect(trace.events.length).toBeGreaterThan(0);
      expect(trace.events.every((e) => e['cloud.instance.id'] === uuid)).toBe(true);
    });

    it('errors groups the WARNING lines by template with first/last seen', async () => {
      const errors = await get<{
        groups: Array<{
          templateId: string;
          template: string;
          count: number;
          firstSeen: string;
          lastSeen: string;
        }>;
      }>('/v1/logs/errors?level=WARNING');
      expect(errors.groups.reduce((n, g) => n + g.count, 0)).toBe(31);
      for (const g of errors.groups) {
        expect(g.template).toEqual(expect.any(String));
        expect(g.firstSeen <= g.lastSeen).toBe(true);
      }
      expect((await get<{ groups: unknown[] }>('/v1/logs/errors')).groups).toEqual([]);
    });

    it('finds the records of an id an SRE pastes: request id, instance UUID, logger', async () => {
      const total = async (q: string) =>
        (await get<{ total: number }>(`/v1/logs/search?size=1&q=${encodeURIComponent(q)}`)).total;
      const id = /req-[0-9a-f-]{36}/.exec(
        LINES.find((l) => l.includes('nova-compute') && l.includes('req-'))!,
      )![0];
      expect(await total(id)).toBe(LINES.filter((l) => l.includes(`[${id} `)).length);
      const uuid = '127e769a-4fe6-4548-93b1-513ac51e0452';
      expect(await total(uuid)).toBe(LINES.filter((l) => l.includes(uuid)).length);
      expect(await total('nova.virt.libvirt.imagecache')).toBe(
        LINES.filter((l) => l.includes(' nova.virt.libvirt.imagecache ')).length,
      );
    });

    it('understands phrases, OR and NOT', async () => {
      const total = async (q: string) =>
        (await get<{ total: number }>(`/v1/logs/search?size=1&q=${encodeURIComponent(q)}`)).total;
      const count = (re: RegExp) => LINES.filter((l) => re.test(l)).length;
      expect(await total('"VM Paused"')).toBe(count(/VM Paused/));
      expect(await total('Paused OR Resumed')).toBe(count(/VM (Paused|Resumed)/));
      expect(await total('"Lifecycle Event" NOT Paused')).toBe(
        count(/VM (Resumed|Started|Stopped) \(Lifecycle/),
      );
      expect(await total('"Lifecycle Event" -Paused -Resumed')).toBe(
        count(/VM (Started|Stopped) \(Lifecycle/),
      );
      const bad = await get<{ code: string; details: unknown }>(
        `/v1/logs/search?q=${encodeURIComponent('"open')}`,
        400,
      );
      expect(bad).toMatchObject({ code: 'FAULTLINE_VALIDATION', details: { parameter: 'q' } });
    });

    it('exports 2,000 lines as CSV that parse back to the stored records, and as NDJSON', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/logs/export?format=csv', headers: auth() });
      expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const rows = parse(res.body, { columns: true }) as Array<Record<string, string>>;
      expect(rows).toHaveLength(2000);
      const page = await get<{ events: Array<Record<string, unknown>> }>(
        '/v1/logs/search?order=asc&size=1000',
      );
      expect(rows.slice(0, 1000).map((r) => [r['event.id'], r.message, r['labels.request_id']])).toEqual(
        page.events.map((e) => [e['event.id'], e.message, e['labels.request_id'] ?? '']),
      );
      const nd = await t.app.inject({ method: 'GET', url: '/v1/logs/export?level=WARNING', headers: auth() });
      const lines = nd.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(31);
      expect(lines.every((l) => l['log.level'] === 'WARNING')).toBe(true);
      await get('/v1/logs/export?fields=a%20b', 400);
    });

    it('pages without repeating or skipping a record while ingest runs', async () => {
      const newer = LINES.slice(0, 500)
        .map((l) => l.replace(' 2017-05-16 ', ' 2017-05-17 '))
        .join('\n');
      const seen: string[] = [];
      let cursor: string | undefined;
      let posted = false;
      do {
        const page = await get<{ events: Array<Record<string, unknown>>; nextCursor?: string }>(
          `/v1/logs/search?size=100${cursor === undefined ? '' : `&cursor=${cursor}`}`,
        );
        seen.push(...page.events.map((e) => String(e['event.id'])));
        cursor = page.nextCursor;
        if (!posted) {
          posted = true;
          const res = await t.app.inject({
            method: 'POST',
            url: '/v1/ingest/openstack-log?host=compute-2',
            headers: { ...auth(), 'content-type': 'text/plain' },
            payload: newer,
          });
          expect(res.statusCode).toBe(202);
        }
      } while (cursor !== undefined);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(2000);
    });

    it('answers a bad parameter with 400, the error code and the parameter name', async () => {
      const bad = await get<{ code: string; details: unknown }>('/v1/logs/search?dataset=nope', 400);
      expect(bad).toMatchObject({ code: 'FAULTLINE_VALIDATION', details: { parameter: 'dataset' } });
      const size = await get<{ code: string; details: Array<{ path: string }> }>(
        '/v1/logs/search?size=abc',
        400,
      );
      expect(size.code).toBe('FAULTLINE_VALIDATION');
      expect(JSON.stringify(size.details)).toContain('size');
      const trace = await get<{ details: unknown }>('/v1/logs/trace', 400);
      expect(trace.details).toEqual({ parameter: 'request_id' });
    });
  });

  describe(`search filters over logs and hardware events on the ${store} store`, () => {
    let h: Awaited<ReturnType<typeof startRuntime>>;
    const SEL = readFixture('bmc', 'ipmi-sel', 'generated', 'webui_export_and_pcie_bdf.txt');

    beforeAll(async () => {
      h = await startRuntime({ overrides: overrides() });
      for (const [source, host, payload] of [
        ['openstack-log', 'compute-1', OPENSTACK_2K],
        ['ipmi-sel', 'bmc-7', SEL],
      ] as const) {
        const res = await h.app.inject({
          method: 'POST',
          url: `/v1/ingest/${source}?host=${host}`,
          headers: { ...auth(), 'content-type': 'text/plain' },
          payload,
        });
        expect(res.statusCode, res.body).toBe(202);
      }
      await settled(h);
    });
    afterAll(() => h.close());

    const total = async (qs: string) => {
      const res = await h.app.inject({ method: 'GET', url: `/v1/logs/search?size=1&${qs}`, headers: auth() });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ total: number }>().total;
    };

    it('severity finds hardware events (event.severity, no log.level) with the logs', async () => {
      expect(await total('severity=warning')).toBe(31 + 3);
      expect(await total('severity=error')).toBe(1);
      expect(await total('severity=2')).toBe(1);
      expect(await total('level=missing')).toBe(3);
      expect(await total('level=WARNING,missing')).toBe(34);
      const bad = await h.app.inject({
        method: 'GET',
        url: '/v1/logs/search?severity=loud',
        headers: auth(),
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'FAULTLINE_VALIDATION', details: { parameter: 'severity' } });
    });

    it('filters on hardware fields and finds a pasted hw.id or fault class', async () => {
      expect(await total('hw.fault.class=uncorrectable')).toBe(1);
      expect(await total('hw.id=DIMM_B2')).toBe(1);
      expect(await total('hw.type=memory')).toBe(1);
      expect(await total('q=DIMM_B2')).toBe(1);
      expect(await total(`q=${encodeURIComponent('0000:5d:03.2')}`)).toBe(1);
      expect(await total('q=uncorrectable')).toBe(1);
      expect(await total('logger=nova.compute.manager')).toBe(
        LINES.filter((l) => l.includes(' nova.compute.manager ')).length,
      );
    });

    it('lists the values of a field and the top services for a query', async () => {
      const values = await h.app.inject({
        method: 'GET',
        url: '/v1/logs/values/service.name',
        headers: auth(),
      });
      expect(values.statusCode, values.body).toBe(200);
      const byService = Object.fromEntries(
        values.json<{ values: Array<{ key: string; count: number }> }>().values.map((v) => [v.key, v.count]),
      );
      expect(byService['nova-scheduler']).toBe(7);
      const top = await h.app.inject({
        method: 'GET',
        url: '/v1/logs/top?by=service&q=instance&limit=2',
        headers: auth(),
      });
      expect(top.statusCode, top.body).toBe(200);
      const body = top.json<{ total: number; top: Array<{ key: string; count: number }> }>();
      expect(body.top).toHaveLength(2);
      expect(body.top[0]!.count).toBeGreaterThanOrEqual(body.top[1]!.count);
      expect(body.top.reduce((n, b) => n + b.count, 0)).toBeLessThanOrEqual(body.total);
      const bad = await h.app.inject({ method: 'GET', url: '/v1/logs/values/message', headers: auth() });
      expect(bad.statusCode).toBe(400);
    });

    it('returns a date histogram with an automatic interval alongside the hits', async () => {
      const res = await h.app.inject({
        method: 'GET',
        url: '/v1/logs/search?size=5&histogram=true&dataset=openstack.log&from=2017-05-16T00:00:00Z&to=2017-05-17T00:00:00Z',
        headers: auth(),
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ total: number; interval: string; histogram: Array<{ count: number }> }>();
      expect(body.interval).toBe('15m');
      expect(body.histogram.reduce((n, b) => n + b.count, 0)).toBe(body.total);
    });
  });
}
