/**
 * Load benchmark (issue #19): the simulator at fleet scale against the configured stack (the
 * distributed one when FAULTLINE_KAFKA_BROKERS / _ES_URL / _PG_URL are set: `source /tmp/infra-env.sh`).
 * Reports the simulator's offered rate beside what the pipeline sustained (events stored per second,
 * the peer measured in the same run), the consumer lag over the run, and the alert latency from event
 * time to the alert being readable on the API (p50/p99), when the build has the fault engine.
 *
 *   source /tmp/infra-env.sh && npx tsx bench/load/run.ts [--nodes 5000] [--minutes 15] [--speed max|N]
 *       [--leasing-core]
 *
 * Every run uses its own topic prefix, consumer group and Elasticsearch namespace. Leases go through
 * the leasing core only with --leasing-core: it enrolls the fleet in the state store, which on a
 * shared PostgreSQL would collide with other runs' node ids.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { topicFor } from '../../src/bus/types.js';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/runtime.js';
import { createLogger } from '../../src/shared/logger.js';
import { BusSink } from '../../src/sim/bus-sink.js';
import { fetchAll } from '../../src/sim/evaluate.js';
import { LeasingCoreFleetControl } from '../../src/sim/leasing-core.js';
import { runSimulation } from '../../src/sim/runner.js';
import { Simulator } from '../../src/sim/simulator.js';
import { listSources } from '../../src/sources/registry.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    minutes: { type: 'string', default: '15' },
    speed: { type: 'string', default: 'max' },
    'leasing-core': { type: 'boolean', default: false },
  },
});
const nodes = Number(values.nodes);
const minutes = Number(values.minutes);
const speed = values.speed === 'max' ? Number.POSITIVE_INFINITY : Number(values.speed);
const run = randomUUID().slice(0, 8);
const KEY = `flk_bench_load_${run}_0000000000000000`;
const dataDir = mkdtempSync(join(tmpdir(), 'faultline-bench-load-'));
const config = loadConfig({
  overrides: {
    dataDir,
    port: 0,
    logLevel: 'warn',
    adminKey: KEY,
    topicPrefix: `bench-load-${run}`,
    ingestGroup: `bench-load-${run}`,
    esNamespace: `load${run.replace(/[^a-z0-9]/g, '')}`,
  },
});
const runtime = await createRuntime(config, createLogger('warn'));
const adapters = `bus=${runtime.bus.kind} events=${runtime.eventStore.kind} state=${runtime.stateStore.kind}`;
const topics = [...new Set(listSources().map((s) => topicFor(s.dataset, config.topicPrefix)))];
const start = Date.parse('2026-12-07T00:00:00Z');

const control = values['leasing-core'] ? new LeasingCoreFleetControl(runtime.stateStore, start) : undefined;
const sim = new Simulator({
  seed: 1,
  start,
  nodes,
  horizon: minutes * 60_000 * 4,
  faults: { early: true },
  ...(control ? { fleet: control } : {}),
});
await control?.enroll(sim.fleet);
const sink = new BusSink(runtime.bus, config.topicPrefix);

/** Wall time each simulated step was published at: alert latency is measured from it. */
const publishedAt: { sim: number; wall: number }[] = [];
const firstSeen = new Map<string, { wall: number; eventTime: number }>();
let maxLag = 0;
let polling = true;
const poller = (async () => {
  while (polling) {
    const lags = await runtime.bus.lag(config.ingestGroup, topics).catch(() => []);
    maxLag = Math.max(
      maxLag,
      lags.reduce((a, l) => a + l.lag, 0),
    );
    const alerts = await fetchAll(runtime, '/v1/alerts', KEY).catch(() => undefined);
    for (const a of alerts ?? []) {
      if (!firstSeen.has(a.id) && a.startsAt !== undefined)
        firstSeen.set(a.id, { wall: Date.now(), eventTime: Date.parse(a.startsAt) });
    }
    await sleep(1000);
  }
})();

const t0 = Date.now();
await runSimulation(sim, {
  speed,
  until: start + minutes * 60_000,
  write: async (records, shippedAt) => {
    await sink.write(records, shippedAt);
    publishedAt.push({ sim: shippedAt, wall: Date.now() });
  },
});
const publishSeconds = (Date.now() - t0) / 1000;
for (;;) {
  const lags = await runtime.bus.lag(config.ingestGroup, topics);
  if (lags.every((l) => l.lag === 0)) break;
  await sleep(500);
}
const drainSeconds = (Date.now() - t0) / 1000;
await runtime.eventStore.refresh();
const stored = (await runtime.eventStore.aggregate({ groupBy: 'event.dataset' })).reduce(
  (a, b) => a + b.count,
  0,
);
await sleep(3000);
polling = false;
await poller;

const latencies = [...firstSeen.values()]
  .map(({ wall, eventTime }) => {
    const step = publishedAt.find((p) => p.sim > eventTime);
    return step === undefined ? undefined : wall - step.wall;
  })
  .filter((v): v is number => v !== undefined)
  .sort((a, b) => a - b);
const q = (p: number) =>
  latencies.length === 0
    ? 'n/a'
    : `${(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! / 1000).toFixed(1)} s`;

process.stdout.write(
  [
    `bench/load: ${nodes} nodes, ${minutes} simulated minutes at ${values.speed} speed (${adapters})`,
    `  offered:    ${sink.published.toLocaleString('en-US')} records in ${publishSeconds.toFixed(1)} s = ${Math.round(sink.published / publishSeconds).toLocaleString('en-US')} records/s (${((minutes * 60) / publishSeconds).toFixed(1)}x real time)`,
    `  sustained:  ${stored.toLocaleString('en-US')} events stored when drained at ${drainSeconds.toFixed(1)} s = ${Math.round(stored / drainSeconds).toLocaleString('en-US')} events/s, ${((minutes * 60) / drainSeconds).toFixed(1)}x real time for this fleet`,
    `  lag:        max ${maxLag.toLocaleString('en-US')} records behind; drained ${(drainSeconds - publishSeconds).toFixed(1)} s after the last publish`,
    `  alerts:     ${firstSeen.size} (event time → readable on the API: p50 ${q(0.5)}, p99 ${q(0.99)})${firstSeen.size === 0 ? ' — no alert API in this build' : ''}`,
    '',
  ].join('\n'),
);
await runtime.close();
rmSync(dataDir, { recursive: true, force: true });
