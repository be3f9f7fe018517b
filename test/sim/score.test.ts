import { describe, expect, it } from 'vitest';
import { kindOf, type ScoredFinding, score } from '../../src/sim/score.js';
import type { TruthRecord } from '../../src/sim/truth.js';

const T0 = Date.parse('2026-12-07T00:00:00Z');
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const truth: TruthRecord[] = [
  {
    kind: 'dimm-uncorrectable',
    node: 'bm-001',
    component: { type: 'memory', id: 'CPU0_DIMM_A1', location: 'CPU0_A1' },
    start: T0,
    manifestAt: T0 + 6 * H,
    expect: { alert: true, prediction: true },
  },
  {
    kind: 'power-loss',
    node: 'bm-002',
    component: { type: 'power_supply', id: 'PSU1+PSU2', location: 'AC input A+B' },
    start: T0 + H,
    manifestAt: T0 + H,
    end: T0 + 2 * H,
    expect: { alert: true, prediction: false, rootCause: true },
  },
  {
    kind: 'deploy',
    node: 'bm-003',
    start: T0 + 3 * H,
    manifestAt: T0 + 3 * H,
    end: T0 + 3 * H + 180_000,
    expect: { alert: false, prediction: false },
  },
];

describe('scoring findings against the ground truth', () => {
  it('matches alerts by node and part, counts effects of a root cause, flags alerts caused by deploys', () => {
    const alerts: ScoredFinding[] = [
      {
        id: 'a1',
        rule: 'MemoryUncorrectableEcc',
        host: 'bm-001',
        repair: { part: { id: 'CPU0_DIMM_A1' } },
        startsAt: iso(T0 + 6 * H),
      },
      { id: 'a2', rule: 'PowerInputLost', host: 'bm-002', startsAt: iso(T0 + H) },
      {
        id: 'a3',
        rule: 'FanFailure',
        host: 'bm-002',
        repair: { part: { id: 'FAN1' } },
        startsAt: iso(T0 + H + 3000),
        parentId: 'a2',
      },
      { id: 'a4', rule: 'NodePoweredOff', host: 'bm-003', startsAt: iso(T0 + 3 * H + 20_000) },
      {
        id: 'a5',
        rule: 'MemoryUncorrectableEcc',
        host: 'bm-009',
        repair: { part: { id: 'CPU1_DIMM_B1' } },
        startsAt: iso(T0),
      },
    ];
    const predictions: ScoredFinding[] = [
      {
        id: 'p1',
        rule: 'DimmFailurePredicted',
        host: 'bm-001',
        repair: { part: { id: 'CPU0_DIMM_A1' } },
        predictedAt: iso(T0 + 4 * H),
      },
      {
        id: 'p2',
        rule: 'DimmFailurePredicted',
        host: 'bm-007',
        repair: { part: { id: 'CPU0_DIMM_C1' } },
        predictedAt: iso(T0 + 4 * H),
      },
    ];
    const s = score(truth, alerts, predictions);
    expect(s.alerts).toEqual({ total: 5, matched: 3, precision: 3 / 5, recall: 1, suppressed: 0 });
    expect(s.operationAlerts).toBe(1);
    const dimm = s.kinds.find((k) => k.kind === 'dimm-uncorrectable')!;
    expect([dimm.injected, dimm.detected, dimm.alerts, dimm.truePositives]).toEqual([1, 1, 2, 1]);
    expect(s.predictions).toMatchObject({
      total: 2,
      correct: 1,
      expected: 1,
      found: 1,
      precision: 0.5,
      recall: 1,
    });
    expect(s.predictions.medianLeadMs).toBe(2 * H);
  });

  it('does not count a prediction made after the failure', () => {
    const late: ScoredFinding[] = [
      {
        id: 'p',
        rule: 'DimmFailurePredicted',
        host: 'bm-001',
        repair: { part: { id: 'CPU0_DIMM_A1' } },
        predictedAt: iso(T0 + 7 * H),
      },
    ];
    expect(score(truth, [], late).predictions).toMatchObject({ correct: 0, found: 0, recall: 0 });
  });

  it("files a port's counter anomaly under the link fault it precedes, and fleet-wide findings under no kind", () => {
    const flap: TruthRecord = {
      kind: 'link-flap',
      node: 'bm-004',
      component: { type: 'network', id: 'p0', location: 'tor-r01-a:Ethernet8' },
      start: T0,
      manifestAt: T0 + H,
      end: T0 + 2 * H,
      expect: { alert: true, prediction: false },
    };
    const alerts: ScoredFinding[] = [
      {
        id: 'x1',
        rule: 'DpuCounterAnomaly',
        host: 'bm-004',
        labels: { interface_name: 'p0', dpu_metric_name: 'rx_errors' },
        startsAt: iso(T0 + 0.3 * H),
      },
      { id: 'x2', rule: 'LogTemplateNew', labels: { component: 'logs' }, startsAt: iso(T0) },
    ];
    const s = score([flap], alerts, []);
    expect(s.alerts.matched).toBe(1);
    const link = s.kinds.find((k) => k.kind === 'link-flap')!;
    expect([link.alerts, link.truePositives]).toEqual([1, 1]);
    expect(s.kinds.find((k) => k.kind === 'noisy-tenant')!.alerts).toBe(0);
    expect(s.kinds.find((k) => k.kind === 'build-failure-burst')!.alerts).toBe(0);
    expect(s.unmatchedByRule).toEqual({ LogTemplateNew: 1 });
  });

  it('reads the fault kind from rule names and labels', () => {
    expect(kindOf({ id: '1', rule: 'DpuLinkFlap' })).toBe('link-flap');
    expect(kindOf({ id: '1', rule: 'PowerSupplyFailure' })).toBe('psu-failure');
    expect(kindOf({ id: '1', rule: 'SmartPredictiveFailure' })).toBe('disk-wearout');
    expect(kindOf({ id: '1', rule: 'OpenStackBuildFailures' })).toBe('build-failure-burst');
    expect(kindOf({ id: '1', rule: 'CpuFault' })).toBeUndefined();
  });
});
