import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../src/bus/embedded.js';
import type { BusMessage } from '../../src/bus/types.js';
import { tempDir } from '../helpers/runtime.js';

describe('embedded bus retention', () => {
  let bus: EmbeddedBus | undefined;
  afterEach(() => bus?.close());

  it('prunes only what every group of a topic has committed, and never an unconsumed topic', async () => {
    bus = new EmbeddedBus(join(tempDir(), 'bus.db'), { pruneIntervalMs: 0 });
    await bus.publish(
      't.a',
      Array.from({ length: 10 }, (_, i) => ({ key: 'n1', value: `a${i}` })),
    );
    await bus.publish('t.b', [{ key: 'n1', value: 'b0' }]);
    const fast: BusMessage[] = [];
    const subFast = await bus.subscribe({
      group: 'fast',
      topics: ['t.a'],
      onBatch: async (m) => void fast.push(...m),
    });
    // The slow group stops after the first 4 records and never commits the rest.
    let slowSeen = 0;
    const subSlow = await bus.subscribe({
      group: 'slow',
      topics: ['t.a'],
      maxBatchSize: 4,
      onBatch: async (m) => {
        slowSeen += m.length;
        if (slowSeen > 4) throw new Error('slow consumer is stuck');
      },
    });
    while (fast.length < 10 || slowSeen < 8) await sleep(10);
    await subFast.close();
    await subSlow.close();
    expect(bus.prune()).toBe(4);
    expect(await bus.lag('slow', ['t.a'])).toEqual([{ topic: 't.a', partition: 0, group: 'slow', lag: 6 }]);
    expect(await bus.lag('fast', ['t.a'])).toEqual([{ topic: 't.a', partition: 0, group: 'fast', lag: 0 }]);
    // t.b has no consumer group at all: nothing of it is deleted.
    expect(bus.prune()).toBe(0);
    const late: BusMessage[] = [];
    const subLate = await bus.subscribe({
      group: 'late',
      topics: ['t.b'],
      onBatch: async (m) => void late.push(...m),
    });
    while (late.length < 1) await sleep(10);
    await subLate.close();
    expect(late.map((m) => m.value.toString())).toEqual(['b0']);
  });
});

describe('embedded dead letters', () => {
  it('gives back invalid UTF-8 originals byte for byte (base64), and text as text', async () => {
    const bus = new EmbeddedBus(join(tempDir(), 'bus.db'), { pruneIntervalMs: 0 });
    try {
      const bad = Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x0a]);
      const common = {
        sourceTopic: 't',
        sourcePartition: 0,
        source: 'syslog',
        reason: 'record is not valid UTF-8',
        at: '2026-01-01T00:00:00.000Z',
      };
      await bus.deadLetter([
        { ...common, sourceOffset: '1', original: bad },
        { ...common, sourceOffset: '2', original: Buffer.from('plain text') },
      ]);
      const rows = await bus.listDeadLetters();
      expect(rows.map((r) => [r.encoding, r.original])).toEqual([
        ['utf8', 'plain text'],
        ['base64', bad.toString('base64')],
      ]);
      expect(Buffer.from(rows[1]!.original, 'base64').equals(bad)).toBe(true);
    } finally {
      await bus.close();
    }
  });
});
