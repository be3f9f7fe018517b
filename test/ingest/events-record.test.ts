import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { keyPartitioner } from '../../src/bus/kafka/partitioner.js';
import type { BusMessage, MessageBus } from '../../src/bus/types.js';
import { SHIPPED_RULES_DIR } from '../../src/cli/analyze.js';
import { KyselyAlertRepository } from '../../src/engine/alert-repository.js';
import { EngineService } from '../../src/engine/engine-service.js';
import { loadRuleDir } from '../../src/engine/rules/load.js';
import {
  decodeEventsRecord,
  EVENTS_FORMAT,
  EVENTS_FORMAT_HEADER,
  encodeEventsRecords,
  eventsKey,
} from '../../src/ingest/events-record.js';
import type { FaultEvent } from '../../src/model/event.js';
import { createLogger } from '../../src/shared/logger.js';
import { createSqliteStateStore } from '../../src/store/state/state-store.js';
import { crashInput } from '../engine/crash-input.js';
import { storedFindings } from '../engine/engine-process.js';
import { tempDir } from '../helpers/runtime.js';
import { asDelivered } from './delivered.js';

/** Generated: 8 hosts' SEL and a DIMM storm (test/engine/crash-input.ts), plus a control-plane line. */
const events = (): FaultEvent[] => [
  ...crashInput(),
  {
    ...crashInput()[0]!,
    'event.id': 'svc-1',
    'host.name': undefined as never,
    'service.name': 'nova-api',
  },
];

const decodeAll = (records: BusMessage[]): FaultEvent[] =>
  records.flatMap((r) => {
    const d = decodeEventsRecord(r);
    if (!d.ok) throw new Error(d.reason);
    return d.events;
  });

/** What the live engine stores from these batches of `faultline.events` records. */
async function engineFindings(batches: BusMessage[][], logger = createLogger('silent')): Promise<unknown[]> {
  const state = createSqliteStateStore(`${tempDir()}/state.db`);
  await state.migrate();
  const service = new EngineService({
    bus: {} as MessageBus,
    repo: new KyselyAlertRepository(state.db),
    rules: loadRuleDir(SHIPPED_RULES_DIR),
    logger,
    topic: 'faultline.events',
    group: 'test',
  });
  for (const b of batches) await service.handle(b);
  return storedFindings(state);
}

