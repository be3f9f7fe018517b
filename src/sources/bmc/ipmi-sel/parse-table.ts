import { sensorTypeByName, splitSensorColumn } from '../ipmi-tables.js';
import { parseDateTime, type SelTime } from '../sel-time.js';
import type { ParseFailure, SelRecord } from './record.js';

/*
 * The `|`-separated tables: `ipmitool sel list|elist` and FreeIPMI `ipmi-sel`.
 *
 * ipmitool (lib/ipmi_sel.c, ipmi_sel_print_std_entry):
 *   id | MM/DD/YYYY | HH:MM:SS | <type> <SDR name or #0xNN> | <description> | Asserted|Deasserted [| extra]
 *   id |  Pre-Init  |0000000085| …
 *   id | date | time | OEM record dc | 000137 | 00c378895f00 [| OEM text]     (timestamped OEM)
 *   id | OEM record e0 | <13 bytes hex>                                     (non-timestamped OEM)
 *   id | Linux kernel panic: <11 chars>
 * FreeIPMI (ipmi-sel/ipmi-sel.c, _normal_output):
 *   ID | Mon-DD-YYYY | HH:MM:SS | <name> | <type> [| <state>] [| Assertion Event|Deassertion Event] | <event ; details>
 */

const HEX_ID_RE = /^[0-9a-f]{1,8}$/i;
const DEC_ID_RE = /^\d{1,10}$/;
const PRE_INIT_RE = /^pre-?init$|^postinit$/i;
const PRE_INIT_SECONDS_RE = /^\d{1,10}$/;
const OEM_RECORD_RE = /^OEM record ([0-9a-f]{2})$/i;
const KERNEL_PANIC_RE = /^Linux kernel panic:\s?(.*)$/;
const SENSOR_NUMBER_RE = /^#0x([0-9a-f]{1,2})$/i;
const SUFFIX_RE = /^(.*?)\s*\(([^()]*)\)\s*$/;
const READING_RE = /^Reading\s+([-+]?\d+(?:\.\d+)?)(?:\s+([<>])\s+Threshold\s+([-+]?\d+(?:\.\d+)?)\s*(.*))?$/;
const CPU_DIMM_RE = /^CPU \d+ DIMM \d+$/;
const FREEIPMI_DATE_RE = /^[A-Za-z]{3}-\d{2}-\d{4}$/;
const DATE_COMMA_TIME_RE = /^(\d{1,2}\/\d{1,2}\/\d{2,4}),\s*(\d{1,2}:\d{2}:\d{2}(?:\s*[AaPp][Mm])?)$/;
const IPMITOOL_DIRECTIONS: ReadonlySet<string> = new Set(['Asserted', 'Deasserted', '']);
const FREEIPMI_STATES = new Set(['nominal', 'warning', 'critical', 'n/a']);
const FREEIPMI_READING_RE = /Sensor Reading = ([-+]?\d+(?:\.\d+)?)\s*([^;]*)/;
const FREEIPMI_THRESHOLD_RE = /Threshold = ([-+]?\d+(?:\.\d+)?)/;

/**
 * BMC firmware puts `|` inside the parenthesised OEM detail ("IERR (CPU 2 | APIC ID 35 )",
 * "Uncorrectable ECC (UnCorrectable ECC |  DIMMD7)"); such pieces are one column.
 */
function mergeParenthesized(parts: string[]): string[] {
  const out: string[] = [];
  let open = 0;
  for (const part of parts) {
    if (open > 0) out[out.length - 1] += `|${part}`;
    else out.push(part);
    for (const ch of part) {
      if (ch === '(') open++;
      else if (ch === ')' && open > 0) open--;
    }
  }
  return out;
}

function preInitTime(date: string, time: string): SelTime | undefined {
  if (!PRE_INIT_RE.test(date)) return undefined;
  if (PRE_INIT_SECONDS_RE.test(time)) return { kind: 'pre-init', seconds: Number(time) };
  return { kind: 'pre-init' };
}

function tableTime(date: string, time: string): SelTime | undefined {
  if (date === 'N/A' || date === '') return { kind: 'none' };
  return preInitTime(date, time) ?? parseDateTime(date, time);
}

