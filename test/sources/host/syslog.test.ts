import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../../src/model/event.js';
import { frameText } from '../../../src/sources/framing.js';
import { syslogSource } from '../../../src/sources/host/syslog/index.js';
import type { DecodeContext } from '../../../src/sources/types.js';
import { decodeText as decodeWith } from '../../helpers/decode-text.js';
import { alwaysFieldsProblem, resultProblem } from '../../helpers/decoder-properties.js';
import { readFixture } from '../../helpers/fixtures.js';
import { readStructuredCsv } from './loghub-csv.js';

const decodeText = (text: string, ctx: DecodeContext = {}) => decodeWith(syslogSource, text, ctx);

function one(line: string, ctx: DecodeContext = {}): FaultEvent {
  const r = syslogSource.decode(line, ctx);
  if (!r.ok) throw new Error(`rejected: ${r.reason}`);
  expect(r.events).toHaveLength(1);
  return r.events[0]!;
}

function countBy(events: FaultEvent[], key: (e: FaultEvent) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) {
    const k = key(e);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

const hwKey = (e: FaultEvent): string | undefined =>
  e['hw.type'] === undefined ? undefined : `${e['hw.type']}/${e['hw.fault.class'] ?? '-'}`;

// Loghub's Linux sample is /var/log/messages of 2005 without a year: receive it at the end of 2005.
const END_OF_2005 = '2005-12-31T00:00:00.000Z';

describe('syslog source on the Loghub 2k samples (each decodes all 2,000 lines)', () => {
  it('HDFS_2k.log: yyMMdd HHmmss pid LEVEL component, checked against the structured CSV', () => {
    const { events, rejected, frames } = decodeText(readFixture('loghub', 'HDFS', 'HDFS_2k.log'), {
      host: 'hdfs-datanode',
      receivedAt: END_OF_2005,
    });
    expect(frames).toBe(2000);
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(2000);
    const rows = readStructuredCsv('HDFS');
    events.forEach((e, i) => {
      const row = rows[i]!;
      expect(e['process.pid']).toBe(Number(row.Pid));
      expect(e['log.level']).toBe(row.Level);
      expect(e['syslog.logger']).toBe(row.Component);
      expect(e.message.trim()).toBe(row.Content!.trim());
    });
    expect(events[0]).toMatchObject({
      '@timestamp': '2008-11-09T20:36:15.000Z',
      'host.name': 'hdfs-datanode',
      'syslog.layout': 'hdfs',
      'event.severity': 6,
    });
    // PROVENANCE.md: 1,920 INFO and 80 WARN lines.
    expect(countBy(events, (e) => String(e['event.severity']))).toEqual({ '6': 1920, '4': 80 });
    expect(events.every((e) => e['@timestamp'].startsWith('2008-11-'))).toBe(true);
    expect(events.filter((e) => e['hw.type'] !== undefined)).toHaveLength(0);
  });

  it('HPC_2k.log: id node component state epoch flag, with hardware states as hw.*', () => {
    const { events, rejected } = decodeText(readFixture('loghub', 'HPC', 'HPC_2k.log'));
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(2000);
    const rows = readStructuredCsv('HPC');
    events.forEach((e, i) => {
      const row = rows[i]!;
      expect(e['host.name']).toBe(row.Node);
      expect(e['@timestamp']).toBe(new Date(Number(row.Time) * 1000).toISOString());
      expect(e['syslog.hpc.component']).toBe(row.Component);
      expect(e['syslog.hpc.state']).toBe(row.State);
      expect(e.message.trim()).toBe(row.Content!.trim());
    });
    expect(countBy(events, hwKey)).toEqual({
      'physical_disk/failure': 1,
      'network/failure': 13,
      'power_supply/failure': 5,
      'temperature/predictive': 2,
    });
    const psu = events.find((e) => e['hw.type'] === 'power_supply')!;
    expect(psu).toMatchObject({ 'syslog.hpc.state': 'psu', 'event.severity': 3 });
    const niff = events.find((e) => e['syslog.hpc.state'] === 'net.niff.down')!;
    expect(niff).toMatchObject({ 'hw.type': 'network', 'hw.id': 'alt0' });
    const disk = events.find((e) => e['hw.type'] === 'physical_disk')!;
    expect(disk['hw.id']).toBe('SCSI-WWID:01000010:6005-08b4-0001-00c6-0006-3000-003d-0000');
    expect(events.find((e) => e['syslog.hpc.state'] === 'fdmn.panic')!['event.severity']).toBe(2);
  });

  it('Linux_2k.log: classic RFC 3164 without a year, year taken from the receive time', () => {
    const { events, rejected } = decodeText(readFixture('loghub', 'Linux', 'Linux_2k.log'), {
      receivedAt: END_OF_2005,
    });
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(2000);
    expect(events[0]).toMatchObject({
      '@timestamp': '2005-06-14T15:16:01.000Z',
      'host.name': 'combo',
      'process.name': 'sshd',
      'log.syslog.appname': 'sshd(pam_unix)',
      'process.pid': 19939,
      'syslog.layout': 'rfc3164',
    });
    expect(events.every((e) => e['@timestamp'].startsWith('2005-') && e['host.name'] === 'combo')).toBe(true);
    const rows = readStructuredCsv('Linux');
    const disagree = events.filter((e, i) => {
      const row = rows[i]!;
      const pid = e['process.pid'] === undefined ? '' : String(e['process.pid']);
      return (e['log.syslog.appname'] ?? e['process.name']) !== row.Component || pid !== row.PID;
    });
    // Loghub reads the one line "combo  -- root[2421]: ROOT LOGIN ON tty2" as program "-- root".
    expect(disagree.map((e) => e['event.original'])).toEqual([
      'Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2',
    ]);
    expect(countBy(events, (e) => e['process.name'])).toMatchObject({
      ftpd: 916,
      sshd: 677,
      su: 172,
      kernel: 76,
    });
    // "Intel machine check architecture supported." names no fault: no line here is a hardware error.
    expect(events.filter((e) => e['hw.type'] !== undefined)).toHaveLength(0);
  });

  it('Thunderbird_2k.log: alert tag, epoch, date, host, syslog time, source, tag', () => {
    const { events, rejected } = decodeText(readFixture('loghub', 'Thunderbird', 'Thunderbird_2k.log'));
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(2000);
    const rows = readStructuredCsv('Thunderbird');
    let tagDisagreements = 0;
    events.forEach((e, i) => {
      const row = rows[i]!;
      expect(e['host.name']).toBe(row.User);
      expect(e['@timestamp']).toBe(new Date(Number(row.Timestamp) * 1000).toISOString());
      expect(e['syslog.source']).toBe(row.Location);
      if ((e['log.syslog.appname'] ?? e['process.name']) !== row.Component) tagDisagreements++;
    });
    // Loghub also splits "scsi0 : LSI Logic MegaRAID driver" at " : "; syslog tags have no space.
    expect(tagDisagreements).toBe(9);
    expect(events[0]).toMatchObject({
      '@timestamp': '2005-11-09T20:01:01.000Z',
      'host.name': 'dn228',
      'process.name': 'crond',
      'process.pid': 2915,
      message: 'session closed for user root',
    });
    // All 2,000 lines carry the non-alert tag "-".
    expect(events.filter((e) => e['syslog.alert_tag'] !== undefined)).toHaveLength(0);
    expect(countBy(events, (e) => e['process.name'])).toMatchObject({ gmetad: 866, ntpd: 571 });
  });
});

describe('syslog source on kernel fixtures and real kernel lines', () => {
  it('kernel/mcelog_raw_inputs/xen: a Xen MCE line becomes a correctable CPU fault', () => {
    const { events, rejected } = decodeText(readFixture('kernel', 'mcelog_raw_inputs', 'xen'), {
      host: 'hv-07',
      receivedAt: '2024-03-01T10:00:00.000Z',
    });
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      'hw.type': 'cpu',
      'hw.id': 'CPU1',
      'hw.fault.class': 'correctable',
      'event.severity': 4,
      'host.name': 'hv-07',
      'syslog.time_source': 'received',
      '@timestamp': '2024-03-01T10:00:00.000Z',
    });
    expect(events[1]!['hw.type']).toBeUndefined();
  });

  it('kernel/linuxfabrik_dmesg/errors-blk-update-request-two.txt: dmesg -T disk errors', () => {
    const { events, rejected } = decodeText(
      readFixture('kernel', 'linuxfabrik_dmesg', 'errors-blk-update-request-two.txt'),
    );
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(2);
    for (const e of events) {
      expect(e).toMatchObject({
        '@timestamp': '2021-07-30T11:26:11.000Z',
        'syslog.layout': 'dmesg',
        'process.name': 'kernel',
        'hw.type': 'physical_disk',
        'hw.id': 'sda',
        'hw.fault.class': 'uncorrectable',
        'event.severity': 3,
      });
    }
  });

  it('kernel/linuxfabrik_dmesg/error-rcu-stall.txt: dmesg --reltime, level word, no component', () => {
    const { events, rejected } = decodeText(
      readFixture('kernel', 'linuxfabrik_dmesg', 'error-rcu-stall.txt'),
      {
        receivedAt: '2024-02-20T00:00:00.000Z',
      },
    );
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      '@timestamp': '2024-02-13T04:56:00.000Z',
      'log.level': 'INFO',
      'event.severity': 6,
      'syslog.layout': 'dmesg',
    });
    expect(events[0]!['hw.type']).toBeUndefined();
  });

  it('PCIe AER: corrected errors name the faulting function, fatal ones are uncorrectable', () => {
    // Real lines: linux-pci mailing list, Jan 2021, "AER: Corrected error received" on a Dell Latitude 5410.
    const reporter = one(
      'Jan  1 23:30:53 begin kernel: [   46.675818] pcieport 0000:00:1d.0: AER: Corrected error received: 0000:02:00.0',
      { receivedAt: '2021-01-02T00:00:00Z' },
    );
    expect(reporter).toMatchObject({
      '@timestamp': '2021-01-01T23:30:53.000Z',
      'host.name': 'begin',
      'process.name': 'kernel',
      'hw.type': 'pcie',
      'hw.id': '0000:02:00.0',
      'hw.fault.class': 'correctable',
      'syslog.aer.reporter': '0000:00:1d.0',
    });
    const bus = one(
      'Jan  1 23:30:53 begin kernel: [   46.675933] nvme 0000:02:00.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)',
      { receivedAt: '2021-01-02T00:00:00Z' },
    );
    expect(bus).toMatchObject({
      'hw.type': 'pcie',
      'hw.id': '0000:02:00.0',
      'hw.fault.class': 'correctable',
    });
    expect(bus['syslog.aer.type']).toBe('Physical Layer');
    // Real dmesg lines from a ROCm bug report and a linux-pci DPC thread.
    const fatal = one(
      '[  942.180230] pcieport 0000:00:1c.4: AER: Uncorrected (Fatal) error received: id=00e4',
    );
    expect(fatal).toMatchObject({
      'hw.id': '0000:00:1c.4',
      'hw.fault.class': 'uncorrectable',
      'event.severity': 2,
    });
    const dpc = one(
      '[256236.152634] pcieport 0000:89:02.0: AER: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, (Receiver ID)',
    );
    expect(dpc).toMatchObject({
      'hw.type': 'pcie',
      'hw.id': '0000:89:02.0',
      'hw.fault.class': 'uncorrectable',
    });
    expect(dpc['syslog.kernel_uptime_s']).toBe(256236.152634);
  });

  it('EDAC: CE/UE memory errors carry the DIMM as hw.id', () => {
    // The sb_edac line shape quoted in issue #4 (generated, with the kernel's edac_mc format).
    const ce = one(
      '<4>Mar  4 10:09:10 compute-12 kernel: EDAC MC0: 1 CE memory read error on CPU_SrcID#0_Ha#0_Chan#1_DIMM#0 (channel:1 slot:0 page:0x12345 offset:0x0 grain:32 syndrome:0x0 - area:DRAM err_code:0001:0091 socket:0 ha:0 channel_mask:2 rank:0)',
      { receivedAt: '2024-03-05T00:00:00Z' },
    );
    expect(ce).toMatchObject({
      'host.name': 'compute-12',
      'hw.type': 'memory',
      'hw.id': 'CPU_SrcID#0_Ha#0_Chan#1_DIMM#0',
      'hw.fault.class': 'correctable',
      'event.severity': 4,
      'syslog.edac.count': 1,
      'syslog.edac.channel': 1,
      'syslog.edac.slot': 0,
      'log.syslog.facility.name': 'kern',
    });
    const ue = one(
      'kernel: EDAC MC0: 1 UE memory read error on CPU_SrcID#0_Ha#0_Chan#1_DIMM#0 (channel:1 slot:0)',
    );
    expect(ue).toMatchObject({ 'hw.type': 'memory', 'hw.fault.class': 'uncorrectable', 'event.severity': 3 });
    // Real amd64_edac lines: s905060/site-reliability-engineer-handbook, "How to identify defective DIMM".
    const amd = decodeText(
      [
        'kernel: [Hardware Error]: MC4 Error (node 1): DRAM ECC error detected on the NB.',
        'kernel: EDAC MC1: CE page 0xf075b2, offset 0x410, grain 0, syndrome 0xa082, row 6, channel 0, label "": amd64_edac',
        'kernel: [Hardware Error]: CPU:6 (10:8:0) MC4_STATUS[-|CE|MiscV|-|AddrV|CECC]: 0x9c414000a0080813',
      ].join('\n'),
      { host: 'db-3' },
    ).events;
    // Family 10h bank 4 is the northbridge, where the DRAM controller reports: a memory error.
    expect(amd.map(hwKey)).toEqual(['memory/-', 'memory/correctable', 'memory/correctable']);
    expect(amd[1]!['hw.id']).toBe('MC1_csrow6_channel0');
    expect([amd[2]!['hw.id'], amd[2]!['syslog.mce.cpu'], amd[2]!['syslog.mce.bank']]).toEqual([
      undefined,
      6,
      4,
    ]);
  });

  it('machine checks: MCi_STATUS decides correctable vs uncorrectable; boot banners are not faults', () => {
    // Generated in the kernel's mce_print format: VAL|UC|EN|PCC set in be00…, VAL|OVER only in c80c….
    const fatal = one('mce: [Hardware Error]: CPU 2: Machine Check: 0 Bank 5: be00000000800400');
    expect(fatal).toMatchObject({
      'hw.type': 'cpu',
      'hw.id': 'CPU2',
      'hw.fault.class': 'uncorrectable',
      'event.severity': 2,
    });
    // MCACOD 0x0093 is a memory-controller read error (channel 3): the code, not the bank, decides.
    const corrected = one('[Hardware Error]: CPU 0: Machine Check: 0 Bank 11: c80c2d8300800093');
    expect(corrected).toMatchObject({
      'hw.type': 'memory',
      'hw.fault.class': 'correctable',
      'syslog.mce.bank': 11,
      'syslog.mce.cpu': 0,
    });
    const logged = one('[ 1561.272106] mce: [Hardware Error]: Machine check events logged');
    expect(logged['hw.type']).toBe('cpu');
    expect(logged['hw.fault.class']).toBeUndefined();
    const recovered = one('Memory failure: 0x124802: recovery action for dirty LRU page: Recovered');
    expect(recovered).toMatchObject({ 'hw.type': 'memory', 'hw.fault.class': 'recovered' });
    for (const banner of [
      'Jul 27 14:41:58 combo kernel: Intel machine check architecture supported.',
      'Jul 27 14:41:58 combo kernel: Intel machine check reporting enabled on CPU#0.',
    ]) {
      expect(one(banner, { receivedAt: END_OF_2005 })['hw.type']).toBeUndefined();
    }
  });
});

