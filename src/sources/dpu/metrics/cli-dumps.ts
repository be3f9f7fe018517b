import type { MetricFormat, MetricType, Sample } from './sample.js';

/*
 * Counter dumps as operators collect them from a shell, one parser per tool. Each record is what the
 * framer cut (framer.ts): a block that starts at the tool's own header line. Every counter of a
 * record becomes one Sample of its interface/port (`interface.name`); counters the tool marks as
 * unsupported (`?`) are skipped, not read as zero.
 */

export interface CliFormat {
  format: MetricFormat;
  /** The first line of a record. */
  start: RegExp;
  /** Whether a line continues the open record; undefined: records are one line. */
  continues?: RegExp;
  /** A line that ends the record and belongs to it (testpmd's closing `#####` rule). */
  closes?: RegExp;
  /** Lines that continue the record although they could start one (`NIC statistics:` after `ethtool -S`). */
  absorbs?: RegExp;
  parse(record: string): Sample[] | string;
}

const DIGITS_RE = /^\d+$/;

function counter(
  format: MetricFormat,
  name: string,
  value: number,
  port: string | undefined,
  type: MetricType = 'counter',
): Sample {
  const s: Sample = { name, value, type, format };
  if (port !== undefined) s.port = port;
  return s;
}

/* ---------------------------------------------------------------- ip -s -s link (iproute2) ---- */

// iproute2 ip/ipaddress.c print_link_stats64: column words → the rtnl_link_stats64 member names
// (the names /sys/class/net/<if>/statistics uses), so every dump spells a counter alike.
const IP_COLUMNS: Record<string, Record<string, string>> = {
  RX: {
    bytes: 'rx_bytes',
    packets: 'rx_packets',
    errors: 'rx_errors',
    dropped: 'rx_dropped',
    overrun: 'rx_over_errors',
    mcast: 'multicast',
    missed: 'rx_missed_errors',
    nohandler: 'rx_nohandler',
    otherhost: 'rx_otherhost_dropped',
  },
  'RX errors': {
    length: 'rx_length_errors',
    crc: 'rx_crc_errors',
    frame: 'rx_frame_errors',
    fifo: 'rx_fifo_errors',
    missed: 'rx_missed_errors',
    overrun: 'rx_over_errors',
    nohandler: 'rx_nohandler',
  },
  TX: {
    bytes: 'tx_bytes',
    packets: 'tx_packets',
    errors: 'tx_errors',
    dropped: 'tx_dropped',
    carrier: 'tx_carrier_errors',
    collsns: 'collisions',
  },
  'TX errors': {
    aborted: 'tx_aborted_errors',
    fifo: 'tx_fifo_errors',
    window: 'tx_window_errors',
    heartbeat: 'tx_heartbeat_errors',
    heartbt: 'tx_heartbeat_errors',
    transns: 'carrier_changes',
    carrier: 'tx_carrier_errors',
  },
};
const IP_HEAD_RE = /^\s*\d+: ([^\s:@]+)(?:@[^\s:]+)?: </;
const IP_COLUMNS_RE = /^\s*(RX|TX)( errors)?:\s+([a-z][a-z\s]*?)\s*$/;

function parseIpLink(record: string): Sample[] | string {
  const lines = record.split('\n');
  const port = IP_HEAD_RE.exec(lines[0]!)![1]!;
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const head = IP_COLUMNS_RE.exec(lines[i]!);
    if (head === null) continue;
    const names = head[3]!.split(/\s+/);
    const values = (lines[i + 1] ?? '').trim().split(/\s+/);
    i++;
    const table = IP_COLUMNS[`${head[1]}${head[2] ?? ''}`]!;
    for (let c = 0; c < names.length && c < values.length; c++) {
      const text = values[c]!;
      if (!DIGITS_RE.test(text)) {
        return /^\d+(?:\.\d+)?[KMGT]i?$/i.test(text)
          ? `ip link statistics of ${port} are human-readable (-h): ${text} is no counter`
          : `ip link counter ${names[c]} of ${port} is not a number: ${JSON.stringify(text)}`;
      }
      const name = table[names[c]!] ?? `${head[1]!.toLowerCase()}_${names[c]}`;
      if (seen.has(name)) continue;
      seen.add(name);
      samples.push(counter('ip-link', name, Number(text), port));
    }
  }
  return samples.length > 0 ? samples : `ip link block for ${port} has no statistics (run ip -s -s link)`;
}

