import type { HwType } from '../../../model/event.js';
import type { EventDirection } from '../ipmi-tables.js';
import type { SelTime } from '../sel-time.js';

/** The text formats the `ipmi-sel` source reads. */
export type SelFormat = 'ipmitool' | 'ipmitool-verbose' | 'freeipmi' | 'ipmiutil' | 'openbmc-log-util';

/**
 * One SEL record as a tool printed it, before interpretation. Every format parser produces this, so
 * the IPMI meaning is worked out in one place (`to-event.ts`) whatever tool wrote the line.
 */
export interface SelRecord {
  format: SelFormat;
  recordId?: string;
  time: SelTime;
  /** Sensor type code when the tool printed it or its name is known. */
  sensorType?: number;
  /** Sensor type as printed (`Power Supply`, `Unknown`). */
  sensorTypeName?: string;
  sensorName?: string;
  sensorNumber?: number;
  /** Event/reading type when the tool printed it (verbose, ipmiutil trigger byte). */
  eventType?: number;
  /** Event offset when event data byte 1 is known. */
  offset?: number;
  direction: EventDirection;
  /** Whether the tool printed the direction; FreeIPMI without `-v` does not. */
  directionKnown: boolean;
  description: string;
  /** Extra text the tool appended (`(DIMM_A1)`, `CPU 1 DIMM 2`, FreeIPMI `; Memory Module = 4`). */
  detail?: string;
  /** Event data bytes 1–3 as six hex digits. */
  eventData?: string;
  generator?: string;
  reading?: number;
  threshold?: number;
  unit?: string;
  /** FreeIPMI `--output-event-state` column. */
  state?: string;
  /** ipmiutil SEV column (INF, MIN, MAJ, CRT). */
  toolSeverity?: string;
  /** OEM record (type 0xC0–0xFF) or a sensor type no table names. */
  oem?: { recordType?: number; manufacturerId?: string; data?: string; text?: string };
  /** Linux kernel panic string of an OEM 0xF0 record. */
  panic?: string;
  host?: string;
  /** The part the tool's own names say (OpenBMC's OEM sensor names), used when the tables know none. */
  hwHint?: HwType;
}

/** A line or block a parser recognised as its format but could not read. */
export interface ParseFailure {
  reason: string;
}

/** Narrows a parser result to its failure case. */
export function isFailure(value: SelRecord | ParseFailure): value is ParseFailure {
  return (value as ParseFailure).reason !== undefined;
}
