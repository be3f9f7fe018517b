import type { FaultEvent } from '../../../model/event.js';
import { baseEvent, toIso } from '../../event-builder.js';
import type { DecodeContext } from '../../types.js';

/** How a counter sample is to be read downstream: the engine computes rates only on counters. */
export type MetricType = 'counter' | 'gauge' | 'untyped';

/** Which wire format a sample came in, kept in `dpu.metric.format` for troubleshooting. */
export type MetricFormat =
  | 'prometheus'
  | 'json'
  | 'ovs-dump-ports'
  | 'ip-link'
  | 'ethtool'
  | 'ovs-dpctl-show'
  | 'ovs-flows'
  | 'ovs-vsctl-interface'
  | 'dpdk-testpmd'
  | 'dpdk-l2fwd';

/** One counter or gauge reading of one DPU/NIC port, in any of the supported formats. */
export interface Sample {
  name: string;
  /** Undefined when the exposition value is NaN or ±Inf (kept as text in `dpu.metric.non_finite`). */
  value: number | undefined;
  nonFinite?: string;
  type: MetricType;
  format: MetricFormat;
  labels?: Record<string, string>;
  host?: string;
  dpu?: string;
  port?: string;
  timeMs?: number;
  extra?: Record<string, unknown>;
}

// rx/tx byte and packet counters, however the exporter spells the direction.
const TRAFFIC_RE =
  /(?:^|_)(rx|tx|receive|transmit|received|transmitted|in|out)_(bytes|octets|packets|pkts)(?:_total)?$/;
const INGRESS = new Set(['rx', 'receive', 'received', 'in']);

/** Sample time, else receive time, else now: counters are always read "now" by their scraper. */
export function sampleTimestamp(timeMs: number | undefined, ctx: DecodeContext): string {
  if (timeMs !== undefined) {
    const iso = toIso(timeMs);
    if (iso !== undefined) return iso;
  }
  const received = ctx.receivedAt !== undefined ? toIso(ctx.receivedAt) : undefined;
  return received ?? new Date().toISOString();
}

function renderLabels(labels: Record<string, string> | undefined): string {
  if (labels === undefined) return '';
  let out = '';
  for (const k in labels) out += `${out === '' ? '' : ','}${k}="${labels[k]}"`;
  return out === '' ? '' : `{${out}}`;
}

/** The event's message: `[port ]name{labels} value` (Prometheus samples name no port in it). */
export function sampleMessage(sample: Sample): string {
  const shown = sample.value === undefined ? (sample.nonFinite ?? 'NaN') : String(sample.value);
  return `${sample.port !== undefined && sample.format !== 'prometheus' ? `${sample.port} ` : ''}${sample.name}${renderLabels(sample.labels)} ${shown}`;
}

/** ECS traffic fields of an rx/tx byte or packet counter: direction and which of the two it counts. */
export function sampleTraffic(
  sample: Sample,
): { direction: 'ingress' | 'egress'; field: 'network.bytes' | 'network.packets' } | undefined {
  if (sample.type === 'gauge' || sample.value === undefined) return undefined;
  const m = TRAFFIC_RE.exec(sample.name);
  if (m === null) return undefined;
  return {
    direction: INGRESS.has(m[1]!) ? 'ingress' : 'egress',
    field: m[2] === 'bytes' || m[2] === 'octets' ? 'network.bytes' : 'network.packets',
  };
}

/**
 * The normalized event of one sample: `dpu.metric.*` always, ECS `network.bytes`/`network.packets`
 * with `network.direction` for rx/tx byte and packet counters, and the DPU (`observer.*`), port
 * (`interface.name`) and host the sample is about.
 */
export function sampleEvent(
  sample: Sample,
  original: string,
  ctx: DecodeContext,
  discriminator: string | undefined,
): FaultEvent {
  const event = baseEvent(
    {
      source: 'dpu-metrics',
      dataset: 'dpu.metrics',
      original,
      timestamp: sampleTimestamp(sample.timeMs, ctx),
      severity: 6,
      message: sampleMessage(sample),
      kind: 'metric',
      ...(discriminator !== undefined ? { discriminator } : {}),
    },
    ctx,
  );
  event['observer.type'] = 'dpu';
  if (sample.dpu !== undefined) event['observer.name'] = sample.dpu;
  if (sample.host !== undefined) event['host.name'] = sample.host;
  if (sample.port !== undefined) event['interface.name'] = sample.port;
  event['dpu.metric.name'] = sample.name;
  if (sample.value !== undefined) event['dpu.metric.value'] = sample.value;
  else event['dpu.metric.non_finite'] = sample.nonFinite ?? 'NaN';
  event['dpu.metric.type'] = sample.type;
  event['dpu.metric.format'] = sample.format;
  if (sample.labels !== undefined) event['dpu.metric.labels'] = sample.labels;
  if (sample.extra !== undefined) {
    for (const key in sample.extra) event[key as `dpu.${string}`] = sample.extra[key];
  }
  const traffic = sampleTraffic(sample);
  if (traffic !== undefined) {
    event['network.direction'] = traffic.direction;
    event[traffic.field] = sample.value;
  }
  return event;
}
