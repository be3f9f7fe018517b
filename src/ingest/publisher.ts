import { RECORD_HEADERS } from '../bus/record-headers.js';
import { type MessageBus, type OutgoingMessage, topicFor } from '../bus/types.js';
import type { Metrics } from '../shared/metrics.js';
import type { Frame, Source } from '../sources/types.js';
import { packFrames } from './packing.js';

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
    readonly topicPrefix = 'faultline',
    private readonly chunk = 5000,
  ) {}

  topicOf(source: Source): string {
    return topicFor(source.dataset, this.topicPrefix);
  }

  /**
   * Publishes frames, packed several to a record (packing.ts); resolves once all of them are durably
   * on the bus. Only what the bus cannot say travels as a header: the topic names the source, the
   * record timestamp carries the receive time and the key the host.
   */
  async publishFrames(
    source: Source,
    frames: Iterable<Frame>,
    options: PublishOptions = {},
  ): Promise<PublishReport> {
    const topic = this.topicOf(source);
    const receivedAt = receiveTime(options);
    const report: PublishReport = { source: source.id, topic, accepted: 0 };
    const key = options.host ?? null;
    let pending: Frame[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const records = packFrames(pending).map(
        (r): OutgoingMessage => ({ key, value: r.value, headers: r.headers, timestamp: receivedAt }),
      );
      await this.bus.publish(topic, records);
      this.metrics?.ingestAccepted.inc({ source: source.id }, pending.length);
      report.accepted += pending.length;
      pending = [];
    };
    for (const frame of frames) {
      report.firstLine ??= frame.line;
      report.lastLine = frame.line;
      pending.push(frame);
      if (pending.length >= this.chunk) await flush();
    }
    await flush();
    return report;
  }

  /**
   * Publishes lines that are not UTF-8 as they are, one record each with its line number: the
   * pipeline cannot decode them and dead-letters them with these very bytes.
   */
  async publishBytes(
    source: Source,
    lines: Array<{ line: number; bytes: Buffer }>,
    options: PublishOptions = {},
  ): Promise<number> {
    if (lines.length === 0) return 0;
    const timestamp = receiveTime(options);
    const key = options.host ?? null;
    await this.bus.publish(
      this.topicOf(source),
      lines.map((l) => ({
        key,
        value: l.bytes,
        headers: { [RECORD_HEADERS.line]: String(l.line) },
        timestamp,
      })),
    );
    this.metrics?.ingestAccepted.inc({ source: source.id }, lines.length);
    return lines.length;
  }
}

export interface PublishOptions {
  host?: string;
  /** When the edge received the input (ISO 8601); now when absent. */
  receivedAt?: string;
}

function receiveTime(options: PublishOptions): number {
  const at = options.receivedAt === undefined ? Date.now() : Date.parse(options.receivedAt);
  if (!Number.isFinite(at)) throw new Error(`invalid receivedAt ${options.receivedAt}`);
  return at;
}