describe('syslog source on RFC 5424 and RFC 3164 lines', () => {
  it('RFC 5424 §6.5 examples: PRI, version, time with offset, nil fields, structured data, BOM', () => {
    const ex1 = one(
      "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8",
    );
    expect(ex1).toMatchObject({
      '@timestamp': '2003-10-11T22:14:15.003Z',
      'host.name': 'mymachine.example.com',
      'process.name': 'su',
      'event.severity': 2,
      'log.syslog.facility.code': 4,
      'log.syslog.facility.name': 'auth',
      'log.syslog.severity.name': 'critical',
      'log.syslog.msgid': 'ID47',
      'syslog.layout': 'rfc5424',
      message: "'su root' failed for lonvick on /dev/pts/8",
    });
    const ex2 = one(
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nothings.",
    );
    expect(ex2).toMatchObject({
      '@timestamp': '2003-08-24T12:14:15.000Z',
      'host.name': '192.0.2.1',
      'process.pid': 8710,
      'log.syslog.facility.name': 'local4',
      'event.severity': 5,
      message: "%% It's time to make the do-nothings.",
    });
    const ex4 = one(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
    );
    expect(ex4['log.syslog.structured_data']).toEqual({
      'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
      'examplePriority@32473': { class: 'high' },
    });
    expect(ex4.message).toBe('');
  });

  it('RFC 3164 §5.4 examples: with and without a tag, year inferred back across New Year', () => {
    const su = one("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", {
      receivedAt: '2022-01-05T00:00:00Z',
    });
    expect(su).toMatchObject({
      '@timestamp': '2021-10-11T22:14:15.000Z',
      'host.name': 'mymachine',
      'process.name': 'su',
      'event.severity': 2,
      'log.syslog.priority': 34,
    });
    const bfg = one('<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!', { receivedAt: '2022-03-01T00:00:00Z' });
    expect(bfg).toMatchObject({
      '@timestamp': '2022-02-05T17:32:18.000Z',
      'host.name': '10.0.0.99',
      message: 'Use the BFG!',
    });
    expect(bfg['process.name']).toBeUndefined();
    const odd = one(
      "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
      {
        receivedAt: '2022-03-01T00:00:00Z',
      },
    );
    expect(odd).toMatchObject({
      'event.severity': 0,
      'syslog.time_source': 'received',
      'syslog.layout': 'plain',
    });
  });

  it('ISO-timestamped lines: rsyslog high-precision syslog and application logs with a level', () => {
    const rs = one('2024-05-01T12:00:00.123456+02:00 compute-3 nova-compute[4242]: Instance spawned', {
      host: 'x',
    });
    expect(rs).toMatchObject({
      '@timestamp': '2024-05-01T10:00:00.123Z',
      'host.name': 'compute-3',
      'process.name': 'nova-compute',
      'process.pid': 4242,
    });
    const app = one('2024-05-01 12:00:00,123 ERROR Disk quota exceeded', { host: 'node-9' });
    expect(app).toMatchObject({
      'log.level': 'ERROR',
      'event.severity': 3,
      'host.name': 'node-9',
      message: 'Disk quota exceeded',
    });
  });
});

