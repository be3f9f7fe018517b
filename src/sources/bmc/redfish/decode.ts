import type { FaultClass, FaultEvent, HwType, SeverityCode } from '../../../model/event.js';
import { baseEvent, toIso } from '../../event-builder.js';
import { type DecodeContext, type DecodeResult, decoded, rejected } from '../../types.js';
import { componentId, dimmId, fanId, psuId, severityFromWord, slugId } from '../component.js';
import {
  classifyByKeywords,
  EVENT_TYPE_SENSOR_SPECIFIC,
  type EventDirection,
  hex2,
  interpret,
  lookupOffset,
  matchDescription,
  type OffsetInfo,
  sensorTypeByCode,
  sensorTypeByName,
} from '../ipmi-tables.js';
import { fillTemplate, lookupMessage, namedArgs, parseMessageId, type RegistryMessage } from './registry.js';

type Json = Record<string, unknown>;

const MAX_DOCUMENT_CHARS = 16 * 1024 * 1024;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const SEL_MESSAGE_ID_RE = /^0x([0-9a-f]{6}|[0-9a-f]{8})$/i;
/** Path segments that name a collection or subsystem, not a part: `/Chassis/1/Thermal` is no component. */
const GENERIC_SEGMENT_RE =
  /^(?:Thermal|Power|ThermalSubsystem|PowerSubsystem|Sensors|Chassis|Systems|Managers|LogServices|Entries|redfish|v1|EnvironmentMetrics|Oem)$/i;

const ORIGIN_HW: readonly [RegExp, HwType][] = [
  [/Memory|DIMM/i, 'memory'],
  [/Processors?\b|CPU/i, 'cpu'],
  [/PowerSuppl|PSU/i, 'power_supply'],
  [/Fans?\b|Fan\d/i, 'fan'],
  [/Temp|Thermal/i, 'temperature'],
  [/Volt/i, 'voltage'],
  [/Current|Amps/i, 'current'],
  [/Drives?\b|Disk/i, 'physical_disk'],
  [/Volumes?\b/i, 'logical_disk'],
  [/StorageControllers?|Storage/i, 'disk_controller'],
  [/NetworkAdapters?|Ports?\b|EthernetInterfaces?|NetworkDeviceFunctions?/i, 'network'],
  [/PCIeDevices?|PCIe/i, 'pcie'],
  [/Batter/i, 'battery'],
  [/Pumps?\b|Leak|Coolant|Filters?\b/i, 'enclosure'],
  [/Managers?\b|BMC/i, 'bmc'],
];
const KEY_HW: readonly [RegExp, HwType][] = [
  [/Memory|DIMM|ECC/i, 'memory'],
  [/PCIe/i, 'pcie'],
  [/CPU|Processor/i, 'cpu'],
  [/PowerSupply|PSU/i, 'power_supply'],
  [/Fan/i, 'fan'],
  [/Temp(?![a-z])|Temperature|Thermal/i, 'temperature'],
  [/Volt/i, 'voltage'],
  [/Drive|Disk/i, 'physical_disk'],
  [/Log/i, 'bmc'],
];

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Json, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * A Redfish enum property as a string. Dell iDRAC writes some as an array of `{"Member": "…"}` objects
 * (`"SensorType": [{"Member": "Battery"}]`, `"EntryCode": [{"Member": "Deassert"}]`): the first member
 * is the value.
 */
function enumStr(o: Json, key: string): string | undefined {
  const v = o[key];
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return undefined;
  for (const item of v) {
    if (typeof item === 'string') return item;
    if (isObject(item) && typeof item.Member === 'string') return item.Member;
  }
  return undefined;
}

/** Redfish times are ISO 8601; a time without a zone (DMTF's CXL mockup) is read as UTC. */
function redfishTime(value: string): string | undefined {
  if (!ISO_RE.test(value)) return undefined;
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value);
  const ms = Date.parse(hasZone ? value : `${value}Z`);
  return toIso(ms);
}

function originId(o: Json): string | undefined {
  const links = o.Links;
  const origin = (isObject(links) ? links.OriginOfCondition : undefined) ?? o.OriginOfCondition;
  if (typeof origin === 'string') return origin;
  if (isObject(origin)) return str(origin, '@odata.id');
  return undefined;
}

