import type { FaultEvent } from '../../src/model/event.js';
import { frameText } from '../../src/sources/framing.js';
import type { DecodeContext, Source } from '../../src/sources/types.js';

export interface Decoded {
  /** Records the source's framer cut out of the text. */
  frames: number;
  /** Payloads of the records that decoded (one record may give several events). */
  decoded: string[];
  events: FaultEvent[];
  rejected: { line: number; reason: string; path?: string }[];
}

/** Frames `text` with the source's own framer and decodes each record, as `faultline parse` does. */
export function decodeText(source: Source, text: string, ctx: DecodeContext = {}): Decoded {
  const frames = frameText(source.createFramer(), text);
  const out: Decoded = { frames: frames.length, decoded: [], events: [], rejected: [] };
  for (const f of frames) {
    const r = source.decode(f.payload, { ...ctx, line: f.line, occurrence: f.occurrence });
    if (r.ok) {
      out.decoded.push(f.payload);
      out.events.push(...r.events);
    } else {
      out.rejected.push({
        line: f.line,
        reason: r.reason,
        ...(r.path !== undefined ? { path: r.path } : {}),
      });
    }
  }
  return out;
}
