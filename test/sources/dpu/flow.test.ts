import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../../src/model/event.js';
import { communityId } from '../../../src/sources/dpu/flow/community-id.js';
import { dpuFlowSource } from '../../../src/sources/dpu/flow/index.js';
import { parseIp } from '../../../src/sources/dpu/flow/ip.js';
import type { DecodeContext } from '../../../src/sources/types.js';
import { decodeText as decodeWith } from '../../helpers/decode-text.js';
import { resultProblem } from '../../helpers/decoder-properties.js';
import { readFixture } from '../../helpers/fixtures.js';

const decodeText = (text: string, ctx: DecodeContext = {}) => decodeWith(dpuFlowSource, text, ctx);

function one(record: unknown, ctx: DecodeContext = {}): FaultEvent {
  const r = dpuFlowSource.decode(typeof record === 'string' ? record : JSON.stringify(record), ctx);
  if (!r.ok) throw new Error(`rejected: ${r.reason} at ${r.path}`);
  return r.events[0]!;
}

/** Telegraf line-protocol field, read independently of the decoder (for cross-checking). */
function lpField(line: string, name: string): string | undefined {
  return new RegExp(`[ ,]${name}="?([^",\\s]+)"?`).exec(line)?.[1]?.replace(/u$/, '');
}

function cid(
  saddr: string,
  daddr: string,
  proto: number,
  sport?: number | null,
  dport?: number | null,
  seed = 0,
) {
  return communityId(
    {
      src: parseIp(saddr)!.bytes,
      dst: parseIp(daddr)!.bytes,
      proto,
      ...(sport !== undefined && sport !== null ? { srcPort: sport } : {}),
      ...(dport !== undefined && dport !== null ? { dstPort: dport } : {}),
    },
    seed,
  );
}

