import { linearRegression, linearRegressionLine, rSquared } from 'simple-statistics';

export interface TrendFit {
  /** Units per millisecond. */
  slope: number;
  /** Fitted value at `at`. */
  value: number;
  /** Event time (ms) the fitted line reaches the threshold, if it rises towards it. */
  eta?: number;
  /**
   * 0..1: the fit's r² adjusted for the number of points (1 − (1 − r²)(n − 1)/(n − 2)), so a few
   * points on a line earn less than many, whatever the sampling rate of the series.
   */
  confidence: number;
}

/**
 * Points of one series inside a sliding window, bounded: past `cap` points, every other point is
 * dropped (the fit needs the shape, not each point), so a storm costs memory O(cap).
 */
export class TrendSeries {
  private points: [number, number][] = [];
  constructor(
    private readonly windowMs: number,
    private readonly cap = 512,
  ) {}

  add(at: number, y: number): void {
    this.points.push([at, y]);
    const from = at - this.windowMs;
    let drop = 0;
    while (drop < this.points.length && (this.points[drop] as [number, number])[0] < from) drop++;
    if (drop > 0) this.points = this.points.slice(drop);
    if (this.points.length > this.cap) {
      const last = this.points[this.points.length - 1] as [number, number];
      this.points = this.points.filter((_, i) => i % 2 === 0);
      if (this.points[this.points.length - 1] !== last) this.points.push(last);
    }
  }

  get size(): number {
    return this.points.length;
  }

  fit(at: number, threshold: number, minPoints: number): TrendFit | undefined {
    if (this.points.length < minPoints) return undefined;
    // Times relative to the first point keep the regression well conditioned (epoch ms are ~1e12).
    const t0 = (this.points[0] as [number, number])[0];
    const rel = this.points.map(([t, y]) => [t - t0, y]);
    const reg = linearRegression(rel);
    if (!Number.isFinite(reg.m)) return undefined;
    const line = linearRegressionLine(reg);
    const r2 = rSquared(rel, line);
    const value = line(at - t0);
    // Points / (3 × minimum) as the evidence term asked a SMART series sampled daily for weeks of points
    // before it could predict anything; the adjusted r² discounts few points by the fit's own freedom.
    const n = this.points.length;
    const fitted = Number.isFinite(r2) ? Math.max(0, r2) : 0;
    const adjusted = n > 2 ? 1 - ((1 - fitted) * (n - 1)) / (n - 2) : 0;
    const fit: TrendFit = { slope: reg.m, value, confidence: Math.max(0, Math.min(1, adjusted)) };
    if (reg.m > 0) fit.eta = value >= threshold ? at : at + (threshold - value) / reg.m;
    return fit;
  }
}
