/**
 * `faultline parse --source openstack-log` on ~100 MB of OpenStack log, pinned to one core, against
 * a peer doing the same job in the same run: jq extracting the oslo.log fields with one regex
 * (`jq -R 'capture(…)'`), the usual hand-rolled way to turn these logs into JSON.
 *
 * Input: generated from the real Loghub OpenStack 2k sample, each copy shifted to its own day so no
 * two lines are identical. Run: `npm run bench:parse` (needs `npm run build`, `jq` and `taskset`).
 * Also timed: the same command with `--no-fast-path` (framer, decode, JSON.stringify per event), and
 * the floor of that generic way in this Node.js (bench/parse/node-floor.mjs).
 * Not part of the test suite: it prints figures, it does not judge them.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const targetBytes = Number(process.env.BENCH_BYTES ?? 100 * 1024 * 1024);
const runs = Number(process.env.BENCH_RUNS ?? 3);

async function generate(file: string): Promise<number> {
  const fixtures = resolve(root, 'test', 'fixtures');
  const lines = readFileSync(join(fixtures, 'loghub', 'OpenStack', 'OpenStack_2k.log'), 'utf8')
    .trimEnd()
    .split('\n');
  const out = createWriteStream(file);
  let bytes = 0;
  let count = 0;
  for (let copy = 0; bytes < targetBytes; copy++) {
    const day = new Date(Date.UTC(2017, 0, 1) + copy * 86_400_000).toISOString().slice(0, 10);
    const chunk = `${lines.map((l) => l.replace('2017-05-16 ', `${day} `)).join('\n')}\n`;
    bytes += Buffer.byteLength(chunk);
    count += lines.length;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return count;
}

function time(cmd: string, args: string[]): number {
  const pinned = existsSync('/usr/bin/taskset') ? ['taskset', ['-c', '0', cmd, ...args]] : [cmd, args];
  const started = process.hrtime.bigint();
  const r = spawnSync(pinned[0] as string, pinned[1] as string[], {
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${String(r.stderr).slice(-500)}`);
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const JQ_PROGRAM =
  'capture("^(?<file>\\\\S+\\\\.log\\\\S*) (?<ts>\\\\d{4}-\\\\d{2}-\\\\d{2} \\\\d{2}:\\\\d{2}:\\\\d{2}\\\\.\\\\d+) (?<pid>\\\\d+) (?<level>[A-Z]+) (?<logger>\\\\S+) (?:\\\\[(?<ctx>[^\\\\]]*)\\\\] )?(?:\\\\[instance: (?<instance>[0-9a-f-]{36})\\\\] )?(?<message>.*)$")';

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  const file = join(dir, 'openstack.log');
  try {
    const lines = await generate(file);
    const mb = statSync(file).size / 1024 / 1024;
    const cli = join(root, 'dist', 'cli', 'main.js');
    if (!existsSync(cli)) throw new Error('run `npm run build` first');
    const floorScript = join(root, 'bench', 'parse', 'node-floor.mjs');
    const ours: number[] = [];
    const peer: number[] = [];
    const floor: number[] = [];
    const generic: number[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(time(process.execPath, [cli, 'parse', '--source', 'openstack-log', file]));
      generic.push(
        time(process.execPath, [cli, 'parse', '--source', 'openstack-log', '--no-fast-path', file]),
      );
      peer.push(time('jq', ['-R', '-c', JQ_PROGRAM, file]));
      floor.push(time(process.execPath, [floorScript, file]));
    }
    const o = median(ours);
    const p = median(peer);
    console.log(
      `input: ${lines.toLocaleString('en')} lines, ${mb.toFixed(1)} MB (generated from Loghub OpenStack_2k), one core, median of ${runs}`,
    );
    console.log(
      `faultline parse: ${o.toFixed(2)} s  ${Math.round(lines / o).toLocaleString('en')} lines/s  (runs: ${ours.map((s) => s.toFixed(2)).join(', ')})`,
    );
    console.log(
      `jq capture peer: ${p.toFixed(2)} s  ${Math.round(lines / p).toLocaleString('en')} lines/s  (runs: ${peer.map((s) => s.toFixed(2)).join(', ')})`,
    );
    console.log(`ratio (faultline lines/s ÷ jq lines/s): ${(p / o).toFixed(2)}`);
    const g = median(generic);
    console.log(
      `faultline parse --no-fast-path: ${g.toFixed(2)} s  ${Math.round(lines / g).toLocaleString('en')} lines/s  (runs: ${generic.map((s) => s.toFixed(2)).join(', ')})`,
    );
    const f = median(floor);
    console.log(
      `node floor of the generic way (regex + sha256 + event object + JSON.stringify + write per line, nothing else): ${f.toFixed(2)} s  ${Math.round(lines / f).toLocaleString('en')} lines/s  (runs: ${floor.map((s) => s.toFixed(2)).join(', ')})`,
    );
    console.log(`faultline parse ÷ generic floor: ${(f / o).toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
