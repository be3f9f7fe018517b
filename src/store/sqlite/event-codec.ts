import type { FaultEvent } from '../../model/event.js';

/**
 * How one event is laid out in a row of the embedded store (layout 2). Fields that are filtered,
 * grouped or pasted are columns of their own (no key names, real indexes); everything else is a
 * compact JSON document: known keys as numbers, the values a dataset always has left out, and
 * `event.original` written as the parts of it that other fields do not already hold. Decoding gives
 * back the event exactly as written (key order aside).
 */

/** Columns and the field each holds. `level` holds log.level upper-cased, for case-free matching. */
export const COLUMN_FIELDS = [
  ['dataset', 'event.dataset'],
  ['host', 'host.name'],
  ['service', 'service.name'],
  ['level', 'log.level'],
  ['tenant', 'cloud.account.id'],
  ['program', 'process.name'],
  ['template', 'log.template.id'],
  ['logger', 'log.logger'],
  ['request_id', 'labels.request_id'],
  ['instance', 'cloud.instance.id'],
  ['hw_id', 'hw.id'],
  ['hw_type', 'hw.type'],
  ['fault_class', 'hw.fault.class'],
  ['code', 'event.code'],
  ['project', 'cloud.project.id'],
  ['user', 'user.id'],
  ['file', 'log.file.path'],
] as const;
export type TextColumn = (typeof COLUMN_FIELDS)[number][0];

export const COLUMN_OF: Readonly<Record<string, string>> = Object.fromEntries([
  ...COLUMN_FIELDS.map(([c, f]) => [f, c]),
  ['event.severity', 'severity'],
  ['event.id', 'id'],
  ['message', 'message'],
]);

/**
 * Key codes of the document. Stored data depends on them: append only, never reorder or remove.
 * Index 0 is `message` so that `event.original` can refer to it.
 */
const KEYS = [
  'message',
  'event.original',
  'event.kind',
  'event.module',
  'event.ingested',
  '@timestamp',
  'process.pid',
  'cloud.provider',
  'log.file.path',
  'log.level',
  'event.severity',
  'event.dataset',
  'event.id',
  'host.name',
  'service.name',
  'log.logger',
  'labels.request_id',
  'user.id',
  'cloud.project.id',
  'cloud.instance.id',
  'log.template.id',
  'process.name',
  'cloud.account.id',
  'hw.type',
  'hw.id',
  'hw.name',
  'hw.fault.class',
  'event.code',
  'event.action',
  'event.category',
  'event.type',
  'event.outcome',
  'event.provider',
  'host.hostname',
  'host.ip',
  'error.type',
  'error.message',
  'error.stack_trace',
  'observer.type',
  'observer.name',
  'observer.vendor',
  'observer.product',
  'observer.serial_number',
  'interface.name',
  'interface.alias',
  'network.vni',
  'network.vlan.id',
  'network.bytes',
  'network.packets',
  'network.transport',
  'network.iana_number',
  'network.community_id',
  'network.direction',
  'source.ip',
  'source.port',
  'destination.ip',
  'destination.port',
  'bmc.sel.format',
  'bmc.sel.record_id',
  'bmc.sel.sensor_type',
  'bmc.sel.sensor_type_code',
  'bmc.sel.sensor_number',
  'bmc.sel.event_type',
  'bmc.sel.event_offset',
  'bmc.sel.event_direction',
  'bmc.sel.event_description',
  'bmc.sel.event_detail',
  'syslog.time_source',
  'log.syslog.facility.code',
  'log.syslog.priority',
  'log.syslog.appname',
  'log.syslog.procid',
  'log.syslog.msgid',
  'labels.rack',
] as const;
const CODE = new Map<string, number>(KEYS.map((k, i) => [k, i]));
const ORIGINAL = CODE.get('event.original') as number;
const INGESTED = CODE.get('event.ingested') as number;
/** Key of the list of default keys an event does not have. */
const ABSENT = '-';
/** Keys whose value is usually the same for every event of a dataset (learned from its first event). */
const DEFAULTABLE = ['event.kind', 'event.module', 'cloud.provider', 'observer.type', 'event.provider'];
/** The shortest field value worth a reference inside event.original. */
const MIN_REF = 4;

/** The document key of a field: its code, or its name (escaped when it could read as a code). */
export function docKey(field: string): string {
  const code = CODE.get(field);
  if (code !== undefined) return String(code);
  return /^[0-9=-]/.test(field) ? `=${field}` : field;
}

function fieldOf(key: string): string {
  if (key.startsWith('=')) return key.slice(1);
  const code = Number(key);
  return Number.isInteger(code) && key !== '' ? (KEYS[code] ?? key) : key;
}

export type Defaults = Readonly<Record<string, unknown>>;

/** The values of the defaultable keys in the first event of a dataset. */
export function learnDefaults(event: FaultEvent): Record<string, unknown> {
  const record = event as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of DEFAULTABLE) {
    const v = record[k];
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  }
  return out;
}

