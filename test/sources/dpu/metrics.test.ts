import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../../src/model/event.js';
import { dpuMetricsSource } from '../../../src/sources/dpu/metrics/index.js';
import type { DecodeContext } from '../../../src/sources/types.js';
import { decodeText as decodeWith } from '../../helpers/decode-text.js';
import { resultProblem } from '../../helpers/decoder-properties.js';
import { readFixture } from '../../helpers/fixtures.js';

const decodeText = (text: string, ctx: DecodeContext = {}) => decodeWith(dpuMetricsSource, text, ctx);

const byName = (events: FaultEvent[], port: string, name: string) =>
  events.find((e) => e['interface.name'] === port && e['dpu.metric.name'] === name);

// prometheus/node_exporter collector/ethtool_linux_test.go (Apache-2.0): the exposition node_exporter
// renders from its fixture ethtool/eth0, the same file as our node_exporter_fixtures/ethtool__eth0__statistics.txt.
const NODE_EXPORTER_ETHTOOL = `# HELP node_ethtool_align_errors Network interface align_errors
# TYPE node_ethtool_align_errors untyped
node_ethtool_align_errors{device="eth0"} 0
# HELP node_ethtool_info A metric with a constant '1' value labeled by bus_info, device, driver, expansion_rom_version, firmware_version, version.
# TYPE node_ethtool_info gauge
node_ethtool_info{bus_info="0000:00:1f.6",device="eth0",driver="e1000e",expansion_rom_version="",firmware_version="0.5-4",version="5.11.0-22-generic"} 1
# HELP node_ethtool_port_received_dropped Network interface port_rx_dropped
# TYPE node_ethtool_port_received_dropped untyped
node_ethtool_port_received_dropped{device="eth0"} 12028
# HELP node_ethtool_received_broadcast Network interface rx_broadcast
# TYPE node_ethtool_received_broadcast untyped
node_ethtool_received_broadcast{device="eth0"} 5792
# HELP node_ethtool_received_errors_total Number of received frames with errors
# TYPE node_ethtool_received_errors_total untyped
node_ethtool_received_errors_total{device="eth0"} 0
# HELP node_ethtool_received_missed Network interface rx_missed
# TYPE node_ethtool_received_missed untyped
node_ethtool_received_missed{device="eth0"} 401
# HELP node_ethtool_received_multicast Network interface rx_multicast
# TYPE node_ethtool_received_multicast untyped
node_ethtool_received_multicast{device="eth0"} 23973
# HELP node_ethtool_received_packets_total Network interface packets received
# TYPE node_ethtool_received_packets_total untyped
node_ethtool_received_packets_total{device="eth0"} 1.260062e+06
# HELP node_ethtool_received_unicast Network interface rx_unicast
# TYPE node_ethtool_received_unicast untyped
node_ethtool_received_unicast{device="eth0"} 1.230297e+06
# HELP node_ethtool_transmitted_aborted Network interface tx_aborted
# TYPE node_ethtool_transmitted_aborted untyped
node_ethtool_transmitted_aborted{device="eth0"} 0
# HELP node_ethtool_transmitted_errors_total Number of sent frames with errors
# TYPE node_ethtool_transmitted_errors_total untyped
node_ethtool_transmitted_errors_total{device="eth0"} 0
# HELP node_ethtool_transmitted_multi_collisions Network interface tx_multi_collisions
# TYPE node_ethtool_transmitted_multi_collisions untyped
node_ethtool_transmitted_multi_collisions{device="eth0"} 0
# HELP node_ethtool_transmitted_packets_total Network interface packets sent
# TYPE node_ethtool_transmitted_packets_total untyped
node_ethtool_transmitted_packets_total{device="eth0"} 961500
# HELP node_ethtool_transmitted_single_collisions Network interface tx_single_collisions
# TYPE node_ethtool_transmitted_single_collisions untyped
node_ethtool_transmitted_single_collisions{device="eth0"} 0
# HELP node_ethtool_transmitted_underrun Network interface tx_underrun
# TYPE node_ethtool_transmitted_underrun untyped
node_ethtool_transmitted_underrun{device="eth0"} 0
# HELP node_network_advertised_speed_bytes Combination of speeds and features offered by network device
# TYPE node_network_advertised_speed_bytes gauge
node_network_advertised_speed_bytes{device="eth0",duplex="full",mode="1000baseT"} 1.25e+08
`;

