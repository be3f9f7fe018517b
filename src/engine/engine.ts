import type { Alert, Impact, PartRef, Prediction, Repair } from '../model/alert.js';
import { labelsFingerprint } from '../model/alert.js';
import type { FaultEvent } from '../model/event.js';
import type { Topology } from '../model/topology.js';
import { type Detector, EwmaDetector, Ring, RobustZDetector, SeasonalDetector } from './anomaly.js';
import { eventTime } from './event-time.js';
import { FleetEventTopology } from './fleet-topology.js';
import { MinHeap, RunQueue } from './heap.js';
import { FlowTracker } from './impact.js';
import { findComponent, kernelDiskName } from './part-match.js';
import { ProvisioningWindows } from './provisioning.js';
import { formatDuration, parseDuration } from './rules/duration.js';
import { readField } from './rules/fields.js';
import type { CompiledRule, WindowKind } from './rules/load.js';
import { SnapshotCodec } from './snapshot.js';
import { renderTemplate } from './template.js';
import { TrendSeries } from './trend.js';

export interface EngineOptions {
  rules: readonly CompiledRule[];
  topology?: Topology;
  /**
   * How far behind the newest event an event may arrive and still be processed in order (the
   * watermark is max event time − lateness). `Infinity` buffers everything until `flush()`: the
   * offline mode of `faultline analyze`, where the whole file is one batch.
   */
  allowedLatenessMs?: number;
  /** Alertmanager's group_wait in event time: a notification waits this long for its root cause. */
  notifyDelayMs?: number;
  /**
   * Keep every alert, prediction and notification ever made for `alerts()`, `suppressed()`,
   * `predictions()` and `notifications()` (default: the offline engine of `analyze` and rule tests,
   * whose output they are). The live engine sets false: its findings leave memory once
   * `takeChanges()` handed them to the state store, which is where the API reads them.
   */
  retainFindings?: boolean;
  /**
   * How long the state of a quiet series with a long memory (an anomaly baseline, a trend, a counter
   * for `increase`) is kept after its last event, in event time (default 7 days). Other series leave
   * when their window has passed, which changes nothing. `Infinity` keeps every series forever.
   */
  idleStateTtlMs?: number;
}

/** A notification decision: what Alertmanager or a webhook would be sent, at which event time. */
export interface Notification {
  alertId: string;
  status: 'firing' | 'resolved';
  at: string;
}

export interface EngineStats {
  events: number;
  late: number;
  /** Events behind the engine's clock but on time for their own source, processed at once. */
  reordered: number;
  matched: number;
  alerts: number;
  suppressed: number;
  predictions: number;
  watermark?: string;
}

const EVIDENCE_HEAD = 5;
const EVIDENCE_TAIL = 5;
/** A window keeps at most this many points per group: a storm beyond it is counted, not listed. */
const MAX_WINDOW_POINTS = 10_000;
/** Quiet series are looked for once per this much event time (the sweep walks every group). */
const SWEEP_EVERY_MS = 60_000;
const DEFAULT_IDLE_STATE_TTL_MS = 7 * 86_400_000;
/** A series is kept at least this long after its last event: one forgotten and soon back costs its labels again. */
const MIN_IDLE_MS = 3_600_000;

interface GroupState {
  key: string;
  rule: CompiledRule;
  labels: Record<string, string>;
  fingerprint: string;
  host?: string;
  iface?: string;
  window: [number, number][];
  windowSum: number;
  firstOfSequence?: number;
  lastSeen: number;
  lastTrue: number;
  detector?: Detector;
  bucketStart?: number;
  bucketCount: number;
  lastCounter?: [number, number];
  trend?: TrendSeries;
  cumulative: number;
  open?: Alert;
  /** The last few event ids, with their event times beside them (evidence is taken within the rule's span). */
  evidenceTail: string[];
  evidenceAt: number[];
  /** Only for absence rules: the annotations of a missing-heartbeat alert are rendered from it. */
  lastEvent?: FaultEvent;
  resolveDeadline: number;
  /** Arrival order of the hit that set resolveDeadline: the key its (lazily armed) timer fires with. */
  resolveSeq: number;
  /** Event time of the earliest resolve timer known to be queued (Infinity: none known). */
  resolveQueued: number;
  absenceDeadline: number;
  absenceSeq: number;
  absenceQueued: number;
  /** Timers in the queue that point at this group; a group with any is never evicted. */
  pendingTimers: number;
  prediction?: Prediction;
}

interface Timer {
  at: number;
  seq: number;
  state: GroupState;
  kind: 'resolve' | 'absence' | 'notify';
  alert?: Alert;
}

interface Pending {
  at: number;
  seq: number;
  event: FaultEvent;
}

/** Order of the reorder buffer and the timer queue: event time, then arrival. */
const earlierFirst = (a: { at: number; seq: number }, b: { at: number; seq: number }): boolean =>
  a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Every class whose instances live in engine state; a snapshot refuses any other. */
const STATE_CLASSES = {
  MinHeap,
  RunQueue,
  EwmaDetector,
  RobustZDetector,
  SeasonalDetector,
  Ring,
  TrendSeries,
  FlowTracker,
  ProvisioningWindows,
  FleetEventTopology,
};

/**
 * The layout of engine state in a snapshot: raised whenever GroupState or another state field
 * changes shape, so a checkpoint of another release is refused instead of misread.
 */
const SNAPSHOT_VERSION = 3;

/** A snapshot written by an engine with another state layout. */
export class SnapshotVersionError extends Error {
  constructor(found: unknown) {
    super(`engine snapshot version ${String(found)}, this engine reads ${SNAPSHOT_VERSION}`);
    this.name = 'SnapshotVersionError';
  }
}

/** Fields fixed by the options: kept from the restoring engine, never taken from a snapshot. */
const CONFIG_FIELDS = new Set([
  'rules',
  'byDataset',
  'anyDataset',
  'lateness',
  'notifyDelay',
  'retain',
  'idleTtl',
  'spans',
  'ruleByName',
]);

