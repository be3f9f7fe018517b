import { OccurrenceCounter } from '../../framing.js';
import type { Frame, Framer } from '../../types.js';

/** Past this a "document" is runaway input (an unclosed brace); it is handed on to be rejected. */
const MAX_DOCUMENT_CHARS = 8 * 1024 * 1024;

/**
 * Frames a stream of JSON documents however they are laid out: NDJSON, one pretty-printed
 * document, or several pretty-printed documents back to back (`for d in /dev/sd?; do smartctl
 * --json -a $d; done`). It tracks brace depth outside strings and cuts a record each time depth
 * returns to zero. Text outside any document becomes a record of its own so the decoder can reject
 * it with its line number instead of it vanishing.
 */
export function jsonStreamFramer(): Framer {
  const counter = new OccurrenceCounter();
  let buffer: string[] = [];
  let bufferChars = 0;
  let startLine = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;

  const emit = (out: Frame[]): void => {
    const payload = buffer.join('\n').trim();
    buffer = [];
    bufferChars = 0;
    depth = 0;
    inString = false;
    escaped = false;
    if (payload === '') return;
    const occurrence = counter.next(payload);
    out.push(occurrence > 0 ? { payload, line: startLine, occurrence } : { payload, line: startLine });
  };

  return {
    push(line, lineNo) {
      const out: Frame[] = [];
      let segmentStart = 0;
      for (let i = 0; i < line.length; i++) {
        const c = line.charCodeAt(i);
        if (depth === 0 && buffer.length === 0 && i === segmentStart) {
          // Between documents: skip blanks; anything but an opening bracket is stray text.
          if (c === 32 || c === 9) {
            segmentStart = i + 1;
            continue;
          }
          startLine = lineNo;
          if (c !== 123 && c !== 91) {
            buffer.push(line.slice(i));
            emit(out);
            return out;
          }
        }
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) inString = false;
        } else if (c === 34) inString = true;
        else if (c === 123 || c === 91) depth++;
        else if (c === 125 || c === 93) {
          depth--;
          if (depth <= 0) {
            buffer.push(line.slice(segmentStart, i + 1));
            emit(out);
            segmentStart = i + 1;
          }
        }
      }
      if (segmentStart < line.length || (buffer.length > 0 && segmentStart === 0)) {
        const rest = line.slice(segmentStart);
        if (buffer.length > 0 || rest.trim() !== '') {
          buffer.push(rest);
          bufferChars += rest.length;
        }
      }
      if (bufferChars > MAX_DOCUMENT_CHARS) emit(out);
      return out;
    },
    end() {
      const out: Frame[] = [];
      if (buffer.length > 0) emit(out);
      return out;
    },
  };
}
