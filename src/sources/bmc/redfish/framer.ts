import { jsonFramer, OccurrenceCounter } from '../../framing.js';
import type { Frame, Framer } from '../../types.js';

interface Span {
  start: number;
  end: number;
}

function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

function skipString(s: string, i: number): number {
  for (i++; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

function skipValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return skipString(s, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    while (i < s.length) {
      const ch = s[i];
      if (ch === '"') {
        i = skipString(s, i);
        if (i < 0) return -1;
        continue;
      }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  while (i < s.length && !',]} \t\n\r'.includes(s[i]!)) i++;
  return i;
}

/** Byte spans of the elements of the array that opens at `s[open]`. */
function arraySpans(s: string, open: number): Span[] | undefined {
  const spans: Span[] = [];
  let i = skipWs(s, open + 1);
  if (s[i] === ']') return spans;
  for (;;) {
    const start = i;
    const end = skipValue(s, i);
    if (end < 0) return undefined;
    spans.push({ start, end });
    i = skipWs(s, end);
    if (s[i] === ']') return spans;
    if (s[i] !== ',') return undefined;
    i = skipWs(s, i + 1);
  }
}

/**
 * Byte spans of the elements of the top-level array `key` (`''`: the document is itself an array) in a JSON object text already known to
 * parse. Spans rather than re-serialized members keep `event.original` byte-identical to the input.
 */
export function topLevelArraySpans(s: string, key: string): Span[] | undefined {
  let i = skipWs(s, 0);
  if (key === '') return s[i] === '[' ? arraySpans(s, i) : undefined;
  if (s[i] !== '{') return undefined;
  i++;
  for (;;) {
    i = skipWs(s, i);
    if (s[i] !== '"') return undefined;
    const keyEnd = skipString(s, i);
    if (keyEnd < 0) return undefined;
    const name = JSON.parse(s.slice(i, keyEnd)) as string;
    i = skipWs(s, keyEnd);
    if (s[i] !== ':') return undefined;
    i = skipWs(s, i + 1);
    if (name === key && s[i] === '[') return arraySpans(s, i);
    i = skipValue(s, i);
    if (i < 0) return undefined;
    i = skipWs(s, i);
    if (s[i] !== ',') return undefined;
    i++;
  }
}

function membersKey(doc: unknown): 'Members' | 'Events' | '' | undefined {
  if (Array.isArray(doc)) return doc.length > 0 ? '' : undefined;
  if (typeof doc !== 'object' || doc === null) return undefined;
  const o = doc as Record<string, unknown>;
  if (Array.isArray(o.Members) && o.Members.length > 0) return 'Members';
  if (Array.isArray(o.Events) && o.Events.length > 0) return 'Events';
  return undefined;
}

/**
 * JSON documents however `jsonFramer` finds them, with one frame per member
 * of a `LogEntryCollection` (`Members[]`), an EventService payload (`Events[]`) or a bare array of
 * LogEntry objects.
 *
 * Each entry is its own record: a bad member is rejected on its own and dead-lettered with its own
 * bytes and line, while its siblings decode, so nothing is dropped and `Source` stays one record →
 * one result. Anything else (a single LogEntry, an empty collection, text that is not JSON) passes
 * through as one frame and the decoder decides.
 */
export function redfishFramer(): Framer {
  const inner = jsonFramer();
  const counter = new OccurrenceCounter();

  const split = (frames: Frame[]): Frame[] => {
    const out: Frame[] = [];
    for (const frame of frames) {
      let doc: unknown;
      try {
        doc = JSON.parse(frame.payload);
      } catch {
        out.push(frame);
        continue;
      }
      const key = membersKey(doc);
      const spans = key === undefined ? undefined : topLevelArraySpans(frame.payload, key);
      const count =
        key === undefined
          ? 0
          : key === ''
            ? (doc as unknown[]).length
            : ((doc as Record<string, unknown[]>)[key]?.length ?? 0);
      if (key === undefined || spans === undefined || spans.length !== count) {
        out.push(frame);
        continue;
      }
      let line = frame.line;
      let pos = 0;
      spans.forEach((span, index) => {
        for (
          let p = frame.payload.indexOf('\n', pos);
          p !== -1 && p < span.start;
          p = frame.payload.indexOf('\n', p + 1)
        )
          line++;
        pos = span.start;
        const payload = frame.payload.slice(span.start, span.end);
        const occurrence = counter.next(payload);
        const member: Frame = { payload, line, path: key === '' ? `$[${index}]` : `$.${key}[${index}]` };
        if (occurrence > 0) member.occurrence = occurrence;
        out.push(member);
      });
    }
    return out;
  };

  return {
    push: (line, lineNo) => split(inner.push(line, lineNo)),
    end: () => split(inner.end()),
  };
}
