import { type MessageBus, type OutgoingMessage, topicFor } from '../bus/types.js';
import type { Metrics } from '../shared/metrics.js';
import type { Frame, Source } from '../sources/types.js';
import { H } from './headers.js';

export interface PublishReport {
  source: string;
  topic: string;
  accepted: number;
  firstLine?: number;
  lastLine?: number;
}

/**
 * The edge of the ingest path: frames an input with its source's framer and appends the raw records
 * to the source's topic, keyed by node id. Nothing is decoded here; decoding happens once, in the
 * pipeline, so the bus keeps the original bytes for replays.
 */
export class IngestPublisher {
  constructor(
    private readonly bus: MessageBus,
    private readonly metrics: Metrics | undefined,
    private readonly topicPrefix = 'faultline',
    private readonly chunk = 5000,
  ) {}

  topicOf(source: Source): string {
    return topicFor(source.dataset, this.topicPrefix);
  }

  /**
   * Every header costs the consumer a decode per record, so only what the bus cannot say travels as
   * one: the topic names the source and the record timestamp carries the receive time.
   */
  private message(frame: Frame, host: string | undefined, receivedAt: number): OutgoingMessage {
    const headers: Record<string, string> = { [H.line]: String(frame.line) };
    if (frame.occurrence !== undefined) headers[H.occurrence] = String(frame.occurrence);
    if (frame.path !== undefined) headers[H.path] = frame.path;
    return { key: host ?? null, value: frame.payload, headers, timestamp: receivedAt };
  }

  /** Publishes frames in chunks; resolves once all of them are durably on the bus. */
  async publishFrames(
    source: Source,
    frames: Iterable<Frame>,
    options: { host?: string; receivedAt?: string } = {},
  ): Promise<PublishReport> {
    const topic = this.topicOf(source);
    const receivedAt = options.receivedAt === undefined ? Date.now() : Date.parse(options.receivedAt);
    if (!Number.isFinite(receivedAt)) throw new Error(`invalid receivedAt ${options.receivedAt}`);
    const report: PublishReport = { source: source.id, topic, accepted: 0 };
    let batch: OutgoingMessage[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await this.bus.publish(topic, batch);
      this.metrics?.ingestAccepted.inc({ source: source.id }, batch.length);
      report.accepted += batch.length;
      batch = [];
    };
    for (const frame of frames) {
      report.firstLine ??= frame.line;
      report.lastLine = frame.line;
      batch.push(this.message(frame, options.host, receivedAt));
      if (batch.length >= this.chunk) await flush();
    }
    await flush();
    return report;
  }
}
