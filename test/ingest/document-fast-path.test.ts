import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWorkload } from '../../bench/ingest/workload.js';
import { EmbeddedBus } from '../../src/bus/embedded.js';
import { RECORD_HEADERS } from '../../src/bus/record-headers.js';
import type { BusMessage } from '../../src/bus/types.js';
import { packFrames } from '../../src/ingest/packing.js';
import { type BatchOutcome, decodeBatch, IngestPipeline, sourcesByTopic } from '../../src/ingest/pipeline.js';
import { documentJson } from '../../src/model/document.js';
import { DocumentBatch } from '../../src/model/document-batch.js';
import type { FaultEvent } from '../../src/model/event.js';
import { createLogger } from '../../src/shared/logger.js';
import type { Source } from '../../src/sources/types.js';
import { SqliteEventStore } from '../../src/store/sqlite/event-store.js';
import type { EventStore } from '../../src/store/types.js';
import { readFixture } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/runtime.js';

/**
 * With a DocumentEncoding, decodeBatch lets sources write documents themselves. The outcome must be
 * the generic one in another form: the same events (the fast-path ones as their documentJson bytes),
 * the same dead letters, the same counts.
 */

const sourceForTopic = sourcesByTopic('faultline');
const encoding = () => {
  const paths = new Map<string, ReturnType<NonNullable<Source['createDocumentFastPath']>> | undefined>();
  return {
    batch: new DocumentBatch(),
    fastPathFor: (source: Source) => {
      if (!paths.has(source.id)) paths.set(source.id, source.createDocumentFastPath?.());
      return paths.get(source.id);
    },
  };
};

function expectSameOutcome(messages: BusMessage[]): { generic: BatchOutcome; documents: DocumentBatch } {
  const generic = decodeBatch(messages, sourceForTopic);
  const enc = encoding();
  const fast = decodeBatch(messages, sourceForTopic, enc);
  const docs = enc.batch;
  // Every event is in exactly one of the two forms, and the documents are the generic events' documents.
  const byId = new Map(generic.events.map((e) => [e['event.id'], e]));
  expect(fast.events.length + docs.count).toBe(generic.events.length);
  for (const e of fast.events) expect(byId.get(e['event.id'])).toEqual(e);
  for (let i = 0; i < docs.count; i++) {
    const e = byId.get(docs.ids[i]!);
    expect(e, `document ${i} has an id the generic path does not`).toBeDefined();
    expect(docs.document(i).toString('utf8')).toBe(documentJson(e!));
    expect(docs.datasets[i]).toBe(e!['event.dataset']);
  }
  expect(new Set([...fast.events.map((e) => e['event.id']), ...docs.ids]).size).toBe(generic.events.length);
  // Dead letters carry the time of the decode: the rest must match.
  const timeless = (o: BatchOutcome) => o.dead.map(({ at: _at, ...rest }) => rest);
  expect(timeless(fast)).toEqual(timeless(generic));
  expect(fast.consumed).toEqual(generic.consumed);
  expect(fast.decoded).toEqual(generic.decoded);
  return { generic, documents: docs };
}

const at = Date.parse('2026-03-04T05:06:07.089Z');
const message = (
  topic: string,
  value: string | Buffer,
  headers: Record<string, string> = {},
  key: string | null = 'compute-3',
  offset = 0,
): BusMessage => ({
  topic,
  partition: 0,
  offset: String(offset),
  key,
  value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
  headers,
  timestamp: at,
});

const LOGHUB = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log')
  .split(/\r?\n/)
  .filter((l) => l !== '');
const A = '2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server';

