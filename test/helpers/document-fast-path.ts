import { expect } from 'vitest';
import { documentJson, fromDocument } from '../../src/model/document.js';
import { DocumentBatch } from '../../src/model/document-batch.js';
import type { Dataset } from '../../src/model/event.js';
import type { DecodeContext, DocumentFastPath, Source } from '../../src/sources/types.js';

const isObjectValue = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Runs one record through a source's document fast path and through its `decode`; returns whether
 * the fast path took it. Taken: one document per decoded event, in order, byte for byte
 * `documentJson(event)`, with its id and dataset, reading back as the event itself (or, for an event
 * with an object value such as DPU labels, as the store reads the generic document back: flattened).
 * Not taken: nothing written. Taking a record decode refuses fails the test.
 */
export function expectSameAsDecode(
  source: Source,
  dataset: Dataset,
  fast: DocumentFastPath,
  record: string,
  ctx: DecodeContext = {},
  options: { eventsPerRecord?: number } = {},
): boolean {
  const batch = new DocumentBatch(16);
  const took = fast.encode(record, ctx, batch);
  const decoded = source.decode(record, ctx);
  if (!took) {
    expect(batch.count).toBe(0);
    expect(batch.used).toBe(0);
    return false;
  }
  if (!decoded.ok) throw new Error(`fast path took a record decode refuses (${decoded.reason}): ${record}`);
  if (options.eventsPerRecord !== undefined) expect(decoded.events).toHaveLength(options.eventsPerRecord);
  expect(batch.count).toBe(decoded.events.length);
  for (const [i, event] of decoded.events.entries()) {
    expect(batch.ids[i]).toBe(event['event.id']);
    expect(batch.datasets[i]).toBe(dataset);
    expect(batch.document(i).toString('utf8')).toBe(documentJson(event));
    const flattens = Object.values(event).some(isObjectValue);
    expect(batch.event(i)).toEqual(flattens ? fromDocument(JSON.parse(documentJson(event))) : event);
  }
  return true;
}