describe('syslog source: plain text, rejections and ids', () => {
  it('plain text without a timestamp is decoded at receive time on the transport host', () => {
    const e = one('something odd happened', { host: 'node-1', receivedAt: '2024-01-01T00:00:00.000Z' });
    expect(e).toMatchObject({
      '@timestamp': '2024-01-01T00:00:00.000Z',
      'host.name': 'node-1',
      'syslog.layout': 'plain',
      'syslog.time_source': 'received',
      'event.severity': 6,
      'event.original': 'something odd happened',
    });
  });

  it('rejects NUL bytes, lone surrogates, oversized and empty lines with a reason', () => {
    const nul = syslogSource.decode('abc\u0000def', { line: 7 });
    expect(nul).toEqual({
      ok: false,
      reason: 'line contains a NUL byte at column 4 (binary data, not text)',
    });
    expect(syslogSource.decode('bad \uD800 half', {})).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Unicode/),
    });
    expect(syslogSource.decode('x'.repeat(65 * 1024), {})).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/65536 bytes/),
    });
    expect(syslogSource.decode('é'.repeat(40 * 1024), {})).toMatchObject({ ok: false });
    expect(syslogSource.decode('   ', {})).toMatchObject({ ok: false });
    // The framer never hands an empty line over: it is not a record.
    expect(frameText(syslogSource.createFramer(), 'a\n\n   \nb\n').map((f) => f.line)).toEqual([1, 4]);
  });

  it('event ids are deterministic and separate repeated identical lines', () => {
    const line = 'Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown';
    const a = one(line, { receivedAt: END_OF_2005 });
    const b = one(line, { receivedAt: END_OF_2005 });
    const c = one(line, { receivedAt: END_OF_2005, occurrence: 1 });
    expect(a['event.id']).toBe(b['event.id']);
    expect(c['event.id']).not.toBe(a['event.id']);
  });
});