describe('faultline.events records (src/ingest/events-record.ts)', () => {
  const place = keyPartitioner('faultline.events', 6);

  it('packs a slice per partition and reads back exactly the events written, in order per partition', () => {
    const input = events();
    const records = encodeEventsRecords(input, place);
    // 9 keys over 6 partitions, ~1.3 MB of JSON: a few records, not one per event.
    expect(records.length).toBeLessThanOrEqual(12);
    for (const r of records) {
      expect(r.headers).toEqual({ [EVENTS_FORMAT_HEADER]: EVENTS_FORMAT });
      // Every event of a record belongs on the record's partition, and so does the record's key.
      for (const e of decodeAll([asDelivered(r)])) expect(place(eventsKey(e))).toBe(r.partition);
      expect(place(r.key)).toBe(r.partition);
    }
    // Each partition's events in the slice's order, field for field.
    for (let p = 0; p < 6; p++)
      expect(decodeAll(records.filter((r) => r.partition === p).map((r) => asDelivered(r)))).toEqual(
        input.filter((e) => place(eventsKey(e)) === p),
      );
    expect(decodeAll(records.map((r) => asDelivered(r))).length).toBe(input.length);
  });

  it('starts a new record past the size limit, in order, and sends an event larger than it alone', () => {
    const input = events().slice(0, 300);
    const big = { ...input[10]!, 'event.id': 'big', message: 'x'.repeat(20_000) };
    input.splice(11, 0, big);
    const records = encodeEventsRecords(input, place, 8 * 1024);
    expect(records.length).toBeGreaterThan(10);
    for (const r of records)
      expect(String(r.value).length <= 8 * 1024 || String(r.value).includes('"big"')).toBe(true);
    const alone = records.find((r) => String(r.value).includes('"big"'))!;
    expect(decodeAll([asDelivered(alone)]).map((e) => e['event.id'])).toEqual(['big']);
    for (let p = 0; p < 6; p++)
      expect(decodeAll(records.filter((r) => r.partition === p).map((r) => asDelivered(r)))).toEqual(
        input.filter((e) => place(eventsKey(e)) === p),
      );
  });

  it('reads a record of the form written before packing (one event, no format header)', () => {
    const e = events()[0]!;
    const d = decodeEventsRecord(asDelivered({ key: 'bm-1', value: JSON.stringify(e) }));
    expect(d).toEqual({ ok: true, events: [e] });
  });

  it('refuses a format version it does not know, and broken records, with the reason', () => {
    const value = JSON.stringify([events()[0]]);
    const v2 = decodeEventsRecord(
      asDelivered({ key: 'bm-1', value, headers: { [EVENTS_FORMAT_HEADER]: 'json-array;v=2' } }),
    );
    expect(v2).toEqual({ ok: false, reason: expect.stringContaining('json-array;v=2') });
    const header = { [EVENTS_FORMAT_HEADER]: EVENTS_FORMAT };
    const broken = (v: string) => decodeEventsRecord(asDelivered({ key: 'bm-1', value: v, headers: header }));
    expect(broken(value.slice(0, 40))).toEqual({ ok: false, reason: expect.stringContaining('not JSON') });
    expect(broken(JSON.stringify(events()[0]))).toEqual({
      ok: false,
      reason: expect.stringContaining('array'),
    });
    expect(broken('[{"message":"no id"}]')).toEqual({
      ok: false,
      reason: expect.stringContaining('element 0'),
    });
    expect(broken('[null]')).toMatchObject({ ok: false });
  });

  it("places a host's events where Kafka's Java-compatible default partitioner places the host key", () => {
    // Kafka's own murmur2 vectors (org.apache.kafka.common.utils.UtilsTest#testMurmur2).
    const javaMurmur2: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const n of [1, 4, 6, 12, 31])
      for (const [key, hash] of javaMurmur2) {
        // Utils.toPositive, then modulo the partition count (DefaultPartitioner / BuiltInPartitioner).
        expect(keyPartitioner('t', n)(key)).toBe((hash & 0x7fffffff) % n);
      }
  });

  it('the engine logs a broken record, skips it, and finds what it finds without it', async () => {
    const input = events();
    const records = encodeEventsRecords(input, () => 0, 16 * 1024).map((r, i) => asDelivered(r, i));
    expect(records.length).toBeGreaterThan(10);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // Record 5 broken: a cut value, with the offsets of the others unchanged.
    const broken = { ...records[5]!, value: records[5]!.value.subarray(0, 100) };
    const withBroken = [...records.slice(0, 5), broken, ...records.slice(6)];
    const got = await engineFindings(
      [withBroken.slice(0, 7), withBroken.slice(7)],
      createLogger('warn', sink),
    );
    expect(got).toEqual(await engineFindings([[...records.slice(0, 5), ...records.slice(6)]]));
    expect(got.length).toBeGreaterThan(8);
    const warned = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(warned).toEqual([
      expect.objectContaining({
        offset: '5',
        reason: expect.stringContaining('not JSON'),
        'log.level': 'warn',
      }),
    ]);
  });

  it('the engine finds the same in packed records as in one record per event', async () => {
    const input = events();
    const inSevens = (records: BusMessage[]) =>
      engineFindings(
        Array.from({ length: Math.ceil(records.length / 7) }, (_, i) => records.slice(7 * i, 7 * i + 7)),
      );
    const packed = encodeEventsRecords(input, () => 0, 16 * 1024).map((r, i) => asDelivered(r, i));
    const single = input.map((e, i) => asDelivered({ key: eventsKey(e), value: JSON.stringify(e) }, i));
    expect(packed.length).toBeLessThan(input.length / 10);
    expect(await inSevens(packed)).toEqual(await inSevens(single));
  });
});
