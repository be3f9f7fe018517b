import { selDateTime } from './time.js';

/** One `ipmitool sel elist` row; `reading` is the threshold column ipmitool adds for threshold sensors. */
export interface SelRow {
  id: number;
  time: number;
  /** "<sensor type> <sensor name>" (`Power Supply PSU2 Status`) or "<type> #0x<number>". */
  sensor: string;
  /** The event text, with the detail ipmitool prints in parentheses when it has one. */
  event: string;
  asserted?: boolean;
  reading?: string;
}

/** `  3a | 12/07/2026 | 02:31:44 | Memory #0x88 | Correctable ECC (CPU0_G1) | Asserted` */
export function selElistLine(row: SelRow): string {
  const [date, time] = selDateTime(row.time);
  const direction = row.asserted === false ? 'Deasserted' : 'Asserted';
  const base = `${row.id.toString(16).padStart(4, ' ')} | ${date} | ${time} | ${row.sensor} | ${row.event} | ${direction}`;
  return row.reading === undefined ? base : `${base} | ${row.reading}`;
}
