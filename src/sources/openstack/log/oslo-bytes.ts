/**
 * Reads plain oslo.log lines from bytes for the fast path (fast-path.ts): the same fields, by the
 * same rules, as HEAD and parseUncached in oslo-format.ts, but only for printable-ASCII lines of the
 * usual shape. Anything else is "not plain" and left to the generic path.
 */

export const LEVELS = [
  'TRACE',
  'DEBUG',
  'INFO',
  'AUDIT',
  'WARNING',
  'WARN',
  'ERROR',
  'CRITICAL',
  'FATAL',
] as const;
const LEVEL_BYTES = LEVELS.map((l) => Buffer.from(l, 'latin1'));

const TRACEBACK_PREFIXES = [
  'Traceback (most recent call last):',
  'During handling of the above exception',
  'The above exception was the direct cause',
].map((s) => Buffer.from(s, 'latin1'));

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Offsets into a line held in a scratch buffer; -1 where the field is absent. */
export interface Head {
  /** Line bytes are scratch[lineAt, lineEnd). */
  lineAt: number;
  lineEnd: number;
  prefixEnd: number;
  dateAt: number;
  timeAt: number;
  fracAt: number;
  fracLen: number;
  pid: number;
  pidAt: number;
  pidEnd: number;
  level: number;
  loggerAt: number;
  loggerEnd: number;
  reqAt: number;
  globalReqAt: number;
  userAt: number;
  userEnd: number;
  projectAt: number;
  projectEnd: number;
  instanceAt: number;
  messageAt: number;
  /** Offsets of the line's `"` and `\` bytes, ascending: each gets a `\` before it in JSON. */
  escapes: number[];
}

