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

/** A template as the shared catalogue holds it: with the catalogue version that last reshaped it. */
export interface CatalogueTemplate extends TemplateRecord {
  version: number;
}

/** Lines matched per template since the last flush (from one miner; several add up). */
export interface TemplateCount {
  id: string;
  template: string;
  added: number;
}

export interface TemplateRepository {
  loadAll(): Promise<TemplateRecord[]>;
  /** Most frequent first; `contains` filters on the template text. */
  list(options: { limit: number; contains?: string }): Promise<StoredTemplate[]>;
  get(id: string): Promise<StoredTemplate | undefined>;
  /** Writes templates with absolute counts (seeding, tests); miners use `reshape` and `addCounts`. */
  save(records: readonly TemplateRecord[], at: string): Promise<void>;
  /** Templates created or generalized after catalogue version `since`, oldest change first. */
  changedSince(since: number): Promise<CatalogueTemplate[]>;
  /**
   * Runs `fn` as the only writer of templates across every process sharing the store: it gets what
   * changed after `since`, mines, and returns the templates it created or generalized, which are
   * written under a new catalogue version before the lock is released. Returns that version.
   */
  reshape(since: number, fn: (changed: CatalogueTemplate[]) => TemplateRecord[], at: string): Promise<number>;
  addCounts(counts: readonly TemplateCount[], at: string): Promise<void>;
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
    await this.upsert(records, at, {
      template: sql`excluded.template`,
      count: sql`excluded.count`,
      last_seen: sql`excluded.last_seen`,
    });
  }

  /** Inserts templates with `count`, or updates the columns of `set` where the id is held. */
  private async upsert(
    records: readonly TemplateRecord[],
    at: string,
    set: Record<string, ReturnType<typeof sql>>,
  ): Promise<void> {
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
        .onConflict((oc) => oc.column('id').doUpdateSet(set))
        .execute();
    }
  }

  async changedSince(since: number): Promise<CatalogueTemplate[]> {
    const rows = await this.db
      .selectFrom('log_templates')
      .select(['id', 'template', 'count', 'version'])
      .where('version', '>', since)
      .orderBy('version')
      .orderBy('id')
      .execute();
    return rows.map(catalogued);
  }

  reshape(
    since: number,
    fn: (changed: CatalogueTemplate[]) => TemplateRecord[],
    at: string,
  ): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // Updating the one catalogue row takes its row lock (PostgreSQL) or the write lock (SQLite)
      // until commit: miners reshape one at a time, and versions commit in the order they are taken.
      const { version } = await trx
        .updateTable('log_template_catalogue')
        .set({ version: sql`version + 1` })
        .where('id', '=', 1)
        .returning('version')
        .executeTakeFirstOrThrow();
      const changed = await new KyselyTemplateRepository(trx).changedSince(since);
      const written = byId(fn(changed));
      for (let i = 0; i < written.length; i += 500) {
        const chunk = written.slice(i, i + 500).map((r) => ({
          id: r.id,
          template: r.template,
          count: 0,
          first_seen: at,
          last_seen: at,
          version: Number(version),
        }));
        await trx
          .insertInto('log_templates')
          .values(chunk)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet({ template: sql`excluded.template`, version: sql`excluded.version` }),
          )
          .execute();
      }
      return Number(version);
    });
  }

  async addCounts(unordered: readonly TemplateCount[], at: string): Promise<void> {
    const counts = byId(unordered).map((c) => ({ id: c.id, template: c.template, count: c.added }));
    await this.upsert(counts, at, {
      count: sql`log_templates.count + excluded.count`,
      last_seen: sql`excluded.last_seen`,
    });
  }
}

/** Rows are locked in id order by every writer, so two writers never wait on each other in a cycle. */
function byId<T extends { id: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function catalogued(r: { id: string; template: string; count: number; version: number }): CatalogueTemplate {
  return { id: r.id, template: r.template, count: Number(r.count), version: Number(r.version) };
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
  readonly rows = new Map<string, StoredTemplate & { version: number }>();
  private version = 0;
  private lock: Promise<unknown> = Promise.resolve();

  async changedSince(since: number): Promise<CatalogueTemplate[]> {
    return [...this.rows.values()]
      .filter((r) => r.version > since)
      .sort((a, b) => a.version - b.version || (a.id < b.id ? -1 : 1))
      .map(catalogued);
  }

  reshape(
    since: number,
    fn: (changed: CatalogueTemplate[]) => TemplateRecord[],
    at: string,
  ): Promise<number> {
    const run = this.lock.then(async () => {
      const version = ++this.version;
      const written = fn(await this.changedSince(since));
      for (const r of written) {
        const held = this.rows.get(r.id);
        this.rows.set(r.id, {
          id: r.id,
          template: r.template,
          count: held?.count ?? 0,
          firstSeen: held?.firstSeen ?? at,
          lastSeen: held?.lastSeen ?? at,
          version,
        });
      }
      return version;
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  async addCounts(counts: readonly TemplateCount[], at: string): Promise<void> {
    for (const c of counts) {
      const held = this.rows.get(c.id);
      this.rows.set(c.id, {
        id: c.id,
        template: held?.template ?? c.template,
        count: (held?.count ?? 0) + c.added,
        firstSeen: held?.firstSeen ?? at,
        lastSeen: at,
        version: held?.version ?? 0,
      });
    }
  }

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
      const held = this.rows.get(r.id);
      this.rows.set(r.id, {
        ...r,
        firstSeen: held?.firstSeen ?? at,
        lastSeen: at,
        version: held?.version ?? 0,
      });
    }
  }
}
