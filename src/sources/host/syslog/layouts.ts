import type { SeverityCode } from '../../../model/event.js';
import { isoMs, monthIndex, utcMs, withInferredYear } from './time.js';

/** Which layout a line was read with; tests and dashboards group by it (`syslog.layout`). */
export type Layout =
  | 'rfc5424'
  | 'rfc3164'
  | 'iso'
  | 'thunderbird'
  | 'hpc'
  | 'hdfs'
  | 'dmesg'
  | 'ras-mc-ctl'
  | 'plain';

/** What a layout parser pulls out of one line; everything but the message is optional. */
export interface ParsedLine {
  layout: Layout;
  /** Epoch ms of the event, when the line carries a usable time. */
  timeMs?: number;
  /** The line had no year: `timeMs` has the one withInferredYear chose. */
  yearInferred?: boolean;
  host?: string;
  /** The syslog TAG / APP-NAME as written (`sshd(pam_unix)`, `/usr/sbin/cron`). */
  program?: string;
  pid?: number;
  /** PRI facility (0–23) when the line had a `<PRI>`. */
  facility?: number;
  severity?: SeverityCode;
  /** The level word as the line writes it (`INFO`, `WARN`). */
  level?: string;
  message: string;
  /** Layout-specific extras, already namespaced under `syslog.*`. */
  extra?: Record<string, unknown>;
}

const LEVELS: Record<string, SeverityCode> = {
  EMERG: 0,
  EMERGENCY: 0,
  PANIC: 0,
  ALERT: 1,
  CRIT: 2,
  CRITICAL: 2,
  FATAL: 2,
  SEVERE: 3,
  ERR: 3,
  ERROR: 3,
  WARN: 4,
  WARNING: 4,
  NOTICE: 5,
  INFO: 6,
  DEBUG: 7,
  TRACE: 7,
};

const PRI_RE = /^<(\d{1,3})>/;
const RFC5424_HEAD_RE = /^(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) ?/;
const RFC3164_TIME_RE = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? +/;
const ISO_PREFIX_RE = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?) +/;
const SD_PARAM_RE = /(\S+?)="((?:[^"\\]|\\.)*)"/g;
const SD_ESCAPE_RE = /\\(["\\\]])/g;
// A TAG is one token; sysklogd alone writes its version after the name ("syslogd 1.4.1: restart.").
const TAG_RE = /^([^\s[\]:]{1,128}?(?: \d+(?:\.\d+)+)?)(?:\[(\d{1,10})\])?:(?: +|$)/;
const THUNDERBIRD_RE =
  /^(\S+) (\d{9,11}) (\d{4})\.(\d{2})\.(\d{2}) (\S+) ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}:\d{2}:\d{2}) (\S+) ?/;
const HPC_RE = /^(\d+) (\S+) (\S+) (\S+) (\d{9,10}) (-?\d+) ?/;
const HDFS_RE = /^(\d{2})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2}) (\d+) ([A-Z]+) ([^\s:]+): ?/;
const DMESG_UPTIME_RE = /^\[ *(\d+\.\d+)\] ?/;
const DMESG_CTIME_RE =
  /^\[(?:[A-Z][a-z]{2}) ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\] ?/;
