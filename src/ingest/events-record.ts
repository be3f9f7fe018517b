/**
 * The `<prefix>.events` record contract (DESIGN §1, §6): how the ingest pipeline hands its normalized
 * events to the fault engine's consumer group.
 *
 * A record packs the events of one ingest slice that fall on one partition of the topic: the value is
 * a JSON array of the flat events, in the order ingest produced them, and the header
 * `faultline-events-format` names the format and its version. The partition is the one the bus gives
 * the event's key (`host.name`, else `service.name`), so every event of a server still reaches the one
 * engine instance that owns the partition. One Kafka record per event cost the pipeline more CPU than
 * decoding and storing together (kafkajs's per-record work); a few hundred per record cost nothing
 * measurable (docs/benchmarks.md, bench:ingest).
 */
import type { BusMessage, KeyPartitioner, OutgoingMessage } from '../bus/types.js';
import type { FaultEvent } from '../model/event.js';
import { errorMessage } from '../shared/errors.js';

export const EVENTS_FORMAT_HEADER = 'faultline-events-format';
/** Bump the version for any change a reader of this version would misread. */
export const EVENTS_FORMAT = 'json-array;v=1';

/**
 * Characters of JSON per record before the events are split over several: a record alone fits a
 * topic with Kafka's default `max.message.bytes` (1 MiB), and it is a bounded unit of engine work.
 * A single larger event travels alone.
 */
export const EVENTS_RECORD_CHARS = 1024 * 1024;

/** The key that places an event: its server, else (control-plane logs) its service. */
export function eventsKey(e: FaultEvent): string | null {
  return e['host.name'] ?? e['service.name'] ?? null;
}

const HEADERS: Readonly<Record<string, string>> = Object.freeze({ [EVENTS_FORMAT_HEADER]: EVENTS_FORMAT });

/**
 * Encodes one ingest slice as records of `<prefix>.events`: per partition, in the slice's order, as
 * few records as EVENTS_RECORD_CHARS allows. Each record carries its partition explicitly and is
 * keyed by its first event's key, which the bus places on that same partition (so a copy of the
 * topic made by key, e.g. by a mirror, keeps the placement).
 */
export function encodeEventsRecords(
  events: readonly FaultEvent[],
  partitionOf: KeyPartitioner,
  maxChars = EVENTS_RECORD_CHARS,
): OutgoingMessage[] {
  const groups = new Map<number, FaultEvent[]>();
  for (const e of events) {
    const partition = partitionOf(eventsKey(e));
    const group = groups.get(partition);
    if (group === undefined) groups.set(partition, [e]);
    else group.push(e);
  }
  const out: OutgoingMessage[] = [];
  // One JSON.stringify per group, not one per event and a join: a third less CPU on the bench mix.
  const emit = (partition: number, group: FaultEvent[]) => {
    const value = JSON.stringify(group);
    if (value.length <= maxChars || group.length === 1) {
      out.push({ key: eventsKey(group[0]!), partition, value, headers: HEADERS });
      return;
    }
    const parts = Math.min(group.length, Math.ceil(value.length / maxChars) + 1);
    const size = Math.ceil(group.length / parts);
    for (let i = 0; i < group.length; i += size) emit(partition, group.slice(i, i + size));
  };
  for (const [partition, group] of groups) emit(partition, group);
  return out;
}

export type DecodedEventsRecord = { ok: true; events: FaultEvent[] } | { ok: false; reason: string };

/**
 * The events of one `<prefix>.events` record, or why it cannot be read. A record without the format
 * header is the form written before packing (one flat event per record), still read so that an
 * upgrade drains what the previous version left in the topic; a format this version does not know is
 * refused whole rather than guessed at.
 */
export function decodeEventsRecord(m: BusMessage): DecodedEventsRecord {
  const format = m.headers[EVENTS_FORMAT_HEADER];
  if (format !== undefined && format !== EVENTS_FORMAT)
    return {
      ok: false,
      reason: `unknown ${EVENTS_FORMAT_HEADER} ${JSON.stringify(format)} (this version reads ${JSON.stringify(EVENTS_FORMAT)})`,
    };
  let value: unknown;
  try {
    value = JSON.parse(m.value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${errorMessage(error)}` };
  }
  const events = format === undefined ? [value] : value;
  if (!Array.isArray(events)) return { ok: false, reason: 'value is not a JSON array of events' };
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Partial<FaultEvent> | null;
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e['event.id'] !== 'string' ||
      typeof e['@timestamp'] !== 'string'
    )
      return { ok: false, reason: `element ${i} is not an event (event.id and @timestamp are strings)` };
  }
  return { ok: true, events: events as FaultEvent[] };
}
