import type { Dataset, FaultEvent } from '../model/event.js';
import { TemplateMiner } from './miner.js';
import type { TemplateRepository } from './template-repository.js';

/** Datasets whose `message` is free text from a logging statement. */
export const MINED_DATASETS: readonly Dataset[] = ['openstack.log', 'host.syslog'];

/**
 * Mining where every line passes once (the ingest pipeline's enrich step): sets `log.template.id`
 * on OpenStack and syslog events. Template ids are a hash of the first line's shape, so a record
 * delivered again gets the same id and ingest stays stateless in what it stores. The rate baselines
 * over those ids (anomaly.ts) are stateful and live in the fault engine, which owns event time and
 * sees all of a node's events. Templates are restored from the repository at start and what changed
 * is written back at most every `saveEveryMs`.
 */
export class TemplateTagger {
  readonly miner = new TemplateMiner();
  private lastSave = 0;
  private known = 0;
  private saving: Promise<void> | undefined;

  constructor(
    private readonly repository?: TemplateRepository,
    private readonly saveEveryMs = 5_000,
  ) {}

  async start(): Promise<void> {
    if (this.repository !== undefined) this.miner.load(await this.repository.loadAll());
  }

  readonly enrich = async (events: FaultEvent[]): Promise<FaultEvent[]> => {
    let mined = false;
    for (const e of events) {
      if (!MINED_DATASETS.includes(e['event.dataset']) || e['event.kind'] === 'signal') continue;
      e['log.template.id'] = this.miner.add(e.message).id;
      mined = true;
    }
    if (!mined) return events;
    const created = this.miner.size !== this.known;
    // New templates are written at once (the API lists them); counts at most every saveEveryMs.
    if (created || Date.now() - this.lastSave >= this.saveEveryMs) await this.save();
    return events;
  };

  /** Writes templates changed since the last save (also called on shutdown). */
  async save(): Promise<void> {
    if (this.repository === undefined) return;
    await this.saving;
    this.lastSave = Date.now();
    this.known = this.miner.size;
    const changes = this.miner.takeChanges();
    if (changes.length === 0) return;
    this.saving = this.repository.save(changes, new Date().toISOString());
    await this.saving;
  }
}
