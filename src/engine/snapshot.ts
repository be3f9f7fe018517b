import { deserialize, serialize } from 'node:v8';

/**
 * Engine state to bytes and back, keeping shared references (an open alert is held by its group,
 * the alert list, the host's firing set and a timer at once) and class instances. v8's structured
 * serializer keeps identity, Maps and Sets but drops prototypes and refuses functions, so the graph
 * is first rewritten: an instance of a registered class becomes a tagged record, and configuration
 * the state points at (compiled rules with their predicates, an injected topology, comparators)
 * becomes a named reference resolved against the restoring engine's own configuration.
 */

type Constructor = abstract new (...args: never[]) => unknown;

interface Tagged {
  $class: string;
  fields: Record<string, unknown>;
}

interface Reference {
  $ref: string;
}

export class SnapshotCodec {
  private readonly classByName = new Map<string, object>();
  private readonly nameByProto = new Map<object, string>();

  constructor(classes: Record<string, Constructor>) {
    for (const [name, cls] of Object.entries(classes)) {
      this.classByName.set(name, cls.prototype as object);
      this.nameByProto.set(cls.prototype as object, name);
    }
  }

  /** `refs`: configuration objects and functions the state may point at, by a stable name. */
  encode(state: unknown, refs: ReadonlyMap<unknown, string>): Buffer {
    const memo = new Map<object, unknown>();
    const walk = (v: unknown, path: string): unknown => {
      const ref = refs.get(v);
      if (ref !== undefined) return { $ref: ref } satisfies Reference;
      if (typeof v === 'function') throw new Error(`snapshot: unregistered function at ${path}`);
      // Typed arrays (compact state such as id hashes) are written by v8 as one block of bytes.
      if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
      const seen = memo.get(v);
      if (seen !== undefined) return seen;
      if (Array.isArray(v)) {
        const out: unknown[] = [];
        memo.set(v, out);
        v.forEach((x, i) => {
          out.push(walk(x, `${path}[${i}]`));
        });
        return out;
      }
      if (v instanceof Map) {
        const out = new Map<unknown, unknown>();
        memo.set(v, out);
        for (const [k, x] of v) out.set(walk(k, `${path}.key`), walk(x, `${path}.get(${String(k)})`));
        return out;
      }
      if (v instanceof Set) {
        const out = new Set<unknown>();
        memo.set(v, out);
        for (const x of v) out.add(walk(x, `${path}.item`));
        return out;
      }
      const proto = Object.getPrototypeOf(v) as object | null;
      const fields: Record<string, unknown> = {};
      let out: unknown = fields;
      if (proto !== Object.prototype && proto !== null) {
        const name = this.nameByProto.get(proto);
        if (name === undefined)
          throw new Error(`snapshot: unregistered class ${proto.constructor.name} at ${path}`);
        out = { $class: name, fields } satisfies Tagged;
      }
      memo.set(v, out);
      for (const [k, x] of Object.entries(v)) fields[k] = walk(x, `${path}.${k}`);
      return out;
    };
    return serialize(walk(state, '$'));
  }

  /** `check` sees the raw top-level value first (a version field, before any class is rebuilt). */
  decode(bytes: Buffer, refs: ReadonlyMap<string, unknown>, check?: (top: unknown) => void): unknown {
    const memo = new Map<object, unknown>();
    const walk = (v: unknown): unknown => {
      if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
      const seen = memo.get(v);
      if (seen !== undefined) return seen;
      if (Array.isArray(v)) {
        const out: unknown[] = [];
        memo.set(v, out);
        for (const x of v) out.push(walk(x));
        return out;
      }
      if (v instanceof Map) {
        const out = new Map<unknown, unknown>();
        memo.set(v, out);
        for (const [k, x] of v) out.set(walk(k), walk(x));
        return out;
      }
      if (v instanceof Set) {
        const out = new Set<unknown>();
        memo.set(v, out);
        for (const x of v) out.add(walk(x));
        return out;
      }
      const record = v as Record<string, unknown>;
      if (typeof record.$ref === 'string' && Object.keys(record).length === 1) {
        if (!refs.has(record.$ref)) throw new Error(`snapshot: unknown reference ${record.$ref}`);
        const target = refs.get(record.$ref);
        memo.set(v, target);
        return target;
      }
      let fields = record;
      let out: Record<string, unknown> = {};
      if (typeof record.$class === 'string' && Object.keys(record).length === 2) {
        const proto = this.classByName.get(record.$class);
        if (proto === undefined) throw new Error(`snapshot: unknown class ${record.$class}`);
        out = Object.create(proto) as Record<string, unknown>;
        fields = record.fields as Record<string, unknown>;
      }
      memo.set(v, out);
      for (const [k, x] of Object.entries(fields)) out[k] = walk(x);
      return out;
    };
    const top: unknown = deserialize(bytes);
    check?.(top);
    return walk(top);
  }
}
