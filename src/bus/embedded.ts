import { EventEmitter } from 'node:events';
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { errorMessage } from '../shared/errors.js';
import type { HealthStatus } from '../shared/health.js';
import { openDatabase } from '../shared/sqlite.js';
import type {
  BusMessage,
  DeadLetter,
  DeadLetterEntry,
  DeadLetterQuery,
  KeyPartitioner,
  MessageBus,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
  TopicLag,
} from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bus_topics (topic TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS bus_log (
  offset  INTEGER PRIMARY KEY AUTOINCREMENT,
  topic   TEXT    NOT NULL,
  key     TEXT,
  value   BLOB    NOT NULL,
  headers TEXT,
  ts      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS bus_log_topic ON bus_log (topic, offset);
CREATE TABLE IF NOT EXISTS bus_offsets (
  grp       TEXT    NOT NULL,
  topic     TEXT    NOT NULL,
  committed INTEGER NOT NULL,
  PRIMARY KEY (grp, topic)
);
CREATE TABLE IF NOT EXISTS dead_letters (
  id               INTEGER PRIMARY KEY,
  source_topic     TEXT    NOT NULL,
  source_partition INTEGER NOT NULL,
  source_offset    TEXT    NOT NULL,
  source           TEXT    NOT NULL,
  line             INTEGER,
  reason           TEXT    NOT NULL,
  original         BLOB    NOT NULL,
  at               TEXT    NOT NULL,
  frame            INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_position
  ON dead_letters (source_topic, source_partition, source_offset, coalesce(frame, -1), reason);
`;

/**
 * Files of earlier versions keyed dead letters by record position and reason only, which collapsed
 * the lines of a packed record into one row: move their rows to the table keyed by frame too.
 */
function upgradeDeadLetters(db: Database.Database): void {
  const columns = db.prepare('PRAGMA table_info(dead_letters)').all() as Array<{ name: string }>;
  if (columns.length === 0 || columns.some((c) => c.name === 'frame')) return;
  db.transaction(() => {
    db.exec('ALTER TABLE dead_letters RENAME TO dead_letters_before_frames');
    db.exec(SCHEMA);
    db.exec(`INSERT INTO dead_letters
               (id, source_topic, source_partition, source_offset, source, line, reason, original, at)
             SELECT id, source_topic, source_partition, source_offset, source, line, reason, original, at
             FROM dead_letters_before_frames`);
    db.exec('DROP TABLE dead_letters_before_frames');
  })();
}

/** Every topic of the embedded bus is one partition. */
const onePartition: KeyPartitioner = () => 0;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function asText(bytes: Buffer): Pick<DeadLetterEntry, 'original' | 'encoding'> {
  try {
    return { original: strictUtf8.decode(bytes), encoding: 'utf8' };
  } catch {
    return { original: bytes.toString('base64'), encoding: 'base64' };
  }
}

/**
 * The embedded bus: an append-only SQLite log with committed offsets per consumer group. One
 * partition per topic (one process owns the embedded stores). Publishing commits a transaction, so
 * a record acknowledged to a client survives a SIGKILL; a consumer commits only after its handler
 * resolved, so records in flight at a crash are delivered again (at least once).
 */
export class EmbeddedBus implements MessageBus {
  readonly kind = 'embedded' as const;
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private readonly subscriptions = new Set<EmbeddedSubscription>();
  private closed = false;
  private readonly pruneTimer: NodeJS.Timeout | undefined;

  /**
   * @param options.pruneIntervalMs how often records every group has committed are deleted (0: never).
   */
  constructor(file: string, options: { pruneIntervalMs?: number } = {}) {
    this.db = openDatabase(file);
    upgradeDeadLetters(this.db);
    this.db.exec(SCHEMA);
    this.appended.setMaxListeners(0);
    const every = options.pruneIntervalMs ?? 60_000;
    if (every > 0) {
      this.pruneTimer = setInterval(() => {
        if (!this.closed) this.prune();
      }, every);
      this.pruneTimer.unref();
    }
  }

  async ensureTopics(topics: string[]): Promise<void> {
    const insertTopic = this.db.prepare('INSERT OR IGNORE INTO bus_topics (topic) VALUES (?)');
    this.db.transaction(() => {
      for (const t of topics) insertTopic.run(t);
    })();
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const now = Date.now();
    const append = this.db.prepare(
      'INSERT INTO bus_log (topic, key, value, headers, ts) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO bus_topics (topic) VALUES (?)').run(topic);
      for (const m of messages) {
        const value = typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value;
        const headers = m.headers === undefined ? null : JSON.stringify(m.headers);
        append.run(topic, m.key, value, headers, m.timestamp ?? now);
      }
    })();
    this.appended.emit('append', topic);
  }

  async partitioner(): Promise<KeyPartitioner> {
    return onePartition;
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const sub = new EmbeddedSubscription(this.db, this.appended, options, () =>
      this.subscriptions.delete(sub),
    );
    this.subscriptions.add(sub);
    sub.start();
    return sub;
  }

  async deadLetter(entries: DeadLetter[]): Promise<void> {
    if (entries.length === 0) return;
    const insertDeadLetter = this.db.prepare(
      `INSERT OR IGNORE INTO dead_letters
       (source_topic, source_partition, source_offset, source, line, reason, original, at, frame)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const e of entries) {
        insertDeadLetter.run(
          e.sourceTopic,
          e.sourcePartition,
          e.sourceOffset,
          e.source,
          e.line ?? null,
          e.reason,
          e.original,
          e.at,
          e.frame ?? null,
        );
      }
    })();
  }

  /** Dead letters, newest first; bytes that are not valid UTF-8 come back in base64, never altered. */
  async listDeadLetters(options: DeadLetterQuery = {}): Promise<DeadLetterEntry[]> {
    const rows = this.db
      .prepare(
        `SELECT id, source_topic, source_partition, source_offset, source, line, reason, original, at, frame
         FROM dead_letters WHERE (? IS NULL OR source = ?) AND (? IS NULL OR id < ?)
         ORDER BY id DESC LIMIT ?`,
      )
      .all(
        options.source ?? null,
        options.source ?? null,
        options.before ?? null,
        options.before ?? null,
        Math.min(options.limit ?? 100, 1000),
      ) as Array<Record<string, unknown>>;
    return rows.map((r) => {
      const row: DeadLetterEntry = {
        id: r.id as number,
        sourceTopic: r.source_topic as string,
        sourcePartition: r.source_partition as number,
        sourceOffset: r.source_offset as string,
        source: r.source as string,
        reason: r.reason as string,
        ...asText(r.original as Buffer),
        at: r.at as string,
      };
      if (r.line !== null) row.line = r.line as number;
      if (r.frame !== null) row.frame = r.frame as number;
      return row;
    });
  }

  async lag(group: string, topics: string[]): Promise<TopicLag[]> {
    const stmt = this.db.prepare(
      `SELECT
         (SELECT count(*) FROM bus_log l WHERE l.topic = ? AND l.offset >=
            coalesce((SELECT committed FROM bus_offsets o WHERE o.grp = ? AND o.topic = ?), 0)) AS lag`,
    );
    return topics.map((topic) => {
      const r = stmt.get(topic, group, topic) as { lag: number };
      return { topic, partition: 0, group, lag: r.lag };
    });
  }

  /**
   * Deletes records every group of their topic has committed past, like Kafka retention keeps the log
   * bounded; a topic nobody consumes keeps everything. Returns the number of records deleted.
   */
  prune(): number {
    return this.db
      .prepare(
        `DELETE FROM bus_log WHERE offset < (
           SELECT min(committed) FROM bus_offsets o WHERE o.topic = bus_log.topic
         )`,
      )
      .run().changes;
  }

  async health(): Promise<HealthStatus> {
    if (this.closed) return { ok: false, detail: 'bus closed' };
    try {
      this.db.prepare('SELECT 1 FROM bus_topics LIMIT 1').get();
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: errorMessage(error) };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pruneTimer);
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    if (this.db.open) this.db.close();
  }
}

