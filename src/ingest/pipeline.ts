import { TextDecoder } from 'node:util';
import { RECORD_HEADERS } from '../bus/record-headers.js';
import {
  type BusMessage,
  type DeadLetter,
  type MessageBus,
  type Subscription,
  topicFor,
} from '../bus/types.js';
import type { FaultEvent } from '../model/event.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import { joinPath, withoutCarriageReturns } from '../sources/framing.js';
import { getSource, listSources } from '../sources/registry.js';
import { type DecodeContext, isSourceId, type Source } from '../sources/types.js';
import type { EventStore } from '../store/types.js';
import { encodeEventsRecords } from './events-record.js';
import { framesIn, unpackFrames } from './packing.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Largest raw record the pipeline will try to decode; bigger ones are dead-lettered whole. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** Lines per slice (and records per bus batch) when the deployment sets none. */
const DEFAULT_BATCH_SIZE = 2000;

export interface PipelineDeps {
  bus: MessageBus;
  store: EventStore;
  logger: Logger;
  metrics?: Metrics;
  group: string;
  topics: string[];
  /** Prefix of the per-dataset topics; resolves the source of records produced without our headers. */
  topicPrefix?: string;
  batchSize?: number;
  /**
   * Adds fields at ingest after decode (`serve`: lessee, lease and rack from the fleet, then the log
   * template id), before the store and the engine see the events.
   */
  enrich?: (events: FaultEvent[]) => FaultEvent[] | Promise<FaultEvent[]>;
  /**
   * Where every stored event is written once more, on the partition of its `host.name`, for the fault
   * engine's own consumer group (DESIGN §1: `faultline.events`; record format in events-record.ts).
   * Unset: not written.
   */
  eventsTopic?: string;
}

export interface BatchOutcome {
  events: FaultEvent[];
  dead: DeadLetter[];
  /**
   * Records read and records decoded, per source id (`unknown` when neither header nor topic names
   * one); the frames of a packed record count one each.
   */
  consumed: Map<string, number>;
  decoded: Map<string, number>;
}

const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/**
 * Decodes one bus batch; never throws (a decoder that throws anyway is a dead letter, not a crash).
 * The source comes from the record's header, else from its topic (agents that produce raw records
 * straight to `faultline.<dataset>` set no headers). A packed record (packing.ts) is decoded frame by
 * frame; a frame that fails is dead-lettered alone, with its own bytes and line.
 */
