import { expect } from 'vitest';
import { DATASETS, FAULT_CLASSES, type FaultEvent, HW_TYPES } from '../../../src/model/event.js';
import { ipmiSelSource, selFramer } from '../../../src/sources/bmc/ipmi-sel/index.js';
import { redfishSource } from '../../../src/sources/bmc/redfish/index.js';
import { frameText } from '../../../src/sources/framing.js';
import type { DecodeContext, DecodeResult, Frame, Source } from '../../../src/sources/types.js';

export interface Outcome {
  frame: Frame;
  result: DecodeResult;
}

export interface Run {
  frames: Frame[];
  outcomes: Outcome[];
  events: FaultEvent[];
  decoded: Outcome[];
  rejected: Array<{ line: number; path?: string; reason: string; payload: string }>;
  skipped: { header: number; separator: number; banner: number };
}

function run(
  source: Source,
  framer: ReturnType<Source['createFramer']>,
  text: string,
  ctx: DecodeContext,
): Run {
  const frames = frameText(framer, text);
  const outcomes = frames.map((frame) => ({
    frame,
    result: source.decode(frame.payload, {
      ...ctx,
      line: frame.line,
      ...(frame.occurrence !== undefined ? { occurrence: frame.occurrence } : {}),
    }),
  }));
  const rejected: Run['rejected'] = [];
  for (const o of outcomes) {
    if (!o.result.ok) {
      rejected.push({
        line: o.frame.line,
        reason: o.result.reason,
        payload: o.frame.payload,
        ...(o.frame.path !== undefined || o.result.path !== undefined
          ? { path: o.frame.path ?? o.result.path }
          : {}),
      });
    }
  }
  const skipped =
    'skipped' in framer
      ? (framer as ReturnType<typeof selFramer>).skipped
      : { header: 0, separator: 0, banner: 0 };
  return {
    frames,
    outcomes,
    events: outcomes.flatMap((o) => (o.result.ok ? o.result.events : [])),
    decoded: outcomes.filter((o) => o.result.ok),
    rejected,
    skipped: { ...skipped },
  };
}

export function runSel(text: string, ctx: DecodeContext = {}): Run {
  return run(ipmiSelSource, selFramer(), text, ctx);
}

export function runRedfish(text: string, ctx: DecodeContext = {}): Run {
  return run(redfishSource, redfishSource.createFramer(), text, ctx);
}

const ISO_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** DESIGN §4 "always" fields, plus what the BMC sources promise on every event. */
export function expectAlwaysFields(e: FaultEvent, dataset: 'bmc.sel' | 'bmc.redfish'): void {
  expect(e['@timestamp']).toMatch(ISO_UTC_RE);
  expect(e['event.id']).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(e['event.dataset']).toBe(dataset);
  expect(DATASETS).toContain(e['event.dataset']);
  expect(e['event.kind']).toBe('event');
  expect(Number.isInteger(e['event.severity']) && e['event.severity'] >= 0 && e['event.severity'] <= 7).toBe(
    true,
  );
  expect(typeof e['event.original']).toBe('string');
  expect(e['event.original'].length).toBeGreaterThan(0);
  expect(typeof e.message).toBe('string');
  expect(e['observer.type']).toBe('bmc');
  expect(HW_TYPES).toContain(e['hw.type']);
  expect(FAULT_CLASSES).toContain(e['hw.fault.class']);
}

/** Non-blank lines of a text: what the accounting tests balance frames and skips against. */
export function nonBlankLines(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

export function countBy<T>(items: readonly T[], key: (t: T) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item) ?? '(none)';
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
