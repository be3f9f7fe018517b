import type { Frame, Framer } from './types.js';

/**
 * Counts repeats of identical payloads so that byte-identical records inside one input get distinct
 * event ids. Bounded: repeats in logs are close together, and an unbounded map would hold a whole
 * 100 MB file in memory.
 */
export class OccurrenceCounter {
  private seen = new Map<string, number>();
  constructor(private readonly limit = 50_000) {}

  next(payload: string): number {
    const n = this.seen.get(payload);
    if (n === undefined) {
      if (this.seen.size >= this.limit) this.seen.clear();
      this.seen.set(payload, 0);
      return 0;
    }
    this.seen.set(payload, n + 1);
    return n + 1;
  }
}

function withOccurrence(frame: Frame, counter: OccurrenceCounter): Frame {
  const occurrence = counter.next(frame.payload);
  return occurrence > 0 ? { ...frame, occurrence } : frame;
}

/** One record per non-blank line (syslog, NDJSON, flow records). */
export function lineFramer(): Framer {
  const counter = new OccurrenceCounter();
  return {
    push(line, lineNo) {
      if (line.trim() === '') return [];
      return [withOccurrence({ payload: line, line: lineNo }, counter)];
    },
    end: () => [],
  };
}

/**
 * One record per line, except that lines for which `isContinuation` is true are folded into the
 * record before them (Python tracebacks under an oslo.log line, indented `sel get` fields).
 */
export function foldingFramer(isContinuation: (line: string) => boolean): Framer {
  const counter = new OccurrenceCounter();
  let current: Frame | undefined;
  return {
    push(line, lineNo) {
      if (current !== undefined && isContinuation(line)) {
        current.payload += `\n${line}`;
        return [];
      }
      const out: Frame[] = [];
      if (current !== undefined) out.push(withOccurrence(current, counter));
      current = line.trim() === '' ? undefined : { payload: line, line: lineNo };
      return out;
    },
    end() {
      const out = current === undefined ? [] : [withOccurrence(current, counter)];
      current = undefined;
      return out;
    },
  };
}

/** Past this a "document" is runaway input (an unclosed brace); it is handed on to be rejected. */
const MAX_DOCUMENT_CHARS = 8 * 1024 * 1024;

/**
 * Frames JSON documents however they are laid out: NDJSON, one pretty-printed document, or several
 * pretty-printed documents back to back (`for d in /dev/sd?; do smartctl
 * --json -a $d; done`). It tracks brace depth outside strings and cuts a record each time depth
 * returns to zero. Text outside any document becomes a record of its own so the decoder can reject
 * it with its line number instead of it vanishing.
 */
export function jsonFramer(): Framer {
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

/**
 * The location of a rejection inside the original input: a frame cut out of a document at
 * `$.Members[1]` plus a decoder path `$.Created` relative to that frame is `$.Members[1].Created`.
 */
export function joinPath(framePath: string | undefined, recordPath: string | undefined): string | undefined {
  if (framePath === undefined) return recordPath;
  if (recordPath === undefined || recordPath === '$') return framePath;
  return recordPath.startsWith('$') ? framePath + recordPath.slice(1) : `${framePath}.${recordPath}`;
}

/**
 * A record as the framers cut it from a text with CRLF line ends: no CR before a line break, and no
 * line break (nor CR) at its end. Records without a CR, nearly all, are returned as they are.
 */
export function withoutCarriageReturns(record: string): string {
  if (record.indexOf('\r') === -1) return record.endsWith('\n') ? record.replace(/\n+$/, '') : record;
  return record.replace(/\r\n/g, '\n').replace(/[\r\n]+$/, '');
}

/** Frames a whole text (HTTP body, test fixture) in one call. */
export function frameText(framer: Framer, text: string): Frame[] {
  const out: Frame[] = [];
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    lineNo++;
    if (!(end === text.length && line === '')) {
      for (const f of framer.push(line, lineNo)) out.push(f);
    }
    start = end + 1;
  }
  for (const f of framer.end()) out.push(f);
  return out;
}

export interface FramedChunk {
  frames: Frame[];
  /** Lines read so far, and bytes of input consumed so far. */
  lines: number;
  bytes: number;
}

