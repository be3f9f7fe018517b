import type { TemplateRecord } from './miner.js';
import { type MineResult, type MinerOptions, TemplateMiner } from './miner.js';
import type { TemplateRepository } from './template-repository.js';

export interface CatalogueMinerOptions {
  /** How stale the templates other miners made may be when a line fits one we hold. */
  refreshEveryMs?: number;
  /** How often line counts are added to the catalogue. */
  countsEveryMs?: number;
  miner?: MinerOptions;
  now?: () => number;
  /** Where a count flush that ran on its own (traffic paused) reports a failure. */
  onFlushError?: (error: unknown) => void;
}

/**
 * A template miner that shares its templates with every other miner on the same state store (the
 * ingest processes of a distributed deployment), so that a line gets the same `log.template.id`
 * whichever process mined it:
 * - a line that fits a template already held, as it is, is tagged locally (almost every line);
 * - a line that would create or generalize a template is mined under the catalogue's lock, after
 *   reading what other miners changed; what it creates or generalizes is written before the lock
 *   is released. Template changes are thus one sequence across processes, ids are never minted
 *   twice for one template, and a template keeps its id as it generalizes anywhere;
 * - what others changed is also read every `refreshEveryMs`, so held templates stay current.
 * Which template a line joins depends only on the templates held (miner.ts), so miners that hold
 * the same catalogue decide alike. With no repository it is a plain in-memory miner.
 */
export class CatalogueMiner {
  readonly miner: TemplateMiner;
  private readonly refreshEveryMs: number;
  private readonly countsEveryMs: number;
  private readonly now: () => number;
  /** The newest catalogue version this miner has read. */
  private version = -1;
  private lastRefresh = Number.NEGATIVE_INFINITY;
  private lastCounts: number;
  /** Reshaped templates a failed write did not store: written with the next reshape. */
  private unwritten: TemplateRecord[] = [];
  /** Flushes counts left behind when traffic pauses before the next `countsEveryMs` tick. */
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly onFlushError: (error: unknown) => void;

  constructor(
    private readonly repository: TemplateRepository | undefined,
    options: CatalogueMinerOptions = {},
  ) {
    this.miner = new TemplateMiner(options.miner);
    this.refreshEveryMs = options.refreshEveryMs ?? 1_000;
    this.countsEveryMs = options.countsEveryMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.lastCounts = this.now();
    this.onFlushError = options.onFlushError ?? (() => {});
  }

  /** Restores every template of the catalogue (restart: same ids, counts go on). */
  async start(): Promise<void> {
    await this.refresh();
  }

  /** Mines the messages in order; one result per message. */
  async mine(messages: readonly string[]): Promise<MineResult[]> {
    const repository = this.repository;
    if (repository === undefined) return messages.map((m) => this.miner.add(m));
    if (this.now() - this.lastRefresh >= this.refreshEveryMs) await this.refresh();
    const out: MineResult[] = [];
    let i = 0;
    for (; i < messages.length; i++) {
      const result = this.miner.tryAdd(messages[i] as string);
      if (result === undefined) break;
      out.push(result);
    }
    if (i < messages.length) {
      // From the first line that changes a template on, the rest of the batch is mined in order
      // under the lock, on the catalogue as it is now.
      let written: TemplateRecord[] | undefined;
      try {
        this.version = await repository.reshape(
          this.version,
          (changed) => {
            this.miner.load(changed);
            for (; i < messages.length; i++) out.push(this.miner.add(messages[i] as string));
            written = [...this.unwritten, ...this.miner.takeReshaped()];
            return written;
          },
          new Date(this.now()).toISOString(),
        );
        this.unwritten = [];
      } catch (error) {
        if (written !== undefined) this.unwritten = written;
        throw error;
      }
      this.lastRefresh = this.now();
    }
    if (this.now() - this.lastCounts >= this.countsEveryMs) await this.flushCounts();
    else if (this.flushTimer === undefined && out.length > 0) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.flushCounts().catch(this.onFlushError);
      }, this.countsEveryMs);
      this.flushTimer.unref();
    }
    return out;
  }

  /** Reads what other miners created or generalized since the last read. */
  async refresh(): Promise<void> {
    if (this.repository === undefined) return;
    const changed = await this.repository.changedSince(this.version);
    this.miner.load(changed);
    for (const t of changed) if (t.version > this.version) this.version = t.version;
    this.lastRefresh = this.now();
  }

  /** Adds the lines counted since the last flush to the catalogue (also on shutdown). */
  async flushCounts(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.lastCounts = this.now();
    if (this.repository === undefined) return;
    const counts = this.miner.takeCounts();
    if (counts.length > 0) await this.repository.addCounts(counts, new Date(this.now()).toISOString());
  }
}
