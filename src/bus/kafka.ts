import { FaultlineError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type {
  DeadLetter,
  HealthStatus,
  MessageBus,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
  TopicLag,
} from './types.js';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
}

/** Placeholder until the Kafka adapter lands (issue: ingest at scale); fails loudly, never silently. */
export class KafkaBus implements MessageBus {
  readonly kind = 'kafka' as const;
  constructor(readonly options: KafkaBusOptions) {
    throw new FaultlineError('FAULTLINE_CONFIG_INVALID', 'FAULTLINE_KAFKA_BROKERS is set but the Kafka adapter is not built yet');
  }
  ensureTopics(_topics: string[]): Promise<void> {
    throw new Error('unreachable');
  }
  publish(_topic: string, _messages: OutgoingMessage[]): Promise<void> {
    throw new Error('unreachable');
  }
  subscribe(_options: SubscribeOptions): Promise<Subscription> {
    throw new Error('unreachable');
  }
  deadLetter(_entries: DeadLetter[]): Promise<void> {
    throw new Error('unreachable');
  }
  lag(_group: string, _topics: string[]): Promise<TopicLag[]> {
    throw new Error('unreachable');
  }
  health(): Promise<HealthStatus> {
    throw new Error('unreachable');
  }
  close(): Promise<void> {
    throw new Error('unreachable');
  }
}
