import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../../src/model/event.js';
import { ipmiSelSource } from '../../../src/sources/bmc/ipmi-sel/index.js';
import { getSource } from '../../../src/sources/registry.js';
import { readFixture } from '../../helpers/fixtures.js';
import { countBy, expectAlwaysFields, nonBlankLines, runSel } from './harness.js';

const SEL_FIXTURES = [
  ['bmc', 'ipmi-sel', 'linuxfabrik', 'ipmitool_sel_elist_chassis-intrusion.txt'],
  ['bmc', 'ipmi-sel', 'linuxfabrik', 'ipmitool_sel_elist_acpi-soft-off.txt'],
  ['bmc', 'ipmi-sel', 'ipmiutil_userguide', 'ipmiutil_sel_samples_from_UserGuide.txt'],
] as const;

function byRecord(events: FaultEvent[], id: string): FaultEvent {
  const e = events.find((x) => x['bmc.sel.record_id'] === id);
  if (e === undefined) throw new Error(`no event for SEL record ${id}`);
  return e;
}

describe('ipmi-sel: every line of every SEL fixture is decoded, rejected with a reason, or a counted header', () => {
  it.each(SEL_FIXTURES)('%s/%s/%s/%s', (...parts) => {
    const text = readFixture(...parts);
    const run = runSel(text, { host: 'node-17' });
    const framedLines = run.frames.reduce((n, f) => n + nonBlankLines(f.payload), 0);
    const skipped = run.skipped.header + run.skipped.separator + run.skipped.banner;
    expect(framedLines + skipped).toBe(nonBlankLines(text));
    expect(run.decoded.length + run.rejected.length).toBe(run.frames.length);
    for (const r of run.rejected) {
      expect(r.reason.length).toBeGreaterThan(10);
      expect(r.line).toBeGreaterThan(0);
    }
    for (const e of run.events) {
      expectAlwaysFields(e, 'bmc.sel');
      expect(e['host.name']).toBe('node-17');
    }
    expect(new Set(run.events.map((e) => e['event.id'])).size).toBe(run.events.length);
  });
});

describe('ipmi-sel on Linuxfabrik chassis-intrusion (ipmitool sel elist, 23 records)', () => {
  const run = runSel(readFixture(...SEL_FIXTURES[0]));
  const events = run.events;

  it('decodes all 23 records and rejects none', () => {
    expect(run.frames).toHaveLength(23);
    expect(run.rejected).toEqual([]);
    expect(events.filter((e) => e['hw.type'] !== 'unknown')).toHaveLength(16);
  });

  it('reads the flapping PS1 failure as failure / recovered on PS1 with code 0x08/0x01', () => {
    const ps = events.filter((e) => e['hw.id'] === 'PS1');
    expect(ps.map((e) => [e['bmc.sel.record_id'], e['hw.fault.class'], e['event.severity']])).toEqual([
      ['9', 'failure', 2],
      ['a', 'recovered', 5],
      ['b', 'failure', 2],
      ['c', 'recovered', 5],
    ]);
    const first = byRecord(events, '9');
    expect(first['hw.type']).toBe('power_supply');
    expect(first['event.code']).toBe('0x08/0x01');
    expect(first['@timestamp']).toBe('2019-08-17T02:31:44.000Z');
    expect(first['hw.name']).toBe('PS1 Status');
    expect(first['bmc.sel.sensor_type']).toBe('Power Supply');
    expect(first['bmc.sel.event_direction']).toBe('asserted');
    expect(byRecord(events, 'a')['bmc.sel.event_direction']).toBe('deasserted');
  });

  it('reads chassis intrusion as informational on the enclosure, four asserts and one deassert', () => {
    const intrusion = events.filter((e) => e['event.code'] === '0x05/0x00');
    expect(intrusion).toHaveLength(5);
    expect(new Set(intrusion.map((e) => `${e['hw.type']}/${e['hw.fault.class']}/${e['hw.id']}`))).toEqual(
      new Set(['enclosure/informational/Chassis_Intru']),
    );
    expect(intrusion.filter((e) => e['bmc.sel.event_direction'] === 'deasserted')).toHaveLength(1);
  });

  it('keeps the seven "Unknown #0xff" OEM-sensor records, marked OEM, never rejected', () => {
    const oem = events.filter((e) => e['bmc.sel.oem'] === true);
    expect(oem).toHaveLength(7);
    for (const e of oem) {
      expect(e['hw.type']).toBe('unknown');
      expect(e['bmc.sel.sensor_number']).toBe('0xff');
      expect(e['hw.fault.class']).toBe('informational');
    }
  });

  it('reads OS installation states as system events with their offsets', () => {
    expect(
      countBy(
        events.filter((e) => e['hw.type'] === 'system'),
        (e) => e['event.code'],
      ),
    ).toEqual({
      '0x1f/0x07': 4,
      '0x1f/0x08': 3,
    });
  });
});

