import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { AlertSeverity, RepairAction } from '../../model/alert.js';
import { parseDuration } from './duration.js';
import { fieldType } from './fields.js';
import { compileMatch, matchDatasets, matchEntries, type Predicate } from './matcher.js';
import { type Condition, type Match, type RuleFile, RuleFileSchema, type RuleSpec } from './schema.js';

/** One problem in a rule file, at the position of the offending YAML node. */
export interface RuleError {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatRuleError(e: RuleError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.message}`;
}

export class RuleLoadError extends Error {
  constructor(readonly errors: RuleError[]) {
    super(errors.map(formatRuleError).join('\n'));
    this.name = 'RuleLoadError';
  }
}

export interface CompiledRule {
  name: string;
  file: string;
  description?: string;
  severity: AlertSeverity;
  match: Predicate;
  /** Datasets the rule can match, undefined for all (lets the engine index rules). */
  datasets?: string[];
  groupBy: string[];
  condition: Condition;
  resolveOn?: Predicate;
  resolveAfterMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  repair?: { action: RepairAction; text?: string; part?: string };
  explains?: { scope: 'node' | 'component' | 'port'; withinMs: number; rules?: string[] };
  suppressDuring: string[];
  /** Fields the match block pins to listed values (eq / in), for the engine's rule index. */
  pinned: Map<string, readonly unknown[]>;
  /** The windowed aggregation of the condition (count, rate, sum, min, max, increase), if it is one. */
  windowKind?: WindowKind;
  /** Sequence steps compiled, when the condition is a sequence. */
  sequence?: { first: Predicate; followedBy: Predicate; withinMs: number };
}

export type WindowKind = 'count' | 'rate' | 'sum' | 'min' | 'max' | 'increase';
const WINDOW_KINDS: readonly WindowKind[] = ['count', 'rate', 'sum', 'min', 'max', 'increase'];

const ajv = new Ajv({ allErrors: true, strict: false });
const validateFile = ajv.compile(RuleFileSchema);

type Path = (string | number)[];

/** The YAML node at `path`, or the deepest existing ancestor (so a missing key points at its parent). */
function nodeAt(root: Node | null, path: Path): Node | null {
  let node: Node | null = root;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (pair === undefined) return node;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (item === undefined) return node;
      node = item;
    } else {
      return node;
    }
  }
  return node;
}

/** The key node of the last path element (for errors about a field name, not its value). */
function keyNodeAt(root: Node | null, path: Path): Node | null {
  const parent = nodeAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === last);
    if (pair !== undefined) return pair.key as Node;
  }
  return nodeAt(root, path);
}

function ajvMessage(e: ErrorObject): string {
  const where = e.instancePath === '' ? 'file' : e.instancePath.slice(1).replaceAll('/', '.');
  if (e.keyword === 'additionalProperties') {
    return `${where}: unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (e.keyword === 'enum' || e.keyword === 'const') return `${where}: ${e.message}`;
  return `${where}: ${e.message ?? 'invalid'}`;
}

/** Ajv reports every branch of a union; keep the most specific (deepest) errors per location. */
function pickErrors(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const paths = [...byPath.keys()];
  const out: ErrorObject[] = [];
  for (const [path, list] of byPath) {
    if (paths.some((p) => p !== path && p.startsWith(`${path}/`))) {
      // A deeper error is more specific than a union's complaint here, but an unknown key stands on its own.
      out.push(...list.filter((e) => e.keyword === 'additionalProperties'));
      continue;
    }
    const nonUnion = list.filter((e) => e.keyword !== 'anyOf');
    const literal = nonUnion.filter((e) => e.keyword === 'const');
    if (literal.length > 1) {
      const allowed = literal.map((e) =>
        JSON.stringify((e.params as { allowedValue: unknown }).allowedValue),
      );
      out.push({ ...(literal[0] as ErrorObject), message: `must be one of ${allowed.join(', ')}` });
    } else {
      out.push(...(nonUnion.length > 0 ? nonUnion.slice(0, 2) : list.slice(0, 1)));
    }
  }
  return out;
}

const NUMERIC_OPS = new Set(['gt', 'gte', 'lt', 'lte']);
const REGEX_OPS = new Set(['regex', 'iregex']);