function originPart(origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  const last = origin
    .split('/')
    .filter((s) => s !== '' && s !== '#')
    .pop();
  return last === undefined || GENERIC_SEGMENT_RE.test(last) ? undefined : last;
}

function hwFromOrigin(origin: string | undefined): HwType | undefined {
  if (origin === undefined) return undefined;
  const segments = origin.split('/').filter((s) => s !== '');
  // The deepest segment that names a kind of part wins: /Chassis/1U/PowerSubsystem/PowerSupplies/Bay1.
  for (let i = segments.length - 1; i >= 0; i--) {
    for (const [re, hw] of ORIGIN_HW) if (re.test(segments[i]!)) return hw;
  }
  return undefined;
}

function hwFromWords(text: string): HwType | undefined {
  for (const [re, hw] of KEY_HW) if (re.test(text)) return hw;
  return undefined;
}

function args(o: Json): string[] {
  const a = o.MessageArgs;
  return Array.isArray(a) ? a.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) : [];
}

/** A part id from the message arguments, spelled like the SEL source spells the same part. */
function idFromArgs(
  msg: RegistryMessage | undefined,
  hwType: HwType,
  a: readonly string[],
): string | undefined {
  if (msg === undefined || msg.idTemplate === '') return undefined;
  // 0xff / 255 is how BMCs (Ampere, Intel) say "location unknown" in the DIMM arguments.
  const used = [...msg.idTemplate.matchAll(/%(\d+)/g)].map((m) => a[Number(m[1]) - 1] ?? '');
  if (used.some((v) => /^(?:0x)?ff$|^255$|^\s*$/i.test(v))) return undefined;
  const filled = fillTemplate(msg.idTemplate, a);
  if (filled === undefined || filled.trim() === '') return undefined;
  if (/^CPU.*_DIMM_/.test(filled)) return filled;
  const canonical =
    hwType === 'memory'
      ? dimmId(filled)
      : hwType === 'power_supply'
        ? psuId(filled)
        : hwType === 'fan'
          ? fanId(filled)
          : undefined;
  return canonical ?? slugId(filled);
}

interface Interpretation {
  hwType: HwType;
  faultClass: FaultClass;
  severity: SeverityCode;
  code?: string;
  hwId?: string;
  message: string;
  fields: Json;
}

function severityFor(word: string | undefined, faultClass: FaultClass, fallback: SeverityCode): SeverityCode {
  const s = severityFromWord(word);
  if (s === undefined) return fallback;
  return s === 6 && faultClass === 'recovered' ? 5 : s;
}

