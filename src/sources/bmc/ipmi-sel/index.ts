import { type DecodeContext, type DecodeResult, decoded, rejected, type Source } from '../../types.js';
import { selFramer } from './framer.js';
import { parseIpmiutilLine } from './parse-ipmiutil.js';
import { parseLogUtilLine } from './parse-log-util.js';
import { parseTableRow } from './parse-table.js';
import { isVerboseBlock, parseVerboseBlock } from './parse-verbose.js';
import { isFailure, type ParseFailure, type SelRecord } from './record.js';
import { selRecordToEvent } from './to-event.js';

export type { SelFramer, SelSkipKind } from './framer.js';
export { selFramer } from './framer.js';

/** `pdsh`/FreeIPMI hostrange output prefixes every line with the node: `node1: …` or `[node1]: …`. */
const HOST_PREFIX_RE = /^(?:\[([A-Za-z0-9][\w.-]*)\]|([A-Za-z0-9][\w.-]*)):\s+(?=\S)/;
const MAX_RECORD_CHARS = 64 * 1024;
/** Records the tools themselves could not decode; said plainly so the dead letter is actionable. */
const TOOL_GAVE_UP: readonly [RegExp, string][] = [
  [
    /^Unknown SEL Record Type: ([0-9a-f]+)h\s*$/i,
    'FreeIPMI could not decode a SEL record of invalid record type 0x$1',
  ],
  [
    /^([0-9a-f]{4}) Type([0-9a-f]{2})\b/i,
    'ipmiutil printed raw bytes of SEL record $1 with invalid record type 0x$2',
  ],
];

function parse(text: string): SelRecord | ParseFailure | undefined {
  if (isVerboseBlock(text)) return parseVerboseBlock(text);
  return parseTableRow(text) ?? parseIpmiutilLine(text) ?? parseLogUtilLine(text);
}

function describe(payload: string): string {
  const shown = payload.length > 60 ? `${payload.slice(0, 57)}...` : payload;
  return JSON.stringify(shown);
}

function decodeSel(payload: string, ctx: DecodeContext): DecodeResult {
  if (payload.length > MAX_RECORD_CHARS)
    return rejected(`SEL record longer than ${MAX_RECORD_CHARS} characters`);
  let rec = parse(payload);
  if (rec === undefined) {
    const prefix = HOST_PREFIX_RE.exec(payload);
    if (prefix !== null) {
      rec = parse(payload.slice(prefix[0].length));
      if (rec !== undefined && !isFailure(rec)) rec.host = prefix[1] ?? prefix[2]!;
    }
  }
  if (rec === undefined) {
    const trimmed = payload.trim();
    for (const [re, reason] of TOOL_GAVE_UP) {
      const m = re.exec(trimmed);
      if (m !== null) return rejected(m[0].replace(re, reason));
    }
    return rejected(
      `not a SEL record in a known format (ipmitool, FreeIPMI, ipmiutil, OpenBMC log-util): ${describe(payload)}`,
    );
  }
  if (isFailure(rec)) return rejected(rec.reason);
  return decoded(selRecordToEvent(rec, payload, ctx));
}

/**
 * IPMI System Event Log text as `ipmitool sel list|elist`, `ipmitool sel get` / `-v sel list`,
 * FreeIPMI `ipmi-sel` (with or without `--output-event-state` / `-v`), ipmiutil `sel`/`events` and
 * OpenBMC `log-util --print` print it, decoded with the IPMI 2.0 tables into `hw.*`, `event.code` and `bmc.sel.*`.
 */
export const ipmiSelSource: Source = {
  id: 'ipmi-sel',
  dataset: 'bmc.sel',
  description:
    'IPMI SEL text from ipmitool (list, elist, sel get), FreeIPMI ipmi-sel, ipmiutil sel and OpenBMC log-util',
  contentType: 'text/plain',
  createFramer: selFramer,
  decode: decodeSel,
};
