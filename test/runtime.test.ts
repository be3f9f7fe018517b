import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { createRuntime } from '../src/runtime.js';
import { createLogger } from '../src/shared/logger.js';
import { createMetrics } from '../src/shared/metrics.js';
import { tempDir } from './helpers/runtime.js';

describe('runtime.close', () => {
  it('closes once when called twice at once: the second call waits for the first, in reverse order', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } });
    const runtime = await createRuntime(config, createLogger('silent'), {
      metrics: createMetrics({ defaultMetrics: false }),
    });
    try {
      const steps: string[] = [];
      const { app, stateStore } = runtime;
      const closeApp = app.close.bind(app);
      // The API closes first and slowly (requests draining); the state store must wait for it.
      app.close = (async () => {
        steps.push('api closing');
        await sleep(200);
        await closeApp();
        steps.push('api closed');
      }) as typeof app.close;
      const closeState = stateStore.close.bind(stateStore);
      stateStore.close = async () => {
        steps.push('state store closing');
        await closeState();
      };
      const first = runtime.close();
      const second = runtime.close();
      await second;
      // The second call returned only once everything was closed, the state store last and once.
      expect(steps).toEqual(['api closing', 'api closed', 'state store closing']);
      await first;
      await runtime.close();
      expect(steps).toHaveLength(3);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
