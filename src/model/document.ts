import { EXTRA_ROOTS, type FaultEvent } from './event.js';

/**
 * The event as Elasticsearch stores it, and back.
 *
 * A FaultEvent's keys are flat ECS paths (`host.name`, `log.file.path`). Elasticsearch accepts those,
 * but it then expands every dotted key into its object path while parsing: measured on the bench
 * mix, that cost it about a sixth of its indexing CPU. So the document goes out in the nested form
 * ECS itself shows (`{"host":{"name":…}}`), which maps to the very same fields, and its `_source`
 * is flattened again when read. Under the source-specific roots (`bmc`, `dpu`, … whose objects are
 * `subobjects: false`), the rest of the key stays one dotted field name (`{"bmc":{"sel.format":…}}`),
 * as those mappings expect.
 *
 * Event values are scalars or arrays of scalars (every source's output over the shared fixtures is);
 * a value that were itself an object would read back with its keys flattened into the event's.
 */

const EXTRA = new Set<string>(EXTRA_ROOTS);

/** Path of each key seen, so the split happens once per field name, not once per event. */
const paths = new Map<string, readonly string[]>();
/** Field names are bounded by the mapping's field limit; this bounds the cache against odd input. */
const PATH_CACHE_LIMIT = 8192;

function pathOf(key: string): readonly string[] {
  let path = paths.get(key);
  if (path !== undefined) return path;
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1) path = [key];
  else {
    const root = key.slice(0, dot);
    path = EXTRA.has(root) ? [root, key.slice(dot + 1)] : key.split('.');
    // `a..b` or a trailing dot has no object path; it stays one field name, as it was sent before.
    if (path.includes('')) path = [key];
  }
  if (paths.size < PATH_CACHE_LIMIT) paths.set(key, path);
  return path;
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A key that would touch an object's prototype if assigned: it goes out flat, defined as an own field. */
const UNSAFE = '__proto__';

/**
 * The document for `event`: its keys nested along their paths. The objects are plain literals built
 * in the event's key order, which keeps them on V8's fast paths (objects without a prototype are
 * dictionaries, and cost twice as much to fill and serialize). An event whose keys collide (`a.b`
 * beside `a.b.c`, or `dpu` beside `dpu.x`) has no nested form that keeps every value: it goes out
 * flat, as every event did before, and Elasticsearch judges it as it did then. A key with
 * `__proto__` in it stays flat.
 */