describe('Community ID v1 against the corelight/community-id-spec vectors', () => {
  it('baseline/baseline_deflt.json (23 tuples from the spec pcaps: TCP, UDP, SCTP, ICMP, ICMPv6, RSVP, IPv6)', () => {
    // corelight/community-id-spec baseline/baseline_deflt.json (commit c4ec2bc), verbatim.
    const baseline: [number, string, string, number | null, number | null, string][] = [
      [
        58,
        'fe80::200:86ff:fe05:80da',
        'fe80::260:97ff:fe07:69ea',
        135,
        136,
        '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=',
      ],
      [
        58,
        'fe80::260:97ff:fe07:69ea',
        'fe80::200:86ff:fe05:80da',
        136,
        135,
        '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=',
      ],
      [
        58,
        'fe80::260:97ff:fe07:69ea',
        'fe80::200:86ff:fe05:80da',
        135,
        136,
        '1:zavyT/cezQr1fmImYCwYnMXbgck=',
      ],
      [
        58,
        'fe80::200:86ff:fe05:80da',
        'fe80::260:97ff:fe07:69ea',
        136,
        135,
        '1:zavyT/cezQr1fmImYCwYnMXbgck=',
      ],
      [
        58,
        '3ffe:501:1800:2345::2',
        '3ffe:507:0:1:200:86ff:fe05:80da',
        3,
        0,
        '1:2ObVBgIn28oZvibYZhZMBgh7WdQ=',
      ],
      [
        58,
        '3ffe:501:410:0:2c0:dfff:fe47:33e',
        '3ffe:507:0:1:200:86ff:fe05:80da',
        1,
        4,
        '1:hLZd0XGWojozrvxqE0dWB1iM6R0=',
      ],
      [
        58,
        '3ffe:507:0:1:200:86ff:fe05:80da',
        '3ffe:501:0:1001::2',
        128,
        129,
        '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=',
      ],
      [
        58,
        '3ffe:501:0:1001::2',
        '3ffe:507:0:1:200:86ff:fe05:80da',
        129,
        128,
        '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=',
      ],
      [58, 'fe80::200:86ff:fe05:80da', 'ff02::2', 133, 134, '1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0='],
      [58, 'fe80::260:97ff:fe07:69ea', 'ff02::1', 134, 133, '1:pkvHqCL88/tg1k4cPigmZXUtL00='],
      [1, '192.168.0.89', '192.168.0.1', 8, 0, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk='],
      [1, '192.168.0.1', '192.168.0.89', 0, 8, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk='],
      [1, '10.0.0.1', '10.0.0.2', 11, 0, '1:YHxtAirCG//0OzkcVAukqKQN9xM='],
      [
        6,
        '2001:470:e5bf:dead:4957:2174:e82c:4887',
        '2607:f8b0:400c:c03::1a',
        63943,
        25,
        '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=',
      ],
      [
        6,
        '2607:f8b0:400c:c03::1a',
        '2001:470:e5bf:dead:4957:2174:e82c:4887',
        25,
        63943,
        '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=',
      ],
      [132, '192.168.170.8', '192.168.170.56', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs='],
      [132, '192.168.170.56', '192.168.170.8', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs='],
      [6, '128.232.110.120', '66.35.250.204', 34855, 80, '1:LQU9qZlK+B5F3KDmev6m5PMibrg='],
      [6, '66.35.250.204', '128.232.110.120', 80, 34855, '1:LQU9qZlK+B5F3KDmev6m5PMibrg='],
      [17, '192.168.1.52', '8.8.8.8', 54585, 53, '1:d/FP5EW3wiY1vCndhwleRRKHowQ='],
      [17, '8.8.8.8', '192.168.1.52', 53, 54585, '1:d/FP5EW3wiY1vCndhwleRRKHowQ='],
      [46, '10.1.12.1', '10.1.12.2', null, null, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw='],
      [46, '10.1.12.2', '10.1.12.1', null, null, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw='],
    ];
    for (const [proto, saddr, daddr, sport, dport, expected] of baseline) {
      expect(cid(saddr, daddr, proto, sport, dport), `${proto} ${saddr} ${daddr}`).toBe(expected);
    }
  });

  it('baseline/README.md tables: default seed and seed=1, ICMP type/code, port-less RSVP', () => {
    const a6 = 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D';
    const b6 = 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D';
    const rows: [string, string, number, number | undefined, number | undefined, string, string][] = [
      [
        '1.2.3.4',
        '5.6.7.8',
        6,
        1122,
        3344,
        '1:wCb3OG7yAFWelaUydu0D+125CLM=',
        '1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=',
      ],
      [
        '5.6.7.8',
        '1.2.3.4',
        6,
        3344,
        1122,
        '1:wCb3OG7yAFWelaUydu0D+125CLM=',
        '1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=',
      ],
      [
        '1.2.3.4',
        '5.6.7.8',
        17,
        1122,
        3344,
        '1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=',
        '1:OShq+iKDAMVouh/4bMxB9Sz4amw=',
      ],
      [
        '1.2.3.4',
        '5.6.7.8',
        132,
        1122,
        3344,
        '1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=',
        '1:uitchpn5MMGAQKBJh7bIr/bAr7s=',
      ],
      ['1.2.3.4', '5.6.7.8', 1, 8, 0, '1:crodRHL2FEsHjbv3UkRrfbs4bZ0=', '1:9pr4ZGTICiuZoIh90RRYE2RyXpU='],
      ['5.6.7.8', '1.2.3.4', 1, 0, 0, '1:crodRHL2FEsHjbv3UkRrfbs4bZ0=', '1:9pr4ZGTICiuZoIh90RRYE2RyXpU='],
      ['1.2.3.4', '5.6.7.8', 1, 11, 0, '1:f/YiSyWqczrTgfUCZlBUnvHRcPk=', '1:1DD7cWGC/Yg91YGsQeni8du3pIA='],
      [a6, b6, 58, 128, 0, '1:0bf7hyMJUwt3fMED7z8LIfRpBeo=', '1:IO27GQzPuCtNnwFvjWALMHu5tJE='],
      [b6, a6, 58, 129, 0, '1:0bf7hyMJUwt3fMED7z8LIfRpBeo=', '1:IO27GQzPuCtNnwFvjWALMHu5tJE='],
      [a6, b6, 58, 146, 0, '1:fYC8+pz24E+EhANP1EZhpX0Dw10=', '1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s='],
      [
        '1.2.3.4',
        '5.6.7.8',
        46,
        undefined,
        undefined,
        '1:ikv3kmf89luf73WPz1jOs49S768=',
        '1:/buhqeOmaRCopOZFy9HnoJd5XW8=',
      ],
      [a6, b6, 46, undefined, undefined, '1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=', '1:j6EyyfBzL4vWKHFXgUqb5Az3OxM='],
    ];
    for (const [s, d, proto, sp, dp, seed0, seed1] of rows) {
      expect(cid(s, d, proto, sp, dp), `${proto} ${s} seed 0`).toBe(seed0);
      expect(cid(s, d, proto, sp, dp, 1), `${proto} ${s} seed 1`).toBe(seed1);
    }
  });

  it('cannot hash mixed families or port protocols without ports', () => {
    expect(cid('1.2.3.4', '::1', 6, 1, 2)).toBeUndefined();
    expect(cid('1.2.3.4', '5.6.7.8', 6)).toBeUndefined();
    expect(cid('1.2.3.4', '5.6.7.8', 6, 70000, 1)).toBeUndefined();
  });
});

describe('dpu-flow on the Telegraf netflow fixtures (expected.out decoded from real packets)', () => {
  const fixture = (name: string) => readFixture('dpu', 'flows', name, 'expected.out');

  it('ipfix_example/expected.out: 29 flows decoded, the 2 exporter options records rejected', () => {
    const { events, decoded: lines, rejected } = decodeText(fixture('ipfix_example'), { host: 'bm-17' });
    expect(events).toHaveLength(29);
    expect(rejected).toEqual([
      {
        line: 30,
        reason: 'Telegraf measurement netflow_options is not a flow record',
        path: 'netflow_options',
      },
      {
        line: 31,
        reason: 'Telegraf measurement netflow_options is not a flow record',
        path: 'netflow_options',
      },
    ]);
    events.forEach((e, i) => {
      const line = lines[i]!;
      expect(e['source.ip']).toBe(lpField(line, 'src'));
      expect(e['destination.ip']).toBe(lpField(line, 'dst'));
      expect(e['source.port']).toBe(Number(lpField(line, 'src_port')));
      expect(e['destination.port']).toBe(Number(lpField(line, 'dst_port')));
      expect(e['network.transport']).toBe(lpField(line, 'protocol'));
      expect(e['network.bytes']).toBe(Number(lpField(line, 'in_total_bytes')));
      expect(e['network.packets']).toBe(Number(lpField(line, 'in_total_packets')));
      expect(e['@timestamp']).toBe(new Date(Number(lpField(line, 'flow_end_ms'))).toISOString());
      expect(e['dpu.flow.start']).toBe(new Date(Number(lpField(line, 'flow_start_ms'))).toISOString());
      expect(e['network.community_id']).toBe(
        cid(
          e['source.ip']!,
          e['destination.ip']!,
          Number(e['network.iana_number']),
          e['source.port'],
          e['destination.port'],
        ),
      );
      expect(e).toMatchObject({
        'host.name': 'bm-17',
        'dpu.flow.type': 'IPFIX',
        'dpu.flow.exporter': '127.0.0.1',
        'observer.type': 'dpu',
      });
    });
    expect(events[0]).toMatchObject({
      'source.ip': '192.168.119.100',
      'source.port': 51008,
      'destination.ip': '44.233.90.52',
      'destination.port': 443,
      'network.transport': 'tcp',
      'network.iana_number': '6',
      'network.bytes': 52,
      '@timestamp': '2022-10-21T09:45:13.807Z',
    });
    const transports = events.map((e) => e['network.transport']);
    expect(transports.filter((t) => t === 'udp')).toHaveLength(
      transports.length - transports.filter((t) => t === 'tcp').length,
    );
  });

  it('netflow_v5_example/expected.out: 8 flows, both directions of a connection share a Community ID', () => {
    const { events, rejected } = decodeText(fixture('netflow_v5_example'), {
      receivedAt: '2022-10-21T12:00:00Z',
    });
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(8);
    // Records 1–4 are GitHub → client, 5–8 the client's replies, in the same order.
    for (let i = 0; i < 4; i++) {
      const [out, back] = [events[i]!, events[i + 4]!];
      expect(back['source.ip']).toBe(out['destination.ip']);
      expect(back['destination.port']).toBe(out['source.port']);
      expect(back['network.community_id']).toBe(out['network.community_id']);
    }
    expect(new Set(events.map((e) => e['network.community_id'])).size).toBe(4);
    // NetFlow v5 records carry uptime offsets, not wall-clock times: receive time stands in.
    expect(events.every((e) => e['@timestamp'] === '2022-10-21T12:00:00.000Z')).toBe(true);
    expect(events[0]).toMatchObject({
      'network.bytes': 87477,
      'network.packets': 78,
      'dpu.flow.type': 'NetFlowV5',
      'dpu.flow.tcp_flags': '...AP...',
    });
  });

  it('netflow_v9_example/expected.out: 8 flows with start/end times and the same tuples as v5', () => {
    const { events, rejected } = decodeText(fixture('netflow_v9_example'));
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(8);
    expect(events[0]).toMatchObject({
      '@timestamp': '2022-10-21T11:08:01.316Z',
      'dpu.flow.start': '2022-10-21T11:07:58.660Z',
      'dpu.flow.end': '2022-10-21T11:08:01.316Z',
      'dpu.flow.type': 'NetFlowV9',
    });
    const v5 = decodeText(fixture('netflow_v5_example')).events;
    expect(events.map((e) => e['network.community_id'])).toEqual(v5.map((e) => e['network.community_id']));
  });

  it('sflow_v5_example/expected.out: an interface counter sample is not a flow', () => {
    const { events, rejected } = decodeText(fixture('sflow_v5_example'));
    expect(events).toEqual([]);
    expect(rejected).toEqual([
      {
        line: 1,
        reason: 'not a flow record: no source and destination address (an interface counter sample)',
        path: 'netflow',
      },
    ]);
  });
});

describe('dpu-flow on goflow2 and IPFIX JSON records', () => {
  it('goflow2 v2 JSON (README example): sampled counts scaled in network.*, raw in dpu.flow.*', () => {
    // netsampler/goflow2 README, v2 JSON output example (BSD-3).
    const e = one(
      '{"type":"SFLOW_5","time_received_ns":1681583295157626000,"sequence_num":2999,"sampling_rate":100,"sampler_address":"192.168.0.1","time_flow_start_ns":1681583295157626000,"time_flow_end_ns":1681583295157626000,"bytes":1500,"packets":1,"src_addr":"fd01::1","dst_addr":"fd01::2","etype":"IPv6","proto":"TCP","src_port":443,"dst_port":50001}',
      { host: 'compute-4' },
    );
    expect(e).toMatchObject({
      '@timestamp': '2023-04-15T18:28:15.157Z',
      'host.name': 'compute-4',
      'source.ip': 'fd01::1',
      'source.port': 443,
      'destination.ip': 'fd01::2',
      'destination.port': 50001,
      'network.transport': 'tcp',
      'network.iana_number': '6',
      'dpu.flow.bytes': 1500,
      'dpu.flow.packets': 1,
      'dpu.flow.sampling_rate': 100,
      'network.bytes': 150000,
      'network.packets': 100,
      'dpu.flow.format': 'goflow2',
      'dpu.flow.type': 'SFLOW_5',
      'dpu.flow.exporter': '192.168.0.1',
    });
    expect(e['network.community_id']).toBe(cid('fd01::1', 'fd01::2', 6, 443, 50001));
  });

  it('goflow2 v1 JSON (README example, PascalCase) and base64 addresses of the protobuf rendering', () => {
    // netsampler/goflow2 README (v1): the fields before the "..." elision.
    const v1 = one({
      Type: 'SFLOW_5',
      TimeFlowEnd: 1621820000,
      TimeFlowStart: 1621820000,
      TimeReceived: 1621820000,
      Bytes: 70,
      Packets: 1,
      SamplingRate: 100,
      SamplerAddress: '192.168.1.254',
      DstAddr: '10.0.0.1',
      DstMac: 'ff:ff:ff:ff:ff:ff',
      SrcAddr: '192.168.1.1',
      SrcMac: 'ff:ff:ff:ff:ff:ff',
      InIf: 1,
      OutIf: 2,
      Etype: 2048,
      Proto: 6,
      SrcPort: 443,
      DstPort: 46344,
    });
    expect(v1).toMatchObject({
      '@timestamp': '2021-05-24T01:33:20.000Z',
      'source.ip': '192.168.1.1',
      'destination.port': 46344,
      'network.bytes': 7000,
      'dpu.flow.in_if': 1,
      'dpu.flow.out_if': 2,
    });
    const b64 = one({
      src_addr: 'wAACCg==',
      dst_addr: 'xjNkFA==',
      proto: 6,
      src_port: 12345,
      dst_port: 443,
      bytes: 321,
    });
    expect(b64).toMatchObject({ 'source.ip': '192.0.2.10', 'destination.ip': '198.51.100.20' });
  });

  it('IPFIX element names, with the VXLAN VNI from layer2SegmentId and a VLAN id', () => {
    // Generated: the IANA IPFIX element names an OVS/DPU exporter uses for a VXLAN-encapsulated flow.
    const e = one(
      '{"flowStartMilliseconds":"2024-05-01T12:00:00.000Z","flowEndMilliseconds":1714564805000,"sourceIPv4Address":"10.0.0.5","destinationIPv4Address":"10.0.1.9","sourceTransportPort":49152,"destinationTransportPort":4789,"protocolIdentifier":17,"octetDeltaCount":1500000,"packetDeltaCount":1000,"vlanId":120,"layer2SegmentId":72057594037933035,"samplingPacketInterval":1}',
    );
    expect(e).toMatchObject({
      '@timestamp': '2024-05-01T12:00:05.000Z',
      'dpu.flow.start': '2024-05-01T12:00:00.000Z',
      'network.vni': 5099,
      'network.vlan.id': '120',
      'network.transport': 'udp',
      'network.bytes': 1500000,
      'dpu.flow.format': 'ipfix',
    });
    expect(
      one({
        sourceIPv6Address: '2001:db8::1',
        destinationIPv6Address: '2001:db8::2',
        protocolIdentifier: 6,
        sourceTransportPort: 1,
        destinationTransportPort: 2,
        vni: 7001,
      })['network.vni'],
    ).toBe(7001);
    expect(
      one({
        src_addr: '10.0.0.1',
        dst_addr: '10.0.0.2',
        proto: 'udp',
        src_port: 1,
        dst_port: 4789,
        tunnelKey: '0x1b59',
      })['network.vni'],
    ).toBe(7001);
  });

  it('ICMP flows: type/code from fields or the NetFlow destination port, and the matching Community ID', () => {
    const echo = one({
      src_addr: '192.168.0.89',
      dst_addr: '192.168.0.1',
      proto: 'ICMP',
      icmp_type: 8,
      icmp_code: 0,
      bytes: 84,
      packets: 1,
    });
    expect(echo).toMatchObject({
      'network.transport': 'icmp',
      'dpu.flow.icmp.type': 8,
      'dpu.flow.icmp.code': 0,
      'network.community_id': '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=',
    });
    expect(echo['source.port']).toBeUndefined();
    // NetFlow v5/v9 exporters put type*256+code in the destination port: 0x0b00 is time exceeded.
    const ttl = one({
      sourceIPv4Address: '10.0.0.1',
      destinationIPv4Address: '10.0.0.2',
      protocolIdentifier: 1,
      destinationTransportPort: 2816,
    });
    expect(ttl).toMatchObject({
      'dpu.flow.icmp.type': 11,
      'network.community_id': '1:YHxtAirCG//0OzkcVAukqKQN9xM=',
    });
    const v6 = one({
      src_addr: '3ffe:507:0:1:200:86ff:fe05:80da',
      dst_addr: '3ffe:501:0:1001::2',
      proto: 58,
      icmp_type: 128,
      icmp_code: 0,
    });
    expect(v6).toMatchObject({
      'network.transport': 'ipv6-icmp',
      'network.community_id': '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=',
    });
  });

  it('takes the next time source when a flow end lies past the year 9999 (fast-check found it)', () => {
    const r = dpuFlowSource.decode(
      JSON.stringify({ src_addr: '10.0.0.1', dst_addr: '10.0.0.2', time_flow_end_ns: 253402300800000000000 }),
      { receivedAt: '2024-06-01T00:00:00.000Z' },
    );
    expect(r.ok && r.events[0]!['@timestamp']).toBe('2024-06-01T00:00:00.000Z');
  });

  it('rejects records that are not usable flows, with the field at fault', () => {
    const reject = (rec: unknown) =>
      dpuFlowSource.decode(typeof rec === 'string' ? rec : JSON.stringify(rec), {});
    expect(reject({ src_addr: '10.0.0.300', dst_addr: '10.0.0.1' })).toEqual({
      ok: false,
      reason: 'src_addr is not an IP address',
      path: '$.src_addr',
    });
    expect(reject({ src_addr: '10.0.0.1', dst_addr: '10.0.0.2', src_port: 70000 })).toMatchObject({
      ok: false,
      path: '$.src_port',
    });
    expect(reject({ src_addr: '10.0.0.1', dst_addr: '10.0.0.2', proto: 'QUIC' })).toMatchObject({
      ok: false,
      path: '$.proto',
    });
    expect(reject({ src_addr: '10.0.0.1', dst_addr: '10.0.0.2', bytes: -5 })).toMatchObject({
      ok: false,
      path: '$.bytes',
    });
    expect(reject({ src_addr: '10.0.0.1', dst_addr: '::1', proto: 6 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/different IP versions/),
    });
    expect(reject({ bytes: 10 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not a flow record/),
      path: '$',
    });
    expect(reject('{"src_addr":')).toMatchObject({
      ok: false,
      path: '$',
      reason: expect.stringMatching(/^invalid JSON/),
    });
    expect(reject('netflow src="1.2.3.4",dst=')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/line protocol/),
    });
    expect(reject('[1,2]')).toMatchObject({ ok: false, path: '$' });
  });
});

describe('dpu-flow properties', () => {
  const ctx: DecodeContext = { host: 'prop-host', receivedAt: '2024-06-01T00:00:00.000Z' };
  const lines = readFixture('dpu', 'flows', 'ipfix_example', 'expected.out').split('\n').filter(Boolean);

  it('random and truncated input never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.tuple(fc.constantFrom(...lines), fc.nat()).map(([l, n]) => l.slice(0, n % (l.length + 1))),
        ),
        (s) => resultProblem(dpuFlowSource.decode(s, ctx), 'dpu.flow') === undefined,
      ),
      { numRuns: 2000 },
    );
  });

  it('random values in every known field never throw; decoded flows carry a Community ID when hashable', () => {
    const ip = fc.oneof(fc.ipV4(), fc.ipV6(), fc.string());
    const anything = fc.oneof(fc.jsonValue(), fc.integer(), fc.string());
    fc.assert(
      fc.property(
        fc.record(
          {
            src_addr: ip,
            dst_addr: ip,
            proto: fc.oneof(fc.integer({ min: -1, max: 300 }), fc.constantFrom('TCP', 'UDP', 'ICMP', 'x')),
            src_port: fc.oneof(fc.integer({ min: -1, max: 70000 }), anything),
            dst_port: fc.integer({ min: 0, max: 65535 }),
            bytes: anything,
            sampling_rate: anything,
            time_flow_end_ns: anything,
            layer2SegmentId: anything,
            icmp_type: anything,
          },
          { requiredKeys: ['src_addr', 'dst_addr'] },
        ),
        (rec) => {
          const r = dpuFlowSource.decode(JSON.stringify(rec), ctx);
          return resultProblem(r, 'dpu.flow') === undefined;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('the Community ID of a TCP/UDP flow is the same in both directions', () => {
    fc.assert(
      fc.property(
        fc.ipV4(),
        fc.ipV4(),
        fc.constantFrom(6, 17, 132),
        fc.nat(65535),
        fc.nat(65535),
        (a, b, p, x, y) => {
          return cid(a, b, p, x, y) === cid(b, a, p, y, x);
        },
      ),
    );
  });
});