export function decodeBatch(
  messages: BusMessage[],
  sourceForTopic?: (topic: string) => Source | undefined,
): BatchOutcome {
  const events: FaultEvent[] = [];
  const dead: DeadLetter[] = [];
  const consumed = new Map<string, number>();
  const decoded = new Map<string, number>();
  const at = new Date().toISOString();
  // Built only for records that fail: the hot path allocates no closure per record.
  const reject = (
    m: BusMessage,
    source: string,
    line: number | undefined,
    reason: string,
    original: Buffer = m.value,
    frame?: number,
  ) => {
    const entry: DeadLetter = {
      sourceTopic: m.topic,
      sourcePartition: m.partition,
      sourceOffset: m.offset,
      source,
      reason,
      original,
      at,
    };
    if (line !== undefined && Number.isFinite(line)) entry.line = line;
    if (frame !== undefined) entry.frame = frame;
    dead.push(entry);
  };
  /** Decodes one frame; a packed frame that fails is dead-lettered with its own bytes only. */
  const decodeFrame = (
    m: BusMessage,
    source: Source,
    payload: string,
    ctx: DecodeContext,
    framePath: string | undefined,
    /** Position in a packed record; undefined for a record of one frame. */
    frame: number | undefined,
  ) => {
    let reason: string;
    try {
      const result = source.decode(payload, ctx);
      if (result.ok) {
        bump(decoded, source.id);
        for (const e of result.events) events.push(e);
        return;
      }
      const path = joinPath(framePath, result.path);
      reason = path === undefined ? result.reason : `${result.reason} (at ${path})`;
    } catch (error) {
      reason = `decoder failed: ${errorMessage(error)}`;
    }
    reject(
      m,
      source.id,
      ctx.line,
      reason,
      frame === undefined ? m.value : Buffer.from(payload, 'utf8'),
      frame,
    );
  };
  // Records of one upload share their receive time: convert each distinct timestamp once.
  let lastTimestamp = Number.NaN;
  let lastReceivedAt = '';
  for (const m of messages) {
    const sourceId = m.headers[RECORD_HEADERS.source];
    const source =
      sourceId !== undefined && isSourceId(sourceId) ? getSource(sourceId) : sourceForTopic?.(m.topic);
    const lineHeader = m.headers[RECORD_HEADERS.line];
    const line = lineHeader === undefined ? undefined : Number(lineHeader);
    if (source === undefined) {
      bump(consumed, 'unknown');
      // `unknown`, not the header's value: the source becomes a metric label, and labels must stay a
      // bounded set whatever a producer writes into a header (the reason names the value).
      reject(m, 'unknown', line, `unknown source ${JSON.stringify(sourceId ?? null)} on topic ${m.topic}`);
      continue;
    }
    if (m.value.length > MAX_RECORD_BYTES) {
      bump(consumed, source.id);
      reject(
        m,
        source.id,
        line,
        `record of ${m.value.length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`,
      );
      continue;
    }
    let payload: string;
    try {
      payload = utf8.decode(m.value);
    } catch {
      bump(consumed, source.id);
      reject(m, source.id, line, 'record is not valid UTF-8');
      continue;
    }
    let receivedAt = m.headers[RECORD_HEADERS.receivedAt];
    if (receivedAt === undefined) {
      if (m.timestamp !== lastTimestamp) {
        lastTimestamp = m.timestamp;
        // A record without a usable timestamp is taken as received now.
        lastReceivedAt = Number.isFinite(m.timestamp) ? new Date(m.timestamp).toISOString() : at;
      }
      receivedAt = lastReceivedAt;
    }
    const host = m.key !== null && m.key !== '' ? m.key : undefined;
    const index = m.headers[RECORD_HEADERS.frames];
    if (index !== undefined) {
      const frames = unpackFrames(payload, index);
      if (!Array.isArray(frames)) {
        bump(consumed, source.id);
        reject(m, source.id, line, frames.error);
        continue;
      }
      for (let i = 0; i < frames.length; i++) {
        const frame = frames[i]!;
        bump(consumed, source.id);
        const ctx: DecodeContext = { receivedAt, line: frame.line };
        if (host !== undefined) ctx.host = host;
        if (frame.occurrence !== undefined) ctx.occurrence = frame.occurrence;
        decodeFrame(m, source, frame.payload, ctx, frame.path, i);
      }
      continue;
    }
    bump(consumed, source.id);
    // A producer that ships a file's lines as records (Fluent Bit, Vector, a script) leaves the CR of a
    // CRLF file in the value; the edge's framer drops it. The same line must give the same record,
    // and so the same event.original and event.id, whichever way it came.
    payload = withoutCarriageReturns(payload);
    const ctx: DecodeContext = { receivedAt };
    if (host !== undefined) ctx.host = host;
    if (line !== undefined && Number.isFinite(line)) ctx.line = line;
    const occurrenceHeader = m.headers[RECORD_HEADERS.occurrence];
    if (occurrenceHeader !== undefined) {
      const occurrence = Number(occurrenceHeader);
      if (occurrence > 0) ctx.occurrence = occurrence;
    }
    decodeFrame(m, source, payload, ctx, m.headers[RECORD_HEADERS.path], undefined);
  }
  return { events, dead, consumed, decoded };
}

/**
 * One source per dataset and one topic per dataset: the topic alone names the decoder. A topic of
 * another prefix still ends in its dataset (`acme.bmc.sel`), so a consumer configured with a
 * different prefix than the producer decodes instead of dead-lettering everything.
 */
export function sourcesByTopic(topicPrefix?: string): (topic: string) => Source | undefined {
  const sources = listSources();
  const byTopic = new Map<string, Source | undefined>(
    sources.map((s) => [topicFor(s.dataset, topicPrefix), s]),
  );
  return (topic) => {
    if (byTopic.has(topic)) return byTopic.get(topic);
    // Looked up once per topic, not once per record.
    const source = sources.find((s) => topic === s.dataset || topic.endsWith(`.${s.dataset}`));
    byTopic.set(topic, source);
    return source;
  };
}

