/**
 * Log template mining benchmark (issue #18): grouping accuracy against the Loghub ground truth and
 * mining rate, side by side with Drain3 (Python, installed by this script into its own venv) on the
 * same messages in the same run.
 *
 *   npm run build && npx tsx bench/logmine/run.ts [--lines 400000] [--rss-factor 10] [--held-out-rate]
 *     [--no-drain3-plain]
 *
 * For every Loghub sample in test/fixtures/loghub/ the message of each line is cut out with the
 * sample's published header format (the only per-dataset input) and mined with one default
 * configuration. GA is scored on the 2,000 lines as mined in order, with the template id each line
 * got when it arrived. Rates are measured in-process on the messages repeated to --lines (header
 * parsing, reading and writing are outside the timed loop on both sides), in lines per CPU second
 * of the mining loop on both sides: the machine is shared, and CPU time is what other load
 * disturbs least. The peer is Drain3 with the masks of its examples/drain3.ini (it masks as we do), and, as a second column, Drain3 with no
 * masks. The five target datasets get rates; the held-out eleven (never used to choose the miner's
 * rules) get GA only, unless --held-out-rate. Memory: peak RSS of a process that only streams the
 * sample through the miner, at --lines and at --rss-factor times as many (bounded memory means the
 * two are alike), beside a process that mines nothing; Drain3's is its peak over its --lines run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { groupingAccuracy } from '../../src/logmine/accuracy.js';
import { LOGHUB_FORMATS, type LoghubSample, loadLoghubSample, TARGET_DATASETS } from './loghub.js';

function short(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`;
}

const REPO = resolve(import.meta.dirname, '..', '..');
const DRAIN3_VERSION = '0.9.11';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '400000' },
    'rss-factor': { type: 'string', default: '10' },
    'held-out-rate': { type: 'boolean', default: false },
    'no-drain3-plain': { type: 'boolean', default: false },
    venv: { type: 'string', default: resolve(REPO, '.bench', 'drain3-venv') },
  },
});
const rateLines = Number(args.lines);
const rssFactor = Number(args['rss-factor']);

/** The measured miner is the build in dist/, as `faultline logmine` runs it. */
async function loadMiner(): Promise<typeof import('../../src/logmine/miner.js')> {
  const file = resolve(REPO, 'dist', 'logmine', 'miner.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  return (await import(pathToFileURL(file).href)) as typeof import('../../src/logmine/miner.js');
}

function ensureDrain3(venv: string): string {
  const python = resolve(venv, 'bin', 'python');
  if (existsSync(python)) {
    const ok = spawnSync(python, ['-c', 'import drain3'], { stdio: 'ignore' });
    if (ok.status === 0) return python;
  }
  mkdirSync(resolve(venv, '..'), { recursive: true });
  process.stderr.write(`creating ${venv} with drain3==${DRAIN3_VERSION} from PyPI…\n`);
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', `drain3==${DRAIN3_VERSION}`], {
    stdio: 'inherit',
  });
  return python;
}

interface Drain3Run {
  ids: string[];
  lines: number;
  seconds: number;
  cpu_seconds: number;
  version: string;
  max_rss_kib: number;
}

/** Peak RSS in MiB of a fresh process streaming `lines` messages of the sample through our miner. */
function oursPeakRss(contents: readonly string[], lines: number): number {
  const out = spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'rss-child.ts')], {
    input: JSON.stringify({ contents, lines }),
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`rss-child failed: ${out.stderr}`);
  return (JSON.parse(out.stdout) as { maxRssKiB: number }).maxRssKiB / 1024;
}