/** EntryType SEL: IPMI bytes and words carried in Redfish properties, read with the IPMI tables. */
function interpretSel(entry: Json): Interpretation {
  const typeName = enumStr(entry, 'SensorType');
  const sensorType = typeName !== undefined ? sensorTypeByName(typeName)?.code : undefined;
  const entryCode = enumStr(entry, 'EntryCode');
  const messageId = str(entry, 'MessageId');
  const sensorNumber = typeof entry.SensorNumber === 'number' ? entry.SensorNumber : undefined;
  let direction: EventDirection = /^Deassert$/i.test(entryCode ?? '') ? 'deasserted' : 'asserted';
  let eventType: number | undefined;
  let offset: number | undefined;
  let eventData: string | undefined;
  const hex = messageId !== undefined ? SEL_MESSAGE_ID_RE.exec(messageId) : null;
  if (hex !== null) {
    // Redfish LogEntry: for SEL entries MessageId is the event data, optionally led by the event dir/type byte.
    const bytes = hex[1]!.toLowerCase();
    const data = bytes.length === 8 ? bytes.slice(2) : bytes;
    if (bytes.length === 8) {
      const dirType = Number.parseInt(bytes.slice(0, 2), 16);
      eventType = dirType & 0x7f;
      direction = dirType & 0x80 ? 'deasserted' : 'asserted';
    }
    eventData = data;
    offset = Number.parseInt(data.slice(0, 2), 16) & 0x0f;
  }
  let info: OffsetInfo | undefined;
  if (entryCode !== undefined && !/^(?:Assert|Deassert|OEM|ID|Sensor Specific)$/i.test(entryCode)) {
    const m = matchDescription(sensorType, entryCode);
    if (m !== undefined) {
      info = m.info;
      eventType = m.eventType;
    }
  }
  if (info === undefined && offset !== undefined) {
    info =
      eventType !== undefined
        ? lookupOffset(sensorType, eventType, offset)
        : lookupOffset(sensorType, EVENT_TYPE_SENSOR_SPECIFIC, offset);
    if (info !== undefined && eventType === undefined) eventType = EVENT_TYPE_SENSOR_SPECIFIC;
  }
  const meaning = interpret(sensorType, eventType, info, direction);
  const text = str(entry, 'Message') ?? '';
  let { faultClass, severity } = meaning;
  if (info === undefined) {
    const kw = classifyByKeywords(`${entryCode ?? ''} ${text}`);
    if (kw !== undefined) ({ faultClass, severity } = kw);
    severity = severityFor(str(entry, 'Severity'), faultClass, severity);
  }
  const origin = originId(entry);
  const typeLabel = sensorType !== undefined ? sensorTypeByCode(sensorType)?.name : typeName;
  const hwId = componentId(
    meaning.hwType,
    [text, entryCode],
    originPart(origin) ??
      (sensorNumber !== undefined ? `${typeLabel ?? 'sensor'}_${hex2(sensorNumber)}` : undefined),
  );
  const fields: Json = {
    'bmc.redfish.sensor_type': typeName,
    'bmc.redfish.sensor_number': sensorNumber,
    'bmc.redfish.entry_code': entryCode,
    'bmc.redfish.generator_id': str(entry, 'GeneratorId'),
    'bmc.redfish.event_data': eventData,
    'bmc.redfish.event_direction': direction,
    'bmc.redfish.event_offset':
      info !== undefined ? hex2(info.offset) : offset !== undefined ? hex2(offset) : undefined,
  };
  const message = text !== '' ? text : `${typeLabel ?? 'Sensor'}: ${entryCode ?? info?.desc ?? 'SEL event'}`;
  const out: Interpretation = { hwType: meaning.hwType, faultClass, severity, message, fields };
  if (meaning.code !== undefined) out.code = meaning.code;
  if (hwId !== undefined) out.hwId = hwId;
  return out;
}

/** EntryType Event/Oem and EventService events: the MessageId read with the message registries. */
function interpretMessage(o: Json): Interpretation | string {
  const messageId = str(o, 'MessageId');
  const text = str(o, 'Message');
  if ((messageId === undefined || messageId === '') && (text === undefined || text === '')) {
    return 'neither MessageId nor Message';
  }
  const a = args(o);
  const parts = messageId !== undefined ? parseMessageId(messageId) : undefined;
  const found = parts !== undefined ? lookupMessage(parts) : undefined;
  const msg = found?.message;
  const origin = originId(o);

  // The message key says what kind of part; an origin like `/Chassis/1/Thermal` only says where.
  let hwType: HwType = msg?.hwType ?? 'unknown';
  if (hwType === 'unknown') {
    hwType =
      hwFromWords(parts?.key ?? '') ??
      hwFromOrigin(origin) ??
      hwFromWords(`${text ?? ''} ${a[0] ?? ''}`) ??
      'unknown';
  }
  const severityWord = str(o, 'Severity') ?? str(o, 'MessageSeverity') ?? msg?.severity;
  const faultClass: FaultClass =
    msg !== undefined ? msg.faultClass : unknownMessageClass(parts?.key ?? '', text ?? '', severityWord);
  const fallbackSeverity: SeverityCode =
    faultClass === 'recovered' ? 5 : faultClass === 'informational' ? 6 : 4;
  const severity = severityFor(severityWord, faultClass, fallbackSeverity);

  // Some services (DMTF's own mockups among them) put the unexpanded template in Message.
  const ownText =
    text !== undefined && text !== ''
      ? PLACEHOLDER_RE.test(text)
        ? (fillTemplate(text, a) ?? text)
        : text
      : undefined;
  const rendered = msg !== undefined ? fillTemplate(msg.template, a) : undefined;
  const message = ownText ?? rendered ?? messageId ?? '';
  const hwId =
    idFromArgs(msg, hwType, a) ??
    componentId(hwType, [text, ...a], originPart(origin) ?? (msg === undefined ? undefined : a[0]));
  const fields: Json = {
    'bmc.redfish.registry': parts?.prefix,
    'bmc.redfish.registry_version': parts?.version,
    'bmc.redfish.message_key': parts?.key,
    'bmc.redfish.message_known': msg !== undefined,
    // Same message key found under another registry prefix (a vendor re-publishing a DMTF message).
    'bmc.redfish.message_matched_by_key': found !== undefined && !found.exact ? true : undefined,
  };
  if (a.length > 0) fields['bmc.redfish.message_args'] = a;
  if (msg !== undefined)
    for (const [k, v] of Object.entries(namedArgs(msg.template, a))) fields[`bmc.redfish.arg.${k}`] = v;
  const out: Interpretation = { hwType, faultClass, severity, message, fields };
  if (messageId !== undefined && messageId !== '') out.code = messageId;
  if (hwId !== undefined) out.hwId = hwId;
  return out;
}

