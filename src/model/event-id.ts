import { hash } from 'node:crypto';

/**
 * Deterministic event id: a replay of the same record overwrites instead of duplicating (DESIGN §4).
 * `occurrence` separates byte-identical records inside one input (Loghub's Thunderbird sample has 37
 * repeated lines that are distinct events); it is 0 for the first copy so ordinary records hash only
 * their source and bytes.
 */
export function eventId(source: string, original: string, occurrence = 0, discriminator = ''): string {
  // One-shot hash: half the cost of createHash().update().digest() on short records (hot path).
  const input = `${eventIdPrefix(source, discriminator)}${original}${occurrenceSuffix(occurrence)}`;
  // 128 bits in base64url: 22 characters, collision-free for any fleet, short enough for an ES _id.
  return hash('sha256', input, 'base64url').slice(0, EVENT_ID_LENGTH);
}

export const EVENT_ID_LENGTH = 22;

/**
 * What eventId hashes before the record's bytes. A byte fast path hashes this prefix, the record's
 * bytes and occurrenceSuffix() as one buffer and gets the same id without building the string.
 */
export function eventIdPrefix(source: string, discriminator = ''): string {
  return `${source}\u0000${discriminator}\u0000`;
}

/** What eventId hashes after the record's bytes: nothing for the first copy. */
export function occurrenceSuffix(occurrence: number): string {
  return occurrence > 0 ? `\u0000${occurrence}` : '';
}
