import { type MessageBus, type OutgoingMessage, topicFor } from '../bus/types.js';
import { packFrames } from '../ingest/packing.js';
import { getSource } from '../sources/registry.js';
import type { Frame } from '../sources/types.js';
import type { SimRecord } from './types.js';

/**
 * Writes simulated records to the bus exactly as the ingest edge does (IngestPublisher): one topic per
 * source, keyed by the node, frames packed with the edge's packing, the record timestamp the time the
 * agent shipped them. Each node's records of a source are numbered as lines of that node's stream.
 */
export class BusSink {
  private readonly lines = new Map<string, number>();
  published = 0;

  constructor(
    private readonly bus: MessageBus,
    private readonly topicPrefix = 'faultline',
  ) {}

  async write(records: readonly SimRecord[], shippedAt: number): Promise<void> {
    for (const [topic, messages] of this.messages(records, shippedAt))
      await this.bus.publish(topic, messages);
    this.published += records.length;
  }

  /** The records as the bus messages `write` publishes, by topic (in first-seen order). */
  messages(records: readonly SimRecord[], shippedAt: number): Map<string, OutgoingMessage[]> {
    const byTopic = new Map<string, Map<string, Frame[]>>();
    for (const r of records) {
      const source = getSource(r.source);
      if (source === undefined)
        throw new Error(`simulator produced records of unregistered source ${r.source}`);
      const topic = topicFor(source.dataset, this.topicPrefix);
      let hosts = byTopic.get(topic);
      if (hosts === undefined) {
        hosts = new Map();
        byTopic.set(topic, hosts);
      }
      let frames = hosts.get(r.host);
      if (frames === undefined) {
        frames = [];
        hosts.set(r.host, frames);
      }
      const key = `${r.source}\u0000${r.host}`;
      const line = (this.lines.get(key) ?? 0) + 1;
      this.lines.set(key, line);
      frames.push({ payload: r.payload, line });
    }
    const out = new Map<string, OutgoingMessage[]>();
    for (const [topic, hosts] of byTopic) {
      const messages: OutgoingMessage[] = [];
      for (const [host, frames] of hosts) {
        for (const packed of packFrames(frames))
          messages.push({ key: host, value: packed.value, headers: packed.headers, timestamp: shippedAt });
      }
      out.set(topic, messages);
    }
    return out;
  }
}
