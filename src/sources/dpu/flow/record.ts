import { type IpAddress, parseIp } from './ip.js';
import type { Point } from './line-protocol.js';

/** A flow record normalized from whichever field naming it arrived in. */
export interface Flow {
  format: 'goflow2' | 'ipfix' | 'telegraf';
  exporterType?: string;
  src?: IpAddress;
  dst?: IpAddress;
  srcPort?: number;
  dstPort?: number;
  proto?: number;
  bytes?: number;
  packets?: number;
  samplingRate?: number;
  startMs?: number;
  endMs?: number;
  receivedMs?: number;
  vlan?: number;
  vni?: number;
  inIf?: number;
  outIf?: number;
  srcMac?: string;
  dstMac?: string;
  icmpType?: number;
  icmpCode?: number;
  exporter?: string;
  sequence?: number;
  tcpFlags?: number | string;
  direction?: 'ingress' | 'egress';
  host?: string;
  dpu?: string;
}

/** Why a record is not a usable flow, with the JSON path (or field name) at fault. */
export interface FlowError {
  reason: string;
  path: string;
}

const PROTOCOLS: Record<string, number> = {
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  udp: 17,
  ipv6: 41,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  icmpv6: 58,
  'ipv6-icmp': 58,
  ospf: 89,
  pim: 103,
  vrrp: 112,
  l2tp: 115,
  sctp: 132,
};

/** IANA keyword for a protocol number, as ECS network.transport wants it. */
export const TRANSPORT_NAMES: Record<number, string> = {
  1: 'icmp',
  2: 'igmp',
  4: 'ipip',
  6: 'tcp',
  17: 'udp',
  41: 'ipv6',
  46: 'rsvp',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'ipv6-icmp',
  89: 'ospf',
  103: 'pim',
  112: 'vrrp',
  115: 'l2tp',
  132: 'sctp',
};

type Canonical =
  | 'type'
  | 'src'
  | 'dst'
  | 'srcPort'
  | 'dstPort'
  | 'proto'
  | 'bytes'
  | 'packets'
  | 'bytesTotal'
  | 'packetsTotal'
  | 'samplingRate'
  | 'startNs'
  | 'endNs'
  | 'receivedNs'
  | 'startMs'
  | 'endMs'
  | 'startS'
  | 'endS'
  | 'startUs'
  | 'endUs'
  | 'receivedS'
  | 'observedMs'
  | 'vlan'
  | 'vni'
  | 'segmentId'
  | 'inIf'
  | 'outIf'
  | 'srcMac'
  | 'dstMac'
  | 'icmpType'
  | 'icmpCode'
  | 'icmpTypeCode'
  | 'exporter'
  | 'sequence'
  | 'tcpFlags'
  | 'direction'
  | 'host'
  | 'dpu';

/**
 * Field names of goflow2 v2 (snake_case), goflow2 v1 (PascalCase), IPFIX information elements
 * (IANA names) and Telegraf's netflow input, onto one meaning each.
 */
