import { fromDocument } from './document.js';
import type { Dataset, FaultEvent } from './event.js';

/**
 * Events already written as their documents, back to back in one buffer: the nested JSON that
 * `documentJson` gives for the event, byte for byte. A source's record fast path writes these
 * straight from the record's bytes (sources/types.ts, DocumentFastPath), so that the ingest pipeline
 * hands them to an event store that sends documents (Elasticsearch) without an event object in
 * between: on the bench mix the object, its serialization and its garbage were most of the ingest
 * process's work.
 *
 * Whoever writes a document vouches for it as a decoder vouches for its events: a known dataset, a
 * valid ISO 8601 `@timestamp`, the id `event.id` holds.
 */
export class DocumentBatch {
  buffer: Buffer;
  used = 0;
  readonly ids: string[] = [];
  readonly datasets: Dataset[] = [];
  /** `ends[i]`: byte offset just after document i. */
  readonly ends: number[] = [];

  /** `initial`: the expected size in bytes, or a buffer to write into (its contents are overwritten). */
  constructor(initial: number | Buffer = 64 * 1024) {
    this.buffer = typeof initial === 'number' ? Buffer.allocUnsafe(Math.max(initial, 1024)) : initial;
  }

  get count(): number {
    return this.ends.length;
  }

  /** Room for `bytes` more from `used` (a writer then advances `used` and calls `add`). */
  reserve(bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return;
    let size = Math.max(this.buffer.length * 2, 1024);
    while (size < this.used + bytes) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buffer.copy(next, 0, 0, this.used);
    this.buffer = next;
  }

  /** Ends the document written since the last one: its id and dataset. */
  add(id: string, dataset: Dataset): void {
    this.ids.push(id);
    this.datasets.push(dataset);
    this.ends.push(this.used);
  }

  /** Appends a document given as text (`documentJson(event)`), with its id and dataset. */
  append(document: string, id: string, dataset: Dataset): void {
    this.reserve(Buffer.byteLength(document));
    this.used += this.buffer.write(document, this.used, 'utf8');
    this.add(id, dataset);
  }

  /** Where document i starts in `buffer` (it ends at `ends[i]`). */
  startOf(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  /** Document i's bytes (a view into the buffer: valid until the next write). */
  document(i: number): Buffer {
    return this.buffer.subarray(this.startOf(i), this.ends[i]!);
  }

  /** Document i as a FaultEvent, for stores and consumers that want objects. */
  event(i: number): FaultEvent {
    return fromDocument(JSON.parse(this.document(i).toString('utf8')));
  }

  events(): FaultEvent[] {
    return Array.from({ length: this.count }, (_, i) => this.event(i));
  }
}
