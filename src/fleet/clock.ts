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
  private readonly timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;

  constructor(start: number | string = Date.parse('2026-01-01T00:00:00.000Z')) {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
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
   * jumps to the next deadline. Rejects if `work` waits on something else for `maxIdleTurns`
   * turns of the event loop with no sleeper pending (a real I/O wait, which the caller must avoid).
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
      await settle();
      if (done) break;
      const next = this.timers.shift();
      if (next === undefined) {
        // Waiting on real I/O (a database write): give it time.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    if (failure !== undefined) throw failure.error;
    return value as T;
  }
}

/** Lets promise chains that became ready run before the clock moves again. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
