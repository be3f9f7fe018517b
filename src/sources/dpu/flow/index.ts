import type { FaultEvent } from '../../../model/event.js';
import { baseEvent, toIso } from '../../event-builder.js';
import { lineFramer } from '../../framing.js';
import { type DecodeContext, type DecodeResult, decoded, rejected, type Source } from '../../types.js';
import { communityId } from './community-id.js';
import { parseLineProtocol } from './line-protocol.js';
import { type Flow, type FlowError, TRANSPORT_NAMES, toFlow } from './record.js';

const ICMP = 1;
const ICMPV6 = 58;

function isError(v: Flow | FlowError): v is FlowError {
  return 'reason' in v;
}

type Parsed = { ok: true; flow: Flow; pointMs?: number } | ({ ok: false } & FlowError);

function parseRecord(payload: string): Parsed {
  const first = payload.charCodeAt(0);
  if (first === 123 || first === 91) {
    let doc: unknown;
    try {
      doc = JSON.parse(payload);
    } catch (error) {
      return { ok: false, reason: `invalid JSON: ${(error as Error).message}`, path: '$' };
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      return { ok: false, reason: 'expected a JSON object (one flow record a line)', path: '$' };
    }
    const flow = toFlow(doc as Record<string, unknown>, payload);
    return isError(flow) ? { ok: false, ...flow } : { ok: true, flow };
  }
  const point = parseLineProtocol(payload);
  if (typeof point === 'string') {
    return { ok: false, reason: `neither a JSON flow record nor Telegraf line protocol: ${point}`, path: '' };
  }
  if (point.measurement !== 'netflow') {
    return {
      ok: false,
      reason: `Telegraf measurement ${point.measurement} is not a flow record`,
      path: point.measurement,
    };
  }
  const flow = toFlow(point.fields, payload, point);
  if (isError(flow)) return { ok: false, ...flow };
  // Telegraf stamps points in ns; 19 digits exceed a double's precision, but not at ms resolution.
  const pointMs = point.timestampNs !== undefined ? Number(point.timestampNs) / 1e6 : undefined;
  return pointMs !== undefined ? { ok: true, flow, pointMs } : { ok: true, flow };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : toIso(ms);
}

/**
 * ICMP type and code: from the record's own fields, else from the destination port, where NetFlow
 * exporters put `type * 256 + code`.
 */
function icmpOf(flow: Flow): { type: number; code: number } | undefined {
  if (flow.icmpType !== undefined) return { type: flow.icmpType, code: flow.icmpCode ?? 0 };
  if (flow.dstPort !== undefined) return { type: flow.dstPort >> 8, code: flow.dstPort & 0xff };
  return undefined;
}

