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
  const d = value instanceof Date ? value : new Date(value);
  const t = d.getTime();
  if (!Number.isFinite(t) || t < FIRST_ISO_MS || t > LAST_ISO_MS) return undefined;
  return d.toISOString();
}
