import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LeasingCoreFleetControl } from '../../src/sim/leasing-core.js';
import { Simulator } from '../../src/sim/simulator.js';
import { getSource } from '../../src/sources/registry.js';
import { createSqliteStateStore } from '../../src/store/state/state-store.js';

// Generated data: simulated tenants leasing through the real leasing core on a SQLite state store.
const START = Date.parse('2026-12-07T00:00:00Z');

describe('simulator on the real leasing core', () => {
  it('creates, deploys and ends leases through FleetService and emits the core fleet events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-sim-fleet-'));
    const store = createSqliteStateStore(join(dir, 'state.db'));
    try {
      await store.migrate();
      const control = new LeasingCoreFleetControl(store, START);
      const sim = new Simulator({
        seed: 9,
        start: START,
        nodes: 12,
        faults: false,
        medianLease: 3_600_000,
        fleet: control,
      });
      await control.enroll(sim.fleet);
      const records = [];
      for (let t = START; t < START + 4 * 3_600_000; t += sim.stepMs)
        records.push(...(await sim.advanceAndApply(t + sim.stepMs)));
      const fleetRecords = records.filter((r) => r.source === 'fleet');
      // No ironic notifications from the simulator when the core reports provisioning itself.
      expect(records.some((r) => r.source === 'openstack-notification')).toBe(false);
      const types = fleetRecords.map((r) => (JSON.parse(r.payload) as { type: string }).type);
      expect(types).toContain('lease.start');
      expect(types).toContain('lease.end');
      expect(types).toContain('node.provision_set');
      for (const r of fleetRecords)
        expect(getSource('fleet')!.decode(r.payload, { host: r.host }).ok).toBe(true);
      const leases = await control.fleet.repo.leases({ status: ['active', 'expired'] });
      expect(leases.length).toBeGreaterThan(5);
      expect(new Set(leases.map((l) => l.tenantId)).size).toBeGreaterThan(1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
