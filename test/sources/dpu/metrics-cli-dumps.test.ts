import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../../src/model/event.js';
import { frameText } from '../../../src/sources/framing.js';
import { getSource } from '../../../src/sources/registry.js';
import type { DecodeContext } from '../../../src/sources/types.js';
import { decodeText } from '../../helpers/decode-text.js';
import { resultProblem } from '../../helpers/decoder-properties.js';
import { readFixture } from '../../helpers/fixtures.js';

const source = getSource('dpu-metrics')!;
const ctx: DecodeContext = { host: 'cmp-3', receivedAt: '2026-01-10T08:00:00.000Z' };
const counters = (...path: string[]) => readFixture('dpu', 'counters', ...path);

/** `interface/name` → value of every decoded sample, and the formats seen. */
function run(text: string) {
  const out = decodeText(source, text, ctx);
  const values: Record<string, number | undefined> = {};
  for (const e of out.events)
    values[`${e['interface.name'] ?? '-'}/${e['dpu.metric.name']}`] = e['dpu.metric.value'] as number;
  const formats = new Set(out.events.map((e) => e['dpu.metric.format']));
  return { ...out, values, formats };
}

const byName = (events: FaultEvent[], port: string, name: string) =>
  events.find((e) => e['interface.name'] === port && e['dpu.metric.name'] === name);

