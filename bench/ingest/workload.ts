import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BusMessage, topicFor } from '../../src/bus/types.js';
import { framesIn, packFrames, singleRecord } from '../../src/ingest/packing.js';
import { getSource } from '../../src/sources/registry.js';
import type { Source } from '../../src/sources/types.js';

/**
 * A realistic ingest mix, built from real records: the Loghub OpenStack sample repeated with its
 * timestamps moved and its hosts varied, IPMI SEL rows (ipmitool `sel elist`, from the shared
 * fixtures) and DPU JSON counter lines. A part is in the mix only if its source is registered.
 */

export interface BenchRecord {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
  /** Receive time, ms since epoch: the record timestamp, as the edge sets it. */
  timestamp: number;
  source: string;
  /** Lines (frames) the record carries: more than one when packed. */
  frames: number;
}

export interface Workload {
  records: BenchRecord[];
  /** Lines (frames) per source id. */
  mix: Record<string, number>;
  /** Sources the mix wanted but the registry does not have yet. */
  missing: string[];
  topics: string[];
}

const FIXTURES = resolve(import.meta.dirname, '..', '..', 'test', 'fixtures');
const OSLO_TIME = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{3})/;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function osloTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

function selTime(ms: number): { date: string; time: string } {
  const d = new Date(ms);
  return {
    date: `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
}

/**
 * One upload of `lines` from one host, as IngestPublisher sends it: packed several lines to a record
 * (or one record per line with `pack: false`, as agents such as Fluent Bit write); the topic names
 * the source and the record timestamp carries the receive time.
 */
function upload(
  out: BenchRecord[],
  source: Source,
  prefix: string,
  host: string,
  lines: Array<{ payload: string; line: number }>,
  receivedAt: number,
  pack: boolean,
): void {
  const records = pack ? packFrames(lines) : lines.map(singleRecord);
  for (const r of records) {
    out.push({
      topic: topicFor(source.dataset, prefix),
      key: host,
      value: r.value,
      headers: r.headers,
      timestamp: receivedAt,
      source: source.id,
      frames: framesIn(r),
    });
  }
}

/**
 * `total` lines: about 80 % OpenStack log lines, 10 % SEL rows, 10 % DPU counter lines (the shares
 * of missing or unwanted sources go to OpenStack), in uploads the way hosts send them: 500 log lines
 * of one host's file, one host's SEL of 100 rows, one scrape of a DPU's two ports. Every line is
 * unique, so every event id is too. OpenStack and SEL lines decode to one event each, a DPU line to
 * one per counter (two).
 */
export function buildWorkload(
  total: number,
  options: {
    topicPrefix: string;
    hosts?: number;
    sources?: Array<'ipmi-sel' | 'dpu-metrics'>;
    /** Several lines per bus record, as the edge sends them (default); false: one record per line. */
    pack?: boolean;
  },
): Workload {
  const hosts = options.hosts ?? 500;
  const pack = options.pack ?? true;
  const receivedAt = Date.now();
  const openstack = getSource('openstack-log');
  if (openstack === undefined) throw new Error('the openstack-log source is not registered');
  const wanted = (id: 'ipmi-sel' | 'dpu-metrics') =>
    options.sources === undefined || options.sources.includes(id);
  const sel = wanted('ipmi-sel') ? getSource('ipmi-sel') : undefined;
  const dpu = wanted('dpu-metrics') ? getSource('dpu-metrics') : undefined;
  const missing = [
    wanted('ipmi-sel') && sel === undefined ? 'ipmi-sel' : '',
    wanted('dpu-metrics') && dpu === undefined ? 'dpu-metrics' : '',
  ].filter((s) => s !== '');
  const selShare = sel === undefined ? 0 : Math.floor(total * 0.1);
  const dpuShare = dpu === undefined ? 0 : Math.floor(total * 0.1);
  const osShare = total - selShare - dpuShare;
  const records: BenchRecord[] = [];
  const prefix = options.topicPrefix;
  /** Lines of `count`, in uploads of `size` lines from one host each. */
  const uploads = (
    source: Source,
    count: number,
    size: number,
    line: (i: number) => { payload: string; line: number; host: string },
  ) => {
    for (let from = 0; from < count; from += size) {
      const lines = [];
      for (let i = from; i < Math.min(count, from + size); i++) lines.push(line(i));
      upload(records, source, prefix, lines[0]!.host, lines, receivedAt, pack);
    }
  };

  const osLines = readFileSync(resolve(FIXTURES, 'loghub/OpenStack/OpenStack_2k.log'), 'utf8')
    .split(/\r?\n/)
    .filter((l) => OSLO_TIME.test(l));
  // Each repetition of the sample is the same day's traffic an hour later; every 500 lines of it
  // come from another host.
  uploads(openstack, osShare, 500, (i) => {
    const rep = Math.floor(i / osLines.length);
    const moved = osLines[i % osLines.length]!.replace(OSLO_TIME, (_m, d: string, t: string, ms: string) =>
      osloTime(Date.parse(`${d}T${t}.${ms}Z`) + rep * 3_600_000),
    );
    return { payload: moved, line: (i % osLines.length) + 1, host: `compute-${Math.floor(i / 500) % hosts}` };
  });

  if (sel !== undefined) {
    const rows = readFileSync(
      resolve(FIXTURES, 'bmc/ipmi-sel/linuxfabrik/ipmitool_sel_elist_chassis-intrusion.txt'),
      'utf8',
    )
      .split(/\r?\n/)
      .filter((l) => l.includes('|'));
    const start = Date.parse('2019-03-12T00:00:00Z');
    uploads(sel, selShare, 100, (i) => {
      const cols = rows[i % rows.length]!.split('|').map((c) => c.trim());
      const { date, time } = selTime(start + i * 37_000);
      const row = [
        Number(i + 1)
          .toString(16)
          .padStart(4, ' '),
        date,
        time,
        ...cols.slice(3),
      ].join(' | ');
      return { payload: row, line: (i % 100) + 1, host: `compute-${Math.floor(i / 100) % hosts}` };
    });
  }

  if (dpu !== undefined) {
    const start = Date.parse('2024-05-01T12:00:00Z');
    uploads(dpu, dpuShare, 2, (i) => {
      const host = `compute-${Math.floor(i / 2) % hosts}`;
      const payload = JSON.stringify({
        timestamp: new Date(start + Math.floor(i / (2 * hosts)) * 10_000).toISOString(),
        host,
        dpu: 'bf3-0',
        port: `p${i % 2}`,
        counters: { rx_bytes: 918_273_645 + i * 1500, rx_packets: 712_345 + i },
      });
      return { payload, line: (i % 2) + 1, host };
    });
  }

  const mix: Record<string, number> = {};
  for (const r of records) mix[r.source] = (mix[r.source] ?? 0) + r.frames;
  return { records, mix, missing, topics: [...new Set(records.map((r) => r.topic))] };
}

/** The workload's records as a consumer is handed them (all on partition 0, offsets in order). */
export function asDeliveredRecords(records: readonly BenchRecord[]): BusMessage[] {
  return records.map((r, i) => ({
    topic: r.topic,
    partition: 0,
    offset: String(i),
    key: r.key,
    value: Buffer.from(r.value),
    headers: r.headers,
    timestamp: r.timestamp,
  }));
}
