import { createHash } from 'node:crypto';

const ICMP = 1;
const TCP = 6;
const UDP = 17;
const ICMPV6 = 58;
const SCTP = 132;

// Zeek's ICMP request/reply pairs (pycommunityid icmp.py / icmp6.py): a type with a counterpart is
// a two-way exchange and is ordered like a port pair; any other type is one-way.
const ICMP_COUNTERPART = new Map<number, number>([
  [8, 0],
  [0, 8],
  [13, 14],
  [14, 13],
  [15, 16],
  [16, 15],
  [10, 9],
  [9, 10],
  [17, 18],
  [18, 17],
]);
const ICMPV6_COUNTERPART = new Map<number, number>([
  [128, 129],
  [129, 128],
  [130, 131],
  [131, 130],
  [133, 134],
  [134, 133],
  [135, 136],
  [136, 135],
  [139, 140],
  [140, 139],
  [144, 145],
  [145, 144],
]);

/** The flow tuple a Community ID hashes. For ICMP, `srcPort`/`dstPort` are the type and code. */
export interface FlowTuple {
  src: Uint8Array;
  dst: Uint8Array;
  proto: number;
  srcPort?: number;
  dstPort?: number;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return 0;
}

/**
 * Community ID v1 (corelight/community-id-spec): `1:` + base64(sha1(seed · saddr · daddr · proto ·
 * 0 · sport · dport)), with the endpoints ordered so both directions of a flow hash alike, ICMP and
 * ICMPv6 type/code mapped to ports as Zeek does, and ports left out for port-less protocols.
 * Returns undefined when the tuple cannot be hashed (mixed address families, a port-enabled
 * protocol without ports, values out of range).
 */
export function communityId(tuple: FlowTuple, seed = 0): string | undefined {
  const { src, dst, proto } = tuple;
  if (src.length !== dst.length || (src.length !== 4 && src.length !== 16)) return undefined;
  if (!Number.isInteger(proto) || proto < 0 || proto > 255 || seed < 0 || seed > 0xffff) return undefined;
  let sport = tuple.srcPort;
  let dport = tuple.dstPort;
  const portEnabled = proto === TCP || proto === UDP || proto === SCTP || proto === ICMP || proto === ICMPV6;
  if (portEnabled && (sport === undefined || dport === undefined)) return undefined;
  let oneWay = false;
  if (sport !== undefined && dport !== undefined) {
    if (
      !Number.isInteger(sport) ||
      !Number.isInteger(dport) ||
      sport < 0 ||
      dport < 0 ||
      sport > 0xffff ||
      dport > 0xffff
    ) {
      return undefined;
    }
    if (proto === ICMP || proto === ICMPV6) {
      const counterpart = (proto === ICMP ? ICMP_COUNTERPART : ICMPV6_COUNTERPART).get(sport);
      if (counterpart === undefined) oneWay = true;
      else dport = counterpart;
    }
  }
  let a = src;
  let b = dst;
  const order = compare(src, dst);
  const ordered =
    oneWay || order < 0 || (order === 0 && sport !== undefined && dport !== undefined && sport < dport);
  if (!ordered) {
    a = dst;
    b = src;
    const t = sport;
    sport = dport;
    dport = t;
  }
  const head = Buffer.alloc(4);
  head.writeUInt16BE(seed, 0);
  const h = createHash('sha1');
  h.update(head.subarray(0, 2));
  h.update(a);
  h.update(b);
  head[0] = proto;
  head[1] = 0;
  h.update(head.subarray(0, 2));
  if (sport !== undefined && dport !== undefined) {
    head.writeUInt16BE(sport, 0);
    head.writeUInt16BE(dport, 2);
    h.update(head);
  }
  return `1:${h.digest('base64')}`;
}