const ALIASES: Record<string, Canonical> = {
  type: 'type',
  Type: 'type',
  src_addr: 'src',
  SrcAddr: 'src',
  sourceIPv4Address: 'src',
  sourceIPv6Address: 'src',
  src: 'src',
  dst_addr: 'dst',
  DstAddr: 'dst',
  destinationIPv4Address: 'dst',
  destinationIPv6Address: 'dst',
  dst: 'dst',
  src_port: 'srcPort',
  SrcPort: 'srcPort',
  sourceTransportPort: 'srcPort',
  dst_port: 'dstPort',
  DstPort: 'dstPort',
  destinationTransportPort: 'dstPort',
  proto: 'proto',
  Proto: 'proto',
  protocolIdentifier: 'proto',
  protocol: 'proto',
  bytes: 'bytes',
  Bytes: 'bytes',
  octetDeltaCount: 'bytes',
  in_bytes: 'bytes',
  octetTotalCount: 'bytesTotal',
  in_total_bytes: 'bytesTotal',
  packets: 'packets',
  Packets: 'packets',
  packetDeltaCount: 'packets',
  in_packets: 'packets',
  packetTotalCount: 'packetsTotal',
  in_total_packets: 'packetsTotal',
  sampling_rate: 'samplingRate',
  SamplingRate: 'samplingRate',
  samplingInterval: 'samplingRate',
  samplingPacketInterval: 'samplingRate',
  sampling_interval: 'samplingRate',
  time_flow_start_ns: 'startNs',
  time_flow_end_ns: 'endNs',
  time_received_ns: 'receivedNs',
  time_flow_start_ms: 'startMs',
  time_flow_end_ms: 'endMs',
  flowStartMilliseconds: 'startMs',
  flowEndMilliseconds: 'endMs',
  flow_start_ms: 'startMs',
  flow_end_ms: 'endMs',
  flowStartSeconds: 'startS',
  flowEndSeconds: 'endS',
  TimeFlowStart: 'startS',
  TimeFlowEnd: 'endS',
  flowStartMicroseconds: 'startUs',
  flowEndMicroseconds: 'endUs',
  flowStartNanoseconds: 'startNs',
  flowEndNanoseconds: 'endNs',
  TimeReceived: 'receivedS',
  time_received: 'receivedS',
  observationTimeMilliseconds: 'observedMs',
  vlan_id: 'vlan',
  VlanId: 'vlan',
  src_vlan: 'vlan',
  vlanId: 'vlan',
  dot1qVlanId: 'vlan',
  vlan_src: 'vlan',
  vni: 'vni',
  vxlan_vni: 'vni',
  tunnel_vni: 'vni',
  tunnelKey: 'vni',
  layer2SegmentId: 'segmentId',
  in_if: 'inIf',
  InIf: 'inIf',
  ingressInterface: 'inIf',
  in_snmp: 'inIf',
  out_if: 'outIf',
  OutIf: 'outIf',
  egressInterface: 'outIf',
  out_snmp: 'outIf',
  src_mac: 'srcMac',
  SrcMac: 'srcMac',
  sourceMacAddress: 'srcMac',
  dst_mac: 'dstMac',
  DstMac: 'dstMac',
  destinationMacAddress: 'dstMac',
  icmp_type: 'icmpType',
  IcmpType: 'icmpType',
  icmpTypeIPv4: 'icmpType',
  icmpTypeIPv6: 'icmpType',
  icmp_code: 'icmpCode',
  IcmpCode: 'icmpCode',
  icmpCodeIPv4: 'icmpCode',
  icmpCodeIPv6: 'icmpCode',
  icmpTypeCodeIPv4: 'icmpTypeCode',
  icmpTypeCodeIPv6: 'icmpTypeCode',
  sampler_address: 'exporter',
  SamplerAddress: 'exporter',
  exporterIPv4Address: 'exporter',
  exporterIPv6Address: 'exporter',
  sequence_num: 'sequence',
  SequenceNum: 'sequence',
  tcp_flags: 'tcpFlags',
  TCPFlags: 'tcpFlags',
  tcpControlBits: 'tcpFlags',
  flow_direction: 'direction',
  FlowDirection: 'direction',
  flowDirection: 'direction',
  host: 'host',
  dpu: 'dpu',
};

/** IANA information-element names are lowerCamelCase; goflow2 v2 is snake_case, v1 PascalCase. */
const IPFIX_NAME_RE = /^[a-z][a-z0-9]*[A-Z]/;

function integer(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return Number(v);
  if (typeof v === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(v)) return Number.parseInt(v, 16);
  return undefined;
}

