import { OccurrenceCounter } from '../../framing.js';
import type { Frame, Framer } from '../../types.js';
import { parseOsloHead, stripAnsi, type TracebackLine, tracebackLine } from './oslo-format.js';

/**
 * Cuts oslo.log text into records. A traceback is folded into the record that raised it, in both of
 * the shapes oslo.log produces: bare Python traceback lines under the record, and traceback lines
 * that repeat the record's prefix (same pid and logger) with the traceback text after it. Bare
 * indented lines outside a traceback continue a multi-line message.
 */
export function osloFramer(): Framer {
  const counter = new OccurrenceCounter();
  let current: Frame | undefined;
  // pid and logger of the open record: prefixed traceback lines repeat both.
  let currentPid = -1;
  let currentLogger = '';
  let open = false;

  const emit = (): Frame[] => {
    if (current === undefined) return [];
    const occurrence = counter.next(current.payload);
    const out = occurrence > 0 ? { ...current, occurrence } : current;
    current = undefined;
    open = false;
    return [out];
  };

  const fold = (line: string, kind: TracebackLine): Frame[] => {
    current!.payload += `\n${line}`;
    // The exception line closes the traceback; a chained one reopens it ("During handling of …").
    open = kind !== 'exception';
    return [];
  };

  return {
    push(line, lineNo) {
      if (line.trim() === '') return [];
      const clean = stripAnsi(line);
      const isJson = clean.startsWith('{');
      const head = isJson ? undefined : parseOsloHead(clean);
      if (current !== undefined && !isJson) {
        if (head === undefined) {
          const kind = tracebackLine(clean, open);
          if (kind !== 'none') return fold(line, kind);
          if (clean.startsWith(' ') || clean.startsWith('\t')) return fold(line, 'body');
        } else if (head.pid === currentPid && head.logger === currentLogger) {
          const kind = tracebackLine(head.message, open);
          if (kind !== 'none') return fold(line, kind);
        }
      }
      const out = emit();
      current = { payload: line, line: lineNo };
      currentPid = head === undefined ? -1 : head.pid;
      currentLogger = head === undefined ? '' : head.logger;
      return out;
    },
    end: emit,
  };
}