/** Keys of `ip -j -s -s link` stats64 that keep their own name (the rest get an rx_/tx_ prefix). */
const IP_JSON_PLAIN = new Set(['multicast', 'collisions', 'carrier_changes']);

/**
 * `ip -j -s [-s] link`: a JSON array of links, each `{"ifname": …, "stats64": {"rx": {…}, "tx": {…}}}`
 * (`stats` on old iproute2). Names as in the text form (rx_bytes, rx_missed_errors, carrier_changes).
 */
export function parseIpJson(record: string): Sample[] | string {
  let doc: unknown;
  try {
    doc = JSON.parse(record);
  } catch (error) {
    return `invalid JSON: ${(error as Error).message}`;
  }
  if (!Array.isArray(doc)) return 'expected the JSON array `ip -j -s link` prints';
  const samples: Sample[] = [];
  for (const link of doc) {
    if (typeof link !== 'object' || link === null) continue;
    const l = link as Record<string, unknown>;
    const stats = (l.stats64 ?? l.stats) as Record<string, unknown> | undefined;
    if (typeof l.ifname !== 'string' || typeof stats !== 'object' || stats === null) continue;
    for (const dir of ['rx', 'tx'] as const) {
      const group = stats[dir];
      if (typeof group !== 'object' || group === null) continue;
      for (const [key, value] of Object.entries(group as Record<string, unknown>)) {
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) continue;
        const name = IP_JSON_PLAIN.has(key) ? key : `${dir}_${key}`;
        samples.push(counter('ip-link', name, value, l.ifname));
      }
    }
  }
  return samples.length > 0 ? samples : 'no link with stats64 in the ip -j output (run ip -j -s link)';
}

/* ------------------------------------------------------------------------- ethtool -S <if> ---- */