class EmbeddedSubscription implements Subscription {
  private running = false;
  private paused = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly onAppend = () => this.wake?.();

  constructor(
    private readonly db: Database.Database,
    private readonly appended: EventEmitter,
    private readonly options: SubscribeOptions,
    private readonly onClosed: () => void,
  ) {}

  start(): void {
    this.running = true;
    const init = this.db.prepare(
      'INSERT OR IGNORE INTO bus_offsets (grp, topic, committed) VALUES (?, ?, ?)',
    );
    const fromBeginning = this.options.fromBeginning ?? true;
    for (const topic of this.options.topics) {
      const start = fromBeginning
        ? 0
        : (
            this.db
              .prepare('SELECT coalesce(max(offset), 0) + 1 AS n FROM bus_log WHERE topic = ?')
              .get(topic) as {
              n: number;
            }
          ).n;
      init.run(this.options.group, topic, start);
    }
    this.appended.on('append', this.onAppend);
    this.loop = this.run();
  }

  private async idle(ms: number): Promise<void> {
    // Woken early by an in-process publish; the timeout catches publishes from other processes.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async run(): Promise<void> {
    const { group, topics, onBatch } = this.options;
    const max = this.options.maxBatchSize ?? 1000;
    const position = this.db.prepare('SELECT committed FROM bus_offsets WHERE grp = ? AND topic = ?');
    const fetch = this.db.prepare(
      'SELECT offset, key, value, headers, ts FROM bus_log WHERE topic = ? AND offset >= ? ORDER BY offset LIMIT ?',
    );
    const commit = this.db.prepare('UPDATE bus_offsets SET committed = ? WHERE grp = ? AND topic = ?');
    let failures = 0;
    while (this.running) {
      if (this.paused) {
        await this.idle(100);
        continue;
      }
      let delivered = false;
      for (const topic of topics) {
        if (!this.running || this.paused) break;
        const from = (position.get(group, topic) as { committed: number }).committed;
        const rows = fetch.all(topic, from, max) as Array<{
          offset: number;
          key: string | null;
          value: Buffer;
          headers: string | null;
          ts: number;
        }>;
        if (rows.length === 0) continue;
        delivered = true;
        const messages: BusMessage[] = rows.map((r) => ({
          topic,
          partition: 0,
          offset: String(r.offset),
          key: r.key,
          value: r.value,
          headers: r.headers === null ? {} : (JSON.parse(r.headers) as Record<string, string>),
          timestamp: r.ts,
        }));
        try {
          await onBatch(messages, {
            topic,
            partition: 0,
            heartbeat: async () => {},
            isRunning: () => this.running,
          });
          // Commit the next offset to read, as Kafka does (last + 1).
          commit.run(rows.at(-1)!.offset + 1, group, topic);
          failures = 0;
          // A handler that resolves through microtasks alone would never let I/O in while records
          // keep coming: the API in the same process would stall until the consumer caught up.
          await yieldToLoop();
        } catch (error) {
          failures++;
          this.options.onError?.(error, { topic, partition: 0 });
          await sleep(Math.min(100 * 2 ** failures, 5000));
        }
      }
      if (!delivered) await this.idle(250);
    }
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  async close(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.appended.off('append', this.onAppend);
    this.wake?.();
    await this.loop;
    this.onClosed();
  }
}