const DMESG_RELTIME_RE = /^\[([A-Z][a-z]{2})(\d{1,2}) (\d{2}):(\d{2})\] ?/;
// rasdaemon's `ras-mc-ctl --errors` rows (util/ras-mc-ctl.in): `id YYYY-MM-DD HH:MM:SS ±zone rest`.
const RAS_ROW_RE = /^(\d+) (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2}) (.+)$/;
// `ras-mc-ctl --summary` rows, indented by a tab: `Corrected on DIMM Label(s): …`, `2 Corrected errors: …`.
const RAS_SUMMARY_RE = /^\s+(?:\w+ on DIMM Label\(s\): '|\d+ (?:Corrected|Uncorrected|Fatal|Deferred)\b)/;
const LEADING_LEVEL_RE =
  /^\[?(EMERG|ALERT|CRIT|CRITICAL|FATAL|SEVERE|ERR|ERROR|WARN|WARNING|NOTICE|INFO|DEBUG|TRACE)\]?(?::|\s|$)/;

/** `prog[pid]: msg` at the start of `text` into the parsed line; returns false when there is no tag. */
function takeTag(text: string, out: ParsedLine): boolean {
  const m = TAG_RE.exec(text);
  if (m === null) return false;
  out.program = m[1]!;
  if (m[2] !== undefined) out.pid = Number(m[2]);
  out.message = text.slice(m[0].length);
  return true;
}

/** A leading level word in a message ("INFO: rcu_sched detected stalls…"). */
function takeLeadingLevel(out: ParsedLine): void {
  const m = LEADING_LEVEL_RE.exec(out.message);
  if (m === null) return;
  out.level = m[1]!;
  out.severity = LEVELS[m[1]!];
}

/** `host tag: msg` after a syslog timestamp; a missing host is allowed (locally written 3164). */
function takeHostAndTag(rest: string, out: ParsedLine): void {
  if (takeTag(rest, out)) return;
  const sp = rest.indexOf(' ');
  if (sp <= 0) {
    out.message = rest;
    return;
  }
  out.host = rest.slice(0, sp);
  const afterHost = rest.slice(sp + 1);
  if (!takeTag(afterHost, out)) out.message = afterHost;
}

function rfc3164(text: string, refMs: number, out: ParsedLine): boolean {
  const m = RFC3164_TIME_RE.exec(text);
  if (m === null) return false;
  const month = monthIndex(m[1]!);
  const ms = m[6] === undefined ? 0 : Number(m[6].slice(0, 3).padEnd(3, '0'));
  const t = withInferredYear(month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), ms, refMs);
  if (t === undefined) return false;
  out.layout = 'rfc3164';
  out.timeMs = t;
  out.yearInferred = true;
  takeHostAndTag(text.slice(m[0].length), out);
  return true;
}

/** RFC 5424 STRUCTURED-DATA: `-` or `[id k="v" …]…`, with `\]`, `\"` and `\\` escaped in values. */
function structuredData(text: string): { sd?: Record<string, Record<string, string>>; rest: string } {
  if (text.startsWith('-')) return { rest: text.slice(text[1] === ' ' ? 2 : 1) };
  if (!text.startsWith('[')) return { rest: text };
  const sd: Record<string, Record<string, string>> = {};
  let i = 0;
  while (text[i] === '[') {
    const close = closingBracket(text, i);
    if (close === -1) return { rest: text };
    const element = text.slice(i + 1, close);
    const sp = element.indexOf(' ');
    const id = sp === -1 ? element : element.slice(0, sp);
    const params: Record<string, string> = {};
    SD_PARAM_RE.lastIndex = 0;
    let p: RegExpExecArray | null = SD_PARAM_RE.exec(element);
    while (p !== null) {
      params[p[1]!] = p[2]!.replace(SD_ESCAPE_RE, '$1');
      p = SD_PARAM_RE.exec(element);
    }
    sd[id] = params;
    i = close + 1;
  }
  return { sd, rest: text.slice(text[i] === ' ' ? i + 1 : i) };
}

function closingBracket(text: string, open: number): number {
  let inQuotes = false;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') inQuotes = !inQuotes;
    else if (c === ']' && !inQuotes) return i;
  }
  return -1;
}

/** RFC 5424 writes an absent header field as `-`. */
function nilValue(v: string): string | undefined {
  return v === '-' ? undefined : v;
}

