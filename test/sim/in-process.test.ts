import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/runtime.js';
import { createLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { evaluateInProcess } from '../../src/sim/in-process.js';
import { matches, score } from '../../src/sim/score.js';
import { TEST_ADMIN_KEY, tempDir } from '../helpers/runtime.js';

// Generated data: a short simulated run with a fixed seed; its injected faults are the expected alerts.
const START = Date.parse('2026-01-05T00:00:00Z');
const HOUR = 3_600_000;

async function run() {
  const dataDir = tempDir();
  const config = loadConfig({
    env: {},
    overrides: { dataDir, port: 0, logLevel: 'silent', adminKey: TEST_ADMIN_KEY },
  });
  const runtime = await createRuntime(config, createLogger('silent'), {
    ingest: false,
    leaseScheduler: false,
    metrics: createMetrics({ defaultMetrics: false }),
  });
  try {
    return await evaluateInProcess(runtime, TEST_ADMIN_KEY, {
      seed: 19,
      start: START,
      nodes: 20,
      horizon: 6 * HOUR,
      duration: 3 * HOUR,
      faults: { early: true },
    });
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
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
