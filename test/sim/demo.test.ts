import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demoCommand } from '../../src/cli/demo.js';
import { FAULT_KINDS, parseTruth } from '../../src/sim/truth.js';
import { tempDir } from '../helpers/runtime.js';

// Generated data: the demo's simulated fleet (no public source has a fleet with injected faults).
function capture() {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { out, text: () => chunks.join('') };
}

describe('faultline demo', () => {
  it('serves, prints the URL and key, runs the simulator into its data dir and stops cleanly', async () => {
    const dataDir = tempDir('faultline-demo-test-');
    const { out, text } = capture();
    const result = await demoCommand({
      seed: 7,
      nodes: 20,
      speed: Number.POSITIVE_INFINITY,
      port: '0',
      dataDir,
      duration: 60 * 60_000,
      out,
    });
    const printed = text();
    expect(printed).toMatch(/API: +http:\/\/127\.0\.0\.1:\d+/);
    expect(printed).toMatch(/admin key: +flk_\S+/);
    expect(printed).toContain(`Stopped. The demo's data is in ${dataDir}`);
    expect(result.published).toBeGreaterThan(1000);
    expect(existsSync(result.truthFile)).toBe(true);
    const truth = readFileSync(result.truthFile, 'utf8').trim().split('\n').map(parseTruth);
    // The demo front-loads its faults: within an hour of simulated time the quick ones have manifested.
    const manifested = new Set(
      truth.filter((t) => t.manifestAt < Date.now() + 60 * 60_000 && t.expect.alert).map((t) => t.kind),
    );
    for (const kind of ['noisy-tenant', 'build-failure-burst', 'psu-failure', 'link-flap', 'power-loss'])
      expect(manifested).toContain(kind);
    expect(truth.every((t) => [...FAULT_KINDS, 'deploy', 'clean'].includes(t.kind))).toBe(true);
  });
});
