import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  BusMessage,
  DeadLetter,
  MessageBus,
  SubscribeOptions,
  Subscription,
} from '../../src/bus/types.js';

/**
 * The MessageBus contract (src/bus/types.ts), run against every adapter: the embedded SQLite log in
 * unit runs, Kafka in integration runs. Each test uses its own topics and groups, so the adapters
 * may share one server across tests.
 */
export interface BusHarness {
  bus: MessageBus;
  /** The dead letters this bus has stored, oldest first. */
  readDeadLetters(): Promise<DeadLetter[]>;
  close(): Promise<void>;
}

export interface BusConformanceOptions {
  /** How long to wait for deliveries that should happen (Kafka group joins take seconds). */
  deliveryTimeoutMs?: number;
  /** How long to watch for deliveries that must not happen. */
  quietMs?: number;
}

const unique = (what: string) => `conf.${what}.${randomUUID().slice(0, 8)}`;

async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs: number,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    await sleep(everyMs);
  }
}

/** Subscribes and records every delivered message; `handler` may throw to reject a batch. */
async function record(
  bus: MessageBus,
  options: Omit<SubscribeOptions, 'onBatch'> & { handler?: SubscribeOptions['onBatch'] },
): Promise<{ got: BusMessage[]; batches: BusMessage[][]; errors: unknown[]; sub: Subscription }> {
  const got: BusMessage[] = [];
  const batches: BusMessage[][] = [];
  const errors: unknown[] = [];
  const { handler, ...rest } = options;
  const sub = await bus.subscribe({
    fromBeginning: true,
    ...rest,
    onBatch: async (messages, ctx) => {
      batches.push(messages);
      if (handler !== undefined) await handler(messages, ctx);
      got.push(...messages);
    },
    onError: (error) => errors.push(error),
  });
  return { got, batches, errors, sub };
}

const seqOf = (m: BusMessage) => Number(m.headers.seq);

