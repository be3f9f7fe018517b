import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { type Config, loadConfig } from '../../src/config/load.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';

export const TEST_ADMIN_KEY = 'flk_test_admin_key_000000000000000000000000';

export function tempDir(prefix = 'faultline-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real runtime on the embedded adapters in a temp data dir; inject-only (no port bound). */
export async function startRuntime(options: { dataDir?: string; overrides?: Partial<Config> } = {}): Promise<{
  runtime: Runtime;
  app: FastifyInstance;
  dataDir: string;
  close(opts?: { keepData?: boolean }): Promise<void>;
}> {
  const dataDir = options.dataDir ?? tempDir();
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      port: 0,
      logLevel: 'silent',
      adminKey: TEST_ADMIN_KEY,
      // Two shared cores under a parallel test run can stall a worker past any lag threshold: tests
      // of other behaviour must not see the overload 503 (its own test sets a threshold).
      maxEventLoopDelayMs: 0,
      ...options.overrides,
    },
  });
  const runtime = await createRuntime(config, createLogger('silent'), {
    metrics: createMetrics({ defaultMetrics: false }),
  });
  await runtime.app.ready();
  return {
    runtime,
    app: runtime.app,
    dataDir,
    async close(opts = {}) {
      await runtime.close();
      if (opts.keepData !== true) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const auth = (key = TEST_ADMIN_KEY) => ({ authorization: `Bearer ${key}` });

/** Polls the ingest status until every published record has been consumed and stored. */
export async function waitForIngest(
  app: FastifyInstance,
  key = TEST_ADMIN_KEY,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: '/v1/ingest/status', headers: auth(key) });
    if (res.statusCode !== 200) throw new Error(`ingest status answered ${res.statusCode}: ${res.body}`);
    if (res.json<{ pending: number }>().pending === 0) return;
    if (Date.now() > deadline) throw new Error(`ingest still pending after ${timeoutMs} ms: ${res.body}`);
    await sleep(50);
  }
}

/** `POST /v1/ingest/<source>` as an admin, text/plain unless `headers` says otherwise. */
export function postIngest(
  app: FastifyInstance,
  source: string,
  payload: string | Buffer,
  options: { host?: string; headers?: Record<string, string> } = {},
) {
  const query = options.host === undefined ? '' : `?host=${encodeURIComponent(options.host)}`;
  return app.inject({
    method: 'POST',
    url: `/v1/ingest/${source}${query}`,
    headers: { ...auth(), 'content-type': 'text/plain', ...options.headers },
    payload,
  });
}
