import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/runtime.js';
import { createLogger } from '../../src/shared/logger.js';
import { drained, simulateInto } from '../../src/sim/evaluate.js';
import { Simulator } from '../../src/sim/simulator.js';
import { getSource } from '../../src/sources/registry.js';
import { TEST_ADMIN_KEY, tempDir } from '../helpers/runtime.js';

// Generated data: the simulator against the real Kafka, Elasticsearch and PostgreSQL.
const START = Date.parse('2026-12-07T00:00:00Z');

describe('simulator on the distributed stack', () => {
  it('publishes to Kafka like any source; Elasticsearch ends up with every decoded event', async () => {
    const run = randomUUID().slice(0, 8);
    const dataDir = tempDir();
    const config = loadConfig({
      overrides: {
        dataDir,
        port: 0,
        logLevel: 'silent',
        adminKey: TEST_ADMIN_KEY,
        topicPrefix: `sim-test-${run}`,
        ingestGroup: `sim-test-${run}`,
        esNamespace: `sim${run.replace(/[^a-z0-9]/g, '')}`,
      },
    });
    const runtime = await createRuntime(config, createLogger('silent'));
    try {
      expect([runtime.bus.kind, runtime.eventStore.kind, runtime.stateStore.kind]).toEqual([
        'kafka',
        'elasticsearch',
        'postgres',
      ]);
      // The in-memory fleet side: node ids would collide with other runs on the shared PostgreSQL.
      const { sim } = await simulateInto(runtime, {
        seed: 8,
        start: START,
        nodes: 8,
        duration: 20 * 60_000,
        faults: { early: true },
        leasingCore: false,
      });
      // The same seed again, in memory: what the stack should hold.
      const replay = new Simulator({ ...sim.options });
      const expected = new Map<string, number>();
      for (const r of replay.advance(START + 20 * 60_000)) {
        const result = getSource(r.source)!.decode(r.payload, { host: r.host });
        expect(result.ok).toBe(true);
        if (result.ok)
          for (const e of result.events)
            expected.set(e['event.dataset'], (expected.get(e['event.dataset']) ?? 0) + 1);
      }
      await drained(runtime, 120_000);
      await runtime.eventStore.refresh();
      const stored = await runtime.eventStore.aggregate({ groupBy: 'event.dataset' });
      expect(new Map(stored.map((b) => [b.key, b.count]))).toEqual(expected);
    } finally {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