const compareOp = (op: string | undefined, x: number, v: number): boolean => {
  switch (op ?? '>=') {
    case '>':
      return x > v;
    case '<':
      return x < v;
    case '<=':
      return x <= v;
    case '==':
      return x === v;
    default:
      return x >= v;
  }
};

/**
 * The rules of one dataset, and the same rules narrowed by the value of one field most of them pin
 * (`hw.type: memory`): a rule that pins the field to other values cannot match the event, so it is
 * not offered it. A rule with `resolve_on` is always offered (its resolving events match otherwise).
 * Every list keeps the rules' file order, so the engine acts in the same order as over all of them.
 */
interface RuleIndex {
  all: CompiledRule[];
  field?: string;
  byValue: Map<unknown, CompiledRule[]>;
  /** The candidates for a value no rule pins (or no value). */
  others: CompiledRule[];
}

function indexRules(all: CompiledRule[]): RuleIndex {
  const keyable = (r: CompiledRule, f: string) => r.resolveOn === undefined && r.pinned.has(f);
  const votes = new Map<string, number>();
  for (const r of all)
    for (const f of r.pinned.keys())
      if (keyable(r, f) && !f.startsWith('dpu.metric.labels.')) votes.set(f, (votes.get(f) ?? 0) + 1);
  let field: string | undefined;
  for (const [f, n] of votes) if (n >= 2 && (field === undefined || n > (votes.get(field) ?? 0))) field = f;
  const index: RuleIndex = { all, byValue: new Map(), others: all };
  if (field === undefined) return index;
  const key = field;
  index.field = key;
  index.others = all.filter((r) => !keyable(r, key));
  const values = new Set(all.flatMap((r) => (keyable(r, key) ? [...(r.pinned.get(key) ?? [])] : [])));
  for (const v of values)
    index.byValue.set(
      v,
      all.filter((r) => !keyable(r, key) || (r.pinned.get(key) ?? []).includes(v)),
    );
  return index;
}

/**
 * How far back a rule's state and evidence reach: its window, sequence or absence time; a single
 * event's rule, none. (Anomaly baselines and trends also keep what no window bounds: see idleTtl.)
 */
function ruleSpan(rule: CompiledRule): number {
  const c = rule.condition;
  if (c.trend !== undefined) return parseDuration(c.trend.window);
  if (c.anomaly !== undefined) return 0;
  if (rule.sequence !== undefined) return rule.sequence.withinMs;
  if (c.absence !== undefined) return parseDuration(c.absence.for);
  for (const kind of ['count', 'rate', 'sum', 'min', 'max', 'increase'] as const) {
    const spec = c[kind] as { window: string } | undefined;
    if (spec !== undefined) return parseDuration(spec.window);
  }
  return 0;
}

