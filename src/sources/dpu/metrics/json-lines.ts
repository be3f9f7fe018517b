import type { Sample } from './sample.js';

/*
 * The JSON-lines counter schema, one object a line, for DPU agents that push instead of being
 * scraped (BlueField/DOCA telemetry exporters, ethtool or OVS pollers, the simulator):
 *
 * ```json
 * {"timestamp": "2024-05-01T12:00:00Z", "host": "compute-17", "dpu": "bf3-0", "port": "p0",
 *  "counters": {"rx_bytes": 918273645, "rx_packets": 712345, "rx_dropped": 12},
 *  "gauges": {"temperature_c": 61}, "labels": {"pf": "0"}}
 * ```
 *
 * - `timestamp`: RFC 3339 text, or epoch seconds / ms / µs / ns as a number (told apart by size);
 *   optional, the receive time otherwise.
 * - `host`: the server the DPU sits in; `dpu`: the DPU or NIC; `port`: the port, representor or
 *   netdev. All optional strings (`host` falls back to the transport's host). `node`, `interface`
 *   and `device` are accepted as aliases of `host`, `port` and `port`.
 * - `counters`: monotonically increasing non-negative integers, as numbers or decimal strings
 *   (uint64 counters past 2^53 are often sent as strings). `gauges`: point-in-time numbers.
 *   At least one of the two must hold a value; each entry becomes one event.
 * - `labels`: extra string labels copied to `dpu.metric.labels`.
 */
type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Epoch number of unknown unit: seconds until 1e11 (year 5138), then ms, µs, ns. */
function epochMs(n: number): number {
  if (n < 1e11) return n * 1000;
  if (n < 1e14) return n;
  if (n < 1e17) return n / 1000;
  return n / 1e6;
}

/** The samples of one JSON line, or why it breaks the schema, with the JSON path of the culprit. */
export function parseJsonSamples(payload: string): Sample[] | { reason: string; path: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(payload);
  } catch (error) {
    return { reason: `invalid JSON: ${(error as Error).message}`, path: '$' };
  }
  const d = obj(doc);
  if (d === undefined) return { reason: 'expected a JSON object with counters', path: '$' };
  let timeMs: number | undefined;
  if (d.timestamp !== undefined) {
    const t =
      typeof d.timestamp === 'number' && Number.isFinite(d.timestamp)
        ? epochMs(d.timestamp)
        : typeof d.timestamp === 'string'
          ? Date.parse(d.timestamp)
          : Number.NaN;
    if (!Number.isFinite(t) || Math.abs(t) > 8.64e15)
      return { reason: 'timestamp is not a time', path: '$.timestamp' };
    timeMs = t;
  }
  const host = text(d.host) ?? text(d.node);
  const dpu = text(d.dpu);
  const port = text(d.port) ?? text(d.interface) ?? text(d.device);
  let labels: Record<string, string> | undefined;
  if (d.labels !== undefined) {
    const l = obj(d.labels);
    if (l === undefined) return { reason: 'labels must be an object of strings', path: '$.labels' };
    labels = {};
    for (const k in l) {
      const v = l[k];
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        return { reason: 'labels must be an object of strings', path: `$.labels.${k}` };
      }
      labels[k] = String(v);
    }
  }
  const samples: Sample[] = [];
  for (const kind of ['counters', 'gauges'] as const) {
    if (d[kind] === undefined) continue;
    const group = obj(d[kind]);
    if (group === undefined) return { reason: `${kind} must be an object of numbers`, path: `$.${kind}` };
    for (const name in group) {
      const raw = group[name];
      const value =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^-?\d+(?:\.\d+)?$/.test(raw)
            ? Number(raw)
            : Number.NaN;
      if (!Number.isFinite(value))
        return { reason: `${kind}.${name} is not a number`, path: `$.${kind}.${name}` };
      if (kind === 'counters' && value < 0)
        return { reason: `counter ${name} is negative`, path: `$.${kind}.${name}` };
      const sample: Sample = { name, value, type: kind === 'counters' ? 'counter' : 'gauge', format: 'json' };
      if (timeMs !== undefined) sample.timeMs = timeMs;
      if (host !== undefined) sample.host = host;
      if (dpu !== undefined) sample.dpu = dpu;
      if (port !== undefined) sample.port = port;
      if (labels !== undefined) sample.labels = labels;
      samples.push(sample);
    }
  }
  if (samples.length === 0) return { reason: 'no counters or gauges in the record', path: '$' };
  return samples;
}
