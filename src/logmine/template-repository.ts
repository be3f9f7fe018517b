import { type Kysely, sql } from 'kysely';
import type { StateDatabase } from '../store/state/schema.js';
import type { TemplateRecord } from './miner.js';

/**
 * Where mined templates live between runs: the state store (SQLite or PostgreSQL) through Kysely,
 * or memory in tests. The miner restores from `loadAll` at start and writes what changed with
 * `save`, so a restart keeps every template id.
 */
export interface TemplateRepository {
  loadAll(): Promise<TemplateRecord[]>;
  save(records: readonly TemplateRecord[], at: string): Promise<void>;
}

export class KyselyTemplateRepository implements TemplateRepository {
  constructor(private readonly db: Kysely<StateDatabase>) {}

  async loadAll(): Promise<TemplateRecord[]> {
    const rows = await this.db
      .selectFrom('log_templates')
      .select(['id', 'template', 'count'])
      .orderBy('last_seen', 'desc')
      .execute();
    return rows.map((r) => ({ id: r.id, template: r.template, count: Number(r.count) }));
  }

  async save(records: readonly TemplateRecord[], at: string): Promise<void> {
    // 500 rows × 5 values stays under SQLite's and PostgreSQL's bound-parameter limits.
    for (let i = 0; i < records.length; i += 500) {
      const chunk = records.slice(i, i + 500).map((r) => ({
        id: r.id,
        template: r.template,
        count: r.count,
        first_seen: at,
        last_seen: at,
      }));
      await this.db
        .insertInto('log_templates')
        .values(chunk)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            template: sql`excluded.template`,
            count: sql`excluded.count`,
            last_seen: sql`excluded.last_seen`,
          }),
        )
        .execute();
    }
  }
}

export class MemoryTemplateRepository implements TemplateRepository {
  readonly rows = new Map<string, TemplateRecord>();

  async loadAll(): Promise<TemplateRecord[]> {
    return [...this.rows.values()].map((r) => ({ ...r }));
  }

  async save(records: readonly TemplateRecord[], _at?: string): Promise<void> {
    for (const r of records) this.rows.set(r.id, { ...r });
  }
}
