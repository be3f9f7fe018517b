import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll } from 'vitest';
import { asDeliveredRecords, buildWorkload } from '../../bench/ingest/workload.js';
import { parseDeadLetter } from '../../src/bus/kafka/dead-letter-wire.js';
import { KafkaBus } from '../../src/bus/kafka.js';
import type { BusMessage, DeadLetter } from '../../src/bus/types.js';
import { decodeBatch, sourcesByTopic } from '../../src/ingest/pipeline.js';
import { createLogger } from '../../src/shared/logger.js';
import { ElasticsearchEventStore } from '../../src/store/elasticsearch/event-store.js';
import { repoRoot } from '../helpers/fixtures.js';
import { esUrl, kafkaBrokers, uniqueName } from '../helpers/infra.js';

export interface ConsumerStats {
  written: number;
  duplicates: number;
  failed: number;
  dead: number;
  batches: number;
  errors: number;
  partitions: string[];
  active: string[];
}

/** A consumer child process (test/ingest/consumer-entry.ts) and what it last reported. */
export interface Consumer {
  child: ChildProcess;
  stats: ConsumerStats;
  stderr: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface IngestScenario {
  brokers: string[];
  es: string;
  namespace: string;
  group: string;
  topicPrefix: string;
  deadLetterTopic: string;
}

export function scenario(name: string): IngestScenario {
  const id = uniqueName(name);
  return {
    brokers: kafkaBrokers(),
    es: esUrl(),
    namespace: id,
    group: `${id}.ingest`,
    topicPrefix: `t.${id}`,
    deadLetterTopic: `t.${id}.deadletter`,
  };
}

export async function startConsumer(
  s: IngestScenario,
  topics: string[],
  overrides: { es?: string; env?: Record<string, string> } = {},
): Promise<Consumer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/ingest/consumer-entry.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      FL_BROKERS: s.brokers.join(','),
      FL_ES_URL: overrides.es ?? s.es,
      FL_NAMESPACE: s.namespace,
      FL_GROUP: s.group,
      FL_TOPICS: topics.join(','),
      FL_TOPIC_PREFIX: s.topicPrefix,
      FL_DEAD_LETTER_TOPIC: s.deadLetterTopic,
      ...overrides.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d) => {
    stderr.push(String(d));
    if (stderr.length > 200) stderr.shift();
  });
  const consumer: Consumer = {
    child,
    stats: {
      written: 0,
      duplicates: 0,
      failed: 0,
      dead: 0,
      batches: 0,
      errors: 0,
      partitions: [],
      active: [],
    },
    stderr,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // 'close', not 'exit': the last progress line is read by then.
      const closed = once(child, 'close');
      child.kill(signal);
      await closed;
    },
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumer did not start:\n${stderr.join('')}`)), 90_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`consumer exited with ${code}:\n${stderr.join('')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as Partial<ConsumerStats> & { ready?: boolean };
      if (msg.ready === true) {
        clearTimeout(timer);
        resolve();
      } else {
        consumer.stats = msg as ConsumerStats;
      }
    });
  });
  return consumer;
}

export function testBus(s: IngestScenario): KafkaBus {
  return new KafkaBus({
    brokers: s.brokers,
    clientId: 'ingest-test-producer',
    logger: createLogger(process.env.FAULTLINE_TEST_LOG_LEVEL ?? 'silent'),
    deadLetterTopic: s.deadLetterTopic,
  });
}

export function testStore(s: IngestScenario): ElasticsearchEventStore {
  return new ElasticsearchEventStore({
    node: s.es,
    namespace: s.namespace,
    indexPrefix: 'faultlinetest',
    logger: createLogger('silent'),
    retentionCheckMs: 0,
  });
}

/** Exact number of stored events after a refresh; 0 while the streams do not exist yet. */
export async function storedCount(store: ElasticsearchEventStore): Promise<number> {
  await store.refresh();
  return store.count();
}

export async function waitUntil(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 500,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Every record of the dead-letter topic, read from the beginning by a fresh group. */
export async function readDeadLetters(
  bus: KafkaBus,
  topic: string,
  atLeast: number,
  timeoutMs = 60_000,
): Promise<DeadLetter[]> {
  const got: BusMessage[] = [];
  const group = uniqueName('dlreader');
  const sub = await bus.subscribe({
    group,
    topics: [topic],
    fromBeginning: true,
    onBatch: async (messages) => {
      got.push(...messages);
    },
  });
  try {
    await waitUntil(`${atLeast} dead letters`, () => got.length >= atLeast, timeoutMs, 200);
    await sleep(1000);
  } finally {
    await sub.close();
  }
  return got.map(parseDeadLetter);
}

/**
 * A TCP forwarder in front of a server: `down()` closes the port and cuts every connection (what a
 * client sees when the server stops), `up()` listens on the same port again.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address !== null && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Publishes `n` lines of the bench mix (real OpenStack lines and SEL rows, keyed by host), packed
 * several to a record as the edge sends them unless `pack` is false (one Kafka record per line), and
 * returns the topics and the number of distinct events they decode to.
 */
export async function produceWorkload(
  bus: KafkaBus,
  s: IngestScenario,
  n: number,
  options: {
    oneEventPerRecord?: boolean;
    pack?: boolean;
    /** Runs once the topics exist, before the first record is published (start consumers here). */
    beforePublish?: (topics: string[]) => Promise<void>;
  } = {},
): Promise<{ topics: string[]; expected: number }> {
  const workload = buildWorkload(n, {
    topicPrefix: s.topicPrefix,
    hosts: 300,
    pack: options.pack ?? true,
    ...(options.oneEventPerRecord === true ? { sources: ['ipmi-sel' as const] } : {}),
  });
  await bus.ensureTopics(workload.topics);
  await options.beforePublish?.(workload.topics);
  const messages: BusMessage[] = asDeliveredRecords(workload.records);
  const { events, dead } = decodeBatch(messages, sourcesByTopic(s.topicPrefix));
  if (dead.length > 0) throw new Error(`workload has undecodable records: ${dead[0]!.reason}`);
  const byTopic = new Map<string, typeof workload.records>();
  for (const r of workload.records) {
    const list = byTopic.get(r.topic) ?? [];
    list.push(r);
    byTopic.set(r.topic, list);
  }
  for (const [topic, list] of byTopic) {
    for (let i = 0; i < list.length; i += 10_000) await bus.publish(topic, list.slice(i, i + 10_000));
  }
  return { topics: workload.topics, expected: new Set(events.map((e) => e['event.id'])).size };
}

/**
 * A scenario for one test file: its own topics, bus and data streams, and a `start` that launches
 * consumer processes; after the file's tests every consumer is killed and the clients are closed.
 */
export function useScenario(name: string) {
  const s = scenario(name);
  const bus = testBus(s);
  const store = testStore(s);
  const consumers: Consumer[] = [];
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.kill()));
    await bus.close();
    await store.close();
  });
  const start = async (topics: string[], overrides?: Parameters<typeof startConsumer>[2]) => {
    const consumer = await startConsumer(s, topics, overrides);
    consumers.push(consumer);
    return consumer;
  };
  return { s, bus, store, start };
}
