import { describe, expect, it } from 'vitest';
import { type Detector, EwmaDetector, RobustZDetector, SeasonalDetector } from '../../src/engine/anomaly.js';
import { Engine } from '../../src/engine/engine.js';
import { loadRuleText } from '../../src/engine/rules/load.js';
import { TrendSeries } from '../../src/engine/trend.js';
import { labelsFingerprint } from '../../src/model/alert.js';
import type { FaultEvent } from '../../src/model/event.js';
import { ev, rng } from './helpers.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const MIN = 60_000;

const rules = loadRuleText(
  `rules:
  - name: EccStorm
    match: { event.dataset: bmc.sel, hw.type: memory }
    group_by: [host.name, hw.id]
    condition: { count: { window: 10m, value: 5 } }
    severity: warning
    annotations: { summary: '{{$value}} errors on {{hw.id}} of {{host.name}} in {{$window}}' }
  - name: Heartbeat
    match: { event.dataset: openstack.log, service.name: nova-compute }
    group_by: [host.name]
    condition: { absence: { for: 5m } }
    severity: major
  - name: Flap
    match: { event.dataset: host.syslog }
    condition:
      sequence:
        first: { message: { iregex: 'link down' } }
        followed_by: { message: { iregex: 'link up' } }
        within: 1m
    severity: warning
`,
  'inline.yaml',
);

function run(events: FaultEvent[], lateness = 0): Engine {
  const engine = new Engine({ rules, allowedLatenessMs: lateness });
  for (const e of events) engine.push(e);
  engine.flush();
  return engine;
}

const ecc = (at: number, host = 'bm-1', dimm = 'A1') =>
  ev(at, { 'event.dataset': 'bmc.sel', 'host.name': host, 'hw.type': 'memory', 'hw.id': dimm });

