/**
 * The oslo.log text format, as nova, ironic, neutron and the rest write it by default:
 *
 *   [file prefix] 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-… user project - - -] [instance: uuid] message
 *
 * The optional file prefix is Loghub's (it concatenates files and puts the file name first).
 */

import type { SeverityCode } from '../../../model/event.js';

/** oslo.log levels as syslog severities (the decoder and the byte fast path both write these). */
export const SEVERITY: Readonly<Record<string, SeverityCode>> = {
  TRACE: 7,
  DEBUG: 7,
  INFO: 6,
  AUDIT: 5,
  WARNING: 4,
  WARN: 4,
  ERROR: 3,
  CRITICAL: 2,
  FATAL: 2,
};

// The head is matched once per line; everything after the logger is parsed by hand because the
// context brackets vary between releases and a single regex for all of them backtracks badly.
const HEAD =
  /^(?:(\S+?\.log\S*)\s+)?(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,6}))?\s+(\d+)\s+(TRACE|DEBUG|INFO|AUDIT|WARNING|WARN|ERROR|CRITICAL|FATAL)\s+(\S+)(?:\s(.*))?$/;

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const INSTANCE = /^\[instance: ([0-9a-fA-F-]{36})\]\s?/;

export interface OsloHead {
  filePrefix?: string;
  timestamp: string;
  pid: number;
  level: string;
  logger: string;
  requestId?: string;
  globalRequestId?: string;
  user?: string;
  project?: string;
  instance?: string;
  message: string;
  /**
   * A journald/syslog-wrapped line (`Mar 05 10:00:00 host nova-compute[123]: ERROR …`, as devstack
   * logs): the wrapper's host, ident and time. `timestamp` is '' when only the wrapper has a time
   * (it has no year; the decoder infers it from the receive time).
   */
  journal?: {
    host: string;
    ident: string;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
  };
}

export function stripAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ANSI, '') : text;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two ASCII digits at `at` as a number (the regex already made them digits). */
const two = (s: string, at: number) => (s.charCodeAt(at) - 48) * 10 + s.charCodeAt(at + 1) - 48;

// Lines of one file share their date: the calendar check runs once per date, not once per line.
let lastValidDate = '';

/**
 * oslo.log writes local time without a zone; Faultline reads it as UTC (set the services' TZ to UTC).
 * The regex fixed the shape; range checks replace Date.parse, which costs more than the rest of the head.
 */
function isoFrom(date: string, time: string, fraction: string | undefined): string | undefined {
  if (date !== lastValidDate) {
    const month = two(date, 5);
    const day = two(date, 8);
    if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return undefined;
    // Date.parse would not do: V8 reads 2017-02-29 as March 1st.
    if (month === 2 && day === 29) {
      const year = Number(date.slice(0, 4));
      if (year % 4 !== 0 || (year % 100 === 0 && year % 400 !== 0)) return undefined;
    }
    lastValidDate = date;
  }
  if (two(time, 0) > 23 || two(time, 3) > 59 || two(time, 6) > 60) return undefined;
  const ms =
    fraction === undefined ? '000' : fraction.length === 3 ? fraction : fraction.padEnd(3, '0').slice(0, 3);
  return `${date}T${time}.${ms}Z`;
}

function dash(value: string | undefined): string | undefined {
  return value === undefined || value === '-' || value === 'None' || value === '' ? undefined : value;
}

// Sticky: tested at a token's start, with the token's length checked first (a request id is 40 chars).
const REQUEST_ID_AT = /req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/y;

function isRequestIdAt(s: string, start: number, end: number): boolean {
  if (end - start !== 40 || s.charCodeAt(start) !== 114 /* r */) return false;
  REQUEST_ID_AT.lastIndex = start;
  return REQUEST_ID_AT.test(s);
}

/** End of the space-separated token that starts at `start`. */
function tokenEnd(s: string, start: number): number {
  const end = s.indexOf(' ', start);
  return end === -1 ? s.length : end;
}

/**
 * The context bracket: `[req-… user project domain user_domain project_domain]`, and in newer
 * releases `[global-req-or-None req-… user project …]`. Walks the tokens in place (this runs on every
 * line; splitting the bracket cost more than the rest of the head).
 */
function parseContext(inner: string, head: OsloHead): void {
  let start = 0;
  let end = tokenEnd(inner, 0);
  while (!isRequestIdAt(inner, start, end)) {
    if (end >= inner.length) return;
    start = end + 1;
    end = tokenEnd(inner, start);
  }
  const take = (): string | undefined => {
    if (start > inner.length) return undefined;
    const token = inner.slice(start, end);
    start = end + 1;
    end = start > inner.length ? start : tokenEnd(inner, start);
    return token;
  };
  const first = take()!;
  // Newer releases put the global request id (or "None") before the local one.
  if (start <= inner.length && isRequestIdAt(inner, start, end)) {
    head.globalRequestId = first;
    head.requestId = take();
  } else {
    head.requestId = first;
  }
  head.user = dash(take());
  head.project = dash(take());
}

// The framer parses each line to find record boundaries, and the decoder parses a record's first
// line after the framer has already read the next one: a two-entry cache keyed by the string itself
// serves both, so each line is parsed once.
let cachedLine: string | undefined;
let cachedHead: OsloHead | undefined;
let olderLine: string | undefined;
let olderHead: OsloHead | undefined;

