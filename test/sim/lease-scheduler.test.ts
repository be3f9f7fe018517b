import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LeasingCoreFleetControl } from '../../src/sim/leasing-core.js';
import { Simulator } from '../../src/sim/simulator.js';
import { simRuntime } from './sim-runtime.js';

// Generated data: simulated tenants leasing through the leasing core, in simulated time two days ago.
const HOUR = 3_600_000;

describe('a fleet driven on simulated time', () => {
  it(
    "is left alone by the runtime's wall-clock lease scheduler when the runtime is told another driver runs it",
    { timeout: 60_000 },
    async () => {
      const start = Math.floor(Date.now() / HOUR) * HOUR - 48 * HOUR;
      const { runtime, close } = await simRuntime();
      try {
        const control = new LeasingCoreFleetControl(runtime.stateStore, start, undefined, [
          runtime.fleet.topology,
        ]);
        const sim = new Simulator({
          seed: 3,
          start,
          nodes: 8,
          faults: false,
          medianLease: 4 * HOUR,
          fleet: control,
        });
        await control.enroll(sim.fleet);
        while (sim.now < start + 2 * HOUR) await sim.advanceAndApply(sim.now + sim.stepMs);
        const before = await control.fleet.repo.leases({ status: ['active', 'pending'] });
        // Every one of them ended (by wall-clock time) long ago: a wall-clock scheduler would end them.
        expect(before.length).toBeGreaterThan(0);
        expect(before.every((l) => Date.parse(l.end) < Date.now())).toBe(true);
        const nodes = await control.fleet.repo.nodes();
        // Longer than the scheduler's 5 s tick.
        await sleep(6_000);
        const after = await control.fleet.repo.leases({ status: ['active', 'pending'] });
        expect(after.map((l) => `${l.id} ${l.status}`).sort()).toEqual(
          before.map((l) => `${l.id} ${l.status}`).sort(),
        );
        expect((await control.fleet.repo.nodes()).map((n) => `${n.id} ${n.provisionState}`)).toEqual(
          nodes.map((n) => `${n.id} ${n.provisionState}`),
        );
      } finally {
        await close();
      }
    },
  );
});