const PLACEHOLDER_RE = /%\d/;

/**
 * A message no registry we carry knows (`Event.1.0.TempWayTooHot`, an Oem entry's free text): its
 * words for the ECC/predictive classes, otherwise the severity the service gave it.
 */
function unknownMessageClass(key: string, text: string, severityWord: string | undefined): FaultClass {
  const words = `${key} ${text}`;
  if (/Uncorrectable/i.test(words)) return 'uncorrectable';
  if (/Correctable/i.test(words)) return 'correctable';
  if (/Predict/i.test(words)) return 'predictive';
  if (/Log.?Clear/i.test(key)) return 'informational';
  if (/Clear|Normal|Restored|Recovered|Regained|OK$/.test(key)) return 'recovered';
  if (severityWord === 'Critical') return 'failure';
  if (severityWord === 'Warning') return 'predictive';
  return 'informational';
}

function isLogEntry(o: Json): boolean {
  const t = str(o, '@odata.type') ?? '';
  return (
    o.EntryType !== undefined ||
    (/LogEntry\./.test(t) && !/Collection/.test(t)) ||
    (o.Created !== undefined && o.EventType === undefined)
  );
}

function isEventRecord(o: Json): boolean {
  return (
    o.EventType !== undefined ||
    o.EventTimestamp !== undefined ||
    o.EventId !== undefined ||
    o.MessageId !== undefined
  );
}

function buildEvent(
  record: Json,
  path: string,
  payload: string,
  ctx: DecodeContext,
  discriminator: string | undefined,
  kind: 'log-entry' | 'event',
): FaultEvent | { reason: string; path: string } {
  const timeKey = kind === 'log-entry' ? 'Created' : 'EventTimestamp';
  const rawTime = str(record, timeKey) ?? str(record, kind === 'log-entry' ? 'EventTimestamp' : 'Created');
  let timestamp: string | undefined;
  if (rawTime !== undefined) {
    timestamp = redfishTime(rawTime);
    if (timestamp === undefined)
      return {
        reason: `${timeKey} '${rawTime.slice(0, 40)}' is not an ISO 8601 date-time`,
        path: `${path}.${timeKey}`,
      };
  } else if (ctx.receivedAt !== undefined && Number.isFinite(Date.parse(ctx.receivedAt))) {
    // An EventService push without EventTimestamp (Redfish Event v1.0) happened when it arrived.
    timestamp = new Date(Date.parse(ctx.receivedAt)).toISOString();
  } else {
    return { reason: `no ${timeKey} and no receive time`, path: `${path}.${timeKey}` };
  }
  const entryType = str(record, 'EntryType');
  const result =
    kind === 'log-entry' && entryType === 'SEL' ? interpretSel(record) : interpretMessage(record);
  if (typeof result === 'string')
    return { reason: `${kind === 'log-entry' ? 'LogEntry' : 'event'} has ${result}`, path };

  const event = baseEvent(
    {
      source: 'redfish',
      dataset: 'bmc.redfish',
      original: payload,
      timestamp,
      severity: result.severity,
      message: result.message,
      ...(discriminator !== undefined ? { discriminator } : {}),
    },
    ctx,
  );
  event['observer.type'] = 'bmc';
  event['hw.type'] = result.hwType;
  event['hw.fault.class'] = result.faultClass;
  if (result.code !== undefined) event['event.code'] = result.code;
  if (result.hwId !== undefined) event['hw.id'] = result.hwId;
  const extra: Json = {
    'bmc.redfish.record': kind,
    'bmc.redfish.entry_type': entryType,
    'bmc.redfish.oem': entryType === 'Oem' ? true : undefined,
    'bmc.redfish.event_type': str(record, 'EventType'),
    'bmc.redfish.message_id': str(record, 'MessageId'),
    'bmc.redfish.severity': str(record, 'Severity') ?? str(record, 'MessageSeverity'),
    'bmc.redfish.origin': originId(record),
    'bmc.redfish.odata_id': str(record, '@odata.id'),
    'bmc.redfish.id': str(record, 'Id') ?? str(record, 'EventId'),
    'bmc.redfish.path': path === '$' ? undefined : path,
    ...result.fields,
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) event[k as `bmc.${string}`] = v;
  return event;
}

