import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LeasingCoreFleetControl } from '../../src/sim/leasing-core.js';
import { Simulator } from '../../src/sim/simulator.js';
import { createSqliteStateStore } from '../../src/store/state/state-store.js';

// Generated data: the demo's fleet (200 nodes, seed 1) enrolled in the real leasing core.
const START = Date.parse('2026-12-07T00:00:00Z');

describe('enrolling the simulated fleet in the leasing core', () => {
  it('keeps the core on the telemetry clock, so the leases running at the start are the core leases', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-sim-enroll-'));
    const store = createSqliteStateStore(join(dir, 'state.db'));
    try {
      await store.migrate();
      const control = new LeasingCoreFleetControl(store, START);
      const sim = new Simulator({ seed: 1, start: START, nodes: 200, faults: false, fleet: control });
      await control.enroll(sim.fleet);
      // One node's verify-and-clean, not 200 of them one after another (6 simulated minutes).
      expect(control.clock.now() - START).toBeLessThan(60_000);
      const nodes = await control.fleet.repo.nodes();
      expect(nodes.filter((n) => n.provisionState === 'available')).toHaveLength(200);
      for (let t = START; t < START + 3_600_000; t += sim.stepMs) await sim.advanceAndApply(t + sim.stepMs);
      // Every lease the simulated tenants held or took, the core accepted; so every cleaning the
      // telemetry shows is one the core ran (and the engine knows about).
      expect(control.refused).toBe(0);
      const ended = await control.fleet.repo.leases({ status: ['expired'] });
      const cleanings = sim.truth.filter((t) => t.kind === 'clean' && t.start < START + 3_600_000 - 600_000);
      expect(cleanings.length).toBeGreaterThan(0);
      for (const c of cleanings) expect(ended.map((l) => l.nodeId)).toContain(c.node);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
