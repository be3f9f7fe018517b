import type { Dataset, EventKind, FaultEvent, SeverityCode } from '../model/event.js';
import { eventId } from '../model/event-id.js';
import type { DecodeContext, SourceId } from './types.js';

export interface BaseFields {
  source: SourceId;
  dataset: Dataset;
  original: string;
  timestamp: string;
  severity: SeverityCode;
  message: string;
  kind?: EventKind;
  /** Separates several events decoded from one record (Redfish collection members, SMART attributes). */
  discriminator?: string;
}

/** The part of an event's identity besides source and bytes: the host hint, then the decoder's own. */
export function idDiscriminator(host: string | undefined, discriminator?: string): string {
  return `${host ?? ''}\u0000${discriminator ?? ''}`;
}

/**
 * The fields every decoded event carries (DESIGN §4), with the deterministic id. The transport's
 * host hint is used only when the record names no host of its own (the caller sets `host.name` after).
 */
export function baseEvent(fields: BaseFields, ctx: DecodeContext): FaultEvent {
  const event: FaultEvent = {
    '@timestamp': fields.timestamp,
    // The host hint is part of the identity: the same SEL row from two servers is two events.
    'event.id': eventId(
      fields.source,
      fields.original,
      ctx.occurrence ?? 0,
      idDiscriminator(ctx.host, fields.discriminator),
    ),
    'event.dataset': fields.dataset,
    'event.kind': fields.kind ?? 'event',
    'event.severity': fields.severity,
    'event.original': fields.original,
    'event.module': fields.source,
    message: fields.message,
  };
  if (ctx.host !== undefined && ctx.host !== '') event['host.name'] = ctx.host;
  return event;
}

// ISO 8601 with four-digit years: beyond them toISOString writes `+010000-…`, which neither
// Elasticsearch's date fields nor the stores' timestamp check accept.
const FIRST_ISO_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_ISO_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Parses a date the way the formats in fixtures write it; returns ISO 8601 UTC, or undefined when it
 * is no date or falls outside the years 0000–9999.
 */
export function toIso(value: string | number | Date): string | undefined {
  // `new Date(value)`'s time value: strings parsed by Date, numbers truncated (TimeClip).
  const t = typeof value === 'number' ? Math.trunc(value) : new Date(value).getTime();
  if (!Number.isFinite(t) || t < FIRST_ISO_MS || t > LAST_ISO_MS) return undefined;
  return isoOf(t);
}

const DAY_MS = 86_400_000;
// The last time written: the events of one record (a DPU line's counters, a SEL batch's rows of one
// second) share their timestamp.
let lastMs = Number.NaN;
let lastIso = '';

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * `new Date(t).toISOString()` for t within the years 0000–9999. Date#toISOString costs about a
 * microsecond on Node 20 (it goes through the date cache), which decoders paid once per event; this
 * is the civil calendar from the day number (H. Hinnant's `civil_from_days`), a tenth of that.
 */
function isoOf(t: number): string {
  if (t === lastMs) return lastIso;
  const days = Math.floor(t / DAY_MS);
  let ms = t - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(ms / 3_600_000);
  ms -= hour * 3_600_000;
  const minute = Math.floor(ms / 60_000);
  ms -= minute * 60_000;
  const second = Math.floor(ms / 1000);
  ms -= second * 1000;
  const y = year < 1000 ? `${year}`.padStart(4, '0') : `${year}`;
  const msText = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : `${ms}`;
  lastIso = `${y}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${msText}Z`;
  lastMs = t;
  return lastIso;
}