describe('ipmi-sel on Linuxfabrik acpi-soft-off (ipmitool sel elist, 256 records)', () => {
  const text = readFixture(...SEL_FIXTURES[1]);
  const run = runSel(text);
  const events = run.events;

  it('decodes all 256 records', () => {
    expect(run.frames).toHaveLength(256);
    expect(run.rejected).toEqual([]);
    expect(countBy(events, (e) => e['hw.type'])).toEqual({
      system: 223,
      enclosure: 9,
      power_supply: 8,
      unknown: 16,
    });
  });

  it('maps ACPI S0 and S4/S5 to informational system events', () => {
    expect(events.filter((e) => e['event.code'] === '0x22/0x00')).toHaveLength(126);
    expect(events.filter((e) => e['event.code'] === '0x22/0x06')).toHaveLength(81);
    for (const e of events.filter((x) => `${x['event.code']}`.startsWith('0x22/'))) {
      expect(e['hw.type']).toBe('system');
      expect(e['hw.fault.class']).toBe('informational');
      expect(e['hw.id']).toBe('ACPI_Stat');
    }
  });

  it('keeps the 18 Pre-Init records, flagged, timed at the epoch plus their seconds', () => {
    const pre = events.filter((e) => e['bmc.sel.pre_init'] === true);
    expect(pre).toHaveLength(18);
    const r56 = byRecord(events, '56');
    expect(r56['bmc.sel.pre_init_seconds']).toBe(85);
    expect(r56['@timestamp']).toBe('1970-01-01T00:01:25.000Z');
  });

  it('times Pre-Init records at the transport receive time when there is one', () => {
    const withTime = runSel(text, { receivedAt: '2020-08-06T15:10:00Z' }).events;
    expect(byRecord(withTime, '56')['@timestamp']).toBe('2020-08-06T15:10:00.000Z');
    expect(byRecord(withTime, '55')['@timestamp']).toBe('2020-08-06T15:05:42.000Z');
  });

  it('finds both PSU failures with AC lost, and redundancy lost then regained', () => {
    const psu = events.filter((e) => e['hw.type'] === 'power_supply');
    expect(psu.map((e) => [e['hw.id'], e['event.code'], e['hw.fault.class']])).toEqual([
      ['PS2', '0x08/0x01', 'failure'],
      ['PS2', '0x08/0x03', 'failure'],
      ['Power_Supplies', '0x08/0x0b/0x01', 'failure'],
      ['Power_Supplies', '0x08/0x0b/0x01', 'recovered'],
      ['PS1', '0x08/0x01', 'failure'],
      ['PS1', '0x08/0x03', 'failure'],
      ['Power_Supplies', '0x08/0x0b/0x01', 'failure'],
      ['Power_Supplies', '0x08/0x0b/0x01', 'recovered'],
    ]);
    expect(psu[0]!['@timestamp']).toBe('2020-10-19T14:45:09.000Z');
  });

  it('keeps the 16 OEM records (9 × dc, 7 × dd) with manufacturer and data', () => {
    const oem = events.filter((e) => e['bmc.sel.oem'] === true);
    expect(countBy(oem, (e) => e['event.code'])).toEqual({ 'oem/0xdc': 9, 'oem/0xdd': 7 });
    const r123 = byRecord(events, '123');
    expect(r123['bmc.sel.oem_manufacturer_id']).toBe('000137');
    expect(r123['bmc.sel.oem_data']).toBe('00c378895f00');
    expect(r123['@timestamp']).toBe('2020-10-16T10:41:22.000Z');
  });

  it('reads the system health sensor and graceful shutdowns', () => {
    expect(
      events.filter((e) => e['event.code'] === '0x18/0x07/0x01' && e['hw.fault.class'] === 'predictive'),
    ).toHaveLength(9);
    expect(
      events.filter((e) => e['event.code'] === '0x20/0x03' && e['hw.fault.class'] === 'informational'),
    ).toHaveLength(7);
  });
});

