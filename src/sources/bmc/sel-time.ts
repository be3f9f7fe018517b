/*
 * SEL timestamps. A SEL record carries seconds since 1970 from the BMC clock; tools print them
 * without a zone. BMC clocks are set in UTC by convention (and by every provisioning stack we
 * target), so printed SEL times are read as UTC.
 *
 * IPMI 2.0 §37.1: a timestamp at or below 0x20000000 is "pre-init", seconds since the BMC started
 * before its clock was set. ipmitool prints those as `Pre-Init |0000000085|`; ipmiutil prints them as
 * a 1970 date. Such a record keeps its place in the log but has no event time of its own.
 */

export const PRE_INIT_LIMIT_SECONDS = 0x20000000;

/** When a SEL record happened: a real time, a pre-init counter (maybe unknown), or no timestamp field at all. */
export type SelTime =
  | { kind: 'absolute'; iso: string; zone?: string; zoneAssumedUtc?: boolean }
  | { kind: 'pre-init'; seconds?: number }
  | { kind: 'none' };

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** `Jan` … `Dec` (any case, longer names accepted) → 1 … 12. */
export function monthNumber(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()];
}

/** Two-digit years as POSIX strptime reads them: 69–99 → 19xx, 00–68 → 20xx. */
export function fullYear(year: number, digits: number): number {
  if (digits > 2) return year;
  return year >= 69 ? 1900 + year : 2000 + year;
}

/**
 * Zone names ipmitool ≥ 1.8.19 appends (`23:09:44 CET`, glibc `%Z`). Ambiguous names (CST: US or China,
 * IST: India or Ireland) are deliberately absent: they are read as UTC and flagged rather than guessed.
 */
const ZONES: Readonly<Record<string, number>> = {
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  MET: 60,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  HKT: 480,
  SGT: 480,
  AWST: 480,
  JST: 540,
  KST: 540,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
  EST: -300,
  EDT: -240,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
};

const NUMERIC_ZONE_RE = /^([+-])(\d{2}):?(\d{2})?$/;

/** Minutes east of UTC for a printed zone; undefined when the name is unknown or ambiguous. */
export function zoneOffsetMinutes(zone: string): number | undefined {
  const n = NUMERIC_ZONE_RE.exec(zone);
  if (n !== null) return (n[1] === '-' ? -1 : 1) * (Number(n[2]) * 60 + Number(n[3] ?? 0));
  return ZONES[zone.toUpperCase()];
}

/** Builds a SEL time from calendar fields; undefined when a field is out of range (13/45/2019). */
export function selTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): SelTime | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  if (!Number.isFinite(ms) || d.getUTCDate() !== day || d.getUTCMonth() !== month - 1) return undefined;
  const seconds = Math.floor(ms / 1000);
  // A date printed from a pre-init counter (ipmiutil's "12/31/69 19:00:02") is still a pre-init time.
  if (seconds >= -86_400 && seconds <= PRE_INIT_LIMIT_SECONDS)
    return { kind: 'pre-init', seconds: Math.max(0, seconds) };
  return { kind: 'absolute', iso: d.toISOString() };
}

const TIME_RE =
  /^(\d{1,2}):(\d{2}):(\d{2})(?:\s*([AaPp][Mm]))?(?:\s+([A-Za-z]{1,5}|[+-]\d{2}(?::?\d{2})?))?$/;
const MDY_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/;
const MON_DD_YYYY_RE = /^([A-Za-z]{3})-(\d{1,2})-(\d{4})$/;

/**
 * `03/12/2019` or `07/17/06` (ipmitool, ipmiutil) or `Jan-09-2014` (FreeIPMI) with `HH:MM:SS`,
 * optionally 12-hour (`04:50:09 PM`) and zoned (`08:15:02 UTC`, `23:09:44 CET`, `16:21:48 +07`) as
 * ipmitool ≥ 1.8.19 prints them in the caller's locale.
 */
export function parseDateTime(date: string, time: string): SelTime | undefined {
  const t = TIME_RE.exec(time.trim());
  if (t === null) return undefined;
  let year: number;
  let month: number;
  let day: number;
  const mdy = MDY_RE.exec(date.trim());
  if (mdy !== null) {
    month = Number(mdy[1]);
    day = Number(mdy[2]);
    year = fullYear(Number(mdy[3]), mdy[3]!.length);
  } else {
    const named = MON_DD_YYYY_RE.exec(date.trim());
    if (named === null) return undefined;
    const m = monthNumber(named[1]!);
    if (m === undefined) return undefined;
    month = m;
    day = Number(named[2]);
    year = Number(named[3]);
  }
  let hour = Number(t[1]);
  const meridiem = t[4]?.toUpperCase();
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem === 'PM' ? 12 : 0);
  }
  const zone = t[5];
  const offset = zone === undefined ? 0 : zoneOffsetMinutes(zone);
  const base = selTime(year, month, day, hour, Number(t[2]), Number(t[3]));
  if (base === undefined || base.kind !== 'absolute' || zone === undefined) return base;
  const iso = new Date(Date.parse(base.iso) - (offset ?? 0) * 60_000).toISOString();
  return offset === undefined
    ? { kind: 'absolute', iso, zone, zoneAssumedUtc: true }
    : { kind: 'absolute', iso, zone };
}

/**
 * The event time of a record: its own when it has one. For a pre-init or untimed record (OEM 0xE0–0xFF)
 * the transport's receive time when known (the record reached us after the BMC came up, the best bound
 * we have), otherwise the epoch plus the pre-init seconds: deterministic on replay, and a 1970 date
 * that no dashboard mistakes for a real time. Such records are flagged `bmc.sel.pre_init` /
 * `bmc.sel.untimed` so rules can leave them out of time windows.
 */
export function eventTimestamp(time: SelTime, receivedAt: string | undefined): string {
  if (time.kind === 'absolute') return time.iso;
  if (receivedAt !== undefined) {
    const ms = Date.parse(receivedAt);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  return new Date((time.kind === 'pre-init' ? (time.seconds ?? 0) : 0) * 1000).toISOString();
}
