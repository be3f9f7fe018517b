import { describe, expect, it } from 'vitest';
import { fromDocument } from '../../src/model/document.js';
import type { FaultEvent } from '../../src/model/event.js';
import { BufferPool } from '../../src/shared/buffer-pool.js';
import {
  BulkBodyBuilder,
  type BulkChunk,
  eventAt,
  releaseChunk,
  subChunk,
} from '../../src/store/elasticsearch/bulk-body.js';

const event = (i: number, message = `line ${i}`): FaultEvent => ({
  '@timestamp': '2017-05-16T00:00:00.008Z',
  'event.id': `id-${i}`,
  'event.dataset': 'openstack.log',
  'event.kind': 'event',
  'event.severity': 6,
  'event.original': message,
  message,
});

const action = (i: number) => `{"create":{"_index":"logs-x","_id":"id-${i}"}}`;

/** The chunk's body read back as (action, event) pairs, checked against its own offsets. */
function pairs(chunk: BulkChunk): Array<[unknown, FaultEvent]> {
  const text = chunk.body.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines).toHaveLength(chunk.count * 2);
  expect(chunk.ends).toHaveLength(chunk.count);
  expect(chunk.ends.at(-1)).toBe(chunk.body.length);
  const out: Array<[unknown, FaultEvent]> = [];
  for (let i = 0; i < lines.length; i += 2)
    out.push([JSON.parse(lines[i]!), fromDocument(JSON.parse(lines[i + 1]!))]);
  return out;
}

function build(events: FaultEvent[], maxBytes: number, maxDocs: number): BulkChunk[] {
  const b = new BulkBodyBuilder(maxBytes, maxDocs);
  for (const [i, e] of events.entries()) b.add(e, action(i));
  return b.finish();
}

const PREFIX = '{"create":{"_index":"logs-x","_id":';

/** One chunk of `events`. */
function bodyOf(events: FaultEvent[], ingested?: string): BulkChunk | undefined {
  const builder = new BulkBodyBuilder(1 << 20, 100, 0, undefined, ingested);
  for (const e of events) builder.add(e, `${PREFIX}${JSON.stringify(e['event.id'])}}}`);
  return builder.finish()[0];
}

describe('BulkBodyBuilder', () => {
  it('writes chunks into pooled buffers, and a reused, dirty buffer gives the same bodies', () => {
    const events = Array.from({ length: 120 }, (_, i) => event(i, `pooled ${i}`));
    const plain = build(events, 8192, 1000).map((c) => Buffer.from(c.body));
    const pool = new BufferPool(8192, 8);
    // Dirty buffers in the pool: what a reused one holds must not reach a body.
    for (let i = 0; i < 8; i++) pool.give(Buffer.alloc(8192, 0x7b));
    const b = new BulkBodyBuilder(8192, 1000, 0, pool);
    for (const [i, e] of events.entries()) b.add(e, action(i));
    const chunks = b.finish();
    expect(chunks.map((c) => c.body)).toEqual(plain);
    expect(chunks.every((c) => c.pooled !== undefined)).toBe(true);
    const held = pool.held;
    for (const c of chunks) releaseChunk(c, pool);
    expect(pool.held).toBe(Math.min(8, held + chunks.length));
    expect(chunks.every((c) => c.pooled === undefined)).toBe(true);
  });

  it("opens every document with the write's event.ingested", () => {
    const at = '2026-12-07T01:02:03.004Z';
    const events = [
      event(1, 'é "1"'),
      event(2),
      { ...event(3), 'event.ingested': '2020-01-01T00:00:00.000Z' },
    ];
    const a = bodyOf(events, at);
    // An event that already says when it was ingested keeps its own time.
    expect(pairs(a!).map(([, e]) => e)).toEqual([
      { ...events[0], 'event.ingested': at },
      { ...events[1], 'event.ingested': at },
      events[2],
    ]);
    // A refused document is handed back as it was given.
    expect(eventAt(a!, 1)).toEqual(events[1]);
    expect(eventAt(a!, 2)).toEqual(events[2]);
  });

  it('writes every event once, in order, as action and document lines', () => {
    const events = Array.from({ length: 1200 }, (_, i) => event(i));
    const chunks = build(events, 5 * 1024 * 1024, 500);
    expect(chunks.map((c) => c.count)).toEqual([500, 500, 200]);
    const all = chunks.flatMap(pairs);
    expect(all.map(([, doc]) => doc)).toEqual(events);
    expect(all[7]![0]).toEqual({ create: { _index: 'logs-x', _id: 'id-7' } });
    // Documents go out nested (document.ts), so Elasticsearch has no dotted keys to expand.
    const firstDoc = chunks[0]!.body.toString('utf8').split('\n')[1]!;
    expect(JSON.parse(firstDoc).event).toMatchObject({ id: 'id-0', dataset: 'openstack.log' });
    expect(firstDoc).not.toContain('"event.');
  });

  it('keeps each body under the byte limit, counting UTF-8 bytes, not characters', () => {
    // Three bytes per character: a limit counted in characters would overshoot threefold.
    const events = Array.from({ length: 300 }, (_, i) => event(i, '温度'.repeat(100 + i)));
    const limit = 64 * 1024;
    const chunks = build(events, limit, 10_000);
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(c.body.length).toBeLessThanOrEqual(limit);
    expect(chunks.flatMap(pairs).map(([, d]) => d.message)).toEqual(events.map((e) => e.message));
  });

  it('gives a document larger than the limit a request of its own', () => {
    const events = [event(0), event(1, 'x'.repeat(10_000)), event(2)];
    const chunks = build(events, 4096, 100);
    expect(chunks.map((c) => pairs(c).map(([, d]) => d['event.id']))).toEqual([['id-0'], ['id-1'], ['id-2']]);
    expect(pairs(chunks[1]!)[0]![1].message).toHaveLength(10_000);
  });

  it('cuts out the refused items for a retry, with their own offsets', () => {
    const events = Array.from({ length: 10 }, (_, i) => event(i, i % 2 === 0 ? 'é' : 'plain'));
    const [chunk] = build(events, 1 << 20, 100);
    const retry = subChunk(chunk!, [0, 3, 9]);
    expect(retry.count).toBe(3);
    expect([0, 1, 2].map((k) => eventAt(retry, k))).toEqual([events[0], events[3], events[9]]);
    expect(pairs(retry).map(([a]) => (a as { create: { _id: string } }).create._id)).toEqual([
      'id-0',
      'id-3',
      'id-9',
    ]);
  });

  it('reads any event back from the body, multi-byte text and escapes included', () => {
    const events = Array.from({ length: 20 }, (_, i) =>
      event(i, i % 3 === 0 ? `温度 "quoted" \\ line\t${i}` : `plain ${i}`),
    );
    const [chunk] = build(events, 1 << 20, 100);
    expect(events.map((_, i) => eventAt(chunk!, i))).toEqual(events);
  });

  it('builds nothing for no events', () => {
    expect(new BulkBodyBuilder(1024, 10).finish()).toEqual([]);
  });
});
