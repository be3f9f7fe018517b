/**
 * Prediction and alert quality against the simulator's ground truth (issue #19): for each seed, a
 * fresh embedded Faultline (state store, leasing core, API) is fed a simulated fleet with injected
 * faults through the production decode, enrichment, engine and shipped rules, in event time
 * (src/sim/in-process.ts); the alerts and predictions it serves over its API are scored against the
 * truth (src/sim/score.ts). Seeds run in `--jobs` child processes.
 *
 *   npx tsx bench/predict/run.ts [--seeds 20] [--first-seed 1] [--nodes 30] [--hours 8] [--jobs 2]
 *
 * Prints a line per seed and a table: prediction precision / recall / median lead, alert precision
 * and recall per fault kind, alerts caused by the fleet's own deploys and cleanings, and the spread
 * over seeds. Targets: prediction precision >= 0.9, recall >= 0.8, median lead >= 1 h; alert recall
 * 1.0; operation alerts 0.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/runtime.js';
import { createLogger } from '../../src/shared/logger.js';
import { evaluateInProcess } from '../../src/sim/in-process.js';
import { HOURS, type Score, score } from '../../src/sim/score.js';
import { FAULT_KINDS, truthJson } from '../../src/sim/truth.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    'first-seed': { type: 'string', default: '1' },
    nodes: { type: 'string', default: '30' },
    hours: { type: 'string', default: '8' },
    jobs: { type: 'string', default: '2' },
    worker: { type: 'boolean', default: false },
    /** Writes each seed's truth, alerts and predictions to DIR/seed-N.json, to look into a miss. */
    dump: { type: 'string' },
  },
});
const seeds = Number(values.seeds);
const first = Number(values['first-seed']);
const nodes = Number(values.nodes);
const hours = Number(values.hours);
// Any time will do: the runtime runs no wall-clock lease scheduler beside the simulator's leasing core.
const START = Date.parse('2026-01-05T00:00:00Z');
const KEY = 'flk_bench_predict_admin_key_0000000000000';

interface SeedResult {
  seed: number;
  score: Score;
  records: number;
  events: number;
  rejected: number;
  faults: number;
  alerts: number;
  predictions: number;
  /** Annotated instead of notified because the leasing core was deploying or cleaning the node. */
  suppressedByOperations: number;
  wallMs: number;
  cpuMs: number;
  missedPredictions: string[];
}

async function runSeed(seed: number): Promise<SeedResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-bench-predict-'));
  const config = loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent', adminKey: KEY } });
  const runtime = await createRuntime(config, createLogger('silent'), {
    ingest: false,
    leaseScheduler: false,
  });
  try {
    const began = Date.now();
    const cpu = process.cpuUsage();
    const run = await evaluateInProcess(runtime, KEY, {
      seed,
      start: START,
      nodes,
      horizon: hours * 3_600_000,
      duration: hours * 3_600_000,
    });
    const used = process.cpuUsage(cpu);
    const s = score(run.sim.truth, run.alerts, run.predictions);
    if (values.dump !== undefined)
      writeFileSync(
        join(values.dump, `seed-${seed}.json`),
        JSON.stringify(
          {
            truth: run.sim.truth.map(truthJson).map((l) => JSON.parse(l)),
            alerts: run.alerts,
            predictions: run.predictions,
          },
          null,
          1,
        ),
      );
    const found = new Set(s.predictions.foundKeys);
    return {
      seed,
      score: s,
      records: run.published,
      events: run.events,
      rejected: run.rejected,
      faults: run.sim.truth.filter((t) => t.expect.alert).length,
      alerts: run.alerts.filter((a) => a.suppressedBy === undefined).length,
      predictions: run.predictions.length,
      suppressedByOperations: run.alerts.filter(
        (a) => a.suppressedBy !== undefined && !a.suppressedBy.startsWith('explained by'),
      ).length,
      wallMs: Date.now() - began,
      cpuMs: (used.user + used.system) / 1000,
      missedPredictions: run.sim.truth
        .filter((t) => t.expect.prediction && !found.has(`${t.kind}|${t.node}|${t.manifestAt}`))
        .map((t) => `${t.kind} ${t.node} ${t.component?.id ?? ''} lead ${HOURS(t.manifestAt - t.start)} h`),
    };
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (values.worker) {
  process.on('message', (msg: { seed?: number }) => {
    if (msg.seed === undefined) process.exit(0);
    runSeed(msg.seed).then(
      (r) => process.send?.(r),
      (error: unknown) => {
        process.stderr.write(`seed ${msg.seed} failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
} else await main();

async function main(): Promise<void> {
  if (values.dump !== undefined) mkdirSync(values.dump, { recursive: true });
  const queue = Array.from({ length: seeds }, (_, i) => first + i);
  const results: SeedResult[] = [];
  const began = Date.now();
  const jobs = Math.max(1, Math.min(Number(values.jobs), seeds));
  const pad = (v: string | number, n: number) => String(v).padStart(n);
  const done = (r: SeedResult) => {
    results.push(r);
    const p = r.score.predictions;
    process.stdout.write(
      `seed ${pad(r.seed, 2)}: ${r.records} records, ${r.events} events (${r.rejected} refused), ${r.faults} faults, ${r.alerts} alerts, ${r.suppressedByOperations} suppressed during deploy/clean, predictions ${p.correct}/${p.total} correct, ${p.found}/${p.expected} found, lead ${HOURS(p.medianLeadMs)} h, alert recall ${r.score.alerts.recall.toFixed(2)}, operation alerts ${r.score.operationAlerts}; ${(r.wallMs / 1000).toFixed(0)} s, ${(r.cpuMs / 1000).toFixed(0)} s CPU${r.missedPredictions.length > 0 ? `; missed: ${r.missedPredictions.join(', ')}` : ''}\n`,
    );
  };
  // One job runs in this process (for a profiler); more run in child processes, a seed at a time.
  if (jobs === 1) for (const seed of queue) done(await runSeed(seed));
  else
    await Promise.all(
      Array.from(
        { length: jobs },
        () =>
          new Promise<void>((resolve, reject) => {
            const child = fork(
              process.argv[1] as string,
              [
                '--worker',
                '--nodes',
                String(nodes),
                '--hours',
                String(hours),
                ...(values.dump === undefined ? [] : ['--dump', values.dump]),
              ],
              {
                execArgv: process.execArgv,
              },
            );
            const next = () => {
              const seed = queue.shift();
              child.send(seed === undefined ? {} : { seed });
            };
            child.on('message', (r: SeedResult) => {
              done(r);
              next();
            });
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}`))));
            next();
          }),
      ),
    );
  results.sort((a, b) => a.seed - b.seed);
  report(results, (Date.now() - began) / 1000);
}