describe('ipmi-sel on the ipmiutil UserGuide samples (45 SEL records among documentation lines)', () => {
  const run = runSel(readFixture(...SEL_FIXTURES[2]));
  const events = run.events;

  it('decodes the 45 SEL records, skips 2 headers and 8 tool banners, rejects the 30 prose lines', () => {
    expect(events).toHaveLength(45);
    expect(run.skipped).toEqual({ header: 2, separator: 0, banner: 8 });
    expect(run.rejected).toHaveLength(30);
    expect(run.rejected.every((r) => /not a SEL record/.test(r.reason))).toBe(true);
    expect(run.rejected.map((r) => r.payload)).toContain(
      '000b SDR Full 01 01 20 a 01 snum 30 Baseboard Temp',
    );
    expect(countBy(events, (e) => e['hw.type'])).toEqual({
      temperature: 11,
      system: 11,
      power_supply: 18,
      bmc: 5,
    });
  });

  it('reads the threshold words and raw readings of temperature sensor 0x30', () => {
    const crit = events.find((e) => e['bmc.sel.record_id'] === '4af0')!;
    expect(crit['event.code']).toBe('0x01/0x01/0x02');
    expect(crit['hw.fault.class']).toBe('failure');
    expect(crit['event.severity']).toBe(2);
    expect(crit['bmc.sel.reading_raw']).toBe(0x1b);
    expect(crit['bmc.sel.threshold_raw']).toBe(0x1f);
    expect(crit['hw.id']).toBe('Temperature_0x30');
    const ok = events.find((e) => e['bmc.sel.record_id'] === '4b18')!;
    expect(ok['hw.fault.class']).toBe('recovered');
    expect(ok['bmc.sel.event_direction']).toBe('deasserted');
  });

  it('decodes the trigger byte and event data: PSU removal is a deassertion, redundancy codes are generic', () => {
    const removed = events.find((e) => e['bmc.sel.record_id'] === '0068')!;
    expect(removed['event.code']).toBe('0x08/0x00');
    expect(removed['bmc.sel.event_direction']).toBe('deasserted');
    expect(removed['event.severity']).toBe(4);
    expect(removed['bmc.sel.event_data']).toBe('400fff');
    expect(events.find((e) => e['bmc.sel.record_id'] === '007c')!['event.code']).toBe('0x09/0x0b/0x01');
    expect(events.find((e) => e['bmc.sel.record_id'] === '00b8')!['hw.fault.class']).toBe('recovered');
  });

  it('reads OS critical stops as failures and the 1969 date as a pre-init time', () => {
    const panic = events.find((e) => e['bmc.sel.record_id'] === '1a08')!;
    expect([panic['hw.type'], panic['hw.fault.class'], panic['event.code'], panic['event.severity']]).toEqual(
      ['system', 'failure', '0x20/0x01', 2],
    );
    const acLost = events.find((e) => e['bmc.sel.record_id'] === '0018')!;
    expect(acLost['bmc.sel.pre_init']).toBe(true);
    expect(acLost['event.code']).toBe('0x09/0x04');
  });

  it('gives byte-identical records in overlapping excerpts distinct, stable ids', () => {
    const dup = events.filter((e) => e['bmc.sel.record_id'] === '01a8');
    expect(dup).toHaveLength(2);
    expect(dup[0]!['event.id']).not.toBe(dup[1]!['event.id']);
    const again = runSel(readFixture(...SEL_FIXTURES[2])).events.filter(
      (e) => e['bmc.sel.record_id'] === '01a8',
    );
    expect(again.map((e) => e['event.id'])).toEqual(dup.map((e) => e['event.id']));
  });
});