describe('decodeBatch with the document fast path', () => {
  it('gives the generic outcome for the bench mix (packed OpenStack, SEL and DPU records from 300 hosts)', () => {
    const workload = buildWorkload(6000, { topicPrefix: 'faultline', hosts: 300 });
    const messages = workload.records.map((r, i) => message(r.topic, r.value, r.headers, r.key, i));
    const { generic, documents } = expectSameOutcome(messages);
    expect(generic.dead).toHaveLength(0);
    // Every OpenStack line of the mix is plain and every DPU line is JSON: the fast paths wrote all
    // of their events; the SEL rows went the generic way.
    const dpuEvents = generic.events.filter((e) => e['event.dataset'] === 'dpu.metrics').length;
    expect(dpuEvents).toBe(2 * workload.mix['dpu-metrics']!);
    expect(documents.count).toBe(workload.mix['openstack-log']! + dpuEvents);
  });

  it('gives the generic outcome for unpacked records, repeats, tracebacks and poison beside plain lines', () => {
    const topic = 'faultline.openstack.log';
    const traceback = `${A} Traceback (most recent call last):\n  File "x.py", line 2\nValueError: bad`;
    const frames = [
      { payload: LOGHUB[0]!, line: 1 },
      { payload: LOGHUB[0]!, line: 2, occurrence: 1 },
      { payload: traceback, line: 3 },
      { payload: `${A} héllo wörld`, line: 6 },
      { payload: 'not an oslo line', line: 7 },
      {
        payload: '{"levelname": "INFO", "created": 1494892800.5, "message": "json", "name": "nova.api"}',
        line: 8,
      },
      { payload: LOGHUB[1]!, line: 9 },
    ];
    const packed = packFrames(frames);
    const messages = [
      ...packed.map((r, i) => message(topic, r.value, r.headers, 'bm-7', i)),
      // One line per record (agents such as Fluent Bit), with and without a key, a repeat by header.
      message(topic, LOGHUB[2]!, {}, null, 10),
      message(topic, LOGHUB[2]!, { [RECORD_HEADERS.occurrence]: '1', [RECORD_HEADERS.line]: '12' }, '', 11),
      message(topic, LOGHUB[3]!, { [RECORD_HEADERS.source]: 'openstack-log' }, 'nœud-"9"', 12),
      message(topic, Buffer.from([0xe2, 0x82, 0x0a, 0xff]), {}, 'bm-7', 13),
      message(topic, `${A} ${'x'.repeat(70_000)}`, {}, 'bm-7', 14),
      // SEL beside it takes the generic way (no fast path).
      message(
        'faultline.bmc.sel',
        '   1 | 03/18/2026 | 10:02:11 | Memory #0x53 | Correctable ECC | Asserted',
        {},
        'bm-7',
        15,
      ),
    ];
    const { generic, documents } = expectSameOutcome(messages);
    expect(generic.dead.length).toBeGreaterThanOrEqual(2);
    expect(documents.count).toBe(6);
  });
});

