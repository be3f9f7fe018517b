/**
 * Ingest benchmark (issue #5): end-to-end events/s from Kafka into Elasticsearch through the real
 * IngestPipeline (KafkaBus + ElasticsearchEventStore), against a peer measured in the same run: the
 * Elasticsearch bulk helper indexing the same normalized documents straight into Elasticsearch
 * (the ceiling: no Kafka, no decoding). Prints both and the ratio.
 *
 *   FAULTLINE_KAFKA_BROKERS=127.0.0.1:9092 FAULTLINE_ES_URL=http://127.0.0.1:9200 \
 *     npx tsx bench/ingest/run.ts [--records 200000] [--partitions 6] [--concurrency 6]
 *       [--batch 5000] [--bulk-concurrency 2] [--refresh 5s (default: the server's)] [--fetch-bytes 4194304]
 *       [--unpacked] [--rounds 2] [--modes bare,off,on,engine]
 *
 * Modes of the end-to-end side, each measured in every round (ratio and Faultline CPU per mode):
 *   bare     decode and store only: no enrichment, nothing published for the engine;
 *   off      as `serve` without enrichment: every event also published to `<prefix>.events`;
 *   on       as `serve`: fleet enrichment (lessee, lease, rack) and log-template tagging, events published;
 *   engine   `on` with the fault engine (startEngine) consuming `<prefix>.events` in the same process.
 * The ratio is the rate until Elasticsearch holds every event; Faultline's CPU is counted until the
 * engine, too, has read every event (it may finish later: `engine_catch_up_s`), so it bills all its work
 * (the engine is started, its rules loaded, before the clocks start). In `on` and `engine` the CPU of
 * the two enrichment stages is also shown on its own (fleet lookup; log-template tagging). With
 * BENCH_KAFKA_PID=<broker pid> it also prints the broker's CPU per 1,000 events.
 *
 * Without the two variables it starts Kafka and Elasticsearch through infra/faultline-infra (instance
 * `bench-ingest`) and stops them at the end.
 * Loopback only; every name it creates is unique to the run.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { BusMessage } from '../../src/bus/types.js';
import type { FaultEvent } from '../../src/model/event.js';
import { benchFleet } from './fleet.js';
import { fromDist, REPO } from './from-dist.js';
import { asDeliveredRecords, buildWorkload } from './workload.js';

const { KafkaBus } = await fromDist<typeof import('../../src/bus/kafka.js')>('bus/kafka.js');
const { decodeBatch, IngestPipeline, sourcesByTopic } =
  await fromDist<typeof import('../../src/ingest/pipeline.js')>('ingest/pipeline.js');
const { createLogger } = await fromDist<typeof import('../../src/shared/logger.js')>('shared/logger.js');
const { createMetrics } = await fromDist<typeof import('../../src/shared/metrics.js')>('shared/metrics.js');
const { ElasticsearchEventStore } = await fromDist<
  typeof import('../../src/store/elasticsearch/event-store.js')
>('store/elasticsearch/event-store.js');
const { documentJson } = await fromDist<typeof import('../../src/model/document.js')>('model/document.js');
const { TopologyIndex } =
  await fromDist<typeof import('../../src/fleet/topology-index.js')>('fleet/topology-index.js');
const { TemplateTagger } = await fromDist<typeof import('../../src/logmine/template-tagger.js')>(
  'logmine/template-tagger.js',
);
const { startEngine } = await fromDist<typeof import('../../src/engine/start.js')>('engine/start.js');
const { createSqliteStateStore } = await fromDist<typeof import('../../src/store/state/state-store.js')>(
  'store/state/state-store.js',
);
type ElasticsearchEventStore = InstanceType<typeof ElasticsearchEventStore>;

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    partitions: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '6' },
    batch: { type: 'string', default: '5000' },
    'bulk-concurrency': { type: 'string', default: '2' },
    'ceiling-concurrency': { type: 'string', default: '2' },
    // Unset by default, as the store ships: the server refreshes every 1 s only shards that are searched.
    refresh: { type: 'string', default: '' },
    'fetch-bytes': { type: 'string', default: String(4 * 1024 * 1024) },
    'log-level': { type: 'string', default: 'warn' },
    // One bus record per line, as agents like Fluent Bit write, instead of the edge's packed records.
    unpacked: { type: 'boolean', default: false },
    // Rounds of ceiling, end to end, end to end, ceiling; the figures are the means over all passes.
    rounds: { type: 'string', default: '2' },
    modes: { type: 'string', default: 'bare,off,on,engine' },
  },
});

const MODES = ['bare', 'off', 'on', 'engine'] as const;
type Mode = (typeof MODES)[number];
const modes = args.modes.split(',').map((m) => {
  if (!(MODES as readonly string[]).includes(m)) throw new Error(`unknown mode ${m} (${MODES.join(', ')})`);
  return m as Mode;
});

/**
 * The servers: from the environment, or started through the infra script in an instance of the
 * bench's own (stopped again at the end unless FAULTLINE_BENCH_KEEP=1).
 */
