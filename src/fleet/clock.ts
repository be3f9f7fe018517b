/**
 * The fleet's time. Provisioning steps wait on it, leases start and end by it; tests and
 * `bench/provision` run on a simulated clock so minutes of provisioning take milliseconds.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Simulated time: `sleep` resolves when the clock is advanced past its deadline. `run()` advances
 * to the next deadline whenever every sleeper is waiting, so concurrent work completes in
 * simulated time, in deadline order, without wall-clock waits.
 */
export class SimulatedClock implements Clock {
  private t: number;
  private readonly timers: { at: number; resolve: () => void }[] = [];
  private seq = 0;

  constructor(start: number | string = Date.parse('2026-01-01T00:00:00.000Z')) {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // Kept sorted by deadline, then by order of sleeping: insert after every timer due no later.
      const at = this.t + Math.max(0, ms);
      let lo = 0;
      let hi = this.timers.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.timers[mid]!.at <= at) lo = mid + 1;
        else hi = mid;
      }
      this.seq++;
      this.timers.splice(lo, 0, { at, resolve });
    });
  }

  /** Moves time forward by `ms`, waking sleepers whose deadline passed, in order. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    while (this.timers.length > 0 && this.timers[0]!.at <= until) {
      const next = this.timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.resolve();
      await settle();
    }
    this.t = until;
  }

  /**
   * Runs `work` to completion in simulated time: whenever it is only waiting on this clock, time
   * jumps to the next deadline (every sleeper due then wakes together). "Only waiting" means no
   * new sleeper appeared for a number of event-loop turns, so work that first writes to a store
   * and then sleeps is not overtaken by the clock.
   */
  async run<T>(work: Promise<T>): Promise<T> {
    let done = false;
    let failure: { error: unknown } | undefined;
    let value: T | undefined;
    work.then(
      (v) => {
        done = true;
        value = v;
      },
      (error: unknown) => {
        done = true;
        failure = { error };
      },
    );
    while (!done) {
      await this.quiesce(() => done);
      if (done) break;
      const first = this.timers[0];
      if (first === undefined) {
        // Waiting on real I/O (a server round trip): give it time.
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      this.t = Math.max(this.t, first.at);
      while (this.timers.length > 0 && this.timers[0]!.at <= this.t) this.timers.shift()!.resolve();
    }
    if (failure !== undefined) throw failure.error;
    return value as T;
  }

  /** Turns the event loop until the set of sleepers stops changing (or `stop` says so). */
  private async quiesce(stop: () => boolean, stableTurns = 40): Promise<void> {
    let seen = this.seq;
    let stable = 0;
    while (stable < stableTurns && !stop()) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.seq === seen) stable++;
      else {
        seen = this.seq;
        stable = 0;
      }
    }
  }
}

/** Lets promise chains that became ready run before the clock moves again. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