export function emptyHead(): Head {
  return {
    lineAt: 0,
    lineEnd: 0,
    prefixEnd: -1,
    dateAt: 0,
    timeAt: 0,
    fracAt: -1,
    fracLen: 0,
    pid: 0,
    pidAt: 0,
    pidEnd: 0,
    level: 0,
    loggerAt: 0,
    loggerEnd: 0,
    reqAt: -1,
    globalReqAt: -1,
    userAt: -1,
    userEnd: -1,
    projectAt: -1,
    projectEnd: -1,
    instanceAt: -1,
    messageAt: 0,
    escapes: [],
  };
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLowerHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
const isHexOrDash = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 45;

function digitsAt(b: Buffer, at: number, n: number): boolean {
  for (let i = at; i < at + n; i++) if (!isDigit(b[i]!)) return false;
  return true;
}

const twoDigits = (b: Buffer, at: number) => (b[at]! - 48) * 10 + b[at + 1]! - 48;

function startsWith(b: Buffer, at: number, end: number, word: Buffer): boolean {
  if (end - at < word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[at + i] !== word[i]) return false;
  return true;
}

/** `req-` and a lowercase UUID, exactly 40 bytes: what parseContext calls a request id. */
function isRequestId(b: Buffer, at: number, end: number): boolean {
  if (end - at !== 40 || b[at] !== 114 || b[at + 1] !== 101 || b[at + 2] !== 113 || b[at + 3] !== 45) {
    return false;
  }
  for (let i = 4; i < 40; i++) {
    const c = b[at + i]!;
    if (i === 12 || i === 17 || i === 22 || i === 27) {
      if (c !== 45) return false;
    } else if (!isLowerHex(c)) return false;
  }
  return true;
}

export function indexOfByte(b: Buffer, byte: number, at: number, end: number): number {
  for (let i = at; i < end; i++) if (b[i] === byte) return i;
  return -1;
}

/** The token [at, end of the next space or `end`). */
const tokenEnd = (b: Buffer, at: number, end: number) => {
  const sp = b.indexOf(32, at);
  return sp === -1 || sp > end ? end : sp;
};

/** `-`, `None` and the empty token mean "no value" in the context bracket. */
function isDash(b: Buffer, at: number, end: number): boolean {
  const n = end - at;
  if (n === 0) return true;
  if (n === 1) return b[at] === 45;
  return n === 4 && b[at] === 78 && b[at + 1] === 111 && b[at + 2] === 110 && b[at + 3] === 101;
}

/**
 * The context bracket, as `parseContext` in oslo-format.ts reads it: skip to the first request id;
 * a second one right after makes the first the global id; then user and project.
 */
function scanContext(b: Buffer, at: number, end: number, h: Head): void {
  let start = at;
  let stop = tokenEnd(b, start, end);
  while (!isRequestId(b, start, stop)) {
    if (stop >= end) return;
    start = stop + 1;
    stop = tokenEnd(b, start, end);
  }
  const first = start;
  start = stop + 1;
  stop = start > end ? start : tokenEnd(b, start, end);
  if (start <= end && isRequestId(b, start, stop)) {
    h.globalReqAt = first;
    h.reqAt = start;
    start = stop + 1;
    stop = start > end ? start : tokenEnd(b, start, end);
  } else {
    h.reqAt = first;
  }
  if (start <= end && !isDash(b, start, stop)) {
    h.userAt = start;
    h.userEnd = stop;
  }
  start = stop + 1;
  stop = start > end ? start : tokenEnd(b, start, end);
  if (start <= end && !isDash(b, start, stop)) {
    h.projectAt = start;
    h.projectEnd = stop;
  }
}

/**
 * Reads a plain oslo.log line in b[at, end) into `h`; false when the line is anything else, or
 * anything this reader does not mirror exactly (then the generic path decides).
 */
export function scanOsloLine(b: Buffer, at: number, end: number, h: Head, text: string): boolean {
  h.lineAt = at;
  h.lineEnd = end;
  // Printable ASCII only: then the regex's \s is a space, its \S any other byte, and the bytes are
  // the string. A line starting with `{` is oslo's JSON formatter, whatever follows.
  if (NOT_PRINTABLE.test(text) || text.charCodeAt(0) === 123) return false;
  const escapes = h.escapes;
  escapes.length = 0;
  for (let q = text.indexOf('"'); q !== -1; q = text.indexOf('"', q + 1)) escapes.push(at + q);
  const quotes = escapes.length;
  for (let q = text.indexOf('\\'); q !== -1; q = text.indexOf('\\', q + 1)) escapes.push(at + q);
  if (quotes > 0 && escapes.length > quotes) escapes.sort((x, y) => x - y);
  let i = at;
  // The Loghub file prefix: a first token holding ".log" after its first byte.
  const first = tokenEnd(b, at, end);
  h.prefixEnd = -1;
  for (let j = at + 1; j + 4 <= first; j++) {
    if (b[j] === 46 && b[j + 1] === 108 && b[j + 2] === 111 && b[j + 3] === 103) {
      h.prefixEnd = first;
      break;
    }
  }
  if (h.prefixEnd !== -1) {
    i = first;
    if (i >= end) return false;
    while (i < end && b[i] === 32) i++;
  }
  // 2017-05-16 00:00:00.008
  if (end - i < 19) return false;
  if (!digitsAt(b, i, 4) || b[i + 4] !== 45 || !digitsAt(b, i + 5, 2) || b[i + 7] !== 45) return false;
  if (!digitsAt(b, i + 8, 2) || (b[i + 10] !== 32 && b[i + 10] !== 84)) return false;
  if (!digitsAt(b, i + 11, 2) || b[i + 13] !== 58 || !digitsAt(b, i + 14, 2) || b[i + 16] !== 58) {
    return false;
  }
  if (!digitsAt(b, i + 17, 2)) return false;
  h.dateAt = i;
  h.timeAt = i + 11;
  const month = twoDigits(b, i + 5);
  const day = twoDigits(b, i + 8);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return false;
  if (month === 2 && day === 29) {
    const year = (b[i]! - 48) * 1000 + (b[i + 1]! - 48) * 100 + twoDigits(b, i + 2);
    if (year % 4 !== 0 || (year % 100 === 0 && year % 400 !== 0)) return false;
  }
  if (twoDigits(b, i + 11) > 23 || twoDigits(b, i + 14) > 59 || twoDigits(b, i + 17) > 60) return false;
  i += 19;
  h.fracAt = -1;
  h.fracLen = 0;
  if (i < end && (b[i] === 46 || b[i] === 44)) {
    let j = i + 1;
    while (j < end && isDigit(b[j]!)) j++;
    const n = j - i - 1;
    if (n < 1 || n > 6) return false;
    h.fracAt = i + 1;
    h.fracLen = n;
    i = j;
  }
  if (i >= end || b[i] !== 32) return false;
  while (i < end && b[i] === 32) i++;
  // pid
  h.pidAt = i;
  let pid = 0;
  while (i < end && isDigit(b[i]!)) pid = pid * 10 + (b[i++]! - 48);
  h.pidEnd = i;
  if (i === h.pidAt || i - h.pidAt > 15 || i >= end || b[i] !== 32) return false;
  h.pid = pid;
  while (i < end && b[i] === 32) i++;
  // level, followed by at least one space
  h.level = -1;
  for (let l = 0; l < LEVEL_BYTES.length; l++) {
    const word = LEVEL_BYTES[l]!;
    if (startsWith(b, i, end, word) && i + word.length < end && b[i + word.length] === 32) {
      h.level = l;
      i += word.length;
      break;
    }
  }
  if (h.level === -1) return false;
  while (i < end && b[i] === 32) i++;
  if (i >= end) return false;
  h.loggerAt = i;
  i = tokenEnd(b, i, end);
  h.loggerEnd = i;
  // The message is everything after the one space that follows the logger.
  let rest = i < end ? i + 1 : end;
  h.reqAt = -1;
  h.globalReqAt = -1;
  h.userAt = -1;
  h.userEnd = -1;
  h.projectAt = -1;
  h.projectEnd = -1;
  h.instanceAt = -1;
  if (rest < end && b[rest] === 91 /* [ */) {
    const close = indexOfByte(b, 93 /* ] */, rest, end);
    if (close !== -1 && !startsWith(b, rest + 1, close, INSTANCE_OPEN_INNER)) {
      scanContext(b, rest + 1, close, h);
      rest = close + 1;
      if (rest < end && b[rest] === 32) rest++;
    }
  }
  // [instance: <36 of hex and dashes>] and one optional space
  if (startsWith(b, rest, end, INSTANCE_OPEN) && end - rest >= 48 && b[rest + 47] === 93) {
    let ok = true;
    for (let j = rest + 11; j < rest + 47; j++) {
      if (!isHexOrDash(b[j]!)) {
        ok = false;
        break;
      }
    }
    if (ok) {
      h.instanceAt = rest + 11;
      rest += 48;
      if (rest < end && b[rest] === 32) rest++;
    }
  }
  h.messageAt = rest;
  return true;
}

const INSTANCE_OPEN = Buffer.from('[instance: ', 'latin1');
const NOT_PRINTABLE = /[^ -~]/;
const INSTANCE_OPEN_INNER = Buffer.from('instance: ', 'latin1');

/** Whether the framer would fold line `l` into the open plain record `p` (a traceback under it). */
export function folds(p: Head, pb: Buffer, l: Head, lb: Buffer): boolean {
  if (p.pid !== l.pid) return false;
  // oslo.log's exception prefix writes TRACE where the level goes: each such line continues the record.
  if (LEVELS[l.level] === 'TRACE') return true;
  if (p.loggerEnd - p.loggerAt !== l.loggerEnd - l.loggerAt) return false;
  for (let i = 0; i < p.loggerEnd - p.loggerAt; i++) {
    if (pb[p.loggerAt + i] !== lb[l.loggerAt + i]) return false;
  }
  for (const prefix of TRACEBACK_PREFIXES) {
    if (startsWith(lb, l.messageAt, l.lineEnd, prefix)) return true;
  }
  return false;
}