function rfc5424(text: string, out: ParsedLine): boolean {
  const m = RFC5424_HEAD_RE.exec(text);
  if (m === null) return false;
  const timestamp = m[2]!;
  let t: number | undefined;
  if (timestamp !== '-') {
    t = isoMs(timestamp);
    if (t === undefined) return false;
  }
  out.layout = 'rfc5424';
  if (t !== undefined) out.timeMs = t;
  const host = nilValue(m[3]!);
  const app = nilValue(m[4]!);
  const procid = nilValue(m[5]!);
  const msgid = nilValue(m[6]!);
  if (host !== undefined) out.host = host;
  if (app !== undefined) out.program = app;
  if (procid !== undefined && /^\d{1,10}$/.test(procid)) out.pid = Number(procid);
  const extra: Record<string, unknown> = { 'log.syslog.version': Number(m[1]) };
  if (procid !== undefined) extra['log.syslog.procid'] = procid;
  if (msgid !== undefined) extra['log.syslog.msgid'] = msgid;
  const { sd, rest } = structuredData(text.slice(m[0].length));
  if (sd !== undefined) extra['log.syslog.structured_data'] = sd;
  out.extra = extra;
  // RFC 5424 §6.4: a UTF-8 MSG may start with a BOM.
  out.message = rest.startsWith('\uFEFF') ? rest.slice(1) : rest;
  return true;
}

function isoSyslog(text: string, out: ParsedLine): boolean {
  const m = ISO_PREFIX_RE.exec(text);
  if (m === null) return false;
  const t = isoMs(m[1]!);
  if (t === undefined) return false;
  out.layout = 'iso';
  out.timeMs = t;
  const rest = text.slice(m[0].length);
  // "2024-01-01 12:00:00,123 ERROR …" is an application log; "…T12:00:00Z host prog: …" is syslog.
  const level = /^(?:(\d+) )?([A-Z]{3,9})\b:? ?/.exec(rest);
  if (level !== null && LEVELS[level[2]!] !== undefined) {
    out.level = level[2]!;
    out.severity = LEVELS[level[2]!];
    if (level[1] !== undefined) out.pid = Number(level[1]);
    out.message = rest.slice(level[0].length);
    return true;
  }
  takeHostAndTag(rest, out);
  return true;
}

/** Loghub Thunderbird: `<alert> <epoch> <yyyy.mm.dd> <host> <Mon> <d> <hh:mm:ss> <host/host> <tag>: msg`. */
function thunderbird(text: string, out: ParsedLine): boolean {
  const m = THUNDERBIRD_RE.exec(text);
  if (m === null) return false;
  out.layout = 'thunderbird';
  // The epoch is UTC; the syslog time beside it is the machine's local time.
  out.timeMs = Number(m[2]) * 1000;
  out.host = m[6]!;
  const extra: Record<string, unknown> = { 'syslog.source': m[10]! };
  if (m[1] !== '-') extra['syslog.alert_tag'] = m[1]!;
  out.extra = extra;
  const rest = text.slice(m[0].length);
  if (!takeTag(rest, out)) out.message = rest;
  if (m[1] !== '-') out.severity = 3;
  return true;
}

// LANL HPC state names that report a fault, and how bad it is.
const HPC_STATES: Record<string, SeverityCode> = {
  'fdmn.panic': 2,
  error: 3,
  'bcast-error': 3,
  psu: 3,
  'net.niff.down': 3,
  'state_change.unavailable': 3,
  'fdmn.full': 4,
  temphigh: 4,
  'clusterfilesystem.no_server': 4,
  'clusterfilesystem.not_served': 4,
};

/** Loghub HPC (LANL): `<logid> <node> <component> <state> <epoch> <flag> msg`. */
function hpc(text: string, out: ParsedLine): boolean {
  const m = HPC_RE.exec(text);
  if (m === null) return false;
  out.layout = 'hpc';
  out.timeMs = Number(m[5]) * 1000;
  out.host = m[2]!;
  out.message = text.slice(m[0].length);
  const state = m[4]!;
  out.extra = {
    'syslog.hpc.log_id': m[1]!,
    'syslog.hpc.component': m[3]!,
    'syslog.hpc.state': state,
    'syslog.hpc.flag': Number(m[6]),
  };
  const sev = HPC_STATES[state];
  if (sev !== undefined) out.severity = sev;
  return true;
}

