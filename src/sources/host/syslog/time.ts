/**
 * Timestamp helpers for the host log layouts. Every function returns epoch milliseconds or
 * `undefined`; none allocates a Date per call except to validate the calendar.
 */

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** Month index (0–11) from a three-letter English abbreviation, or -1. */
export function monthIndex(abbrev: string): number {
  return MONTHS[abbrev] ?? -1;
}

/**
 * Epoch ms for a UTC calendar date, or undefined when a field is out of range: `Date.UTC` silently
 * rolls Feb 30 over into March, which would put a garbled line at a plausible but wrong time.
 */
export function utcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms = 0,
): number | undefined {
  if (month < 0 || month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  const t = Date.UTC(year, month, day, hour, minute, Math.min(second, 59), ms);
  const d = new Date(t);
  return d.getUTCDate() === day && d.getUTCMonth() === month ? t : undefined;
}

// Single-slot cache: a whole file is usually decoded with one receivedAt, so parse it once.
let cachedRef: string | undefined;
let cachedRefMs = 0;

/** The receive time in ms; the wall clock when the transport gave none (or an unparsable one). */
export function referenceMs(receivedAt: string | undefined): number {
  if (receivedAt === undefined) return Date.now();
  if (receivedAt !== cachedRef) {
    const t = Date.parse(receivedAt);
    cachedRef = receivedAt;
    cachedRefMs = Number.isFinite(t) ? t : Number.NaN;
  }
  return Number.isFinite(cachedRefMs) ? cachedRefMs : Date.now();
}

/** How far ahead of the receive time a year-less line may be: sender clock skew and a local zone read as UTC. */
const AHEAD_MS = 86_400_000;
/** Feb 29 recurs within eight years (2096 → 2104 skips one leap year). */
const MAX_YEARS_BACK = 8;

/**
 * RFC 3164 and dmesg omit the year. As rsyslog and Elastic's ingest do, the year is the one that puts
 * the line at the most recent date not after the receive time (up to a day ahead is allowed, for
 * clock skew and hosts that log local time): a December line read in January is last year's, a
 * `Feb 29` line is from the last leap year. The caller flags such times (`syslog.time_source`).
 */
export function withInferredYear(
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  refMs: number,
): number | undefined {
  const year = new Date(refMs).getUTCFullYear();
  for (let back = 0; back <= MAX_YEARS_BACK; back++) {
    const t = utcMs(year - back, month, day, hour, minute, second, ms);
    if (t !== undefined && t - refMs <= AHEAD_MS) return t;
  }
  return undefined;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * ISO 8601 / RFC 3339 as syslog writes it (up to nanoseconds, `Z` or an offset, `T` or a space).
 * Without a zone the time is taken as UTC: hosts in a fleet log in UTC, and guessing a local zone
 * would be wrong more often than right.
 */
export function isoMs(text: string): number | undefined {
  const m = ISO_RE.exec(text);
  if (m === null) return undefined;
  const frac = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const t = utcMs(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    frac,
  );
  if (t === undefined) return undefined;
  const zone = m[8];
  if (zone === undefined || zone === 'Z') return t;
  const sign = zone[0] === '-' ? -1 : 1;
  const hh = Number(zone.slice(1, 3));
  const mm = Number(zone.slice(zone.length - 2));
  if (hh > 23 || mm > 59) return undefined;
  return t - sign * (hh * 60 + mm) * 60_000;
}
