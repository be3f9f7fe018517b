import { OccurrenceCounter } from '../../framing.js';
import type { Frame, Framer } from '../../types.js';
import { isTracebackBody, parseOsloHead, stripAnsi } from './oslo-format.js';

/**
 * Cuts oslo.log text into records. A traceback is folded into the record that raised it, in both of
 * the shapes oslo.log produces: bare Python traceback lines under the record, and traceback lines
 * that repeat the record's prefix (same pid and logger) with the traceback text after it.
 */
export function osloFramer(): Framer {
  const counter = new OccurrenceCounter();
  let current: Frame | undefined;
  let currentKey = '';
  let inTraceback = false;

  const emit = (): Frame[] => {
    if (current === undefined) return [];
    const occurrence = counter.next(current.payload);
    const out = occurrence > 0 ? { ...current, occurrence } : current;
    current = undefined;
    inTraceback = false;
    return [out];
  };

  return {
    push(line, lineNo) {
      if (line.trim() === '') return [];
      const clean = stripAnsi(line);
      const head = clean.startsWith('{') ? undefined : parseOsloHead(clean);
      if (current !== undefined) {
        if (head === undefined && !clean.startsWith('{') && isTracebackBody(clean)) {
          current.payload += `\n${line}`;
          inTraceback = true;
          return [];
        }
        if (head !== undefined && `${head.pid} ${head.logger}` === currentKey) {
          const text = head.message;
          const startsTrace = text.startsWith('Traceback (most recent call last):');
          if (startsTrace || (inTraceback && isTracebackBody(text))) {
            current.payload += `\n${line}`;
            // The exception line ("ValueError: …") ends the traceback.
            inTraceback = startsTrace || text.startsWith(' ') || text.startsWith('\t') || text === '';
            return [];
          }
        }
      }
      const out = emit();
      current = { payload: line, line: lineNo };
      currentKey = head === undefined ? '' : `${head.pid} ${head.logger}`;
      return out;
    },
    end: emit,
  };
}