function servers(): { brokers: string[]; es: string; stop: () => void } {
  let brokers = process.env.FAULTLINE_KAFKA_BROKERS;
  let es = process.env.FAULTLINE_ES_URL;
  if (brokers !== undefined && es !== undefined) return { brokers: brokers.split(','), es, stop: () => {} };
  const script = resolve(REPO, 'infra', 'faultline-infra');
  if (!existsSync(script))
    throw new Error('set FAULTLINE_KAFKA_BROKERS and FAULTLINE_ES_URL (infra/faultline-infra not found)');
  const env = {
    ...process.env,
    FAULTLINE_INFRA_INSTANCE: process.env.FAULTLINE_INFRA_INSTANCE ?? 'bench-ingest',
  };
  const infra = (...a: string[]) =>
    execFileSync('bash', [script, ...a], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  infra('start', 'kafka', 'es');
  for (const line of infra('env').split('\n')) {
    const m = /^(?:export\s+)?(FAULTLINE_[A-Z_]+)=["']?([^"'\s]+)/.exec(line);
    if (m?.[1] === 'FAULTLINE_KAFKA_BROKERS') brokers = m[2];
    if (m?.[1] === 'FAULTLINE_ES_URL') es = m[2];
  }
  if (brokers === undefined || es === undefined)
    throw new Error('infra env printed no Kafka/Elasticsearch URLs');
  const stop = () => {
    if (process.env.FAULTLINE_BENCH_KEEP !== '1') infra('stop', 'kafka', 'es');
  };
  return { brokers: brokers.split(','), es, stop };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const { brokers, es, stop } = servers();
  try {
    await bench(brokers, es);
  } finally {
    stop();
  }
}

async function bench(brokers: string[], es: string): Promise<void> {
  const total = Number(args.records);
  const run = randomUUID().slice(0, 8);
  // Logs to stderr: stdout carries only the result.
  const logger = createLogger(args['log-level'], process.stderr as never);
  const prefix = `bench.${run}`;
  const storeOptions = {
    node: es,
    logger,
    indexPrefix: 'faultlinebench',
    ...(args.refresh === '' ? {} : { refreshInterval: args.refresh }),
    bulkConcurrency: Number(args['bulk-concurrency']),
    retentionCheckMs: 0,
  };

  process.stderr.write(`building ${fmt(total)} lines...\n`);
  const workload = buildWorkload(total, { topicPrefix: prefix, pack: !args.unpacked });
  if (workload.missing.length > 0) {
    process.stderr.write(`note: not registered yet, left out of the mix: ${workload.missing.join(', ')}\n`);
  }

  // The ceiling's documents: the very events the pipeline will produce (decoded here, untimed).
  const fake: BusMessage[] = asDeliveredRecords(workload.records);
  const { events, dead } = decodeBatch(fake, sourcesByTopic(prefix));
  const expected = new Set(events.map((e) => e['event.id'])).size;
  const eventCount = events.length;
  const busRecords = workload.records.length;
  process.stderr.write(
    `mix ${JSON.stringify(workload.mix)} in ${fmt(workload.records.length)} bus records: ${fmt(events.length)} events (${fmt(expected)} distinct ids), ${dead.length} rejected\n`,
  );
  if (dead.length > 0) process.stderr.write(`first rejection: ${dead[0]!.reason}\n`);

  // Each round is a ceiling pass, two end-to-end passes and a ceiling pass: on a shared machine the
  // load drifts, and this order cancels a linear drift out of the ratio. More rounds (default 2)
  // average more of the host's swings (one pass lasts a few seconds).
  const bus = new KafkaBus({
    brokers,
    clientId: `bench-${run}`,
    logger,
    partitions: Number(args.partitions),
    partitionsConsumedConcurrently: Number(args.concurrency),
    maxBytesPerPartition: Number(args['fetch-bytes']),
  });
  // Round w warms the Faultline side up (not measured), as the Elasticsearch warm-up below does the server.
  const roundCount = Math.max(1, Number(args.rounds));
  // Passes of the end-to-end side: every mode twice per round (forward, then backward, so a linear
  // drift bills every mode alike), each pass on topics of its own: `on0`, `engine0`, `engine1`, `on1`, ….
  const passKeys = Array.from({ length: roundCount }, (_, r) => [
    ...modes.map((m) => `${m}${2 * r}`),
    ...[...modes].reverse().map((m) => `${m}${2 * r + 1}`),
  ]);
  const rounds = ['w', ...passKeys.flat()].map((k) => ({
    k,
    prefix: `${prefix}.${k}`,
    topics: [] as string[],
  }));
  const t = performance.now();
  for (const r of rounds) {
    // The same records for every pass, on topics of their own.
    const byTopic = new Map<string, typeof workload.records>();
    for (const rec of workload.records) {
      const topic = r.prefix + rec.topic.slice(prefix.length);
      const list = byTopic.get(topic) ?? [];
      list.push({ ...rec, topic });
      byTopic.set(topic, list);
    }
    r.topics = [...byTopic.keys()];
    await bus.ensureTopics([...r.topics, `${r.prefix}.events`]);
    for (const [topic, list] of byTopic) {
      for (let i = 0; i < list.length; i += 10_000) await bus.publish(topic, list.slice(i, i + 10_000));
    }
  }
  const produceSeconds = (performance.now() - t) / 1000;
  process.stderr.write(
    `produced ${rounds.length} × ${fmt(workload.records.length)} records (${fmt(total)} lines) in ${produceSeconds.toFixed(1)} s\n`,
  );

  const stores: ElasticsearchEventStore[] = [];
  // What `serve` enriches with (runtime.ts): the fleet's index and the log-template tagger, one each
  // for the whole run (templates learnt in the warm-up are known later, as in a long-running server).
  const fleet = await benchFleet(TopologyIndex, 500);
  const tagger = new TemplateTagger();
  // The engine's alerts go to a state store of the run's own.
  const stateDir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  const state = createSqliteStateStore(join(stateDir, 'state.db'));
  await state.migrate();
  const ceilingConcurrency = Number(args['ceiling-concurrency']);

  /**
   * The ceiling's input: the same documents as NDJSON in 5 MB bulk bodies (in the nested form the
   * store sends, `documentJson`), serialized before any clock starts and held as Buffers (outside
   * the JavaScript heap), so that once they are built the decoded events can go: the end-to-end
   * passes run in this process, and 220,000 event objects kept alive beside them would bill the
   * pipeline for the garbage collector tracing them.
   */
  const prepareCeiling = async (k: string) => {
    const store = new ElasticsearchEventStore({ ...storeOptions, namespace: `ceil_${run}_${k}` });
    stores.push(store);
    await store.bootstrap();
    const bodies: Buffer[] = [];
    let body = '';
    for (const e of events) {
      body += `${JSON.stringify({ create: { _index: store.dataStream(e['event.dataset']), _id: e['event.id'] } })}\n${documentJson(e)}\n`;
      if (body.length >= 5 * 1024 * 1024) {
        bodies.push(Buffer.from(body));
        body = '';
      }
    }
    if (body !== '') bodies.push(Buffer.from(body));
    return { k, store, bodies };
  };

  /** The ceiling: raw `_bulk` of the prepared bodies, `ceiling-concurrency` requests at a time. */
  const ceiling = async ({ k, store, bodies }: Awaited<ReturnType<typeof prepareCeiling>>) => {
    const cpu0 = await esCpuMs(store);
    const started = performance.now();
    let next = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: ceilingConcurrency }, async () => {
        while (next < bodies.length) {
          const r = (await store.client.transport.request({
            method: 'POST',
            path: '/_bulk',
            querystring: { filter_path: 'errors,items.*.status' },
            bulkBody: bodies[next++]!,
          })) as { errors: boolean; items?: Array<{ create: { status: number } }> };
          if (r.errors) failed += (r.items ?? []).filter((i) => i.create.status >= 300).length;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const esCpu = (await esCpuMs(store)) - cpu0;
    const count = await storedCount(store);
    process.stderr.write(`ceiling ${k}: ${fmt(count)} docs in ${seconds.toFixed(1)} s (${failed} refused)\n`);
    await sleep(3000);
    return { rate: (eventCount - failed) / seconds, count, esCpuPer1k: (esCpu / eventCount) * 1000 };
  };

  /** End to end: KafkaBus → IngestPipeline (decode) → ElasticsearchEventStore, from group join to the last ack. */
  const e2e = async (k: string, mode: Mode) => {
    const r = rounds.find((x) => x.k === k)!;
    const store = new ElasticsearchEventStore({ ...storeOptions, namespace: `e2e_${run}_${k}` });
    stores.push(store);
    await store.bootstrap();
    let stored = 0;
    let firstWrite = 0;
    const stageCpu = { fleet: 0, tagging: 0 };
    const counting = Object.assign(Object.create(store) as ElasticsearchEventStore, {
      write: async (batch: FaultEvent[]) => {
        if (firstWrite === 0) firstWrite = performance.now();
        const w = await store.write(batch);
        stored += w.written + w.duplicates;
        return w;
      },
    });
    const pipeline = new IngestPipeline({
      bus,
      store: counting,
      logger,
      metrics: createMetrics({ defaultMetrics: false }),
      group: `bench-${run}-${k}`,
      topics: r.topics,
      topicPrefix: r.prefix,
      batchSize: Number(args.batch),
      ...(mode === 'bare' ? {} : { eventsTopic: `${r.prefix}.events` }),
      ...(mode === 'on' || mode === 'engine'
        ? {
            enrich: async (e: FaultEvent[]) => {
              // Process CPU around each stage's synchronous part, which is all of its work on this
              // mix (no fleet events to apply, no template repository to save to); awaiting first
              // would bill the stage for whatever other partitions' handlers run meanwhile.
              const c0 = nodeCpuMs();
              const fleetDone = fleet.enrich(e);
              const c1 = nodeCpuMs();
              await fleetDone;
              const c2 = nodeCpuMs();
              const tagged = tagger.enrich(e);
              stageCpu.fleet += c1 - c0;
              stageCpu.tagging += nodeCpuMs() - c2;
              return tagged;
            },
          }
        : {}),
    });
    // Started before the clocks: loading and compiling the shipped rules is a server's start-up cost
    // (about 0.3 s of CPU), not per event; it would bill a pass of 100,000 events 3 ms per 1,000.
    const engine =
      mode === 'engine' ? await startEngine(bus, state, store, logger, r.prefix, fleet) : undefined;
    const cpu0 = await esCpuMs(store);
    const node0 = nodeCpuMs();
    const kafka0 = kafkaCpuMs();
    const started = performance.now();
    await pipeline.start();
    let lastReport = started;
    let lastStored = 0;
    let lastProgress = started;
    while (stored < expected) {
      await sleep(20);
      if (performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        process.stderr.write(`  e2e ${k}: ${fmt(stored)} / ${fmt(expected)}\n`);
      }
      if (performance.now() - started > 30 * 60_000)
        throw new Error('end-to-end run did not finish in 30 minutes');
      if (stored !== lastStored) {
        lastStored = stored;
        lastProgress = performance.now();
      } else if (performance.now() - lastProgress > 60_000) {
        throw new Error(`end-to-end run stalled at ${stored} of ${expected} events for 60 s`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const esCpu = (await esCpuMs(store)) - cpu0;
    await pipeline.stop();
    // What the engine had still to read when the store had everything; then the wait until it has read it.
    const engineBehind = () =>
      bus.lag(`${r.prefix}-engine`, [`${r.prefix}.events`]).then((ls) => ls.reduce((n, l) => n + l.lag, 0));
    const engineLag = engine === undefined ? undefined : await engineBehind();
    if (engine !== undefined) {
      while ((await engineBehind()) > 0) {
        if (performance.now() - started > 30 * 60_000) throw new Error('the engine did not catch up');
        await sleep(100);
      }
    }
    const engineCatchUp = engine === undefined ? undefined : (performance.now() - started) / 1000 - seconds;
    const nodeCpu = nodeCpuMs() - node0;
    const kafkaCpu = kafkaCpuMs() - kafka0;
    await engine?.stop();
    const count = await storedCount(store);
    process.stderr.write(
      `e2e ${k}: ${fmt(count)} docs in ${seconds.toFixed(1)} s${engineLag === undefined ? '' : `, engine ${fmt(engineLag)} events behind, caught up ${engineCatchUp!.toFixed(1)} s later`}\n`,
    );
    await sleep(3000);
    return {
      mode,
      engineLag,
      engineCatchUp,
      rate: stored / seconds,
      count,
      // From pipeline.start() (topics, group join, first fetch, first decode) to the first bulk sent.
      startupMs: firstWrite - started,
      esCpuPer1k: (esCpu / stored) * 1000,
      nodeCpuPer1k: (nodeCpu / stored) * 1000,
      kafkaCpuPer1k: (kafkaCpu / stored) * 1000,
      fleetCpuPer1k: (stageCpu.fleet / stored) * 1000,
      taggingCpuPer1k: (stageCpu.tagging / stored) * 1000,
    };
  };

  // Warm-up (not measured): a fresh Elasticsearch JVM indexes its first few hundred thousand
  // documents two to three times slower than later ones (JIT), which would bill the first phase.
  const warm = new ElasticsearchEventStore({ ...storeOptions, namespace: `warm_${run}` });
  stores.push(warm);
  await warm.bootstrap();
  for (let i = 0; i < events.length; i += 5000) await warm.write(events.slice(i, i + 5000));
  process.stderr.write('warmed up Elasticsearch\n');
  // The pipeline's first pass runs partly unoptimized (V8 tiers functions up as they get hot), which
  // a long-running consumer pays once; one unmeasured pass through Kafka first, as for the server.
  await e2e('w', modes.includes('engine') ? 'engine' : modes[modes.length - 1]!);
  process.stderr.write('warmed up the pipeline\n');
  const prepared = [];
  for (let i = 0; i < 2 * roundCount; i++) prepared.push(await prepareCeiling(`c${i}`));
  // From here on only counts and the prepared bodies are needed.
  events.length = 0;
  fake.length = 0;
  workload.records.length = 0;
  await sleep(1000);

  // BENCH_PROFILE=<file.cpuprofile>: a V8 CPU profile of this process during the first end-to-end pass
  // (of mode BENCH_PROFILE_MODE, default the first mode).
  const profile = process.env.BENCH_PROFILE;
  const profileMode = (process.env.BENCH_PROFILE_MODE ?? modes[0]) as Mode;
  if (!modes.includes(profileMode)) throw new Error(`BENCH_PROFILE_MODE ${profileMode} is not among --modes`);
  const ceilings: Array<Awaited<ReturnType<typeof ceiling>>> = [];
  const passes: Array<Awaited<ReturnType<typeof e2e>>> = [];
  for (let r = 0; r < roundCount; r++) {
    ceilings.push(await ceiling(prepared[2 * r]!));
    for (const [i, k] of passKeys[r]!.entries()) {
      const session =
        r === 0 && i === modes.indexOf(profileMode) && profile !== undefined ? new Session() : undefined;
      if (session !== undefined) {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      passes.push(await e2e(k, modes[i < modes.length ? i : 2 * modes.length - 1 - i]!));
      if (session !== undefined && profile !== undefined) {
        const { profile: data } = await session.post('Profiler.stop');
        writeFileSync(profile, JSON.stringify(data));
        session.disconnect();
      }
    }
    ceilings.push(await ceiling(prepared[2 * r + 1]!));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ceilingRate = mean(ceilings.map((c) => c.rate));
  const rounded = (xs: number[]) => xs.map((x) => Math.round(x));
  const perMode = Object.fromEntries(
    modes.map((m) => {
      const own = passes.filter((p) => p.mode === m);
      const rate = mean(own.map((p) => p.rate));
      return [
        m,
        {
          events_per_s: rounded(own.map((p) => p.rate)),
          ratio: Number((rate / ceilingRate).toFixed(3)),
          // Noise-free view on a shared machine: CPU spent per 1,000 events.
          faultline_cpu_ms_per_1000_events: rounded(own.map((p) => p.nodeCpuPer1k)),
          elasticsearch_cpu_ms_per_1000_events: rounded(own.map((p) => p.esCpuPer1k)),
          ...(kafkaPid === undefined
            ? {}
            : { kafka_cpu_ms_per_1000_events: rounded(own.map((p) => p.kafkaCpuPer1k)) }),
          ...(m === 'on' || m === 'engine'
            ? {
                fleet_enrichment_cpu_ms_per_1000_events: own.map((p) => Number(p.fleetCpuPer1k.toFixed(1))),
                template_tagging_cpu_ms_per_1000_events: own.map((p) => Number(p.taggingCpuPer1k.toFixed(1))),
              }
            : {}),
          startup_ms: rounded(own.map((p) => p.startupMs)),
          ...(m === 'engine'
            ? {
                engine_lag_when_stored: own.map((p) => p.engineLag),
                engine_catch_up_s: own.map((p) => Number(p.engineCatchUp!.toFixed(1))),
              }
            : {}),
          es_count: own.map((p) => p.count),
        },
      ];
    }),
  ) as Partial<Record<Mode, { ratio: number; faultline_cpu_ms_per_1000_events: number[] }>>;
  const out = {
    lines: total,
    bus_records: busRecords,
    packed: !args.unpacked,
    events: expected,
    mix: workload.mix,
    left_out: workload.missing,
    settings: {
      partitions: Number(args.partitions),
      partitionsConsumedConcurrently: Number(args.concurrency),
      batchSize: Number(args.batch),
      bulkConcurrency: Number(args['bulk-concurrency']),
      ceilingConcurrency,
      refreshInterval: args.refresh === '' ? 'server default (1s, search-idle)' : args.refresh,
      maxBytesPerPartition: Number(args['fetch-bytes']),
    },
    load_average: loadavg().map((x) => Number(x.toFixed(2))),
    produce_lines_per_s: Math.round((rounds.length * total) / produceSeconds),
    rounds: roundCount,
    ceiling_events_per_s: rounded(ceilings.map((c) => c.rate)),
    ceiling_elasticsearch_cpu_ms_per_1000_events: rounded(ceilings.map((c) => c.esCpuPer1k)),
    modes: perMode,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(
    `\nceiling ${fmt(ceilingRate)} events/s; load average ${out.load_average.join(' ')}\n`,
  );
  process.stdout.write(
    `mode      ratio  CPU ms / 1,000 events (means): Faultline  Elasticsearch${kafkaPid === undefined ? '' : '  Kafka'}  [of Faultline: fleet enrichment, template tagging]\n`,
  );
  for (const m of modes) {
    const own = passes.filter((p) => p.mode === m);
    const stages =
      m === 'on' || m === 'engine'
        ? `  [${mean(own.map((p) => p.fleetCpuPer1k)).toFixed(1)}, ${mean(own.map((p) => p.taggingCpuPer1k)).toFixed(1)}]`
        : '';
    process.stdout.write(
      `${m.padEnd(9)} ${perMode[m]!.ratio.toFixed(2).padStart(5)}  ${fmt(mean(own.map((p) => p.nodeCpuPer1k))).padStart(38)}  ${fmt(mean(own.map((p) => p.esCpuPer1k))).padStart(13)}${kafkaPid === undefined ? '' : fmt(mean(own.map((p) => p.kafkaCpuPer1k))).padStart(7)}${stages}\n`,
    );
  }
  process.stdout.write(
    `ceiling: Elasticsearch ${fmt(mean(ceilings.map((c) => c.esCpuPer1k)))} CPU ms / 1,000 events\n`,
  );
  await state.close();
  rmSync(stateDir, { recursive: true, force: true });
  await Promise.all([bus.close(), ...stores.map((s) => s.close())]);
}

/** CPU time Elasticsearch's process has used so far, in ms (all nodes). */
async function esCpuMs(store: ElasticsearchEventStore): Promise<number> {
  const r = (await store.client.nodes.stats({ metric: 'process' })) as {
    nodes: Record<string, { process?: { cpu?: { total_in_millis?: number } } }>;
  };
  return Object.values(r.nodes).reduce((n, node) => n + (node.process?.cpu?.total_in_millis ?? 0), 0);
}

const nodeCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * BENCH_KAFKA_PID: the broker's process, whose CPU (user + system, from /proc) completes the
 * per-event budget of an end-to-end pass (Elasticsearch, Faultline, Kafka on the same cores).
 */
const kafkaPid = process.env.BENCH_KAFKA_PID;
const kafkaCpuMs = (): number => {
  if (kafkaPid === undefined) return Number.NaN;
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th, in ticks of 10 ms.
  const stat = readFileSync(`/proc/${kafkaPid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

async function storedCount(store: ElasticsearchEventStore): Promise<number> {
  await store.refresh();
  return store.count();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
