/**
 * Load benchmark (issue #19): the simulator at fleet scale against the configured stack (the
 * distributed one when FAULTLINE_KAFKA_BROKERS / _ES_URL / _PG_URL are set: `source /tmp/infra-env.sh`).
 * Reports the simulator's offered rate beside what the pipeline sustained (events stored per second,
 * the peer measured in the same run), the consumer lag of ingest and of the engine over the run, and
 * the alert latency: from the triggering event (an alert's start is the event time of the event that
 * fired it) to the alert's first write in the state store (its first history row), with event time
 * mapped to the wall-clock time the simulator shipped the step holding it.
 *
 *   source /tmp/infra-env.sh && npx tsx bench/load/run.ts [--nodes 5000] [--minutes 15] [--speed max|N]
 *       [--faults-per-day 1.5] [--leasing-core]
 *
 * At `--speed max` the offered rate exceeds what the stack sustains, so latency measures the queue;
 * at a speed the stack keeps up with (e.g. 1, real time) it measures the path itself.
 *
 * Every run uses its own topic prefix, consumer group and Elasticsearch namespace. Leases go through
 * the leasing core only with --leasing-core: it enrolls the fleet in the state store, which on a
 * shared PostgreSQL would collide with other runs' node ids.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { topicFor } from '../../src/bus/types.js';
import { loadConfig } from '../../src/config/load.js';
import { KyselyAlertRepository } from '../../src/engine/alert-repository.js';
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
    /** Faults per kind per 200 nodes per simulated day (the simulator's default 1.5). */
    'faults-per-day': { type: 'string', default: '1.5' },
    /** Simulated minutes published at full speed and drained before the measured window (baselines, early faults). */
    warmup: { type: 'string', default: '0' },
  },
});
const nodes = Number(values.nodes);
const minutes = Number(values.minutes);
const warmup = Number(values.warmup) * 60_000;
const speed = values.speed === 'max' ? Number.POSITIVE_INFINITY : Number(values.speed);
const run = randomUUID().slice(0, 8);
const KEY = `flk_bench_load_${run}_0000000000000000`;
const dataDir = mkdtempSync(join(tmpdir(), 'faultline-bench-load-'));
// A schema of its own on a shared PostgreSQL: the alerts read back (and leases) are this run's only.
const schema = `bench_load_${run.replace(/[^a-z0-9]/g, '')}`;
const sharedPg = loadConfig({ overrides: { dataDir } }).pgUrl;
if (sharedPg !== undefined) {
  const client = new pg.Client({ connectionString: sharedPg });
  await client.connect();
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await client.end();
}
const config = loadConfig({
  overrides: {
    dataDir,
    ...(sharedPg === undefined
      ? {}
      : {
          pgUrl: `${sharedPg}${sharedPg.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
        }),
    port: 0,
    logLevel: 'warn',
    adminKey: KEY,
    topicPrefix: `bench-load-${run}`,
    ingestGroup: `bench-load-${run}`,
    esNamespace: `load${run.replace(/[^a-z0-9]/g, '')}`,
  },
});
// The simulator's leasing core (--leasing-core) drives the leases on simulated time.
const runtime = await createRuntime(config, createLogger('warn'), {
  leaseScheduler: !values['leasing-core'],
});
const adapters = `bus=${runtime.bus.kind} events=${runtime.eventStore.kind} state=${runtime.stateStore.kind}`;
const topics = [...new Set(listSources().map((s) => topicFor(s.dataset, config.topicPrefix)))];
const start = Math.floor(Date.now() / 1000) * 1000;

const control = values['leasing-core'] ? new LeasingCoreFleetControl(runtime.stateStore, start) : undefined;
const sim = new Simulator({
  seed: 1,
  start,
  nodes,
  horizon: warmup + minutes * 60_000 * 4,
  faults: { early: true, perDay: Number(values['faults-per-day']) },
  ...(control ? { fleet: control } : {}),
});
await control?.enroll(sim.fleet);
const sink = new BusSink(runtime.bus, config.topicPrefix);

async function drain(): Promise<void> {
  for (;;) {
    const lags = [
      ...(await runtime.bus.lag(config.ingestGroup, topics)),
      ...(await runtime.bus.lag(engineGroup, eventsTopic)),
    ];
    if (lags.every((l) => l.lag === 0)) return;
    await sleep(500);
  }
}
async function storedEvents(): Promise<number> {
  await runtime.eventStore.refresh();
  return (await runtime.eventStore.aggregate({ groupBy: 'event.dataset' })).reduce((a, b) => a + b.count, 0);
}

const engineGroup = `${config.topicPrefix}-engine`;
const eventsTopic = [`${config.topicPrefix}.events`];
if (warmup > 0) {
  await runSimulation(sim, {
    speed: Number.POSITIVE_INFINITY,
    until: start + warmup,
    write: (records, shippedAt) => sink.write(records, shippedAt),
  });
  await drain();
}
const publishedBefore = sink.published;
const storedBefore = warmup > 0 ? await storedEvents() : 0;

/** Wall time each simulated step was shipped at (the records of a step have times before its `sim`). */
const shipped: { sim: number; wall: number }[] = [];
let maxLag = 0;
let maxEngineLag = 0;
let polling = true;
const poller = (async () => {
  while (polling) {
    const lags = await runtime.bus.lag(config.ingestGroup, topics).catch(() => []);
    maxLag = Math.max(
      maxLag,
      lags.reduce((a, l) => a + l.lag, 0),
    );
    const engineLags = await runtime.bus.lag(engineGroup, eventsTopic).catch(() => []);
    maxEngineLag = Math.max(
      maxEngineLag,
      engineLags.reduce((a, l) => a + l.lag, 0),
    );
    await sleep(1000);
  }
})();

const t0 = Date.now();
await runSimulation(sim, {
  speed,
  until: start + warmup + minutes * 60_000,
  write: async (records, shippedAt) => {
    shipped.push({ sim: shippedAt, wall: Date.now() });
    await sink.write(records, shippedAt);
  },
});
const publishSeconds = (Date.now() - t0) / 1000;
await drain();
const drainSeconds = (Date.now() - t0) / 1000;
const stored = (await storedEvents()) - storedBefore;
const published = sink.published - publishedBefore;
await sleep(3000);
polling = false;
await poller;

// Every alert the engine wrote (suppressed ones too: they are written as promptly), with its first write.
const alertRows = (await fetchAll(runtime, '/v1/alerts', KEY, 'status=firing,resolved,suppressed')) ?? [];
const predictions = (await fetchAll(runtime, '/v1/predictions', KEY)) ?? [];
const repo = new KyselyAlertRepository(runtime.stateStore.db);
const latencies: number[] = [];
for (const a of alertRows) {
  const first = (await repo.history(a.id))[0];
  const eventTime = Date.parse(a.startsAt ?? '');
  // Alerts of the warm-up were written before the measured window's clock mapping.
  if (!(eventTime >= start + warmup)) continue;
  const step = shipped.find((p) => p.sim > eventTime);
  if (first !== undefined && step !== undefined) latencies.push(Date.parse(first.at) - step.wall);
}
latencies.sort((x, y) => x - y);
const q = (p: number) =>
  latencies.length === 0
    ? 'n/a'
    : `${(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! / 1000).toFixed(1)} s`;

process.stdout.write(
  [
    `bench/load: ${nodes} nodes, ${minutes} simulated minutes at ${values.speed} speed after ${values.warmup} minutes of warm-up (${adapters})`,
    `  offered:    ${published.toLocaleString('en-US')} records in ${publishSeconds.toFixed(1)} s = ${Math.round(published / publishSeconds).toLocaleString('en-US')} records/s (${((minutes * 60) / publishSeconds).toFixed(1)}x real time)`,
    `  sustained:  ${stored.toLocaleString('en-US')} events stored when drained at ${drainSeconds.toFixed(1)} s = ${Math.round(stored / drainSeconds).toLocaleString('en-US')} events/s, ${((minutes * 60) / drainSeconds).toFixed(1)}x real time for this fleet`,
    `  lag:        ingest max ${maxLag.toLocaleString('en-US')} records behind, engine max ${maxEngineLag.toLocaleString('en-US')} records behind (sampled each second); drained ${(drainSeconds - publishSeconds).toFixed(1)} s after the last publish`,
    `  alerts:     ${alertRows.length} written (${latencies.length} timed), ${predictions.length} predictions; latency event time → alert written: p50 ${q(0.5)}, p99 ${q(0.99)}, max ${q(1)}`,
    `  load:       ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (1/5/15 min) at the end`,
    '',
  ].join('\n'),
);
await runtime.close();
rmSync(dataDir, { recursive: true, force: true });
if (sharedPg !== undefined) {
  const client = new pg.Client({ connectionString: sharedPg });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}