/**
 * Frames a byte stream (LF or CRLF, UTF-8 with replacement characters), one result per input chunk:
 * a promise per line (readline, or an async generator of lines) costs more than decoding the line.
 * Text after the last line break waits in pieces and is joined once its break arrives, so a line
 * spread over many chunks costs linear time. The last result carries what `framer.end()` flushed.
 */
export async function* frameStream(
  framer: Framer,
  input: AsyncIterable<unknown> | Iterable<unknown>,
): AsyncGenerator<FramedChunk> {
  const decoder = new TextDecoder('utf-8');
  let open: string[] = [];
  let lines = 0;
  let bytes = 0;
  const push = (line: string, frames: Frame[]) => {
    lines++;
    for (const f of framer.push(line.endsWith('\r') ? line.slice(0, -1) : line, lines)) frames.push(f);
  };
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).length;
    const frames: Frame[] = [];
    const cut = text.lastIndexOf('\n');
    if (cut === -1) {
      if (text !== '') open.push(text);
    } else {
      open.push(text.slice(0, cut));
      for (const line of open.join('').split('\n')) push(line, frames);
      open = cut + 1 < text.length ? [text.slice(cut + 1)] : [];
    }
    yield { frames, lines, bytes };
  }
  const tail = open.join('') + decoder.decode();
  const frames: Frame[] = [];
  if (tail !== '') push(tail, frames);
  for (const f of framer.end()) frames.push(f);
  yield { frames, lines, bytes };
}

/** A line of the input that is not UTF-8, kept as its bytes (without the line break and a trailing CR). */
export interface InvalidLine {
  line: number;
  bytes: Buffer;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Frames a byte stream as frameStream does, except that a line that is not UTF-8 is not turned into
 * U+FFFD: it comes back as bytes in `invalidLines` (and reaches the framer as an empty line, so the
 * line numbers after it still hold). `faultline replay` publishes those bytes as they are, so the
 * pipeline dead-letters them with the original bytes, as the HTTP edge does.
 */
export async function* frameBytes(
  framer: Framer,
  input: AsyncIterable<unknown> | Iterable<unknown>,
): AsyncGenerator<FramedChunk & { invalidLines: InvalidLine[] }> {
  let carry: Buffer = Buffer.alloc(0);
  let lines = 0;
  let bytes = 0;
  const pushLine = (line: Buffer, frames: Frame[], invalidLines: InvalidLine[]) => {
    lines++;
    const body = line.at(-1) === 13 ? line.subarray(0, -1) : line;
    let text = '';
    try {
      text = strictUtf8.decode(body);
    } catch {
      invalidLines.push({ line: lines, bytes: Buffer.from(body) });
    }
    for (const f of framer.push(text, lines)) frames.push(f);
  };
  const pushRegion = (region: Buffer, frames: Frame[], invalidLines: InvalidLine[]) => {
    let text: string | undefined;
    try {
      text = strictUtf8.decode(region);
    } catch {
      // Rare: only a region holding bytes that are not UTF-8 is walked line by line as bytes.
    }
    if (text !== undefined) {
      for (const line of text.split('\n')) {
        lines++;
        for (const f of framer.push(line.endsWith('\r') ? line.slice(0, -1) : line, lines)) frames.push(f);
      }
      return;
    }
    let start = 0;
    for (;;) {
      const end = region.indexOf(10, start);
      pushLine(region.subarray(start, end === -1 ? region.length : end), frames, invalidLines);
      if (end === -1) return;
      start = end + 1;
    }
  };
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
    bytes += buffer.length;
    const frames: Frame[] = [];
    const invalidLines: InvalidLine[] = [];
    const cut = buffer.lastIndexOf(10);
    if (cut === -1) carry = Buffer.concat([carry, buffer]);
    else {
      pushRegion(Buffer.concat([carry, buffer.subarray(0, cut)]), frames, invalidLines);
      carry = Buffer.from(buffer.subarray(cut + 1));
    }
    yield { frames, invalidLines, lines, bytes };
  }
  const frames: Frame[] = [];
  const invalidLines: InvalidLine[] = [];
  if (carry.length > 0) pushLine(carry, frames, invalidLines);
  for (const f of framer.end()) frames.push(f);
  yield { frames, invalidLines, lines, bytes };
}