function checkMatch(
  match: Match,
  path: Path,
  report: (path: Path, message: string, key?: boolean) => void,
): void {
  for (const [field, op, value] of matchEntries(match)) {
    const type = fieldType(field);
    if (type === undefined) {
      report(
        [...path, field],
        `unknown field "${field}": no decoder writes it (see rules/README.md, fields)`,
        true,
      );
      continue;
    }
    if (NUMERIC_OPS.has(op) && type !== 'number') {
      report([...path, field, op], `"${op}" needs a numeric field; "${field}" is ${type}`);
    }
    if (REGEX_OPS.has(op)) {
      try {
        new RegExp(String(value));
      } catch (error) {
        report([...path, field, op], `invalid regular expression: ${(error as Error).message}`);
      }
      if (type !== 'string' && type !== 'array')
        report([...path, field, op], `"${op}" needs a string field; "${field}" is ${type}`);
    }
    if (
      (op === 'eq' || op === 'ne' || op === 'in' || op === 'not_in') &&
      type !== 'array' &&
      type !== 'object'
    ) {
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) {
        if (typeof v !== type) {
          report([...path, field], `"${field}" is a ${type} field; ${JSON.stringify(v)} is a ${typeof v}`);
          break;
        }
      }
    }
  }
}

function conditionKind(condition: Condition | undefined): keyof Condition | undefined {
  return condition === undefined ? undefined : (Object.keys(condition)[0] as keyof Condition | undefined);
}

function defaultResolveAfter(condition: Condition | undefined): number {
  const kind = conditionKind(condition);
  if (kind === undefined || condition === undefined) return 3_600_000;
  const c = condition[kind] as { window?: string; within?: string; for?: string; horizon?: string };
  const text = c.window ?? c.within ?? c.for ?? c.horizon;
  return text === undefined ? 3_600_000 : parseDuration(text);
}

function compileRule(spec: RuleSpec, file: string): CompiledRule {
  const rule: CompiledRule = {
    name: spec.name,
    file,
    severity: spec.severity,
    // The engine only offers a rule the events of its datasets: no need to test the dataset again.
    match: compileMatch(
      matchDatasets(spec.match) === undefined
        ? spec.match
        : Object.fromEntries(Object.entries(spec.match).filter(([k]) => k !== 'event.dataset')),
    ),
    groupBy: spec.group_by ?? ['host.name'],
    condition: spec.condition ?? {},
    resolveAfterMs:
      spec.resolve_after === 'never'
        ? Number.POSITIVE_INFINITY
        : spec.resolve_after !== undefined
          ? parseDuration(spec.resolve_after)
          : defaultResolveAfter(spec.condition),
    labels: spec.labels ?? {},
    annotations: spec.annotations ?? {},
    suppressDuring: spec.suppress_during ?? [],
    pinned: new Map(),
  };
  for (const [field, op, value] of matchEntries(spec.match)) {
    if (field === 'event.dataset' || rule.pinned.has(field)) continue;
    if (op === 'eq') rule.pinned.set(field, [value]);
    else if (op === 'in') rule.pinned.set(field, value as unknown[]);
  }
  // Two operators on one field (eq and a regex, say) still pin it: every test must pass.
  const datasets = matchDatasets(spec.match);
  if (datasets !== undefined) rule.datasets = datasets;
  const windowKind = WINDOW_KINDS.find((k) => spec.condition?.[k] !== undefined);
  if (windowKind !== undefined) rule.windowKind = windowKind;
  if (spec.description !== undefined) rule.description = spec.description;
  if (spec.resolve_on !== undefined) rule.resolveOn = compileMatch(spec.resolve_on);
  if (spec.repair !== undefined) rule.repair = spec.repair;
  if (spec.explains !== undefined) {
    rule.explains = { scope: spec.explains.scope, withinMs: parseDuration(spec.explains.within) };
    if (spec.explains.rules !== undefined) rule.explains.rules = spec.explains.rules;
  }
  const seq = spec.condition?.sequence;
  if (seq !== undefined) {
    rule.sequence = {
      first: compileMatch(seq.first),
      followedBy: compileMatch(seq.followed_by),
      withinMs: parseDuration(seq.within),
    };
  }
  return rule;
}