describe('syslog source properties', () => {
  const ctx: DecodeContext = { host: 'prop-host', receivedAt: '2024-06-01T00:00:00.000Z' };
  const samples = [
    '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 [a b="c\\]"] msg',
    'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure',
    '- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed',
    '134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change',
    '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1',
    '[  942.180230] pcieport 0000:00:1c.4: AER: Uncorrected (Fatal) error received: id=00e4',
    'kernel: EDAC MC0: 1 CE memory read error on CPU_SrcID#0_Ha#0_Chan#1_DIMM#0 (channel:1 slot:0)',
    'kernel: EDAC sbridge MC1: CPU 12: Machine Check Event: 0 Bank 7: 8c00004000010090',
    'Feb 29 12:00:00 node7 sshd[1]: session opened',
    // ras-mc-ctl rows (generated in rasdaemon's format, test/fixtures/kernel/PROVENANCE.md).
    ...readFixture('kernel', 'generated', 'ras-mc-ctl_errors_summary.txt')
      .split('\n')
      .filter((l) => /^\d|^\t/.test(l)),
  ];

  it('any string decodes to events with the always-fields or to a rejection, never a throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const problem = resultProblem(syslogSource.decode(s, ctx), 'host.syslog');
        return problem === undefined;
      }),
      { numRuns: 2000 },
    );
  });

  it('truncated and spliced real lines still decode', () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), fc.string({ maxLength: 20 }), (line, cut, tail) => {
        const r = syslogSource.decode(line.slice(0, cut % (line.length + 1)) + tail, ctx);
        if (resultProblem(r, 'host.syslog') !== undefined) return false;
        // Only blank results may be rejected: every other truncation is still text.
        return r.ok || (line.slice(0, cut % (line.length + 1)) + tail).trim() === '';
      }),
      { numRuns: 2000 },
    );
  });

  it('decoded fixture events pass the always-fields check', () => {
    const { events } = decodeText(readFixture('loghub', 'Linux', 'Linux_2k.log'), { host: 'h' });
    expect(events.map((e) => alwaysFieldsProblem(e, 'host.syslog')).filter(Boolean)).toEqual([]);
  });
});
