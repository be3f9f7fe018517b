/**
 * A consumer process for the ingest fault tests: the real IngestPipeline on KafkaBus and
 * ElasticsearchEventStore, configured from the environment. It prints one JSON line when it has
 * joined the group and then its progress every 250 ms, so a test can kill it mid-stream (SIGKILL)
 * and know what it was doing.
 *
 *   FL_BROKERS, FL_ES_URL, FL_NAMESPACE, FL_GROUP, FL_TOPICS (comma-separated), FL_DEAD_LETTER_TOPIC,
 *   FL_SESSION_TIMEOUT_MS (default 6000), FL_BATCH (default 2000)
 */
import { KafkaBus } from '../../src/bus/kafka.js';
import { IngestPipeline } from '../../src/ingest/pipeline.js';
import type { FaultEvent } from '../../src/model/event.js';
import { createLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { ElasticsearchEventStore } from '../../src/store/elasticsearch/event-store.js';
import type { EventStore } from '../../src/store/types.js';

function env(name: string, fallback?: string): string {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
}

const logger = createLogger(process.env.FL_LOG_LEVEL ?? 'warn', process.stderr as never);
const topics = env('FL_TOPICS').split(',');
const group = env('FL_GROUP');
const bus = new KafkaBus({
  brokers: env('FL_BROKERS').split(','),
  clientId: `ingest-test-${process.pid}`,
  logger,
  deadLetterTopic: env('FL_DEAD_LETTER_TOPIC'),
  sessionTimeout: Number(env('FL_SESSION_TIMEOUT_MS', '6000')),
  heartbeatInterval: 1000,
  retryBackoffMs: { initial: 250, max: 4000 },
});
const es = new ElasticsearchEventStore({
  node: env('FL_ES_URL'),
  namespace: env('FL_NAMESPACE'),
  indexPrefix: 'faultlinetest',
  logger,
  retentionCheckMs: 0,
  requestTimeoutMs: 10_000,
});

const stats = {
  written: 0,
  duplicates: 0,
  failed: 0,
  dead: 0,
  batches: 0,
  errors: 0,
  /** Every partition this member was handed a batch from. */
  partitions: [] as string[],
  /** Partitions it was handed a batch from in the last 1.5 s: what it owns now. */
  active: [] as string[],
};
const partitions = new Map<string, number>();
// Counts what the store acknowledged; everything else is the production path untouched.
const store: EventStore = Object.assign(Object.create(es) as EventStore, {
  write: async (events: FaultEvent[]) => {
    const r = await es.write(events);
    stats.written += r.written;
    stats.duplicates += r.duplicates;
    stats.failed += r.failed.length;
    return r;
  },
});
const pipeline = new IngestPipeline({
  bus,
  store,
  logger,
  metrics: createMetrics({ defaultMetrics: false }),
  group,
  topics,
  topicPrefix: env('FL_TOPIC_PREFIX'),
});
const print = () => {
  stats.partitions = [...partitions.keys()].sort();
  stats.active = [...partitions]
    .filter(([, at]) => Date.now() - at < 1500)
    .map(([p]) => p)
    .sort();
  process.stdout.write(`${JSON.stringify(stats)}\n`);
};

async function main(): Promise<void> {
  await es.bootstrap();
  await bus.ensureTopics(topics);
  const originalDeadLetter = bus.deadLetter.bind(bus);
  bus.deadLetter = async (entries) => {
    await originalDeadLetter(entries);
    stats.dead += entries.length;
  };
  // IngestPipeline.start() with the handler wrapped to see which partitions this member owns.
  await bus.subscribe({
    group,
    topics,
    fromBeginning: true,
    maxBatchSize: Number(env('FL_BATCH', '2000')),
    onBatch: async (messages, ctx) => {
      partitions.set(`${ctx.topic}/${ctx.partition}`, Date.now());
      await pipeline.handle(messages);
      stats.batches++;
    },
    onError: (error) => {
      stats.errors++;
      logger.warn({ err: error }, 'batch failed; it will be retried');
    },
  });
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
  setInterval(print, 250);
  const stop = async () => {
    print();
    await bus.close();
    await es.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(
    `consumer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
