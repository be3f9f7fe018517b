/**
 * Records between kafkajs and the bus port: a fetched message as a BusMessage (headers as strings),
 * and outgoing messages cut into produce requests the broker takes.
 */
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { BusMessage, OutgoingMessage } from '../types.js';

function headerValue(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const v = Array.isArray(value) ? value.at(-1) : value;
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

export function toBusMessage(topic: string, partition: number, m: KafkaMessage): BusMessage {
  const headers: Record<string, string> = {};
  const raw = m.headers;
  // for-in, not Object.entries: no pair arrays per record on the hot path.
  if (raw !== undefined) {
    for (const k in raw) {
      const s = headerValue(raw[k]);
      if (s !== undefined) headers[k] = s;
    }
  }
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key === null || m.key === undefined ? null : m.key.toString('utf8'),
    value: m.value ?? Buffer.alloc(0),
    headers,
    timestamp: Number(m.timestamp),
  };
}

/** Bytes a produce request may carry before it is split (well under the broker's request limit). */
export const SEND_CHUNK_BYTES = 8 * 1024 * 1024;
export const SEND_CHUNK_RECORDS = 20_000;

/**
 * Outgoing messages as kafkajs messages, in produce requests of at most SEND_CHUNK_BYTES and
 * SEND_CHUNK_RECORDS (a single larger record goes alone).
 */
export function* produceChunks(messages: OutgoingMessage[]): Generator<Message[]> {
  let chunk: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const value = typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value;
    if (chunk.length > 0 && (bytes + value.length > SEND_CHUNK_BYTES || chunk.length >= SEND_CHUNK_RECORDS)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    const message: Message = { key: m.key, value };
    if (m.headers !== undefined) message.headers = m.headers;
    if (m.timestamp !== undefined) message.timestamp = String(m.timestamp);
    if (m.partition !== undefined) message.partition = m.partition;
    chunk.push(message);
    bytes += value.length;
  }
  if (chunk.length > 0) yield chunk;
}
