import type { HwType } from '../model/event.js';

export const FAULT_KINDS = [
  'dimm-uncorrectable',
  'psu-failure',
  'link-flap',
  'noisy-tenant',
  'build-failure-burst',
  'disk-wearout',
  'power-loss',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The fleet's own operations: their power cycles and port flaps must not raise alerts. */
export type OperationKind = 'deploy' | 'clean';

/** The part a fault is about, named as a repair ticket would: `hw.id`, board label, serial. */
export interface TruthComponent {
  type: HwType;
  id: string;
  location: string;
  serial?: string;
}

/**
 * One line of the ground truth: what was injected (or what the fleet did itself), where, and when it
 * started and became a failure. Times are epoch ms of simulated time (ISO in the JSON lines).
 */
export interface TruthRecord {
  kind: FaultKind | OperationKind;
  node: string;
  component?: TruthComponent;
  /** The first telemetry of the condition (the first corrected errors of a degrading DIMM). */
  start: number;
  /** When the failure manifests (the uncorrectable error): predictions are scored against this. */
  manifestAt: number;
  end?: number;
  /** The tenant leasing the node when the failure manifests, if any. */
  tenant?: string;
  expect: {
    alert: boolean;
    prediction: boolean;
    /** A root cause whose component alerts should be grouped under it. */
    rootCause?: boolean;
  };
}

/** The JSON-lines form: ISO times, fields in a fixed order. */
export function truthJson(r: TruthRecord): string {
  return JSON.stringify({
    kind: r.kind,
    node: r.node,
    ...(r.component !== undefined ? { component: r.component } : {}),
    start: new Date(r.start).toISOString(),
    manifestAt: new Date(r.manifestAt).toISOString(),
    ...(r.end !== undefined ? { end: new Date(r.end).toISOString() } : {}),
    ...(r.tenant !== undefined ? { tenant: r.tenant } : {}),
    expect: r.expect,
  });
}

/** Reads one JSON line written by truthJson. */
export function parseTruth(line: string): TruthRecord {
  const o = JSON.parse(line) as Record<string, unknown> & { expect: TruthRecord['expect'] };
  const r: TruthRecord = {
    kind: o.kind as TruthRecord['kind'],
    node: String(o.node),
    start: Date.parse(String(o.start)),
    manifestAt: Date.parse(String(o.manifestAt)),
    expect: o.expect,
  };
  if (o.component !== undefined) r.component = o.component as TruthComponent;
  if (o.end !== undefined) r.end = Date.parse(String(o.end));
  if (o.tenant !== undefined) r.tenant = String(o.tenant);
  return r;
}
