import type { Kysely } from 'kysely';
import type { Logger } from '../shared/logger.js';
import type { StateDatabase } from '../store/state/schema.js';
import type { FleetEvent, FleetEventSink } from './fleet-event.js';

/**
 * The transactional outbox of fleet events: `write` puts them in the state store inside the
 * change's transaction; `kick` relays what is waiting to the bus, in order, after the commit. A bus
 * that fails leaves them waiting for the next attempt (every `retryMs`), so a committed change
 * always reaches the bus, at least once (the `fleet` source's event ids make a repeat harmless).
 */
export class FleetOutbox {
  private draining: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly db: Kysely<StateDatabase>,
    private readonly bus: FleetEventSink,
    private readonly logger?: Logger,
    private readonly retryMs = 2_000,
    private readonly batch = 500,
  ) {}

  /** Inside the change's transaction (`db` is the transaction). */
  async write(db: Kysely<StateDatabase>, events: FleetEvent[]): Promise<void> {
    if (events.length === 0) return;
    await db
      .insertInto('fleet_outbox')
      .values(events.map((e) => ({ event: JSON.stringify(e) })))
      .execute();
  }

  /** Starts relaying (if not already); resolves when what was waiting has been tried. */
  kick(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const rows = await this.db
          .selectFrom('fleet_outbox')
          .select(['seq', 'event'])
          .orderBy('seq')
          .limit(this.batch)
          .execute();
        if (rows.length === 0) return;
        await this.bus.emit(rows.map((r) => JSON.parse(r.event) as FleetEvent));
        await this.db.deleteFrom('fleet_outbox').where('seq', '<=', rows.at(-1)!.seq).execute();
      }
    } catch (err) {
      this.logger?.warn({ err }, 'fleet events wait in the outbox: the bus refused them; retrying');
      if (!this.closed && this.retry === undefined) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          void this.kick();
        }, this.retryMs);
        this.retry.unref();
      }
    }
  }

  /** Relays what is waiting one last time and stops retrying. */
  async close(): Promise<void> {
    await this.kick();
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
  }
}
