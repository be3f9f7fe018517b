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
      `${ctx.host ?? ''}\u0000${fields.discriminator ?? ''}`,
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

/** Parses a date the way the formats in fixtures write it; returns ISO 8601 UTC or undefined. */
export function toIso(value: string | number | Date): string | undefined {
  const d = value instanceof Date ? value : new Date(value);
  const t = d.getTime();
  if (!Number.isFinite(t)) return undefined;
  return d.toISOString();
}
