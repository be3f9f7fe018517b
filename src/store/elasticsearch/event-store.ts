import type { HealthStatus } from '../../bus/types.js';
import type { FaultEvent } from '../../model/event.js';
import { FaultlineError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { AggregateQuery, CountBucket, EventPage, EventQuery, EventStore, WriteResult } from '../types.js';

export interface ElasticsearchEventStoreOptions {
  node: string;
  namespace: string;
  logger: Logger;
}

/** Placeholder until the Elasticsearch adapter lands (issue: ingest at scale); fails loudly. */
export class ElasticsearchEventStore implements EventStore {
  readonly kind = 'elasticsearch' as const;
  constructor(readonly options: ElasticsearchEventStoreOptions) {
    throw new FaultlineError('FAULTLINE_CONFIG_INVALID', 'FAULTLINE_ES_URL is set but the Elasticsearch adapter is not built yet');
  }
  bootstrap(): Promise<void> {
    throw new Error('unreachable');
  }
  write(_events: FaultEvent[]): Promise<WriteResult> {
    throw new Error('unreachable');
  }
  search(_query: EventQuery): Promise<EventPage> {
    throw new Error('unreachable');
  }
  aggregate(_query: AggregateQuery): Promise<CountBucket[]> {
    throw new Error('unreachable');
  }
  get(_id: string): Promise<FaultEvent | undefined> {
    throw new Error('unreachable');
  }
  refresh(): Promise<void> {
    throw new Error('unreachable');
  }
  health(): Promise<HealthStatus> {
    throw new Error('unreachable');
  }
  close(): Promise<void> {
    throw new Error('unreachable');
  }
}
