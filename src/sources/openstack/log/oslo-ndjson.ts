import { type Head, indexOfByte, LEVELS } from './oslo-bytes.js';
import { SEVERITY } from './oslo-format.js';

/**
 * Writes the NDJSON of a plain oslo.log record (read by oslo-bytes.ts) straight into a byte buffer:
 * the keys and order of `decode` in index.ts, the escaping of JSON.stringify. Every string field
 * but the timestamp is a piece of the line, so it is copied from event.original once that is written.
 */

const LEVEL_SEVERITY = LEVELS.map((l) => SEVERITY[l]!);
const LEVEL_IS_ERROR = LEVELS.map((l) => l === 'ERROR' || l === 'CRITICAL' || l === 'FATAL');
// The constant runs that depend only on the level, one piece each: fewer, longer copies.
/** From the end of event.id to the start of event.original. */
const BEFORE_ORIGINAL = LEVEL_SEVERITY.map((severity) =>
  Buffer.from(
    `","event.dataset":"openstack.log","event.kind":"event","event.severity":${severity},"event.original":"`,
    'latin1',
  ),
);
/** log.level (oslo's WARN is WARNING) up to the start of log.logger. */
const BEFORE_LOGGER = LEVELS.map((l) =>
  Buffer.from(`","log.level":"${l === 'WARN' ? 'WARNING' : l}","log.logger":"`, 'latin1'),
);

const ascii = (s: string) => Buffer.from(s, 'latin1');
const K = {
  open: ascii('{"@timestamp":"'),
  id: ascii('Z","event.id":"'),
  module: ascii('","event.module":"openstack-log","message":"'),
  pid: ascii('","process.pid":'),
  provider: ascii(',"cloud.provider":"openstack","service.name":"'),
  providerAfterLogger: ascii('","cloud.provider":"openstack","service.name":"'),
  path: ascii('","log.file.path":"'),
  request: ascii('","labels.request_id":"'),
  globalRequest: ascii('","labels.global_request_id":"'),
  user: ascii('","user.id":"'),
  project: ascii('","cloud.project.id":"'),
  instance: ascii('","cloud.instance.id":"'),
  error: ascii('","event.type":["error"]}'),
  close: ascii('"}'),
};

/**
 * Buffer#latin1Write is what Buffer#write(…, 'latin1') calls after picking the encoding; on this hot
 * path the pick cost a third of the copy. Falls back to the public method if a Node.js lacks it.
 */
type Latin1Writer = { latin1Write?: (text: string, offset: number) => number };
export const latin1Write: (dst: Buffer, text: string, offset: number) => number =
  typeof (Buffer.prototype as Latin1Writer).latin1Write === 'function'
    ? (dst, text, offset) => (dst as Latin1Writer).latin1Write!(text, offset)
    : (dst, text, offset) => dst.write(text, offset, 'latin1');

/** Below this many bytes a loop beats a native copy's call overhead. */
const SHORT = 24;

function put(dst: Buffer, p: number, bytes: Buffer): number {
  const n = bytes.length;
  if (n > SHORT) dst.set(bytes, p);
  else for (let i = 0; i < n; i++) dst[p + i] = bytes[i]!;
  return p + n;
}

function copy(dst: Buffer, p: number, src: Buffer, at: number, end: number): number {
  if (end - at > SHORT) return p + src.copy(dst, p, at, end);
  for (let i = at; i < end; i++) dst[p++] = src[i]!;
  return p;
}

/** Repeats dst[from, to) at p: a field is a piece of event.original, already written (escaped). */
function again(dst: Buffer, p: number, from: number, to: number): number {
  if (to - from > SHORT) dst.copyWithin(p, from, to);
  else for (let i = from; i < to; i++) dst[p + i - from] = dst[i]!;
  return p + to - from;
}

/** The service name: the Loghub file name before `.log`, else the logger before its first dot. */
function serviceRange(b: Buffer, h: Head): [number, number] {
  if (h.prefixEnd !== -1) {
    let base = h.lineAt;
    for (let i = h.lineAt; i < h.prefixEnd; i++) if (b[i] === 47 /* / */) base = i + 1;
    // serviceFromFile: the first ".log" of the base name, which must not be at its start.
    for (let i = base; i + 4 <= h.prefixEnd; i++) {
      if (b[i] === 46 && b[i + 1] === 108 && b[i + 2] === 111 && b[i + 3] === 103) {
        if (i > base) return [base, i];
        break;
      }
    }
  }
  const dot = indexOfByte(b, 46, h.loggerAt, h.loggerEnd);
  return dot > h.loggerAt ? [h.loggerAt, dot] : [h.loggerAt, h.loggerEnd];
}

