import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demoCommand, formatFeedLine } from '../../src/cli/demo.js';
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

  it('prints one line per alert: time, severity, node, part with its board label, tenants, repair', () => {
    const line = formatFeedLine(
      {
        id: 'a1',
        severity: 'critical',
        host: 'bm-042',
        startsAt: '2026-12-07T02:14:00.000Z',
        repair: {
          action: 'replace_part',
          text: 'Evacuate the node and replace DIMM CPU0_DIMM_G1.',
          part: { id: 'CPU0_DIMM_G1', location: 'CPU0_G1' },
        },
        impact: { tenants: ['tenant-03'] },
        children: ['a2', 'a3'],
      },
      'alert',
    );
    expect(line).toBe(
      '2026-12-07 02:14  CRITICAL  bm-042  CPU0_DIMM_G1 (CPU0_G1)  tenants tenant-03  → Evacuate the node and replace DIMM CPU0_DIMM_G1.  [root cause of 2]',
    );
    const prediction = formatFeedLine(
      {
        id: 'p1',
        host: 'bm-007',
        predictedAt: '2026-12-07T03:00:00Z',
        eta: '2026-12-07T09:30:00Z',
        confidence: 0.82,
      },
      'prediction',
    );
    expect(prediction).toBe(
      '2026-12-07 03:00  PREDICT   bm-007  -  fails by 2026-12-07 09:30 82%  no tenant',
    );
    // No repair text: the summary says what happened, then the action; the part is the grouped port or service.
    const flap = formatFeedLine(
      {
        id: 'a4',
        severity: 'warning',
        host: 'bm-199',
        startsAt: '2026-12-07T04:00:00Z',
        labels: { alertname: 'DpuLinkFlap', component: 'network', interface_name: 'p0' },
        annotations: { summary: 'Link p0 of bm-199 flapping' },
        repair: { action: 'check_cabling' },
      },
      'alert',
    );
    expect(flap).toBe(
      '2026-12-07 04:00  WARNING   bm-199  p0  no tenant  Link p0 of bm-199 flapping  → check_cabling',
    );
    const logs = formatFeedLine(
      {
        id: 'a5',
        severity: 'info',
        startsAt: '2026-12-07T04:00:00Z',
        labels: { alertname: 'LogTemplateNew', component: 'logs', service_name: 'sshd' },
      },
      'alert',
    );
    expect(logs).toBe('2026-12-07 04:00  INFO      -  sshd  no tenant');
  });
});
