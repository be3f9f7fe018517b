import { describe, expect, it } from 'vitest';
import { SHIPPED_RULES_DIR } from '../../src/cli/analyze.js';
import { Engine } from '../../src/engine/engine.js';
import { RecentIds } from '../../src/engine/recent-ids.js';
import { loadRuleDir } from '../../src/engine/rules/load.js';
import type { Finding } from '../../src/model/alert.js';
import type { FaultEvent } from '../../src/model/event.js';
import { correctableEcc, rng } from './helpers.js';
import { ipmiEvents } from './sel-events.js';

const rules = loadRuleDir(SHIPPED_RULES_DIR);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-02T00:00:00Z');
const DAYS = 6;

/**
 * Six days of a fleet in event time: the real SEL of a power-cycling server (fixture: 238 records
 * over three months, each gap longer than 20 minutes shortened to 20 minutes) replayed on 150 hosts,
 * each from its own offset and again after it ends plus a day and a half, so power-off, power-loss,
 * PSU and redundancy alerts fire and resolve on every host again and again; plus generated
 * correctable-ECC bursts on some DIMMs and a rising error rate on others (no public log has them
 * with timing), and arrival jitter within the allowed lateness.
 */
function longStream(): FaultEvent[] {
  const sel = ipmiEvents();
  const offsets: number[] = [];
  let t = 0;
  sel.forEach((e, i) => {
    if (i > 0) {
      const gap = Date.parse(e['@timestamp']) - Date.parse(sel[i - 1]?.['@timestamp'] as string);
      t += Math.min(gap, 20 * 60_000);
    }
    offsets.push(t);
  });
  const every = t + 36 * HOUR;
  const random = rng(17);
  const out: FaultEvent[] = [];
  for (let h = 0; h < 150; h++) {
    const host = `bm-${String(h).padStart(3, '0')}`;
    for (let k = 0, from = T0 + ((h * 37) % 48) * HOUR; from < T0 + DAYS * DAY; k++, from += every) {
      sel.forEach((e, i) => {
        const at = from + (offsets[i] as number);
        if (at < T0 + DAYS * DAY)
          out.push({
            ...e,
            '@timestamp': new Date(at).toISOString(),
            'host.name': host,
            'event.id': `${host}-${k}-${e['event.id']}`,
          });
      });
      const dimm = `CPU${k % 2}_DIMM_A${1 + (h % 4)}`;
      const ecc = (at: number) => correctableEcc(at, host, dimm);
      if (h % 5 === 0) {
        // A burst: the storm rule fires, and resolves an hour later.
        const burst = from + Math.floor(random() * 20 * HOUR);
        for (let i = 0; i < 25; i++) out.push(ecc(burst + i * 40_000));
      }
      if (h % 25 === 1) {
        // A rate rising over 6 hours (as in the scenario test): a prediction.
        for (let i = 0; i < 1800; i++) out.push(ecc(from + Math.floor(6 * HOUR * Math.sqrt(i / 1800))));
      }
    }
  }
  // Arrival order: event time plus up to 20 s of jitter (inside the 60 s lateness).
  return out
    .filter((e) => Date.parse(e['@timestamp']) < T0 + DAYS * DAY)
    .map((e) => [Date.parse(e['@timestamp']) + random() * 20_000, e] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, e]) => e);
}

