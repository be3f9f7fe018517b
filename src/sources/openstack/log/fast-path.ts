import { hash } from 'node:crypto';
import { EVENT_ID_LENGTH, eventId, eventIdPrefix, occurrenceSuffix } from '../../../model/event-id.js';
import { idDiscriminator } from '../../event-builder.js';
import { IdOccurrenceCounter } from '../../id-counter.js';
import type { ByteSink, Frame, NdjsonFastPath } from '../../types.js';
import { osloFramer } from './framer.js';
import { emptyHead, folds, type Head, scanOsloLine } from './oslo-bytes.js';
import { flatHostField, writeEvent } from './oslo-ndjson.js';
import { latin1Write, maxRecordBytes } from './oslo-write.js';

/**
 * The byte-level fast path of `faultline parse --source openstack-log`. Nearly every oslo.log line is
 * one plain printable-ASCII record: `[file] date time pid LEVEL logger [context] [instance: …] text`.
 * For those it writes the NDJSON event straight from the input bytes: no event object, no
 * JSON.stringify, no Map of recent lines. The output is byte for byte what `decode` plus `JSON.stringify` give
 * (test/sources/openstack/log-fast-path.test.ts checks it on the fixtures and with fast-check).
 *
 * It never decides anything the generic path would decide differently: a line it does not fully
 * understand (a traceback, JSON, ANSI colours, a tab, non-ASCII, an odd date or digit count) goes to
 * the source's own framer and decoder as a string, and stays there until a plain record that the
 * framer would not fold starts again. Rejections therefore always come from the generic decoder.
 */

/** Lines longer than this go the generic way (the decoder rejects records over 1 MiB anyway). */
const MAX_FAST_LINE = 64 * 1024;

/** One line held across `push` calls: its bytes (after the id prefix) and where its fields are. */
interface HeldLine {
  bytes: Buffer;
  /** The line as a string (ASCII when the slot holds a plain record). */
  text: string;
  head: Head;
  lineNo: number;
}

export interface OsloFastPathOptions {
  /** `--host`: the transport's host hint (a Kafka key, an ingest parameter). */
  host?: string;
}

/**
 * The fast path's state machine. FAST: the generic framer is empty and `pending` (if any) is a plain
 * record waiting to learn whether the next line folds into it. GENERIC: the framer holds the open
 * record; each line goes to it until a plain line arrives that it would not fold.
 */
export function osloFastPath(options: OsloFastPathOptions = {}): NdjsonFastPath {
  const host = options.host;
  const discriminator = idDiscriminator(host);
  // Repeats are counted by the record's occurrence-0 id, which the fast path computes anyway: a
  // 22-character key instead of the whole line. The framer's records are keyed the same way, so a
  // line counts alike in both modes.
  const counter = new IdOccurrenceCounter();
  const framer = osloFramer({
    next: (payload) => counter.next(eventId('openstack-log', payload, 0, discriminator)),
  });
  const hostField = flatHostField(host);
  // eventId's input is prefix, line, suffix: the slot holds them as one buffer to hash.
  const idPrefix = Buffer.from(eventIdPrefix('openstack-log', discriminator), 'utf8');
  const lineAt = idPrefix.length;
  const newHeldLine = (): HeldLine => {
    const bytes = Buffer.alloc(lineAt + MAX_FAST_LINE + 32);
    idPrefix.copy(bytes, 0);
    return { bytes, text: '', head: emptyHead(), lineNo: 0 };
  };
  let pending: HeldLine | undefined;
  let spare = newHeldLine();
  // The slot a plain record left behind when it was handed to the framer.
  let free: HeldLine | undefined;
  let generic = false;
  let encoded = 0;

  const emit = (slot: HeldLine, out: ByteSink): void => {
    const h = slot.head;
    const end = h.lineEnd;
    let id = hash('sha256', slot.bytes.subarray(0, end), 'base64url').slice(0, EVENT_ID_LENGTH);
    const occurrence = counter.next(id);
    if (occurrence > 0) {
      // A repeat: the suffix goes after the line in the slot's spare room (the scanner is done there).
      const n = latin1Write(slot.bytes, occurrenceSuffix(occurrence), end);
      id = hash('sha256', slot.bytes.subarray(0, end + n), 'base64url').slice(0, EVENT_ID_LENGTH);
    }
    out.reserve(maxRecordBytes(end - lineAt, hostField));
    out.used = writeEvent(out.buffer, out.used, slot.bytes, h, slot.text, id, hostField);
    encoded++;
  };

  return {
    get encoded() {
      return encoded;
    },
    push(buffer, start, end, lineNo, out) {
      const length = end - start;
      let plain = false;
      if (length <= MAX_FAST_LINE) {
        const text = buffer.toString('latin1', start, end);
        // The id hashes the prefix and the line as one buffer.
        latin1Write(spare.bytes, text, lineAt);
        // A space after the line stops the scanner's searches for the next space there.
        spare.bytes[lineAt + length] = 32;
        spare.text = text;
        plain = scanOsloLine(spare.bytes, lineAt, lineAt + length, spare.head, text);
        if (!plain && !generic) {
          // Spaces only: the framer skips blank lines without touching its state.
          let blank = true;
          for (let i = start; i < end; i++) {
            if (buffer[i] !== 32) {
              blank = false;
              break;
            }
          }
          if (blank) return NO_FRAMES;
        }
      }
      if (!generic && plain) {
        if (pending === undefined || !folds(pending.head, pending.bytes, spare.head, spare.bytes)) {
          if (pending !== undefined) emit(pending, out);
          const next = spare;
          spare = pending ?? newHeldLine();
          next.lineNo = lineNo;
          pending = next;
          return NO_FRAMES;
        }
      }
      const line = plain ? spare.text : buffer.toString('utf8', start, end);
      if (!generic) {
        // Hand the open plain record and this line to the framer; it decides from here on.
        generic = true;
        if (pending !== undefined) {
          framer.push(pending.text, pending.lineNo);
          free = pending;
          pending = undefined;
        }
        return framer.push(line, lineNo);
      }
      if (plain && !framer.continues(line)) {
        const frames = framer.end();
        generic = false;
        const next = spare;
        spare = free ?? newHeldLine();
        free = undefined;
        next.lineNo = lineNo;
        pending = next;
        return frames;
      }
      return framer.push(line, lineNo);
    },
    end(out) {
      if (generic) {
        generic = false;
        return framer.end();
      }
      if (pending !== undefined) {
        emit(pending, out);
        spare = pending;
        pending = undefined;
      }
      return NO_FRAMES;
    },
  };
}

const NO_FRAMES: Frame[] = [];
