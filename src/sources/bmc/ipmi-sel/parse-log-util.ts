import type { HwType } from '../../../model/event.js';
import { selTime } from '../sel-time.js';
import type { ParseFailure, SelRecord } from './record.js';

/*
 * OpenBMC (facebook/openbmc) `log-util <fru|all> --print`: the BMC's own SEL/syslog listing.
 *   FRU# FRU_NAME  YYYY-MM-DD HH:MM:SS  APP  MESSAGE
 *   1    server   2022-01-23 20:20:08    ipmid            SEL Entry: FRU: 1, Record: Standard (0x02), Time: 2022-01-23 20:20:08, Sensor: VR_HOT (0xB4), Event Data: (00FFFF) CPU VCCIN VR HOT Warning Assertion
 *   4 dpb 2018-03-09 08:32:55 ipmid ASSERT: Upper Critical threshold - raised - FRU: 4, num: 0xdb curr_val: 80000 mA, thresh_val: 70000 mA, snr: DPB_HSC_Current
 *   0    all      2021-08-25 23:58:43    healthd          FRU 1 BIC reset by BIC health monitor …
 * ipmid decodes the SEL record itself (the platform's pal_parse_sel): sensor names are OEM
 * (VR_HOT, PMIC_ERR, SYSTEM_STATUS), so the part comes from the names and the words.
 */

const LINE_RE =
  /^\s*(\d{1,3})\s+(\S+)\s+(\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})\s+([\w.-]+)\s+(.*?)\s*$/;
const SEL_ENTRY_RE =
  /^SEL Entry: FRU: (\d+), Record: ([^,]*?)(?: \((0x[0-9A-Fa-f]{2})\))?, Time: [^,]*, Sensor: (\S+?)(?: \((0x[0-9A-Fa-f]{1,2})\))?, Event Data: \(([0-9A-Fa-f]{6})\)\s*(.*)$/;
const DIRECTION_RE = /\s*,?\s*\b(Assertion|Deassertion)\s*$/i;
const THRESHOLD_RE =
  /^(ASSERT|DEASSERT): (.+?) - FRU: (\d+), num: (0x[0-9A-Fa-f]{1,2}) curr_val: ([-\d.]+) ?(\S*), thresh_val: ([-\d.]+) ?(\S*), snr: (\S+)\s*$/;

/** The part an OpenBMC sensor name or text is about, first match wins (DIMM before VR: "DIMM AB Memory VR HOT"). */
const PART_WORDS: readonly [RegExp, HwType][] = [
  [/PMIC|DIMM|\bMEM|MEMORY|_MEM_|ECC/i, 'memory'],
  [/PCIE|\bPCI\b|B[0-9A-F]{2}\/D[0-9A-F]{2}\/F[0-9A-F]/i, 'pcie'],
  [/PROC|CPU|CATERR|IERR|MCERR|THERMTRIP|PROCHOT|FRB/i, 'cpu'],
  [/PSU|PWR_SUPPLY/i, 'power_supply'],
  [/HSC|_CUR|CURR|_I$/i, 'current'],
  [/FAN/i, 'fan'],
  [/VR|VCC|VDD|VOLT|_V\b|VIN/i, 'voltage'],
  [/TEMP|_T$/i, 'temperature'],
  [/BIC|BMC|ME_/i, 'bmc'],
];

function partOf(...texts: string[]): HwType | undefined {
  for (const [re, hw] of PART_WORDS) if (texts.some((t) => re.test(t))) return hw;
  return undefined;
}

/** One `log-util --print` line; undefined when the line is not in that layout. */
export function parseLogUtilLine(line: string): SelRecord | ParseFailure | undefined {
  const m = LINE_RE.exec(line);
  if (m === null) return undefined;
  const time = selTime(Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]), Number(m[8]));
  if (time === undefined) return { reason: `log-util line with an impossible date ${m[3]}-${m[4]}-${m[5]}` };
  const fru = m[2]!;
  const app = m[9]!;
  const text = m[10]!;
  const rec: SelRecord = {
    format: 'openbmc-log-util',
    time,
    direction: 'asserted',
    directionKnown: false,
    description: text,
    generator: `${app} (FRU ${m[1]} ${fru})`,
  };
  const sel = SEL_ENTRY_RE.exec(text);
  if (sel !== null) {
    rec.sensorName = sel[4]!;
    if (sel[5] !== undefined) rec.sensorNumber = Number.parseInt(sel[5], 16);
    rec.eventData = sel[6]!.toLowerCase();
    let description = sel[7]!;
    const dir = DIRECTION_RE.exec(description);
    if (dir !== null) {
      rec.directionKnown = true;
      rec.direction = /^De/i.test(dir[1]!) ? 'deasserted' : 'asserted';
      description = description.slice(0, dir.index);
    }
    rec.description = description.trim() || rec.sensorName;
    rec.hwHint = partOf(rec.description, rec.sensorName) ?? 'unknown';
    return rec;
  }
  const threshold = THRESHOLD_RE.exec(text);
  if (threshold !== null) {
    rec.directionKnown = true;
    rec.direction = threshold[1] === 'DEASSERT' ? 'deasserted' : 'asserted';
    rec.description = threshold[2]!;
    rec.sensorNumber = Number.parseInt(threshold[4]!, 16);
    rec.sensorName = threshold[9]!;
    rec.reading = Number(threshold[5]);
    rec.threshold = Number(threshold[7]);
    if (threshold[6] !== '') rec.unit = threshold[6]!;
    rec.hwHint =
      partOf(rec.sensorName) ??
      (/^m?A$/.test(rec.unit ?? '') ? 'current' : /^m?V$/.test(rec.unit ?? '') ? 'voltage' : 'unknown');
    return rec;
  }
  // Free text from a BMC daemon (healthd, gpiod, power-util): the words are all there is.
  rec.hwHint = partOf(text) ?? 'bmc';
  return rec;
}
