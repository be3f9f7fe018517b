import type { Dataset, FaultEvent } from '../model/event.js';

/** The ids accepted by `faultline parse --source`, `POST /v1/ingest/<source>` and the bus headers. */
export const SOURCE_IDS = [
  'openstack-log',
  'openstack-notification',
  'ipmi-sel',
  'redfish',
  'dpu-metrics',
  'dpu-flow',
  'smart',
  'syslog',
  'fleet',
] as const;
export type SourceId = (typeof SOURCE_IDS)[number];

export function isSourceId(value: string): value is SourceId {
  return (SOURCE_IDS as readonly string[]).includes(value);
}

/**
 * One raw record cut out of an input stream by a source's framer. `payload` is what travels on the
 * bus and what `event.original` keeps; `position` is where it came from (a 1-based line number, and
 * for multi-line records the first line).
 */
export interface Frame {
  payload: string;
  line: number;
  /** Number of byte-identical frames seen before this one in the same input (see eventId). */
  occurrence?: number;
  /** Where a frame cut out of a larger document sits in it (`$.Members[3]`). */
  path?: string;
}

/**
 * Cuts a text stream into records. Sources whose records span lines (tracebacks, `sel get` blocks,
 * JSON documents) keep state between `push` calls; `end` flushes what is left.
 */
export interface Framer {
  push(line: string, lineNo: number): Frame[];
  end(): Frame[];
  /** Lines dropped on purpose (table headers, banners), by kind: they are not records. */
  readonly skipped?: Readonly<Record<string, number>>;
}

/** What a decoder knows besides the bytes: hints from the transport, never required. */
export interface DecodeContext {
  /** Host (node id) named by the transport: an ingest query parameter or the Kafka key. */
  host?: string;
  /** Position of the record in its input, echoed into rejections (`line 12`, `$.Members[3]`). */
  line?: number;
  occurrence?: number;
  /** Wall-clock receive time (ISO), used only where a format carries no year or no time at all. */
  receivedAt?: string;
}

export type DecodeResult =
  | { ok: true; events: FaultEvent[] }
  | {
      ok: false;
      reason: string;
      /** JSON path or other location inside the record, when the record itself is structured. */
      path?: string;
      /**
       * Set only by `guardDecode`: the decoder threw, so this is a bug in Faultline, not bad input.
       * Property tests reject it; the record still goes to the dead letters like any rejection.
       */
      internal?: true;
    };

/**
 * Where a byte fast path writes NDJSON: after `reserve(n)` there is room for n bytes in `buffer` from
 * `used`; the writer advances `used`.
 */
export interface ByteSink {
  buffer: Buffer;
  used: number;
  reserve(bytes: number): void;
}

/**
 * A source's optional byte-level fast path for `faultline parse`: it takes the input line by line as
 * bytes (without the line break, CR stripped) and writes the events of the records it recognises
 * straight to NDJSON, byte for byte what `decode` and JSON.stringify would give. Everything else it
 * hands back as frames for the generic decoder; the caller decodes and writes those before the next
 * push, which keeps the output in input order.
 */
export interface NdjsonFastPath {
  push(bytes: Buffer, start: number, end: number, lineNo: number, out: ByteSink): Frame[];
  end(out: ByteSink): Frame[];
  /** Records the fast path encoded itself (one event each). */
  readonly encoded: number;
}

/**
 * A telemetry source: one folder under `src/sources/`, one registry entry. `decode` must never
 * throw: anything it cannot understand comes back as `{ ok: false, reason }` and goes to the
 * dead-letter destination with the record's position.
 */
export interface Source {
  readonly id: SourceId;
  readonly dataset: Dataset;
  readonly description: string;
  /** Media type hint for HTTP ingest: line-oriented text or JSON documents. */
  readonly contentType: 'text/plain' | 'application/json' | 'application/x-ndjson';
  createFramer(): Framer;
  decode(payload: string, ctx: DecodeContext): DecodeResult;
  /** See NdjsonFastPath; `host` is the transport's host hint, as in DecodeContext. */
  createNdjsonFastPath?(options: { host?: string }): NdjsonFastPath;
}

export function rejected(reason: string, path?: string): DecodeResult {
  return path === undefined ? { ok: false, reason } : { ok: false, reason, path };
}

export function decoded(...events: FaultEvent[]): DecodeResult {
  return { ok: true, events };
}

/**
 * The one place where a decoder's exception becomes a rejection (the registry applies it to every
 * source): the `Source.decode` contract is "never throws", and a bug in one decoder must not stop a
 * batch. The rejection says `internal decoder error` and carries `internal: true`, so a dead letter
 * caused by a bug is told apart from bad input, and the decoder property tests fail on it.
 */
export function guardDecode(source: Source): Source {
  const decode = source.decode;
  return {
    ...source,
    decode(payload, ctx) {
      try {
        return decode(payload, ctx);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        return { ok: false, reason: `${source.id} internal decoder error: ${why}`, internal: true };
      }
    },
  };
}