describe('dpu-metrics: shell dumps operators collect', () => {
  it('ip -s -s link: Linux documentation example (real), one sample per counter of the interface', () => {
    const r = run(counters('linux_docs', 'statistics_rst_ip_ethtool.txt'));
    expect(r.rejected).toEqual([]);
    expect(r.formats).toEqual(new Set(['ip-link', 'ethtool']));
    expect(r.values['ens4u1u1/rx_bytes']).toBe(74327665117);
    expect(r.values['ens4u1u1/rx_missed_errors']).toBe(0);
    expect(r.values['ens4u1u1/carrier_changes']).toBe(128);
    expect(r.values['ens4u1u1/tx_single_collisions']).toBe(0);
    const rxBytes = byName(r.events, 'ens4u1u1', 'rx_bytes')!;
    expect([rxBytes['network.direction'], rxBytes['network.bytes'], rxBytes['dpu.metric.type']]).toEqual([
      'ingress',
      74327665117,
      'counter',
    ]);
  });

  it('ip -s -s link: iproute2 6 right-aligned columns, several interfaces, VF with @parent', () => {
    // Generated in iproute2 6.x's layout (test/fixtures/dpu/counters/PROVENANCE.md).
    const r = run(counters('generated', 'ip_-s_-s_link_iproute2-6.txt'));
    expect(r.rejected).toEqual([]);
    expect(r.frames).toBe(2);
    expect([r.values['ens2f0np0/rx_missed_errors'], r.values['ens2f0np0/tx_heartbeat_errors']]).toEqual([
      318, 0,
    ]);
    expect(r.values['ens2f0v0/rx_packets']).toBe(7012);
  });

  it('ip -j -s -s link: the JSON form gives the same names as the text form', () => {
    // Generated in iproute2's JSON layout (PROVENANCE.md).
    const r = run(counters('generated', 'ip_-j_-s_-s_link.json'));
    expect(r.rejected).toEqual([]);
    expect([
      r.values['ens2f0np0/rx_missed_errors'],
      r.values['ens2f0np0/carrier_changes'],
      r.values['lo/rx_bytes'],
    ]).toEqual([318, 4, 370653600]);
    const text = run(counters('generated', 'ip_-s_-s_link_iproute2-6.txt'));
    for (const name of ['rx_bytes', 'rx_missed_errors', 'multicast', 'tx_packets', 'carrier_changes']) {
      expect(r.values[`ens2f0np0/${name}`], name).toBe(text.values[`ens2f0np0/${name}`]);
    }
  });

  it('ip -h human-readable values are refused with a reason, not read as numbers', () => {
    const r = run(
      '2: eth0: <UP> mtu 1500\n    RX: bytes  packets  errors  dropped overrun mcast\n    409M       1.07M    0       0       0       0',
    );
    expect(r.rejected[0]?.reason).toMatch(/human-readable/);
  });

  it('ethtool -S: node_exporter fixture (real e1000e dump), the interface from the command line', () => {
    const r = run(counters('node_exporter_fixtures', 'ethtool__eth0__statistics.txt'));
    expect(r.rejected).toEqual([]);
    expect(r.frames).toBe(1);
    expect([r.values['eth0/rx_missed'], r.values['eth0/port.rx_dropped']]).toEqual([401, 12028]);
  });

  it('ovs-appctl dpctl/show: OVS test-suite output (real) and -s per-port stats with lost upcalls', () => {
    const upstream = run(counters('ovs_upstream', 'dpctl_at_dpctl_show.txt'));
    expect(upstream.rejected).toEqual([]);
    expect(upstream.values['-/ovs_dp_lookups_lost']).toBe(0);
    // Generated in lib/dpctl.c's layout: lost upcalls, `?` for counters a vport lacks.
    const r = run(counters('generated', 'ovs-appctl_dpctl_show_-s.txt'));
    expect(r.rejected).toEqual([]);
    expect(r.values['-/ovs_dp_lookups_lost']).toBe(73);
    expect(r.values['ens1f0np0/rx_dropped']).toBe(1288);
    expect(r.values['ens1f0np0/tx_bytes']).toBe(902736451221);
    expect(r.values['ens1f0np0/upcall_errors']).toBe(73);
    expect(Object.keys(r.values).some((k) => k.startsWith('vxlan_sys_4789/'))).toBe(false);
    const lost = byName(r.events, undefined as unknown as string, 'ovs_dp_lookups_lost')!;
    expect(lost['dpu.ovs.datapath']).toBe('system@ovs-system');
    const ids = new Set(r.events.map((e) => e['event.id']));
    expect(ids.size).toBe(r.events.length);
  });

  it('dpctl/dump-flows: per-flow packets and bytes, offloaded or not (OVS tests and docs, real)', () => {
    const r = run(counters('ovs_upstream', 'dpif_netdev_at_dump_flows_offloaded.txt'));
    expect(r.rejected).toEqual([]);
    expect(r.events).toHaveLength(6);
    const [packets, bytes] = r.events;
    expect([packets!['interface.name'], packets!['dpu.metric.value'], packets!['dpu.metric.labels']]).toEqual(
      ['p1', 1, { offloaded: 'yes', dp: 'dummy' }],
    );
    expect(bytes!['dpu.ovs.flow.match']).toMatch(/^recirc_id\(0\),in_port\(p1\)/);
    expect(r.events[3]!['dpu.metric.value']).toBe(470);
  });

  it('ovs-vsctl list interface: statistics map, link_resets, one record per interface', () => {
    // Generated in the OVSDB Interface table layout (vswitchd/vswitch.xml statistics keys).
    const r = run(counters('generated', 'ovs-vsctl_list_interface.txt'));
    expect(r.rejected).toEqual([]);
    expect(r.frames).toBe(2);
    expect([r.values['pf0hpf/rx_missed_errors'], r.values['pf0hpf/link_resets']]).toEqual([318, 3]);
    expect(r.values['vhu3f1c2d7a-b4/ovs_tx_failure_drops']).toBe(41);
    expect(byName(r.events, 'pf0hpf', 'link_speed')!['dpu.metric.type']).toBe('gauge');
  });

  it('DPDK testpmd: forward stats from the testpmd guide (real) and NIC stats with RX-missed, RX-nombuf', () => {
    const guide = run(counters('dpdk_docs', 'testpmd_funcs_rst_show_fwd_stats.txt'));
    expect(guide.rejected).toEqual([]);
    expect(guide.values['port1/fwd_tx_dropped']).toBe(128);
    expect(guide.values['port0/fwd_stream_tx_dropped']).toBe(128);
    // Generated in app/test-pmd/config.c nic_stats_display's layout.
    const r = run(counters('generated', 'testpmd_show_port_stats_all.txt'));
    expect(r.rejected).toEqual([]);
    expect(r.frames).toBe(2);
    expect([r.values['port0/rx_missed'], r.values['port0/rx_nombuf'], r.values['port1/tx_bytes']]).toEqual([
      48213, 1177, 112401371280,
    ]);
    expect(byName(r.events, 'port0', 'rx_pps')!['dpu.metric.type']).toBe('gauge');
  });

  it('a testpmd block cut before its closing rule ends at the next block, not at the end of the input', () => {
    const nic = (port: number, rx: number) =>
      `  ######################## NIC statistics for port ${port}  ########################\n  RX-packets: ${rx} RX-missed: 0 RX-bytes: 300`;
    const r = run(`${nic(0, 5)}\n\n${nic(1, 7)}\n  ${'#'.repeat(76)}\nnode_x 5\n`);
    expect(r.rejected).toEqual([]);
    expect([r.values['port0/rx_packets'], r.values['port1/rx_packets'], r.values['-/node_x']]).toEqual([
      5, 7, 5,
    ]);
  });

  it('DPDK l2fwd: per-port blocks after the clear-screen escape; totals dropped on purpose', () => {
    // Generated in examples/l2fwd/main.c print_stats' layout.
    const r = run(counters('generated', 'l2fwd_print_stats.txt'));
    expect(r.rejected).toEqual([]);
    expect(r.values).toEqual({
      'port0/tx_packets': 48211983,
      'port0/rx_packets': 48212870,
      'port0/tx_dropped': 887,
      'port1/tx_packets': 48212870,
      'port1/rx_packets': 48211983,
      'port1/tx_dropped': 0,
    });
  });
});

