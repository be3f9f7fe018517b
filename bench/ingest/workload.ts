import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { topicFor } from '../../src/bus/types.js';
import { H } from '../../src/ingest/headers.js';
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
}

export interface Workload {
  records: BenchRecord[];
  /** Records per source id. */
  mix: Record<string, number>;
  /** Sources the mix wanted but the registry does not have yet. */
  missing: string[];
  topics: string[];
}

const FIXTURES =
  process.env.FAULTLINE_FIXTURES ?? resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
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

function record(
  source: Source,
  prefix: string,
  host: string,
  value: string,
  line: number,
  receivedAt: number,
): BenchRecord {
  // What IngestPublisher sends: the line as the only header; the topic names the source.
  return {
    topic: topicFor(source.dataset, prefix),
    key: host,
    value,
    headers: { [H.line]: String(line) },
    timestamp: receivedAt,
    source: source.id,
  };
}

/**
 * `total` records: about 80 % OpenStack log lines, 10 % SEL rows, 10 % DPU counter lines (the
 * shares of missing or unwanted sources go to OpenStack). Every record is unique, so every event id
 * is too. OpenStack and SEL records decode to one event each, a DPU line to one per counter (two).
 */
export function buildWorkload(
  total: number,
  options: { topicPrefix: string; hosts?: number; sources?: Array<'ipmi-sel' | 'dpu-metrics'> },
): Workload {
  const hosts = options.hosts ?? 500;
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

  const osLines = readFileSync(resolve(FIXTURES, 'loghub/OpenStack/OpenStack_2k.log'), 'utf8')
    .split(/\r?\n/)
    .filter((l) => OSLO_TIME.test(l));
  for (let i = 0; i < osShare; i++) {
    const rep = Math.floor(i / osLines.length);
    const line = osLines[i % osLines.length]!;
    // Each repetition is the same day's traffic an hour later; with the host varied per repetition.
    const moved = line.replace(OSLO_TIME, (_m, d: string, t: string, ms: string) =>
      osloTime(Date.parse(`${d}T${t}.${ms}Z`) + rep * 3_600_000),
    );
    const host = `compute-${(rep * 31 + (i % osLines.length) * 7) % hosts}`;
    records.push(record(openstack, options.topicPrefix, host, moved, (i % osLines.length) + 1, receivedAt));
  }

  if (sel !== undefined) {
    const rows = readFileSync(
      resolve(FIXTURES, 'bmc/ipmi-sel/linuxfabrik/ipmitool_sel_elist_chassis-intrusion.txt'),
      'utf8',
    )
      .split(/\r?\n/)
      .filter((l) => l.includes('|'));
    const start = Date.parse('2019-03-12T00:00:00Z');
    for (let i = 0; i < selShare; i++) {
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
      records.push(record(sel, options.topicPrefix, `compute-${i % hosts}`, row, i + 1, receivedAt));
    }
  }

  if (dpu !== undefined) {
    const start = Date.parse('2024-05-01T12:00:00Z');
    for (let i = 0; i < dpuShare; i++) {
      const host = `compute-${i % hosts}`;
      const value = JSON.stringify({
        timestamp: new Date(start + Math.floor(i / hosts) * 10_000).toISOString(),
        host,
        dpu: 'bf3-0',
        port: `p${i % 2}`,
        counters: { rx_bytes: 918_273_645 + i * 1500, rx_packets: 712_345 + i },
      });
      records.push(record(dpu, options.topicPrefix, host, value, i + 1, receivedAt));
    }
  }

  const mix: Record<string, number> = {};
  for (const r of records) mix[r.source] = (mix[r.source] ?? 0) + 1;
  return { records, mix, missing, topics: [...new Set(records.map((r) => r.topic))] };
}