/** Parses, validates and compiles one rule file's text. Throws RuleLoadError with every problem found. */
export function loadRuleText(text: string, file: string): CompiledRule[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const errors: RuleError[] = [];
  const at = (node: Node | null | undefined, message: string) => {
    const offset = node?.range?.[0] ?? 0;
    const pos = lineCounter.linePos(offset);
    errors.push({ file, line: pos.line, col: pos.col, message });
  };
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    errors.push({ file, line: pos.line, col: pos.col, message: e.message.split('\n')[0] ?? e.message });
  }
  if (errors.length > 0) throw new RuleLoadError(errors);
  const root = doc.contents as Node | null;
  const raw = doc.toJS() as unknown;
  if (!validateFile(raw)) {
    for (const e of pickErrors(validateFile.errors ?? [])) {
      const path: Path = e.instancePath
        .split('/')
        .slice(1)
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p.replaceAll('~1', '/').replaceAll('~0', '~')));
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      at(extra !== undefined ? keyNodeAt(root, [...path, extra]) : nodeAt(root, path), ajvMessage(e));
    }
    throw new RuleLoadError(errors);
  }
  const value = raw as RuleFile;
  const report = (path: Path, message: string, key = false) =>
    at(key ? keyNodeAt(root, path) : nodeAt(root, path), message);
  value.rules.forEach((spec, i) => {
    const base: Path = ['rules', i];
    checkMatch(spec.match, [...base, 'match'], report);
    if (spec.resolve_on !== undefined) checkMatch(spec.resolve_on, [...base, 'resolve_on'], report);
    (spec.group_by ?? []).forEach((field, j) => {
      if (fieldType(field) === undefined)
        report([...base, 'group_by', j], `unknown field "${field}" in group_by`);
    });
    const kind = conditionKind(spec.condition);
    if (kind !== undefined && spec.condition !== undefined) {
      const cond = spec.condition[kind] as {
        field?: string;
        first?: Match;
        followed_by?: Match;
        method?: string;
        period?: string;
      };
      const cpath: Path = [...base, 'condition', kind];
      if (cond.field !== undefined) {
        const type = fieldType(cond.field);
        if (type !== 'number') {
          report(
            [...cpath, 'field'],
            type === undefined ? `unknown field "${cond.field}"` : `"${cond.field}" is ${type}, not a number`,
          );
        }
      } else if (kind === 'sum' || kind === 'min' || kind === 'max' || kind === 'increase') {
        report(cpath, `${kind} needs "field"`);
      }
      if (cond.first !== undefined) checkMatch(cond.first, [...cpath, 'first'], report);
      if (cond.followed_by !== undefined) checkMatch(cond.followed_by, [...cpath, 'followed_by'], report);
      if (cond.method === 'seasonal' && cond.period === undefined) report(cpath, 'seasonal needs "period"');
    }
  });
  if (errors.length > 0) throw new RuleLoadError(errors);
  return value.rules.map((spec) => compileRule(spec, file));
}

function ruleFilesIn(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'tests') out.push(...ruleFilesIn(path));
    } else if (/\.ya?ml$/.test(name)) {
      out.push(path);
    }
  }
  return out;
}

/**
 * Loads every `*.yaml` under `dir` (except `tests/`), checks names are unique and that `explains.rules`
 * name existing rules. All problems of all files are reported together.
 */
export function loadRuleDir(dir: string): CompiledRule[] {
  const errors: RuleError[] = [];
  const rules: CompiledRule[] = [];
  for (const path of ruleFilesIn(dir)) {
    const file = relative(process.cwd(), path) || path;
    try {
      rules.push(...loadRuleText(readFileSync(path, 'utf8'), file));
    } catch (error) {
      if (error instanceof RuleLoadError) errors.push(...error.errors);
      else throw error;
    }
  }
  const seen = new Map<string, CompiledRule>();
  for (const rule of rules) {
    const prior = seen.get(rule.name);
    if (prior !== undefined)
      errors.push({
        file: rule.file,
        line: 1,
        col: 1,
        message: `rule ${rule.name} is also defined in ${prior.file}`,
      });
    seen.set(rule.name, rule);
  }
  for (const rule of rules) {
    for (const name of rule.explains?.rules ?? []) {
      if (!seen.has(name))
        errors.push({
          file: rule.file,
          line: 1,
          col: 1,
          message: `rule ${rule.name} explains unknown rule ${name}`,
        });
    }
  }
  if (errors.length > 0) throw new RuleLoadError(errors);
  return rules;
}
