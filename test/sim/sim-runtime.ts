import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { TEST_ADMIN_KEY, tempDir } from '../helpers/runtime.js';

const HOUR = 3_600_000;

/** The short fixed-seed run whose injected faults the truth tests expect as alerts. */
export const TRUTH_RUN = {
  seed: 19,
  nodes: 20,
  horizon: 6 * HOUR,
  duration: 3 * HOUR,
  faults: { early: true },
};

/**
 * An embedded runtime whose fleet the simulator's leasing core drives (no wall-clock lease scheduler)
 * and, unless `ingest` is set, without its own ingest pipeline and engine.
 */
export async function simRuntime(): Promise<{ runtime: Runtime; close(): Promise<void> }> {
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
  return {
    runtime,
    async close() {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
