import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../src/model/event.js';
import { frameText } from '../../src/sources/framing.js';
import { getSource } from '../../src/sources/registry.js';
import { decodeEvent, encodeEvent, learnDefaults } from '../../src/store/sqlite/event-codec.js';
import { SqliteEventStore } from '../../src/store/sqlite/event-store.js';
import type { AggregateQuery, EventStore } from '../../src/store/types.js';
import { readFixture } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/runtime.js';

function decodeFixture(source: 'openstack-log' | 'ipmi-sel', text: string, host: string): FaultEvent[] {
  const s = getSource(source)!;
  const out: FaultEvent[] = [];
  for (const f of frameText(s.createFramer(), text)) {
    const r = s.decode(f.payload, { line: f.line, host });
    if (r.ok) out.push(...r.events);
  }
  return out;
}

const openstack = () =>
  decodeFixture('openstack-log', readFixture('loghub', 'OpenStack', 'OpenStack_2k.log'), 'c1');
const sel = () =>
  decodeFixture(
    'ipmi-sel',
    readFixture('bmc', 'ipmi-sel', 'generated', 'webui_export_and_pcie_bdf.txt'),
    'b1',
  );

/** Layout 1 as the store created it before layout 2 (commit 29f7c97), the file an upgrade starts from. */
const LAYOUT_1 = `
CREATE TABLE events (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, dataset TEXT NOT NULL,
  host TEXT, service TEXT, level TEXT, tenant TEXT, message TEXT NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX events_ts ON events (ts, seq);
CREATE INDEX events_host_ts ON events (host, ts);
CREATE INDEX events_hw_id ON events (json_extract(doc, '$."hw.id"')) WHERE json_extract(doc, '$."hw.id"') IS NOT NULL;
CREATE INDEX events_logger ON events (json_extract(doc, '$."log.logger"')) WHERE json_extract(doc, '$."log.logger"') IS NOT NULL;
CREATE VIRTUAL TABLE events_fts USING fts5 (message, content = 'events', content_rowid = 'seq', tokenize = 'unicode61');
CREATE TRIGGER events_ai AFTER INSERT ON events BEGIN
  INSERT INTO events_fts (rowid, message) VALUES (new.seq, new.message);
END;
CREATE TRIGGER events_ad AFTER DELETE ON events BEGIN
  INSERT INTO events_fts (events_fts, rowid, message) VALUES ('delete', old.seq, old.message);
END;
`;

const dirs: string[] = [];
const stores: SqliteEventStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(file?: string): Promise<SqliteEventStore> {
  let path = file;
  if (path === undefined) {
    const dir = tempDir('sqlite-layout-');
    dirs.push(dir);
    path = join(dir, 'events.db');
  }
  const store = new SqliteEventStore(path, { retentionCheckMs: 0 });
  stores.push(store);
  await store.bootstrap();
  return store;
}

