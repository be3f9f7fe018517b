import { describe, expect, it } from 'vitest';
import { evaluateInProcess } from '../../src/sim/in-process.js';
import { matches, score } from '../../src/sim/score.js';
import { TEST_ADMIN_KEY } from '../helpers/runtime.js';
import { simRuntime, TRUTH_RUN } from './sim-runtime.js';

// Generated data: a short simulated run with a fixed seed; its injected faults are the expected alerts.
const START = Date.parse('2026-01-05T00:00:00Z');
const HOUR = 3_600_000;

async function run() {
  const env = await simRuntime();
  try {
    return await evaluateInProcess(env.runtime, TEST_ADMIN_KEY, { ...TRUTH_RUN, start: START });
  } finally {
    await env.close();
  }
}

describe('bench/predict evaluation in process', () => {
  it(
    'finds every manifested fault, none for deploys, and the same findings on a second run',
    { timeout: 300_000 },
    async () => {
      const first = await run();
      expect(first.rejected).toBe(0);
      const manifested = first.sim.truth.filter(
        (t) => t.expect.alert && t.manifestAt < START + 3 * HOUR - 10 * 60_000,
      );
      expect(manifested.length).toBeGreaterThanOrEqual(5);
      const live = first.alerts.filter((a) => a.suppressedBy === undefined);
      for (const t of manifested)
        expect(
          live.find((a) => matches(a, t)),
          `${t.kind} on ${t.node} ${t.component?.id ?? ''}`,
        ).toBeDefined();
      expect(score(first.sim.truth, first.alerts, first.predictions).operationAlerts).toBe(0);
      const second = await run();
      const ids = (r: typeof first) => [...r.alerts, ...r.predictions].map((f) => f.id).sort();
      expect(ids(second)).toEqual(ids(first));
    },
  );
});
