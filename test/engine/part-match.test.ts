import { describe, expect, it } from 'vitest';
import { SHIPPED_RULES_DIR } from '../../src/cli/analyze.js';
import { Engine } from '../../src/engine/engine.js';
import { findComponent, kernelDiskName, slotKey } from '../../src/engine/part-match.js';
import { loadRuleDir } from '../../src/engine/rules/load.js';
import type { FaultEvent } from '../../src/model/event.js';
import type { ComponentView } from '../../src/model/topology.js';
import { frameText } from '../../src/sources/framing.js';
import { getSource } from '../../src/sources/registry.js';
import { readFixture } from '../helpers/fixtures.js';
import { ev } from './helpers.js';

const dimm = (id: string, location = id): ComponentView => ({ id, type: 'memory', location });

/** Every slot label of rasdaemon's label files (fixture: vendors' boards as rasdaemon ships them). */
function rasdaemonLabels(): string[] {
  const out: string[] = [];
  for (const vendor of ['apple', 'asrock', 'asus', 'dell', 'gigabyte', 'intel', 'lenovo', 'supermicro']) {
    const text = readFixture('kernel', 'rasdaemon_dimm_labels', vendor);
    for (const line of text.split('\n')) {
      if (/^\s*(#|Vendor:|Model:|Product:)/i.test(line)) continue;
      for (const m of line.replace(/#.*/, '').matchAll(/([^\s:;]+)\s*:\s*[0-9]+\.[0-9]+\.[0-9]+/g))
        out.push(m[1] as string);
    }
  }
  return out;
}

describe('part names across sources', () => {
  it('reads a slot the same however a source spells it', () => {
    expect(slotKey('CPU0_G1')).toBe(slotKey('CPU0_DIMM_G1'));
    expect(slotKey('DIMMA1')).toBe(slotKey('DIMM_A1'));
    expect(slotKey('CHANNEL_A_DIMM_0')).toBe('A_0');
    expect(slotKey('CPU1_DIMM11')).not.toBe(slotKey('CPU11_DIMM1'));
  });

  it('finds the inventory part for EDAC and rasdaemon labels, and refuses to guess', () => {
    const twoSockets = ['A1', 'A2', 'B1', 'G1'].flatMap((s) => [
      dimm(`CPU0_DIMM_${s}`, `CPU0_${s}`),
      dimm(`CPU1_DIMM_${s}`, `CPU1_${s}`),
    ]);
    expect(findComponent(twoSockets, 'CPU0_G1')?.id).toBe('CPU0_DIMM_G1');
    expect(findComponent(twoSockets, 'cpu1-dimm-a2')?.id).toBe('CPU1_DIMM_A2');
    // No socket in the name and two sockets on the board: which one is unknown.
    expect(findComponent(twoSockets, 'DIMM_B1')).toBeUndefined();
    expect(findComponent(twoSockets, 'CPU2_DIMM_B1')).toBeUndefined();
    const oneSocket = [dimm('CPU1_DIMM_A1'), dimm('CPU1_DIMM_B1')];
    expect(findComponent(oneSocket, 'DIMM_B1')?.id).toBe('CPU1_DIMM_B1');
    expect(
      findComponent([{ id: 'd0', type: 'physical_disk', location: 'bay 0', serial: 'ZA1B2C3D' }], 'ZA1B2C3D')
        ?.id,
    ).toBe('d0');
    // Every label rasdaemon knows resolves against an inventory that spells the same slots its own way.
    const labels = rasdaemonLabels();
    expect(labels.length).toBeGreaterThan(100);
    for (const label of labels) {
      const spelled = `Memory ${label.toLowerCase().replaceAll('_', ' ')}`;
      const inventory = [dimm(`mem${labels.indexOf(label)}`, spelled), dimm('ZZ_DIMM_99')];
      expect(findComponent(inventory, label)?.location, label).toBe(spelled);
    }
  });

  it('names a block device by its disk', () => {
    expect(
      ['sda', 'sda1', '/dev/sdab3', 'nvme0n1', 'nvme0n1p2', '/dev/nvme10', 'vdb', 'xvda1'].map(
        kernelDiskName,
      ),
    ).toEqual(['sda', 'sda', 'sdab', 'nvme0', 'nvme0', 'nvme10', 'vdb', 'xvda']);
    expect(kernelDiskName('md0')).toBeUndefined();
  });

  it.each([
    // An alert keeps the labels it fired with (they are its identity): the name known at that moment.
    ['SMART named the disk before the kernel errors', -1_800_000, 'ZA1B2C3D'],
    ['the kernel errors came before SMART named the disk', 30_000, 'sda'],
  ])(
    'folds the kernel I/O errors of sda and the SMART failure of its serial into one alert: %s',
    (_, scanAt, firedAs) => {
      const syslog = getSource('syslog');
      if (syslog === undefined) throw new Error('no syslog source');
      // Real kernel lines (fixture): blk_update_request errors on sda.
      const text = readFixture('kernel', 'linuxfabrik_dmesg', 'errors-blk-update-request-two.txt');
      const kernel = frameText(syslog.createFramer(), text).flatMap((f) => {
        const r = syslog.decode(f.payload, { line: f.line, receivedAt: '2021-08-01T00:00:00Z' });
        return r.ok ? r.events.map((e): FaultEvent => ({ ...e, 'host.name': 'bm-7' })) : [];
      });
      expect(kernel.map((e) => e['hw.id'])).toEqual(['sda', 'sda']);
      const at = Date.parse(kernel[0]?.['@timestamp'] as string);
      // SMART (generated: the fixtures' serials are redacted): the scan before says which disk sda is,
      // the one after says it failed.
      const smart = (t: number, fault: string) =>
        ev(t, {
          'event.dataset': 'host.smart',
          'host.name': 'bm-7',
          'hw.type': 'physical_disk',
          'hw.id': 'ZA1B2C3D',
          'hw.fault.class': fault,
          'smart.device.name': '/dev/sda',
          message: `SMART ${fault}`,
        });
      const engine = new Engine({ rules: loadRuleDir(SHIPPED_RULES_DIR), allowedLatenessMs: 0 });
      const input = [smart(at + scanAt, 'informational'), ...kernel, smart(at + 60_000, 'failure')];
      for (const e of input.sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp'])))
        engine.push(e);
      engine.flush();
      const disk = engine.alerts().filter((a) => a.rule === 'DiskFailure');
      expect(disk).toHaveLength(1);
      expect(disk[0]?.labels.hw_id).toBe(firedAs);
      expect(disk[0]?.count).toBe(3);
      expect(disk[0]?.evidence).toEqual(expect.arrayContaining(kernel.map((e) => e['event.id'])));
    },
  );
});
