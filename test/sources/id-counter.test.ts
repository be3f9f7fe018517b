import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OccurrenceCounter } from '../../src/sources/framing.js';
import { IdOccurrenceCounter } from '../../src/sources/id-counter.js';

const id = (n: number) => hash('sha256', String(n), 'base64url').slice(0, 22);

describe('IdOccurrenceCounter', () => {
  it('counts like OccurrenceCounter, forgetting everything past its limit (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 40 }), { maxLength: 400 }),
        fc.integer({ min: 1, max: 30 }),
        (keys, limit) => {
          const expected = new OccurrenceCounter(limit);
          const counter = new IdOccurrenceCounter(limit);
          for (const k of keys) expect(counter.next(id(k))).toBe(expected.next(id(k)));
        },
      ),
    );
  });

  it('tells apart ids that differ only in their last character, and probes past collisions', () => {
    const counter = new IdOccurrenceCounter(4);
    const a = 'AAAAAAAAAAAAAAAAAAAAAA';
    const b = 'AAAAAAAAAAAAAAAAAAAAAB';
    // Same first four characters: same slot, so the second probes on.
    expect([counter.next(a), counter.next(b), counter.next(a), counter.next(b), counter.next(b)]).toEqual([
      0, 0, 1, 1, 2,
    ]);
  });

  it('refuses a key that is not a 22-character id', () => {
    expect(() => new IdOccurrenceCounter().next('short')).toThrow(/22-character/);
  });
});
