import type { Dataset, FaultEvent } from '../model/event.js';
import { CatalogueMiner, type CatalogueMinerOptions } from './catalogue-miner.js';
import type { TemplateRepository } from './template-repository.js';

/** Datasets whose `message` is free text from a logging statement. */
export const MINED_DATASETS: readonly Dataset[] = ['openstack.log', 'host.syslog'];

/**
 * Mining where every line passes once (the ingest pipeline's enrich step): sets `log.template.id`
 * on OpenStack and syslog events. Template ids are a hash of the first line's shape, so a record
 * delivered again gets the same id and ingest stays stateless in what it stores. Several ingest
 * processes share their templates through the state store (catalogue-miner.ts), so a line gets the
 * same id whichever of them mines it. The rate baselines over those ids (anomaly.ts) are stateful
 * and live in the fault engine, which owns event time and sees all of a node's events.
 */
export class TemplateTagger {
  readonly catalogue: CatalogueMiner;

  constructor(repository?: TemplateRepository, options: CatalogueMinerOptions = {}) {
    this.catalogue = new CatalogueMiner(repository, options);
  }

  get miner() {
    return this.catalogue.miner;
  }

  start(): Promise<void> {
    return this.catalogue.start();
  }

  readonly enrich = async (events: FaultEvent[]): Promise<FaultEvent[]> => {
    const mined: FaultEvent[] = [];
    const messages: string[] = [];
    for (const e of events) {
      if (!MINED_DATASETS.includes(e['event.dataset']) || e['event.kind'] === 'signal') continue;
      mined.push(e);
      messages.push(e.message);
    }
    if (mined.length === 0) return events;
    const results = await this.catalogue.mine(messages);
    mined.forEach((e, i) => {
      const id = results[i]?.id;
      if (id !== undefined) e['log.template.id'] = id;
    });
    return events;
  };

  /** Writes the line counts not yet written (also called on shutdown). */
  save(): Promise<void> {
    return this.catalogue.flushCounts();
  }
}
