import { createHash } from 'node:crypto';

/**
 * Deterministic event id: a replay of the same record overwrites instead of duplicating (DESIGN §4).
 * `occurrence` separates byte-identical records inside one input (Loghub's Thunderbird sample has 37
 * repeated lines that are distinct events); it is 0 for the first copy so ordinary records hash only
 * their source and bytes.
 */
export function eventId(source: string, original: string, occurrence = 0, discriminator = ''): string {
  const h = createHash('sha256');
  h.update(source);
  h.update('\u0000');
  h.update(discriminator);
  h.update('\u0000');
  h.update(original);
  if (occurrence > 0) {
    h.update('\u0000');
    h.update(String(occurrence));
  }
  // 128 bits in base64url: 22 characters, collision-free for any fleet, short enough for an ES _id.
  return h.digest('base64url').slice(0, 22);
}