/** Recognises a table row of either tool; undefined when the line is not a `|` table row at all. */
export function parseTableRow(line: string): SelRecord | ParseFailure | undefined {
  if (!line.includes('|')) return undefined;
  const parts = line.split('|');
  const fields = (line.includes('(') ? mergeParenthesized(parts) : parts).map((f) => f.trim());
  const id = fields[0]!;
  if (!HEX_ID_RE.test(id)) return undefined;
  // BMC web UIs export `04/13/2025, 03:08:16` as one column: split it into ipmitool's two.
  const joined = fields.length > 2 ? DATE_COMMA_TIME_RE.exec(fields[1]!) : null;
  if (joined !== null) fields.splice(1, 1, joined[1]!, joined[2]!);

  if (fields.length === 2) {
    const panic = KERNEL_PANIC_RE.exec(fields[1]!);
    if (panic === null) return { reason: 'two-column SEL row that is not a kernel panic record' };
    return {
      format: 'ipmitool',
      recordId: id,
      time: { kind: 'none' },
      direction: 'asserted',
      directionKnown: false,
      description: 'Linux kernel panic',
      panic: panic[1]!.trim(),
      oem: { recordType: 0xf0 },
    };
  }
  const oemNoTs = OEM_RECORD_RE.exec(fields[1]!);
  if (oemNoTs !== null) {
    return {
      format: 'ipmitool',
      recordId: id,
      time: { kind: 'none' },
      direction: 'asserted',
      directionKnown: false,
      description: `OEM record ${oemNoTs[1]!.toLowerCase()}`,
      oem: {
        recordType: Number.parseInt(oemNoTs[1]!, 16),
        data: fields[2],
        text: fields.slice(3).join(' | ') || undefined,
      },
    };
  }
  // ipmitool ≤ 1.8.11 prints threshold and some discrete rows without the direction column.
  if (fields.length < 5) return { reason: `SEL table row has ${fields.length} columns, expected at least 5` };

  const time = tableTime(fields[1]!, fields[2]!);
  if (time === undefined)
    return {
      reason: `unreadable SEL date/time '${fields[1]} ${fields[2]}' (expected MM/DD/YYYY or Mon-DD-YYYY, then HH:MM:SS)`,
    };

  const oem = OEM_RECORD_RE.exec(fields[3]!);
  if (oem !== null) {
    return {
      format: 'ipmitool',
      recordId: id,
      time,
      direction: 'asserted',
      directionKnown: false,
      description: `OEM record ${oem[1]!.toLowerCase()}`,
      oem: {
        recordType: Number.parseInt(oem[1]!, 16),
        manufacturerId: fields[4],
        data: fields[5],
        text: fields.slice(6).join(' | ') || undefined,
      },
    };
  }

  const dir = fields[5];
  // FreeIPMI prints month names; older releases print MM/DD/YYYY but always a known sensor type in column 5.
  const freeipmi =
    FREEIPMI_DATE_RE.test(fields[1]!) ||
    (dir !== undefined &&
      !IPMITOOL_DIRECTIONS.has(dir) &&
      DEC_ID_RE.test(id) &&
      sensorTypeByName(fields[4]!) !== undefined);
  if (freeipmi) {
    if (fields.length < 6)
      return { reason: `FreeIPMI SEL row has ${fields.length} columns, expected at least 6` };
    return freeipmiRow(fields, time);
  }
  if (dir === undefined || IPMITOOL_DIRECTIONS.has(dir)) return ipmitoolRow(fields, time);
  return { reason: `SEL table row without Asserted/Deasserted in column 6 ('${dir}')` };
}

