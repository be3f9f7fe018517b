import { isoTime } from './time.js';

/** Facility codes used by the simulated hosts (RFC 5424 §6.2.1). */
export const KERN = 0;
export const DAEMON = 3;

/** `<4>1 2026-12-07T02:31:44.123Z bm-001 kernel - - - EDAC MC0: …`: what rsyslog forwards in RFC 5424. */
export function rfc5424Line(
  time: number,
  facility: number,
  severity: number,
  host: string,
  app: string,
  message: string,
  pid?: number,
): string {
  return `<${facility * 8 + severity}>1 ${isoTime(time)} ${host} ${app} ${pid ?? '-'} - - ${message}`;
}