const ETHTOOL_CMD_RE = /^\s*(?:\S*[#$]\s*)?(?:sudo\s+)?ethtool\s+(?:-S|--statistics)\s+(\S+)\s*$/;
const ETHTOOL_HEAD_RE = /^\s*NIC statistics:\s*$/;
const ETHTOOL_LINE_RE = /^\s+(\S.*?):\s+(-?\d+)\s*$/;

function parseEthtool(record: string): Sample[] | string {
  const lines = record.split('\n');
  const port = ETHTOOL_CMD_RE.exec(lines[0]!)?.[1];
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const m = ETHTOOL_LINE_RE.exec(line);
    if (m === null || m[2]!.startsWith('-')) continue;
    // Drivers print some names twice (node_exporter's fixture keeps such a dump): the first stands.
    if (seen.has(m[1]!)) continue;
    seen.add(m[1]!);
    samples.push(counter('ethtool', m[1]!, Number(m[2]), port));
  }
  return samples.length > 0 ? samples : 'ethtool -S block has no `name: value` counters';
}

/* ----------------------------------------------------------------- ovs-appctl dpctl/show [-s] ---- */

const DPCTL_HEAD_RE = /^\s*([\w-]+@[\w.-]+):\s*$/;
const DPCTL_PORT_RE = /^\s*port (\d+): (\S+)(?: \((.*)\))?\s*$/;
const PAIR_RE = /([A-Za-z][\w/-]*):(\d+(?:\.\d+)?|\?)%?/g;
const DPCTL_PORT_NAMES: Record<string, string> = {
  'RX packets': 'rx_packets',
  'RX errors': 'rx_errors',
  'RX dropped': 'rx_dropped',
  'RX overruns': 'rx_over_err',
  'RX frame': 'rx_frame_err',
  'TX packets': 'tx_packets',
  'TX errors': 'tx_errors',
  'TX dropped': 'tx_dropped',
  'TX aborted': 'tx_aborted_err',
  'TX carrier': 'tx_carrier_err',
  collisions: 'collisions',
  'RX bytes': 'rx_bytes',
  'TX bytes': 'tx_bytes',
  // Packets the kernel datapath sent up to ovs-vswitchd for this port, and the sends that failed.
  'UPCALL packets': 'upcall_packets',
  'UPCALL errors': 'upcall_errors',
};
// Datapath-wide counters; lost upcalls (`lookups: … lost:N`) are packets the kernel dropped before
// ovs-vswitchd could see them.
const DPCTL_DP_NAMES: Record<string, [string, MetricType]> = {
  'lookups hit': ['ovs_dp_lookups_hit', 'counter'],
  'lookups missed': ['ovs_dp_lookups_missed', 'counter'],
  'lookups lost': ['ovs_dp_lookups_lost', 'counter'],
  'flows ': ['ovs_dp_flows', 'gauge'],
  'masks hit': ['ovs_dp_masks_hit', 'counter'],
  'masks total': ['ovs_dp_masks_total', 'gauge'],
  'masks hit/pkt': ['ovs_dp_masks_hit_per_pkt', 'gauge'],
  'cache hit': ['ovs_dp_cache_hit', 'counter'],
  'cache hit-rate': ['ovs_dp_cache_hit_rate_percent', 'gauge'],
};

function parseDpctlShow(record: string): Sample[] | string {
  const lines = record.split('\n');
  const datapath = DPCTL_HEAD_RE.exec(lines[0]!)![1]!;
  const samples: Sample[] = [];
  let port: string | undefined;
  let ofport: number | undefined;
  const add = (s: Sample) => {
    s.extra = { 'dpu.ovs.datapath': datapath };
    if (s.port !== undefined && ofport !== undefined) s.extra['dpu.ovs.odp_port'] = ofport;
    samples.push(s);
  };
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    const p = DPCTL_PORT_RE.exec(line);
    if (p !== null) {
      port = p[2]!;
      ofport = Number(p[1]);
      continue;
    }
    const flows = /^flows: (\d+)$/.exec(line);
    if (flows !== null) {
      add(counter('ovs-dpctl-show', 'ovs_dp_flows', Number(flows[1]), undefined, 'gauge'));
      continue;
    }
    const group = /^(lookups|masks|cache):/.exec(line)?.[1];
    // "RX packets:5 errors:0 …": the leading word carries over to the pairs after it.
    const lead = /^(RX|TX|UPCALL)\s/.exec(line)?.[1];
    PAIR_RE.lastIndex = 0;
    for (let m = PAIR_RE.exec(line); m !== null; m = PAIR_RE.exec(line)) {
      const [, key, text] = m;
      if (text === '?') continue;
      if (group !== undefined) {
        if (key === group) continue;
        const known = DPCTL_DP_NAMES[`${group} ${key}`];
        if (known !== undefined) add(counter('ovs-dpctl-show', known[0], Number(text), undefined, known[1]));
        continue;
      }
      if (port === undefined) continue;
      // "RX bytes:0  TX bytes:0" names its direction on each pair.
      const word = key === 'RX' || key === 'TX' || key === 'UPCALL' ? undefined : key!;
      const dir =
        /(?:^|\s)(RX|TX|UPCALL) [a-z]+:$/.exec(line.slice(0, m.index + key!.length + 1))?.[1] ?? lead;
      const name =
        word === undefined ? undefined : DPCTL_PORT_NAMES[dir === undefined ? word : `${dir} ${word}`];
      if (name !== undefined && DIGITS_RE.test(text!))
        add(counter('ovs-dpctl-show', name, Number(text), port));
    }
  }
  return samples.length > 0 ? samples : `dpctl/show block for ${datapath} has no counters`;
}

/* ------------------------------------------ ovs-appctl dpctl/dump-flows, ovs-ofctl dump-flows ---- */

const DP_FLOW_RE = /(?:^|,\s*)packets:(\d+), bytes:(\d+), used:([^,\s]+)/;
const OF_FLOW_RE = /\bn_packets=(\d+), n_bytes=(\d+)/;
const FLOW_START_RE = /(?:^|,\s*)packets:\d+, bytes:\d+, used:|\bn_packets=\d+, n_bytes=\d+/;

