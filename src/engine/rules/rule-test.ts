import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { type Static, Type } from 'typebox';
import { parse } from 'yaml';
import type { Alert, Prediction } from '../../model/alert.js';
import type { FaultEvent } from '../../model/event.js';
import { frameText } from '../../sources/framing.js';
import { getSource } from '../../sources/registry.js';
import { isSourceId } from '../../sources/types.js';
import { Engine } from '../engine.js';
import { StaticTopology, type TopologyFile } from '../static-topology.js';
import { parseDuration } from './duration.js';
import { type CompiledRule, loadRuleDir, RuleLoadError } from './load.js';

/**
 * Rule tests in the spirit of `promtool test rules`: input events at times → expected alerts at
 * times. Events are given normalized (`event`), as raw records through a decoder (`record` +
 * `source`), or as a real fixture file (`fixture` + `source`, path relative to the test file).
 */
const Time = Type.String({ description: 'RFC 3339 time, or a duration after `start` (`90s`, `6h`).' });

const InputSchema = Type.Object(
  {
    at: Type.Optional(Time),
    every: Type.Optional(Type.String({ pattern: '^[0-9]+(ms|s|m|h|d)$' })),
    repeat: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    event: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    record: Type.Optional(Type.String()),
    fixture: Type.Optional(Type.String()),
    source: Type.Optional(Type.String()),
    host: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const ExpectedAlert = Type.Object(
  {
    alertname: Type.String(),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    status: Type.Optional(Type.Union([Type.Literal('firing'), Type.Literal('resolved')])),
    count: Type.Optional(Type.Integer()),
    severity: Type.Optional(Type.String()),
    inhibited: Type.Optional(Type.Boolean()),
    children: Type.Optional(Type.Integer({ description: 'Number of alerts this one explains.' })),
    tenants: Type.Optional(Type.Array(Type.String())),
    part_location: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const CaseSchema = Type.Object(
  {
    name: Type.String(),
    start: Type.Optional(Type.String()),
    topology: Type.Optional(Type.Unknown()),
    input_events: Type.Array(InputSchema, { minItems: 1 }),
    expect: Type.Array(
      Type.Object(
        {
          eval_time: Time,
          alerts: Type.Optional(Type.Array(ExpectedAlert)),
          suppressed: Type.Optional(Type.Array(ExpectedAlert)),
          predictions: Type.Optional(
            Type.Array(
              Type.Object({
                alertname: Type.String(),
                labels: Type.Optional(Type.Record(Type.String(), Type.String())),
              }),
            ),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);

const TestFileSchema = Type.Object(
  { tests: Type.Array(CaseSchema, { minItems: 1 }) },
  { additionalProperties: false },
);
type TestCase = Static<typeof CaseSchema>;
type Expected = Static<typeof ExpectedAlert>;

const validate = new Ajv({ allErrors: true, strict: false }).compile(TestFileSchema);

export interface RuleTestResult {
  file: string;
  name: string;
  failures: string[];
}

const DEFAULT_START = '2026-01-01T00:00:00.000Z';

function timeOf(text: string | undefined, start: number): number {
  if (text === undefined) return start;
  if (/^([0-9]+(ms|s|m|h|d))+$/.test(text)) {
    // Compound offsets (`2h15m`) add up their parts.
    return (
      start + (text.match(/[0-9]+(ms|s|m|h|d)/g) ?? []).reduce((sum, part) => sum + parseDuration(part), 0)
    );
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new Error(`not a time: ${text}`);
  return t;
}

function inputEvents(tc: TestCase, start: number, baseDir: string): FaultEvent[] {
  const events: FaultEvent[] = [];
  let n = 0;
  for (const input of tc.input_events) {
    const first = timeOf(input.at, start);
    const step = input.every !== undefined ? parseDuration(input.every) : 0;
    for (let i = 0; i < (input.repeat ?? 1); i++) {
      const at = new Date(first + i * step).toISOString();
      if (input.event !== undefined) {
        events.push({
          'event.id': `test-${++n}`,
          'event.kind': 'event',
          'event.severity': 6,
          'event.original': '',
          message: '',
          ...input.event,
          '@timestamp': at,
        } as unknown as FaultEvent);
        continue;
      }
      const sourceId = input.source ?? '';
      const source = isSourceId(sourceId) ? getSource(sourceId) : undefined;
      if (source === undefined)
        throw new Error(`input needs a known "source" for record/fixture, got "${sourceId}"`);
      const text =
        input.fixture !== undefined
          ? readFileSync(resolve(baseDir, input.fixture), 'utf8')
          : (input.record ?? '');
      for (const frame of frameText(source.createFramer(), text)) {
        const r = source.decode(frame.payload, { line: frame.line, receivedAt: at, occurrence: i });
        if (!r.ok) continue;
        for (const e of r.events) {
          if (input.host !== undefined) e['host.name'] = input.host;
          // A record replayed with `every` is the same record at a later time.
          if (input.record !== undefined) (e as { '@timestamp': string })['@timestamp'] = at;
          events.push(e);
        }
      }
    }
  }
  return events;
}

function matches(labels: Record<string, string>, alertname: string, want?: Record<string, string>): boolean {
  if (labels.alertname !== alertname) return false;
  return Object.entries(want ?? {}).every(([k, v]) => labels[k] === v);
}

function describe(a: Alert): string {
  const labels = Object.entries(a.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `{${labels}} ${a.status} count=${a.count}`;
}

function compareAlerts(
  kind: string,
  actual: Alert[],
  expected: Expected[],
  failures: string[],
  when: string,
): void {
  const left = [...actual];
  for (const exp of expected) {
    const i = left.findIndex((a) => matches(a.labels, exp.alertname, exp.labels));
    if (i === -1) {
      failures.push(
        `${when}: expected ${kind} ${exp.alertname} ${JSON.stringify(exp.labels ?? {})}, not found`,
      );
      continue;
    }
    const a = left.splice(i, 1)[0] as Alert;
    const checks: [string, unknown, unknown][] = [
      ['status', exp.status, a.status],
      ['count', exp.count, a.count],
      ['severity', exp.severity, a.severity],
      ['inhibited', exp.inhibited, a.inhibited],
      ['children', exp.children, a.children.length],
      ['tenants', exp.tenants?.join(','), a.impact?.tenants.join(',')],
      ['part_location', exp.part_location, a.repair?.part?.location],
    ];
    for (const [name, want, got] of checks) {
      if (want !== undefined && want !== got)
        failures.push(`${when}: ${exp.alertname} ${name} is ${String(got)}, expected ${String(want)}`);
    }
  }
  for (const a of left) failures.push(`${when}: unexpected ${kind} ${describe(a)}`);
}

/** Runs one test case against compiled rules; returns the differences, empty when it passes. */
export function runRuleTestCase(rules: readonly CompiledRule[], tc: TestCase, baseDir: string): string[] {
  const failures: string[] = [];
  const start = Date.parse(tc.start ?? DEFAULT_START);
  let events: FaultEvent[];
  try {
    events = inputEvents(tc, start, baseDir);
  } catch (error) {
    return [(error as Error).message];
  }
  const order = events
    .map((e, i) => [Date.parse(e['@timestamp']), i, e] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const engine = new Engine({
    rules,
    allowedLatenessMs: 0,
    ...(tc.topology !== undefined ? { topology: new StaticTopology(tc.topology as TopologyFile) } : {}),
  });
  let next = 0;
  const checkpoints = [...tc.expect].sort((a, b) => timeOf(a.eval_time, start) - timeOf(b.eval_time, start));
  for (const cp of checkpoints) {
    const t = timeOf(cp.eval_time, start);
    while (next < order.length && (order[next] as (typeof order)[number])[0] <= t)
      engine.push((order[next++] as (typeof order)[number])[2]);
    engine.advanceTo(t);
    const when = `at ${cp.eval_time}`;
    // Like promtool, an `alerts` list is the complete set of alerts firing at eval_time; `status: resolved` ones are looked up among all.
    if (cp.alerts !== undefined) {
      const firing = engine.alerts().filter((a) => a.status === 'firing');
      const resolvedWanted = cp.alerts.filter((e) => e.status === 'resolved');
      const resolved = engine
        .alerts()
        .filter(
          (a) =>
            a.status === 'resolved' && resolvedWanted.some((e) => matches(a.labels, e.alertname, e.labels)),
        );
      compareAlerts('alert', [...firing, ...resolved], cp.alerts, failures, when);
    }
    if (cp.suppressed !== undefined)
      compareAlerts('suppressed alert', [...engine.suppressed()], cp.suppressed, failures, when);
    if (cp.predictions !== undefined) {
      const preds: Prediction[] = [...engine.predictions()];
      for (const exp of cp.predictions) {
        const i = preds.findIndex((p) => matches(p.labels, exp.alertname, exp.labels));
        if (i === -1)
          failures.push(
            `${when}: expected prediction ${exp.alertname} ${JSON.stringify(exp.labels ?? {})}, not found`,
          );
        else preds.splice(i, 1);
      }
      for (const p of preds)
        failures.push(`${when}: unexpected prediction ${p.rule} ${JSON.stringify(p.labels)}`);
    }
  }
  return failures;
}

/** Runs every `tests/*.yaml` under `dir` against the rules of `dir`. */
export function runRuleTestDir(dir: string): RuleTestResult[] {
  const rules = loadRuleDir(dir);
  const testDir = join(dir, 'tests');
  let names: string[] = [];
  try {
    names = readdirSync(testDir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort();
  } catch {
    return [];
  }
  const results: RuleTestResult[] = [];
  for (const name of names) {
    const path = join(testDir, name);
    const file = relative(process.cwd(), path) || path;
    const data = parse(readFileSync(path, 'utf8')) as unknown;
    if (!validate(data)) {
      const errors = (validate.errors ?? []).map((e) => ({
        file,
        line: 1,
        col: 1,
        message: `${e.instancePath} ${e.message ?? ''}`,
      }));
      throw new RuleLoadError(errors);
    }
    for (const tc of data.tests) {
      results.push({ file, name: tc.name, failures: runRuleTestCase(rules, tc, dirname(path)) });
    }
  }
  return results;
}
