import type { BusMessage, OutgoingMessage } from '../../src/bus/types.js';

/** An outgoing record as a consumer of `topic` is handed it, at `offset` of its partition. */
export function asDelivered(r: OutgoingMessage, offset = 0, topic = 'faultline.events'): BusMessage {
  return {
    topic,
    partition: r.partition ?? 0,
    offset: String(offset),
    key: r.key,
    value: typeof r.value === 'string' ? Buffer.from(r.value, 'utf8') : r.value,
    headers: r.headers ?? {},
    timestamp: r.timestamp ?? 0,
  };
}
