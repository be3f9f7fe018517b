import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_FORMS } from '../../src/sources/input-forms.js';
import { listSources } from '../../src/sources/registry.js';
import { repoRoot } from '../helpers/fixtures.js';
import { auth, startRuntime } from '../helpers/runtime.js';

describe('input forms: what each source reads, where users see it', () => {
  it('every registered source names the forms it accepts and those it refuses', () => {
    for (const s of listSources()) {
      expect(INPUT_FORMS[s.id]?.accepted.length, s.id).toBeGreaterThan(0);
      expect(INPUT_FORMS[s.id]?.refused.length, s.id).toBeGreaterThan(0);
    }
  });

  it('faultline parse --help lists each source with its input forms', () => {
    const help = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'parse', '--help'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    for (const s of listSources()) expect(help).toContain(`\n  ${s.id}\n    - `);
    expect(help).toContain('ovs-appctl dpctl/show');
    expect(help).toContain('OpenBMC log-util --print');
  });

  describe('GET /v1/sources', () => {
    let t: Awaited<ReturnType<typeof startRuntime>>;
    beforeAll(async () => {
      t = await startRuntime();
    });
    afterAll(() => t.close());

    it('serves the input forms of every source', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/sources', headers: auth() });
      expect(res.statusCode, res.body).toBe(200);
      const { sources } = res.json<{ sources: { id: string; inputForms: { accepted: string[] } }[] }>();
      const metrics = sources.find((s) => s.id === 'dpu-metrics')!;
      expect(metrics.inputForms.accepted.some((f) => f.startsWith('ip -s -s link'))).toBe(true);
      expect(sources.every((s) => s.inputForms.accepted.length > 0)).toBe(true);
    });
  });
});
