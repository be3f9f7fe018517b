/**
 * OccurrenceCounter's semantics (framing.ts) keyed by a record's occurrence-0 event id instead of its
 * bytes, in a typed-array hash table: a JavaScript Map of 50,000 fresh strings cost more per line
 * than decoding it (hashing the key, growing the table, and the garbage collector tracing old-space
 * entries that point at young strings). The id is 22 base64url characters of a SHA-256, so the
 * table keeps its 132 bits and needs no strings; after `limit` distinct ids it forgets them all,
 * as OccurrenceCounter does.
 */
const KEY_WORDS = 6;
const STRIDE = KEY_WORDS + 1;

export class IdOccurrenceCounter {
  private readonly table: Int32Array;
  private readonly mask: number;
  private size = 0;

  constructor(private readonly limit = 50_000) {
    let slots = 1;
    while (slots < limit * 2) slots *= 2;
    this.mask = slots - 1;
    this.table = new Int32Array(slots * STRIDE);
  }

  /** How many times `id` was seen before (0 the first time). `id` is 22 base64url characters. */
  next(id: string): number {
    if (id.length !== 22) throw new Error(`expected a 22-character event id, got ${id.length} characters`);
    // Four 7-bit character codes per word: six words hold all 22 characters.
    const w0 = word(id, 0);
    const w1 = word(id, 4);
    const w2 = word(id, 8);
    const w3 = word(id, 12);
    const w4 = word(id, 16);
    const w5 = (id.charCodeAt(20) << 7) | id.charCodeAt(21);
    const t = this.table;
    // The characters are a SHA-256's: any of them is as good a hash as all of them together.
    let slot = w0 & this.mask;
    for (;;) {
      const at = slot * STRIDE;
      const count = t[at + KEY_WORDS]!;
      if (count === 0) {
        if (this.size >= this.limit) {
          t.fill(0);
          this.size = 0;
          return this.next(id);
        }
        t[at] = w0;
        t[at + 1] = w1;
        t[at + 2] = w2;
        t[at + 3] = w3;
        t[at + 4] = w4;
        t[at + 5] = w5;
        t[at + KEY_WORDS] = 1;
        this.size++;
        return 0;
      }
      if (
        t[at] === w0 &&
        t[at + 1] === w1 &&
        t[at + 2] === w2 &&
        t[at + 3] === w3 &&
        t[at + 4] === w4 &&
        t[at + 5] === w5
      ) {
        t[at + KEY_WORDS] = count + 1;
        return count;
      }
      slot = (slot + 1) & this.mask;
    }
  }
}

function word(s: string, at: number): number {
  return (
    (s.charCodeAt(at) << 21) |
    (s.charCodeAt(at + 1) << 14) |
    (s.charCodeAt(at + 2) << 7) |
    s.charCodeAt(at + 3)
  );
}
