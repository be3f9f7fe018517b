import { OccurrenceCounter } from '../../framing.js';
import type { Frame, Framer } from '../../types.js';
import { type OsloHead, parseAnyHead, stripAnsi, type TracebackLine, tracebackLine } from './oslo-format.js';

export interface OsloFramer extends Framer {
  /** Whether `push(line)` would fold the line into the open record instead of starting a new one. */
  continues(line: string): boolean;
}

/**
 * Cuts oslo.log text into records. A traceback is folded into the record that raised it, in both of
 * the shapes oslo.log produces: bare Python traceback lines under the record, and traceback lines
 * that repeat the record's prefix (same pid and logger) with the traceback text after it, and the
 * older `TRACE` prefix lines (same pid). Bare indented lines outside a traceback continue a
 * multi-line message; an indented line that is itself an oslo.log line (a pasted, indented excerpt)
 * starts a record. journald-wrapped lines (devstack) are read by their inner oslo head.
 *
 * `counter` is shared with the byte fast path (fast-path.ts) so both number repeats alike.
 */
export function osloFramer(counter: Pick<OccurrenceCounter, 'next'> = new OccurrenceCounter()): OsloFramer {
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

  /** How `line` continues the open record; undefined when it starts a new one. */
  const continuation = (clean: string, head: OsloHead | undefined): TracebackLine | undefined => {
    if (current === undefined || clean.startsWith('{')) return undefined;
    if (head === undefined) {
      const kind = tracebackLine(clean, open);
      if (kind !== 'none') return kind;
      return clean.startsWith(' ') || clean.startsWith('\t') ? 'body' : undefined;
    }
    if (head.pid !== currentPid) return undefined;
    // Older oslo.log writes each traceback line with the exception prefix `… TRACE logger`, also
    // the lines after the exception line (`Command: …`, `Exit code: 1`): all belong to the record.
    if (head.level === 'TRACE') return 'body';
    if (head.logger !== currentLogger) return undefined;
    const kind = tracebackLine(head.message, open);
    return kind === 'none' ? undefined : kind;
  };
  const headOf = (clean: string) => (clean.startsWith('{') ? undefined : parseAnyHead(clean));

  return {
    continues(line) {
      if (line.trim() === '') return false;
      const clean = stripAnsi(line);
      return continuation(clean, headOf(clean)) !== undefined;
    },
    push(line, lineNo) {
      if (line.trim() === '') return [];
      const clean = stripAnsi(line);
      const head = headOf(clean);
      const kind = continuation(clean, head);
      if (kind !== undefined) return fold(line, kind);
      const out = emit();
      current = { payload: line, line: lineNo };
      currentPid = head === undefined ? -1 : head.pid;
      currentLogger = head === undefined ? '' : head.logger;
      return out;
    },
    end: emit,
  };
}
