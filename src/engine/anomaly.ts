import { median, medianAbsoluteDeviation } from 'simple-statistics';

/**
 * Per-series anomaly detectors (DESIGN §5). Each keeps bounded state: a ring of the last `history`
 * points (robust z, seasonal) or two running moments (EWMA). `score(x)` rates a new point against
 * what came before and does not learn it; `learn(x)` adds it. Keeping the two apart lets the engine
 * leave an anomalous point out of the baseline if it wants, and makes the order of effects explicit.
 */
export interface Detector {
  /** Deviation of x from the baseline in robust standard units, or undefined while warming up. */
  score(x: number, at: number): number | undefined;
  learn(x: number, at: number): void;
}

/** MAD × 1.4826 estimates σ for normal data; a floor keeps a flat baseline from dividing by zero. */
const MAD_TO_SIGMA = 1.4826;

function floorScale(scale: number, center: number): number {
  return Math.max(scale, Math.abs(center) * 0.05, 1e-9);
}

/** Exported for engine snapshots only. */
export class Ring {
  private readonly items: number[] = [];
  private next = 0;
  constructor(private readonly capacity: number) {}
  push(x: number): void {
    if (this.items.length < this.capacity) this.items.push(x);
    else {
      this.items[this.next] = x;
      this.next = (this.next + 1) % this.capacity;
    }
  }
  get size(): number {
    return this.items.length;
  }
  values(): number[] {
    return this.items;
  }
}

export class EwmaDetector implements Detector {
  private mean = 0;
  private variance = 0;
  private n = 0;
  constructor(
    private readonly alpha: number,
    private readonly minSamples: number,
  ) {}
  score(x: number): number | undefined {
    if (this.n < this.minSamples) return undefined;
    return (x - this.mean) / floorScale(Math.sqrt(this.variance), this.mean);
  }
  learn(x: number): void {
    if (this.n === 0) this.mean = x;
    else {
      // West's incremental exponentially weighted variance.
      const diff = x - this.mean;
      const incr = this.alpha * diff;
      this.mean += incr;
      this.variance = (1 - this.alpha) * (this.variance + diff * incr);
    }
    this.n++;
  }
}

export class RobustZDetector implements Detector {
  private readonly ring: Ring;
  constructor(
    history: number,
    private readonly minSamples: number,
  ) {
    this.ring = new Ring(history);
  }
  score(x: number): number | undefined {
    if (this.ring.size < this.minSamples) return undefined;
    const values = this.ring.values();
    const m = median(values);
    return (x - m) / floorScale(MAD_TO_SIGMA * medianAbsoluteDeviation(values), m);
  }
  learn(x: number): void {
    this.ring.push(x);
  }
}

/**
 * Seasonal baseline: robust z against the points seen at the same phase of the period (e.g. the
 * same hour of the day), `slots` phases per period, each with its own bounded ring.
 */
export class SeasonalDetector implements Detector {
  private readonly phases = new Map<number, RobustZDetector>();
  constructor(
    private readonly periodMs: number,
    private readonly slotMs: number,
    private readonly perPhase: number,
    private readonly minSamples: number,
  ) {}
  private phase(at: number): RobustZDetector {
    const slot = Math.floor((at % this.periodMs) / this.slotMs);
    let d = this.phases.get(slot);
    if (d === undefined) {
      d = new RobustZDetector(this.perPhase, this.minSamples);
      this.phases.set(slot, d);
    }
    return d;
  }
  score(x: number, at: number): number | undefined {
    return this.phase(at).score(x);
  }
  learn(x: number, at: number): void {
    this.phase(at).learn(x);
  }
}
