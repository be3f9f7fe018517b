import { lineFramer } from '../../framing.js';
import type { Framer } from '../../types.js';

/** Report furniture around the records of `ras-mc-ctl --errors` / `--summary`: headings and "none" lines. */
const RAS_BANNER_RE =
  /^(?:[\w ()/-]+ events(?: summary)?:|No [\w ()/-]+ errors\.|[\w ()/-]+ records summary:)\s*$/;

/**
 * One record per non-blank line, as for any log; the headings and "No … errors." lines rasdaemon's
 * `ras-mc-ctl` prints between its rows are dropped on purpose and counted in `skipped`.
 */
export function syslogFramer(): Framer & { readonly skipped: Readonly<Record<'banner', number>> } {
  const lines = lineFramer();
  const skipped = { banner: 0 };
  return {
    skipped,
    push(line, lineNo) {
      if (RAS_BANNER_RE.test(line)) {
        skipped.banner++;
        return [];
      }
      return lines.push(line, lineNo);
    },
    end: () => lines.end(),
  };
}
