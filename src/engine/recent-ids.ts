/**
 * The event ids a partition's engine applied recently, to drop the copies an at-least-once bus
 * delivers again (an ingest consumer that crashed after publishing republishes its batch).
 *
 * Bounded by the engine's own lateness, not by a count: a copy carries the original's dataset and
 * event time, and once that time is behind its dataset's horizon (newest event time − allowed
 * lateness) the engine drops the copy as late anyway, so the id can be forgotten. Ids are kept per
 * dataset in generations one lateness wide, forgotten a whole generation at a time, each a table of
 * 64-bit hashes in a typed array: 8 bytes an id in a checkpoint instead of a JSON string. Two
 * different ids share a hash with odds of n²/2⁶⁵ (n ids inside the horizon): 10⁻⁸ at a million.
 */
export class RecentIds {
  private readonly byDataset = new Map<string, Map<number, HashSet64>>();
  private readonly generationMs: number;

  /** `latenessMs`: the engine's allowed lateness (Infinity: one generation, never forgotten). */
  constructor(latenessMs: number) {
    this.generationMs = Number.isFinite(latenessMs) ? Math.max(1000, latenessMs) : Number.POSITIVE_INFINITY;
  }

  private generation(at: number): number {
    return Number.isFinite(this.generationMs) ? Math.floor(at / this.generationMs) : 0;
  }

  has(dataset: string, at: number, id: string): boolean {
    const set = this.byDataset.get(dataset)?.get(this.generation(at));
    return set?.has(hashHi(id), hashLo(id)) === true;
  }

  add(dataset: string, at: number, id: string): void {
    if (Number.isNaN(at)) return;
    let gens = this.byDataset.get(dataset);
    if (gens === undefined) {
      gens = new Map();
      this.byDataset.set(dataset, gens);
    }
    const g = this.generation(at);
    let set = gens.get(g);
    if (set === undefined) {
      set = new HashSet64();
      gens.set(g, set);
    }
    set.add(hashHi(id), hashLo(id));
  }

  /** Forgets the ids of `dataset` whose whole generation is older than `horizon`. */
  forgetBefore(dataset: string, horizon: number): void {
    const gens = this.byDataset.get(dataset);
    if (gens === undefined || !Number.isFinite(this.generationMs)) return;
    for (const g of gens.keys()) if ((g + 1) * this.generationMs <= horizon) gens.delete(g);
  }

  get size(): number {
    let n = 0;
    for (const gens of this.byDataset.values()) for (const set of gens.values()) n += set.size;
    return n;
  }

  /**
   * A header (generation width, datasets, generations, counts) as JSON, then every hash as two
   * little-endian u32. The width travels with the ids: a restart with another lateness still finds them.
   */
  toBytes(): Buffer {
    const header: [string, [number, number][]][] = [];
    let total = 0;
    for (const [dataset, gens] of this.byDataset) {
      const list: [number, number][] = [];
      for (const [g, set] of gens) {
        list.push([g, set.size]);
        total += set.size;
      }
      header.push([dataset, list]);
    }
    const head = Buffer.from(JSON.stringify({ width: this.generationMs, datasets: header }));
    const out = Buffer.alloc(4 + head.length + total * 8);
    out.writeUInt32LE(head.length, 0);
    head.copy(out, 4);
    let at = 4 + head.length;
    for (const gens of this.byDataset.values())
      for (const set of gens.values())
        set.forEach((hi, lo) => {
          out.writeUInt32LE(hi, at);
          out.writeUInt32LE(lo, at + 4);
          at += 8;
        });
    return out;
  }

  static fromBytes(bytes: Uint8Array): RecentIds {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headLength = buf.readUInt32LE(0);
    const { width, datasets } = JSON.parse(buf.subarray(4, 4 + headLength).toString('utf8')) as {
      width: number | null;
      datasets: [string, [number, number][]][];
    };
    // JSON writes Infinity as null: one generation, never forgotten.
    const ids = new RecentIds(width ?? Number.POSITIVE_INFINITY);
    let at = 4 + headLength;
    for (const [dataset, list] of datasets) {
      const gens = new Map<number, HashSet64>();
      for (const [g, n] of list) {
        const set = new HashSet64();
        for (let i = 0; i < n; i++, at += 8) set.add(buf.readUInt32LE(at), buf.readUInt32LE(at + 4));
        gens.set(g, set);
      }
      ids.byDataset.set(dataset, gens);
    }
    return ids;
  }
}

/** FNV-1a over the UTF-16 code units. */
function hashHi(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A second, independent 32-bit lane (multiply-xorshift, murmur's constants). */
function hashLo(id: string): number {
  let h = 0x9747b28c ^ id.length;
  for (let i = 0; i < id.length; i++) {
    h = Math.imul(h ^ id.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 16)) >>> 0;
}

/** An insert-only open-addressing set of 64-bit values (hi, lo), linear probing, 0/0 as empty. */
class HashSet64 {
  private table = new Uint32Array(2 * 64);
  size = 0;

  has(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const slots = this.table.length >>> 1;
    for (let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & (slots - 1); ; i = (i + 1) & (slots - 1)) {
      const h = this.table[2 * i] as number;
      const l = this.table[2 * i + 1] as number;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
    }
  }

  add(hi: number, lo: number): void {
    if (hi === 0 && lo === 0) lo = 1;
    if (2 * (this.size + 1) > this.table.length >>> 1) this.grow();
    const slots = this.table.length >>> 1;
    for (let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & (slots - 1); ; i = (i + 1) & (slots - 1)) {
      const h = this.table[2 * i] as number;
      const l = this.table[2 * i + 1] as number;
      if (h === hi && l === lo) return;
      if (h === 0 && l === 0) {
        this.table[2 * i] = hi;
        this.table[2 * i + 1] = lo;
        this.size++;
        return;
      }
    }
  }

  forEach(fn: (hi: number, lo: number) => void): void {
    const t = this.table;
    for (let i = 0; i < t.length; i += 2) {
      const h = t[i] as number;
      const l = t[i + 1] as number;
      if (h !== 0 || l !== 0) fn(h, l);
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const h = old[i] as number;
      const l = old[i + 1] as number;
      if (h !== 0 || l !== 0) this.add(h, l);
    }
  }
}