function labelName(field: string): string {
  return field.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * The fault engine (DESIGN §5): pure and deterministic in event time. Events go in with `push` in
 * any order within the allowed lateness; they are processed in (event time, arrival) order as the
 * watermark passes them, and every timer (resolve after quiet, absence, notification delay) fires
 * when the watermark crosses it, never from the wall clock. The same input gives the same alerts.
 */
export class Engine {
  private readonly rules: readonly CompiledRule[];
  private readonly byDataset = new Map<string, RuleIndex>();
  private readonly anyDataset: CompiledRule[] = [];
  private readonly topology: Topology;
  /** Folds fleet events into a topology when no full one is given (the live engine before #16's index). */
  private readonly fleetTopology: FleetEventTopology | undefined;
  private readonly lateness: number;
  private readonly notifyDelay: number;
  private readonly retain: boolean;
  private readonly idleTtl: number;
  /** Per rule: how far back its state and evidence look (window, within, for, bucket, trend window). */
  private readonly spans = new Map<CompiledRule, { evidence: number; ttl: number }>();
  private readonly ruleByName = new Map<string, CompiledRule>();
  private readonly buffer = new RunQueue<Pending>(earlierFirst);
  private readonly timers = new MinHeap<Timer>(earlierFirst);
  private readonly groups = new Map<string, GroupState>();
  private readonly allAlerts: Alert[] = [];
  private readonly suppressedAlerts: Alert[] = [];
  private readonly allPredictions: Prediction[] = [];
  private readonly sent: Notification[] = [];
  /** Firing alerts a notification went out for: their resolution is notified too. */
  private readonly notified = new Set<string>();
  private nextSweep = Number.NEGATIVE_INFINITY;
  /** Events processed since the last sweep: a replay's fast-moving clock must not sweep more often than this pays for. */
  private sinceSweep = 0;
  private readonly flows = new FlowTracker(15 * 60_000);
  private readonly windows = new ProvisioningWindows();
  private readonly firingByHost = new Map<string, Set<Alert>>();
  /** Per host, the serial behind each kernel disk name (`sda`), as SMART last reported it. */
  private readonly diskSerials = new Map<string, Map<string, string>>();
  /** Findings changed since the last takeChanges(), in first-change order (for the store). */
  private readonly dirty = new Set<Alert | Prediction>();
  private seq = 0;
  private maxSeen = Number.NEGATIVE_INFINITY;
  private clock = Number.NEGATIVE_INFINITY;
  private readonly counters = {
    events: 0,
    late: 0,
    reordered: 0,
    matched: 0,
    alerts: 0,
    suppressed: 0,
    predictions: 0,
  };
  /** The newest event time seen per dataset: each source's own stream time. */
  private readonly maxByDataset = new Map<string, number>();

  /** Counters, and the watermark as ISO text (formatted on demand: per event it would cost as much as a rule). */
  get stats(): EngineStats {
    const out: EngineStats = { ...this.counters };
    if (Number.isFinite(this.clock)) out.watermark = new Date(this.clock).toISOString();
    return out;
  }

  constructor(options: EngineOptions) {
    this.rules = options.rules;
    if (options.topology !== undefined) this.topology = options.topology;
    else {
      this.fleetTopology = new FleetEventTopology();
      this.topology = this.fleetTopology;
    }
    this.lateness = options.allowedLatenessMs ?? 60_000;
    this.notifyDelay = options.notifyDelayMs ?? 30_000;
    this.retain = options.retainFindings ?? true;
    this.idleTtl = options.idleStateTtlMs ?? DEFAULT_IDLE_STATE_TTL_MS;
    for (const rule of this.rules) {
      this.ruleByName.set(rule.name, rule);
      const span = ruleSpan(rule);
      const c = rule.condition;
      const baseline = c.anomaly !== undefined || c.trend !== undefined;
      this.spans.set(rule, {
        evidence: baseline ? Number.POSITIVE_INFINITY : span,
        ttl:
          baseline || c.increase !== undefined ? Math.max(span, this.idleTtl) : Math.max(span, MIN_IDLE_MS),
      });
    }
    const lists = new Map<string, CompiledRule[]>();
    for (const rule of this.rules) {
      if (rule.datasets === undefined) this.anyDataset.push(rule);
      else
        for (const d of rule.datasets) {
          const list = lists.get(d) ?? [];
          list.push(rule);
          lists.set(d, list);
        }
    }
    for (const [d, list] of lists) this.byDataset.set(d, indexRules(list));
  }

  /**
   * Takes one event; processes every buffered event the new watermark has passed. `at` is its
   * `@timestamp` in ms, when the caller parsed it already.
   */
  push(event: FaultEvent, at: number = eventTime(event['@timestamp'])): void {
    this.counters.events++;
    const dataset = event['event.dataset'];
    const own = this.maxByDataset.get(dataset) ?? Number.NEGATIVE_INFINITY;
    if (Number.isNaN(at) || at < own - this.lateness) {
      // Behind its own stream's watermark: its windows may already be closed. Counted, like Kafka
      // Streams' dropped-records.
      this.counters.late++;
      return;
    }
    if (at > own) this.maxByDataset.set(dataset, at);
    if (at < this.clock) {
      // On time for its own source, behind the others: the sources of one node arrive through
      // separate ingest batches (a SEL batch can span hours of DPU metrics). Rules group within a
      // source, so it is processed now rather than dropped; only cross-source order is relaxed.
      this.counters.reordered++;
      this.process(event, at);
      return;
    }
    this.buffer.push({ at, seq: this.seq++, event });
    if (at > this.maxSeen) this.maxSeen = at;
    this.drain(this.maxSeen - this.lateness);
  }

  /** End of input: processes everything still buffered. Timers past the last event stay pending. */
  flush(): void {
    this.drain(this.maxSeen);
    this.fireTimers(this.maxSeen, ['notify']);
  }

  /** Moves the watermark to `at` with no event (an idle source's heartbeat, written to the log). */
  advanceTo(at: number): void {
    if (at > this.maxSeen) this.maxSeen = at;
    this.drain(at);
    this.fireTimers(at);
  }

  /** Every alert in firing order (with `retainFindings: false`, none: they went out by takeChanges). */
  alerts(): readonly Alert[] {
    return this.allAlerts;
  }

  suppressed(): readonly Alert[] {
    return this.suppressedAlerts;
  }

  predictions(): readonly Prediction[] {
    return this.allPredictions;
  }

  notifications(): readonly Notification[] {
    return this.sent;
  }

  /** Alerts and predictions created or changed since the last call: what to write to the store. */
  takeChanges(): (Alert | Prediction)[] {
    const out = [...this.dirty];
    this.dirty.clear();
    return out;
  }

  watermark(): number {
    return this.clock;
  }

  /**
   * The oldest event time of `dataset` the engine still takes: an older event is dropped as late,
   * so a caller remembering event ids (to drop a bus's redeliveries) may forget those older than it.
   */
  horizonOf(dataset: string): number {
    return (this.maxByDataset.get(dataset) ?? Number.NEGATIVE_INFINITY) - this.lateness;
  }

  /** How much the engine holds, for bounds in tests and for metrics. */
  stateSize(): { groups: number; timers: number; buffered: number; findings: number; flows: number } {
    return {
      groups: this.groups.size,
      timers: this.timers.size,
      buffered: this.buffer.size,
      findings: this.allAlerts.length + this.suppressedAlerts.length + this.allPredictions.length,
      flows: this.flows.size,
    };
  }

  /**
   * The whole state as bytes, with `extra` state of the caller (instances of `classes`) beside it:
   * an engine restored from it continues exactly as this one would (a checkpoint across a crash).
   * Pending changes are part of it, so take them first.
   */
  snapshot(
    extra: Record<string, unknown> = {},
    classes: Record<string, abstract new (...args: never[]) => unknown> = {},
  ): Buffer {
    this.buffer.compact();
    const state: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) if (!CONFIG_FIELDS.has(k)) state[k] = v;
    return new SnapshotCodec({ ...STATE_CLASSES, ...classes }).encode(
      { version: SNAPSHOT_VERSION, state, extra },
      this.references(),
    );
  }

  /** Replaces this engine's state with a snapshot's (same rules and topology); returns its `extra`. */
  restore(
    bytes: Buffer,
    classes: Record<string, abstract new (...args: never[]) => unknown> = {},
  ): Record<string, unknown> {
    const byName = new Map<string, unknown>();
    for (const [v, name] of this.references()) byName.set(name, v);
    const codec = new SnapshotCodec({ ...STATE_CLASSES, ...classes });
    const { state, extra } = codec.decode(bytes, byName, (top) => {
      const found = (top as { version?: unknown } | null)?.version;
      if (found !== SNAPSHOT_VERSION) throw new SnapshotVersionError(found);
    }) as {
      state: Record<string, unknown>;
      extra: Record<string, unknown>;
    };
    Object.assign(this, state);
    return extra;
  }

  private references(): Map<unknown, string> {
    const refs = new Map<unknown, string>([
      [earlierFirst, 'earlierFirst'],
      [this.rules, 'rules'],
    ]);
    // Position and name: a snapshot restored under a changed rule set fails instead of mixing rules.
    this.rules.forEach((rule, i) => {
      refs.set(rule, `rule:${i}:${rule.name}`);
    });
    if (this.fleetTopology === undefined) refs.set(this.topology, 'topology');
    return refs;
  }

  private drain(watermark: number): void {
    for (;;) {
      const top = this.buffer.peek();
      if (top === undefined || top.at > watermark) break;
      this.buffer.pop();
      this.fireTimers(top.at);
      this.clock = top.at;
      this.process(top.event, top.at);
    }
    if (watermark > this.clock && this.buffer.size === 0) {
      this.fireTimers(watermark);
      this.clock = Math.max(this.clock, watermark);
    }
    if (this.clock >= this.nextSweep && Number.isFinite(this.clock) && this.sinceSweep >= this.groups.size)
      this.sweep();
  }

  /**
   * Forgets the series whose state can no longer change what the engine says: no open alert, no
   * timer, and quiet for longer than the rule looks back (long-memory series: the idle TTL), counted
   * from the oldest event time their datasets still take. Their findings are in the store already.
   */
  private sweep(): void {
    this.nextSweep = this.clock + SWEEP_EVERY_MS;
    this.sinceSweep = 0;
    if (this.idleTtl === Number.POSITIVE_INFINITY) return;
    const horizon = new Map<CompiledRule, number>();
    for (const [key, s] of this.groups) {
      if (s.open !== undefined || s.pendingTimers > 0) continue;
      let h = horizon.get(s.rule);
      if (h === undefined) {
        h = this.ruleHorizon(s.rule);
        horizon.set(s.rule, h);
      }
      const { ttl } = this.spans.get(s.rule) as { ttl: number };
      if (s.lastSeen < h - ttl) this.groups.delete(key);
    }
    let oldest = Number.POSITIVE_INFINITY;
    for (const d of this.maxByDataset.keys()) oldest = Math.min(oldest, this.horizonOf(d));
    this.flows.forgetBefore(oldest);
  }

  /** The oldest event time any dataset of the rule still takes (a dataset not seen yet: any time). */
  private ruleHorizon(rule: CompiledRule): number {
    let h = Number.POSITIVE_INFINITY;
    if (rule.datasets === undefined)
      for (const d of this.maxByDataset.keys()) h = Math.min(h, this.horizonOf(d));
    else for (const d of rule.datasets) h = Math.min(h, this.horizonOf(d));
    return h;
  }

  private fireTimers(upTo: number, only?: Timer['kind'][]): void {
    const deferred: Timer[] = [];
    for (;;) {
      const t = this.timers.peek();
      if (t === undefined || t.at > upTo) break;
      this.timers.pop();
      if (only !== undefined && !only.includes(t.kind)) {
        deferred.push(t);
        continue;
      }
      this.clock = Math.max(this.clock, t.at);
      const s = t.state;
      s.pendingTimers--;
      // Another may still be queued after a reordered event; assuming none costs at most a spare timer.
      if (t.kind === 'resolve') s.resolveQueued = Number.POSITIVE_INFINITY;
      else if (t.kind === 'absence') s.absenceQueued = Number.POSITIVE_INFINITY;
      this.onTimer(t);
    }
    for (const t of deferred) this.timers.push(t);
  }

  private schedule(
    at: number,
    state: GroupState,
    kind: Timer['kind'],
    alert?: Alert,
    seq: number = this.seq++,
  ): void {
    if (!Number.isFinite(at)) return;
    const timer: Timer = { at, seq, state, kind };
    if (alert !== undefined) timer.alert = alert;
    state.pendingTimers++;
    this.timers.push(timer);
  }

  /**
   * One queued timer per group and kind instead of one per hit (a storm under a 24 h resolve_after
   * would queue a timer per event): a deadline that moved later is armed when the queued one fires,
   * with the arrival number of the hit that set it, so timers fire in the order they always did.
   * Only a deadline moved earlier (an event reordered into the past) queues another.
   */
  private arm(s: GroupState, kind: 'resolve' | 'absence', deadline: number): void {
    const seq = this.seq++;
    if (kind === 'resolve') {
      s.resolveDeadline = deadline;
      s.resolveSeq = seq;
      if (deadline < s.resolveQueued) this.queue(s, kind, deadline, seq);
    } else {
      s.absenceDeadline = deadline;
      s.absenceSeq = seq;
      if (deadline < s.absenceQueued) this.queue(s, kind, deadline, seq);
    }
  }

  private queue(s: GroupState, kind: 'resolve' | 'absence', at: number, seq: number): void {
    if (kind === 'resolve') s.resolveQueued = at;
    else s.absenceQueued = at;
    this.schedule(at, s, kind, undefined, seq);
  }

  private onTimer(t: Timer): void {
    const s = t.state;
    if (t.kind === 'resolve') {
      if (s.open === undefined) return;
      if (s.resolveDeadline === t.at) this.resolve(s, t.at);
      else if (s.resolveDeadline > t.at) this.queue(s, 'resolve', s.resolveDeadline, s.resolveSeq);
    } else if (t.kind === 'absence') {
      if (s.open !== undefined) return;
      if (s.absenceDeadline === t.at) {
        const spec = s.rule.condition.absence;
        s.cumulative = 1;
        this.fire(s, t.at, s.lastEvent, 0, spec !== undefined ? parseDuration(spec.for) : 0);
      } else if (s.absenceDeadline > t.at) this.queue(s, 'absence', s.absenceDeadline, s.absenceSeq);
    } else if (t.alert !== undefined && !t.alert.inhibited && t.alert.status === 'firing') {
      this.notified.add(t.alert.id);
      if (this.retain)
        this.sent.push({ alertId: t.alert.id, status: 'firing', at: new Date(t.at).toISOString() });
    }
  }

  private process(input: FaultEvent, at: number): void {
    this.sinceSweep++;
    const event = input['hw.type'] === 'physical_disk' ? this.diskBySerial(input) : input;
    const dataset = event['event.dataset'];
    if (dataset === 'fleet.event') {
      this.windows.observe(event, at);
      this.fleetTopology?.observe(event, at);
      const host = event['host.name'];
      if (host !== undefined) this.suppressLate(host);
    } else if (dataset === 'dpu.flow') this.flows.observe(event, at);
    const index = this.byDataset.get(dataset);
    if (index !== undefined) {
      let rules = index.all;
      if (index.field !== undefined) {
        const v = (event as unknown as Record<string, unknown>)[index.field];
        // An array field matches when any element does: every rule stays a candidate.
        if (!Array.isArray(v)) rules = index.byValue.get(v) ?? index.others;
      }
      for (const rule of rules) this.apply(rule, event, at);
    }
    for (const rule of this.anyDataset) this.apply(rule, event, at);
  }

  /**
   * One disk, one name: SMART names a disk by serial and says which device it is (`/dev/sda`), the
   * kernel names only the device. A kernel record about a device whose serial SMART has reported on
   * that host is read as about that serial, so its errors and SMART's fold into one alert per disk.
   */
  private diskBySerial(event: FaultEvent): FaultEvent {
    const host = event['host.name'];
    const id = event['hw.id'];
    if (host === undefined || id === undefined) return event;
    const device = (event as unknown as Record<string, unknown>)['smart.device.name'];
    if (typeof device === 'string') {
      const name = kernelDiskName(device);
      if (name !== undefined && name !== id) {
        let serials = this.diskSerials.get(host);
        if (serials === undefined) {
          serials = new Map();
          this.diskSerials.set(host, serials);
        }
        if (serials.get(name) !== id) {
          serials.set(name, id);
          // A host has a few dozen disks at most; a flood of names keeps the newest.
          if (serials.size > 256) serials.delete(serials.keys().next().value as string);
          this.renameDisk(host, name, id);
        }
      }
      return event;
    }
    const name = kernelDiskName(id);
    const serial = name === undefined ? undefined : this.diskSerials.get(host)?.get(name);
    return serial === undefined ? event : { ...event, 'hw.id': serial };
  }

  /**
   * The kernel's errors came first, under the device name: their series moves to the serial SMART
   * just named, so SMART's records join the alert already open. That alert keeps the labels it fired
   * with (its id is its identity); the series' later alerts carry the serial.
   */
  private renameDisk(host: string, name: string, serial: string): void {
    for (const rule of this.rules) {
      if (!rule.groupBy.includes('hw.id') || rule.groupBy.some((f) => f !== 'hw.id' && f !== 'host.name'))
        continue;
      const keyOf = (id: string) =>
        rule.groupBy.reduce((key, f) => `${key}\u0000${f === 'hw.id' ? id : host}`, rule.name);
      const s = this.groups.get(keyOf(name));
      const to = keyOf(serial);
      if (s === undefined || this.groups.has(to)) continue;
      this.groups.delete(s.key);
      s.key = to;
      s.labels = { ...s.labels, [labelName('hw.id')]: serial };
      s.fingerprint = labelsFingerprint(s.labels);
      this.groups.set(to, s);
    }
  }

  private groupOf(rule: CompiledRule, event: FaultEvent): GroupState {
    const key = this.peekKey(rule, event);
    let s = this.groups.get(key);
    if (s === undefined) {
      const labels: Record<string, string> = { alertname: rule.name, ...rule.labels };
      for (const field of rule.groupBy) {
        const v = readField(event as unknown as Record<string, unknown>, field);
        if (v !== undefined && v !== null && String(v) !== '') labels[labelName(field)] = String(v);
      }
      s = {
        key,
        rule,
        labels,
        fingerprint: labelsFingerprint(labels),
        window: [],
        windowSum: 0,
        lastSeen: Number.NEGATIVE_INFINITY,
        lastTrue: Number.NEGATIVE_INFINITY,
        bucketCount: 0,
        cumulative: 0,
        evidenceTail: [],
        evidenceAt: [],
        resolveDeadline: Number.NaN,
        resolveSeq: 0,
        resolveQueued: Number.POSITIVE_INFINITY,
        absenceDeadline: Number.NaN,
        absenceSeq: 0,
        absenceQueued: Number.POSITIVE_INFINITY,
        pendingTimers: 0,
      };
      const host = event['host.name'];
      if (host !== undefined && rule.groupBy.includes('host.name')) s.host = host;
      const iface = event['interface.name'];
      if (iface !== undefined && rule.groupBy.includes('interface.name')) s.iface = iface;
      this.groups.set(key, s);
    }
    return s;
  }

  private apply(rule: CompiledRule, event: FaultEvent, at: number): void {
    if (rule.resolveOn?.(event) === true) {
      const s = this.groups.get(this.peekKey(rule, event));
      if (s?.open !== undefined) this.resolve(s, at);
      return;
    }
    if (!rule.match(event)) return;
    this.counters.matched++;
    const s = this.groupOf(rule, event);
    s.lastSeen = at;
    const c = rule.condition;
    if (rule.windowKind !== undefined) {
      this.windowed(s, event, at, rule.windowKind);
    } else if (rule.sequence !== undefined) {
      const seq = rule.sequence;
      if (
        seq.followedBy(event) &&
        s.firstOfSequence !== undefined &&
        at - s.firstOfSequence <= seq.withinMs
      ) {
        s.firstOfSequence = undefined;
        this.hit(s, event, at, 1, seq.withinMs);
      } else if (seq.first(event)) {
        s.firstOfSequence = at;
        this.trackEvidence(s, event, at);
      }
    } else if (c.absence !== undefined) {
      if (s.open !== undefined) this.resolve(s, at);
      s.lastEvent = event;
      this.arm(s, 'absence', at + parseDuration(c.absence.for));
      this.trackEvidence(s, event, at);
    } else if (c.anomaly !== undefined) {
      this.anomaly(s, event, at);
    } else if (c.trend !== undefined) {
      this.trend(s, event, at);
    } else {
      this.hit(s, event, at, s.open === undefined ? 1 : s.open.count + 1, 0);
    }
  }

  private peekKey(rule: CompiledRule, event: FaultEvent): string {
    let key = rule.name;
    for (const field of rule.groupBy) {
      const v = readField(event as unknown as Record<string, unknown>, field);
      key += `\u0000${v === undefined || v === null ? '' : String(v)}`;
    }
    return key;
  }

  private windowed(s: GroupState, event: FaultEvent, at: number, kind: WindowKind): void {
    const c = s.rule.condition;
    const spec = c[kind] as { window: string; op?: string; value: number; field?: string };
    const windowMs = parseDuration(spec.window);
    let v = 1;
    if (spec.field !== undefined) {
      const raw = readField(event as unknown as Record<string, unknown>, spec.field);
      if (typeof raw !== 'number') return;
      v = raw;
      if (kind === 'increase') {
        const prev = s.lastCounter;
        s.lastCounter = [at, raw];
        if (prev === undefined) return;
        v = raw >= prev[1] ? raw - prev[1] : raw;
      }
    }
    s.window.push([at, v]);
    s.windowSum += v;
    while (
      s.window.length > 0 &&
      ((s.window[0] as [number, number])[0] <= at - windowMs || s.window.length > MAX_WINDOW_POINTS)
    ) {
      s.windowSum -= (s.window.shift() as [number, number])[1];
    }
    let value: number;
    if (kind === 'count') value = s.window.length;
    else if (kind === 'rate') value = s.window.length / (windowMs / 1000);
    else if (kind === 'sum' || kind === 'increase') value = s.windowSum;
    else {
      value = kind === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      for (const [, x] of s.window) value = kind === 'min' ? Math.min(value, x) : Math.max(value, x);
    }
    if (compareOp(spec.op, value, spec.value)) this.hit(s, event, at, value, windowMs);
    else if (s.open !== undefined) {
      // Still part of the open episode: count it, but the quiet timer keeps running from lastTrue.
      s.open.count++;
      s.open.lastSeenAt = new Date(at).toISOString();
      this.dirty.add(s.open);
      this.trackEvidence(s, event, at);
    }
  }

  private anomaly(s: GroupState, event: FaultEvent, at: number): void {
    const spec = s.rule.condition.anomaly;
    if (spec === undefined) return;
    const history = spec.history ?? 120;
    const minSamples = spec.min_samples ?? 20;
    if (s.detector === undefined) {
      s.detector =
        spec.method === 'ewma'
          ? new EwmaDetector(spec.alpha ?? 0.1, minSamples)
          : spec.method === 'robust_z'
            ? new RobustZDetector(history, minSamples)
            : new SeasonalDetector(
                parseDuration(spec.period ?? '1d'),
                parseDuration(spec.bucket ?? '1h'),
                Math.max(5, Math.floor(history / 4)),
                Math.min(minSamples, 5),
              );
    }
    const detector = s.detector;
    const threshold = spec.threshold ?? 4;
    const direction = spec.direction ?? 'up';
    const judge = (x: number, when: number, bucketMs: number) => {
      if (x < (spec.min_value ?? Number.NEGATIVE_INFINITY)) {
        detector.learn(x, when);
        return;
      }
      const z = detector.score(x, when);
      detector.learn(x, when);
      if (z === undefined) return;
      const hot =
        direction === 'up'
          ? z >= threshold
          : direction === 'down'
            ? -z >= threshold
            : Math.abs(z) >= threshold;
      if (hot) this.hit(s, event, at, x, bucketMs, { score: Math.round(z * 100) / 100 });
    };
    if (spec.field !== undefined) {
      const raw = readField(event as unknown as Record<string, unknown>, spec.field);
      if (typeof raw !== 'number') return;
      if (spec.counter === true) {
        const prev = s.lastCounter;
        s.lastCounter = [at, raw];
        if (prev === undefined || raw < prev[1] || at <= prev[0]) return;
        judge((raw - prev[1]) / ((at - prev[0]) / 1000), at, at - prev[0]);
      } else {
        judge(raw, at, 0);
      }
      return;
    }
    const bucketMs = parseDuration(spec.bucket ?? '1m');
    const start = Math.floor(at / bucketMs) * bucketMs;
    if (s.bucketStart === undefined) s.bucketStart = start;
    if (start > s.bucketStart) {
      judge(s.bucketCount, s.bucketStart, bucketMs);
      // Quiet buckets in between are zeros of the baseline (at most one history's worth).
      const gaps = Math.min(history, Math.round((start - s.bucketStart) / bucketMs) - 1);
      for (let i = 1; i <= gaps; i++) detector.learn(0, s.bucketStart + i * bucketMs);
      s.bucketStart = start;
      s.bucketCount = 0;
    }
    s.bucketCount++;
    this.trackEvidence(s, event, at);
  }

  private trend(s: GroupState, event: FaultEvent, at: number): void {
    const spec = s.rule.condition.trend;
    if (spec === undefined) return;
    const windowMs = parseDuration(spec.window);
    s.trend ??= new TrendSeries(windowMs);
    let y: number;
    if (spec.field !== undefined) {
      const raw = readField(event as unknown as Record<string, unknown>, spec.field);
      if (typeof raw !== 'number') return;
      y = raw;
    } else {
      y = ++s.cumulative;
    }
    s.trend.add(at, y);
    this.trackEvidence(s, event, at);
    const minPoints = spec.min_points ?? 10;
    // Refitting on every point of a storm is wasted work: every 8th point is as good for an ETA in hours.
    if (
      s.trend.size < minPoints ||
      (s.trend.size % 8 !== 0 && s.prediction === undefined && spec.field === undefined)
    )
      return;
    const fit = s.trend.fit(at, spec.threshold, minPoints);
    if (fit === undefined || fit.eta === undefined) return;
    if (fit.eta - at > parseDuration(spec.horizon) || fit.confidence < (spec.min_confidence ?? 0.5)) return;
    this.predict(s, event, at, fit.eta, fit.confidence, fit.value, spec.threshold, fit.slope * 3_600_000);
  }

  private trackEvidence(s: GroupState, event: FaultEvent, at: number): void {
    s.evidenceTail.push(event['event.id']);
    s.evidenceAt.push(at);
    if (s.evidenceTail.length > EVIDENCE_TAIL) {
      s.evidenceTail.shift();
      s.evidenceAt.shift();
    }
    const open = s.open;
    if (open !== undefined && open.evidence.length < EVIDENCE_HEAD) open.evidence.push(event['event.id']);
  }

  /**
   * The group's recent event ids that fall within its rule's look-back at `at`: an alert's evidence
   * is what made it fire, not an earlier episode's events (and a forgotten series loses nothing).
   */
  private tailWithin(s: GroupState, at: number): string[] {
    const from = at - (this.spans.get(s.rule) as { evidence: number }).evidence;
    const out: string[] = [];
    s.evidenceTail.forEach((id, i) => {
      if ((s.evidenceAt[i] as number) >= from) out.push(id);
    });
    return out;
  }

  /** The condition holds at `at`: open an alert for the group, or fold into the open one. */
  private hit(
    s: GroupState,
    event: FaultEvent,
    at: number,
    value: number,
    windowMs: number,
    extra?: Record<string, number>,
  ): void {
    s.lastTrue = at;
    if (s.open === undefined) {
      this.fire(s, at, event, value, windowMs, extra);
    } else {
      const a = s.open;
      a.count++;
      a.lastSeenAt = new Date(at).toISOString();
      this.dirty.add(a);
      if (!a.evidence.includes(event['event.id'])) this.trackEvidence(s, event, at);
      a.annotations = this.annotate(s, event, a, value, windowMs, extra);
    }
    this.armResolve(s, at);
  }

  private armResolve(s: GroupState, at: number): void {
    if (!Number.isFinite(s.rule.resolveAfterMs)) return;
    this.arm(s, 'resolve', at + s.rule.resolveAfterMs);
  }

  private annotate(
    s: GroupState,
    event: FaultEvent | undefined,
    a: Alert,
    value: number,
    windowMs: number,
    extra?: Record<string, number>,
  ): Record<string, string> {
    const vars: Record<string, string | number> = {
      count: a.count,
      value: Number.isInteger(value) ? value : Math.round(value * 1000) / 1000,
      window: formatDuration(windowMs),
      first: a.startsAt,
      last: a.lastSeenAt,
      rule: s.rule.name,
      ...extra,
    };
    const out: Record<string, string> = {};
    for (const [k, t] of Object.entries(s.rule.annotations)) out[k] = renderTemplate(t, event, vars);
    return out;
  }

  private partOf(s: GroupState, event: FaultEvent | undefined): Repair | undefined {
    const spec = s.rule.repair;
    if (spec === undefined) return undefined;
    const repair: Repair = { action: spec.action };
    if (spec.text !== undefined) repair.text = renderTemplate(spec.text, event, {});
    if (spec.part !== undefined) {
      const id = renderTemplate(spec.part, event, {});
      const part: PartRef = { id };
      const type = event?.['hw.type'];
      if (type !== undefined) part.type = type;
      const components = s.host === undefined ? undefined : this.topology?.node(s.host)?.components;
      const component = components === undefined ? undefined : findComponent(components, id);
      if (component !== undefined) {
        part.type = component.type;
        part.location = component.location;
        if (component.serial !== undefined) part.serial = component.serial;
        if (component.manufacturer !== undefined) part.manufacturer = component.manufacturer;
        if (component.model !== undefined) part.model = component.model;
      }
      repair.part = part;
    }
    return repair;
  }

  private impactAt(s: GroupState, at: number): Impact {
    return this.flows.impact(s.host, at, s.iface, this.topology);
  }

  private fire(
    s: GroupState,
    at: number,
    event: FaultEvent | undefined,
    value: number,
    windowMs: number,
    extra?: Record<string, number>,
  ): void {
    const iso = new Date(at).toISOString();
    const alert: Alert = {
      id: `${s.fingerprint}-${at.toString(36)}`,
      fingerprint: s.fingerprint,
      rule: s.rule.name,
      kind: 'alert',
      status: 'firing',
      severity: s.rule.severity,
      labels: s.labels,
      annotations: {},
      startsAt: iso,
      lastSeenAt: iso,
      count: 1,
      evidence: this.tailWithin(s, at),
      children: [],
      inhibited: false,
    };
    if (event !== undefined && !alert.evidence.includes(event['event.id']))
      alert.evidence.push(event['event.id']);
    alert.evidence = alert.evidence.slice(-EVIDENCE_HEAD);
    if (s.host !== undefined) alert.host = s.host;
    const repair = this.partOf(s, event);
    if (repair !== undefined) alert.repair = repair;
    alert.impact = this.impactAt(s, at);
    alert.annotations = this.annotate(s, event, alert, value, windowMs, extra);
    const activity =
      s.host === undefined ? undefined : this.windows.activeAt(s.host, at, s.rule.suppressDuring);
    if (activity !== undefined) {
      // Caused by the leasing core itself (deploy, cleaning, maintenance): annotated, fires nothing.
      alert.inhibited = true;
      alert.suppressedBy = activity;
      s.open = alert;
      this.dirty.add(alert);
      if (this.retain) this.suppressedAlerts.push(alert);
      this.counters.suppressed++;
      return;
    }
    s.open = alert;
    this.dirty.add(alert);
    if (this.retain) this.allAlerts.push(alert);
    this.counters.alerts++;
    this.correlate(alert, s);
    this.schedule(at + this.notifyDelay, s, 'notify', alert);
  }

  /**
   * A fleet event can reach the engine after the BMC records of the power cycle it caused (they come
   * through different ingest batches): alerts on the host that the now-known window covers are
   * turned into suppressed ones, as if the window had been known when they fired.
   */
  private suppressLate(host: string): void {
    const firing = this.firingByHost.get(host);
    if (firing === undefined) return;
    for (const alert of [...firing]) {
      const rule = this.ruleByName.get(alert.rule);
      if (rule === undefined || alert.inhibited || alert.status !== 'firing') continue;
      const activity = this.windows.activeAt(host, Date.parse(alert.startsAt), rule.suppressDuring);
      if (activity === undefined) continue;
      alert.inhibited = true;
      alert.suppressedBy = activity;
      firing.delete(alert);
      if (this.retain) {
        const i = this.allAlerts.indexOf(alert);
        if (i >= 0) this.allAlerts.splice(i, 1);
        this.suppressedAlerts.push(alert);
      }
      this.counters.alerts--;
      this.counters.suppressed++;
      this.dirty.add(alert);
    }
  }

  private resolve(s: GroupState, at: number): void {
    const a = s.open;
    if (a === undefined) return;
    a.status = 'resolved';
    a.endsAt = new Date(at).toISOString();
    s.open = undefined;
    this.dirty.add(a);
    if (a.host !== undefined) {
      const firing = this.firingByHost.get(a.host);
      firing?.delete(a);
      if (firing?.size === 0) this.firingByHost.delete(a.host);
    }
    if (this.notified.delete(a.id) && !a.inhibited && this.retain)
      this.sent.push({ alertId: a.id, status: 'resolved', at: a.endsAt });
  }

  /**
   * Root cause through the topology: an alert whose rule `explains` others adopts the firing
   * alerts on the same node (or port) that started within `within` of it, in either order, and
   * their notifications are inhibited (DESIGN §5, Vitrage's causal relationship).
   */
  private correlate(alert: Alert, s: GroupState): void {
    const host = alert.host;
    if (host === undefined) return;
    let firing = this.firingByHost.get(host);
    if (firing === undefined) {
      firing = new Set();
      this.firingByHost.set(host, firing);
    }
    const explains = (cause: Alert, causeRule: CompiledRule, effect: Alert): boolean => {
      const ex = causeRule.explains;
      if (ex === undefined || effect === cause || effect.parentId !== undefined || effect.rule === cause.rule)
        return false;
      if (ex.rules !== undefined && !ex.rules.includes(effect.rule)) return false;
      if (ex.scope === 'port' && cause.labels.interface_name !== effect.labels.interface_name) return false;
      if (ex.scope === 'component' && cause.labels.hw_id !== effect.labels.hw_id) return false;
      return Math.abs(Date.parse(effect.startsAt) - Date.parse(cause.startsAt)) <= ex.withinMs;
    };
    const ruleOf = (a: Alert) => this.ruleByName.get(a.rule);
    for (const other of firing) {
      const otherRule = ruleOf(other);
      if (otherRule !== undefined && explains(other, otherRule, alert)) {
        this.adopt(other, alert);
        break;
      }
    }
    if (s.rule.explains !== undefined) {
      for (const other of firing) if (explains(alert, s.rule, other)) this.adopt(alert, other);
    }
    firing.add(alert);
  }

  private adopt(parent: Alert, child: Alert): void {
    child.parentId = parent.id;
    child.inhibited = true;
    child.suppressedBy = `explained by ${parent.rule} (${parent.id})`;
    parent.children.push(child.id);
    this.dirty.add(parent);
    this.dirty.add(child);
  }

  private predict(
    s: GroupState,
    event: FaultEvent,
    at: number,
    eta: number,
    confidence: number,
    value: number,
    threshold: number,
    slopePerHour: number,
  ): void {
    const round = (x: number) => Math.round(x * 1000) / 1000;
    const vars = {
      value: round(value),
      threshold,
      eta: new Date(eta).toISOString(),
      confidence: round(confidence),
      slope: round(slopePerHour),
    };
    const p = s.prediction;
    if (p !== undefined) {
      p.eta = new Date(eta).toISOString();
      p.confidence = round(confidence);
      p.value = round(value);
      p.slopePerHour = round(slopePerHour);
      p.evidence = [...new Set([...p.evidence.slice(0, EVIDENCE_HEAD), ...this.tailWithin(s, at)])];
      const annotations: Record<string, string> = {};
      for (const [k, t] of Object.entries(s.rule.annotations))
        annotations[k] = renderTemplate(t, event, vars);
      p.annotations = annotations;
      this.dirty.add(p);
      return;
    }
    const iso = new Date(at).toISOString();
    const prediction: Prediction = {
      id: `${s.fingerprint}-${at.toString(36)}`,
      fingerprint: s.fingerprint,
      rule: s.rule.name,
      kind: 'prediction',
      severity: s.rule.severity,
      labels: s.labels,
      annotations: {},
      predictedAt: iso,
      eta: vars.eta,
      confidence: vars.confidence,
      value: vars.value,
      threshold,
      slopePerHour: vars.slope,
      evidence: this.tailWithin(s, at),
    };
    for (const [k, t] of Object.entries(s.rule.annotations))
      prediction.annotations[k] = renderTemplate(t, event, vars);
    if (s.host !== undefined) prediction.host = s.host;
    const repair = this.partOf(s, event);
    if (repair !== undefined) prediction.repair = repair;
    prediction.impact = this.impactAt(s, at);
    s.prediction = prediction;
    this.dirty.add(prediction);
    if (this.retain) this.allPredictions.push(prediction);
    this.counters.predictions++;
  }
}
