import type { Sample } from './sample.js';

/** First line of one port in `ovs-ofctl dump-ports`: `port  dpdk1: rx pkts=…`, `port "br0":`, `port  2(eth0):`. */
export const OVS_PORT_RE = /^\s*port\s+(?:"([^"]+)"|(\d+)\(([^)]+)\)|([^\s:]+)):\s*rx\s/;

// ovs-ofctl's short names, renamed to the keys `ovs-vsctl list interface` uses in its statistics map.
const RX: Record<string, string> = {
  pkts: 'rx_packets',
  bytes: 'rx_bytes',
  drop: 'rx_dropped',
  errs: 'rx_errors',
  frame: 'rx_frame_err',
  over: 'rx_over_err',
  crc: 'rx_crc_err',
};
const TX: Record<string, string> = {
  pkts: 'tx_packets',
  bytes: 'tx_bytes',
  drop: 'tx_dropped',
  errs: 'tx_errors',
  coll: 'collisions',
};

const TOKEN_RE = /[^\s,]+/g;

/**
 * The counters of one port block of `ovs-ofctl dump-ports` (rx line, tx line, duration, and the
 * OpenFlow 1.4 "CUSTOM Statistics"). `?` means the datapath does not support that counter (DPDK
 * ports have no frame/over/crc): it is skipped, not read as zero.
 */
export function parseOvsPorts(block: string): Sample[] | string {
  const head = OVS_PORT_RE.exec(block);
  if (head === null) return 'not an ovs-ofctl dump-ports port block';
  const port = head[1] ?? head[3] ?? head[4]!;
  const samples: Sample[] = [];
  let mode: 'rx' | 'tx' | 'custom' | 'other' = 'other';
  let duration: number | undefined;
  // The header match ends just past "rx": tokenize from there on.
  const body = `rx ${block.slice(head.index + head[0].length)}`;
  TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null = TOKEN_RE.exec(body);
  while (m !== null) {
    const token = m[0];
    m = TOKEN_RE.exec(body);
    if (token === 'rx' || token === 'tx') {
      mode = token;
      continue;
    }
    if (token === 'CUSTOM') {
      mode = 'custom';
      continue;
    }
    const eq = token.indexOf('=');
    if (eq <= 0) continue;
    const key = token.slice(0, eq);
    const text = token.slice(eq + 1);
    if (key === 'duration') {
      const d = Number.parseFloat(text);
      if (Number.isFinite(d)) duration = d;
      continue;
    }
    if (text === '?') continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isFinite(value))
      return `counter ${key} has a non-numeric value ${JSON.stringify(text)}`;
    const name = mode === 'rx' ? RX[key] : mode === 'tx' ? TX[key] : mode === 'custom' ? key : undefined;
    if (name === undefined) continue;
    samples.push({ name, value, type: 'counter', format: 'ovs-dump-ports', port });
  }
  if (samples.length === 0) return `dump-ports block for port ${port} has no readable counters`;
  if (head[2] !== undefined || duration !== undefined) {
    for (const s of samples) {
      s.extra = {};
      if (head[2] !== undefined) s.extra['dpu.ovs.ofport'] = Number(head[2]);
      if (duration !== undefined) s.extra['dpu.ovs.duration_s'] = duration;
    }
  }
  return samples;
}
