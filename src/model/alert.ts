/**
 * Alerts and predictions (DESIGN §5). Shaped like Alertmanager's alerts (labels are identity,
 * annotations are not; `fingerprint` is Prometheus's FNV-1a over the sorted labels) so an
 * Alertmanager webhook v4 payload or a Jira/ServiceNow ticket is a projection of one of these, and
 * extended with what a bare-metal operator needs: the part to replace, the tenants and flows it
 * touches, the evidence, and the root cause.
 */

export const ALERT_SEVERITIES = ['critical', 'major', 'warning', 'minor', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export type AlertStatus = 'firing' | 'resolved';

export const REPAIR_ACTIONS = [
  'replace_part',
  'reseat',
  'update_firmware',
  'evacuate',
  'inspect',
  'clear_log',
  'reboot',
  'check_cabling',
  'check_service',
  'none',
] as const;
export type RepairAction = (typeof REPAIR_ACTIONS)[number];

/** What a technician needs to find the part: the id the decoders use, the board label, the serial. */
export interface PartRef {
  id: string;
  type?: string;
  /** Silkscreen or chassis label from the topology (e.g. `CPU0_G1`). */
  location?: string;
  serial?: string;
  manufacturer?: string;
  model?: string;
}

export interface Repair {
  action: RepairAction;
  /** Free text for the technician (templated in the rule). */
  text?: string;
  part?: PartRef;
}

export interface FlowImpact {
  /** `network.community_id` when the flow record has one, else a 5-tuple string. */
  flow: string;
  interface?: string;
  tenantId?: string;
  vni?: number;
  bytes: number;
  packets: number;
}

/** Who and what the fault touches, computed once, at fire time, from the topology of that moment. */
export interface Impact {
  /** Event time (ms) the impact was computed at. */
  at: number;
  tenants: string[];
  leases: string[];
  flows: FlowImpact[];
  bytes: number;
  packets: number;
}

export interface Alert {
  /** Unique per firing episode: fingerprint + first seen, so a re-fire after resolve is a new alert. */
  id: string;
  /** 16 hex digits: FNV-1a 64 over the sorted labels (alertname + group key + rule labels). */
  fingerprint: string;
  rule: string;
  kind: 'alert';
  status: AlertStatus;
  severity: AlertSeverity;
  /** Identity: `alertname`, the rule's `group_by` values and its static labels. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Event time, ISO 8601. */
  startsAt: string;
  lastSeenAt: string;
  endsAt?: string;
  /** Matching events folded into this alert. */
  count: number;
  /** Host (node id) the group key names, when it names one. */
  host?: string;
  repair?: Repair;
  impact?: Impact;
  /**
   * Matching event ids, at most five: those inside the rule's look-back (window, sequence, absence
   * time) when it fired, then the next ones while it stays open.
   */
  evidence: string[];
  /** Root cause: the id of the alert that explains this one, and the alerts this one explains. */
  parentId?: string;
  children: string[];
  /** Notifications are held back: explained by a parent, or caused by the leasing core itself. */
  inhibited: boolean;
  /** Why it is inhibited or annotated (e.g. `maintenance window lease-17 deploy`). */
  suppressedBy?: string;
}

export interface Prediction {
  id: string;
  fingerprint: string;
  rule: string;
  kind: 'prediction';
  severity: AlertSeverity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Event time the prediction was made at (ISO). */
  predictedAt: string;
  /** When the trend is expected to cross the threshold (ISO). */
  eta: string;
  /** 0..1: quality of the fit times how much evidence there is. */
  confidence: number;
  /** The series value at `predictedAt`, the threshold and the fitted slope per hour. */
  value: number;
  threshold: number;
  slopePerHour: number;
  host?: string;
  repair?: Repair;
  impact?: Impact;
  evidence: string[];
}

export type Finding = Alert | Prediction;

const encoder = new TextEncoder();

/**
 * Prometheus `LabelSet.Fingerprint()` (prometheus/common model/signature.go): FNV-1a 64 over the
 * label names sorted byte-wise, each name and value followed by 0xFF, as 16 hex digits. Using the
 * same function keeps Faultline ids equal to what Alertmanager and its tooling compute. The 64-bit
 * state is two 32-bit halves (BigInt per byte cost the engine a tenth of its time on new groups).
 */
export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  // FNV offset basis 0xcbf29ce484222325; prime 0x100000001b3 = 2^40 + 0x1b3.
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const step = (byte: number) => {
    lo = (lo ^ byte) >>> 0;
    const low = lo * 0x1b3;
    const carry = Math.floor(low / 0x100000000);
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  };
  const feed = (text: string) => {
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) for (let i = 0; i < text.length; i++) step(text.charCodeAt(i));
    else for (const byte of encoder.encode(text)) step(byte);
    step(0xff);
  };
  const names = Object.keys(labels).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    feed(name);
    feed(labels[name] ?? '');
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
