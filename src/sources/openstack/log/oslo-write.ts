import { type Head, indexOfByte, LEVELS } from './oslo-bytes.js';
import { SEVERITY } from './oslo-format.js';

/**
 * How `faultline parse` writes a plain oslo.log record (oslo-bytes.ts) as its NDJSON event
 * (oslo-ndjson.ts). Every string field but the timestamp is a piece of the line, so it is copied
 * from event.original once that is written (already escaped).
 */

export const LEVEL_SEVERITY = LEVELS.map((l) => SEVERITY[l]!);
export const LEVEL_IS_ERROR = LEVELS.map((l) => l === 'ERROR' || l === 'CRITICAL' || l === 'FATAL');
/** log.level as the decoder writes it: oslo's WARN is WARNING. */
export const LEVEL_NAME = LEVELS.map((l) => (l === 'WARN' ? 'WARNING' : l));

export const ascii = (s: string) => Buffer.from(s, 'latin1');

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

export function put(dst: Buffer, p: number, bytes: Buffer): number {
  const n = bytes.length;
  if (n > SHORT) dst.set(bytes, p);
  else for (let i = 0; i < n; i++) dst[p + i] = bytes[i]!;
  return p + n;
}

export function copy(dst: Buffer, p: number, src: Buffer, at: number, end: number): number {
  if (end - at > SHORT) return p + src.copy(dst, p, at, end);
  for (let i = at; i < end; i++) dst[p++] = src[i]!;
  return p;
}

/** Repeats dst[from, to) at p: a field is a piece of event.original, already written (escaped). */
export function again(dst: Buffer, p: number, from: number, to: number): number {
  if (to - from > SHORT) dst.copyWithin(p, from, to);
  else for (let i = from; i < to; i++) dst[p + i - from] = dst[i]!;
  return p + to - from;
}

/** The service name: the Loghub file name before `.log`, else the logger before its first dot. */
export function serviceRange(b: Buffer, h: Head): [number, number] {
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

/** `2017-05-16T00:00:00.008` (the `Z` is the next constant's first byte). */
export function writeTimestamp(dst: Buffer, p: number, b: Buffer, h: Head): number {
  p = copy(dst, p, b, h.dateAt, h.dateAt + 10);
  dst[p++] = 84; // T
  p = copy(dst, p, b, h.timeAt, h.timeAt + 8);
  dst[p++] = 46; // .
  for (let i = 0; i < 3; i++) dst[p++] = i < h.fracLen ? b[h.fracAt + i]! : 48;
  return p;
}

/** The 22 characters of an event id. */
export function writeId(dst: Buffer, p: number, id: string): number {
  for (let i = 0; i < 22; i++) dst[p++] = id.charCodeAt(i);
  return p;
}

/**
 * event.original at p, a `\` before each `"` and `\`; returns the new end. `text` is the line
 * (printable ASCII, as the scanner checked).
 */
export function writeOriginal(dst: Buffer, p: number, h: Head, text: string): number {
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
  return p + escapes.length;
}

/** Where line offset x (an offset into the scanned bytes) landed in the written event.original. */
export function inOriginal(h: Head, originalAt: number, x: number): number {
  let shift = 0;
  for (const q of h.escapes) {
    if (q >= x) break;
    shift++;
  }
  return originalAt + x - h.lineAt + shift;
}

/** The pid's digits without leading zeros (the decoder's number), from the line; h.pid > 0. */
export function writePid(dst: Buffer, p: number, b: Buffer, h: Head): number {
  let digit = h.pidAt;
  while (b[digit] === 48) digit++;
  return copy(dst, p, b, digit, h.pidEnd);
}

/** The instance id, lower-cased as the decoder writes it. */
export function writeInstance(dst: Buffer, p: number, b: Buffer, h: Head): number {
  for (let i = h.instanceAt; i < h.instanceAt + 36; i++) {
    const c = b[i]!;
    dst[p++] = c >= 65 && c <= 70 ? c + 32 : c;
  }
  return p;
}

/** An upper bound of what either writer writes for a line of `lineBytes` (every byte escaped, fields repeated). */
export function maxRecordBytes(lineBytes: number, hostField: Buffer | undefined): number {
  return lineBytes * 8 + 1024 + (hostField?.length ?? 0);
}