export function busConformance(
  name: string,
  factory: () => Promise<BusHarness>,
  options: BusConformanceOptions = {},
): void {
  const timeout = options.deliveryTimeoutMs ?? 10_000;
  const quiet = options.quietMs ?? 1000;

  describe(`MessageBus conformance: ${name}`, () => {
    let h: BusHarness;
    let bus: MessageBus;
    beforeAll(async () => {
      h = await factory();
      bus = h.bus;
    });
    afterAll(async () => {
      await h?.close();
    });

    /** The dead letters of records from `topic`, once at least `count` are readable. */
    const deadLettersOf = (topic: string, count: number) =>
      waitFor(
        `${count} dead letters of ${topic}`,
        async () => {
          const mine = (await h.readDeadLetters()).filter((d) => d.sourceTopic === topic);
          return mine.length >= count ? mine : undefined;
        },
        timeout,
        200,
      );

    const publishSeq = async (topic: string, n: number, keys = 5, from = 0) => {
      const messages = Array.from({ length: n }, (_, i) => ({
        key: `node-${(from + i) % keys}`,
        value: `record ${from + i}`,
        headers: { seq: String(from + i) },
      }));
      await bus.publish(topic, messages);
    };

    it('creates topics idempotently and reports itself healthy', async () => {
      const topic = unique('topics');
      await bus.ensureTopics([topic]);
      await bus.ensureTopics([topic, topic]);
      expect((await bus.health()).ok).toBe(true);
    });

    it('delivers what was published: value bytes, key, headers, position', async () => {
      const topic = unique('deliver');
      await bus.ensureTopics([topic]);
      const binary = Buffer.from([0xc3, 0x28, 0x00, 0xff, 0x0a]);
      await bus.publish(topic, [
        { key: 'compute-1', value: 'first line', headers: { 'faultline-source': 'openstack-log', seq: '0' } },
        { key: null, value: binary, headers: { seq: '1' } },
        { key: 'compute-2', value: Buffer.from('third'), headers: { seq: '2' } },
      ]);
      const r = await record(bus, { group: unique('g'), topics: [topic] });
      await waitFor('3 deliveries', () => r.got.length >= 3, timeout);
      await r.sub.close();
      const bySeq = [...r.got].sort((a, b) => seqOf(a) - seqOf(b));
      expect(bySeq).toHaveLength(3);
      expect(bySeq[0]!.value.toString('utf8')).toBe('first line');
      expect(bySeq[0]!.key).toBe('compute-1');
      expect(bySeq[0]!.headers['faultline-source']).toBe('openstack-log');
      expect(Buffer.compare(bySeq[1]!.value, binary)).toBe(0);
      expect(bySeq[1]!.key).toBeNull();
      for (const m of bySeq) {
        expect(m.topic).toBe(topic);
        expect(m.offset).toMatch(/^\d+$/);
        expect(Number.isInteger(m.partition)).toBe(true);
        expect(Math.abs(m.timestamp - Date.now())).toBeLessThan(5 * 60_000);
      }
    });

    it('keeps the timestamp a record was published with (the receive time at the edge)', async () => {
      const topic = unique('timestamp');
      await bus.ensureTopics([topic]);
      const receivedAt = Date.parse('2026-01-02T03:04:05.678Z');
      await bus.publish(topic, [
        { key: 'bm-042', value: 'given', headers: { seq: '0' }, timestamp: receivedAt },
        { key: 'bm-042', value: 'unset', headers: { seq: '1' } },
      ]);
      const r = await record(bus, { group: unique('g'), topics: [topic] });
      await waitFor('2 deliveries', () => r.got.length >= 2, timeout);
      await r.sub.close();
      const bySeq = [...r.got].sort((a, b) => seqOf(a) - seqOf(b));
      expect(bySeq[0]!.timestamp).toBe(receivedAt);
      expect(Math.abs(bySeq[1]!.timestamp - Date.now())).toBeLessThan(5 * 60_000);
    });

    it('keeps per-key order across many publishes', async () => {
      const topic = unique('order');
      await bus.ensureTopics([topic]);
      for (let i = 0; i < 10; i++) await publishSeq(topic, 50, 7, i * 50);
      const r = await record(bus, { group: unique('g'), topics: [topic], maxBatchSize: 37 });
      await waitFor('500 deliveries', () => r.got.length >= 500, timeout);
      await r.sub.close();
      expect(new Set(r.got.map(seqOf)).size).toBe(500);
      const perKey = new Map<string, number[]>();
      for (const m of r.got) perKey.set(m.key!, [...(perKey.get(m.key!) ?? []), seqOf(m)]);
      expect(perKey.size).toBe(7);
      for (const seqs of perKey.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      for (const b of r.batches) expect(b.length).toBeLessThanOrEqual(37);
    });

    it('places a record sent to partitioner(topic)(key) where a record keyed alone lands', async () => {
      const topic = unique('placement');
      await bus.ensureTopics([topic]);
      const place = await bus.partitioner(topic);
      const keys = Array.from({ length: 24 }, (_, i) => `bm-${i}`);
      await bus.publish(topic, [
        ...keys.map((key) => ({ key, value: 'keyed', headers: { seq: key } })),
        // The placed copy carries another key: only its explicit partition can put it beside `key`.
        ...keys.map((key) => ({
          key: 'elsewhere',
          partition: place(key),
          value: 'placed',
          headers: { seq: key },
        })),
      ]);
      const r = await record(bus, { group: unique('g'), topics: [topic] });
      await waitFor('48 deliveries', () => r.got.length >= 48, timeout);
      await r.sub.close();
      const where = (value: string) =>
        new Map(r.got.filter((m) => m.value.toString() === value).map((m) => [m.headers.seq, m.partition]));
      expect(where('placed')).toEqual(where('keyed'));
      expect(place(null)).toBe(0);
    });

    it('redelivers the same records when the handler throws, and skips nothing', async () => {
      const topic = unique('retry');
      await bus.ensureTopics([topic]);
      await publishSeq(topic, 40, 4);
      let failed: number[] | undefined;
      const r = await record(bus, {
        group: unique('g'),
        topics: [topic],
        maxBatchSize: 10,
        handler: async (messages) => {
          if (failed === undefined) {
            failed = messages.map(seqOf);
            throw new Error('store unavailable');
          }
        },
      });
      await waitFor('all 40 stored', () => new Set(r.got.map(seqOf)).size >= 40, timeout);
      await r.sub.close();
      expect(r.errors.length).toBeGreaterThanOrEqual(1);
      expect(failed).toBeDefined();
      // The rejected batch came back, whole and in order.
      const again = r.batches.slice(1).find((b) => b.length > 0 && seqOf(b[0]!) === failed![0]);
      expect(again?.map(seqOf).slice(0, failed!.length)).toEqual(failed);
      expect([...new Set(r.got.map(seqOf))].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 40 }, (_, i) => i),
      );
    });

    it('redelivers a batch that was in flight at close to the next member of the group', async () => {
      const topic = unique('handover');
      const group = unique('g');
      await bus.ensureTopics([topic]);
      await publishSeq(topic, 20, 1);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started!: (seqs: number[]) => void;
      const firstBatch = new Promise<number[]>((resolve) => {
        started = resolve;
      });
      const first = await bus.subscribe({
        group,
        topics: [topic],
        fromBeginning: true,
        onBatch: async (messages) => {
          started(messages.map(seqOf));
          await gate;
          throw new Error('process stopped before the store acknowledged');
        },
      });
      const inFlight = await firstBatch;
      const closing = first.close();
      release();
      await closing;
      const r = await record(bus, { group, topics: [topic] });
      await waitFor('20 deliveries to the second member', () => r.got.length >= 20, timeout);
      await r.sub.close();
      expect(r.got.map(seqOf).slice(0, inFlight.length)).toEqual(inFlight);
      expect(new Set(r.got.map(seqOf)).size).toBe(20);
    });

    it('does not redeliver what a member of the group committed', async () => {
      const topic = unique('committed');
      const group = unique('g');
      await bus.ensureTopics([topic]);
      await publishSeq(topic, 10, 2);
      const a = await record(bus, { group, topics: [topic] });
      await waitFor('10 deliveries', () => a.got.length >= 10, timeout);
      await a.sub.close();
      await publishSeq(topic, 5, 2, 10);
      const b = await record(bus, { group, topics: [topic] });
      await waitFor('5 new deliveries', () => b.got.length >= 5, timeout);
      await sleep(quiet);
      await b.sub.close();
      expect(b.got.map(seqOf).sort((x, y) => x - y)).toEqual([10, 11, 12, 13, 14]);
    });

    it('gives every group the whole stream', async () => {
      const topic = unique('groups');
      await bus.ensureTopics([topic]);
      await publishSeq(topic, 30, 3);
      const a = await record(bus, { group: unique('ga'), topics: [topic] });
      const b = await record(bus, { group: unique('gb'), topics: [topic] });
      await waitFor('both groups see 30', () => a.got.length >= 30 && b.got.length >= 30, timeout);
      await Promise.all([a.sub.close(), b.sub.close()]);
      expect(new Set(a.got.map(seqOf)).size).toBe(30);
      expect(new Set(b.got.map(seqOf)).size).toBe(30);
    });

    it('stops delivering while paused and catches up on resume', async () => {
      const topic = unique('pause');
      await bus.ensureTopics([topic]);
      await publishSeq(topic, 5, 1);
      const r = await record(bus, { group: unique('g'), topics: [topic] });
      await waitFor('5 deliveries', () => r.got.length >= 5, timeout);
      r.sub.pause();
      await sleep(200);
      const before = r.got.length;
      await publishSeq(topic, 10, 1, 5);
      await sleep(quiet);
      expect(r.got.length).toBe(before);
      r.sub.resume();
      await waitFor('15 deliveries after resume', () => new Set(r.got.map(seqOf)).size >= 15, timeout);
      await r.sub.close();
    });

    it('stores dead letters with reason, position and the original bytes', async () => {
      const topic = unique('dead');
      const invalid = Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x6f]);
      const entries: DeadLetter[] = [
        {
          sourceTopic: topic,
          sourcePartition: 2,
          sourceOffset: '41',
          source: 'openstack-log',
          line: 7,
          reason: 'record is not valid UTF-8',
          original: invalid,
          at: new Date().toISOString(),
        },
        {
          sourceTopic: topic,
          sourcePartition: 0,
          sourceOffset: '42',
          source: 'dpu-metrics',
          reason: 'invalid JSON (at $)',
          original: Buffer.from('{"port": '),
          at: new Date().toISOString(),
        },
      ];
      await bus.deadLetter(entries);
      const stored = await deadLettersOf(topic, 2);
      const byOffset = new Map(stored!.map((d) => [d.sourceOffset, d]));
      const utf = byOffset.get('41')!;
      expect(utf.reason).toBe('record is not valid UTF-8');
      expect(utf.source).toBe('openstack-log');
      expect(utf.sourcePartition).toBe(2);
      expect(utf.line).toBe(7);
      expect(Buffer.compare(Buffer.from(utf.original), invalid)).toBe(0);
      const json = byOffset.get('42')!;
      expect(json.reason).toBe('invalid JSON (at $)');
      expect(json.line).toBeUndefined();
      expect(Buffer.from(json.original).toString()).toBe('{"port": ');
    });

    it('keeps the lines of one packed record apart: same position and reason, own frame, line and bytes', async () => {
      const topic = unique('dead-frames');
      const at = new Date().toISOString();
      const entries: DeadLetter[] = [0, 1, 2].map((frame) => ({
        sourceTopic: topic,
        sourcePartition: 0,
        sourceOffset: '7',
        source: 'dpu-metrics',
        line: frame + 10,
        frame,
        reason: 'not a counter sample',
        original: Buffer.from(`bad line ${frame}`),
        at,
      }));
      await bus.deadLetter(entries);
      const stored = await deadLettersOf(topic, 3);
      expect(
        stored!
          .map((d) => [d.frame, d.line, Buffer.from(d.original).toString()])
          .sort((a, b) => Number(a[0]) - Number(b[0])),
      ).toEqual(entries.map((e) => [e.frame, e.line, e.original.toString()]));
    });

    it('reports lag per partition and brings it to zero as the group commits', async () => {
      const topic = unique('lag');
      const group = unique('g');
      await bus.ensureTopics([topic]);
      await publishSeq(topic, 30, 6);
      const total = async () => (await bus.lag(group, [topic])).reduce((n, l) => n + l.lag, 0);
      expect(await total()).toBe(30);
      for (const l of await bus.lag(group, [topic])) {
        expect(l.topic).toBe(topic);
        expect(l.group).toBe(group);
      }
      const r = await record(bus, { group, topics: [topic] });
      await waitFor('lag 0', async () => (await total()) === 0, timeout, 200);
      await r.sub.close();
      expect(await total()).toBe(0);
    });
  });
}
