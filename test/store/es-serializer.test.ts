import { Serializer } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { BulkAwareSerializer } from '../../src/store/elasticsearch/serializer.js';

describe('BulkAwareSerializer', () => {
  const s = new BulkAwareSerializer();
  const items = (status: number, n: number) =>
    Array.from({ length: n }, () => `{"create":{"status":${status}}}`).join(',');

  it('answers a filtered bulk response without errors without reading its items', () => {
    expect(s.deserialize(`{"errors":false,"items":[${items(201, 5000)}]}`)).toEqual({ errors: false });
  });

  it('parses a bulk response with errors whole, item by item', () => {
    const json = `{"errors":true,"items":[${items(201, 2)},{"create":{"status":429,"error":{"type":"es_rejected_execution_exception"}}}]}`;
    const r = s.deserialize<{ errors: boolean; items: Array<{ create: { status: number } }> }>(json);
    expect(r.errors).toBe(true);
    expect(r.items.map((i) => i.create.status)).toEqual([201, 201, 429]);
  });

  it('parses every other answer as the stock serializer does', () => {
    const stock = new Serializer();
    for (const json of [
      '{"took":3,"errors":false,"items":[{"create":{"_id":"a","status":201}}]}',
      '{"count":7}',
      '{"errors":false}',
      '[1,2]',
    ]) {
      expect(s.deserialize(json)).toEqual(stock.deserialize(json));
    }
    expect(() => s.deserialize('{"errors":tru')).toThrow();
  });
});