/** Loghub HDFS: `<yyMMdd> <HHmmss> <pid> <LEVEL> <component>: msg`. */
function hdfs(text: string, out: ParsedLine): boolean {
  const m = HDFS_RE.exec(text);
  if (m === null || LEVELS[m[8]!] === undefined) return false;
  const t = utcMs(
    2000 + Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
  );
  if (t === undefined) return false;
  out.layout = 'hdfs';
  out.timeMs = t;
  out.pid = Number(m[7]);
  out.level = m[8]!;
  out.severity = LEVELS[m[8]!];
  out.extra = { 'syslog.logger': m[9]! };
  out.message = text.slice(m[0].length);
  return true;
}

function dmesg(text: string, refMs: number, out: ParsedLine): boolean {
  if (text[0] !== '[') return false;
  const up = DMESG_UPTIME_RE.exec(text);
  if (up !== null) {
    out.layout = 'dmesg';
    out.extra = { 'syslog.kernel_uptime_s': Number(up[1]) };
    out.message = text.slice(up[0].length);
  } else {
    const ct = DMESG_CTIME_RE.exec(text);
    const rel = ct === null ? DMESG_RELTIME_RE.exec(text) : null;
    let t: number | undefined;
    if (ct !== null) {
      t = utcMs(
        Number(ct[6]),
        monthIndex(ct[1]!),
        Number(ct[2]),
        Number(ct[3]),
        Number(ct[4]),
        Number(ct[5]),
      );
    } else if (rel !== null) {
      t = withInferredYear(monthIndex(rel[1]!), Number(rel[2]), Number(rel[3]), Number(rel[4]), 0, 0, refMs);
    }
    if (t === undefined) return false;
    out.layout = 'dmesg';
    out.timeMs = t;
    if (rel !== null) out.yearInferred = true;
    out.message = text.slice((ct ?? rel)![0].length);
  }
  out.program = 'kernel';
  takeLeadingLevel(out);
  return true;
}

function rasMcCtl(text: string, out: ParsedLine): boolean {
  const row = RAS_ROW_RE.exec(text);
  if (row !== null) {
    const t = isoMs(`${row[2]}T${row[3]}${row[4]}:${row[5]}`);
    if (t === undefined) return false;
    out.layout = 'ras-mc-ctl';
    out.timeMs = t;
    out.program = 'ras-mc-ctl';
    out.message = row[6]!;
    out.extra = { 'syslog.ras.id': Number(row[1]) };
    return true;
  }
  if (!RAS_SUMMARY_RE.test(text)) return false;
  out.layout = 'ras-mc-ctl';
  out.program = 'ras-mc-ctl';
  out.message = text.trim();
  return true;
}

/**
 * Reads one host log line in whichever layout it is written: RFC 5424, RFC 3164 (with or without
 * `<PRI>`), ISO-timestamped syslog, `dmesg`, rasdaemon's `ras-mc-ctl --errors`/`--summary`, and the Loghub Thunderbird, HPC and HDFS layouts. A
 * line none of them fits is plain text: still an event, timed by the caller at receive time.
 */
export function parseLine(text: string, refMs: number): ParsedLine {
  const out: ParsedLine = { layout: 'plain', message: text };
  let body = text;
  const pri = PRI_RE.exec(text);
  if (pri !== null && Number(pri[1]) <= 191) {
    const value = Number(pri[1]);
    out.facility = value >> 3;
    out.severity = (value & 7) as SeverityCode;
    body = text.slice(pri[0].length);
    out.message = body;
    // Whatever follows the PRI, its severity stands; a body no layout fits stays plain text.
    if (!rfc5424(body, out) && !rfc3164(body, refMs, out) && !isoSyslog(body, out)) dmesg(body, refMs, out);
    return out;
  }
  const c = body.charCodeAt(0);
  if (c >= 65 && c <= 90 && rfc3164(body, refMs, out)) return out;
  if (c >= 48 && c <= 57) {
    if (isoSyslog(body, out) || hdfs(body, out) || hpc(body, out) || rasMcCtl(body, out)) return out;
  }
  if ((c === 9 || c === 32) && rasMcCtl(body, out)) return out;
  if (thunderbird(body, out) || dmesg(body, refMs, out)) return out;
  takeLeadingLevel(out);
  return out;
}
