import { type Kysely, sql } from 'kysely';
import type { StateDatabase } from '../store/state/schema.js';
import type { TemplateRecord } from './miner.js';

/**
 * Where mined templates live between runs: the state store (SQLite or PostgreSQL) through Kysely,
 * or memory in tests. The miner restores from `loadAll` at start and writes what changed with
 * `save`, so a restart keeps every template id.
 */
export interface StoredTemplate extends TemplateRecord {
  firstSeen: string;
  lastSeen: string;
}

export interface TemplateRepository {
  loadAll(): Promise<TemplateRecord[]>;
  /** Most frequent first; `contains` filters on the template text. */
  list(options: { limit: number; contains?: string }): Promise<StoredTemplate[]>;
  get(id: string): Promise<StoredTemplate | undefined>;
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

  async list(options: { limit: number; contains?: string }): Promise<StoredTemplate[]> {
    let q = this.db.selectFrom('log_templates').selectAll();
    if (options.contains !== undefined && options.contains !== '') {
      // `%` and `_` are escaped: they are common in templates and meant literally here.
      const pattern = `%${options.contains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`template like ${pattern} escape '\\'`);
    }
    const rows = await q.orderBy('count', 'desc').orderBy('id').limit(options.limit).execute();
    return rows.map(stored);
  }

  async get(id: string): Promise<StoredTemplate | undefined> {
    const row = await this.db.selectFrom('log_templates').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : stored(row);
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

function stored(r: { id: string; template: string; count: number; first_seen: string; last_seen: string }) {
  return {
    id: r.id,
    template: r.template,
    count: Number(r.count),
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
  };
}

export class MemoryTemplateRepository implements TemplateRepository {
  readonly rows = new Map<string, StoredTemplate>();

  async list(options: { limit: number; contains?: string }): Promise<StoredTemplate[]> {
    return [...this.rows.values()]
      .filter((r) => options.contains === undefined || r.template.includes(options.contains))
      .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id))
      .slice(0, options.limit);
  }

  async get(id: string): Promise<StoredTemplate | undefined> {
    return this.rows.get(id);
  }

  async loadAll(): Promise<TemplateRecord[]> {
    return [...this.rows.values()].map((r) => ({ id: r.id, template: r.template, count: r.count }));
  }

  async save(records: readonly TemplateRecord[], at = new Date().toISOString()): Promise<void> {
    for (const r of records) {
      const firstSeen = this.rows.get(r.id)?.firstSeen ?? at;
      this.rows.set(r.id, { ...r, firstSeen, lastSeen: at });
    }
  }
}
