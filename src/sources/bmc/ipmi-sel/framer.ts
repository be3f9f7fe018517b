import { OccurrenceCounter } from '../../framing.js';
import type { Frame, Framer } from '../../types.js';

/** Lines the SEL framer drops on purpose because they are tool output around records, not records. */
export type SelSkipKind = 'header' | 'separator' | 'banner';

/**
 * A framer that also says what it dropped. The pipeline only sees frames; callers that account for
 * every input line (the `parse` CLI summary, the fixture tests) read `skipped`.
 */
export interface SelFramer extends Framer {
  readonly skipped: Readonly<Record<SelSkipKind, number>>;
}

const SKIP_RULES: readonly [SelSkipKind, RegExp][] = [
  // FreeIPMI table header (plain and --comma-separated-output), ipmiutil column header.
  ['header', /^\s*ID\s*[|,]\s*Date\s*[|,]\s*Time\s*[|,]/i],
  ['header', /^\s*RecId\s+(?:\|\s*)?Date/i],
  ['separator', /^(?=.*[-=_]{3})[\s|+=_-]+$/],
  // ipmiutil version lines and trailers, FreeIPMI SDR cache progress, ipmitool's empty-SEL notice.
  ['banner', /^(?:ipmiutil|isel|ievents|events|igetevent):?\s+ver(?:sion)?\s+[\d.]+\s*$/i],
  ['banner', /^(?:ipmitool version|ipmi-sel -)\s+[\d.]+\s*$/i],
  ['banner', /^--\s*BMC version\b/i],
  ['banner', /^SEL Ver\s+\d+/i],
  ['banner', /^ipmiutil\s+\w+,\s+completed\b/i],
  ['banner', /^Caching SDR (?:repository|cache|record)/i],
  ['banner', /^SEL has no entries\s*$/i],
];

const VERBOSE_START_RE = /^\s*SEL Record ID\s*:/;
const VERBOSE_FIELD_RE = /^\s*[A-Za-z][^:|]*:\s?/;
const CONTINUATION_RE = /^\s+\S/;
const SDR_PART_RE = /^\s*Sensor ID\s*:/;

/**
 * ipmitool list/elist, FreeIPMI and ipmiutil print one record a line; `sel get` and `-v sel list`
 * print "Key : value" blocks starting at `SEL Record ID` and ending at a blank line. `sel get` then
 * prints the sensor's SDR as a second block ("Sensor ID : …"), which is folded into the record so a
 * `sel get` is one record, not a record plus a rejected fragment.
 */
export function selFramer(): SelFramer {
  const counter = new OccurrenceCounter();
  const skipped: Record<SelSkipKind, number> = { header: 0, separator: 0, banner: 0 };
  let block: Frame | undefined;
  let blankAfterBlock = false;

  const emit = (frame: Frame): Frame => {
    const occurrence = counter.next(frame.payload);
    return occurrence > 0 ? { ...frame, occurrence } : frame;
  };
  const flush = (out: Frame[]): void => {
    if (block !== undefined) out.push(emit(block));
    block = undefined;
    blankAfterBlock = false;
  };

  return {
    skipped,
    push(line, lineNo) {
      const out: Frame[] = [];
      if (line.trim() === '') {
        if (block !== undefined) blankAfterBlock = true;
        return out;
      }
      if (block !== undefined) {
        if (blankAfterBlock) {
          if (SDR_PART_RE.test(line)) {
            block.payload += `\n\n${line}`;
            blankAfterBlock = false;
            return out;
          }
        } else if (
          !VERBOSE_START_RE.test(line) &&
          (VERBOSE_FIELD_RE.test(line) || CONTINUATION_RE.test(line))
        ) {
          block.payload += `\n${line}`;
          return out;
        }
        flush(out);
      }
      for (const [kind, re] of SKIP_RULES) {
        if (re.test(line)) {
          skipped[kind]++;
          return out;
        }
      }
      if (VERBOSE_START_RE.test(line)) {
        block = { payload: line, line: lineNo };
        return out;
      }
      out.push(emit({ payload: line, line: lineNo }));
      return out;
    },
    end() {
      const out: Frame[] = [];
      flush(out);
      return out;
    },
  };
}
