import type { FaultEvent } from '../../model/event.js';
import { fieldReader } from './fields.js';
import type { Match } from './schema.js';

export type Predicate = (event: FaultEvent) => boolean;

type Scalar = string | number | boolean;
type Ops = {
  eq?: Scalar;
  ne?: Scalar;
  in?: Scalar[];
  not_in?: Scalar[];
  regex?: string;
  iregex?: string;
  exists?: boolean;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
};

function isOps(value: unknown): value is Ops {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Arrays in events (event.category) match when any element does, as Elasticsearch terms do. */
function anyOf(value: unknown, test: (v: unknown) => boolean): boolean {
  return Array.isArray(value) ? value.some(test) : test(value);
}

function fieldTest(ops: Ops): (value: unknown) => boolean {
  const tests: ((value: unknown) => boolean)[] = [];
  if (ops.exists !== undefined) {
    const want = ops.exists;
    tests.push((v) => (v !== undefined && v !== null) === want);
  }
  if (ops.eq !== undefined) {
    const eq = ops.eq;
    tests.push((v) => anyOf(v, (x) => x === eq));
  }
  if (ops.ne !== undefined) {
    const ne = ops.ne;
    tests.push((v) => !anyOf(v, (x) => x === ne));
  }
  if (ops.in !== undefined) {
    const set = new Set<unknown>(ops.in);
    tests.push((v) => anyOf(v, (x) => set.has(x)));
  }
  if (ops.not_in !== undefined) {
    const set = new Set<unknown>(ops.not_in);
    tests.push((v) => !anyOf(v, (x) => set.has(x)));
  }
  for (const [source, flags] of [
    [ops.regex, ''],
    [ops.iregex, 'i'],
  ] as const) {
    if (source === undefined) continue;
    const re = new RegExp(source, flags);
    tests.push((v) => anyOf(v, (x) => typeof x === 'string' && re.test(x)));
  }
  const numeric = (pick: number | undefined, cmp: (x: number, bound: number) => boolean) => {
    if (pick === undefined) return;
    tests.push((v) => typeof v === 'number' && cmp(v, pick));
  };
  numeric(ops.gt, (x, b) => x > b);
  numeric(ops.gte, (x, b) => x >= b);
  numeric(ops.lt, (x, b) => x < b);
  numeric(ops.lte, (x, b) => x <= b);
  return (value) => tests.every((t) => t(value));
}

/** Regular expressions cost the most per event: a block tests them after its other fields. */
function cost(ops: Ops): number {
  return ops.regex !== undefined || ops.iregex !== undefined ? 1 : 0;
}

/**
 * Compiles a `match` block into one predicate; regexes are compiled once, here. Every field must
 * pass, so the order of the tests changes nothing but their cost: cheap ones first.
 */
export function compileMatch(match: Match): Predicate {
  const checks = Object.entries(match)
    .map(([field, spec]) => {
      const ops: Ops = Array.isArray(spec) ? { in: spec } : isOps(spec) ? spec : { eq: spec as Scalar };
      return { read: fieldReader(field), test: fieldTest(ops), cost: cost(ops) };
    })
    .sort((a, b) => a.cost - b.cost);
  return (event) => {
    const record = event as unknown as Record<string, unknown>;
    for (const check of checks) if (!check.test(check.read(record))) return false;
    return true;
  };
}

/** The datasets a match block restricts to (for indexing rules by dataset), or undefined for any. */
export function matchDatasets(match: Match): string[] | undefined {
  const spec = match['event.dataset'];
  if (spec === undefined) return undefined;
  if (typeof spec === 'string') return [spec];
  if (Array.isArray(spec)) return spec.map(String);
  if (isOps(spec)) {
    if (typeof spec.eq === 'string') return [spec.eq];
    if (spec.in !== undefined) return spec.in.map(String);
  }
  return undefined;
}

/** Every operator value of a match block, for the loader's checks: [field, operator, value]. */
export function matchEntries(match: Match): [string, string, unknown][] {
  const out: [string, string, unknown][] = [];
  for (const [field, spec] of Object.entries(match)) {
    if (Array.isArray(spec)) out.push([field, 'in', spec]);
    else if (isOps(spec)) for (const [op, v] of Object.entries(spec)) out.push([field, op, v]);
    else out.push([field, 'eq', spec]);
  }
  return out;
}
