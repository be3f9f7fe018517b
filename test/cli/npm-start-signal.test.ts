import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/runtime.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The processes whose parent is `pid`, with their command names (Linux /proc). */
function childrenOf(pid: number): Array<{ pid: number; comm: string }> {
  const out: Array<{ pid: number; comm: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // `pid (comm) state ppid …`: comm may hold spaces, so read after the last parenthesis.
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // gone while we looked
    }
  }
  return out;
}

/** Newest modification time of the files under `dir` (ms). */
function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) t = Math.max(t, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return t;
}

/**
 * Ops tooling and container runtimes send SIGTERM to the first process, here npm. npm passes it on to
 * its child; with a shell between npm and node, the shell died and node kept running. Runs the
 * `dist/` build that `npm install` makes; builds it first when it is missing or older than `src/`.
 */
describe('npm start and npm run serve', () => {
  beforeAll(() => {
    const main = join(repoRoot, 'dist/cli/main.js');
    if (!existsSync(main) || statSync(main).mtimeMs < newest(join(repoRoot, 'src')))
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'inherit' });
  }, 300_000);

  for (const [script, args, ready] of [
    ['start', ['--', '--nodes', '3'], /API: /],
    ['serve', [], /faultline is serving/],
  ] as const) {
    it(`npm ${script === 'start' ? 'start' : 'run serve'}: node is npm's own child and SIGTERM stops it`, async () => {
      const dataDir = tempDir();
      const npm = spawn('npm', ['run', script, '--silent', ...args], {
        cwd: repoRoot,
        env: {
          ...process.env,
          FAULTLINE_PORT: '0',
          FAULTLINE_DATA_DIR: dataDir,
          FAULTLINE_LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let out = '';
        npm.stdout.setEncoding('utf8');
        await new Promise<void>((resolve, reject) => {
          npm.stdout.on('data', (chunk: string) => {
            out += chunk;
            if (ready.test(out)) resolve();
          });
          npm.once('exit', (code) => reject(new Error(`npm run ${script} exited with ${code}: ${out}`)));
        });
        const children = childrenOf(npm.pid!);
        expect(children.map((c) => c.comm)).toEqual(['node']);
        const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
        npm.kill('SIGTERM');
        await exited;
        for (let i = 0; i < 200 && alive(children[0]!.pid); i++) await new Promise((r) => setTimeout(r, 50));
        expect(alive(children[0]!.pid)).toBe(false);
      } finally {
        if (npm.exitCode === null) npm.kill('SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