/** Parses the first line of a record; undefined when the line is not oslo.log text. Do not mutate the result. */
export function parseOsloHead(line: string): OsloHead | undefined {
  if (line === cachedLine) return cachedHead;
  if (line === olderLine) return olderHead;
  const head = parseUncached(line);
  olderLine = cachedLine;
  olderHead = cachedHead;
  cachedLine = line;
  cachedHead = head;
  return head;
}

function parseUncached(line: string): OsloHead | undefined {
  const m = HEAD.exec(line);
  if (m === null) {
    // An excerpt pasted with an indent (a bug report, a chat message) has one on every line.
    const first = line.charCodeAt(0);
    if (first !== 32 && first !== 9) return undefined;
    const trimmed = line.trimStart();
    return trimmed === '' ? undefined : parseUncached(trimmed);
  }
  const timestamp = isoFrom(m[2]!, m[3]!, m[4]);
  if (timestamp === undefined) return undefined;
  const head: OsloHead = {
    timestamp,
    pid: Number(m[5]),
    level: m[6] === 'WARN' ? 'WARNING' : m[6]!,
    logger: m[7]!,
    message: '',
  };
  if (m[1] !== undefined) head.filePrefix = m[1];
  parseTail(m[8] ?? '', head);
  return head;
}

/** What follows the logger: the context bracket, `[instance: …]`, the message. */
function parseTail(text: string, head: OsloHead): void {
  let rest = text;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close !== -1) {
      const inner = rest.slice(1, close);
      if (!inner.startsWith('instance: ')) {
        parseContext(inner, head);
        rest = rest.charCodeAt(close + 1) === 32 ? rest.slice(close + 2) : rest.slice(close + 1);
      }
    }
  }
  const inst = INSTANCE.exec(rest);
  if (inst !== null) {
    head.instance = inst[1]!.toLowerCase();
    rest = rest.slice(inst[0].length);
  }
  head.message = rest;
}

// journald's short format and RFC 3164 syslog: `Mon DD HH:MM:SS host ident[pid]: text`.
const JOURNAL = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\S+) ([^\s[\]]+)\[(\d+)\]: ?(.*)$/;
// devstack's journald format string drops oslo's own time and pid: `LEVEL logger [context] text`.
const BARE_HEAD = /^(TRACE|DEBUG|INFO|AUDIT|WARNING|WARN|ERROR|CRITICAL|FATAL)\s+(\S+)(?:\s(.*))?$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function parseJournal(line: string): OsloHead | undefined {
  const j = JOURNAL.exec(line);
  if (j === null) return undefined;
  const month = MONTHS.indexOf(j[1]!);
  if (month < 0) return undefined;
  const inner = j[9]!;
  let head: OsloHead;
  const full = parseOsloHead(inner);
  if (full !== undefined) {
    head = { ...full };
  } else {
    const b = BARE_HEAD.exec(inner);
    if (b === null) return undefined;
    head = {
      timestamp: '',
      pid: Number(j[8]),
      level: b[1] === 'WARN' ? 'WARNING' : b[1]!,
      logger: b[2]!,
      message: '',
    };
    parseTail(b[3] ?? '', head);
  }
  head.journal = {
    host: j[6]!,
    ident: j[7]!,
    month,
    day: Number(j[2]),
    hour: Number(j[3]),
    minute: Number(j[4]),
    second: Number(j[5]),
  };
  return head;
}

/**
 * The head of an oslo.log line however it arrives: bare, indented, or wrapped by journald/syslog
 * (with or without ANSI colours: pass the line through stripAnsi first). Do not mutate the result.
 */
export function parseAnyHead(line: string): OsloHead | undefined {
  return parseOsloHead(line) ?? parseJournal(line.trimStart());
}

const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(?::(?:\s.*)?)?$/;
const CHAIN_LINE = /^(?:During handling of the above exception|The above exception was the direct cause)/;

/** Where a line stands relative to a Python traceback; drives the framer's folding. */
export type TracebackLine = 'start' | 'body' | 'exception' | 'none';

/**
 * Classifies a line given whether a traceback is open. Exception class names are arbitrary
 * (`PortBindingFailed`), so the exception line is recognised by position: the first unindented
 * `Name: text` line after the traceback's indented frames.
 */
export function tracebackLine(text: string, open: boolean): TracebackLine {
  if (text.startsWith('Traceback (most recent call last):')) return 'start';
  // A chained traceback continues the record even after the previous exception line closed it.
  if (CHAIN_LINE.test(text)) return 'body';
  if (!open) return 'none';
  if (text.startsWith(' ') || text.startsWith('\t') || text === '') return 'body';
  return EXCEPTION_LINE.test(text) ? 'exception' : 'none';
}

/** Service name from a log file name: `nova-api.log.1.2017-05-16_13:53:08` → `nova-api`. */
export function serviceFromFile(prefix: string): string | undefined {
  const base = prefix.slice(prefix.lastIndexOf('/') + 1);
  const at = base.indexOf('.log');
  return at > 0 ? base.slice(0, at) : undefined;
}
