import fc from 'fast-check';
import type { Dataset, FaultEvent } from '../../src/model/event.js';
import type { DecodeResult } from '../../src/sources/types.js';

const KINDS = new Set(['event', 'metric', 'state', 'alert', 'signal']);
const ISO_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * What is wrong with an event's always-present fields (DESIGN §4), or undefined. Returns instead of
 * asserting so property tests can report the failing input through fast-check's shrinking.
 */
export function alwaysFieldsProblem(e: FaultEvent, dataset: Dataset): string | undefined {
  const ts = e['@timestamp'];
  if (typeof ts !== 'string' || !ISO_UTC_RE.test(ts) || new Date(ts).toISOString() !== ts) {
    return `bad @timestamp ${String(ts)}`;
  }
  if (typeof e['event.id'] !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(e['event.id'])) return 'bad event.id';
  if (e['event.dataset'] !== dataset) return `event.dataset ${e['event.dataset']} is not ${dataset}`;
  if (!KINDS.has(e['event.kind'])) return `bad event.kind ${e['event.kind']}`;
  const sev = e['event.severity'];
  if (!Number.isInteger(sev) || sev < 0 || sev > 7) return `bad event.severity ${String(sev)}`;
  if (typeof e['event.original'] !== 'string') return 'event.original is not a string';
  if (typeof e.message !== 'string') return 'message is not a string';
  return undefined;
}

/**
 * The property every decoder must keep on any input: a result, never an exception (neither thrown
 * nor caught by the registry's guard); a rejection with a reason; decoded events with the always-fields and the transport's host when the record
 * named none.
 */
export function resultProblem(result: DecodeResult, dataset: Dataset): string | undefined {
  if (typeof result !== 'object' || result === null) return 'decode returned no result';
  if (!result.ok) {
    // A guarded decoder that threw: a bug, whatever the input was.
    if (result.internal === true) return `internal error: ${result.reason}`;
    return typeof result.reason === 'string' && result.reason !== '' ? undefined : 'empty reason';
  }
  for (const e of result.events) {
    const problem = alwaysFieldsProblem(e, dataset);
    if (problem !== undefined) return problem;
    if (typeof e['host.name'] !== 'string' || e['host.name'] === '') return 'host.name missing';
  }
  return undefined;
}

/** The inputs every decoder is fuzzed with: any text, any JSON, and every prefix of a real record. */
export function fuzzInputs(sample: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.json(),
    fc.nat(sample.length).map((n) => sample.slice(0, n)),
  );
}
