import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../src/model/event.js';
import { eventId } from '../../src/model/event-id.js';
import { isFaultlineError } from '../../src/shared/errors.js';
import { openstackLogSource } from '../../src/sources/openstack/log/index.js';
import type { EventQuery, EventStore } from '../../src/store/types.js';
import { readFixture } from '../helpers/fixtures.js';

/**
 * The EventStore contract (src/store/types.ts), run against SQLite in unit runs and Elasticsearch in
 * integration runs. The factory returns an empty, bootstrapped store of its own.
 */
export interface EventStoreHarness {
  store: EventStore;
  close(): Promise<void>;
}

const BASE = Date.parse('2017-05-16T00:00:00.000Z');

/** Real OpenStack lines (Loghub), spread over hosts, tenants and 15 minutes, plus hardware and DPU events. */
/** An event as a store gives it back: as written, plus when it reached the store (ECS event.ingested). */
const stored = (e: FaultEvent) => ({ ...e, 'event.ingested': expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

export function conformanceEvents(): FaultEvent[] {
  const framer = openstackLogSource.createFramer();
  const lines = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log').split(/\r?\n/).slice(0, 120);
  const frames = [...lines.flatMap((l, i) => framer.push(l, i + 1)), ...framer.end()];
  const events: FaultEvent[] = [];
  for (const [i, f] of frames.entries()) {
    const r = openstackLogSource.decode(f.payload, { line: f.line, host: 'unused' });
    if (!r.ok) throw new Error(`fixture line ${f.line} did not decode: ${r.reason}`);
    for (const e of r.events) {
      // Every tenth event shares its predecessor's timestamp: the cursor must break ties.
      const slot = i % 10 === 9 ? i - 1 : i;
      e['@timestamp'] = new Date(BASE + slot * 7500).toISOString();
      e['host.name'] = `compute-${i % 3}`;
      if (i % 4 === 0) e['cloud.account.id'] = 'tenant-a';
      if (i % 4 === 1) e['cloud.account.id'] = 'tenant-b';
      events.push(e);
    }
  }
  for (let k = 0; k < 6; k++) {
    const original = `Nov 21 10:0${k}:00 compute-1 kernel: EDAC MC0: 1 CE memory read error on CPU_SrcID#0_Ha#0_Chan#1_DIMM#0 (${k})`;
    events.push({
      '@timestamp': new Date(BASE + 120_000 + k * 1000).toISOString(),
      'event.id': eventId('syslog', original),
      'event.dataset': 'host.syslog',
      'event.kind': 'event',
      'event.severity': 4,
      'event.original': original,
      'event.module': 'syslog',
      message: `EDAC MC0: 1 CE memory read error on CPU_SrcID#0_Ha#0_Chan#1_DIMM#0 (${k})`,
      'host.name': 'compute-1',
      'log.level': k % 2 === 0 ? 'warning' : 'Warning',
      'hw.type': 'memory',
      'hw.id': 'CPU0_DIMM_B1',
      'hw.fault.class': 'correctable',
      'cloud.account.id': 'tenant-c',
      'labels.rack': 'r12',
    });
  }
  for (let k = 0; k < 3; k++) {
    const original = JSON.stringify({
      dpu: 'dpu-7',
      port: `p${k}`,
      rx_bytes: 1_000_000_007 * (k + 1),
      ts: k,
    });
    events.push({
      '@timestamp': new Date(BASE + 300_000 + k * 60_000).toISOString(),
      'event.id': eventId('dpu-metrics', original),
      'event.dataset': 'dpu.metrics',
      'event.kind': 'metric',
      'event.severity': 6,
      'event.original': original,
      'event.module': 'dpu-metrics',
      message: `port p${k} counters`,
      'host.name': 'compute-2',
      'observer.type': 'dpu',
      'interface.name': `p${k}`,
      'network.bytes': 1_000_000_007 * (k + 1),
      'dpu.port.rx_bytes': 1_000_000_007 * (k + 1),
      'dpu.port': `p${k}`,
    });
  }
  return events;
}

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');

async function allPages(
  store: EventStore,
  query: EventQuery,
): Promise<{ events: FaultEvent[]; pages: number }> {
  const events: FaultEvent[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.search({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    events.push(...page.events);
    cursor = page.nextCursor;
    pages++;
    if (pages > 1000) throw new Error('pagination does not end');
  } while (cursor !== undefined);
  return { events, pages };
}

export function eventStoreConformance(name: string, factory: () => Promise<EventStoreHarness>): void {
  describe(`EventStore conformance: ${name}`, () => {
    let h: EventStoreHarness;
    let store: EventStore;
    const events = conformanceEvents();
    const ids = (list: FaultEvent[]) => list.map((e) => e['event.id']).sort();
    const expectIds = (got: FaultEvent[], want: FaultEvent[]) => expect(ids(got)).toEqual(ids(want));

    beforeAll(async () => {
      h = await factory();
      store = h.store;
      await store.bootstrap();
      const r = await store.write(events);
      expect(r).toEqual({ written: events.length, duplicates: 0, failed: [] });
      await store.refresh();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('is healthy and bootstraps again without harm', async () => {
      await store.bootstrap();
      expect((await store.health()).ok).toBe(true);
    });

    it('gets an event by id exactly as written (flat dotted keys, numbers, arrays)', async () => {
      for (const e of [
        events[0]!,
        events.find((x) => x['event.dataset'] === 'host.syslog')!,
        events.at(-1)!,
      ]) {
        expect(await store.get(e['event.id'])).toEqual(stored(e));
      }
      expect(await store.get('no-such-event-id')).toBeUndefined();
    });

    it('filters by time range (from inclusive, to exclusive)', async () => {
      const from = new Date(BASE + 150_000).toISOString();
      const to = new Date(BASE + 300_000).toISOString();
      const want = events.filter((e) => e['@timestamp'] >= from && e['@timestamp'] < to);
      expect(want.length).toBeGreaterThan(5);
      const { events: got } = await allPages(store, { from, to, size: 1000 });
      expectIds(got, want);
      const page = await store.search({ from, to, size: 5 });
      expect(page.total).toBe(want.length);
      expect(page.totalIsExact).toBe(true);
    });

    it('filters by host, service, dataset, tenant and other terms', async () => {
      const cases: Array<[EventQuery, (e: FaultEvent) => boolean]> = [
        [{ host: ['compute-1'] }, (e) => e['host.name'] === 'compute-1'],
        [
          { host: ['compute-0', 'compute-2'] },
          (e) => e['host.name'] === 'compute-0' || e['host.name'] === 'compute-2',
        ],
        [{ service: ['nova-compute'] }, (e) => e['service.name'] === 'nova-compute'],
        [{ dataset: ['host.syslog'] }, (e) => e['event.dataset'] === 'host.syslog'],
        [
          { dataset: ['dpu.metrics', 'host.syslog'] },
          (e) => e['event.dataset'] === 'dpu.metrics' || e['event.dataset'] === 'host.syslog',
        ],
        [{ tenant: ['tenant-a'] }, (e) => e['cloud.account.id'] === 'tenant-a'],
        [
          { tenant: ['tenant-b'], host: ['compute-1'] },
          (e) => e['cloud.account.id'] === 'tenant-b' && e['host.name'] === 'compute-1',
        ],
        [
          { terms: { 'log.logger': ['nova.compute.manager'] } },
          (e) => e['log.logger'] === 'nova.compute.manager',
        ],
        [{ terms: { 'hw.type': ['memory'] } }, (e) => e['hw.type'] === 'memory'],
      ];
      for (const [query, predicate] of cases) {
        const want = events.filter(predicate);
        expect(want.length, JSON.stringify(query)).toBeGreaterThan(0);
        const { events: got } = await allPages(store, { ...query, size: 1000 });
        expect(ids(got), JSON.stringify(query)).toEqual(ids(want));
      }
    });

    it('matches log.level case-insensitively', async () => {
      const want = events.filter((e) => e['log.level']?.toUpperCase() === 'WARNING');
      expect(want.length).toBeGreaterThanOrEqual(7);
      for (const level of ['warning', 'WARNING', 'Warning']) {
        const { events: got } = await allPages(store, { level: [level], size: 1000 });
        expectIds(got, want);
      }
    });

    it('finds events by the words of their message (all words must match)', async () => {
      for (const text of ['VM Resumed', 'resumed vm', 'memory read error', 'Lifecycle']) {
        const need = words(text);
        const want = events.filter((e) => {
          const have = new Set(words(e.message));
          return need.every((w) => have.has(w));
        });
        expect(want.length, text).toBeGreaterThan(0);
        const { events: got } = await allPages(store, { text, size: 1000 });
        expect(ids(got), text).toEqual(ids(want));
      }
      expect((await store.search({ text: 'VM Resumed zzzunknownword' })).events).toEqual([]);
    });

    it('pages with a cursor through every event exactly once, in order, both directions', async () => {
      const all = await store.search({ size: 1 });
      const stored = all.total;
      expect(stored).toBe(events.length);
      for (const order of ['asc', 'desc'] as const) {
        const { events: got, pages } = await allPages(store, { order, size: 7 });
        expect(pages).toBe(Math.ceil(stored / 7));
        expect(new Set(got.map((e) => e['event.id'])).size).toBe(stored);
        const ts = got.map((e) => Date.parse(e['@timestamp']));
        const sorted = [...ts].sort((a, b) => (order === 'asc' ? a - b : b - a));
        expect(ts).toEqual(sorted);
      }
      // A filtered walk ends too, with the same set as one big page.
      const small = await allPages(store, { host: ['compute-2'], size: 3, order: 'asc' });
      const big = await store.search({ host: ['compute-2'], size: 1000, order: 'asc' });
      expect(small.events.map((e) => e['event.id'])).toEqual(big.events.map((e) => e['event.id']));
    });

    it('rejects a cursor it did not issue', async () => {
      await expect(store.search({ cursor: 'not-a-cursor' })).rejects.toSatisfy(
        (e: unknown) => isFaultlineError(e) && e.code === 'FAULTLINE_BAD_CURSOR',
      );
    });

    it('counts by field (terms), biggest first', async () => {
      const want = new Map<string, number>();
      for (const e of events)
        if (e['host.name'] !== undefined) want.set(e['host.name'], (want.get(e['host.name']) ?? 0) + 1);
      const got = await store.aggregate({ groupBy: 'host.name' });
      const expected = [...want]
        .map(([key, count]) => ({ key, count }))
        .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
      expect(got).toEqual(expected);
      const levels = await store.aggregate({ groupBy: 'log.level', dataset: ['host.syslog'] });
      expect(levels).toEqual([{ key: 'WARNING', count: 6 }]);
      const perTenant = new Map<string, number>();
      for (const e of events) {
        const t = e['cloud.account.id'];
        if (t !== undefined && e['host.name'] === 'compute-1') perTenant.set(t, (perTenant.get(t) ?? 0) + 1);
      }
      const wantTenants = [...perTenant]
        .map(([key, count]) => ({ key, count }))
        .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
      expect(wantTenants.length).toBe(3);
      expect(await store.aggregate({ groupBy: 'cloud.account.id', host: ['compute-1'], limit: 2 })).toEqual(
        wantTenants.slice(0, 2),
      );
    });

    it('counts by time interval', async () => {
      const query = { dataset: ['openstack.log' as const], to: new Date(BASE + 10 * 60_000).toISOString() };
      const counts = new Map<number, number>();
      for (const e of events) {
        if (e['event.dataset'] !== 'openstack.log' || e['@timestamp'] >= query.to) continue;
        const b = Math.floor(Date.parse(e['@timestamp']) / 60_000) * 60_000;
        counts.set(b, (counts.get(b) ?? 0) + 1);
      }
      const want = [...counts]
        .sort((a, b) => a[0] - b[0])
        .map(([k, count]) => ({ key: new Date(k).toISOString(), count }));
      expect(await store.aggregate({ ...query, interval: '1m' })).toEqual(want);
      expect(await store.aggregate({ ...query, interval: '1m', limit: 3 })).toEqual(want.slice(0, 3));
      const hourly = await store.aggregate({ interval: '1h' });
      expect(hourly).toEqual([{ key: new Date(BASE).toISOString(), count: events.length }]);
    });
    // Last: it adds an event the other tests do not expect.
    it('writes idempotently by event.id', async () => {
      const again = await store.write(events.slice(0, 10));
      expect(again).toEqual({ written: 0, duplicates: 10, failed: [] });
      const fresh: FaultEvent = { ...events[0]!, 'event.id': 'conformance-fresh-1', message: 'fresh copy' };
      expect(await store.write([fresh, fresh])).toEqual({ written: 1, duplicates: 1, failed: [] });
      const bad: FaultEvent = { ...events[0]!, 'event.id': 'conformance-bad-ts', '@timestamp': 'yesterday' };
      const r = await store.write([bad]);
      expect(r.written).toBe(0);
      expect(r.failed).toHaveLength(1);
      expect(r.failed[0]!.event['event.id']).toBe('conformance-bad-ts');
      expect(r.failed[0]!.reason).toMatch(/timestamp/);
      // ISO-shaped but no date (month 13): refused with the event handed back whole, the rest stored.
      const month13: FaultEvent = {
        ...events[1]!,
        'event.id': 'conformance-month-13',
        '@timestamp': '2017-13-01T00:00:00.000Z',
      };
      const fine: FaultEvent = { ...events[1]!, 'event.id': 'conformance-fine-1' };
      const mixed = await store.write([month13, fine]);
      expect(mixed.written).toBe(1);
      expect(mixed.failed).toHaveLength(1);
      expect(mixed.failed[0]!.event).toEqual(month13);
      expect(mixed.failed[0]!.reason).toMatch(/timestamp/);
      await store.refresh();
      const page = await store.search({ text: 'fresh copy', size: 10 });
      expect(page.events.map((e) => e['event.id'])).toEqual(['conformance-fresh-1']);
    });
    // After the last: it adds events of its own too.
    it('stamps event.ingested (ECS) with the time of the first write', async () => {
      const before = new Date().toISOString();
      const object: FaultEvent = { ...events[6]!, 'event.id': 'conformance-ingested-1' };
      const document: FaultEvent = { ...events[7]!, 'event.id': 'conformance-ingested-2' };
      await store.write([object, document]);
      await store.refresh();
      const first = await Promise.all([object, document].map((e) => store.get(e['event.id'])));
      for (const got of first) {
        const at = String(got?.['event.ingested']);
        expect(at >= before && at <= new Date().toISOString(), at).toBe(true);
      }
      await new Promise((r) => setTimeout(r, 5));
      await store.write([object, document]);
      await store.refresh();
      const again = await Promise.all([object, document].map((e) => store.get(e['event.id'])));
      expect(again.map((e) => e?.['event.ingested'])).toEqual(first.map((e) => e?.['event.ingested']));
    });
  });
}
