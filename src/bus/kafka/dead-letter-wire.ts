/**
 * The dead-letter topic's record format: what the Kafka adapter writes and what tools and tests read
 * back. A consumer of the topic needs nothing but these header names.
 */
import { RECORD_HEADERS } from '../record-headers.js';
import type { BusMessage, DeadLetter, OutgoingMessage } from '../types.js';

/** Headers of a dead-letter record; the value is the original bytes. Source and line reuse the edge's names. */
export const DEAD_LETTER_HEADERS = {
  reason: 'faultline-dead-letter-reason',
  sourceTopic: 'faultline-dead-letter-topic',
  sourcePartition: 'faultline-dead-letter-partition',
  sourceOffset: 'faultline-dead-letter-offset',
  at: 'faultline-dead-letter-at',
  /** Present when the original was cut to fit the topic: its full length in bytes. */
  truncated: 'faultline-dead-letter-truncated',
  frame: 'faultline-dead-letter-frame',
  source: RECORD_HEADERS.source,
  line: RECORD_HEADERS.line,
} as const;

/** Reads a record of the dead-letter topic back into the port's shape (tools and tests). */
export function parseDeadLetter(message: BusMessage): DeadLetter {
  const h = message.headers;
  const entry: DeadLetter = {
    sourceTopic: h[DEAD_LETTER_HEADERS.sourceTopic] ?? '',
    sourcePartition: Number(h[DEAD_LETTER_HEADERS.sourcePartition] ?? -1),
    sourceOffset: h[DEAD_LETTER_HEADERS.sourceOffset] ?? '',
    source: h[DEAD_LETTER_HEADERS.source] ?? 'unknown',
    reason: h[DEAD_LETTER_HEADERS.reason] ?? '',
    original: message.value,
    at: h[DEAD_LETTER_HEADERS.at] ?? new Date(message.timestamp).toISOString(),
  };
  const line = h[DEAD_LETTER_HEADERS.line];
  if (line !== undefined && Number.isFinite(Number(line))) entry.line = Number(line);
  const frame = h[DEAD_LETTER_HEADERS.frame];
  if (frame !== undefined && Number.isInteger(Number(frame))) entry.frame = Number(frame);
  return entry;
}

/**
 * A dead letter as a record of the dead-letter topic: the original bytes as the value (cut to `room`
 * bytes, the full length in a header, when the topic could not take them), the rest in headers.
 */
export function deadLetterRecord(e: DeadLetter, room: number): OutgoingMessage {
  const headers: Record<string, string> = {
    [DEAD_LETTER_HEADERS.reason]: e.reason.slice(0, 4000),
    [DEAD_LETTER_HEADERS.sourceTopic]: e.sourceTopic,
    [DEAD_LETTER_HEADERS.sourcePartition]: String(e.sourcePartition),
    [DEAD_LETTER_HEADERS.sourceOffset]: e.sourceOffset,
    [DEAD_LETTER_HEADERS.source]: e.source,
    [DEAD_LETTER_HEADERS.at]: e.at,
  };
  if (e.line !== undefined) headers[DEAD_LETTER_HEADERS.line] = String(e.line);
  if (e.frame !== undefined) headers[DEAD_LETTER_HEADERS.frame] = String(e.frame);
  let value = e.original;
  if (value.length > room) {
    headers[DEAD_LETTER_HEADERS.truncated] = String(value.length);
    value = value.subarray(0, room);
  }
  return { key: e.sourceTopic, value, headers };
}