describe('Engine', () => {
  it('fires a count rule once the window holds enough events, and folds the rest into it', () => {
    const events = Array.from({ length: 8 }, (_, i) => ecc(T0 + i * MIN));
    const engine = run(events);
    expect(engine.alerts()).toHaveLength(1);
    const [a] = engine.alerts();
    expect(a?.startsAt).toBe(new Date(T0 + 4 * MIN).toISOString());
    expect(a?.count).toBe(4);
    expect(a?.labels).toEqual({ alertname: 'EccStorm', host_name: 'bm-1', hw_id: 'A1' });
    expect(a?.fingerprint).toBe(labelsFingerprint(a?.labels ?? {}));
    expect(a?.annotations.summary).toBe('8 errors on A1 of bm-1 in 10m');
  });

  it('slides the window: events spread wider than the window never fire', () => {
    const engine = run(Array.from({ length: 20 }, (_, i) => ecc(T0 + i * 3 * MIN)));
    expect(engine.alerts()).toHaveLength(0);
  });

  it('resolves after the quiet period in event time, and a later storm is a new alert', () => {
    const storm = (start: number) => Array.from({ length: 6 }, (_, i) => ecc(start + i * MIN));
    const engine = run([...storm(T0), ...storm(T0 + 120 * MIN)]);
    const alerts = engine.alerts();
    expect(alerts.map((a) => a.status)).toEqual(['resolved', 'firing']);
    expect(alerts[0]?.endsAt).toBe(new Date(T0 + 5 * MIN + 10 * MIN).toISOString());
    expect(alerts[0]?.fingerprint).toBe(alerts[1]?.fingerprint);
    expect(alerts[0]?.id).not.toBe(alerts[1]?.id);
  });

  it('gives identical alerts whatever the arrival order within the allowed lateness', () => {
    const random = rng(7);
    const events: FaultEvent[] = [];
    for (let i = 0; i < 400; i++) {
      const host = `bm-${Math.floor(random() * 5)}`;
      events.push(ecc(T0 + Math.floor(random() * 60) * MIN + i, host, random() < 0.5 ? 'A1' : 'B2'));
    }
    const sorted = [...events].sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
    // Shuffle each event at most 30 s away from its place in time order.
    const jittered = sorted
      .map((e, i) => [Date.parse(e['@timestamp']) + random() * 30_000, i, e] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map(([, , e]) => e);
    const inOrder = JSON.stringify(run(sorted, 60_000).alerts());
    expect(JSON.stringify(run(jittered, 60_000).alerts())).toBe(inOrder);
    expect(JSON.stringify(run(sorted, 60_000).alerts())).toBe(inOrder);
    expect(run(sorted).alerts().length).toBeGreaterThan(0);
  });

  it('counts an event behind the watermark as late and leaves the alerts alone', () => {
    const engine = new Engine({ rules, allowedLatenessMs: MIN });
    engine.push(ecc(T0 + 10 * MIN));
    engine.push(ecc(T0));
    expect(engine.stats.late).toBe(1);
    expect(engine.stats.events).toBe(2);
  });

  it('fires absence when the watermark passes last-seen + for, and resolves when the host speaks again', () => {
    const log = (at: number, host: string) =>
      ev(at, { 'event.dataset': 'openstack.log', 'service.name': 'nova-compute', 'host.name': host });
    const engine = new Engine({ rules, allowedLatenessMs: 0 });
    engine.push(log(T0, 'c1'));
    engine.push(log(T0, 'c2'));
    for (let m = 1; m <= 10; m++) engine.push(log(T0 + m * MIN, 'c2'));
    expect(engine.alerts().map((a) => [a.labels.host_name, a.startsAt])).toEqual([
      ['c1', new Date(T0 + 5 * MIN).toISOString()],
    ]);
    engine.push(log(T0 + 11 * MIN, 'c1'));
    expect(engine.alerts()[0]?.status).toBe('resolved');
  });

  it('fires a sequence only when B follows A within the limit', () => {
    const line = (at: number, message: string) =>
      ev(at, { 'event.dataset': 'host.syslog', 'host.name': 'h', message });
    const engine = run([
      line(T0, 'p0: Link down'),
      line(T0 + 2 * MIN, 'p0: Link up'),
      line(T0 + 60 * MIN, 'p0: Link down'),
      line(T0 + 60 * MIN + 20_000, 'p0: Link up'),
    ]);
    expect(engine.alerts().map((a) => a.startsAt)).toEqual([new Date(T0 + 60 * MIN + 20_000).toISOString()]);
  });
});

describe('anomaly detectors', () => {
  const feed = (d: {
    score(x: number, at: number): number | undefined;
    learn(x: number, at: number): void;
  }) => {
    const random = rng(3);
    for (let i = 0; i < 200; i++) d.learn(100 + random() * 10, i * MIN);
    return [d.score(105, 200 * MIN), d.score(400, 200 * MIN)];
  };

  it('EWMA, robust z and seasonal score a spike far above normal points', () => {
    for (const d of [
      new EwmaDetector(0.1, 20),
      new RobustZDetector(120, 20),
      new SeasonalDetector(60 * MIN, 10 * MIN, 30, 5),
    ]) {
      const [normal, spike] = feed(d);
      expect(Math.abs(normal ?? 99)).toBeLessThan(3);
      expect(spike ?? 0).toBeGreaterThan(10);
    }
  });

  it('stays silent while warming up', () => {
    const d: Detector = new RobustZDetector(50, 20);
    for (let i = 0; i < 10; i++) d.learn(1, i);
    expect(d.score(1000, 11)).toBeUndefined();
  });
});

describe('TrendSeries', () => {
  it('predicts when a steady climb crosses the threshold, with high confidence', () => {
    const s = new TrendSeries(6 * 3_600_000);
    for (let i = 0; i <= 100; i++) s.add(T0 + i * MIN, i * 10);
    const fit = s.fit(T0 + 100 * MIN, 2000, 10);
    expect(fit?.eta).toBeCloseTo(T0 + 200 * MIN, -3);
    expect(fit?.confidence).toBeGreaterThan(0.95);
  });

  it('keeps at most its cap of points', () => {
    const s = new TrendSeries(1e12, 64);
    for (let i = 0; i < 10_000; i++) s.add(i, i);
    expect(s.size).toBeLessThanOrEqual(65);
  });
});

describe('labelsFingerprint', () => {
  /** The definition, with BigInt: FNV-1a 64 over sorted names and values, each followed by 0xFF. */
  function reference(labels: Record<string, string>): string {
    let hash = 0xcbf29ce484222325n;
    const feed = (text: string) => {
      for (const byte of [...new TextEncoder().encode(text), 0xff]) {
        hash ^= BigInt(byte);
        hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
      }
    };
    for (const name of Object.keys(labels).sort()) {
      feed(name);
      feed(labels[name] as string);
    }
    return hash.toString(16).padStart(16, '0');
  }

  it('is FNV-1a 64 as Prometheus computes it, for ASCII and other text', () => {
    // An empty label set is the offset basis, as in prometheus/common.
    expect(labelsFingerprint({})).toBe('cbf29ce484222325');
    const random = rng(5);
    const chars = 'aZ_09-.:/ éü€漢😀';
    for (let i = 0; i < 300; i++) {
      const labels: Record<string, string> = {};
      for (let j = 0; j < 1 + Math.floor(random() * 5); j++) {
        const text = (n: number) =>
          Array.from({ length: n }, () => chars[Math.floor(random() * chars.length)]).join('');
        labels[`l${text(3)}`] = text(Math.floor(random() * 20));
      }
      expect(labelsFingerprint(labels)).toBe(reference(labels));
    }
  });
});