describe('dpu-metrics: Prometheus text exposition', () => {
  it('node_exporter ethtool exposition: one event per sample, values equal to the raw ethtool -S fixture', () => {
    const { events, decoded, rejected } = decodeText(NODE_EXPORTER_ETHTOOL, {
      host: 'compute-5',
      receivedAt: '2024-05-01T00:00:00.000Z',
    });
    expect(rejected).toEqual([]);
    expect(decoded).toHaveLength(16);
    expect(events).toHaveLength(16);
    // The raw `ethtool -S eth0` fixture the exposition was rendered from.
    const raw = Object.fromEntries(
      readFixture('dpu', 'counters', 'node_exporter_fixtures', 'ethtool__eth0__statistics.txt')
        .split('\n')
        .map((l) => /^\s+([\w. ]+): (\d+)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, Number(m[2])]),
    );
    const pairs: [string, string][] = [
      ['node_ethtool_received_missed', 'rx_missed'],
      ['node_ethtool_port_received_dropped', 'port.rx_dropped'],
      ['node_ethtool_received_packets_total', 'rx_packets'],
      ['node_ethtool_transmitted_packets_total', 'tx_packets'],
      ['node_ethtool_received_unicast', 'rx_unicast'],
      ['node_ethtool_received_multicast', 'rx_multicast'],
    ];
    for (const [metric, stat] of pairs) {
      expect(byName(events, 'eth0', metric)?.['dpu.metric.value'], metric).toBe(raw[stat]);
    }
    for (const e of events) {
      expect(e).toMatchObject({
        'event.kind': 'metric',
        'event.dataset': 'dpu.metrics',
        'observer.type': 'dpu',
        'host.name': 'compute-5',
        '@timestamp': '2024-05-01T00:00:00.000Z',
      });
    }
    const rxPackets = byName(events, 'eth0', 'node_ethtool_received_packets_total')!;
    expect(rxPackets).toMatchObject({
      'dpu.metric.type': 'counter',
      'network.packets': 1260062,
      'network.direction': 'ingress',
      'dpu.metric.labels': { device: 'eth0' },
    });
    expect(byName(events, 'eth0', 'node_ethtool_transmitted_packets_total')).toMatchObject({
      'network.packets': 961500,
      'network.direction': 'egress',
    });
    // Declared untyped and without _total: not guessed to be a counter.
    expect(byName(events, 'eth0', 'node_ethtool_received_missed')!['dpu.metric.type']).toBe('untyped');
    const speed = byName(events, 'eth0', 'node_network_advertised_speed_bytes')!;
    expect(speed).toMatchObject({ 'dpu.metric.type': 'gauge', 'dpu.metric.value': 125000000 });
    expect(speed['network.bytes']).toBeUndefined();
    // The record keeps its TYPE line, so it is valid exposition on its own.
    expect(rxPackets['event.original']).toBe(
      '# TYPE node_ethtool_received_packets_total untyped\nnode_ethtool_received_packets_total{device="eth0"} 1.260062e+06',
    );
  });

  it('netdev counters with labels naming the host and DPU, sample timestamps, and summaries', () => {
    // Generated: node_exporter netdev naming, with the labels a DPU scrape config adds.
    const text = [
      '# TYPE node_network_receive_bytes_total counter',
      'node_network_receive_bytes_total{device="p0",dpu="bf3-a",instance="compute-17:9100"} 2.865461055e+09 1714564800000',
      'node_network_transmit_bytes_total{device="p0",dpu="bf3-a",instance="compute-17:9100"} 118303491',
      '# TYPE node_network_receive_drop_total counter',
      'node_network_receive_drop_total{device="pf0hpf",dpu="bf3-a",host="compute-17"} 41921',
      '# TYPE rpc_latency_seconds summary',
      'rpc_latency_seconds{quantile="0.99"} +Inf',
      'rpc_latency_seconds_count 17',
      '# EOF',
    ].join('\n');
    const { events, rejected } = decodeText(text, {
      host: 'transport-host',
      receivedAt: '2024-05-01T12:00:05Z',
    });
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(5);
    expect(events[0]).toMatchObject({
      '@timestamp': '2024-05-01T12:00:00.000Z',
      'host.name': 'compute-17',
      'observer.name': 'bf3-a',
      'interface.name': 'p0',
      'network.bytes': 2865461055,
      'network.direction': 'ingress',
      'dpu.metric.type': 'counter',
    });
    // No TYPE line for the transmit family in the input: the _total suffix makes it a counter.
    expect(events[1]).toMatchObject({
      '@timestamp': '2024-05-01T12:00:05.000Z',
      'network.bytes': 118303491,
      'dpu.metric.type': 'counter',
    });
    expect(events[2]).toMatchObject({
      'interface.name': 'pf0hpf',
      'host.name': 'compute-17',
      'dpu.metric.value': 41921,
    });
    expect(events[2]!['network.bytes']).toBeUndefined();
    expect(events[3]).toMatchObject({ 'dpu.metric.type': 'gauge', 'dpu.metric.non_finite': '+Inf' });
    expect(events[3]!['dpu.metric.value']).toBeUndefined();
    expect(events[4]).toMatchObject({
      'dpu.metric.type': 'counter',
      'dpu.metric.value': 17,
      'host.name': 'transport-host',
    });
  });

  it('rejects what is not a sample, with the reason', () => {
    expect(dpuMetricsSource.decode('node_x{device="eth0} 1', {})).toEqual({
      ok: false,
      reason: 'unterminated label value',
    });
    expect(dpuMetricsSource.decode('node_x{device=eth0} 1', {})).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/malformed label/),
    });
    expect(dpuMetricsSource.decode('node_x 12abc', {})).toEqual({
      ok: false,
      reason: 'value "12abc" is not a number',
    });
    expect(dpuMetricsSource.decode('node_x', {})).toEqual({ ok: false, reason: 'no value after node_x' });
    expect(dpuMetricsSource.decode('# HELP node_x help', {})).toMatchObject({ ok: false });
  });
});