function decodeRecord(
  record: unknown,
  path: string,
  payload: string,
  ctx: DecodeContext,
  discriminator: string | undefined,
): FaultEvent | { reason: string; path: string } {
  if (!isObject(record))
    return { reason: `${path === '$' ? 'document' : 'member'} is not a JSON object`, path };
  if (isLogEntry(record)) return buildEvent(record, path, payload, ctx, discriminator, 'log-entry');
  if (isEventRecord(record)) return buildEvent(record, path, payload, ctx, discriminator, 'event');
  const type = str(record, '@odata.type');
  return {
    reason: `not a Redfish LogEntry, LogEntryCollection or Event payload${type !== undefined ? ` (@odata.type ${type})` : ''}`,
    path,
  };
}

/**
 * Decodes one Redfish JSON record: a LogEntry, an EventService event, or (when called without the
 * framer) a whole LogEntryCollection / Event payload. A whole collection is all-or-nothing: one bad
 * member rejects the document with that member's path, so the dead letter keeps every member's bytes;
 * the framer avoids this by handing members over one at a time.
 */
export function decodeRedfish(payload: string, ctx: DecodeContext): DecodeResult {
  if (payload.length > MAX_DOCUMENT_CHARS)
    return rejected(`Redfish document longer than ${MAX_DOCUMENT_CHARS} characters`);
  let doc: unknown;
  try {
    doc = JSON.parse(payload);
  } catch (err) {
    return rejected(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  // A bare array of LogEntry objects (`jq .Members`, or a script's own dump) is read like Members.
  const key = Array.isArray(doc)
    ? ''
    : isObject(doc)
      ? Array.isArray(doc.Members)
        ? 'Members'
        : Array.isArray(doc.Events)
          ? 'Events'
          : undefined
      : undefined;
  if (key === undefined) {
    const r = decodeRecord(doc, '$', payload, ctx, undefined);
    return 'reason' in r ? rejected(r.reason, r.path) : decoded(r);
  }
  const members = (key === '' ? doc : (doc as Json)[key]) as unknown[];
  if (key === '' && members.length === 0) return rejected('empty JSON array: no LogEntry in it');
  const events: FaultEvent[] = [];
  for (let i = 0; i < members.length; i++) {
    const member = members[i];
    const path = key === '' ? `$[${i}]` : `$.${key}[${i}]`;
    const id = isObject(member)
      ? (str(member, '@odata.id') ?? str(member, 'EventId') ?? str(member, 'Id'))
      : undefined;
    const r = decodeRecord(member, path, payload, ctx, `${path}|${id ?? ''}`);
    if ('reason' in r) return rejected(`${key === '' ? 'array' : key} member ${i}: ${r.reason}`, r.path);
    events.push(r);
  }
  return decoded(...events);
}