/** An upper bound of what writeEvent writes for a line of `lineBytes` (every byte escaped, fields repeated). */
export function maxEventBytes(lineBytes: number, hostField: Buffer | undefined): number {
  return lineBytes * 8 + 1024 + (hostField?.length ?? 0);
}

/** Writes the event of the plain record `h` (bytes in `b`) with its id; returns the new end. */
export function writeEvent(
  dst: Buffer,
  p: number,
  b: Buffer,
  h: Head,
  text: string,
  id: string,
  hostField: Buffer | undefined,
): number {
  p = put(dst, p, K.open);
  p = copy(dst, p, b, h.dateAt, h.dateAt + 10);
  dst[p++] = 84; // T
  p = copy(dst, p, b, h.timeAt, h.timeAt + 8);
  dst[p++] = 46; // .
  for (let i = 0; i < 3; i++) dst[p++] = i < h.fracLen ? b[h.fracAt + i]! : 48;
  p = put(dst, p, K.id);
  for (let i = 0; i < 22; i++) dst[p++] = id.charCodeAt(i);
  p = put(dst, p, BEFORE_ORIGINAL[h.level]!);
  // event.original, a `\` before each `"` and `\`; every other string field is a piece of it.
  const originalAt = p;
  const escapes = h.escapes;
  const n = h.lineEnd - h.lineAt;
  p += latin1Write(dst, text, p);
  // Backslashes go in from the right: each escaped byte and what follows it moves right by the
  // number of escapes up to it (no allocation, unlike Buffer#copy).
  for (let j = escapes.length - 1; j >= 0; j--) {
    const q = escapes[j]! - h.lineAt;
    const to = j + 1 < escapes.length ? escapes[j + 1]! - h.lineAt : n;
    dst.copyWithin(originalAt + q + j + 1, originalAt + q, originalAt + to);
    dst[originalAt + q + j] = 92;
  }
  p += escapes.length;
  /** Where line offset x landed in dst. */
  const at = (x: number): number => {
    let shift = 0;
    for (const q of escapes) {
      if (q >= x) break;
      shift++;
    }
    return originalAt + x - h.lineAt + shift;
  };
  const messageAt = at(h.messageAt);
  const messageEnd = p;
  p = put(dst, p, K.module);
  p = again(dst, p, messageAt, messageEnd);
  if (hostField !== undefined) p = put(dst, p, hostField);
  p = put(dst, p, BEFORE_LOGGER[h.level]!);
  p = again(dst, p, at(h.loggerAt), at(h.loggerEnd));
  if (h.pid > 0) {
    p = put(dst, p, K.pid);
    let digit = h.pidAt;
    while (b[digit] === 48) digit++;
    p = copy(dst, p, b, digit, h.pidEnd);
    p = put(dst, p, K.provider);
  } else {
    p = put(dst, p, K.providerAfterLogger);
  }
  const [serviceAt, serviceEnd] = serviceRange(b, h);
  p = again(dst, p, at(serviceAt), at(serviceEnd));
  if (h.prefixEnd !== -1) {
    p = put(dst, p, K.path);
    p = again(dst, p, originalAt, at(h.prefixEnd));
  }
  if (h.reqAt !== -1) {
    p = put(dst, p, K.request);
    p = again(dst, p, at(h.reqAt), at(h.reqAt + 40));
  }
  if (h.globalReqAt !== -1) {
    p = put(dst, p, K.globalRequest);
    p = again(dst, p, at(h.globalReqAt), at(h.globalReqAt + 40));
  }
  if (h.userAt !== -1) {
    p = put(dst, p, K.user);
    p = again(dst, p, at(h.userAt), at(h.userEnd));
  }
  if (h.projectAt !== -1) {
    p = put(dst, p, K.project);
    p = again(dst, p, at(h.projectAt), at(h.projectEnd));
  }
  if (h.instanceAt !== -1) {
    p = put(dst, p, K.instance);
    for (let i = h.instanceAt; i < h.instanceAt + 36; i++) {
      const c = b[i]!;
      dst[p++] = c >= 65 && c <= 70 ? c + 32 : c;
    }
  }
  p = put(dst, p, LEVEL_IS_ERROR[h.level] ? K.error : K.close);
  dst[p++] = 10;
  return p;
}