describe('ipmi-sel formats beyond the shared fixtures', () => {
  it('reads FreeIPMI ipmi-sel tables, skipping the header and the version banner', () => {
    // Generated in FreeIPMI 1.2.1's `ipmi-sel` layout (ipmi-sel.c _normal_output): no licensed capture exists.
    const text = [
      'ID  | Date        | Time     | Name             | Type                        | Event',
      '7   | Mar-02-2024 | 11:04:51 | PS1 Status       | Power Supply                | Configuration error ; OEM Event Data2 code = 01h',
      '23  | Mar-02-2024 | 13:20:07 | BMC FW Health    | Management Subsystem Health | sensor failure ; Sensor Number #116',
      '56  | Apr-17-2024 | 06:41:32 | BB +1.1V STBY    | Voltage                     | Lower Non-critical - going low ; Sensor Reading = 0.21 V ; Threshold = 0.97 V',
      '58  | Apr-17-2024 | 07:02:10 | Pwr Unit Status  | Power Unit                  | AC lost/Power input lost',
      'Unknown SEL Record Type: 3h',
      '93  | May-05-2024 | 22:15:43 | SPS FW Health    | OEM Reserved                | OEM Event Offset = 00h ; OEM Event Data2 code = 00h ; OEM Event Data3 code = 00h',
      'ipmi-sel - 1.2.1',
    ].join('\n');
    const run = runSel(text);
    expect(run.skipped).toEqual({ header: 1, separator: 0, banner: 1 });
    expect(run.events).toHaveLength(5);
    expect(run.rejected).toEqual([
      expect.objectContaining({
        line: 6,
        reason: 'FreeIPMI could not decode a SEL record of invalid record type 0x3',
      }),
    ]);
    const [psu, mgmt, volt, ac, oem] = run.events as [
      FaultEvent,
      FaultEvent,
      FaultEvent,
      FaultEvent,
      FaultEvent,
    ];
    expect([psu['hw.id'], psu['event.code'], psu['hw.fault.class'], psu['bmc.sel.format']]).toEqual([
      'PS1',
      '0x08/0x06',
      'failure',
      'freeipmi',
    ]);
    expect(psu['bmc.sel.event_direction_inferred']).toBe(true);
    expect([mgmt['hw.type'], mgmt['event.code']]).toEqual(['bmc', '0x28/0x04']);
    expect([
      volt['hw.type'],
      volt['event.code'],
      volt['hw.fault.class'],
      volt['bmc.sel.reading'],
      volt['bmc.sel.threshold'],
    ]).toEqual(['voltage', '0x02/0x01/0x00', 'predictive', 0.21, 0.97]);
    expect(volt['@timestamp']).toBe('2024-04-17T06:41:32.000Z');
    expect([ac['event.code'], ac['hw.fault.class']]).toEqual(['0x09/0x04', 'failure']);
    expect(oem['bmc.sel.oem']).toBe(true);
  });

  it('reads FreeIPMI --output-event-state -v columns (state and direction)', () => {
    // Generated: columns as FreeIPMI's ipmi-sel.c _normal_output prints them with both options.
    const text = [
      'ID  | Date        | Time     | Name             | Type                        | State    | Event Direction   | Event',
      '56  | Apr-17-2024 | 06:41:32 | BB +1.1V STBY    | Voltage                     | Warning  | Assertion Event   | Lower Non-critical - going low ; Sensor Reading = 0.21 V ; Threshold = 0.97 V',
      '57  | Apr-17-2024 | 06:47:32 | BB +1.1V STBY    | Voltage                     | Nominal  | Deassertion Event | Lower Non-critical - going low ; Sensor Reading = 1.09 V ; Threshold = 0.97 V',
    ].join('\n');
    const [a, d] = runSel(text).events as [FaultEvent, FaultEvent];
    expect([a['bmc.sel.state'], a['bmc.sel.event_direction'], a['hw.fault.class']]).toEqual([
      'Warning',
      'asserted',
      'predictive',
    ]);
    expect([d['bmc.sel.state'], d['bmc.sel.event_direction'], d['hw.fault.class']]).toEqual([
      'Nominal',
      'deasserted',
      'recovered',
    ]);
    expect(a['bmc.sel.event_direction_inferred']).toBeUndefined();
  });

  it('reads ipmiutil 2.82 output with the SEV column and names the DIMM a POST error is about', () => {
    // Generated in ipmiutil 2.82's `ipmiutil sel` layout (util/ievents.c): no licensed capture exists.
    const text = [
      'ipmiutil ver 2.82',
      'isel: version 2.82',
      '-- BMC version 0.26, IPMI version 2.0 ',
      'SEL Ver 37 Support 07, Size = 3639 records (Used=916, Free=2723)',
      'RecId Date/Time_______ SEV Src_ Evt_Type___ Sens# Evt_detail - Trig [Evt_data]',
      '0005 03/02/24 11:04:48 INF BMC  Power Unit #01 Power Restored ef [00 ff ff]',
      '0058 Type03 INF 39 90 f0 4e 20 00 04 2b 12 70 00 10 ff ',
      '0066 05/05/24 22:25:06 MAJ EFI  System Firmware #06 DIMM_B1 failed test/initialization 6f [a0 23 85]',
      '0098 06/11/24 09:12:40 MAJ Bios Critical Interrupt #05 PCIe Warn Bad TLLP (00:03.0) 71 [a2 00 18]',
    ].join('\n');
    const run = runSel(text);
    expect(run.skipped).toEqual({ header: 1, separator: 0, banner: 4 });
    expect(run.rejected.map((r) => r.reason)).toEqual([
      'ipmiutil printed raw bytes of SEL record 0058 with invalid record type 0x03',
    ]);
    const [restored, dimm, pcie] = run.events as [FaultEvent, FaultEvent, FaultEvent];
    expect([
      restored['event.code'],
      restored['bmc.sel.event_direction'],
      restored['bmc.sel.tool_severity'],
    ]).toEqual(['0x09/0x00', 'deasserted', 'INF']);
    expect([dimm['hw.type'], dimm['hw.id'], dimm['event.code'], dimm['hw.fault.class']]).toEqual([
      'memory',
      'DIMM_B1',
      '0x0f/0x00',
      'failure',
    ]);
    expect([pcie['hw.type'], pcie['hw.fault.class'], pcie['bmc.sel.oem']]).toEqual([
      'pcie',
      'correctable',
      true,
    ]);
  });

  it('reads ipmitool rows without a direction column (ipmitool 1.8.11) as assertions, flagged inferred', () => {
    // Generated in ipmitool 1.8.11's `sel list` layout (no direction column): no licensed capture exists.
    const text = [
      '  38 | 04/17/2024 | 14:41:32 | Voltage #0xdd | Lower Non-critical going low ',
      '  58 | 05/05/2024 | 22:31:19 | Version Change #0x12 | ',
      '   7 | 03/02/2024 | 19:04:51 | Power Supply #0x50 | Config Error: Revision Mismatch | Deasserted',
      'ipmitool version 1.8.11',
    ].join('\n');
    const run = runSel(text);
    expect(run.rejected).toEqual([]);
    expect(run.skipped.banner).toBe(1);
    const [volt, version, cfg] = run.events as [FaultEvent, FaultEvent, FaultEvent];
    expect([volt['event.code'], volt['bmc.sel.event_direction_inferred'], volt['hw.id']]).toEqual([
      '0x02/0x01/0x00',
      true,
      'Voltage_0xdd',
    ]);
    expect(version['hw.type']).toBe('firmware');
    expect([cfg['event.code'], cfg['hw.fault.class']]).toEqual(['0x08/0x06', 'recovered']);
  });

  it('reads memory ECC events and finds the DIMM however the BMC spells it', () => {
    // Real `ipmitool sel list|elist` lines quoted in public issues: nerc-project/operations#1016 (pipes inside
    // the OEM detail, 12-hour clock), ipmitool/ipmitool#385 (1.8.19: two-digit year and zone), a Supermicro
    // "@DIMMO6(CPU1)" entry, and a "Bank 2DIMM A" iDRAC detail.
    const text = [
      '  34 | 02/25/2025 | 04:50:09 PM EST | Memory #0x02 | Uncorrectable ECC (UnCorrectable ECC |  DIMMD7) | Asserted',
      '  3a | 12/14/22 | 23:09:44 CET | Memory #0x88 | Correctable ECC (CPU0_G1) | Asserted',
      '  53 | 12/11/2018 | 13:00:00 | Memory #0x08 | Correctable ECC (@DIMMO6(CPU1)) | Asserted',
      '  63 | 12/29/2014 | 14:29:00 | Memory #0x01 | Correctable ECC (Correctable ECC | Bank 2DIMM A) | Asserted',
      '  64 | 12/29/2014 | 14:29:00 | Memory CPU0_DIMM_C1 | Correctable ECC logging limit reached | Asserted',
    ].join('\n');
    const events = runSel(text).events;
    expect(events.map((e) => [e['hw.type'], e['hw.id'], e['hw.fault.class'], e['event.code']])).toEqual([
      ['memory', 'DIMM_D7', 'uncorrectable', '0x0c/0x01'],
      ['memory', 'CPU0_DIMM_G1', 'correctable', '0x0c/0x00'],
      ['memory', 'CPU1_DIMM_O6', 'correctable', '0x0c/0x00'],
      ['memory', 'DIMM_A', 'correctable', '0x0c/0x00'],
      ['memory', 'CPU0_DIMM_C1', 'predictive', '0x0c/0x05'],
    ]);
    expect(events[0]!['@timestamp']).toBe('2025-02-25T21:50:09.000Z');
    expect(events[0]!['bmc.sel.timezone']).toBe('EST');
    expect(events[1]!['@timestamp']).toBe('2022-12-14T22:09:44.000Z');
    expect(events[0]!['event.severity']).toBe(2);
    expect(events[1]!['event.severity']).toBe(4);
  });

  it('reads elist readings, IERR detail, drive faults, kernel panics and untimed OEM records', () => {
    // Lines from the fixture set of nguyenquocanhz/diagward (testdata/sel_recent_faults.txt; vectordotdev/vector#1624).
    const text = [
      '  2e | 09/28/2026 | 10:08:38 | Fan FAN3 | Lower Critical going low  | Asserted | Reading 0 < Threshold 300 RPM',
      '  2f | 09/28/2026 | 10:09:38 | Fan FAN3 | Lower Critical going low  | Deasserted | Reading 3000 > Threshold 300 RPM',
      '  31 | 09/30/2026 | 16:39:09 | Processor #0x09 | IERR (CPU 2 | APIC ID 35 ) | Asserted',
      '   4 | 06/18/2017 | 07:42:09 | Drive Slot HDD Status | Drive Fault () | Asserted',
      '  35 | Linux kernel panic: Fatal excep',
      '  36 | 10/01/2026 | 08:10:00 | OEM record c1 | 000000 | 0102030405060708',
      '  37 | OEM record e0 | 00112233445566778899aabbcc',
    ].join('\n');
    const run = runSel(text, { receivedAt: '2026-10-01T09:00:00Z' });
    expect(run.rejected).toEqual([]);
    const [fan, fanOk, ierr, drive, panic, oemTs, oemNoTs] = run.events as FaultEvent[] as [
      FaultEvent,
      FaultEvent,
      FaultEvent,
      FaultEvent,
      FaultEvent,
      FaultEvent,
      FaultEvent,
    ];
    expect([
      fan['hw.id'],
      fan['hw.fault.class'],
      fan['bmc.sel.reading'],
      fan['bmc.sel.threshold'],
      fan['bmc.sel.unit'],
    ]).toEqual(['FAN3', 'failure', 0, 300, 'RPM']);
    expect(fanOk['hw.fault.class']).toBe('recovered');
    expect([ierr['hw.type'], ierr['hw.id'], ierr['bmc.sel.event_detail']]).toEqual([
      'cpu',
      'CPU2',
      'CPU 2 | APIC ID 35',
    ]);
    expect([drive['hw.type'], drive['hw.fault.class'], drive['event.code'], drive['hw.id']]).toEqual([
      'physical_disk',
      'failure',
      '0x0d/0x01',
      'HDD_Status',
    ]);
    expect([panic['hw.type'], panic['hw.fault.class'], panic['event.code'], panic['bmc.sel.panic']]).toEqual([
      'system',
      'failure',
      'oem/0xf0',
      'Fatal excep',
    ]);
    expect(panic['@timestamp']).toBe('2026-10-01T09:00:00.000Z');
    expect(panic['bmc.sel.untimed']).toBe(true);
    expect([oemTs['bmc.sel.oem'], oemTs['event.code'], oemTs['@timestamp']]).toEqual([
      true,
      'oem/0xc1',
      '2026-10-01T08:10:00.000Z',
    ]);
    expect([oemNoTs['bmc.sel.oem'], oemNoTs['event.code'], oemNoTs['bmc.sel.oem_data']]).toEqual([
      true,
      'oem/0xe0',
      '00112233445566778899aabbcc',
    ]);
  });

  it('reads an `ipmitool sel elist -v` block as one record', () => {
    // `ipmitool sel elist -v` output quoted in moxspec/moxspec-ocpsel README.md (OCP server, 2019).
    const text = [
      'SEL Record ID          : 00a1',
      ' Record Type           : 02',
      ' Timestamp             : 08/08/2019 10:37:17',
      ' Generator ID          : 0001',
      ' EvM Revision          : 04',
      ' Sensor Type           : Processor',
      ' Sensor Number         : 40',
      ' Event Type            : Sensor-specific Discrete',
      ' Event Direction       : Assertion Event',
      ' Event Data            : ab0700',
      ' Description           : Uncorrectable machine check exception',
      '',
    ].join('\n');
    const run = runSel(text);
    expect(run.frames).toHaveLength(1);
    const e = run.events[0]!;
    expect([e['hw.type'], e['hw.fault.class'], e['event.code'], e['event.severity']]).toEqual([
      'cpu',
      'uncorrectable',
      '0x07/0x0b',
      2,
    ]);
    expect([
      e['bmc.sel.record_id'],
      e['bmc.sel.generator'],
      e['bmc.sel.event_data'],
      e['bmc.sel.sensor_number'],
    ]).toEqual(['00a1', '0001', 'ab0700', '0x40']);
    expect(e['@timestamp']).toBe('2019-08-08T10:37:17.000Z');
    expect(e['bmc.sel.format']).toBe('ipmitool-verbose');
  });

  it('folds the SDR block `ipmitool sel get` prints after the record into the record', () => {
    // Shape of `ipmitool sel get` (lib/ipmi_sel.c ipmi_sel_print_extended_entry_verbose followed by the
    // sensor's SDR); values as in a Processor thermal-trip capture posted with its raw Add SEL command.
    const text = [
      'SEL Record ID          : 0018',
      ' Record Type           : 02',
      ' Timestamp             : 01/03/2011 00:29:14',
      ' Generator ID          : 0020',
      ' EvM Revision          : 04',
      ' Sensor Type           : Processor',
      ' Sensor Number         : 70',
      ' Event Type            : Sensor-specific Discrete',
      ' Event Direction       : Assertion Event',
      ' Event Data (RAW)      : 010000',
      ' Event Interpretation  : Missing',
      ' Description           : Thermal Trip',
      '',
      'Sensor ID              : CPU0_Status (0x70)',
      ' Entity ID             : 3.5',
      ' Sensor Type (Discrete): Processor',
      ' States Asserted       : Processor',
      '                         [Presence detected]',
      '',
      'SEL Record ID          : 0146',
      ' Record Type           : 02',
      ' Timestamp             : 03/27/2024 12:48:44',
      ' Generator ID          : 0020',
      ' EvM Revision          : 04',
      ' Sensor Type           : Memory',
      ' Sensor Number         : eb',
      ' Event Type            : Generic Discrete',
      ' Event Direction       : Assertion Event',
      ' Event Data (RAW)      : 063000',
      ' Description           : Transition to Non-recoverable',
      '',
      'Sensor ID              : RAS_MEMORY (0xeb)',
      'Entity ID              : 0.0 (Unspecified)',
      'Sensor Type            : Memory (0x0c)',
    ].join('\n');
    const run = runSel(text);
    expect(run.frames.map((f) => f.line)).toEqual([1, 20]);
    expect(run.rejected).toEqual([]);
    const [trip, ras] = run.events as [FaultEvent, FaultEvent];
    expect([
      trip['hw.type'],
      trip['hw.id'],
      trip['hw.name'],
      trip['event.code'],
      trip['hw.fault.class'],
      trip['event.severity'],
    ]).toEqual(['cpu', 'CPU0', 'CPU0_Status', '0x07/0x01', 'failure', 1]);
    expect([ras['hw.type'], ras['event.code'], ras['hw.fault.class'], ras['hw.id']]).toEqual([
      'memory',
      '0x0c/0x07/0x06',
      'failure',
      'RAS_MEMORY',
    ]);
  });

  it('takes the host from a pdsh/FreeIPMI hostrange prefix, else from the transport', () => {
    const text = [
      '[hn002]: 1 | 06/16/2025 | 13:31:32 | Event Logging Disabled #0xe1 | Log area reset/cleared | Asserted',
      '   1 | 06/16/2025 | 13:31:32 | Event Logging Disabled #0xe1 | Log area reset/cleared | Asserted',
    ].join('\n');
    const [prefixed, plain] = runSel(text, { host: 'bmc-kafka-key' }).events as [FaultEvent, FaultEvent];
    expect(prefixed['host.name']).toBe('hn002');
    expect(plain['host.name']).toBe('bmc-kafka-key');
    expect(prefixed['event.code']).toBe('0x10/0x02');
  });

  it('rejects, with a reason, rows it recognises but cannot read', () => {
    const cases: [string, RegExp][] = [
      ['   1 | 13/45/2019 | 10:00:00 | Memory #0x01 | Correctable ECC | Asserted', /unreadable SEL date/],
      ['   1 | 01/01/2019 | 10:00:00 | Memory #0x01 | Correctable ECC | Maybe', /Asserted\/Deasserted/],
      ['SEL Record ID          : zz', /SEL Record ID/],
      ['hello world', /not a SEL record/],
    ];
    for (const [line, reason] of cases) {
      const r = ipmiSelSource.decode(line, { line: 1 });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    }
  });

  it('is registered under its id and dataset', () => {
    expect(getSource('ipmi-sel')).toMatchObject({ id: 'ipmi-sel', createFramer: ipmiSelSource.createFramer });
    expect(ipmiSelSource.dataset).toBe('bmc.sel');
  });
});
