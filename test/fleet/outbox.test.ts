import { describe, expect, it } from 'vitest';
import type { FleetEvent, FleetEventSink } from '../../src/fleet/fleet-event.js';
import { FanOutSink } from '../../src/fleet/fleet-event.js';
import { FleetService } from '../../src/fleet/fleet-service.js';
import { FleetOutbox } from '../../src/fleet/outbox.js';
import { fleetHarness } from './harness.js';

/** A bus that refuses while `down`, then records what it gets. */
class FlakyBus implements FleetEventSink {
  down = true;
  readonly got: FleetEvent[] = [];
  async emit(events: FleetEvent[]): Promise<void> {
    if (this.down) throw new Error('bus down');
    this.got.push(...events);
  }
}

describe('fleet outbox', () => {
  it('keeps committed events while the bus is down and relays them in order once it is back', async () => {
    const h = await fleetHarness();
    try {
      const bus = new FlakyBus();
      const outbox = new FleetOutbox(h.store.db, bus, undefined, 60_000);
      const fleet = new FleetService(h.store, new FanOutSink(), h.clock, { outbox });
      await fleet.createTenant({ id: 't1', name: 'one' });
      await fleet.createNode({ id: 'n1', resourceClass: 'bm' });
      await outbox.kick();
      const waiting = await h.store.db.selectFrom('fleet_outbox').select('event').orderBy('seq').execute();
      expect(waiting.map((r) => JSON.parse(r.event).type)).toEqual(['tenant.create', 'node.create']);
      // A change that rolls back leaves nothing in the outbox.
      await expect(fleet.createNode({ id: 'n1', resourceClass: 'bm' })).rejects.toMatchObject({
        statusCode: 409,
      });
      bus.down = false;
      await outbox.kick();
      expect(bus.got.map((e) => e.type)).toEqual(['tenant.create', 'node.create']);
      expect(await h.store.db.selectFrom('fleet_outbox').selectAll().execute()).toEqual([]);
      await fleet.createTenant({ id: 't2', name: 'two' });
      await outbox.close();
      expect(bus.got.map((e) => e.tenant_id ?? e.node_id)).toEqual(['t1', 'n1', 't2']);
    } finally {
      await h.close();
    }
  });
});
