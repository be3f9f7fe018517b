import { FAULT_KINDS, type FaultKind, type TruthRecord } from './truth.js';

/**
 * Scoring of alerts and predictions against the simulator's ground truth (bench/predict, the demo
 * test). It reads findings in the shape of src/model/alert.ts through the fields any alert API
 * returns (host, part, labels, rule, times), so it judges the engine from the outside.
 */

export interface ScoredFinding {
  id: string;
  rule?: string;
  host?: string;
  labels?: Record<string, string>;
  repair?: { part?: { id?: string } };
  startsAt?: string;
  predictedAt?: string;
  eta?: string;
  parentId?: string;
  /** Set when the engine annotated the finding instead of notifying (e.g. during a deploy). */
  suppressedBy?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The fault kind a finding is about, from its rule name and labels (undefined: none of ours). */
export function kindOf(f: ScoredFinding): FaultKind | undefined {
  const text = `${f.rule ?? ''} ${Object.values(f.labels ?? {}).join(' ')}`;
  if (/flap|crc|fcs|carrier|link/i.test(text)) return 'link-flap';
  if (/saturat|drop|miss|noisy|utiliz|bandwidth|anomal/i.test(text)) return 'noisy-tenant';
  if (/build|spawn|novalidhost|nova|openstack|instance/i.test(text)) return 'build-failure-burst';
  if (/smart|disk|drive|realloc|wear/i.test(text)) return 'disk-wearout';
  if (/input lost|ac lost|power.?lost|powerinput|poweredoff|power.?off/i.test(text)) return 'power-loss';
  if (/psu|power.?supply|redundan/i.test(text)) return 'psu-failure';
  if (/ecc|dimm|memory/i.test(text)) return 'dimm-uncorrectable';
  return undefined;
}

function partOf(f: ScoredFinding): string | undefined {
  return (
    f.repair?.part?.id ??
    f.labels?.hw_id ??
    f.labels?.['hw.id'] ??
    f.labels?.interface ??
    f.labels?.interface_name ??
    f.labels?.['interface.name']
  );
}

function timeOf(f: ScoredFinding): number {
  return Date.parse(f.startsAt ?? f.predictedAt ?? '');
}

/** Whether a finding is about this injected fault: same node, a compatible part and kind, in its window. */
export function matches(f: ScoredFinding, t: TruthRecord, slack = 30 * MINUTE): boolean {
  if (f.host !== t.node) return false;
  const at = timeOf(f);
  const end = Math.max(t.end ?? t.manifestAt, t.manifestAt) + slack;
  if (!(at >= t.start - 5 * MINUTE && at <= end)) return false;
  const part = partOf(f);
  const kind = kindOf(f);
  // A root cause explains every component alert on its node: its effects are part of it.
  if (t.kind === 'power-loss') return true;
  if (part !== undefined && t.component !== undefined && part === t.component.id) return true;
  return kind === t.kind;
}

export interface KindScore {
  kind: FaultKind;
  injected: number;
  detected: number;
  alerts: number;
  truePositives: number;
  recall: number;
  precision: number;
}

export interface Score {
  kinds: KindScore[];
  alerts: { total: number; matched: number; precision: number; recall: number; suppressed: number };
  /** Alerts on healthy nodes during the fleet's own deploys and cleanings (target 0). */
  operationAlerts: number;
  /** Live alerts that match no injected fault, by rule: where precision is lost. */
  unmatchedByRule: Record<string, number>;
  predictions: {
    total: number;
    correct: number;
    expected: number;
    found: number;
    precision: number;
    recall: number;
    medianLeadMs: number | undefined;
    /** Lead of the first correct prediction of each predicted fault. */
    leadsMs: number[];
    /** `kind|node|manifestAt` of each fault predicted in time. */
    foundKeys: string[];
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 1 : a / b;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function countBy(keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** Scores findings against one run's truth. Predictions count when made before the failure manifests. */
export function score(
  truth: readonly TruthRecord[],
  all: readonly ScoredFinding[],
  predictions: readonly ScoredFinding[],
): Score {
  // Suppressed alerts notify nobody: they neither detect a fault nor count against precision.
  const alerts = all.filter((a) => a.suppressedBy === undefined);
  const faults = truth.filter((t) => (FAULT_KINDS as readonly string[]).includes(t.kind));
  const operations = truth.filter((t) => t.kind === 'deploy' || t.kind === 'clean');
  const faultyNodes = new Set(faults.map((f) => f.node));
  const matchedAlerts = new Set<string>();
  const detected = new Set<TruthRecord>();
  for (const a of alerts) {
    for (const t of faults) {
      if (!matches(a, t)) continue;
      matchedAlerts.add(a.id);
      detected.add(t);
    }
  }
  const kinds = FAULT_KINDS.map((kind): KindScore => {
    const injected = faults.filter((t) => t.kind === kind);
    const found = injected.filter((t) => detected.has(t)).length;
    // An alert is filed under the fault it matches (a port's error-rate anomaly before the flap is the
    // link fault's early sign, whatever its rule's name suggests), else under the kind its name says.
    // Fleet-wide findings (no host) are about no node's fault: they count in the totals only.
    const classified = alerts.filter(
      (a) =>
        a.parentId === undefined &&
        a.host !== undefined &&
        (faults.find((t) => matches(a, t))?.kind ?? kindOf(a)) === kind,
    );
    const tp = classified.filter((a) => injected.some((t) => matches(a, t))).length;
    return {
      kind,
      injected: injected.length,
      detected: found,
      alerts: classified.length,
      truePositives: tp,
      recall: ratio(found, injected.length),
      precision: ratio(tp, classified.length),
    };
  });
  const operationAlerts = alerts.filter((a) => {
    if (a.host === undefined || faultyNodes.has(a.host)) return false;
    const at = timeOf(a);
    return operations.some(
      (o) => o.node === a.host && at >= o.start - MINUTE && at <= (o.end ?? o.start) + 10 * MINUTE,
    );
  }).length;

  const expected = faults.filter((t) => t.expect.prediction);
  const leads: number[] = [];
  const foundPredictions = new Set<TruthRecord>();
  let correct = 0;
  for (const p of predictions) {
    const at = timeOf(p);
    const hit = expected.find((t) => matches(p, t, 0) && at < t.manifestAt);
    if (hit === undefined) continue;
    correct++;
    if (!foundPredictions.has(hit)) {
      foundPredictions.add(hit);
      leads.push(hit.manifestAt - at);
    }
  }
  return {
    kinds,
    alerts: {
      total: alerts.length,
      matched: matchedAlerts.size,
      precision: ratio(matchedAlerts.size, alerts.length),
      recall: ratio(detected.size, faults.length),
      suppressed: all.length - alerts.length,
    },
    operationAlerts,
    unmatchedByRule: countBy(alerts.filter((a) => !matchedAlerts.has(a.id)).map((a) => a.rule ?? '?')),
    predictions: {
      total: predictions.length,
      correct,
      expected: expected.length,
      found: foundPredictions.size,
      precision: ratio(correct, predictions.length),
      recall: ratio(foundPredictions.size, expected.length),
      medianLeadMs: median(leads),
      leadsMs: leads,
      foundKeys: [...foundPredictions].map((t) => `${t.kind}|${t.node}|${t.manifestAt}`),
    },
  };
}

export const HOURS = (ms: number | undefined) => (ms === undefined ? '-' : (ms / HOUR).toFixed(1));
