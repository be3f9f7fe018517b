import type { FaultEvent } from '../../../model/event.js';
import { type DecodeContext, type DecodeResult, rejected, type Source } from '../../types.js';
import { cliFormatOf, parseIpJson } from './cli-dumps.js';
import { metricsFramer } from './framer.js';
import { parseJsonSamples } from './json-lines.js';
import { OVS_PORT_RE, parseOvsPorts } from './ovs.js';
import { parsePrometheus } from './prometheus.js';
import { type Sample, sampleEvent } from './sample.js';

const ANSI_RE = /\u001b\[[0-9;]*[A-Za-z]/g;
const stripAnsi = (text: string) => (text.includes('\u001b') ? text.replace(ANSI_RE, '') : text);

function eventsOf(parsed: Sample[] | string, payload: string, ctx: DecodeContext): DecodeResult {
  if (typeof parsed === 'string') return rejected(parsed);
  const events: FaultEvent[] = [];
  // One record may hold several ports (dpctl/show, ip -j): the port is part of each sample's identity.
  for (const s of parsed) events.push(sampleEvent(s, payload, ctx, `${s.port ?? ''}:${s.name}`));
  return { ok: true, events };
}

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
  if (first === 91 /* [ */) return eventsOf(parseIpJson(payload), payload, ctx);
  const nl = payload.indexOf('\n');
  const cli = cliFormatOf(stripAnsi(nl === -1 ? payload : payload.slice(0, nl)));
  if (cli !== undefined) return eventsOf(cli.parse(payload), payload, ctx);
  const sample = parsePrometheus(payload);
  if (typeof sample === 'string') return rejected(sample);
  return { ok: true, events: [sampleEvent(sample, payload, ctx, undefined)] };
}

/**
 * DPU and NIC port counters: Prometheus text exposition (node_exporter netdev/ethtool, OVS
 * exporters), JSON lines (schema in json-lines.ts), `ovs-ofctl dump-ports` blocks, and the shell
 * dumps operators paste (cli-dumps.ts): `ip -s -s link`, `ethtool -S`, `ovs-appctl dpctl/show`
 * and `dpctl/dump-flows`, `ovs-ofctl dump-flows`, `ovs-vsctl list interface`, DPDK testpmd and
 * l2fwd port statistics. Every sample
 * is one `event.kind: metric` event with `dpu.metric.{name,value,type}`, tagged with the DPU
 * (`observer.*`), the port (`interface.name`) and the host. Counters stay raw counters: rates are
 * the engine's job, which sees resets and gaps a decoder cannot.
 */
export const dpuMetricsSource: Source = {
  id: 'dpu-metrics',
  dataset: 'dpu.metrics',
  description:
    'DPU/NIC port counters: Prometheus exposition, JSON lines, ovs-ofctl dump-ports, ip -s -s link, ethtool -S, ovs-appctl dpctl/show and dump-flows, ovs-vsctl list interface, DPDK testpmd/l2fwd stats',
  contentType: 'text/plain',
  createFramer: metricsFramer,
  decode: decodeMetrics,
};
