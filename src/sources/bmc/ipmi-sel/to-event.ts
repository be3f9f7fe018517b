import type { FaultClass, FaultEvent, HwType, SeverityCode } from '../../../model/event.js';
import { baseEvent } from '../../event-builder.js';
import type { DecodeContext } from '../../types.js';
import { componentId, dimmId, pciAddress, psuId } from '../component.js';
import {
  classifyByKeywords,
  hex2,
  interpret,
  lookupOffset,
  matchDescription,
  type OffsetInfo,
  sensorTypeByCode,
} from '../ipmi-tables.js';
import { eventTimestamp } from '../sel-time.js';
import type { SelRecord } from './record.js';

interface Meaning {
  hwType: HwType;
  faultClass: FaultClass;
  severity: SeverityCode;
  code?: string;
  info?: OffsetInfo;
  eventType?: number;
}

/** Part kinds whose events often name a DIMM in their text (BIOS POST errors, OEM records). */
const DIMM_WORD_RE = /dimm/i;
const GENERIC_HW: ReadonlySet<HwType> = new Set<HwType>(['firmware', 'system', 'unknown', 'board']);

function resolve(rec: SelRecord): Meaning {
  const m = resolveByTables(rec);
  if (GENERIC_HW.has(m.hwType) && rec.hwHint !== undefined) m.hwType = rec.hwHint;
  if (GENERIC_HW.has(m.hwType)) {
    const text = `${rec.description} ${rec.detail ?? ''}`;
    if (DIMM_WORD_RE.test(text) && dimmId(text) !== undefined) m.hwType = 'memory';
  }
  return m;
}

function resolveByTables(rec: SelRecord): Meaning {
  if (rec.panic !== undefined)
    return { hwType: 'system', faultClass: 'failure', severity: 2, code: 'oem/0xf0' };
  if (rec.oem !== undefined && rec.oem.recordType !== undefined) {
    // OEM record bytes are vendor-defined; a DIMM or PSU named in the OEM text is the only hint we trust.
    const text = rec.oem.text ?? '';
    const hwType: HwType =
      dimmId(text) !== undefined ? 'memory' : psuId(text) !== undefined ? 'power_supply' : 'unknown';
    const kw = classifyByKeywords(text);
    return {
      hwType,
      faultClass: kw?.faultClass ?? 'informational',
      severity: kw?.severity ?? 5,
      code: `oem/${hex2(rec.oem.recordType)}`,
    };
  }

  let info: OffsetInfo | undefined;
  let eventType = rec.eventType;
  if (rec.offset !== undefined && eventType !== undefined)
    info = lookupOffset(rec.sensorType, eventType, rec.offset);
  if (info === undefined) {
    const m = matchDescription(rec.sensorType, rec.description);
    // Bytes win over words: a wording match must agree with a known offset.
    if (m !== undefined && (rec.offset === undefined || m.info.offset === rec.offset)) {
      info = m.info;
      eventType = m.eventType;
    }
  }
  if (info !== undefined)
    return {
      ...interpret(rec.sensorType, eventType, info, rec.direction),
      info,
      ...(eventType !== undefined ? { eventType } : {}),
    };

  const base = interpret(rec.sensorType, eventType, undefined, rec.direction);
  if (/\bPCIe\b/i.test(rec.description)) base.hwType = 'pcie';
  const kw = classifyByKeywords(`${rec.description} ${rec.detail ?? ''}`);
  if (kw !== undefined) {
    const recovered = rec.direction === 'deasserted';
    return {
      ...base,
      faultClass: recovered ? 'recovered' : kw.faultClass,
      severity: recovered ? 5 : kw.severity,
    };
  }
  return rec.oem !== undefined ? { ...base, severity: 5 } : base;
}

function sensorLabel(rec: SelRecord): string {
  const type =
    rec.sensorType !== undefined
      ? (sensorTypeByCode(rec.sensorType)?.name ?? rec.sensorTypeName)
      : rec.sensorTypeName;
  const who = rec.sensorName ?? (rec.sensorNumber !== undefined ? `#${hex2(rec.sensorNumber)}` : undefined);
  return [type, who].filter((s) => s !== undefined && s !== '').join(' ') || 'SEL';
}

function message(rec: SelRecord): string {
  if (rec.panic !== undefined) return `Linux kernel panic: ${rec.panic}`;
  if (rec.oem?.recordType !== undefined) {
    const mfr = rec.oem.manufacturerId !== undefined ? ` from manufacturer ${rec.oem.manufacturerId}` : '';
    const text = rec.oem.text !== undefined ? `: ${rec.oem.text}` : '';
    return `OEM SEL record ${hex2(rec.oem.recordType)}${mfr} data ${rec.oem.data ?? 'n/a'}${text}`;
  }
  let out = `${sensorLabel(rec)}: ${rec.description || 'no description'}`;
  if (rec.detail !== undefined) out += ` (${rec.detail})`;
  if (rec.reading !== undefined && rec.unit !== 'raw') {
    out += `, reading ${rec.reading}${rec.threshold !== undefined ? ` threshold ${rec.threshold}` : ''}${rec.unit ? ` ${rec.unit}` : ''}`;
  }
  if (rec.directionKnown && rec.direction === 'deasserted') out += ' (deasserted)';
  return out;
}