export interface EncodedEvent {
  id: string;
  ts: number;
  severity: number | null;
  message: string;
  columns: Record<TextColumn, string | null>;
  doc: string;
}

const asText = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** event.original as literal parts and codes of fields whose values it contains. */
function originalParts(original: string, record: Record<string, unknown>): Array<string | number> {
  const refs: Array<[number, string]> = [];
  for (const [k, v] of Object.entries(record)) {
    const code = CODE.get(k);
    const text = asText(v);
    if (code === undefined || code === ORIGINAL || code === INGESTED || text === undefined) continue;
    if (text.length >= MIN_REF) refs.push([code, text]);
  }
  refs.sort((a, b) => b[1].length - a[1].length);
  let parts: Array<string | number> = [original];
  for (const [code, text] of refs) {
    const next: Array<string | number> = [];
    let found = false;
    for (const part of parts) {
      const at = found || typeof part === 'number' ? -1 : part.indexOf(text);
      if (at < 0 || typeof part === 'number') {
        next.push(part);
        continue;
      }
      found = true;
      if (at > 0) next.push(part.slice(0, at));
      next.push(code);
      if (at + text.length < part.length) next.push(part.slice(at + text.length));
    }
    parts = next;
  }
  return parts;
}

/** The row of an event filed under time `ts` (ms; its @timestamp unless it spilled, time-key.ts). */
export function encodeEvent(event: FaultEvent, ts: number, defaults: Defaults): EncodedEvent {
  const record = event as unknown as Record<string, unknown>;
  const columns = {} as Record<TextColumn, string | null>;
  const rest: Record<string, unknown> = { ...record };
  delete rest['event.id'];
  delete rest.message;
  for (const [column, field] of COLUMN_FIELDS) {
    const v = record[field];
    if (typeof v !== 'string') {
      columns[column] = null;
      continue;
    }
    columns[column] = column === 'level' ? v.toUpperCase() : v;
    if (column !== 'level' || v === columns.level) delete rest[field];
  }
  const sev = record['event.severity'];
  const severity = typeof sev === 'number' && Number.isInteger(sev) ? sev : null;
  if (severity !== null) delete rest['event.severity'];
  if (new Date(ts).toISOString() === record['@timestamp']) delete rest['@timestamp'];
  const doc: Record<string, unknown> = {};
  const absent: string[] = [];
  for (const [k, dv] of Object.entries(defaults)) {
    if (!(k in rest)) absent.push(docKey(k));
    else if (rest[k] === dv) delete rest[k];
  }
  if (absent.length > 0) doc[ABSENT] = absent;
  for (const [k, v] of Object.entries(rest)) {
    if (k === 'event.original' && typeof v === 'string') {
      const parts = originalParts(v, record);
      doc[docKey(k)] = parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : parts;
    } else if (
      k === 'event.ingested' &&
      typeof v === 'string' &&
      new Date(Date.parse(v)).toISOString() === v
    ) {
      // As milliseconds after the event's time: a few digits when events arrive as they happen.
      doc[docKey(k)] = Date.parse(v) - ts;
    } else doc[docKey(k)] = v;
  }
  return {
    id: event['event.id'],
    ts,
    severity,
    message: event.message,
    columns,
    doc: JSON.stringify(doc),
  };
}

export interface StoredRow {
  ts: number;
  id: string;
  severity: number | null;
  message: string;
  doc: string;
  [column: string]: unknown;
}

/** The event of a row (`ts`: the time the row is filed under, its @timestamp unless stored apart). */
export function decodeEvent(row: StoredRow, defaults: Defaults | undefined): FaultEvent {
  const doc = JSON.parse(row.doc) as Record<string, unknown>;
  const out: Record<string, unknown> = { '@timestamp': new Date(row.ts).toISOString(), 'event.id': row.id };
  for (const [column, field] of COLUMN_FIELDS) {
    const v = row[column];
    if (typeof v === 'string') out[field] = v;
  }
  if (row.severity !== null) out['event.severity'] = row.severity;
  out.message = row.message;
  const absent = new Set((doc[ABSENT] as string[] | undefined) ?? []);
  for (const [k, v] of Object.entries(defaults ?? {})) if (!absent.has(docKey(k))) out[k] = v;
  let original: unknown;
  for (const [key, v] of Object.entries(doc)) {
    if (key === ABSENT) continue;
    const field = fieldOf(key);
    if (field === 'event.original') original = v;
    else if (field === 'event.ingested' && typeof v === 'number')
      out[field] = new Date(row.ts + v).toISOString();
    else out[field] = v;
  }
  if (Array.isArray(original)) {
    out['event.original'] = original
      .map((p) => (typeof p === 'number' ? (asText(out[KEYS[p] as string]) ?? '') : String(p)))
      .join('');
  } else if (original !== undefined) out['event.original'] = original;
  return out as unknown as FaultEvent;
}