describe('dpu-metrics: ovs-ofctl dump-ports', () => {
  it('dpu/counters/ovs-issues156_ofctl_dump-ports_dpdk.txt: 4 port blocks decoded, the ovs-vsctl show lines rejected', () => {
    const { events, decoded, rejected } = decodeText(
      readFixture('dpu', 'counters', 'ovs-issues156_ofctl_dump-ports_dpdk.txt'),
      {
        host: 'ovs-dpdk-1',
        receivedAt: '2018-08-10T06:00:00Z',
      },
    );
    expect(decoded).toHaveLength(4);
    // Lines 2–17 are `ovs-vsctl show` output pasted above the counters: not counter samples.
    expect(rejected.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(new Set(rejected.map((r) => r.reason))).toEqual(
      new Set(['not a Prometheus sample: no metric name']),
    );
    expect([...new Set(events.map((e) => e['interface.name']))]).toEqual([
      'LOCAL',
      'dpdk1',
      'sytest',
      'dpdkvhostuser0',
    ]);
    expect(byName(events, 'dpdk1', 'rx_bytes')).toMatchObject({
      'dpu.metric.value': 60991825,
      'dpu.metric.type': 'counter',
      'dpu.metric.format': 'ovs-dump-ports',
      'network.bytes': 60991825,
      'network.direction': 'ingress',
      'host.name': 'ovs-dpdk-1',
      '@timestamp': '2018-08-10T06:00:00.000Z',
    });
    expect(byName(events, 'dpdk1', 'rx_packets')!['network.packets']).toBe(133059);
    expect(byName(events, 'sytest', 'tx_bytes')!['dpu.metric.value']).toBe(210);
    // "?" marks a counter the DPDK datapath does not keep: absent, not zero.
    expect(byName(events, 'dpdk1', 'rx_crc_err')).toBeUndefined();
    expect(byName(events, 'LOCAL', 'rx_crc_err')!['dpu.metric.value']).toBe(0);
    expect(byName(events, 'dpdkvhostuser0', 'tx_errors')).toBeUndefined();
    expect(events).toHaveLength(12 + 8 + 12 + 7);
    expect(new Set(events.map((e) => e['event.id'])).size).toBe(events.length);
  });

  it('dpu/counters/go-openvswitch_pr66_dump-ports_custom_stats.txt: OpenFlow 1.4 custom statistics', () => {
    const { events, decoded, rejected } = decodeText(
      readFixture('dpu', 'counters', 'go-openvswitch_pr66_dump-ports_custom_stats.txt'),
      { host: 'lb-2' },
    );
    expect(rejected).toEqual([]);
    expect(decoded).toHaveLength(1);
    expect(events.map((e) => e['dpu.metric.name'])).toEqual([
      'rx_packets',
      'rx_bytes',
      'tx_packets',
      'tx_bytes',
      'rx_custom_packets_1',
      'rx_custom_packets_2',
    ]);
    for (const e of events)
      expect(e).toMatchObject({
        'interface.name': 'bond0',
        'dpu.ovs.duration_s': 14.939,
        'dpu.metric.value': 0,
      });
  });
});

describe('dpu-metrics: JSON lines', () => {
  it('one event per counter and gauge, tagged with host, DPU and port', () => {
    const line = JSON.stringify({
      timestamp: '2024-05-01T12:00:00Z',
      host: 'compute-17',
      dpu: 'bf3-0',
      port: 'p0',
      counters: { rx_bytes: 918273645, rx_packets: 712345, rx_dropped: 12, tx_bytes: '18446744073709551000' },
      gauges: { temperature_c: 61 },
      labels: { pf: 0 },
    });
    const { events, rejected } = decodeText(line, { host: 'ignored' });
    expect(rejected).toEqual([]);
    expect(events.map((e) => [e['dpu.metric.name'], e['dpu.metric.type']])).toEqual([
      ['rx_bytes', 'counter'],
      ['rx_packets', 'counter'],
      ['rx_dropped', 'counter'],
      ['tx_bytes', 'counter'],
      ['temperature_c', 'gauge'],
    ]);
    for (const e of events) {
      expect(e).toMatchObject({
        '@timestamp': '2024-05-01T12:00:00.000Z',
        'host.name': 'compute-17',
        'observer.name': 'bf3-0',
        'observer.type': 'dpu',
        'interface.name': 'p0',
        'dpu.metric.labels': { pf: '0' },
        'event.original': line,
      });
    }
    expect(events[0]!['network.bytes']).toBe(918273645);
    // uint64 counters past 2^53 arrive as strings and are kept as the nearest double.
    expect(events[3]!['network.bytes']).toBe(Number('18446744073709551000'));
    expect(new Set(events.map((e) => e['event.id'])).size).toBe(5);
  });

  it('numeric timestamps in s, ms and ns are told apart; the receive time fills in', () => {
    const at = (timestamp: unknown) =>
      (
        dpuMetricsSource.decode(JSON.stringify({ timestamp, port: 'p1', counters: { rx_bytes: 1 } }), {
          receivedAt: '2030-01-01T00:00:00Z',
        }) as {
          events: FaultEvent[];
        }
      ).events[0]!['@timestamp'];
    expect(at(1714564800)).toBe('2024-05-01T12:00:00.000Z');
    expect(at(1714564800123)).toBe('2024-05-01T12:00:00.123Z');
    const ns = dpuMetricsSource.decode('{"timestamp":1714564800123456789,"counters":{"rx_bytes":1}}', {});
    expect(ns).toMatchObject({ ok: true, events: [{ '@timestamp': '2024-05-01T12:00:00.123Z' }] });
    expect(at(undefined)).toBe('2030-01-01T00:00:00.000Z');
  });

  it('rejects schema violations with the JSON path of the culprit', () => {
    const reject = (doc: unknown) => dpuMetricsSource.decode(JSON.stringify(doc), {});
    expect(reject({ counters: { rx_bytes: -1 } })).toEqual({
      ok: false,
      reason: 'counter rx_bytes is negative',
      path: '$.counters.rx_bytes',
    });
    expect(reject({ counters: { rx_bytes: 'lots' } })).toMatchObject({
      ok: false,
      path: '$.counters.rx_bytes',
    });
    expect(reject({ counters: [1, 2] })).toMatchObject({ ok: false, path: '$.counters' });
    expect(reject({ port: 'p0' })).toEqual({
      ok: false,
      reason: 'no counters or gauges in the record',
      path: '$',
    });
    expect(reject({ timestamp: 'yesterday', counters: { a: 1 } })).toMatchObject({
      ok: false,
      path: '$.timestamp',
    });
    expect(reject({ labels: { a: { b: 1 } }, counters: { a: 1 } })).toMatchObject({
      ok: false,
      path: '$.labels.a',
    });
    expect(dpuMetricsSource.decode('{"counters": {', {})).toMatchObject({
      ok: false,
      path: '$',
      reason: expect.stringMatching(/^invalid JSON/),
    });
  });
});

describe('dpu-metrics properties', () => {
  const ctx: DecodeContext = { host: 'prop-host', receivedAt: '2024-06-01T00:00:00.000Z' };
  const lines = NODE_EXPORTER_ETHTOOL.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

  it('random text, truncated samples and truncated dump-ports blocks never throw', () => {
    const block = readFixture('dpu', 'counters', 'ovs-issues156_ofctl_dump-ports_dpdk.txt').split(
      'OFPST_PORT',
    )[1]!;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.tuple(fc.constantFrom(...lines), fc.nat()).map(([l, n]) => l.slice(0, n % (l.length + 1))),
          fc.nat(block.length).map((n) => `  port ${block.slice(block.indexOf('port') + 5, n)}`),
          fc.string({ maxLength: 40 }).map((s) => `# TYPE x counter\n${s}`),
        ),
        (s) => resultProblem(dpuMetricsSource.decode(s, ctx), 'dpu.metrics') === undefined,
      ),
      { numRuns: 2000 },
    );
  });

  it('random JSON-lines records never throw', () => {
    fc.assert(
      fc.property(
        fc.record({
          timestamp: fc.oneof(fc.jsonValue(), fc.integer(), fc.double()),
          host: fc.jsonValue(),
          port: fc.jsonValue(),
          counters: fc.oneof(
            fc.dictionary(fc.string(), fc.oneof(fc.double(), fc.string(), fc.jsonValue())),
            fc.jsonValue(),
          ),
          labels: fc.jsonValue(),
        }),
        (doc) =>
          resultProblem(dpuMetricsSource.decode(JSON.stringify(doc), ctx), 'dpu.metrics') === undefined,
      ),
      { numRuns: 1500 },
    );
  });
});
