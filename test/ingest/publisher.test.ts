import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../src/bus/embedded.js';
import { RECORD_HEADERS } from '../../src/bus/record-headers.js';
import type { BusMessage } from '../../src/bus/types.js';
import { IngestPipeline, sourcesByTopic } from '../../src/ingest/pipeline.js';
import { IngestPublisher } from '../../src/ingest/publisher.js';
import type { FaultEvent } from '../../src/model/event.js';
import { createLogger } from '../../src/shared/logger.js';
import { frameText } from '../../src/sources/framing.js';
import { getSource } from '../../src/sources/registry.js';
import { SqliteEventStore } from '../../src/store/sqlite/event-store.js';
import { tempDir } from '../helpers/runtime.js';

// Three rows of test/fixtures/bmc/ipmi-sel/linuxfabrik/ipmitool_sel_elist_acpi-soft-off.txt:
// the middle one was logged before the BMC's clock was set, so only the receive time can date it.
const SEL = [
  '  55 | 08/06/2020 | 15:05:42 | System ACPI Power State ACPI_Stat | S0/G0: working | Asserted',
  '  56 |  Pre-Init  |0000000085| System ACPI Power State ACPI_Stat | S0/G0: working | Asserted',
  '  55 | 08/06/2020 | 15:05:42 | System ACPI Power State ACPI_Stat | S0/G0: working | Asserted',
].join('\n');

const dirs: string[] = [];

async function waitFor(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(await done()).toBe(true);
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('IngestPublisher → bus → IngestPipeline', () => {
  it('packs the frames into one record indexed by one header, the receive time as the record time, and the topic names the source', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const bus = new EmbeddedBus(join(dir, 'bus.db'), { pruneIntervalMs: 0 });
    const source = getSource('ipmi-sel')!;
    const publisher = new IngestPublisher(bus, undefined, 'faultline');
    const report = await publisher.publishFrames(source, frameText(source.createFramer(), SEL), {
      host: 'bm-042',
      receivedAt: '2026-03-04T05:06:07.089Z',
    });
    expect(report).toMatchObject({ accepted: 3, topic: 'faultline.bmc.sel', firstLine: 1, lastLine: 3 });

    const seen: BusMessage[] = [];
    const inspect = await bus.subscribe({
      group: 'inspect',
      topics: [report.topic],
      fromBeginning: true,
      onBatch: async (messages) => {
        seen.push(...messages);
      },
    });
    await waitFor(() => seen.length >= 1);
    await inspect.close();

    const store = new SqliteEventStore(join(dir, 'events.db'));
    await store.bootstrap();
    const pipeline = new IngestPipeline({
      bus,
      store,
      logger: createLogger('silent'),
      group: 'ingest',
      topics: [report.topic],
    });
    await pipeline.start();
    let stored: FaultEvent[] = [];
    await waitFor(async () => {
      stored = (await store.search({ order: 'asc', size: 10 })).events;
      return stored.length >= 3;
    });
    await pipeline.stop();
    await bus.close();
    await store.close();

    const rows = SEL.split('\n');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.key).toBe('bm-042');
    expect(seen[0]!.value.toString('utf8')).toBe(rows.join(''));
    expect(seen[0]!.headers).toEqual({
      // [length, line] per frame; a byte-identical repeat keeps its own id through its occurrence.
      [RECORD_HEADERS.frames]: JSON.stringify([
        [rows[0]!.length, 1],
        [rows[1]!.length, 2],
        [rows[2]!.length, 3, 1],
      ]),
    });
    expect(seen[0]!.timestamp).toBe(Date.parse('2026-03-04T05:06:07.089Z'));
    // Oldest first: the two dated rows (the repeat stored, not dropped as a duplicate), then Pre-Init.
    expect(stored.map((e) => [e['event.module'], e['host.name'], e['@timestamp']])).toEqual([
      ['ipmi-sel', 'bm-042', '2020-08-06T15:05:42.000Z'],
      ['ipmi-sel', 'bm-042', '2020-08-06T15:05:42.000Z'],
      ['ipmi-sel', 'bm-042', '2026-03-04T05:06:07.089Z'],
    ]);
    expect(stored[2]!['bmc.sel.pre_init']).toBe(true);
    expect(new Set(stored.map((e) => e['event.id'])).size).toBe(3);
  });
});

describe('sourcesByTopic', () => {
  it('names the decoder from the topic, also under another prefix', () => {
    const resolve = sourcesByTopic('faultline');
    expect(resolve('faultline.bmc.sel')?.id).toBe('ipmi-sel');
    expect(resolve('faultline.openstack.log')?.id).toBe('openstack-log');
    expect(resolve('acme.prod.host.syslog')?.id).toBe('syslog');
    expect(resolve('bmc.redfish')?.id).toBe('redfish');
    expect(resolve('faultline.deadletter')).toBeUndefined();
    expect(resolve('faultline.bmc.selx')).toBeUndefined();
  });
});
