import type { Writable } from 'node:stream';
import { createBus, createEventStore, createStateStore } from '../adapters.js';
import type { Config } from '../config/load.js';
import { allTopics } from '../ingest/topics.js';
import type { Logger } from '../shared/logger.js';
import type { EventStoreLayout } from '../store/types.js';

export interface BootstrapReport {
  stateStore: { kind: string; migrated: true };
  eventStore: { kind: string } & EventStoreLayout;
  bus: { kind: string; topics: string[] };
}

/**
 * `faultline bootstrap`: creates everything the configured adapters need before the first start, and
 * is safe to run again (every step is idempotent): state migrations, event-store schema or
 * Elasticsearch templates, and the bus topics of every registered source plus the dead-letter topic.
 * Prints one JSON report on stdout.
 */
export async function bootstrapCommand(options: {
  config: Readonly<Config>;
  logger: Logger;
  stdout: Writable;
}): Promise<BootstrapReport> {
  const { config, logger } = options;
  const state = createStateStore(config);
  const events = await createEventStore(config, logger);
  const bus = await createBus(config, logger);
  try {
    await state.migrate();
    await events.bootstrap();
    const topics = allTopics(config.topicPrefix);
    await bus.ensureTopics(topics);
    const report: BootstrapReport = {
      stateStore: { kind: state.kind, migrated: true },
      eventStore: { kind: events.kind, ...(await events.describe()) },
      bus: { kind: bus.kind, topics },
    };
    options.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await Promise.allSettled([bus.close(), events.close(), state.close()]);
  }
}