function flowEvent(flow: Flow, pointMs: number | undefined, payload: string, ctx: DecodeContext): FaultEvent {
  const timestamp =
    iso(flow.endMs) ??
    iso(flow.startMs) ??
    iso(flow.receivedMs) ??
    iso(pointMs) ??
    (ctx.receivedAt !== undefined ? toIso(ctx.receivedAt) : undefined) ??
    new Date().toISOString();
  const proto = flow.proto;
  const transport = proto === undefined ? undefined : (TRANSPORT_NAMES[proto] ?? String(proto));
  const isIcmp = proto === ICMP || proto === ICMPV6;
  const icmp = isIcmp ? icmpOf(flow) : undefined;
  const rate = flow.samplingRate !== undefined && flow.samplingRate > 1 ? flow.samplingRate : 1;
  const src = flow.src!;
  const dst = flow.dst!;
  const ends = isIcmp
    ? `${src.text} → ${dst.text}${icmp !== undefined ? ` type ${icmp.type} code ${icmp.code}` : ''}`
    : `${src.text}${flow.srcPort !== undefined ? `:${flow.srcPort}` : ''} → ${dst.text}${flow.dstPort !== undefined ? `:${flow.dstPort}` : ''}`;
  const volume = `${flow.bytes ?? '?'} bytes ${flow.packets ?? '?'} packets${rate > 1 ? ` (1:${rate} sampled)` : ''}`;

  const event = baseEvent(
    {
      source: 'dpu-flow',
      dataset: 'dpu.flow',
      original: payload,
      timestamp,
      severity: 6,
      message: `${transport ?? 'ip'} ${ends} ${volume}`,
    },
    ctx,
  );
  event['event.category'] = ['network'];
  event['event.type'] = ['connection'];
  event['observer.type'] = 'dpu';
  if (flow.dpu !== undefined) event['observer.name'] = flow.dpu;
  if (flow.host !== undefined) event['host.name'] = flow.host;
  event['source.ip'] = src.text;
  event['destination.ip'] = dst.text;
  if (!isIcmp) {
    if (flow.srcPort !== undefined) event['source.port'] = flow.srcPort;
    if (flow.dstPort !== undefined) event['destination.port'] = flow.dstPort;
  } else if (icmp !== undefined) {
    event['dpu.flow.icmp.type'] = icmp.type;
    event['dpu.flow.icmp.code'] = icmp.code;
  }
  if (proto !== undefined) {
    event['network.iana_number'] = String(proto);
    event['network.transport'] = transport!;
  }
  // Raw counts are what the exporter saw; network.* is the estimate of real traffic (× 1/rate).
  if (flow.bytes !== undefined) {
    event['dpu.flow.bytes'] = flow.bytes;
    event['network.bytes'] = flow.bytes * rate;
  }
  if (flow.packets !== undefined) {
    event['dpu.flow.packets'] = flow.packets;
    event['network.packets'] = flow.packets * rate;
  }
  if (flow.samplingRate !== undefined) event['dpu.flow.sampling_rate'] = flow.samplingRate;
  if (flow.vlan !== undefined && flow.vlan > 0) event['network.vlan.id'] = String(flow.vlan);
  if (flow.vni !== undefined) event['network.vni'] = flow.vni;
  if (flow.direction !== undefined) event['network.direction'] = flow.direction;
  if (proto !== undefined) {
    const cid = communityId({
      src: src.bytes,
      dst: dst.bytes,
      proto,
      ...(isIcmp
        ? icmp !== undefined
          ? { srcPort: icmp.type, dstPort: icmp.code }
          : {}
        : flow.srcPort !== undefined && flow.dstPort !== undefined
          ? { srcPort: flow.srcPort, dstPort: flow.dstPort }
          : {}),
    });
    if (cid !== undefined) event['network.community_id'] = cid;
  }
  const start = iso(flow.startMs);
  const end = iso(flow.endMs);
  if (start !== undefined) event['dpu.flow.start'] = start;
  if (end !== undefined) event['dpu.flow.end'] = end;
  event['dpu.flow.format'] = flow.format;
  if (flow.exporterType !== undefined) event['dpu.flow.type'] = flow.exporterType;
  if (flow.exporter !== undefined) event['dpu.flow.exporter'] = flow.exporter;
  if (flow.sequence !== undefined) event['dpu.flow.sequence_num'] = flow.sequence;
  if (flow.inIf !== undefined) event['dpu.flow.in_if'] = flow.inIf;
  if (flow.outIf !== undefined) event['dpu.flow.out_if'] = flow.outIf;
  if (flow.srcMac !== undefined) event['dpu.flow.src_mac'] = flow.srcMac;
  if (flow.dstMac !== undefined) event['dpu.flow.dst_mac'] = flow.dstMac;
  if (flow.tcpFlags !== undefined) event['dpu.flow.tcp_flags'] = flow.tcpFlags;
  return event;
}

function decodeFlow(payload: string, ctx: DecodeContext): DecodeResult {
  const parsed = parseRecord(payload);
  if (!parsed.ok) return parsed.path === '' ? rejected(parsed.reason) : rejected(parsed.reason, parsed.path);
  const { flow, pointMs } = parsed;
  if (flow.src === undefined || flow.dst === undefined) {
    const counters = payload.includes('in_errors') || payload.includes('in_dropped');
    return rejected(
      `not a flow record: no source and destination address${counters ? ' (an interface counter sample)' : ''}`,
      flow.format === 'telegraf' ? 'netflow' : '$',
    );
  }
  if (flow.src.bytes.length !== flow.dst.bytes.length) {
    return rejected(
      'source and destination addresses are of different IP versions',
      flow.format === 'telegraf' ? 'dst' : '$',
    );
  }
  return decoded(flowEvent(flow, pointMs, payload, ctx));
}

/**
 * Flow records from DPUs and flow collectors, one a line: JSON in goflow2's field naming (v2
 * snake_case and v1 PascalCase) or in IPFIX information-element names, and Telegraf netflow line
 * protocol. Each becomes one `dpu.flow` event with ECS `source.*`, `destination.*`, `network.*`
 * (bytes and packets scaled by the sampling rate; raw counts in `dpu.flow.*`), the VXLAN VNI and
 * the Community ID v1. Binary NetFlow/IPFIX/sFlow packets are for a collector to decode first.
 */
export const dpuFlowSource: Source = {
  id: 'dpu-flow',
  dataset: 'dpu.flow',
  description:
    'Flow records (goflow2 / IPFIX JSON lines, Telegraf netflow) with ECS network fields and Community ID',
  contentType: 'application/x-ndjson',
  createFramer: lineFramer,
  decode: decodeFlow,
};
