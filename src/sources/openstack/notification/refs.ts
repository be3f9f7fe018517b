import { NOVA_COMMON_PAYLOADS } from './nova-common-payloads.js';

type Json = Record<string, unknown>;

/** Nesting past this is not a notification but an attack on the stack; it is left as it is. */
const MAX_DEPTH = 64;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `common_payloads/InstancePayload.json#` → `InstancePayload`. */
function refName(ref: string): string {
  const file = ref.split('#')[0]!;
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base.endsWith('.json') ? base.slice(0, -5) : base;
}

/** Deep merge as nova's sample tests do it: objects merge key by key, anything else is replaced. */
function merge(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override;
  const out: Json = { ...base };
  for (const key in override) out[key] = merge(base[key], override[key]);
  return out;
}

function resolve(value: unknown, depth: number, unresolved: string[]): unknown {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => resolve(v, depth + 1, unresolved));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const key in value) {
    if (key !== '$ref') out[key] = resolve(value[key], depth + 1, unresolved);
  }
  const ref = value.$ref;
  if (typeof ref !== 'string') return out;
  const target = NOVA_COMMON_PAYLOADS[refName(ref)];
  if (target === undefined) {
    unresolved.push(ref);
    out.$ref = ref;
    return out;
  }
  return merge(resolve(target, depth + 1, unresolved), out);
}

/**
 * Resolves nova's sample-style `{"$ref": "common_payloads/X.json#", …overrides}` against the
 * built-in table and deep-merges the overrides, the way nova's functional tests build the expected
 * payload. A `$ref` the table does not hold stays in place and is listed in `unresolved`; the
 * input is never modified.
 */
export function resolveRefs(value: unknown): { value: unknown; unresolved: string[] } {
  const unresolved: string[] = [];
  return { value: resolve(value, 0, unresolved), unresolved };
}
