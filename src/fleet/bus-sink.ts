import { type MessageBus, topicFor } from '../bus/types.js';
import type { FleetEvent, FleetEventSink } from './fleet-event.js';

/**
 * Puts fleet events on the bus as raw records of the `fleet` source (topic
 * `<prefix>.fleet.event`, key = node id), where the ingest pipeline decodes them like any source.
 */
export class BusFleetSink implements FleetEventSink {
  readonly topic: string;
  constructor(
    private readonly bus: MessageBus,
    topicPrefix = 'faultline',
  ) {
    this.topic = topicFor('fleet.event', topicPrefix);
  }

  async emit(events: FleetEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.bus.publish(
      this.topic,
      events.map((e) => ({ key: e.node_id ?? null, value: JSON.stringify(e), timestamp: Date.parse(e.at) })),
    );
  }
}