function parseFlow(record: string): Sample[] | string {
  const line = record.trim();
  const dp = DP_FLOW_RE.exec(line);
  const of = dp === null ? OF_FLOW_RE.exec(line) : null;
  const stats = dp ?? of;
  if (stats === null) return 'not a datapath or OpenFlow flow with packet and byte counters';
  const match = dp !== null ? line.slice(0, dp.index).replace(/^ufid:\S+,?\s*/, '') : line;
  const inPort =
    dp !== null ? /\bin_port\(([^)]+)\)/.exec(match)?.[1] : /\bin_port="?([^,\s"]+)"?/.exec(line)?.[1];
  const labels: Record<string, string> = {};
  const offloaded = /\boffloaded:(\w+)/.exec(line)?.[1];
  if (offloaded !== undefined) labels.offloaded = offloaded;
  const datapath = /\bdp:(\w+)/.exec(line)?.[1];
  if (datapath !== undefined) labels.dp = datapath;
  const names: [string, string][] = [
    ['ovs_flow_packets', stats[1]!],
    ['ovs_flow_bytes', stats[2]!],
  ];
  const offPackets = /\bn_offload_packets=(\d+)/.exec(line);
  const offBytes = /\bn_offload_bytes=(\d+)/.exec(line);
  if (offPackets !== null) names.push(['ovs_flow_offload_packets', offPackets[1]!]);
  if (offBytes !== null) names.push(['ovs_flow_offload_bytes', offBytes[1]!]);
  const actions = /\bactions[:=](.*)$/.exec(line)?.[1];
  return names.map(([name, value]) => {
    const s = counter('ovs-flows', name, Number(value), inPort);
    if (Object.keys(labels).length > 0) s.labels = { ...labels };
    s.extra = { 'dpu.ovs.flow.match': match.replace(/,\s*$/, '') };
    if (dp !== null) s.extra['dpu.ovs.flow.used'] = dp[3]!;
    if (actions !== undefined) s.extra['dpu.ovs.flow.actions'] = actions;
    return s;
  });
}

/* ------------------------------------------------------------------ ovs-vsctl list interface ---- */

const VSCTL_KEY_RE = /^([a-z_]+)\s*:\s?(.*)$/;
const VSCTL_START_RE = /^(?:_uuid|[a-z_]+)\s+:\s/;
const MAP_PAIR_RE = /([\w.:-]+)=("(?:[^"\\]|\\.)*"|[^,}]*)/g;

function parseVsctlInterface(record: string): Sample[] | string {
  const fields: Record<string, string> = {};
  for (const line of record.split('\n')) {
    const m = VSCTL_KEY_RE.exec(line.trimEnd());
    if (m !== null) fields[m[1]!] = m[2]!.trim();
  }
  const name = fields.name?.replace(/^"(.*)"$/, '$1');
  if (name === undefined || name === '') return 'ovs-vsctl interface record without its name column';
  const samples: Sample[] = [];
  const stats = fields.statistics ?? '';
  MAP_PAIR_RE.lastIndex = 0;
  for (let m = MAP_PAIR_RE.exec(stats); m !== null; m = MAP_PAIR_RE.exec(stats)) {
    const text = m[2]!.trim();
    if (DIGITS_RE.test(text)) samples.push(counter('ovs-vsctl-interface', m[1]!, Number(text), name));
  }
  if (DIGITS_RE.test(fields.link_resets ?? '')) {
    samples.push(counter('ovs-vsctl-interface', 'link_resets', Number(fields.link_resets), name));
  }
  if (DIGITS_RE.test(fields.link_speed ?? '')) {
    samples.push(counter('ovs-vsctl-interface', 'link_speed', Number(fields.link_speed), name, 'gauge'));
  }
  if (samples.length === 0) return `ovs-vsctl interface ${name} has no statistics`;
  const ofport = Number(fields.ofport);
  if (Number.isInteger(ofport) && ofport >= 0)
    for (const s of samples) s.extra = { 'dpu.ovs.ofport': ofport };
  return samples;
}

/* --------------------------------------------------------- DPDK testpmd and l2fwd statistics ---- */

const TESTPMD_NIC_RE = /^\s*#+\s*NIC statistics for port (\d+)\s*#+\s*$/;
const TESTPMD_FWD_RE = /^\s*-+\s*Forward statistics for port (\d+)\s*-+\s*$/;
const TESTPMD_STREAM_RE =
  /^\s*-+\s*Forward Stats for RX Port=\s*(\d+)\/Queue=\s*(\d+) -> TX Port=\s*(\d+)\/Queue=\s*(\d+)\s*-+\s*$/;
const TOKEN_PAIR_RE = /([A-Za-z][A-Za-z-]*):\s*(\d+)/g;
/** Throughput lines are rates at print time: gauges. */
const RATE_RE = /^[rt]x_[bp]ps$/;

