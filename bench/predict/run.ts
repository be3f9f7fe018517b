/**
 * Prediction and alert quality against the simulator's ground truth (issue #19): for each seed, a
 * fresh embedded Faultline is fed a simulated fleet with injected faults at full speed; the alerts
 * and predictions it serves over its API are scored against the truth (src/sim/score.ts).
 *
 *   npx tsx bench/predict/run.ts [--seeds 20] [--nodes 60] [--hours 12] [--first-seed 1]
 *
 * Prints per-seed lines and a table: prediction precision / recall / median lead, alert precision and
 * recall per fault kind, and alerts caused by the fleet's own deploys and cleanings. Targets: prediction
 * precision >= 0.9, recall >= 0.8, median lead >= 1 h; alert recall 1.0; operation alerts 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/runtime.js';
import { createLogger } from '../../src/shared/logger.js';
import { drained, settledFindings, simulateInto } from '../../src/sim/evaluate.js';
import { HOURS, type Score, score } from '../../src/sim/score.js';
import { FAULT_KINDS } from '../../src/sim/truth.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    'first-seed': { type: 'string', default: '1' },
    nodes: { type: 'string', default: '60' },
    hours: { type: 'string', default: '12' },
  },
});
const seeds = Number(values.seeds);
const first = Number(values['first-seed']);
const nodes = Number(values.nodes);
const hours = Number(values.hours);
const START = Date.parse('2026-12-07T00:00:00Z');
const KEY = 'flk_bench_predict_admin_key_0000000000000';

const scores: Score[] = [];
for (let seed = first; seed < first + seeds; seed++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-bench-predict-'));
  const config = loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent', adminKey: KEY } });
  const runtime = await createRuntime(config, createLogger('silent'));
  try {
    const began = Date.now();
    const { sim, published } = await simulateInto(runtime, {
      seed,
      start: START,
      nodes,
      horizon: hours * 3_600_000,
      duration: hours * 3_600_000,
    });
    await drained(runtime);
    const found = await settledFindings(runtime, KEY);
    if (found === undefined) {
      process.stderr.write(
        'this build serves no /v1/alerts: the fault engine is not wired in; nothing to score\n',
      );
      process.exit(2);
    }
    const s = score(sim.truth, found.alerts, found.predictions);
    scores.push(s);
    process.stdout.write(
      `seed ${seed}: ${published} records, ${sim.truth.filter((t) => t.expect.alert).length} faults, ${found.alerts.length} alerts, ${found.predictions.length} predictions, alert recall ${s.alerts.recall.toFixed(2)} precision ${s.alerts.precision.toFixed(2)}, ${((Date.now() - began) / 1000).toFixed(0)} s\n`,
    );
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const sum = (f: (s: Score) => number) => scores.reduce((a, s) => a + f(s), 0);
const leads = scores
  .map((s) => s.predictions.medianLeadMs)
  .filter((v): v is number => v !== undefined)
  .sort((a, b) => a - b);
const pad = (v: string | number, n: number) => String(v).padStart(n);
const ratio = (a: number, b: number) => (b === 0 ? '-' : (a / b).toFixed(2));
process.stdout.write(`\n${seeds} seeds × ${nodes} nodes × ${hours} h simulated\n\n`);
process.stdout.write('predictions   precision  recall  median lead (h)\n');
process.stdout.write(
  `              ${pad(
    ratio(
      sum((s) => s.predictions.correct),
      sum((s) => s.predictions.total),
    ),
    9,
  )}  ${pad(
    ratio(
      sum((s) => s.predictions.found),
      sum((s) => s.predictions.expected),
    ),
    6,
  )}  ${pad(HOURS(leads[Math.floor(leads.length / 2)]), 15)}\n\n`,
);
process.stdout.write('alerts by kind        injected  detected  recall  alerts  precision\n');
for (const kind of FAULT_KINDS) {
  const ks = scores.map((s) => s.kinds.find((k) => k.kind === kind)!);
  const injected = ks.reduce((a, k) => a + k.injected, 0);
  const detected = ks.reduce((a, k) => a + k.detected, 0);
  const alerts = ks.reduce((a, k) => a + k.alerts, 0);
  const tp = ks.reduce((a, k) => a + k.truePositives, 0);
  process.stdout.write(
    `${kind.padEnd(21)} ${pad(injected, 8)}  ${pad(detected, 8)}  ${pad(ratio(detected, injected), 6)}  ${pad(alerts, 6)}  ${pad(ratio(tp, alerts), 9)}\n`,
  );
}
process.stdout.write(
  `\nall alerts: ${sum((s) => s.alerts.total)}, matched to a fault ${sum((s) => s.alerts.matched)} (precision ${ratio(
    sum((s) => s.alerts.matched),
    sum((s) => s.alerts.total),
  )}); alerts caused by deploys/cleanings: ${sum((s) => s.operationAlerts)}\n`,
);
