import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../../src/model/event.js';
import { readFixture } from '../../helpers/fixtures.js';
import { runSel } from './harness.js';

const pick = (e: FaultEvent) => [e['hw.type'], e['hw.id'], e['hw.fault.class'], e['bmc.sel.event_direction']];

describe('ipmi-sel: OpenBMC log-util --print', () => {
  // Real: facebook/openbmc Documentation/GrandCanyon (test/fixtures/bmc/ipmi-sel/PROVENANCE.md).
  const run = runSel(readFixture('bmc', 'ipmi-sel', 'openbmc', 'grandcanyon_log-util_print.txt'), {
    host: 'gc1',
  });

  it('decodes every line of the real listing, none rejected', () => {
    expect(run.rejected).toEqual([]);
    expect(run.events).toHaveLength(41);
    expect(new Set(run.events.map((e) => e['bmc.sel.format']))).toEqual(new Set(['openbmc-log-util']));
  });

  it('reads SEL Entry lines: sensor, number, event data, direction, time', () => {
    const vr = run.events.find(
      (e) => e.message.includes('DIMM AB Memory VR HOT') && e['bmc.sel.event_direction'] === 'asserted',
    )!;
    expect(pick(vr)).toEqual(['memory', 'DIMM_AB', 'predictive', 'asserted']);
    expect([vr['bmc.sel.sensor_name'], vr['bmc.sel.sensor_number'], vr['bmc.sel.event_data']]).toEqual([
      'VR_HOT',
      '0xb4',
      '02ffff',
    ]);
    expect(vr['@timestamp']).toBe('2022-01-23T20:20:21.000Z');
    const fivr = run.events.filter((e) => e.message.includes('FIVR fault'));
    expect(fivr.map((e) => [e['hw.fault.class'], e['bmc.sel.event_direction']])).toEqual([
      ['failure', 'asserted'],
      ['recovered', 'deasserted'],
    ]);
    const frb3 = run.events.find((e) => e['bmc.sel.sensor_name'] === 'PROC_FAIL')!;
    expect(pick(frb3)).toEqual(['cpu', 'PROC_FAIL', 'failure', 'asserted']);
  });

  it('reads ipmid threshold lines with reading, threshold and unit', () => {
    const [up, down] = run.events.filter((e) => e['bmc.sel.sensor_name'] === 'DPB_HSC_Current');
    expect([
      up!['hw.type'],
      up!['hw.fault.class'],
      up!['bmc.sel.reading'],
      up!['bmc.sel.threshold'],
      up!['bmc.sel.unit'],
    ]).toEqual(['current', 'failure', 80000, 70000, 'mA']);
    expect([down!['hw.fault.class'], down!['bmc.sel.event_direction']]).toEqual(['recovered', 'deasserted']);
  });

  // Generated in the fby35 PMIC layout (PROVENANCE.md): no public capture of PMIC lines exists.
  it('reads PMIC faults as memory faults of the DIMM they name', () => {
    const pmic = runSel(readFixture('bmc', 'ipmi-sel', 'generated', 'openbmc_fby35_log-util_pmic_dimm.txt'));
    expect(pmic.rejected).toEqual([]);
    expect(pmic.events.map(pick)).toEqual([
      ['memory', 'DIMM_A0', 'predictive', 'asserted'],
      ['memory', 'DIMM_A4', 'predictive', 'asserted'],
      ['memory', 'DIMM_A7', 'failure', 'asserted'],
    ]);
  });
});

describe('ipmi-sel: web-UI exports and PCIe addresses', () => {
  // Generated (PROVENANCE.md): date and time in one column, PCIe bus/device/function in the detail.
  const run = runSel(readFixture('bmc', 'ipmi-sel', 'generated', 'webui_export_and_pcie_bdf.txt'));

  it('reads `04/13/2025, 03:08:16` as the date and time', () => {
    expect(run.rejected).toEqual([]);
    expect(run.events.map((e) => e['@timestamp'])).toEqual([
      '2025-04-13T03:08:16.000Z',
      '2025-04-13T03:09:41.000Z',
      '2025-04-13T03:10:05.000Z',
    ]);
    expect(pick(run.events[0]!)).toEqual(['memory', 'DIMM_B2', 'correctable', 'asserted']);
  });

  it('gives a PCIe address the hw.id the kernel AER lines give the same function', () => {
    const [, b5d, b3b] = run.events;
    expect([b5d!['hw.type'], b5d!['hw.id'], b5d!['hw.fault.class']]).toEqual([
      'pcie',
      '0000:5d:03.2',
      'uncorrectable',
    ]);
    expect([b5d!['bmc.sel.pci.bus'], b5d!['bmc.sel.pci.device'], b5d!['bmc.sel.pci.function']]).toEqual([
      0x5d, 3, 2,
    ]);
    expect([b3b!['hw.id'], b3b!['hw.fault.class']]).toEqual(['0000:3b:00.1', 'correctable']);
  });

  it('says which date forms it reads when the date is unreadable', () => {
    const bad = runSel(' 9 | 13.04.2025 | 03:08:16 | Memory #0x12 | Correctable ECC | Asserted');
    expect(bad.rejected[0]?.reason).toMatch(/expected MM\/DD\/YYYY or Mon-DD-YYYY/);
  });
});