export function toDocument(event: FaultEvent): Node {
  const doc: Node = {};
  // Objects made here; only these are descended into (an object-valued field is a value, not a path).
  const made: Node[] = [];
  const fields = event as unknown as Node;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === undefined) continue;
    if (key.includes(UNSAFE)) {
      Object.defineProperty(doc, key, { value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const path = pathOf(key);
    let node = doc;
    let i = 0;
    for (; i < path.length - 1; i++) {
      const step = path[i]!;
      const next = node[step];
      if (next === undefined) {
        const child: Node = {};
        node[step] = child;
        made.push(child);
        node = child;
      } else if (made.includes(next as Node)) node = next as Node;
      else return fields;
    }
    const leaf = path[i]!;
    if (node[leaf] !== undefined) return fields;
    node[leaf] = value;
  }
  return doc;
}

/** A leaf's place in a shape's plan: stands in for the value while the plan is built. */
class ValuePlaceholder {
  constructor(readonly key: string) {}
}

/**
 * How to write events of one shape (the same keys in the same order): the JSON text before each
 * value, and after the last. Events of one source come in a handful of shapes, so the plan is made
 * once per shape and the document text is then the plan's texts with each value's JSON between.
 */
interface Plan {
  keys: string[];
  texts: string[];
}

/** Plans keyed by a trie over the event's keys (map lookups of the same interned strings, no signature string). */
interface Trie {
  next: Map<string, Trie>;
  plan?: Plan;
}
const plans: Trie = { next: new Map() };
let trieNodes = 0;
/** Shapes beyond this many trie nodes (odd input with ever-new keys) are written the generic way. */
const TRIE_LIMIT = 20_000;

/** A shape whose keys collide plans the flat form, as toDocument writes it. */
function planFor(keys: string[]): Plan {
  const marks: Node = {};
  for (const k of keys)
    Object.defineProperty(marks, k, { value: new ValuePlaceholder(k), enumerable: true, writable: true });
  const planKeys: string[] = [];
  const texts: string[] = [];
  let text = '';
  const walk = (node: Node) => {
    text += '{';
    let first = true;
    for (const name of Object.keys(node)) {
      text += `${first ? '' : ','}${JSON.stringify(name)}:`;
      first = false;
      const value = node[name];
      if (value instanceof ValuePlaceholder) {
        texts.push(text);
        planKeys.push(value.key);
        text = '';
      } else walk(value as Node);
    }
    text += '}';
  };
  walk(toDocument(marks as unknown as FaultEvent));
  texts.push(text);
  return { keys: planKeys, texts };
}

/** What JSON.stringify needs to escape in a string (surrogates: it escapes lone ones). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(text)`, without the call's set-up cost for short strings that need no escape. */
export function jsonString(text: string): string {
  return text.length > 48 || NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/**
 * `JSON.stringify(value)` for one field value. A call of JSON.stringify costs more to set up than
 * most values take to write, so plain strings, numbers and booleans are written here.
 */
function jsonValue(value: unknown): string | undefined {
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value) as string | undefined;
}

/**
 * Recently used shapes by key count, checked before the trie: comparing the key arrays (the same
 * interned strings) is cheaper than a map lookup per key, and a batch holds few shapes.
 */
const recent: Array<Array<{ names: string[]; plan: Plan }> | undefined> = [];
const RECENT_PER_COUNT = 8;

function sameNames(a: string[], b: string[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The plan of events with keys `names`; null once the trie is full (odd input): the generic way then. */
function planOf(names: string[]): Plan | null {
  const bucket = recent[names.length];
  if (bucket !== undefined) {
    for (const entry of bucket) if (sameNames(entry.names, names)) return entry.plan;
  }
  let trie = plans;
  for (const name of names) {
    let next = trie.next.get(name);
    if (next === undefined) {
      if (trieNodes >= TRIE_LIMIT) return null;
      next = { next: new Map() };
      trie.next.set(name, next);
      trieNodes++;
    }
    trie = next;
  }
  const plan = trie.plan ?? planFor(names);
  trie.plan = plan;
  if (names.length < 256) {
    const list = recent[names.length] ?? [];
    recent[names.length] = list;
    if (list.length >= RECENT_PER_COUNT) list.pop();
    list.unshift({ names, plan });
  }
  return plan;
}

/**
 * `JSON.stringify(toDocument(event))`, at about the cost of stringifying the flat event (measured
 * in the consumer with Elasticsearch faked): the nesting is worked out once per shape of event, not
 * per event. Falls back to the generic way for an event with an undefined value or a value JSON
 * cannot hold.
 */
export function documentJson(event: FaultEvent): string {
  const fields = event as unknown as Node;
  const plan = planOf(Object.keys(fields));
  if (plan === null) return JSON.stringify(toDocument(event));
  const { keys, texts } = plan;
  let out = texts[0]!;
  for (let i = 0; i < keys.length; i++) {
    const json = jsonValue(fields[keys[i]!]);
    if (json === undefined) return JSON.stringify(toDocument(event));
    out += json + texts[i + 1]!;
  }
  return out;
}

/** The event a stored `_source` holds: nested objects flattened into dotted keys (flat keys pass as they are). */
export function fromDocument(source: unknown): FaultEvent {
  const event: Node = {};
  if (isNode(source)) flatten(source, '', event);
  return event as unknown as FaultEvent;
}

function flatten(node: Node, prefix: string, out: Node): void {
  for (const key of Object.keys(node)) {
    const value = node[key];
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isNode(value)) flatten(value, name, out);
    else if (name !== '__proto__') out[name] = value;
  }
}
