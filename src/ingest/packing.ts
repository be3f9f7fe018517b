import { RECORD_HEADERS } from '../bus/record-headers.js';
import type { Frame } from '../sources/types.js';

/**
 * Several frames of one upload in one bus record, the way the OpenTelemetry Collector's Kafka
 * exporter ships a batch of log records as one message. Every Kafka record costs the consumer a
 * decode of its own (offsets, timestamps, headers, a buffer slice each) and the broker a slot in its
 * batches; a log line is a few hundred bytes, so one record per line spent a fifth of the ingest
 * process on that framing.
 *
 * The value is the frames' payloads back to back; the `faultline-frames` header says where each
 * ends: a JSON array with one entry per frame, `[length, line]`, `[length, line, occurrence]` or
 * `[length, line, occurrence, path]`, lengths in UTF-16 code units of the decoded value. A record
 * without the header is one frame (how agents such as Fluent Bit or Vector write, one line per record).
 */

/** Frames and characters per packed record; a single longer frame travels alone. */
export const PACK_MAX_FRAMES = 100;
export const PACK_MAX_CHARS = 256 * 1024;

export interface PackedRecord {
  value: string;
  headers: Record<string, string>;
}

/** One frame as a record of its own: the line (and occurrence, path) as headers. */
export function singleRecord(frame: Frame): PackedRecord {
  const headers: Record<string, string> = { [RECORD_HEADERS.line]: String(frame.line) };
  if (frame.occurrence !== undefined) headers[RECORD_HEADERS.occurrence] = String(frame.occurrence);
  if (frame.path !== undefined) headers[RECORD_HEADERS.path] = frame.path;
  return { value: frame.payload, headers };
}

function packed(frames: Frame[]): PackedRecord {
  if (frames.length === 1) return singleRecord(frames[0]!);
  const index = frames.map((f) => {
    const entry: Array<number | string> = [f.payload.length, f.line];
    if (f.occurrence !== undefined || f.path !== undefined) entry.push(f.occurrence ?? 0);
    if (f.path !== undefined) entry.push(f.path);
    return entry;
  });
  return {
    value: frames.map((f) => f.payload).join(''),
    headers: { [RECORD_HEADERS.frames]: JSON.stringify(index) },
  };
}

/** Groups consecutive frames into records of at most PACK_MAX_FRAMES frames and PACK_MAX_CHARS characters. */
export function packFrames(
  frames: Iterable<Frame>,
  limits: { frames?: number; chars?: number } = {},
): PackedRecord[] {
  const maxFrames = limits.frames ?? PACK_MAX_FRAMES;
  const maxChars = limits.chars ?? PACK_MAX_CHARS;
  const out: PackedRecord[] = [];
  let group: Frame[] = [];
  let chars = 0;
  for (const frame of frames) {
    if (group.length > 0 && (group.length >= maxFrames || chars + frame.payload.length > maxChars)) {
      out.push(packed(group));
      group = [];
      chars = 0;
    }
    group.push(frame);
    chars += frame.payload.length;
  }
  if (group.length > 0) out.push(packed(group));
  return out;
}

/**
 * How many lines a bus record carries: 1 unless packed, else the index's entries, counted as the
 * `[` that open an entry (depth 2, outside strings) without parsing the index: decodeBatch parses it
 * once for real, and a parse here too cost three times this scan. A malformed index counts as 1.
 */
export function framesIn(record: { headers: Record<string, string> }): number {
  const index = record.headers[RECORD_HEADERS.frames];
  if (index === undefined) return 1;
  let entries = 0;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < index.length; i++) {
    const c = index.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ && ++depth === 2) entries++;
    else if (c === 93 /* ] */) depth--;
  }
  return Math.max(1, entries);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * The frames of a packed record's decoded value, or why the index does not fit it. Lengths must add
 * up to the value exactly: a record whose index lies about its value is rejected whole.
 */
export function unpackFrames(value: string, index: string): Frame[] | { error: string } {
  let entries: unknown;
  try {
    entries = JSON.parse(index);
  } catch {
    return { error: `${RECORD_HEADERS.frames} header is not JSON` };
  }
  if (!Array.isArray(entries) || entries.length === 0) {
    return { error: `${RECORD_HEADERS.frames} header must be a non-empty array` };
  }
  const frames: Frame[] = [];
  let at = 0;
  for (let i = 0; i < entries.length; i++) {
    const e: unknown = entries[i];
    const bad = (why: string) => ({ error: `${RECORD_HEADERS.frames} entry ${i}: ${why}` });
    if (!Array.isArray(e) || e.length < 2 || e.length > 4)
      return bad('expected [length, line, occurrence?, path?]');
    const [length, line, occurrence, path] = e as unknown[];
    if (!isCount(length) || !isCount(line)) return bad('length and line must be non-negative integers');
    if (occurrence !== undefined && !isCount(occurrence))
      return bad('occurrence must be a non-negative integer');
    if (path !== undefined && typeof path !== 'string') return bad('path must be a string');
    if (at + length > value.length) return bad(`runs past the end of the ${value.length}-character value`);
    const frame: Frame = { payload: value.slice(at, at + length), line };
    if (occurrence !== undefined && occurrence > 0) frame.occurrence = occurrence;
    if (path !== undefined) frame.path = path;
    frames.push(frame);
    at += length;
  }
  if (at !== value.length) {
    return {
      error: `${RECORD_HEADERS.frames} header covers ${at} of the value's ${value.length} characters`,
    };
  }
  return frames;
}
