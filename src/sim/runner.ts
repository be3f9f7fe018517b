import type { Simulator } from './simulator.js';
import type { SimRecord } from './types.js';

export interface RunOptions {
  /** Simulated milliseconds per wall-clock millisecond; Infinity runs as fast as the sink takes it. */
  speed: number;
  /** Stop when simulated time reaches this (epoch ms); runs until aborted otherwise. */
  until?: number;
  signal?: AbortSignal;
  write(records: readonly SimRecord[], shippedAt: number): Promise<void>;
  /** Called after each step with the simulated time reached. */
  onStep?(now: number): void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Paces a simulator against the wall clock: step by step, each step's records written once the wall
 * clock has caught up with them at `speed`. A slow sink slows the run down, it never skips records,
 * so what is written is the same at any speed.
 */
export async function runSimulation(sim: Simulator, options: RunOptions): Promise<void> {
  const origin = sim.now;
  const wallStart = Date.now();
  const aborted = () => options.signal?.aborted === true;
  while (!aborted()) {
    if (options.until !== undefined && sim.now >= options.until) return;
    const to =
      options.until === undefined ? sim.now + sim.stepMs : Math.min(options.until, sim.now + sim.stepMs);
    const records = await sim.advanceAndApply(to);
    if (Number.isFinite(options.speed)) {
      const due = wallStart + (to - origin) / options.speed;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait, options.signal);
      if (aborted()) return;
    }
    await options.write(records, to);
    options.onStep?.(to);
  }
}