function report(results: SeedResult[], wallSeconds: number): void {
  const scores = results.map((r) => r.score);
  const sum = (f: (s: Score) => number) => scores.reduce((a, s) => a + f(s), 0);
  const ratio = (a: number, b: number) => (b === 0 ? '-' : (a / b).toFixed(2));
  const leads = scores.flatMap((s) => s.predictions.leadsMs).sort((a, b) => a - b);
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out();
  out(
    `${results.length} seeds (${first}–${first + results.length - 1}) × ${nodes} nodes × ${hours} h simulated; ${wallSeconds.toFixed(0)} s wall, ${(results.reduce((a, r) => a + r.cpuMs, 0) / 1000).toFixed(0)} s CPU in workers`,
  );
  out();
  out('| predictions | precision | recall | median lead (h) |');
  out('|---|---|---|---|');
  out(
    `| pooled | ${ratio(
      sum((s) => s.predictions.correct),
      sum((s) => s.predictions.total),
    )} (${sum((s) => s.predictions.correct)}/${sum((s) => s.predictions.total)}) | ${ratio(
      sum((s) => s.predictions.found),
      sum((s) => s.predictions.expected),
    )} (${sum((s) => s.predictions.found)}/${sum((s) => s.predictions.expected)}) | ${HOURS(leads[Math.floor(leads.length / 2)])} |`,
  );
  const spread = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0
      ? '-'
      : `${s[0]!.toFixed(2)} / ${s[Math.floor(s.length / 2)]!.toFixed(2)} / ${s.at(-1)!.toFixed(2)}`;
  };
  const perSeed = (f: (s: Score) => number | undefined) =>
    scores.map(f).filter((v): v is number => v !== undefined);
  out(
    `| per seed min / median / max | ${spread(perSeed((s) => (s.predictions.total === 0 ? undefined : s.predictions.precision)))} | ${spread(perSeed((s) => (s.predictions.expected === 0 ? undefined : s.predictions.recall)))} | ${spread(perSeed((s) => (s.predictions.medianLeadMs === undefined ? undefined : s.predictions.medianLeadMs / 3_600_000)))} |`,
  );
  out();
  out('| fault kind | injected | detected | alert recall | alerts | alert precision |');
  out('|---|---|---|---|---|---|');
  for (const kind of FAULT_KINDS) {
    const ks = scores.map((s) => s.kinds.find((k) => k.kind === kind)!);
    const injected = ks.reduce((a, k) => a + k.injected, 0);
    const detected = ks.reduce((a, k) => a + k.detected, 0);
    const alerts = ks.reduce((a, k) => a + k.alerts, 0);
    const tp = ks.reduce((a, k) => a + k.truePositives, 0);
    out(
      `| ${kind} | ${injected} | ${detected} | ${ratio(detected, injected)} | ${alerts} | ${ratio(tp, alerts)} |`,
    );
  }
  const unmatched: Record<string, number> = {};
  for (const s of scores)
    for (const [rule, n] of Object.entries(s.unmatchedByRule)) unmatched[rule] = (unmatched[rule] ?? 0) + n;
  out();
  out(
    `alerts matching no injected fault, by rule: ${
      Object.entries(unmatched)
        .sort((a, b) => b[1] - a[1])
        .map(([r, n]) => `${r} ${n}`)
        .join(', ') || 'none'
    }`,
  );
  out(
    `all alerts: ${sum((s) => s.alerts.total)}, matched to a fault ${sum((s) => s.alerts.matched)} (precision ${ratio(
      sum((s) => s.alerts.matched),
      sum((s) => s.alerts.total),
    )}); alert recall per seed min / median / max ${spread(perSeed((s) => s.alerts.recall))}`,
  );
  out(
    `alerts caused by the fleet's own deploys/cleanings: ${sum((s) => s.operationAlerts)} (per seed max ${Math.max(...scores.map((s) => s.operationAlerts))}); annotated and suppressed during deploy/cleaning/maintenance: ${results.reduce((a, r) => a + r.suppressedByOperations, 0)}`,
  );
  out(
    `records ${results.reduce((a, r) => a + r.records, 0)}, events ${results.reduce((a, r) => a + r.events, 0)}, refused by the decoders ${results.reduce((a, r) => a + r.rejected, 0)}`,
  );
}
