import type { FaultEvent } from '../../../model/event.js';
import { type DecodeContext, type DecodeResult, rejected, type Source } from '../../types.js';
import { dpuMetricsDocumentFastPath } from './document-fast-path.js';
import { metricsFramer } from './framer.js';
import { parseJsonSamples } from './json-lines.js';
import { OVS_PORT_RE, parseOvsPorts } from './ovs.js';
import { parsePrometheus } from './prometheus.js';
import { sampleEvent } from './sample.js';

function decodeMetrics(payload: string, ctx: DecodeContext): DecodeResult {
  const first = payload.charCodeAt(0);
  if (first === 123) {
    const parsed = parseJsonSamples(payload);
    if (!Array.isArray(parsed)) return rejected(parsed.reason, parsed.path);
    const events: FaultEvent[] = [];
    for (const s of parsed) events.push(sampleEvent(s, payload, ctx, `${s.type}:${s.name}`));
    return { ok: true, events };
  }
  if ((first === 32 || first === 112) && OVS_PORT_RE.test(payload)) {
    const parsed = parseOvsPorts(payload);
    if (typeof parsed === 'string') return rejected(parsed);
    const events: FaultEvent[] = [];
    for (const s of parsed) events.push(sampleEvent(s, payload, ctx, s.name));
    return { ok: true, events };
  }
  const sample = parsePrometheus(payload);
  if (typeof sample === 'string') return rejected(sample);
  return { ok: true, events: [sampleEvent(sample, payload, ctx, undefined)] };
}

/**
 * DPU and NIC port counters: Prometheus text exposition (node_exporter netdev/ethtool, OVS
 * exporters), JSON lines (schema in json-lines.ts) and `ovs-ofctl dump-ports` blocks. Every sample
 * is one `event.kind: metric` event with `dpu.metric.{name,value,type}`, tagged with the DPU
 * (`observer.*`), the port (`interface.name`) and the host. Counters stay raw counters: rates are
 * the engine's job, which sees resets and gaps a decoder cannot.
 */
export const dpuMetricsSource: Source = {
  id: 'dpu-metrics',
  dataset: 'dpu.metrics',
  description: 'DPU/NIC port counters: Prometheus exposition, JSON lines, ovs-ofctl dump-ports',
  contentType: 'text/plain',
  createFramer: metricsFramer,
  decode: decodeMetrics,
  createDocumentFastPath: dpuMetricsDocumentFastPath,
};