function parseTestpmd(record: string): Sample[] | string {
  const lines = record.split('\n');
  const first = lines[0]!;
  const nic = TESTPMD_NIC_RE.exec(first);
  const fwd = nic === null ? TESTPMD_FWD_RE.exec(first) : null;
  const stream = nic === null && fwd === null ? TESTPMD_STREAM_RE.exec(first) : null;
  const portId = (nic ?? fwd ?? stream)![1]!;
  const prefix = nic !== null ? '' : fwd !== null ? 'fwd_' : 'fwd_stream_';
  const samples: Sample[] = [];
  for (const line of lines.slice(1)) {
    TOKEN_PAIR_RE.lastIndex = 0;
    for (let m = TOKEN_PAIR_RE.exec(line); m !== null; m = TOKEN_PAIR_RE.exec(line)) {
      const name = prefix + m[1]!.toLowerCase().replace(/-/g, '_');
      const s = counter(
        'dpdk-testpmd',
        name,
        Number(m[2]),
        `port${portId}`,
        RATE_RE.test(name) ? 'gauge' : 'counter',
      );
      s.extra = { 'dpu.dpdk.port_id': Number(portId) };
      if (stream !== null) {
        s.labels = { rx_queue: stream[2]!, tx_port: stream[3]!, tx_queue: stream[4]! };
      }
      samples.push(s);
    }
  }
  return samples.length > 0 ? samples : `testpmd statistics block for port ${portId} has no counters`;
}

const L2FWD_HEAD_RE = /^\s*Statistics for port (\d+) -+\s*$/;
const L2FWD_LINE_RE = /^\s*Packets (sent|received|dropped):\s*(\d+)\s*$/;
// examples/l2fwd/main.c print_stats: `dropped` counts packets the TX buffer could not send.
const L2FWD_NAMES: Record<string, string> = {
  sent: 'tx_packets',
  received: 'rx_packets',
  dropped: 'tx_dropped',
};

function parseL2fwd(record: string): Sample[] | string {
  const lines = record.split('\n');
  const portId = L2FWD_HEAD_RE.exec(lines[0]!)![1]!;
  const samples: Sample[] = [];
  for (const line of lines.slice(1)) {
    const m = L2FWD_LINE_RE.exec(line);
    if (m === null) continue;
    const s = counter('dpdk-l2fwd', L2FWD_NAMES[m[1]!]!, Number(m[2]), `port${portId}`);
    s.extra = { 'dpu.dpdk.port_id': Number(portId) };
    samples.push(s);
  }
  return samples.length > 0 ? samples : `l2fwd statistics block for port ${portId} has no counters`;
}

/** The shell dumps the metrics source reads, in the order the framer and decoder try them. */
export const CLI_FORMATS: readonly CliFormat[] = [
  { format: 'ip-link', start: IP_HEAD_RE, continues: /^\s+\S/, parse: parseIpLink },
  {
    format: 'ethtool',
    start: ETHTOOL_CMD_RE,
    continues: /^\s*NIC statistics:\s*$|^\s+\S.*:\s+-?\d+\s*$/,
    absorbs: ETHTOOL_HEAD_RE,
    parse: parseEthtool,
  },
  { format: 'ethtool', start: ETHTOOL_HEAD_RE, continues: /^\s+\S.*:\s+-?\d+\s*$/, parse: parseEthtool },
  { format: 'ovs-dpctl-show', start: DPCTL_HEAD_RE, continues: /^\s+\S/, parse: parseDpctlShow },
  { format: 'ovs-flows', start: FLOW_START_RE, parse: parseFlow },
  {
    format: 'dpdk-testpmd',
    start: TESTPMD_NIC_RE,
    continues: /\S/,
    closes: /^\s*#{10,}\s*$/,
    parse: parseTestpmd,
  },
  {
    format: 'dpdk-testpmd',
    start: TESTPMD_FWD_RE,
    continues: /\S/,
    closes: /^\s*-{10,}\s*$/,
    parse: parseTestpmd,
  },
  {
    format: 'dpdk-testpmd',
    start: TESTPMD_STREAM_RE,
    continues: /^\s*[A-Z]{2}-\w+:\s*\d/,
    parse: parseTestpmd,
  },
  { format: 'dpdk-l2fwd', start: L2FWD_HEAD_RE, continues: L2FWD_LINE_RE, parse: parseL2fwd },
  // Last: its key lines are the loosest pattern.
  {
    format: 'ovs-vsctl-interface',
    start: VSCTL_START_RE,
    continues: /^[a-z_]+\s*:/,
    parse: parseVsctlInterface,
  },
];

/** The CLI format whose header starts `firstLine`, if any. */
export function cliFormatOf(firstLine: string): CliFormat | undefined {
  for (const f of CLI_FORMATS) if (f.start.test(firstLine)) return f;
  return undefined;
}