/** A time in the unit its field name gives, or an RFC 3339 string; epoch ms out. */
function timeMs(v: unknown, unitMs: number): number | undefined {
  if (typeof v === 'string' && !/^\d+$/.test(v)) {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  const n = integer(v);
  if (n === undefined || n === 0) return undefined;
  const ms = n * unitMs;
  return Math.abs(ms) <= 8.64e15 ? ms : undefined;
}

function protocolNumber(v: unknown): number | undefined {
  const n = integer(v);
  if (n !== undefined) return n <= 255 ? n : undefined;
  return typeof v === 'string' ? PROTOCOLS[v.toLowerCase()] : undefined;
}

const LAYER2_SEGMENT_RE = /"layer2SegmentId"\s*:\s*"?(0x[0-9a-fA-F]{1,16}|\d{1,20})"?/;

/**
 * IPFIX layer2SegmentId (IE 351): the top byte is the segment type (0x01 VXLAN), the low 24 bits
 * the VNI. It is a 64-bit number, past JSON's exact integers, so it is read from the record text.
 * A value under 2^24 is taken as a bare VNI, which is how some converters write it.
 */
function vniFromSegment(raw: string): number | undefined {
  const m = LAYER2_SEGMENT_RE.exec(raw);
  if (m === null) return undefined;
  const v = BigInt(m[1]!);
  if (v < 0x1000000n) return Number(v);
  return v >> 56n === 1n ? Number(v & 0xffffffn) : undefined;
}

/**
 * Normalizes a flow record, from a JSON object (goflow2 or IPFIX names) or a Telegraf netflow
 * point, onto `Flow`. `raw` is the record text (needed for 64-bit values JSON cannot hold).
 */
export function toFlow(fields: Record<string, unknown>, raw: string, point?: Point): Flow | FlowError {
  const flow: Flow = { format: point !== undefined ? 'telegraf' : 'goflow2' };
  let bytesTotal: number | undefined;
  let packetsTotal: number | undefined;
  const at = (key: string) => (point !== undefined ? key : `$.${key}`);
  for (const key in fields) {
    const canonical = ALIASES[key];
    if (canonical === undefined) continue;
    const v = fields[key];
    if (v === null || v === undefined || v === '') continue;
    if (point === undefined && IPFIX_NAME_RE.test(key)) flow.format = 'ipfix';
    switch (canonical) {
      case 'type':
        if (typeof v === 'string' || typeof v === 'number') flow.exporterType = String(v);
        break;
      case 'src':
      case 'dst': {
        const ip = parseIp(v);
        if (ip === undefined) return { reason: `${key} is not an IP address`, path: at(key) };
        flow[canonical] = ip;
        break;
      }
      case 'srcPort':
      case 'dstPort':
      case 'inIf':
      case 'outIf':
      case 'icmpType':
      case 'icmpCode':
      case 'vlan':
      case 'sequence': {
        const n = integer(v);
        const max =
          canonical === 'vlan'
            ? 4095
            : canonical.startsWith('icmp')
              ? 255
              : canonical.endsWith('Port')
                ? 65535
                : 2 ** 53;
        if (n === undefined || n > max) return { reason: `${key} is not an integer in range`, path: at(key) };
        flow[canonical] = n;
        break;
      }
      case 'icmpTypeCode': {
        const n = integer(v);
        if (n === undefined || n > 0xffff)
          return { reason: `${key} is not an integer in range`, path: at(key) };
        flow.icmpType = n >> 8;
        flow.icmpCode = n & 0xff;
        break;
      }
      case 'proto': {
        const p = protocolNumber(v);
        if (p === undefined) return { reason: `${key} is not a known IP protocol`, path: at(key) };
        flow.proto = p;
        break;
      }
      case 'bytes':
      case 'packets':
      case 'bytesTotal':
      case 'packetsTotal':
      case 'samplingRate': {
        const n = integer(v);
        if (n === undefined) return { reason: `${key} is not a non-negative count`, path: at(key) };
        if (canonical === 'bytesTotal') bytesTotal = n;
        else if (canonical === 'packetsTotal') packetsTotal = n;
        else flow[canonical] = n;
        break;
      }
      case 'startNs':
      case 'endNs':
      case 'receivedNs':
      case 'startMs':
      case 'endMs':
      case 'observedMs':
      case 'startS':
      case 'endS':
      case 'receivedS':
      case 'startUs':
      case 'endUs': {
        const unit = canonical.endsWith('Ns')
          ? 1e-6
          : canonical.endsWith('Us')
            ? 1e-3
            : canonical.endsWith('S')
              ? 1000
              : 1;
        const t = timeMs(v, unit);
        if (t === undefined) break;
        if (canonical.startsWith('start')) flow.startMs = t;
        else if (canonical.startsWith('end')) flow.endMs = t;
        else if (canonical === 'observedMs') flow.endMs ??= t;
        else flow.receivedMs = t;
        break;
      }
      case 'vni': {
        const n = integer(v);
        if (n === undefined) return { reason: `${key} is not a VNI`, path: at(key) };
        flow.vni = n & 0xffffff;
        break;
      }
      case 'segmentId': {
        const vni = vniFromSegment(raw);
        if (vni !== undefined) flow.vni = vni;
        break;
      }
      case 'srcMac':
      case 'dstMac':
      case 'exporter':
      case 'host':
      case 'dpu':
        if (typeof v === 'string') flow[canonical] = v;
        break;
      case 'tcpFlags':
        if (typeof v === 'number' || typeof v === 'string') flow.tcpFlags = v;
        break;
      case 'direction':
        if (v === 0 || v === 'ingress') flow.direction = 'ingress';
        else if (v === 1 || v === 'egress') flow.direction = 'egress';
        break;
    }
  }
  // Delta counts are per export interval; a total is only a fallback when the exporter sends no delta.
  flow.bytes ??= bytesTotal;
  flow.packets ??= packetsTotal;
  if (flow.bytes === undefined) delete flow.bytes;
  if (flow.packets === undefined) delete flow.packets;
  if (point !== undefined) {
    if (point.tags.source !== undefined) flow.exporter = point.tags.source;
    if (point.tags.version !== undefined) flow.exporterType = point.tags.version;
  }
  return flow;
}
