/**
 * Provisioning benchmark (issue #16): lease start → node active, in simulated time, with the
 * simulated DPU at realistic step timings, through the real provisioner and state store (SQLite).
 *
 *   npx tsx bench/provision/run.ts [--nodes 100] [--singles 15] [--seed 1]
 *
 * The peer, measured in the same run on the same machinery: a PXE image install as Ironic's direct
 * deploy does it (boot a ramdisk over PXE, write the image to the local disk, boot again), with the
 * image written through the node's own link. Both scenarios: one node at a time (median of
 * `--singles` runs) and `--nodes` nodes leased at the same moment (median, p95, and the time the
 * last one became active). Also prints the wall-clock time our code took (the simulation is free).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, quantile } from 'simple-statistics';
import { SimulatedClock } from '../../src/fleet/clock.js';
import {
  REALISTIC_TIMINGS,
  SimulatedDpuFleet,
  type SimulatedTimings,
  seededRandom,
} from '../../src/fleet/drivers/simulated-dpu.js';
import { FanOutSink, type FleetEvent, type FleetEventSink } from '../../src/fleet/fleet-event.js';
import { FleetService } from '../../src/fleet/fleet-service.js';
import { Provisioner } from '../../src/fleet/provisioner.js';
import { createSqliteStateStore } from '../../src/store/state/state-store.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    singles: { type: 'string', default: '15' },
    seed: { type: 'string', default: '1' },
  },
});
const NODES = Number(values.nodes);
const SINGLES = Number(values.singles);

/**
 * Ironic direct deploy of a 10 GB image, by phase: the ramdisk boots over PXE (POST + PXE + kernel
 * and ramdisk, ~3 min), the image is written to the local disk (~10 min at ~17 MB/s, typical of
 * an image server shared by a rack), then the node reboots into it (POST + boot, ~2 min).
 */
const PXE_TIMINGS: SimulatedTimings = {
  attachDiskMs: 180_000 + 600_000, // ramdisk boot, then image write: the "disk" the node boots
  detachDiskMs: 5_000,
  vnicMs: REALISTIC_TIMINGS.vnicMs,
  segmentMs: REALISTIC_TIMINGS.segmentMs,
  powerMs: REALISTIC_TIMINGS.powerMs,
  bootMs: 120_000,
  jitter: REALISTIC_TIMINGS.jitter,
};

class Recorder implements FleetEventSink {
  readonly events: FleetEvent[] = [];
  async emit(events: FleetEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

interface Result {
  /** Lease start → active, per node, in simulated seconds. */
  perNode: number[];
  /** From the common start to the last node active (simulated seconds). */
  makespan: number;
  wallMs: number;
}

/** Leases `count` nodes at once on a fresh fleet and runs them to active in simulated time. */
async function provisionAtOnce(count: number, timings: SimulatedTimings, seed: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-provision-'));
  const store = createSqliteStateStore(join(dir, 'state.db'));
  try {
    await store.migrate();
    const clock = new SimulatedClock('2026-01-01T00:00:00.000Z');
    const rec = new Recorder();
    const fleet = new FleetService(store, new FanOutSink(rec), clock);
    const dpu = new SimulatedDpuFleet(clock, timings, {}, seededRandom(seed));
    const prov = new Provisioner(fleet, dpu, dpu);
    const tenant = await fleet.createTenant({ name: 'bench' });
    const net = await fleet.createNetwork({ tenantId: tenant.id, name: 'bench' });
    for (let i = 0; i < count; i++) {
      const id = `node-${String(i).padStart(4, '0')}`;
      await fleet.createNode({
        id,
        resourceClass: 'bm.bench',
        bmcAddress: `bmc-${id}`,
        dpu: { id: `dpu-${id}`, ports: [{ name: 'p0' }, { name: 'p1' }] },
      });
      await clock.run(prov.makeAvailable(id));
    }
    const start = clock.now() + 60_000;
    await fleet.createLeases({
      tenantId: tenant.id,
      resourceClass: 'bm.bench',
      count,
      start: new Date(start).toISOString(),
      end: new Date(start + 86_400_000).toISOString(),
      networkIds: [net.id],
    });
    await clock.advance(60_000);
    const wall0 = performance.now();
    const { operations } = await prov.tick();
    await clock.run(Promise.all(operations));
    const wallMs = performance.now() - wall0;
    const active = rec.events.filter((e) => e.type === 'node.provision_set' && e.to === 'active');
    if (active.length !== count) throw new Error(`${active.length} of ${count} nodes became active`);
    const perNode = active.map((e) => (Date.parse(e.at) - start) / 1000);
    return { perNode, makespan: Math.max(...perNode), wallMs };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function scenario(name: string, timings: SimulatedTimings) {
  const singles: number[] = [];
  for (let i = 0; i < SINGLES; i++)
    singles.push((await provisionAtOnce(1, timings, Number(values.seed) + i)).perNode[0]!);
  const many = await provisionAtOnce(NODES, timings, Number(values.seed));
  return {
    name,
    singleMedian: median(singles),
    manyMedian: median(many.perNode),
    manyP95: quantile(many.perNode, 0.95),
    makespan: many.makespan,
    wallMs: many.wallMs,
  };
}

const fmt = (s: number) => `${(s / 60).toFixed(2)} min`;
const ours = await scenario('cloud disk via DPU (Faultline)', REALISTIC_TIMINGS);
const peer = await scenario('PXE image install (Ironic direct deploy, modelled)', PXE_TIMINGS);
for (const r of [ours, peer]) {
  console.log(`${r.name}`);
  console.log(`  1 node:       median lease start → active ${fmt(r.singleMedian)} (of ${SINGLES} runs)`);
  console.log(
    `  ${NODES} nodes at once: median ${fmt(r.manyMedian)}, p95 ${fmt(r.manyP95)}, last active after ${fmt(r.makespan)}` +
      ` (${(r.makespan / r.singleMedian).toFixed(2)}× one node; our code took ${(r.wallMs / 1000).toFixed(1)} s of wall clock)`,
  );
}
console.log(
  `ratio PXE install / cloud disk, median per node: ${(peer.singleMedian / ours.singleMedian).toFixed(1)}×; ` +
    `${NODES} nodes, last active: ${(peer.makespan / ours.makespan).toFixed(1)}×`,
);
console.log(`target: median under 3 min simulated per node → ${ours.singleMedian < 180 ? 'met' : 'NOT met'}`);