/** Every page of a query, oldest first. */
async function walk(store: EventStore, query: Parameters<EventStore['search']>[0]): Promise<FaultEvent[]> {
  const out: FaultEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.search({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    out.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

describe('SQLite layout 2 rows', () => {
  it('give back every real event exactly as written (OpenStack, SEL)', () => {
    for (const events of [openstack(), sel()]) {
      const defaults = learnDefaults(events[0]!);
      for (const e of events) {
        const ms = Date.parse(e['@timestamp']);
        const row = encodeEvent(e, ms, defaults);
        const columns = Object.fromEntries(Object.entries(row.columns));
        const back = decodeEvent({ ...columns, ...row, ts: ms }, defaults);
        expect(back).toEqual(e);
      }
    }
  });

  it('keep what a default or a column cannot say: a missing default, odd case, a shifted time', () => {
    const [first, second] = sel();
    const defaults = learnDefaults(first!);
    const odd = { ...second!, 'log.level': 'Warning' } as FaultEvent;
    delete (odd as unknown as Record<string, unknown>)['event.module'];
    const ms = Date.parse(odd['@timestamp']) + 3;
    const row = encodeEvent(odd, ms, defaults);
    expect(row.columns.level).toBe('WARNING');
    const back = decodeEvent({ ...row.columns, ...row, ts: ms }, defaults);
    expect(back).toEqual(odd);
  });
});

describe('SQLite event store layout 2', () => {
  it('files more events of one millisecond than it has slots, in arrival order, @timestamp kept', async () => {
    const store = await open();
    const at = '2026-03-01T10:00:00.000Z';
    const one = openstack()[0]!;
    const events = Array.from({ length: 2_100 }, (_, i) => ({
      ...one,
      '@timestamp': at,
      'event.id': `burst-${i}`,
      message: `burst line ${i}`,
    }));
    expect(await store.write(events)).toMatchObject({ written: 2_100, failed: [] });
    const got = await walk(store, { order: 'asc', size: 500 });
    expect(got.map((e) => e['event.id'])).toEqual(events.map((e) => e['event.id']));
    expect(new Set(got.map((e) => e['@timestamp']))).toEqual(new Set([at]));
    expect((await store.get('burst-2099'))?.['@timestamp']).toBe(at);
  });

  it('answers counts from the hourly rollups exactly as from the events, before and after retention', async () => {
    const store = await open();
    const base = Date.parse('2026-03-01T00:00:00Z');
    const source = [...openstack(), ...sel()];
    const events = source.map((e, i) => ({
      ...e,
      '@timestamp': new Date(base + i * 97_000).toISOString(),
      'event.id': `r${i}`,
      'host.name': `h${i % 7}`,
    })) as FaultEvent[];
    await store.write(events);
    const from = new Date(base + 3_600_000 * 5 + 1234).toISOString();
    const to = new Date(base + 3_600_000 * 40 + 777).toISOString();
    const inRange = (e: FaultEvent, f = from, t = to) => e['@timestamp'] >= f && e['@timestamp'] < t;
    const expectCounts = async (
      q: AggregateQuery,
      keep: (e: FaultEvent) => boolean,
      key: (e: FaultEvent) => unknown,
    ) => {
      const want = new Map<string, number>();
      for (const e of events) {
        const k = key(e);
        if (keep(e) && k !== undefined) want.set(String(k), (want.get(String(k)) ?? 0) + 1);
      }
      const got = await store.aggregate({ ...q, limit: 1000 });
      expect(new Map(got.map((b) => [b.key, b.count])), JSON.stringify(q)).toEqual(want);
    };
    const live = new Set(events.map((e) => e['event.id']));
    const alive = (e: FaultEvent) => live.has(e['event.id']);
    const check = async () => {
      await expectCounts(
        { from, to, groupBy: 'service.name' },
        (e) => alive(e) && inRange(e),
        (e) => e['service.name'],
      );
      await expectCounts(
        { from, to, groupBy: 'log.template.id', level: ['warning'] },
        (e) => alive(e) && inRange(e) && e['log.level'] === 'WARNING',
        (e) => e['log.template.id'],
      );
      await expectCounts(
        { from, to, host: ['h3'], groupBy: 'log.level' },
        (e) => alive(e) && inRange(e) && e['host.name'] === 'h3',
        (e) => e['log.level']?.toUpperCase(),
      );
      await expectCounts(
        { from, to, interval: '1h', maxSeverity: 4 },
        (e) => alive(e) && inRange(e) && e['event.severity'] <= 4,
        (e) => new Date(Math.floor(Date.parse(e['@timestamp']) / 3_600_000) * 3_600_000).toISOString(),
      );
      const page = await store.search({ from, to, service: ['nova-compute'], size: 1 });
      expect(page.total).toBe(
        events.filter((e) => alive(e) && inRange(e) && e['service.name'] === 'nova-compute').length,
      );
    };
    await check();
    // Retention by age deletes the first ~10 hours of openstack.log; the rollups follow.
    const cutoff = base + 10 * 3_600_000 + 5_000;
    const report = await store.enforceRetention(cutoff + 30 * 86_400_000);
    for (const e of events) {
      if (e['event.dataset'] === 'openstack.log' && Date.parse(e['@timestamp']) < cutoff)
        live.delete(e['event.id']);
    }
    expect(report.deletedByAge).toBe(events.length - live.size);
    expect(report.deletedByAge).toBeGreaterThan(100);
    await check();
  });

  it('pages full-text matches newest first with filters, in both directions, while writes go on', async () => {
    const store = await open();
    const events = openstack().map((e, i) => ({ ...e, 'host.name': `h${i % 3}` }));
    await store.write(events.slice(0, 1500));
    const want = events.filter((e) => /\binstance\b/i.test(e.message) && e['host.name'] === 'h1');
    const seen: FaultEvent[] = [];
    let cursor: string | undefined;
    let wrote = false;
    do {
      const page = await store.search({
        text: 'instance',
        host: ['h1'],
        size: 20,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.events);
      cursor = page.nextCursor;
      if (!wrote) {
        wrote = true;
        await store.write(events.slice(1500));
      }
    } while (cursor !== undefined);
    const firstBatch = new Set(events.slice(0, 1500).map((e) => e['event.id']));
    const ids = seen.map((e) => e['event.id']);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of want) if (firstBatch.has(e['event.id'])) expect(ids).toContain(e['event.id']);
    const times = seen.map((e) => e['@timestamp']);
    expect([...times].sort().reverse()).toEqual(times);
    const asc = await walk(store, { text: 'instance', host: ['h1'], order: 'asc', size: 50 });
    expect(asc.map((e) => e['event.id']).sort()).toEqual(want.map((e) => e['event.id']).sort());
  });

  it('upgrades a layout 1 file in place: same events, same answers', async () => {
    const dir = tempDir('sqlite-layout-v1-');
    dirs.push(dir);
    const file = join(dir, 'events.db');
    const events = [...openstack().slice(0, 300), ...sel()];
    const v1 = new Database(file);
    v1.pragma('journal_mode = WAL');
    v1.exec(LAYOUT_1);
    const insert = v1.prepare(
      `INSERT INTO events (id, ts, dataset, host, service, level, tenant, message, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of events) {
      const stored = { 'event.ingested': '2026-01-02T03:04:05.678Z', ...e };
      insert.run(
        e['event.id'],
        Date.parse(e['@timestamp']),
        e['event.dataset'],
        e['host.name'] ?? null,
        e['service.name'] ?? null,
        e['log.level']?.toUpperCase() ?? null,
        null,
        e.message,
        JSON.stringify(stored),
      );
    }
    v1.close();
    const store = await open(file);
    for (const e of events) {
      expect(await store.get(e['event.id'])).toEqual({ 'event.ingested': '2026-01-02T03:04:05.678Z', ...e });
    }
    expect((await store.search({ level: ['WARNING'], size: 1 })).total).toBe(
      events.filter((e) => e['log.level'] === 'WARNING').length,
    );
    expect((await store.search({ text: 'uncorrectable', size: 1 })).total).toBeGreaterThan(0);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'events_v1'").get()).toEqual({
      n: 0,
    });
    db.close();
  });
});
