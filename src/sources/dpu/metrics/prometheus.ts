import type { MetricType, Sample } from './sample.js';

/** A record is either one sample line, or `# TYPE family type` + `\n` + one sample line (see framer). */
export const TYPE_LINE_RE = /^#\s*TYPE\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s+([a-z]+)\s*$/;
const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const VALUE_RE = /^\s+(\S+)(?:\s+(-?\d+))?\s*(?:#.*)?$/;
const NUMBER_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

const PORT_LABELS = ['device', 'interface', 'port', 'ifname', 'iface', 'port_name', 'interface_name'];
const HOST_LABELS = ['host', 'hostname', 'nodename', 'node'];
const DPU_LABELS = ['dpu', 'dpu_name', 'smartnic', 'nic'];

/** Suffixes a histogram or summary family adds to its sample names. */
const FAMILY_SUFFIX_RE = /_(?:bucket|count|sum|created|total)$/;

/** The family a sample name belongs to, for looking up its `# TYPE`. */
export function familyOf(name: string): string {
  return name.replace(FAMILY_SUFFIX_RE, '');
}

function metricType(name: string, declared: string | undefined): MetricType {
  switch (declared) {
    case 'counter':
      return 'counter';
    case 'gauge':
    case 'info':
    case 'stateset':
      return 'gauge';
    case 'histogram':
    case 'summary':
    case 'gaugehistogram':
      // Buckets, _count and _sum only grow; the quantile samples of a summary are point values.
      return FAMILY_SUFFIX_RE.test(name) ? 'counter' : 'gauge';
    default:
      // Untyped (node_exporter's ethtool stats) or no TYPE line: OpenMetrics' _total suffix is the
      // one reliable sign of a counter; anything else stays untyped rather than guessed.
      return /_total$|_count$|_sum$|_bucket$/.test(name) ? 'counter' : 'untyped';
  }
}

function parseValue(text: string): { value?: number; nonFinite?: string } | undefined {
  if (NUMBER_RE.test(text)) return { value: Number(text) };
  if (text === 'NaN') return { nonFinite: 'NaN' };
  if (text === '+Inf' || text === 'Inf') return { nonFinite: '+Inf' };
  if (text === '-Inf') return { nonFinite: '-Inf' };
  return undefined;
}

/** `a="x",b="y\"z"` → labels; the index after the closing `}`, or an error text. */
function parseLabels(line: string, open: number, labels: Record<string, string>): number | string {
  let i = open + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return i + 1;
    const nameStart = i;
    while (i < line.length && line[i] !== '=' && line[i] !== '}' && line[i] !== ' ') i++;
    const name = line.slice(nameStart, i);
    if (name === '' || line[i] !== '=' || line[i + 1] !== '"')
      return `malformed label at column ${nameStart + 1}`;
    i += 2;
    let value = '';
    for (;;) {
      if (i >= line.length) return 'unterminated label value';
      const c = line[i];
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    labels[name] = value;
    i++;
  }
}

function firstLabel(labels: Record<string, string>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = labels[k];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/**
 * One Prometheus / OpenMetrics text-exposition sample line, optionally preceded by its family's
 * `# TYPE` line. Returns the sample or the reason it is not one.
 */
export function parsePrometheus(payload: string): Sample | string {
  let declared: string | undefined;
  let line = payload;
  if (payload.charCodeAt(0) === 35) {
    const nl = payload.indexOf('\n');
    const typeLine = TYPE_LINE_RE.exec(nl === -1 ? payload : payload.slice(0, nl));
    if (typeLine === null || nl === -1) return 'a comment line is not a sample';
    declared = typeLine[2];
    line = payload.slice(nl + 1);
  }
  const name = NAME_RE.exec(line)?.[0];
  if (name === undefined) return 'not a Prometheus sample: no metric name';
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    const end = parseLabels(line, i, labels);
    if (typeof end === 'string') return end;
    i = end;
  }
  const rest = VALUE_RE.exec(line.slice(i));
  if (rest === null) return `no value after ${name}`;
  const parsed = parseValue(rest[1]!);
  if (parsed === undefined) return `value ${JSON.stringify(rest[1])} is not a number`;
  const sample: Sample = {
    name,
    value: parsed.value,
    type: metricType(name, declared),
    format: 'prometheus',
  };
  if (parsed.nonFinite !== undefined) sample.nonFinite = parsed.nonFinite;
  if (rest[2] !== undefined) sample.timeMs = Number(rest[2]);
  let any = false;
  for (const _ in labels) {
    any = true;
    break;
  }
  if (any) {
    sample.labels = labels;
    const port = firstLabel(labels, PORT_LABELS);
    if (port !== undefined) sample.port = port;
    const dpu = firstLabel(labels, DPU_LABELS);
    if (dpu !== undefined) sample.dpu = dpu;
    const host = firstLabel(labels, HOST_LABELS);
    if (host !== undefined) sample.host = host;
    else if (labels.instance !== undefined && labels.instance !== '') {
      // Prometheus' instance label is host:port of the scrape target.
      sample.host = labels.instance.replace(/:\d+$/, '');
    }
  }
  return sample;
}
