import { describe, expect, it } from 'vitest';
import { SHIPPED_RULES_DIR } from '../../src/cli/analyze.js';
import { Engine } from '../../src/engine/engine.js';
import { loadRuleDir } from '../../src/engine/rules/load.js';
import type { FaultEvent } from '../../src/model/event.js';
import { ev } from './helpers.js';
import { ipmiEvents } from './sel-events.js';

const rules = loadRuleDir(SHIPPED_RULES_DIR);
const T0 = Date.parse('2026-05-04T00:00:00Z');

/**
 * The real SEL of a power-cycling server on three hosts, and generated correctable-ECC errors (a
 * windowed count and a trend prediction whose state spans the cut).
 */
function input(): FaultEvent[] {
  const out: FaultEvent[] = [];
  for (const host of ['bm-1', 'bm-2', 'bm-3'])
    for (const e of ipmiEvents()) out.push({ ...e, 'host.name': host, 'event.id': `${host}-${e['event.id']}` });
  // A rate rising over 6 h on bm-1 (as in scenario.test.ts), a steady trickle on the others.
  for (let i = 0; i < 2400; i++)
    out.push(
      ev(i % 4 === 3 ? T0 + i * 9000 : T0 + Math.floor(6 * 3_600_000 * Math.sqrt(i / 2400)), {
        'event.dataset': 'bmc.sel',
        'host.name': i % 4 === 3 ? `bm-${2 + (i % 2)}` : 'bm-1',
        'hw.type': 'memory',
        'hw.id': 'CPU0_DIMM_A1',
        'hw.fault.class': 'correctable',
        message: 'Memory CPU0_DIMM_A1: Correctable ECC',
      }),
    );
  return out;
}

const outcome = (e: Engine) =>
  JSON.stringify({
    alerts: e.alerts(),
    suppressed: e.suppressed(),
    predictions: e.predictions(),
    notifications: e.notifications(),
    stats: e.stats,
  });

describe('engine snapshots', () => {
  it('an engine restored from a snapshot taken anywhere ends exactly as an uninterrupted one', () => {
    const events = input();
    const whole = new Engine({ rules, allowedLatenessMs: 60_000 });
    for (const e of events) whole.push(e);
    whole.flush();
    expect(whole.alerts().length).toBeGreaterThan(3);
    expect(whole.predictions().length).toBeGreaterThan(0);
    for (const cut of [1, 57, 200, Math.floor(events.length / 2), events.length - 3]) {
      const first = new Engine({ rules, allowedLatenessMs: 60_000 });
      for (const e of events.slice(0, cut)) first.push(e);
      const bytes = first.snapshot({ note: 'kept' });
      const second = new Engine({ rules, allowedLatenessMs: 60_000 });
      expect(second.restore(bytes)).toEqual({ note: 'kept' });
      for (const e of events.slice(cut)) second.push(e);
      second.flush();
      expect(outcome(second), `cut at ${cut}`).toBe(outcome(whole));
    }
  });

  it('refuses a snapshot taken under another rule set', () => {
    const first = new Engine({ rules, allowedLatenessMs: 60_000 });
    for (const e of input().slice(0, 300)) first.push(e);
    const other = new Engine({ rules: rules.slice(1), allowedLatenessMs: 60_000 });
    expect(() => other.restore(first.snapshot())).toThrow(/unknown reference rule:/);
  });
});