describe('IngestPipeline and the document fast path', () => {
  /** A SQLite store that says it prefers documents, and records what it was handed. */
  function spyStore(store: SqliteEventStore, prefers: boolean) {
    const seen = { events: 0, documents: 0 };
    const spy: EventStore = Object.assign(Object.create(store) as EventStore, {
      prefersDocuments: prefers,
      write: (events: FaultEvent[], documents?: DocumentBatch) => {
        seen.events += events.length;
        seen.documents += documents?.count ?? 0;
        return store.write(events, documents);
      },
    });
    return { spy, seen };
  }

  async function ingest(options: { prefers: boolean; enrich?: boolean }) {
    const dir = tempDir();
    const bus = new EmbeddedBus(join(dir, 'bus.db'), { pruneIntervalMs: 0 });
    const store = new SqliteEventStore(join(dir, 'events.db'));
    await store.bootstrap();
    const { spy, seen } = spyStore(store, options.prefers);
    const workload = buildWorkload(3000, { topicPrefix: 'faultline', hosts: 30 });
    await bus.ensureTopics(workload.topics);
    for (const topic of workload.topics)
      await bus.publish(
        topic,
        workload.records.filter((r) => r.topic === topic),
      );
    const pipeline = new IngestPipeline({
      bus,
      store: spy,
      logger: createLogger('silent'),
      group: 'g',
      topics: workload.topics,
      batchSize: 500,
      ...(options.enrich === true ? { enrich: (events: FaultEvent[]) => events } : {}),
    });
    await pipeline.start();
    const expected = 3000 + workload.mix['dpu-metrics']!;
    for (let i = 0; i < 200 && seen.events + seen.documents < expected; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await pipeline.stop();
    const page = await store.search({ size: 1000, order: 'asc' });
    const all: FaultEvent[] = [];
    let cursor = page.nextCursor;
    all.push(...page.events);
    while (cursor !== undefined) {
      const next = await store.search({ size: 1000, order: 'asc', cursor });
      all.push(...next.events);
      cursor = next.nextCursor;
    }
    await bus.close();
    await store.close();
    // Every stored event says when it arrived; the runs compared here arrived at different times.
    expect(all.every((e) => typeof e['event.ingested'] === 'string')).toBe(true);
    return {
      seen,
      all: all
        .map(({ 'event.ingested': _ingested, ...e }) => e)
        .sort((a, b) => a['event.id'].localeCompare(b['event.id'])),
      expected,
      openstack: workload.mix['openstack-log'],
    };
  }

  it('is used when the store prefers documents, not otherwise, nor with an enrich hook; the stored events are the same', async () => {
    const fast = await ingest({ prefers: true });
    const generic = await ingest({ prefers: false });
    const enriched = await ingest({ prefers: true, enrich: true });
    expect(fast.all).toHaveLength(fast.expected);
    expect(fast.seen.documents).toBe(fast.all.filter((e) => e['event.dataset'] !== 'bmc.sel').length);
    expect(fast.seen.events).toBe(fast.all.filter((e) => e['event.dataset'] === 'bmc.sel').length);
    expect(fast.seen.documents).toBeGreaterThan(fast.openstack!);
    expect(generic.seen.documents).toBe(0);
    expect(enriched.seen.documents).toBe(0);
    expect(fast.all).toEqual(generic.all);
    expect(enriched.all).toEqual(generic.all);
  });

  it('writes slices of 5,000 OpenStack lines into one reused buffer, not a fresh one per slice', async () => {
    const dir = tempDir();
    const bus = new EmbeddedBus(join(dir, 'bus.db'), { pruneIntervalMs: 0 });
    const store = new SqliteEventStore(join(dir, 'events.db'));
    await store.bootstrap();
    const buffers: Buffer[] = [];
    let stored = 0;
    const spy: EventStore = Object.assign(Object.create(store) as EventStore, {
      prefersDocuments: true,
      write: (events: FaultEvent[], documents?: DocumentBatch) => {
        if (documents !== undefined && documents.count > 0) buffers.push(documents.buffer);
        stored += events.length + (documents?.count ?? 0);
        return store.write(events, documents);
      },
    });
    const workload = buildWorkload(25_000, { topicPrefix: 'faultline', hosts: 30 });
    const topic = workload.topics.find((t) => t.endsWith('openstack.log'))!;
    await bus.ensureTopics([topic]);
    await bus.publish(
      topic,
      workload.records.filter((r) => r.topic === topic),
    );
    const expected = workload.mix['openstack-log']!;
    const pipeline = new IngestPipeline({
      bus,
      store: spy,
      logger: createLogger('silent'),
      group: 'g',
      topics: [topic],
      batchSize: 5000,
    });
    await pipeline.start();
    for (let i = 0; i < 400 && stored < expected; i++) await new Promise((r) => setTimeout(r, 25));
    await pipeline.stop();
    await bus.close();
    await store.close();
    expect(stored).toBe(expected);
    // One partition: slices are written one after another, so each can take the buffer the last gave back.
    expect(buffers.length).toBeGreaterThanOrEqual(3);
    expect(new Set(buffers).size).toBe(1);
  });
});
