/**
 * The row key of an event (`tk`, its rowid and its FTS rowid): milliseconds since 2000 times 2,048
 * plus a slot, so that key order is time order. A newest-first page is then a backward walk of the
 * table, of any index (their entries end with the key) or of the FTS index, without a sort, and the
 * time of a full-text match is known without reading its row. The 2,048 slots of a millisecond
 * are given in arrival order; a burst of more in one millisecond spills into the next one, so such
 * an event is filed (and sorted and range-filtered) up to a few milliseconds late, its @timestamp
 * kept as written. Keys stay below 2^53, exact in a JavaScript number: years 1861 to 2139.
 */

export const SLOT_BITS = 11;
export const SLOTS = 2 ** SLOT_BITS;
export const EPOCH_MS = Date.UTC(2000, 0, 1);
const SPAN_MS = 2 ** 42 - 1;
export const MIN_KEY = -SPAN_MS * SLOTS;
export const MAX_KEY = SPAN_MS * SLOTS + SLOTS - 1;

/** Whether a time (ms since 1970) can be filed. */
export function keyable(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms - EPOCH_MS) < SPAN_MS;
}

/** The first key of a millisecond. */
export function keyOf(ms: number): number {
  return (ms - EPOCH_MS) * SLOTS;
}

/** The millisecond a key is filed under. */
export function msOf(key: number): number {
  return Math.floor(key / SLOTS) + EPOCH_MS;
}

/** The same as SQL over `tk` (SQLite's >> floors). */
export const MS_SQL = (column: string) => `((${column} >> ${SLOT_BITS}) + ${EPOCH_MS})`;
