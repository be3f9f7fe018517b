import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../../src/model/event.js';
import { getSource } from '../../../src/sources/registry.js';
import { decodeText } from '../../helpers/decode-text.js';
import { readFixture } from '../../helpers/fixtures.js';

const syslog = getSource('syslog')!;
const key = (e: FaultEvent) => [e['hw.type'], e['hw.id'], e['hw.fault.class']];

function one(line: string): FaultEvent {
  const r = syslog.decode(line, { host: 'n1', receivedAt: '2025-12-01T00:00:00Z' });
  if (!r.ok) throw new Error(r.reason);
  return r.events[0]!;
}

describe('kernel RAS: ras-mc-ctl, MCE banks', () => {
  // Generated in rasdaemon's print format (test/fixtures/kernel/PROVENANCE.md).
  const text = readFixture('kernel', 'generated', 'ras-mc-ctl_errors_summary.txt');

  it('reads ras-mc-ctl --errors and --summary rows as memory and PCIe faults, headings dropped', () => {
    const out = decodeText(syslog, text, { host: 'cmp-7', receivedAt: '2025-12-01T00:00:00Z' });
    expect(out.rejected).toEqual([]);
    expect(out.events.map(key)).toEqual([
      ['memory', 'CPU_SrcID#0_MC#1_Chan#0_DIMM#0', 'correctable'],
      ['memory', 'CPU_SrcID#0_MC#1_Chan#0_DIMM#0', 'correctable'],
      ['memory', 'DIMM_B1', 'uncorrectable'],
      ['pcie', '0000:5d:03.2', 'correctable'],
      ['memory', 'CPU_SrcID#0_MC#1_Chan#0_DIMM#0', 'correctable'],
      ['memory', 'DIMM_B1', 'uncorrectable'],
      ['pcie', undefined, 'correctable'],
    ]);
    const first = out.events[0]!;
    expect(first['@timestamp']).toBe('2025-11-03T04:17:52.000Z');
    expect([first['syslog.layout'], first['syslog.edac.mc'], first['syslog.ras.location']]).toEqual([
      'ras-mc-ctl',
      1,
      '1:0:0:-1',
    ]);
    expect(out.events[4]!['syslog.edac.count']).toBe(2);
    expect(out.events[4]!['syslog.time_source']).toBe('received');
    // Six headings and "No … errors." lines are report furniture, not records.
    expect(out.frames).toBe(7);
  });

  it('types an AMD northbridge (memory controller) MCE bank as memory, other banks as cpu', () => {
    const nb = one(
      'kernel: [Hardware Error]: CPU:2 (15:2:0) MC4_STATUS[-|CE|MiscV|-|AddrV|CECC]: 0x9c414000a0080813',
    );
    expect(key(nb)).toEqual(['memory', undefined, 'correctable']);
    const ls = one(
      'kernel: [Hardware Error]: CPU:2 (15:2:0) MC0_STATUS[-|CE|MiscV|-|AddrV|-]: 0x9c414000a0080813',
    );
    expect(key(ls)).toEqual(['cpu', 'CPU2', 'correctable']);
    const umc = one(
      'kernel: [Hardware Error]: CPU:0 (17:31:0) MC17_STATUS[Over|CE|MiscV|AddrV|-|-|SyndV|CECC|-|-|-]: 0x9c2040000000011b Unified Memory Controller',
    );
    expect(umc['hw.type']).toBe('memory');
  });

  it('classifies the MCE line an EDAC memory-controller driver prints', () => {
    const e = one('kernel: EDAC sbridge MC1: CPU 12: Machine Check Event: 0 Bank 7: 8c00004000010090');
    expect(key(e)).toEqual(['memory', undefined, 'correctable']);
    expect([e['syslog.edac.mc'], e['syslog.mce.bank'], e['syslog.mce.cpu']]).toEqual([1, 7, 12]);
  });
});