describe('dpu-metrics shell dumps: properties', () => {
  const files = [
    ['linux_docs', 'statistics_rst_ip_ethtool.txt'],
    ['generated', 'ip_-s_-s_link_iproute2-6.txt'],
    ['generated', 'ip_-j_-s_-s_link.json'],
    ['node_exporter_fixtures', 'ethtool__eth0__statistics.txt'],
    ['generated', 'ovs-appctl_dpctl_show_-s.txt'],
    ['ovs_upstream', 'dpif_netdev_at_dump_flows_offloaded.txt'],
    ['generated', 'ovs-vsctl_list_interface.txt'],
    ['dpdk_docs', 'testpmd_funcs_rst_show_fwd_stats.txt'],
    ['generated', 'testpmd_show_port_stats_all.txt'],
    ['generated', 'l2fwd_print_stats.txt'],
  ];
  const records = files.flatMap((f) =>
    frameText(source.createFramer(), counters(...f)).map((x) => x.payload),
  );

  it('every prefix of every real or generated record, and records with a digit changed, decode or reject cleanly', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...records),
        fc.nat(),
        fc.constantFrom('', 'x', '?', '-1', '99999999999999999999', ' :'),
        (record, cut, tail) => {
          const text = record.slice(0, cut % (record.length + 1)) + tail;
          return resultProblem(source.decode(text, ctx), 'dpu.metrics') === undefined;
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('framing a whole dump loses no line: every non-blank line is in a record or counted as skipped', () => {
    for (const f of files) {
      const text = counters(...f);
      const framer = source.createFramer() as ReturnType<typeof source.createFramer> & {
        skipped: Record<string, number>;
      };
      const frames = frameText(framer, text);
      const inRecords = frames.reduce(
        (n, x) => n + x.payload.split('\n').filter((l) => l.trim() !== '').length,
        0,
      );
      const skipped = Object.values(framer.skipped).reduce((a, b) => a + b, 0);
      const nonBlank = text
        .split('\n')
        .filter((l) => l.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').trim() !== '').length;
      expect(inRecords + skipped, f.join('/')).toBe(nonBlank);
    }
  });
});
