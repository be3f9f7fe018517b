import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/runtime.js';

/**
 * A machine without prometheus-alertmanager, made by a PATH that holds every system command but that
 * one: `npm test` must stop before the first test with one message naming it and its install command.
 */
const dir = tempDir('faultline-prereq-');
const bin = join(dir, 'bin');
mkdirSync(bin);
for (const from of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
  if (!existsSync(from)) continue;
  for (const name of readdirSync(from)) {
    if (name === 'prometheus-alertmanager' || name === 'alertmanager' || existsSync(join(bin, name)))
      continue;
    symlinkSync(join(from, name), join(bin, name));
  }
}
const env: NodeJS.ProcessEnv = {
  PATH: bin,
  HOME: process.env.HOME ?? dir,
  FAULTLINE_INFRA_DIR: join(dir, 'infra'),
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prerequisites', () => {
  it('infra/faultline-infra check names what is missing with the install command, and fails', () => {
    const r = spawnSync('bash', ['infra/faultline-infra', 'check'], { cwd: repoRoot, env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('prometheus-alertmanager (Prometheus Alertmanager');
    expect(r.stderr).toMatch(/apt-get install -y --no-install-recommends [^\n]*prometheus-alertmanager/);
    // Servers the environment names are not started, so they need nothing here.
    const given = spawnSync('bash', ['infra/faultline-infra', 'check', 'alertmanager'], {
      cwd: repoRoot,
      env: { ...env, FAULTLINE_ALERTMANAGER_URL: 'http://127.0.0.1:9093' },
      encoding: 'utf8',
    });
    expect(given.status, given.stderr).toBe(0);
  });

  it('npm test stops before linting or running any test', () => {
    const r = spawnSync('npm', ['test'], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('prometheus-alertmanager');
    // npm echoes the script line; what runs after the check would print these.
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/Checked \d+ files|Test Files| RUN /);
  });
});
