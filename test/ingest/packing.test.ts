import { rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../src/bus/embedded.js';
import { RECORD_HEADERS } from '../../src/bus/record-headers.js';
import type { BusMessage } from '../../src/bus/types.js';
import {
  framesIn,
  PACK_MAX_FRAMES,
  packFrames,
  singleRecord,
  unpackFrames,
} from '../../src/ingest/packing.js';
import { decodeBatch, IngestPipeline, sourcesByTopic } from '../../src/ingest/pipeline.js';
import type { FaultEvent } from '../../src/model/event.js';
import { createLogger } from '../../src/shared/logger.js';
import type { Frame } from '../../src/sources/types.js';
import { SqliteEventStore } from '../../src/store/sqlite/event-store.js';
import { readFixture } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/runtime.js';

const OPENSTACK = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log').split(/\r?\n/).slice(0, 250);
const frames: Frame[] = OPENSTACK.map((payload, i) => ({ payload, line: i + 1 }));

const message = (value: string | Buffer, headers: Record<string, string>, offset = '7'): BusMessage => ({
  topic: 'faultline.openstack.log',
  partition: 2,
  offset,
  key: 'compute-3',
  value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
  headers,
  timestamp: Date.parse('2026-03-04T05:06:07.089Z'),
});
const decode = (messages: BusMessage[]) => decodeBatch(messages, sourcesByTopic('faultline'));

describe('packFrames / unpackFrames', () => {
  it('packs consecutive frames by count and size, and unpacks them exactly', () => {
    const records = packFrames(frames);
    expect(records.map((r) => JSON.parse(r.headers[RECORD_HEADERS.frames]!).length)).toEqual([
      PACK_MAX_FRAMES,
      PACK_MAX_FRAMES,
      50,
    ]);
    const back = records.flatMap((r) => unpackFrames(r.value, r.headers[RECORD_HEADERS.frames]!) as Frame[]);
    expect(back).toEqual(frames);
    const small = packFrames(frames, { chars: 1000 });
    for (const r of small)
      expect(r.value.length <= 1000 || r.headers[RECORD_HEADERS.line] !== undefined).toBe(true);
    expect(
      small.flatMap((r) =>
        r.headers[RECORD_HEADERS.frames] === undefined
          ? [r.value]
          : (unpackFrames(r.value, r.headers[RECORD_HEADERS.frames]!) as Frame[]).map((f) => f.payload),
      ),
    ).toEqual(OPENSTACK);
  });

  it('sends a lone frame the plain way, and keeps occurrences, paths and multi-byte text', () => {
    const lone = { payload: 'x', line: 4, occurrence: 2, path: '$.Members[1]' };
    expect(packFrames([lone])).toEqual([singleRecord(lone)]);
    expect(singleRecord(lone).headers).toEqual({
      [RECORD_HEADERS.line]: '4',
      [RECORD_HEADERS.occurrence]: '2',
      [RECORD_HEADERS.path]: '$.Members[1]',
    });
    const mixed: Frame[] = [
      { payload: 'Temperature 温度 "hot"', line: 1 },
      { payload: '{"a":1}', line: 2, path: '$.Members[0]' },
      { payload: 'Temperature 温度 "hot"', line: 3, occurrence: 1 },
      { payload: '', line: 4 },
    ];
    const [r] = packFrames(mixed);
    expect(unpackFrames(r!.value, r!.headers[RECORD_HEADERS.frames]!)).toEqual(mixed);
  });

  it('round-trips any frames', () => {
    const frame = fc.record(
      {
        payload: fc.string({ unit: 'binary', maxLength: 200 }),
        line: fc.nat(),
        occurrence: fc.integer({ min: 1, max: 5 }),
        path: fc.string({ maxLength: 10 }),
      },
      { requiredKeys: ['payload', 'line'] },
    );
    fc.assert(
      fc.property(fc.array(frame, { minLength: 2, maxLength: 30 }), (list) => {
        const back = packFrames(list, { frames: 7 }).flatMap((r) =>
          r.headers[RECORD_HEADERS.frames] === undefined
            ? [{ payload: r.value, line: Number(r.headers[RECORD_HEADERS.line]) }]
            : (unpackFrames(r.value, r.headers[RECORD_HEADERS.frames]!) as Frame[]),
        );
        expect(back.map((f) => f.payload)).toEqual(list.map((f) => f.payload));
      }),
    );
  });

  it('counts the lines of a record without parsing its index, paths with brackets and quotes included', () => {
    const list: Frame[] = [
      { payload: 'a', line: 1, path: '$.Members[1]' },
      { payload: 'b', line: 2, path: '$["x\\"],[y"]' },
      { payload: 'c', line: 3, occurrence: 2 },
    ];
    const [r] = packFrames(list);
    expect(framesIn(r!)).toBe(3);
    expect(packFrames(frames).map(framesIn)).toEqual([100, 100, 50]);
    expect(framesIn(singleRecord(list[0]!))).toBe(1);
    expect(framesIn({ headers: { [RECORD_HEADERS.frames]: 'garbage' } })).toBe(1);
  });

  it('refuses an index that does not describe its value', () => {
    for (const [value, index, why] of [
      ['abc', 'nope', /not JSON/],
      ['abc', '[]', /non-empty array/],
      ['abc', '[[2,1]]', /covers 2 of the value's 3/],
      ['abc', '[[2,1],[2,2]]', /entry 1: runs past the end/],
      ['abc', '[[3,-1]]', /entry 0: length and line/],
      ['abc', '[[3,1,"x"]]', /entry 0: occurrence/],
      ['abc', '[[3,1,0,7]]', /entry 0: path/],
      ['abc', '[3]', /entry 0: expected/],
    ] as const) {
      const r = unpackFrames(value, index);
      expect(Array.isArray(r)).toBe(false);
      expect((r as { error: string }).error).toMatch(why);
    }
  });
});

describe('decodeBatch with packed records', () => {
  it('decodes every frame of a packed record the same as one record per frame', () => {
    const packed = packFrames(frames).map((r, i) => message(r.value, r.headers, String(i)));
    const single = frames.map((f, i) => message(f.payload, singleRecord(f).headers, String(i)));
    const a = decode(packed);
    const b = decode(single);
    expect(a.dead).toEqual([]);
    expect(a.events).toHaveLength(250);
    expect(a.events).toEqual(b.events);
    expect(a.consumed).toEqual(new Map([['openstack-log', 250]]));
    expect(a.events[0]!['host.name']).toBe('compute-3');
    expect(a.events[0]!['event.original']).toBe(OPENSTACK[0]);
  });

  it('dead-letters a bad frame alone, with its own bytes and line, and decodes the rest', () => {
    const list: Frame[] = [frames[0]!, { payload: 'not an oslo line', line: 2 }, frames[2]!];
    const [r] = packFrames(list);
    const out = decode([message(r!.value, r!.headers)]);
    expect(out.events.map((e) => e['event.original'])).toEqual([frames[0]!.payload, frames[2]!.payload]);
    expect(out.dead).toHaveLength(1);
    expect(out.dead[0]).toMatchObject({
      sourceTopic: 'faultline.openstack.log',
      sourcePartition: 2,
      sourceOffset: '7',
      source: 'openstack-log',
      line: 2,
    });
    expect(out.dead[0]!.original.toString('utf8')).toBe('not an oslo line');
    expect(out.dead[0]!.reason).toMatch(/oslo.log format/);
  });

  it('dead-letters a whole record whose index lies or whose bytes are not UTF-8, and goes on', () => {
    const [good] = packFrames(frames.slice(0, 3));
    const lying = message('abc', { [RECORD_HEADERS.frames]: '[[2,1]]' }, '1');
    const invalid = message(
      Buffer.from([0x32, 0xff, 0xfe]),
      { [RECORD_HEADERS.frames]: '[[1,1],[1,2]]' },
      '2',
    );
    const out = decode([lying, invalid, message(good!.value, good!.headers, '3')]);
    expect(out.dead.map((d) => [d.sourceOffset, d.reason])).toEqual([
      ['1', `${RECORD_HEADERS.frames} header covers 2 of the value's 3 characters`],
      ['2', 'record is not valid UTF-8'],
    ]);
    expect(out.dead[1]!.original).toEqual(Buffer.from([0x32, 0xff, 0xfe]));
    expect(out.events).toHaveLength(3);
  });

  it('names a source it does not know `unknown`, so a header cannot mint metric labels', () => {
    const stray = {
      ...message('x', { [RECORD_HEADERS.source]: 'made-up-label-1234' }, '9'),
      topic: 'elsewhere',
    };
    const out = decode([stray]);
    expect(out.dead.map((d) => d.source)).toEqual(['unknown']);
    expect(out.dead[0]!.reason).toContain('made-up-label-1234');
    expect([...out.consumed.keys()]).toEqual(['unknown']);
  });
});

describe('IngestPipeline.handle with packed records', () => {
  it('writes at most batchSize lines at a time, whatever the packing, and stores every line', async () => {
    const dir = tempDir();
    try {
      const store = new SqliteEventStore(join(dir, 'events.db'));
      await store.bootstrap();
      const sizes: number[] = [];
      const spy = Object.assign(Object.create(store) as SqliteEventStore, {
        write: (events: FaultEvent[]) => {
          sizes.push(events.length);
          return store.write(events);
        },
      });
      const bus = new EmbeddedBus(join(dir, 'bus.db'), { pruneIntervalMs: 0 });
      const pipeline = new IngestPipeline({
        bus,
        store: spy,
        logger: createLogger('silent'),
        group: 'g',
        topics: ['faultline.openstack.log'],
        batchSize: 120,
      });
      // 250 lines in 3 records of 100, 100 and 50 lines.
      await pipeline.handle(packFrames(frames).map((r, i) => message(r.value, r.headers, String(i))));
      expect(sizes).toEqual([100, 100, 50]);
      expect((await store.search({ size: 1 })).total).toBe(250);
      await bus.close();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
