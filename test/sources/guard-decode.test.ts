import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getSource } from '../../src/sources/registry.js';
import { guardDecode, type Source } from '../../src/sources/types.js';
import { resultProblem } from '../helpers/decoder-properties.js';

const smart = getSource('smart')!;
// A decoder with a bug: it throws a TypeError on some input, as a real one would on a missing field.
const buggy: Source = {
  ...smart,
  decode(payload, ctx) {
    if (payload.includes('x')) (undefined as unknown as { a: number }).a;
    return smart.decode(payload, ctx);
  },
};

describe('one guard for every decoder', () => {
  it('turns an exception into a rejection that says internal and carries the flag', () => {
    const r = guardDecode(buggy).decode('x', { host: 'n1' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.internal).toBe(true);
    expect(!r.ok && r.reason).toMatch(/^smart internal decoder error: /);
  });

  it('the decoder property fails on an internal error, so "never throws" can fail', () => {
    const guarded = guardDecode(buggy);
    expect(resultProblem(guarded.decode('x', { host: 'n1' }), 'host.smart')).toMatch(/^internal error/);
    const check = () =>
      fc.assert(
        fc.property(
          fc.string(),
          (s) => resultProblem(guarded.decode(s, { host: 'n1' }), 'host.smart') === undefined,
        ),
        { numRuns: 300 },
      );
    expect(check).toThrow();
  });
});
