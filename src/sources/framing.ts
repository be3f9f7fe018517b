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

/**
 * A JSON input is either NDJSON (one document a line) or one document spread over many lines; the
 * framer tells them apart by whether the first non-blank line parses on its own.
 */
export function jsonFramer(): Framer {
  const counter = new OccurrenceCounter();
  let mode: 'unknown' | 'ndjson' | 'document' = 'unknown';
  let buffer: string[] = [];
  let firstLine = 0;
  return {
    push(line, lineNo) {
      if (mode === 'ndjson') {
        return line.trim() === '' ? [] : [withOccurrence({ payload: line, line: lineNo }, counter)];
      }
      if (mode === 'unknown') {
        if (line.trim() === '') return [];
        firstLine = lineNo;
        try {
          JSON.parse(line);
          mode = 'ndjson';
          return [withOccurrence({ payload: line, line: lineNo }, counter)];
        } catch {
          mode = 'document';
        }
      }
      buffer.push(line);
      return [];
    },
    end() {
      if (mode !== 'document' || buffer.length === 0) return [];
      const payload = buffer.join('\n');
      buffer = [];
      return [{ payload, line: firstLine }];
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
