import type { SeverityCode } from '../../../model/event.js';

/** A JSON object as notifications are: loosely typed, read defensively. */
export type Json = Record<string, unknown>;

/** The value as a JSON object, or undefined for arrays, null and scalars. */
export function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** A non-empty string, or undefined: notifications use "" and null alike for "not set". */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A boolean, or undefined for anything else (ironic's docs once wrote Python's False). */
export function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/**
 * The data of a versioned object (`nova_object.data`, `ironic_object.data`, `masakari_object.data`,
 * any `<ns>_object.data`), or the value itself when it is not one.
 */
export function unwrap(v: unknown): Json | undefined {
  const o = obj(v);
  if (o === undefined) return undefined;
  for (const key in o) {
    if (key.endsWith('_object.data')) return obj(o[key]);
  }
  return o;
}

/** The `<ns>_object.name` of a versioned object (`InstanceActionPayload`), if it is one. */
export function objectName(v: unknown): string | undefined {
  const o = obj(v);
  if (o === undefined) return undefined;
  for (const key in o) {
    if (key.endsWith('_object.name')) return str(o[key]);
  }
  return undefined;
}

const ZONE_RE = /(?:Z|[+-]\d{2}:?\d{2})$/;
const OSLO_TIME_RE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * oslo's notification time (`2018-11-27 13:09:30.737034`, from `timeutils.utcnow()`) or ISO 8601,
 * as epoch ms. A time without a zone is UTC: oslo writes utcnow without saying so.
 */
export function osloTimeMs(v: unknown): number | undefined {
  const text = str(v);
  if (text === undefined) return undefined;
  const m = OSLO_TIME_RE.exec(text.trim());
  if (m === null) return undefined;
  const frac = m[3] === undefined ? '' : `.${m[3].slice(0, 3).padEnd(3, '0')}`;
  const zone = m[4] ?? 'Z';
  const t = Date.parse(`${m[1]}T${m[2]}${frac}${ZONE_RE.test(zone) ? zone : 'Z'}`);
  return Number.isFinite(t) ? t : undefined;
}

/** oslo.messaging priorities (any case) to syslog severity; SAMPLE is ceilometer's metering level. */
export const PRIORITY_SEVERITY: Record<string, SeverityCode> = {
  DEBUG: 7,
  SAMPLE: 6,
  INFO: 6,
  AUDIT: 5,
  WARN: 4,
  WARNING: 4,
  ERROR: 3,
  CRITICAL: 2,
};
