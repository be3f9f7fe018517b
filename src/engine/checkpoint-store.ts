import type { Kysely } from 'kysely';
import type { StateDatabase } from '../store/state/schema.js';

/** Engine state of one bus partition after every record before `nextOffset` was applied. */
export interface EngineCheckpoint {
  nextOffset: string;
  state: Buffer;
}

export interface PartitionRef {
  group: string;
  topic: string;
  partition: number;
}

/**
 * Where the live engine keeps its checkpoints. The bus commits a batch only after the handler
 * resolved, and the handler saves the checkpoint first: a restart is delivered records from at or
 * before the checkpoint, skips those before it and continues from the saved state.
 */
export interface CheckpointStore {
  load(at: PartitionRef): Promise<EngineCheckpoint | undefined>;
  /** The saved `nextOffset` alone (no state read): who checkpointed this partition last. */
  position(at: PartitionRef): Promise<string | undefined>;
  /** Never moves a partition's checkpoint back (a zombie owner finishing an older batch late). */
  save(at: PartitionRef, checkpoint: EngineCheckpoint, now: string): Promise<void>;
}

type CheckpointTables = {
  engine_checkpoints: {
    grp: string;
    topic: string;
    partition: number;
    next_offset: number;
    state: Buffer;
    updated_at: string;
  };
};

/** Checkpoints in the state store (migration 0007), SQLite or PostgreSQL. */
export class KyselyCheckpointStore implements CheckpointStore {
  private readonly db: Kysely<CheckpointTables>;
  constructor(db: Kysely<StateDatabase>) {
    this.db = db.withTables<CheckpointTables>() as unknown as Kysely<CheckpointTables>;
  }

  async load(at: PartitionRef): Promise<EngineCheckpoint | undefined> {
    const row = await this.db
      .selectFrom('engine_checkpoints')
      .select(['next_offset', 'state'])
      .where('grp', '=', at.group)
      .where('topic', '=', at.topic)
      .where('partition', '=', at.partition)
      .executeTakeFirst();
    return row === undefined
      ? undefined
      : { nextOffset: String(row.next_offset), state: Buffer.from(row.state) };
  }

  async position(at: PartitionRef): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('engine_checkpoints')
      .select('next_offset')
      .where('grp', '=', at.group)
      .where('topic', '=', at.topic)
      .where('partition', '=', at.partition)
      .executeTakeFirst();
    return row === undefined ? undefined : String(row.next_offset);
  }

  async save(at: PartitionRef, checkpoint: EngineCheckpoint, now: string): Promise<void> {
    const next = Number(checkpoint.nextOffset);
    await this.db
      .insertInto('engine_checkpoints')
      .values({
        grp: at.group,
        topic: at.topic,
        partition: at.partition,
        next_offset: next,
        state: checkpoint.state,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['grp', 'topic', 'partition'])
          .doUpdateSet({ next_offset: next, state: checkpoint.state, updated_at: now })
          .where('engine_checkpoints.next_offset', '<=', next),
      )
      .execute();
  }
}
