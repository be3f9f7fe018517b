import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../helpers/fixtures.js';
import { auth, postIngest, startRuntime, waitForIngest } from '../helpers/runtime.js';

const OPENSTACK_2K = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log');

type Page = {
  total: number;
  totalIsExact: boolean;
  events: Array<Record<string, unknown>>;
  nextCursor?: string;
};

describe('ingest → bus → decode → store → search (embedded adapters)', () => {
  let t: Awaited<ReturnType<typeof startRuntime>>;

  beforeAll(async () => {
    t = await startRuntime();
    const res = await postIngest(t.app, 'openstack-log', OPENSTACK_2K, { host: 'compute-1' });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({
      source: 'openstack-log',
      topic: 'faultline.openstack.log',
      accepted: 2000,
      firstLine: 1,
      lastLine: 2000,
    });
    await waitForIngest(t.app);
  });
  afterAll(() => t.close());

  const search = async (qs: string): Promise<Page> => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/logs/search?${qs}`, headers: auth() });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Page>();
  };

  it('makes all 2,000 records searchable', async () => {
    const page = await search('size=1');
    expect(page).toMatchObject({ total: 2000, totalIsExact: true });
  });

  it('level=WARNING returns exactly the 31 WARNING lines, newest first', async () => {
    const page = await search('level=WARNING&size=100');
    expect(page.total).toBe(31);
    expect(page.events).toHaveLength(31);
    expect(page.events.every((e) => e['log.level'] === 'WARNING')).toBe(true);
    const ts = page.events.map((e) => String(e['@timestamp']));
    expect([...ts].sort().reverse()).toEqual(ts);
    expect((await search('level=warning&size=1')).total).toBe(31);
  });

  it('filters by time range, host, service and full text', async () => {
    expect((await search('service=nova-scheduler')).total).toBe(7);
    expect((await search('host=compute-1&size=1')).total).toBe(2000);
    expect((await search('host=compute-2')).total).toBe(0);
    const range = await search('from=2017-05-16T00:00:00.000Z&to=2017-05-16T00:00:01.000Z');
    expect(range.events.map((e) => e['@timestamp'])).toEqual([
      '2017-05-16T00:00:00.272Z',
      '2017-05-16T00:00:00.008Z',
    ]);
    const text = await search(`q=${encodeURIComponent('Instance spawned successfully')}&size=100`);
    expect(text.total).toBeGreaterThan(0);
    expect(text.events.every((e) => String(e.message).includes('Instance spawned successfully'))).toBe(true);
    const expected = OPENSTACK_2K.split('\n').filter((l) =>
      l.includes('Instance spawned successfully'),
    ).length;
    expect(text.total).toBe(expected);
  });

  it('pages with a cursor through every matching record exactly once', async () => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await search(`service=nova-compute&size=200${cursor ? `&cursor=${cursor}` : ''}`);
      for (const e of page.events) seen.add(String(e['event.id']));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    expect(seen.size).toBe(933);
    expect(pages).toBe(5);
  });

  it('aggregates by level and by time', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/logs/aggregate?groupBy=log.level',
      headers: auth(),
    });
    const buckets = res.json<{ buckets: Array<{ key: string; count: number }> }>().buckets;
    expect(buckets.find((b) => b.key === 'WARNING')?.count).toBe(31);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(2000);
    const hist = await t.app.inject({
      method: 'GET',
      url: '/v1/logs/aggregate?interval=1h&limit=100',
      headers: auth(),
    });
    const hb = hist.json<{ buckets: Array<{ key: string; count: number }> }>().buckets;
    expect(hb.reduce((n, b) => n + b.count, 0)).toBe(2000);
  });

  it('answers bad input with 4xx and a stable error code', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['GET', '/v1/logs/search?size=0', 400, 'FAULTLINE_VALIDATION'],
      ['GET', '/v1/logs/search?from=yesterday', 400, 'FAULTLINE_VALIDATION'],
      ['GET', '/v1/logs/search?dataset=nope', 400, 'FAULTLINE_VALIDATION'],
      ['GET', '/v1/logs/search?cursor=garbage', 400, 'FAULTLINE_BAD_CURSOR'],
      [
        'GET',
        '/v1/logs/search?from=2020-01-02T00:00:00Z&to=2020-01-01T00:00:00Z',
        400,
        'FAULTLINE_VALIDATION',
      ],
      ['POST', '/v1/ingest/no-such-source', 404, 'FAULTLINE_UNKNOWN_SOURCE'],
      ['GET', '/v1/nowhere', 404, 'FAULTLINE_NOT_FOUND'],
    ];
    for (const [method, url, status, code] of cases) {
      const res = await t.app.inject({
        method: method as 'GET',
        url,
        headers: { ...auth(), 'content-type': 'text/plain' },
        payload: method === 'POST' ? 'x' : undefined,
      });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
      expect(res.json()).toMatchObject({ statusCode: status, code });
    }
    const empty = await t.app.inject({
      method: 'POST',
      url: '/v1/ingest/openstack-log',
      headers: { ...auth(), 'content-type': 'text/plain' },
      payload: '  \n',
    });
    expect(empty.json()).toMatchObject({ statusCode: 400, code: 'FAULTLINE_EMPTY_BODY' });
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await t.app.inject('/healthz')).json()).toMatchObject({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      checks: { eventStore: { ok: true }, stateStore: { ok: true }, bus: { ok: true } },
    });
    const metrics = await t.app.inject('/metrics');
    expect(metrics.body).toMatch(/faultline_events_written_total\{dataset="openstack.log"\} 2000/);
    expect(metrics.body).toMatch(/faultline_ingest_accepted_records_total\{source="openstack-log"\} 2000/);
    const spec = (await t.app.inject('/docs/json')).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/ingest/{source}', '/v1/logs/search', '/v1/api-keys', '/readyz']),
    );
    expect((await t.app.inject('/docs')).statusCode).toBeLessThan(400);
  });
});

describe('persistence', () => {
  it('keeps ingested records across a restart of the runtime', async () => {
    const first = await startRuntime();
    const lines = OPENSTACK_2K.split('\n').slice(0, 300).join('\n');
    await first.app.inject({
      method: 'POST',
      url: '/v1/ingest/openstack-log',
      headers: { ...auth(), 'content-type': 'text/plain' },
      payload: lines,
    });
    await waitForIngest(first.app);
    await first.close({ keepData: true });

    const second = await startRuntime({ dataDir: first.dataDir });
    try {
      const res = await second.app.inject({ method: 'GET', url: '/v1/logs/search?size=1', headers: auth() });
      expect(res.json()).toMatchObject({ total: 300 });
      // The same input again is a replay: no duplicates.
      await second.app.inject({
        method: 'POST',
        url: '/v1/ingest/openstack-log',
        headers: { ...auth(), 'content-type': 'text/plain' },
        payload: lines,
      });
      await waitForIngest(second.app);
      const again = await second.app.inject({
        method: 'GET',
        url: '/v1/logs/search?size=1',
        headers: auth(),
      });
      expect(again.json()).toMatchObject({ total: 300 });
      const metrics = await second.app.inject('/metrics');
      expect(metrics.body).toMatch(/faultline_events_duplicate_total 300/);
    } finally {
      await second.close();
    }
  });
});

describe('dead letters', () => {
  it('stores a malformed line with its reason and line number, counts it, and ingests the lines after it', async () => {
    const t = await startRuntime();
    try {
      const good = OPENSTACK_2K.split('\n').slice(0, 5);
      const body = [good[0], good[1], 'THIS IS NOT AN OSLO LOG LINE', good[2], good[3], good[4]].join('\n');
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest/openstack-log',
        headers: { ...auth(), 'content-type': 'text/plain' },
        payload: body,
      });
      expect(res.json()).toMatchObject({ accepted: 6 });
      await waitForIngest(t.app);
      const search = await t.app.inject({ method: 'GET', url: '/v1/logs/search?size=10', headers: auth() });
      expect(search.json()).toMatchObject({ total: 5 });
      const dl = await t.app.inject({ method: 'GET', url: '/v1/ingest/dead-letters', headers: auth() });
      expect(dl.statusCode).toBe(200);
      expect(dl.json<{ entries: unknown[] }>().entries).toEqual([
        expect.objectContaining({
          source: 'openstack-log',
          line: 3,
          reason: expect.stringContaining('does not match the oslo.log format'),
          original: 'THIS IS NOT AN OSLO LOG LINE',
          sourceTopic: 'faultline.openstack.log',
        }),
      ]);
      const metrics = (await t.app.inject('/metrics')).body;
      expect(metrics).toMatch(/faultline_dead_letters_total\{source="openstack-log"\} 1/);
      expect(metrics).toMatch(
        /faultline_ingest_rejected_records_total\{source="openstack-log",stage="decode"\} 1/,
      );
    } finally {
      await t.close();
    }
  });
});

describe('documents with many records', () => {
  it('dead-letters one bad Redfish member with its JSON path and stores the good ones beside it', async () => {
    const t = await startRuntime();
    try {
      // Member 0 from DMTF's public-acd mockup (test/fixtures/redfish/log_entries); member 1 is broken on purpose.
      const body = JSON.stringify(
        {
          '@odata.type': '#LogEntryCollection.LogEntryCollection',
          Members: [
            {
              '@odata.id': '/redfish/v1/Managers/BMC/LogServices/Log/Entries/1',
              '@odata.type': '#LogEntry.v1_21_0.LogEntry',
              Id: '1',
              EntryType: 'Event',
              Severity: 'Critical',
              Created: '2012-03-07T14:44:00Z',
              Message: 'System May be Melting',
              MessageId: 'Event.1.0.TempWayTooHot',
              MessageArgs: ['88'],
            },
            { '@odata.id': '/redfish/v1/Managers/BMC/LogServices/Log/Entries/2', Id: '2', EntryType: 42 },
          ],
        },
        null,
        2,
      );
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest/redfish?host=bm-042',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: body,
      });
      expect(res.json()).toMatchObject({ accepted: 2 });
      await waitForIngest(t.app);
      const search = await t.app.inject({ url: '/v1/logs/search?dataset=bmc.redfish', headers: auth() });
      expect(search.json<{ events: Array<Record<string, unknown>> }>().events).toEqual([
        expect.objectContaining({
          'host.name': 'bm-042',
          'event.code': 'Event.1.0.TempWayTooHot',
          '@timestamp': '2012-03-07T14:44:00.000Z',
        }),
      ]);
      const dl = await t.app.inject({ url: '/v1/ingest/dead-letters', headers: auth() });
      expect(dl.json<{ entries: Array<{ reason: string; source: string }> }>().entries).toEqual([
        expect.objectContaining({ source: 'redfish', reason: expect.stringContaining('$.Members[1]') }),
      ]);
      // Counted in records, not events: two members read, one decoded, one rejected.
      const metrics = (await t.app.inject('/metrics')).body;
      expect(metrics).toMatch(/faultline_ingest_consumed_records_total\{source="redfish"\} 2\n/);
      expect(metrics).toMatch(/faultline_ingest_decoded_records_total\{source="redfish"\} 1\n/);
    } finally {
      await t.close();
    }
  });
});

describe('records produced straight to a topic', () => {
  it('are decoded by the source their topic names when they carry no Faultline headers', async () => {
    const t = await startRuntime();
    try {
      // What an external agent does (DESIGN §6): key = node id, value = the raw record, no headers.
      const line = OPENSTACK_2K.split('\n')[0]!.replace(/\r$/, '');
      await t.runtime.bus.publish('faultline.openstack.log', [{ key: 'cmp-raw', value: line }]);
      await waitForIngest(t.app);
      const res = await t.app.inject({ url: '/v1/logs/search?host=cmp-raw', headers: auth() });
      expect(res.json<{ events: Array<Record<string, unknown>> }>().events).toEqual([
        expect.objectContaining({
          'event.original': line,
          'service.name': 'nova-api',
          'host.name': 'cmp-raw',
        }),
      ]);
      const dl = await t.app.inject({ url: '/v1/ingest/dead-letters', headers: auth() });
      expect(dl.json()).toEqual({ entries: [] });
      const metrics = (await t.app.inject('/metrics')).body;
      expect(metrics).toMatch(/faultline_ingest_consumed_records_total\{source="openstack-log"\} 1\n/);
      expect(metrics).not.toMatch(/source="unknown"/);
    } finally {
      await t.close();
    }
  });
});

describe('request limits', () => {
  it('answers a body over FAULTLINE_MAX_BODY_BYTES with 413 and stores nothing', async () => {
    const t = await startRuntime({ overrides: { maxBodyBytes: 4096 } });
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest/openstack-log',
        headers: { ...auth(), 'content-type': 'text/plain' },
        payload: OPENSTACK_2K.slice(0, 10_000),
      });
      expect(res.json()).toMatchObject({ statusCode: 413, code: 'FAULTLINE_PAYLOAD_TOO_LARGE' });
      const status = await t.app.inject({ url: '/v1/ingest/status', headers: auth() });
      expect(status.json()).toMatchObject({ pending: 0 });
      const search = await t.app.inject({ url: '/v1/logs/search?size=1', headers: auth() });
      expect(search.json()).toMatchObject({ total: 0 });
    } finally {
      await t.close();
    }
  });
});
