import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIso } from '../../src/sources/event-builder.js';

const FIRST = Date.parse('0000-01-01T00:00:00.000Z');
const LAST = Date.parse('9999-12-31T23:59:59.999Z');

describe('toIso', () => {
  it('writes what Date#toISOString writes, for any time in the years 0000–9999 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST, max: LAST }), (t) => {
        expect(toIso(t)).toBe(new Date(t).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('is exact at the edges: leap days, centuries, the epoch, the ends of the range', () => {
    for (const iso of [
      '0000-01-01T00:00:00.000Z',
      '0000-02-29T23:59:59.999Z',
      '0100-03-01T00:00:00.000Z',
      '1600-02-29T12:00:00.000Z',
      '1900-02-28T23:59:59.999Z',
      '1900-03-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '2000-02-29T00:00:00.001Z',
      '2024-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      expect(toIso(Date.parse(iso))).toBe(iso);
      expect(toIso(iso)).toBe(iso);
      expect(toIso(new Date(iso))).toBe(iso);
    }
  });

  it('truncates fractions of a millisecond as Date does, and refuses what is no date or out of range', () => {
    expect(toIso(1.9)).toBe(new Date(1.9).toISOString());
    expect(toIso(-1.9)).toBe(new Date(-1.9).toISOString());
    expect(toIso(-0)).toBe('1970-01-01T00:00:00.000Z');
    expect(toIso('2017-05-16 00:00:00')).toBe(new Date('2017-05-16 00:00:00').toISOString());
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, FIRST - 1, LAST + 1, 'yesterday', '']) {
      expect(toIso(bad)).toBeUndefined();
    }
    expect(toIso(new Date(Number.NaN))).toBeUndefined();
  });
});