describe('engine state over a long stream', () => {
  it('stays bounded with findings handed to the store, and says exactly what the unbounded engine says', () => {
    const events = longStream();
    expect(events.length).toBeGreaterThan(70_000);
    // The reference: every finding kept and no series ever forgotten.
    const whole = new Engine({ rules, allowedLatenessMs: 60_000, idleStateTtlMs: Number.POSITIVE_INFINITY });
    const liveEngine = () => new Engine({ rules, allowedLatenessMs: 60_000, retainFindings: false });
    let live = liveEngine();
    const stored = new Map<string, string>();
    const order: string[] = [];
    const perDay: { groups: number; timers: number; bytes: number; reference: number }[] = [];
    // The end of a batch of the live service: its changes go to the store (upsert by id).
    const store = () => {
      for (const f of live.takeChanges()) {
        if (!stored.has(f.id)) order.push(f.id);
        stored.set(f.id, JSON.stringify(f));
      }
    };
    let day = 1;
    events.forEach((e, i) => {
      whole.push(e);
      live.push(e);
      if (i % 5000 === 4999 || i === events.length - 1) store();
      // A restart from a checkpoint mid-stream (after many series were forgotten) changes nothing.
      if (i === Math.floor(events.length / 2)) {
        store();
        const bytes = live.snapshot();
        live = liveEngine();
        live.restore(bytes);
      }
      if (Date.parse(e['@timestamp']) >= T0 + day * DAY) {
        const size = live.stateSize();
        perDay.push({
          groups: size.groups,
          timers: size.timers,
          bytes: live.snapshot().length,
          reference: whole.stateSize().findings,
        });
        day++;
      }
    });
    expect(perDay).toHaveLength(DAYS - 1);
    const all: Finding[] = [...whole.alerts(), ...whole.suppressed(), ...whole.predictions()];
    expect(whole.alerts().length).toBeGreaterThan(500);
    expect(whole.predictions().length).toBeGreaterThan(0);
    // Same findings, field for field, and the alerts in the same order.
    expect(stored.size).toBe(all.length);
    for (const f of all) expect(stored.get(f.id), f.id).toBe(JSON.stringify(f));
    const alertIds = new Set(whole.alerts().map((a) => a.id));
    expect(order.filter((id) => alertIds.has(id))).toEqual(whole.alerts().map((a) => a.id));
    // The reference grows with the stream; the live engine's state does not once every host's
    // episodes have begun (day 3: the hosts start over the first 48 hours).
    type Day = (typeof perDay)[number];
    const [first, , third, ...rest] = perDay as [Day, Day, Day, ...Day[]];
    expect((perDay.at(-1) as Day).reference).toBeGreaterThan(5 * first.reference);
    for (const d of rest) {
      expect(d.groups).toBeLessThan(1.25 * third.groups);
      // At most a resolve (or absence) and a notification timer per series, not one per event.
      expect(d.timers).toBeLessThanOrEqual(2 * d.groups);
      expect(d.bytes).toBeLessThan(1.25 * third.bytes);
    }
    expect(live.stateSize().findings).toBe(0);
    expect(live.alerts()).toEqual([]);
  });
});

describe('recent event ids', () => {
  it('drops a copy inside the horizon, forgets ids behind it, and survives a checkpoint', () => {
    const ids = new RecentIds(60_000);
    const t = Date.parse('2026-03-02T00:00:00Z');
    ids.add('bmc.sel', t, 'a');
    ids.add('bmc.sel', t + 90_000, 'b');
    ids.add('kernel', t, 'a');
    expect(ids.has('bmc.sel', t, 'a')).toBe(true);
    // Another dataset or another time is another event.
    expect(ids.has('bmc.sel', t + 1, 'b')).toBe(false);
    expect(ids.has('syslog', t, 'a')).toBe(false);
    // Restored under another lateness: the ids keep the generations they were written with.
    const restored = RecentIds.fromBytes(new Uint8Array(ids.toBytes()));
    expect(restored.has('bmc.sel', t + 90_000, 'b')).toBe(true);
    expect(restored.has('kernel', t, 'a')).toBe(true);
    expect(restored.size).toBe(3);
    // Horizon past the first generation of bmc.sel: `a` there is forgotten (a copy would be late).
    restored.forgetBefore('bmc.sel', t + 61_000);
    expect(restored.has('bmc.sel', t, 'a')).toBe(false);
    expect(restored.has('bmc.sel', t + 90_000, 'b')).toBe(true);
    expect(restored.has('kernel', t, 'a')).toBe(true);
  });

  it('keeps 100,000 distinct ids apart and in 8 bytes each plus a header', () => {
    const ids = new RecentIds(60_000);
    const t = Date.parse('2026-03-02T00:00:00Z');
    for (let i = 0; i < 100_000; i++) ids.add('dpu.metric', t, `id-${i}`);
    expect(ids.size).toBe(100_000);
    expect(ids.toBytes().length).toBeLessThan(100_000 * 8 + 200);
    let found = 0;
    for (let i = 100_000; i < 200_000; i++) if (ids.has('dpu.metric', t, `id-${i}`)) found++;
    expect(found).toBe(0);
  });
});
