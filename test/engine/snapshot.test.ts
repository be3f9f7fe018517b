import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { SHIPPED_RULES_DIR } from '../../src/cli/analyze.js';
import { Engine, SnapshotVersionError } from '../../src/engine/engine.js';
import { loadRuleDir } from '../../src/engine/rules/load.js';
import { crashInput as input } from './crash-input.js';

const rules = loadRuleDir(SHIPPED_RULES_DIR);
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

  it('refuses a snapshot of another state layout by its version, before reading any of it', () => {
    const first = new Engine({ rules, allowedLatenessMs: 60_000 });
    for (const e of input().slice(0, 300)) first.push(e);
    // A checkpoint written before snapshots had versions, or by another layout.
    for (const version of [undefined, 2]) {
      const old = serialize({ ...(deserialize(first.snapshot()) as object), version });
      expect(() => new Engine({ rules, allowedLatenessMs: 60_000 }).restore(old)).toThrow(
        SnapshotVersionError,
      );
    }
  });

  it('refuses a snapshot taken under another rule set', () => {
    const first = new Engine({ rules, allowedLatenessMs: 60_000 });
    for (const e of input().slice(0, 300)) first.push(e);
    const other = new Engine({ rules: rules.slice(1), allowedLatenessMs: 60_000 });
    expect(() => other.restore(first.snapshot())).toThrow(/unknown reference rule:/);
  });
});
