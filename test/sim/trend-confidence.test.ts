import { describe, expect, it } from 'vitest';
import { TrendSeries } from '../../src/engine/trend.js';

// Generated series: the shapes bench/predict meets (src/engine/trend.ts is owned with the simulator).
const T0 = Date.parse('2026-01-05T00:00:00Z');
const HOUR = 3_600_000;

describe('trend confidence', () => {
  it('trusts a few points on a clear climb, whatever the sampling rate (SMART every 30 min)', () => {
    const s = new TrendSeries(7 * 24 * HOUR);
    // Reallocated sectors of a wearing disk: 8 + 3700 p² sampled every half hour.
    for (let i = 0; i < 5; i++) s.add(T0 + i * 0.5 * HOUR, Math.round(8 + 3700 * (i / 16) ** 2));
    const fit = s.fit(T0 + 2 * HOUR, 1000, 4);
    expect(fit?.eta).toBeGreaterThan(T0 + 2 * HOUR);
    // points / (3 × minimum) would have capped this at 5/12 of r².
    expect(fit?.confidence).toBeGreaterThan(0.8);
  });

  it('gives little confidence to few points that scatter, and none to a flat series', () => {
    const scatter = new TrendSeries(HOUR * 24);
    for (const [i, y] of [10, 2, 14, 3, 11].entries()) scatter.add(T0 + i * HOUR, y);
    expect(scatter.fit(T0 + 5 * HOUR, 100, 4)?.confidence ?? 0).toBeLessThan(0.3);
    const flat = new TrendSeries(HOUR * 24);
    for (let i = 0; i < 6; i++) flat.add(T0 + i * HOUR, 8);
    expect(flat.fit(T0 + 6 * HOUR, 1000, 4)?.eta).toBeUndefined();
  });

  it('approaches r² as points accumulate', () => {
    const s = new TrendSeries(24 * HOUR);
    for (let i = 0; i < 200; i++) s.add(T0 + i * 60_000, i + (i % 2 === 0 ? 0.5 : -0.5));
    expect(s.fit(T0 + 200 * 60_000, 1000, 10)?.confidence).toBeGreaterThan(0.99);
  });
});
