import { documentJson, fromDocument } from '../../model/document.js';
import type { FaultEvent } from '../../model/event.js';
import type { BufferPool } from '../../shared/buffer-pool.js';

/**
 * One `_bulk` request: the NDJSON body encoded once into a buffer and where each event's two lines
 * end, so the items the server refused can be cut out and sent again. The chunk does not keep the
 * event objects: a write holds its body across the round trip to Elasticsearch, and holding
 * thousands of objects that long makes the garbage collector copy and promote them. The rare
 * refused event is read back from the body instead (`eventAt`).
 */
export interface BulkChunk {
  /** Events in the body. */
  count: number;
  /** `ends[i]`: byte offset just after event i's document line. */
  ends: number[];
  body: Buffer;
  /** The pooled buffer `body` is a view of: handed back (releaseChunk) once the request is done. */
  pooled?: Buffer;
}

/** Gives a chunk's pooled buffer back; the chunk must not be read afterwards. */
export function releaseChunk(chunk: BulkChunk, pool: BufferPool): void {
  if (chunk.pooled !== undefined) pool.give(chunk.pooled);
  chunk.pooled = undefined;
}

/**
 * Builds bulk bodies straight into buffers of at most `maxBytes` (a single larger document gets a
 * buffer of its own) and `maxDocs` events. Encoding each line into the buffer as it is made costs a
 * third of building one string per document, joining them and encoding the joined string.
 */
export class BulkBodyBuilder {
  private readonly chunks: BulkChunk[] = [];
  /** `{"event.ingested":"…",`: opens every document, so each says when it reached the store; or `{`. */
  private readonly ingestedOpening: Buffer;
  private buffer: Buffer = Buffer.allocUnsafe(0);
  private pooled = false;
  private used = 0;
  private ends: number[] = [];

  /**
   * `expectedBytes`: what the caller expects the whole body to take (events × typical size); each
   * chunk's buffer starts at that size (capped at maxBytes), so a large batch does not grow its
   * buffers by doubling and copying.
   */
  constructor(
    private readonly maxBytes: number,
    private readonly maxDocs: number,
    private readonly expectedBytes = 0,
    /** Where chunk buffers of `maxBytes` come from (reused pages; see BufferPool), if anywhere. */
    private readonly pool?: BufferPool,
    /** ECS `event.ingested` of this write (ISO 8601), set on every document that has none. */
    ingested?: string,
  ) {
    // A dotted key beside the nested `event` object: Elasticsearch merges both into one object, and
    // the serialized document needs no rewriting to carry it.
    this.ingestedOpening = Buffer.from(
      ingested === undefined ? '{' : `{"event.ingested":${JSON.stringify(ingested)},`,
      'utf8',
    );
  }

  /** Appends `action` and the event's document (`documentJson`), each followed by a newline. */
  add(event: FaultEvent, action: string): void {
    const doc = documentJson(event);
    const opening =
      this.ingestedOpening.length > 1 && event['event.ingested'] === undefined && doc.length > 2;
    const extra = opening ? this.ingestedOpening.length : 0;
    // UTF-8 needs at most 3 bytes per UTF-16 unit; the exact length is asked only near the end.
    let need = (action.length + doc.length) * 3 + 2 + extra;
    if (this.used + need > this.maxBytes)
      need = Buffer.byteLength(action) + Buffer.byteLength(doc) + 2 + extra;
    const count = this.ends.length;
    if (count > 0 && (this.used + need > this.maxBytes || count >= this.maxDocs)) {
      this.cut();
    }
    if (this.used + need > this.buffer.length) this.grow(this.used + need);
    this.used += this.buffer.write(action, this.used, 'utf8');
    this.buffer[this.used++] = 10;
    if (opening) {
      this.buffer.set(this.ingestedOpening, this.used);
      this.used += extra;
      this.used += this.buffer.write(doc.slice(1), this.used, 'utf8');
    } else this.used += this.buffer.write(doc, this.used, 'utf8');
    this.buffer[this.used++] = 10;
    this.ends.push(this.used);
  }

  /** Bytes written so far, over all chunks. */
  get bytes(): number {
    return this.chunks.reduce((n, c) => n + c.body.length, this.used);
  }

  /** The chunks built so far; the builder is spent afterwards. */
  finish(): BulkChunk[] {
    if (this.ends.length > 0) this.cut();
    return this.chunks;
  }

  /**
   * From the pool, a buffer of maxBytes (no growing then); without one, starts at the expected size
   * (at least 64 KiB) and doubles up to maxBytes. A single oversized document gets its own.
   */
  private grow(needed: number): void {
    let next: Buffer;
    let pooled = false;
    if (this.pool !== undefined && this.pool.size === this.maxBytes && needed <= this.maxBytes) {
      next = this.pool.take(this.maxBytes);
      pooled = true;
    } else {
      let size = Math.max(this.buffer.length * 2, 64 * 1024, Math.ceil(this.expectedBytes * 1.1));
      while (size < needed) size *= 2;
      next = Buffer.allocUnsafe(Math.max(Math.min(size, this.maxBytes), needed));
    }
    this.buffer.copy(next, 0, 0, this.used);
    if (this.pooled) this.pool!.give(this.buffer);
    this.buffer = next;
    this.pooled = pooled;
  }

  private cut(): void {
    // The request keeps its slice of the buffer; the next chunk starts in a fresh one.
    const chunk: BulkChunk = {
      count: this.ends.length,
      ends: this.ends,
      body: this.buffer.subarray(0, this.used),
    };
    if (this.pooled) chunk.pooled = this.buffer;
    this.chunks.push(chunk);
    this.buffer = Buffer.allocUnsafe(0);
    this.pooled = false;
    this.used = 0;
    this.ends = [];
  }
}

/** The part of `chunk` holding the events at `indexes` (ascending), as a chunk of its own. */
export function subChunk(chunk: BulkChunk, indexes: number[]): BulkChunk {
  const parts: Buffer[] = [];
  const ends: number[] = [];
  let used = 0;
  for (const i of indexes) {
    const start = i === 0 ? 0 : chunk.ends[i - 1]!;
    const end = chunk.ends[i]!;
    parts.push(chunk.body.subarray(start, end));
    used += end - start;
    ends.push(used);
  }
  return { count: ends.length, ends, body: Buffer.concat(parts, used) };
}

/**
 * Event `i` of the chunk, parsed back from its document line (the failure path only), as it was
 * handed to the builder: without the `event.ingested` the builder opened it with.
 */
export function eventAt(chunk: BulkChunk, i: number): FaultEvent {
  const start = i === 0 ? 0 : chunk.ends[i - 1]!;
  const docStart = chunk.body.indexOf(10, start) + 1;
  const document = JSON.parse(chunk.body.toString('utf8', docStart, chunk.ends[i]! - 1)) as Record<
    string,
    unknown
  >;
  // The builder's opening is the one dotted key; an event's own event.ingested is nested under `event`.
  delete document['event.ingested'];
  return fromDocument(document);
}