/**
 * The ingest pipeline (DESIGN §1): bus → decode → enrich → event store, dead letters beside it.
 * A batch's offsets are committed by the bus only after this handler resolved, i.e. after the store
 * acknowledged the write: a crash replays the batch, and deterministic event ids make the replay a
 * no-op in the store.
 */
export class IngestPipeline {
  private subscription: Subscription | undefined;
  private readonly sourceForTopic: (topic: string) => Source | undefined;

  constructor(private readonly deps: PipelineDeps) {
    this.sourceForTopic = sourcesByTopic(deps.topicPrefix);
  }

  async start(): Promise<void> {
    const { bus, logger, group, topics, eventsTopic } = this.deps;
    await bus.ensureTopics(eventsTopic === undefined ? topics : [...topics, eventsTopic]);
    this.subscription = await bus.subscribe({
      group,
      topics,
      fromBeginning: true,
      maxBatchSize: this.deps.batchSize ?? DEFAULT_BATCH_SIZE,
      onBatch: (messages) => this.handle(messages),
      onError: (error, at) =>
        logger.error(
          { err: error, topic: at.topic, partition: at.partition },
          'ingest batch failed; retrying',
        ),
    });
  }

  /**
   * Handles a bus batch in slices of at most `batchSize` lines: a packed record carries up to 100,
   * and a batch of records counted by the bus would otherwise block the event loop for seconds and
   * send the store one oversized write.
   */
  async handle(messages: BusMessage[]): Promise<void> {
    const limit = Math.max(1, this.deps.batchSize ?? DEFAULT_BATCH_SIZE);
    let from = 0;
    while (from < messages.length) {
      let to = from;
      let lines = 0;
      while (to < messages.length) {
        const n = framesIn(messages[to]!);
        if (to > from && lines + n > limit) break;
        lines += n;
        to++;
      }
      await this.handleSlice(from === 0 && to === messages.length ? messages : messages.slice(from, to));
      from = to;
    }
  }

  private async handleSlice(messages: BusMessage[]): Promise<void> {
    const { store, metrics, bus } = this.deps;
    const batch = decodeBatch(messages, this.sourceForTopic);
    const { events: decoded, dead } = batch;
    if (metrics !== undefined) {
      for (const [source, n] of batch.consumed) metrics.consumed.inc({ source }, n);
      for (const [source, n] of batch.decoded) metrics.decoded.inc({ source }, n);
      for (const d of dead) metrics.rejected.inc({ source: d.source, stage: 'decode' });
    }
    const events = this.deps.enrich === undefined ? decoded : await this.deps.enrich(decoded);
    if (events.length > 0) {
      // A batch is one topic and a topic is one dataset, so the batch's events share one.
      const dataset = events[0]!['event.dataset'];
      const stop = metrics?.storeWriteSeconds.startTimer();
      const result = await store.write(events);
      stop?.();
      if (metrics !== undefined) {
        if (result.written > 0) metrics.written.inc({ dataset }, result.written);
        metrics.duplicates.inc(result.duplicates);
      }
      const { eventsTopic } = this.deps;
      if (eventsTopic !== undefined)
        await bus.publish(eventsTopic, encodeEventsRecords(events, await bus.partitioner(eventsTopic)));
      const at = new Date().toISOString();
      for (const f of result.failed) {
        metrics?.rejected.inc({ source: f.event['event.module'] ?? 'unknown', stage: 'store' });
        dead.push({
          sourceTopic: 'store',
          sourcePartition: 0,
          sourceOffset: f.event['event.id'],
          source: f.event['event.module'] ?? 'unknown',
          reason: `store refused the event: ${f.reason}`,
          original: Buffer.from(f.event['event.original'], 'utf8'),
          at,
        });
      }
    }
    if (dead.length > 0) {
      await bus.deadLetter(dead);
      for (const d of dead) metrics?.deadLetters.inc({ source: d.source });
    }
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }
}
