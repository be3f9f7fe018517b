import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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

/**
 * Ops tooling and container runtimes send SIGTERM to the first process, here npm. npm passes it on to
 * its child; with a shell between npm and node, the shell died and node kept running. Runs the
 * `dist/` build that `npm install` makes.
 */
describe('npm start', () => {
  it('lets SIGTERM reach the server: it shuts down and no node process is left behind', async () => {
    const dataDir = tempDir();
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: repoRoot,
      env: { ...process.env, FAULTLINE_PORT: '0', FAULTLINE_DATA_DIR: dataDir, FAULTLINE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      npm.stdout.setEncoding('utf8');
      const serving = new Promise<number>((resolve, reject) => {
        npm.stdout.on('data', (chunk: string) => {
          out += chunk;
          const m = /"process\.pid":(\d+)[^\n]*"message":"faultline is serving"/.exec(out);
          if (m !== null) resolve(Number(m[1]));
        });
        npm.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${out}`)));
      });
      const serverPid = await serving;
      expect(serverPid).not.toBe(npm.pid);
      const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
      npm.kill('SIGTERM');
      await exited;
      for (let i = 0; i < 100 && alive(serverPid); i++) await new Promise((r) => setTimeout(r, 50));
      expect(alive(serverPid)).toBe(false);
      expect(out).toMatch(/"signal":"SIGTERM","message":"shutting down"/);
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