function runDrain3(python: string, contents: string[], repeatTo: number, masking: boolean): Drain3Run {
  const out = spawnSync(python, [resolve(import.meta.dirname, 'drain3_runner.py')], {
    input: JSON.stringify({ contents, repeat_to: repeatTo, masking }),
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`drain3 failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as Drain3Run;
}

function repeated(contents: readonly string[], n: number): string[] {
  const out: string[] = [];
  while (out.length < n) for (const c of contents) if (out.length < n) out.push(c);
  return out;
}

const { TemplateMiner } = await loadMiner();

function ours(
  sample: LoghubSample,
  withRate: boolean,
): { ga: number; rate?: number; templates: number; rss?: [number, number] } {
  const miner = new TemplateMiner();
  const ids = sample.contents.map((c) => miner.add(c).id);
  const ga = groupingAccuracy(ids, sample.truth).accuracy;
  if (!withRate) return { ga, templates: miner.size };
  const input = repeated(sample.contents, rateLines);
  // Warm the JIT on another instance, then time a fresh one from its first line.
  const warm = new TemplateMiner();
  for (let i = 0; i < Math.min(input.length, 50_000); i++) warm.add(input[i] as string);
  const timed = new TemplateMiner();
  const started = process.cpuUsage();
  for (const line of input) timed.add(line);
  const used = process.cpuUsage(started);
  const seconds = (used.user + used.system) / 1e6;
  const rss: [number, number] = [
    oursPeakRss(sample.contents, rateLines),
    oursPeakRss(sample.contents, rateLines * rssFactor),
  ];
  return { ga, rate: input.length / seconds, templates: timed.size, rss };
}

const python = ensureDrain3(args.venv);
const loadBefore = loadavg();
const idleRss = oursPeakRss([''], 0);
const mib = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(0));
const fixtures = resolve(REPO, 'test', 'fixtures');
const rows: string[][] = [];
const fmt = (x: number | undefined, digits = 3) => (x === undefined ? '–' : x.toFixed(digits));
const rate = (x: number | undefined) => (x === undefined ? '–' : Math.round(x).toLocaleString('en-US'));
let drain3Version = '';
const gaOurs: Record<string, number> = {};
for (const name of Object.keys(LOGHUB_FORMATS)) {
  const target = (TARGET_DATASETS as readonly string[]).includes(name);
  const withRate = target || args['held-out-rate'];
  const sample = loadLoghubSample(fixtures, name);
  const mine = ours(sample, withRate);
  gaOurs[name] = mine.ga;
  const repeatTo = withRate ? rateLines : sample.contents.length;
  const masked = runDrain3(python, sample.contents, repeatTo, true);
  drain3Version = masked.version;
  const plain = args['no-drain3-plain'] ? undefined : runDrain3(python, sample.contents, repeatTo, false);
  const gaMasked = groupingAccuracy(masked.ids, sample.truth).accuracy;
  const gaPlain = plain === undefined ? undefined : groupingAccuracy(plain.ids, sample.truth).accuracy;
  const maskedRate = withRate ? masked.lines / masked.cpu_seconds : undefined;
  const plainRate = withRate && plain !== undefined ? plain.lines / plain.cpu_seconds : undefined;
  rows.push([
    target ? name : `${name} (held out)`,
    fmt(mine.ga),
    fmt(gaMasked),
    rate(mine.rate),
    rate(maskedRate),
    mine.rate !== undefined && maskedRate !== undefined ? `${(mine.rate / maskedRate).toFixed(1)}×` : '–',
    fmt(gaPlain),
    rate(plainRate),
    mine.rate !== undefined && plainRate !== undefined ? `${(mine.rate / plainRate).toFixed(1)}×` : '–',
    mine.rss === undefined ? '–' : `${mib(mine.rss[0])} / ${mib(mine.rss[1])}`,
    withRate ? mib(masked.max_rss_kib / 1024) : '–',
    withRate && plain !== undefined ? mib(plain.max_rss_kib / 1024) : '–',
    String(mine.templates),
  ]);
  process.stderr.write(`${name} done\n`);
}

const header = [
  'dataset',
  'GA ours',
  'GA Drain3',
  'lines/s ours',
  'lines/s Drain3',
  'ratio',
  'GA Drain3 no masks',
  'lines/s Drain3 no masks',
  'ratio',
  `peak RSS MiB ours ${short(rateLines)} / ${short(rateLines * rssFactor)}`,
  'peak RSS Drain3',
  'peak RSS Drain3 no masks',
  'templates',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) =>
  `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
const loadAfter = loadavg();
console.log(`bench/logmine: Faultline miner (one default configuration) vs Drain3 ${drain3Version}`);
console.log(
  `rates in lines per CPU second over each sample's messages repeated to ${rateLines.toLocaleString('en-US')} lines`,
);
console.log(
  `load average (1, 5, 15 min) before ${loadBefore.map((x) => x.toFixed(1)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(1)).join(' ')}`,
);
console.log(`peak RSS of a process that mines nothing: ${mib(idleRss)} MiB\n`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
const targets = TARGET_DATASETS.map((d) => gaOurs[d] ?? 0);
const heldOut = Object.keys(gaOurs)
  .filter((d) => !(TARGET_DATASETS as readonly string[]).includes(d))
  .map((d) => gaOurs[d] ?? 0);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
console.log(
  `\nmean GA ours: targets ${mean(targets).toFixed(3)} (min ${Math.min(...targets).toFixed(3)}), held out ${mean(heldOut).toFixed(3)}`,
);