function ipmitoolRow(fields: string[], time: SelTime): SelRecord {
  const sensor = splitSensorColumn(fields[3]!);
  const typeInfo = sensor.typeName !== undefined ? sensorTypeByName(sensor.typeName) : undefined;
  const rec: SelRecord = {
    format: 'ipmitool',
    recordId: fields[0]!,
    time,
    direction: fields[5] === 'Deasserted' ? 'deasserted' : 'asserted',
    directionKnown: fields[5] === 'Asserted' || fields[5] === 'Deasserted',
    description: fields[4]!,
  };
  if (sensor.typeName !== undefined) rec.sensorTypeName = sensor.typeName;
  if (typeInfo !== undefined) rec.sensorType = typeInfo.code;
  const rest = sensor.typeName === undefined ? fields[3]! : sensor.rest;
  const num = SENSOR_NUMBER_RE.exec(rest);
  if (num !== null) rec.sensorNumber = Number.parseInt(num[1]!, 16);
  else if (rest !== '') rec.sensorName = rest;
  if (typeInfo === undefined) rec.oem = {};

  // Dell and Supermicro BMCs append OEM detail in parentheses: "Correctable ECC (DIMM_A1)".
  const sfx = SUFFIX_RE.exec(rec.description);
  if (sfx !== null) {
    rec.description = sfx[1]!;
    if (sfx[2]!.trim() !== '') rec.detail = sfx[2]!.trim();
  }
  const extras: string[] = [];
  for (const extra of fields.slice(6)) {
    const reading = READING_RE.exec(extra);
    if (reading !== null) {
      rec.reading = Number(reading[1]);
      if (reading[3] !== undefined) rec.threshold = Number(reading[3]);
      if (reading[4]) rec.unit = reading[4].trim();
    } else if (extra !== '') {
      extras.push(extra);
    }
  }
  if (extras.length > 0) {
    const text = extras.join(' | ');
    rec.detail = rec.detail === undefined ? text : `${rec.detail} | ${text}`;
    // ipmitool decodes the DIMM of a sensor-number-0 memory event itself: "CPU 1 DIMM 2".
    if (CPU_DIMM_RE.test(text)) rec.detail = text;
  }
  return rec;
}

function freeipmiRow(fields: string[], time: SelTime): SelRecord {
  let i = 5;
  let state: string | undefined;
  let direction: 'asserted' | 'deasserted' = 'asserted';
  let directionKnown = false;
  if (fields.length > i + 1 && FREEIPMI_STATES.has(fields[i]!.toLowerCase())) state = fields[i++];
  if (fields.length > i + 1 && /^(?:De)?assertion Event$|^N\/A$/i.test(fields[i]!)) {
    directionKnown = fields[i] !== 'N/A';
    direction = /^Deassertion/i.test(fields[i]!) ? 'deasserted' : 'asserted';
    i++;
  }
  const event = fields.slice(i).join(' | ');
  const [description = '', ...details] = event.split(/\s+;\s+/);
  const name = fields[3]!;
  const typeName = fields[4]!;
  const typeInfo = sensorTypeByName(typeName);
  const rec: SelRecord = {
    format: 'freeipmi',
    recordId: fields[0]!,
    time,
    direction,
    directionKnown,
    description: description.trim(),
  };
  if (typeName !== 'N/A' && typeName !== '') rec.sensorTypeName = typeName;
  if (typeInfo !== undefined) rec.sensorType = typeInfo.code;
  const num = /^Sensor #(\d+)$/i.exec(name);
  if (num !== null) rec.sensorNumber = Number(num[1]);
  else if (name !== 'N/A' && name !== '') rec.sensorName = name;
  if (state !== undefined && state !== 'N/A') rec.state = state;
  if (details.length > 0) {
    rec.detail = details.join(' ; ');
    const reading = FREEIPMI_READING_RE.exec(rec.detail);
    if (reading !== null) {
      rec.reading = Number(reading[1]);
      if (reading[2]!.trim() !== '') rec.unit = reading[2]!.trim();
    }
    const threshold = FREEIPMI_THRESHOLD_RE.exec(rec.detail);
    if (threshold !== null) rec.threshold = Number(threshold[1]);
  }
  if (typeInfo === undefined && (typeName === 'N/A' || /^OEM\b|OEM defined|Manufacturer ID/i.test(event))) {
    rec.oem = { text: event };
  } else if (typeInfo === undefined) {
    rec.oem = {};
  }
  return rec;
}
