import { OccurrenceCounter } from '../../framing.js';
import type { Frame, Framer } from '../../types.js';
import { OVS_PORT_RE } from './ovs.js';
import { familyOf, TYPE_LINE_RE } from './prometheus.js';

/** A scrape has a few thousand families; more means a runaway stream, so start over. */
const MAX_FAMILIES = 20_000;
const OVS_HEADER_RE = /^\s*OFPST_PORT(?:_DESC)? reply\b/;
const SAMPLE_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/**
 * Frames DPU counter input of three kinds, which may be mixed in one stream:
 *
 * - Prometheus text exposition: one sample line is one record. Comment lines (`# HELP`, `# EOF`,
 *   and any other `#` line) are not records and are dropped on purpose. A `# TYPE` line is
 *   remembered instead, and each sample of that family is handed on as the two-line record
 *   `# TYPE <family> <type>\n<sample>`: the record stays valid exposition text on its own (on the
 *   bus, in the dead-letter table) and the decoder knows whether it holds a counter or a gauge.
 * - JSON lines: one object a line is one record.
 * - `ovs-ofctl dump-ports`: the `port …: rx …` line and its indented continuation lines (tx,
 *   duration, CUSTOM Statistics) are one record; the `OFPST_PORT reply` header is dropped.
 */
export function metricsFramer(): Framer {
  const counter = new OccurrenceCounter();
  const types = new Map<string, string>();
  let block: Frame | undefined;

  const frame = (payload: string, line: number): Frame => {
    const occurrence = counter.next(payload);
    return occurrence > 0 ? { payload, line, occurrence } : { payload, line };
  };
  const flush = (out: Frame[]): void => {
    if (block !== undefined) out.push(frame(block.payload, block.line));
    block = undefined;
  };

  return {
    push(line, lineNo) {
      const out: Frame[] = [];
      const first = line.charCodeAt(0);
      if (block !== undefined && (first === 32 || first === 9) && !OVS_PORT_RE.test(line)) {
        if (line.trim() !== '') {
          block.payload += `\n${line}`;
          return out;
        }
      }
      flush(out);
      if (line.trim() === '') return out;
      if (first === 35) {
        const t = TYPE_LINE_RE.exec(line);
        if (t !== null) {
          if (types.size >= MAX_FAMILIES) types.clear();
          types.set(t[1]!, t[2]!);
        }
        return out;
      }
      if (OVS_HEADER_RE.test(line)) return out;
      if (OVS_PORT_RE.test(line)) {
        block = { payload: line, line: lineNo };
        return out;
      }
      const name = SAMPLE_NAME_RE.exec(line)?.[0];
      const type = name === undefined ? undefined : (types.get(name) ?? types.get(familyOf(name)));
      const family = name === undefined || types.has(name) ? name : familyOf(name);
      out.push(frame(type === undefined ? line : `# TYPE ${family} ${type}\n${line}`, lineNo));
      return out;
    },
    end() {
      const out: Frame[] = [];
      flush(out);
      return out;
    },
  };
}