/** Turns one parsed SEL record into the normalized event. */
export function selRecordToEvent(rec: SelRecord, payload: string, ctx: DecodeContext): FaultEvent {
  const timestamp = eventTimestamp(rec.time, ctx.receivedAt);
  const meaning = resolve(rec);
  const event = baseEvent(
    {
      source: 'ipmi-sel',
      dataset: 'bmc.sel',
      original: payload,
      timestamp,
      severity: meaning.severity,
      message: message(rec),
    },
    ctx,
  );
  event['observer.type'] = 'bmc';
  event['hw.type'] = meaning.hwType;
  event['hw.fault.class'] = meaning.faultClass;
  if (meaning.code !== undefined) event['event.code'] = meaning.code;
  const hwId = componentId(
    meaning.hwType,
    [rec.sensorName, rec.detail, rec.description, rec.oem?.text],
    rec.sensorName ??
      (rec.sensorNumber !== undefined
        ? `${(rec.sensorType !== undefined ? sensorTypeByCode(rec.sensorType)?.name : rec.sensorTypeName) ?? 'sensor'}_${hex2(rec.sensorNumber)}`
        : undefined),
  );
  const pci = pciAddress(`${rec.description} ${rec.detail ?? ''} ${rec.oem?.text ?? ''}`);
  if (pci !== undefined) {
    // The same function the kernel's AER lines name: one hw.id joins both sources.
    if (GENERIC_HW.has(meaning.hwType) || meaning.hwType === 'pcie') {
      event['hw.type'] = 'pcie';
      event['hw.id'] = pci.id;
    } else if (hwId !== undefined) event['hw.id'] = hwId;
    event['bmc.sel.pci.bus'] = pci.bus;
    event['bmc.sel.pci.device'] = pci.device;
    event['bmc.sel.pci.function'] = pci.function;
  } else if (hwId !== undefined) event['hw.id'] = hwId;
  if (rec.sensorName !== undefined) event['hw.name'] = rec.sensorName;
  if (rec.host !== undefined) event['host.name'] = rec.host;

  event['bmc.sel.format'] = rec.format;
  if (rec.recordId !== undefined) event['bmc.sel.record_id'] = rec.recordId;
  if (rec.sensorType !== undefined) {
    event['bmc.sel.sensor_type'] = sensorTypeByCode(rec.sensorType)?.name ?? rec.sensorTypeName;
    event['bmc.sel.sensor_type_code'] = hex2(rec.sensorType);
  } else if (rec.sensorTypeName !== undefined) {
    event['bmc.sel.sensor_type'] = rec.sensorTypeName;
  }
  if (rec.sensorName !== undefined) event['bmc.sel.sensor_name'] = rec.sensorName;
  if (rec.sensorNumber !== undefined) event['bmc.sel.sensor_number'] = hex2(rec.sensorNumber);
  if (meaning.eventType !== undefined) event['bmc.sel.event_type'] = hex2(meaning.eventType);
  const offset = meaning.info?.offset ?? rec.offset;
  if (offset !== undefined) event['bmc.sel.event_offset'] = hex2(offset);
  if (rec.panic === undefined && rec.oem?.recordType === undefined) {
    event['bmc.sel.event_direction'] = rec.direction;
    if (!rec.directionKnown) event['bmc.sel.event_direction_inferred'] = true;
  }
  if (rec.description !== '') event['bmc.sel.event_description'] = rec.description;
  if (rec.detail !== undefined) event['bmc.sel.event_detail'] = rec.detail;
  if (rec.eventData !== undefined) event['bmc.sel.event_data'] = rec.eventData;
  if (rec.generator !== undefined) event['bmc.sel.generator'] = rec.generator;
  if (rec.reading !== undefined)
    event[rec.unit === 'raw' ? 'bmc.sel.reading_raw' : 'bmc.sel.reading'] = rec.reading;
  if (rec.threshold !== undefined)
    event[rec.unit === 'raw' ? 'bmc.sel.threshold_raw' : 'bmc.sel.threshold'] = rec.threshold;
  if (rec.unit !== undefined && rec.unit !== 'raw') event['bmc.sel.unit'] = rec.unit;
  if (rec.state !== undefined) event['bmc.sel.state'] = rec.state;
  if (rec.toolSeverity !== undefined) event['bmc.sel.tool_severity'] = rec.toolSeverity;
  if (rec.time.kind === 'pre-init') {
    event['bmc.sel.pre_init'] = true;
    if (rec.time.seconds !== undefined) event['bmc.sel.pre_init_seconds'] = rec.time.seconds;
  } else if (rec.time.kind === 'none') {
    event['bmc.sel.untimed'] = true;
  } else if (rec.time.zone !== undefined) {
    event['bmc.sel.timezone'] = rec.time.zone;
    if (rec.time.zoneAssumedUtc === true) event['bmc.sel.timezone_assumed_utc'] = true;
  }
  if (rec.oem !== undefined) {
    event['bmc.sel.oem'] = true;
    if (rec.oem.recordType !== undefined) event['bmc.sel.oem_record_type'] = hex2(rec.oem.recordType);
    if (rec.oem.manufacturerId !== undefined) event['bmc.sel.oem_manufacturer_id'] = rec.oem.manufacturerId;
    if (rec.oem.data !== undefined) event['bmc.sel.oem_data'] = rec.oem.data;
  }
  if (rec.panic !== undefined) event['bmc.sel.panic'] = rec.panic;
  return event;
}
