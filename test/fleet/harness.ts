import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SimulatedClock } from '../../src/fleet/clock.js';
import { SimulatedDpuFleet, type SimulatedTimings } from '../../src/fleet/drivers/simulated-dpu.js';
import type { FleetEvent, FleetEventSink } from '../../src/fleet/fleet-event.js';
import { FanOutSink } from '../../src/fleet/fleet-event.js';
import { FleetService } from '../../src/fleet/fleet-service.js';
import { Provisioner } from '../../src/fleet/provisioner.js';
import { createSqliteStateStore, type StateStore } from '../../src/store/state/state-store.js';

/** Records every fleet event, in order. */
export class RecordingSink implements FleetEventSink {
  readonly events: FleetEvent[] = [];
  async emit(events: FleetEvent[]): Promise<void> {
    this.events.push(...events);
  }
  ofType(type: FleetEvent['type']): FleetEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}

/** Step timings for tests: short, no jitter (a simulated clock makes them free anyway). */
export const TEST_TIMINGS: SimulatedTimings = {
  attachDiskMs: 8_000,
  detachDiskMs: 5_000,
  vnicMs: 2_000,
  segmentMs: 1_000,
  powerMs: 3_000,
  bootMs: 90_000,
  jitter: 0,
};

export interface FleetHarness {
  store: StateStore;
  clock: SimulatedClock;
  sink: RecordingSink;
  fanout: FanOutSink;
  dpu: SimulatedDpuFleet;
  fleet: FleetService;
  prov: Provisioner;
  /** Runs provisioning work to completion in simulated time. */
  settle<T>(p: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A fleet on a store (a fresh SQLite file unless given), a simulated clock and simulated DPUs. */
export async function fleetHarness(store?: StateStore, onClose?: () => Promise<void>): Promise<FleetHarness> {
  let dir: string | undefined;
  if (store === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'faultline-fleet-'));
    store = createSqliteStateStore(join(dir, 'state.db'));
  }
  await store.migrate();
  const clock = new SimulatedClock('2026-03-01T00:00:00.000Z');
  const sink = new RecordingSink();
  const fanout = new FanOutSink(sink);
  const dpu = new SimulatedDpuFleet(clock, TEST_TIMINGS);
  const fleet = new FleetService(store, fanout, clock);
  const prov = new Provisioner(fleet, dpu, dpu);
  const s = store;
  return {
    store: s,
    clock,
    sink,
    fanout,
    dpu,
    fleet,
    prov,
    settle: (p) => clock.run(p),
    close: async () => {
      await clock.run(prov.idle());
      await s.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      await onClose?.();
    },
  };
}

/** Enrolls a node with a DPU of two ports and brings it to `available`. */
export async function availableNode(
  h: FleetHarness,
  id: string,
  resourceClass = 'bm.large',
  rack = 'r01',
): Promise<void> {
  await h.fleet.createNode({
    id,
    resourceClass,
    rack,
    bmcAddress: `bmc-${id}`,
    dpu: {
      id: `dpu-${id}`,
      ports: [{ name: 'p0', switchPort: `tor-${rack}:Ethernet${id.length}` }, { name: 'p1' }],
    },
    components: [{ id: 'CPU0', type: 'cpu', location: 'CPU0', serial: `S-${id}-CPU0` }],
  });
  await h.settle(h.prov.makeAvailable(id));
}

/**
 * Tenant `acme`, node `n1` available, and a lease of n1 from now for `hours`, deployed (active).
 * Returns the lease start (epoch ms) and the lease.
 */
export async function leasedNode(h: FleetHarness, hours = 1, networkIds: string[] = []) {
  const tenant =
    (await h.fleet.repo.tenant('acme')) ?? (await h.fleet.createTenant({ id: 'acme', name: 'Acme' }));
  await availableNode(h, 'n1');
  const t0 = h.clock.now();
  const [lease] = await h.fleet.createLeases({
    tenantId: tenant.id,
    nodeId: 'n1',
    start: new Date(t0).toISOString(),
    end: new Date(t0 + hours * 3_600_000).toISOString(),
    networkIds,
  });
  await h.settle(Promise.all((await h.prov.tick()).operations));
  return { t0, lease: lease! };
}

/**
 * Waits until the API answers without load shedding: right after start-up on a busy machine,
 * @fastify/under-pressure answers 503 while the event-loop delay of the start-up is in its sample.
 */
export async function untilServing(app: FastifyInstance, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    if (res.statusCode !== 503 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Like waitForIngest, but takes a load-shedding 503 as "ask again", as a client should. */
export async function untilIngested(
  app: FastifyInstance,
  headers: Record<string, string>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: '/v1/ingest/status', headers });
    if (res.statusCode === 200 && res.json<{ pending: number }>().pending === 0) return;
    if (res.statusCode !== 200 && res.statusCode !== 503)
      throw new Error(`ingest status ${res.statusCode}: ${res.body}`);
    if (Date.now() > deadline) throw new Error(`ingest still pending after ${timeoutMs} ms: ${res.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
