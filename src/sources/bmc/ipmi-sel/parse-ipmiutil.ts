import { EVENT_TYPE_THRESHOLD, sensorTypeByName } from '../ipmi-tables.js';
import { fullYear, selTime } from '../sel-time.js';
import type { ParseFailure, SelRecord } from './record.js';

/*
 * ipmiutil `sel` / `events` lines (util/ievents.c, decode_sel_entry):
 *   RecId Date/Time_______ [SEV] Src_ [Evt_Type hex] <type name> [#]SensNum Evt_detail [Trig [d1 d2 d3]]
 *   0068 07/16/08 11:12:55 BMC  08 Power Supply #70 Removed ef [40 0f ff]
 *   4b18 07/17/06 14:33:14 BMC  01 Temperature 30 LoC thresh OK now act=1b thr=06
 * The trigger byte is event-dir|event-type and data byte 1 carries the offset, so a line with them is
 * decoded from the bytes; threshold lines carry only ipmiutil's own wording and the raw reading.
 */

const LINE_RE =
  /^([0-9a-f]{4})\s+(\d\d)\/(\d\d)\/(\d\d(?:\d\d)?)\s+(\d\d):(\d\d):(\d\d)\s+(?:(INF|MIN|MAJ|CRT)\s+)?(\S{1,5})\s+(?:([0-9a-f]{2})\s+)?(.+)$/i;
const TYPE_AND_NUMBER_RE = /^(.*?)\s+#?([0-9a-f]{2})(?:\s+(.*))?$/i;
const TRIGGER_RE = /\s+([0-9a-f]{2})\s+\[([0-9a-f]{2})\s+([0-9a-f]{2})\s+([0-9a-f]{2})\]\s*$/i;
const THRESHOLD_RE = /\s+act=([0-9a-f]{2})\s+thr=([0-9a-f]{2})\s*$/i;

/** ipmiutil's threshold wordings (sens_desc[]): offset and whether the line is a deassertion. */
const THRESHOLD_WORDS: ReadonlyMap<string, [offset: number, deasserted: boolean]> = new Map([
  ['lo noncrit thresh', [0x00, false]],
  ['lon thresh ok now', [0x00, true]],
  ['lo noncrith ok now', [0x01, false]],
  ['lononcrit thresh', [0x01, true]],
  ['lo crit thresh', [0x02, false]],
  ['loc thresh ok now', [0x02, true]],
  ['lo crithi ok now', [0x03, false]],
  ['locrithi thresh', [0x03, true]],
  ['lo unrec thresh', [0x04, false]],
  ['lou thresh ok now', [0x04, true]],
  ['lo unrech ok now', [0x05, false]],
  ['lounrech thresh', [0x05, true]],
  ['hi noncritl ok now', [0x06, false]],
  ['hinoncrit thresh', [0x06, true]],
  ['hi noncrit thresh', [0x07, false]],
  ['hin thresh ok now', [0x07, true]],
  ['hi critlo ok now', [0x08, false]],
  ['hicritlo thresh', [0x08, true]],
  ['hi crit thresh', [0x09, false]],
  ['hic thresh ok now', [0x09, true]],
  ['hi unrecl ok now', [0x0a, false]],
  ['hiurecl thresh', [0x0a, true]],
  ['hi unrec thresh', [0x0b, false]],
  ['hiu thresh ok now', [0x0b, true]],
]);

/** One ipmiutil line; undefined when the line is not in ipmiutil's shape at all. */
export function parseIpmiutilLine(line: string): SelRecord | ParseFailure | undefined {
  const m = LINE_RE.exec(line.trim());
  if (m === null) return undefined;
  const time = selTime(
    fullYear(Number(m[4]), m[4]!.length),
    Number(m[2]),
    Number(m[3]),
    Number(m[5]),
    Number(m[6]),
    Number(m[7]),
  );
  if (time === undefined)
    return { reason: `unreadable ipmiutil date/time '${m[2]}/${m[3]}/${m[4]} ${m[5]}:${m[6]}:${m[7]}'` };
  const rest = TYPE_AND_NUMBER_RE.exec(m[11]!);
  if (rest === null) return { reason: 'ipmiutil SEL line without a sensor number' };

  const typeName = rest[1]!.trim();
  const rec: SelRecord = {
    format: 'ipmiutil',
    recordId: m[1]!.toLowerCase(),
    time,
    generator: m[9]!,
    sensorTypeName: typeName,
    sensorNumber: Number.parseInt(rest[2]!, 16),
    direction: 'asserted',
    directionKnown: false,
    description: '',
  };
  if (m[8] !== undefined) rec.toolSeverity = m[8].toUpperCase();
  // The printed code is authoritative: ipmiutil names 0x05 "Platform Security", ipmitool names 0x06 so.
  if (m[10] !== undefined) rec.sensorType = Number.parseInt(m[10], 16);
  else {
    const byName = sensorTypeByName(typeName);
    if (byName !== undefined) rec.sensorType = byName.code;
  }

  let detail = (rest[3] ?? '').trim();
  const trig = TRIGGER_RE.exec(` ${detail}`);
  const thresh = THRESHOLD_RE.exec(` ${detail}`);
  if (trig !== null) {
    detail = ` ${detail}`.slice(0, trig.index).trim();
    const trigger = Number.parseInt(trig[1]!, 16);
    const d1 = Number.parseInt(trig[2]!, 16);
    rec.eventType = trigger & 0x7f;
    rec.direction = trigger & 0x80 ? 'deasserted' : 'asserted';
    rec.directionKnown = true;
    rec.offset = d1 & 0x0f;
    rec.eventData = `${trig[2]}${trig[3]}${trig[4]}`.toLowerCase();
  } else if (thresh !== null) {
    detail = ` ${detail}`.slice(0, thresh.index).trim();
    rec.reading = Number.parseInt(thresh[1]!, 16);
    rec.threshold = Number.parseInt(thresh[2]!, 16);
    rec.unit = 'raw';
    const words = THRESHOLD_WORDS.get(detail.toLowerCase().replace(/\s+/g, ' '));
    if (words !== undefined) {
      rec.eventType = EVENT_TYPE_THRESHOLD;
      rec.offset = words[0];
      rec.direction = words[1] ? 'deasserted' : 'asserted';
      rec.directionKnown = true;
    }
  }
  rec.description = detail;
  // OEM event types (0x70–0x7F) and sensor types no table names carry vendor-defined bytes.
  if (
    rec.sensorType === undefined ||
    (rec.eventType !== undefined && rec.eventType >= 0x70 && rec.eventType <= 0x7f)
  )
    rec.oem = {};
  return rec;
}
