import { EVENT_TYPE_SENSOR_SPECIFIC, EVENT_TYPE_THRESHOLD, sensorTypeByName } from '../ipmi-tables.js';
import { parseDateTime, type SelTime } from '../sel-time.js';
import type { ParseFailure, SelRecord } from './record.js';

/*
 * `ipmitool sel get <id>` and `ipmitool -v sel list|elist` blocks (ipmi_sel_print_std_entry_verbose,
 * ipmi_sel_print_extended_entry_verbose): "Key : value" lines, the first one `SEL Record ID`.
 * `sel get` follows the record with the sensor's SDR ("Sensor ID : …"); the framer keeps both in
 * one record and the SDR name becomes the sensor name.
 */

const KV_RE = /^\s*([^:]+?)\s*:\s?(.*)$/;
const HEX_RE = /^[0-9a-f]+$/i;
const SENSOR_ID_RE = /^(.*?)\s*\(0x([0-9a-f]{1,2})\)\s*$/i;
const PRE_INIT_RE = /^Pre-?Init\s+(\d{1,10})$/i;
const READING_RE = /^([-+]?\d+(?:\.\d+)?)\s*(.*)$/;

const EVENT_TYPES: ReadonlyMap<string, number | undefined> = new Map([
  ['threshold', EVENT_TYPE_THRESHOLD],
  ['sensor-specific discrete', EVENT_TYPE_SENSOR_SPECIFIC],
  ['generic discrete', undefined],
  ['oem', 0x70],
  ['unspecified', 0x00],
]);

/** Whether a record is a verbose "Key : value" block (starts at `SEL Record ID`). */
export function isVerboseBlock(payload: string): boolean {
  return /^\s*SEL Record ID\s*:/.test(payload);
}

/** One verbose block, SDR part included; a failure when a field it needs is missing or unreadable. */
export function parseVerboseBlock(payload: string): SelRecord | ParseFailure {
  const kv = new Map<string, string>();
  for (const line of payload.split('\n')) {
    const m = KV_RE.exec(line);
    // SDR continuation lines ("[Presence detected]") and repeated keys keep the first value.
    if (m !== null && !kv.has(m[1]!.toLowerCase())) kv.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  const recordId = kv.get('sel record id');
  if (recordId === undefined || !HEX_RE.test(recordId))
    return { reason: 'verbose SEL block without a hex SEL Record ID' };
  const recordTypeText = kv.get('record type') ?? '';

  if (/Linux kernel panic/i.test(recordTypeText)) {
    return {
      format: 'ipmitool-verbose',
      recordId,
      time: { kind: 'none' },
      direction: 'asserted',
      directionKnown: false,
      description: 'Linux kernel panic',
      panic: kv.get('panic string') ?? '',
      oem: { recordType: 0xf0 },
    };
  }
  const recordType = Number.parseInt(recordTypeText.slice(0, 2), 16);
  if (!Number.isFinite(recordType))
    return { reason: `verbose SEL block with unreadable Record Type '${recordTypeText}'` };

  let time: SelTime = { kind: 'none' };
  const ts = kv.get('timestamp');
  if (ts !== undefined) {
    const pre = PRE_INIT_RE.exec(ts);
    const parts = ts.split(/\s+/);
    const parsed =
      pre !== null
        ? { kind: 'pre-init' as const, seconds: Number(pre[1]) }
        : parseDateTime(parts[0] ?? '', parts[1] ?? '');
    if (parsed === undefined) return { reason: `verbose SEL block with unreadable Timestamp '${ts}'` };
    time = parsed;
  } else if (recordType < 0xe0) {
    return { reason: 'verbose SEL block without a Timestamp' };
  }

  if (recordType >= 0xc0) {
    return {
      format: 'ipmitool-verbose',
      recordId,
      time,
      direction: 'asserted',
      directionKnown: false,
      description: `OEM record ${recordType.toString(16).padStart(2, '0')}`,
      oem: {
        recordType,
        manufacturerId: kv.get('manufactacturer id') ?? kv.get('manufacturer id'),
        data: kv.get('oem defined'),
      },
    };
  }

  const typeName = kv.get('sensor type');
  if (typeName === undefined) return { reason: 'verbose SEL block without a Sensor Type' };
  const typeInfo = sensorTypeByName(typeName);
  const rec: SelRecord = {
    format: 'ipmitool-verbose',
    recordId,
    time,
    sensorTypeName: typeName,
    direction: /deassert/i.test(kv.get('event direction') ?? '') ? 'deasserted' : 'asserted',
    directionKnown: kv.has('event direction'),
    description: kv.get('description') ?? '',
  };
  if (typeInfo !== undefined) rec.sensorType = typeInfo.code;
  else rec.oem = {};
  const generator = kv.get('generator id');
  if (generator !== undefined) rec.generator = generator;
  const number = kv.get('sensor number');
  if (number !== undefined && HEX_RE.test(number)) rec.sensorNumber = Number.parseInt(number, 16);
  const eventType = EVENT_TYPES.get((kv.get('event type') ?? '').toLowerCase());
  if (eventType !== undefined) rec.eventType = eventType;
  const data = kv.get('event data (raw)') ?? kv.get('event data');
  if (data !== undefined && /^[0-9a-f]{6}$/i.test(data)) {
    rec.eventData = data.toLowerCase();
    rec.offset = Number.parseInt(data.slice(0, 2), 16) & 0x0f;
  }
  const decoded = kv.get('event data');
  if (decoded !== undefined && !/^[0-9a-f]{6}$/i.test(decoded) && decoded !== '') rec.detail = decoded;
  const sensorId = kv.get('sensor id');
  if (sensorId !== undefined) {
    const m = SENSOR_ID_RE.exec(sensorId);
    rec.sensorName = m === null ? sensorId : m[1]!;
  }
  const reading = READING_RE.exec(kv.get('trigger reading') ?? '');
  if (reading !== null) {
    rec.reading = Number(reading[1]);
    if (reading[2]!.trim() !== '') rec.unit = reading[2]!.trim();
  }
  const threshold = READING_RE.exec(kv.get('trigger threshold') ?? '');
  if (threshold !== null) rec.threshold = Number(threshold[1]);
  return rec;
}
