import type { PortCounters } from '../types.js';
import { isoTime } from './time.js';

/**
 * One JSON counter line of a DPU port (the schema in src/sources/dpu/metrics/json-lines.ts; names as
 * `ethtool -S` of mlx5 and the kernel's netdev statistics call them).
 */
export function counterLine(
  time: number,
  host: string,
  dpu: string,
  port: string,
  c: PortCounters,
  gauges: Record<string, number>,
): string {
  return JSON.stringify({
    timestamp: isoTime(time),
    host,
    dpu,
    port,
    counters: {
      rx_bytes: c.rxBytes,
      tx_bytes: c.txBytes,
      rx_packets: c.rxPackets,
      tx_packets: c.txPackets,
      rx_dropped: c.rxDropped,
      tx_dropped: c.txDropped,
      rx_errors: c.rxErrors,
      rx_crc_errors_phy: c.rxCrcErrors,
      rx_out_of_buffer: c.rxMissed,
      carrier_changes: c.carrierChanges,
    },
    gauges: { ...gauges, oper_state: c.up ? 1 : 0 },
  });
}

export interface FlowSample {
  start: number;
  end: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  proto: number;
  bytes: number;
  packets: number;
  vni: number;
  inIf: number;
  exporter: string;
  sequence: number;
  host: string;
  dpu: string;
}

/** One flow in goflow2 v2's JSON field names (snake_case), as the DPU's flow exporter ships it. */
export function flowLine(f: FlowSample): string {
  return JSON.stringify({
    type: 'IPFIX',
    time_received_ns: f.end * 1e6,
    sequence_num: f.sequence,
    sampling_rate: 0,
    sampler_address: f.exporter,
    time_flow_start_ns: f.start * 1e6,
    time_flow_end_ns: f.end * 1e6,
    bytes: f.bytes,
    packets: f.packets,
    src_addr: f.src,
    dst_addr: f.dst,
    etype: 'IPv4',
    proto: f.proto,
    src_port: f.srcPort,
    dst_port: f.dstPort,
    in_if: f.inIf,
    out_if: 0,
    vni: f.vni,
    host: f.host,
    dpu: f.dpu,
  });
}
