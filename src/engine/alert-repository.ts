import type { Kysely } from 'kysely';
import type { Finding, Prediction } from '../model/alert.js';
import { FaultlineError } from '../shared/errors.js';
import { decodeCursor, encodeCursor } from '../store/cursor.js';
import type { StateDatabase } from '../store/state/schema.js';

type AlertRow = {
  id: string;
  kind: string;
  fingerprint: string;
  rule: string;
  status: string;
  severity: string;
  host: string | null;
  tenants: string;
  starts_at: string;
  updated_at: string;
  acked_by: string | null;
  acked_at: string | null;
  body: string;
};

type HistoryRow = {
  alert_id: string;
  at: string;
  change: string;
  actor: string | null;
  detail: string | null;
};

type SilenceRow = {
  id: string;
  matchers: string;
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  updated_at: string;
};

/** Tables of migration 0004-alerts, seen beside the rest of the state schema. */
type AlertTables = {
  alerts: AlertRow;
  alert_history: HistoryRow;
  silences: SilenceRow;
};

/** Alertmanager's matcher: `=`, `!=`, `=~`, `!~` on one label. */
export interface Matcher {
  name: string;
  value: string;
  op: '=' | '!=' | '=~' | '!~';
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  updatedAt: string;
}

export type StoredFinding = Finding & {
  ack?: { by: string; at: string };
  silencedBy?: string[];
};

export interface AlertQuery {
  kind: 'alert' | 'prediction';
  status?: string[];
  severity?: string[];
  rule?: string[];
  host?: string[];
  /** Only findings whose impact names this tenant (tenant-scoped keys). */
  tenant?: string;
  since?: string;
  limit: number;
  cursor?: string;
}

export interface AlertPage {
  items: StoredFinding[];
  next?: string;
}

/**
 * Where alerts live (DESIGN §5: the state store): one row per alert id (fingerprint + first seen),
 * upserted on every change, so a replay overwrites instead of duplicating; their history; silences.
 */
export interface AlertRepository {
  upsert(findings: readonly Finding[], at: string): Promise<void>;
  get(id: string): Promise<StoredFinding | undefined>;
  list(query: AlertQuery): Promise<AlertPage>;
  ack(id: string, by: string, at: string): Promise<StoredFinding | undefined>;
  history(id: string): Promise<HistoryRow[]>;
  createSilence(s: Silence): Promise<void>;
  updateSilence(s: Silence): Promise<boolean>;
  getSilence(id: string): Promise<Silence | undefined>;
  listSilences(): Promise<Silence[]>;
  deleteSilence(id: string): Promise<boolean>;
}

export function validateMatchers(matchers: Matcher[]): void {
  if (matchers.length === 0)
    throw new FaultlineError('FAULTLINE_VALIDATION', 'a silence needs at least one matcher');
  for (const m of matchers) {
    if (m.op === '=~' || m.op === '!~') {
      try {
        new RegExp(m.value);
      } catch (error) {
        throw new FaultlineError('FAULTLINE_VALIDATION', `matcher ${m.name}: ${(error as Error).message}`);
      }
    }
  }
  // As in Alertmanager: a silence whose matchers all match the empty label would silence everything.
  if (matchers.every((m) => matcherMatches(m, ''))) {
    throw new FaultlineError('FAULTLINE_VALIDATION', 'at least one matcher must not match the empty string');
  }
}

function matcherMatches(m: Matcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(value);
    default:
      return !new RegExp(`^(?:${m.value})$`).test(value);
  }
}

/** The silences active at `at` whose matchers all match the labels (a missing label is ""). */
export function silencedBy(
  labels: Record<string, string>,
  silences: readonly Silence[],
  at: string,
): string[] {
  return silences
    .filter((s) => s.startsAt <= at && at < s.endsAt)
    .filter((s) => s.matchers.every((m) => matcherMatches(m, labels[m.name] ?? '')))
    .map((s) => s.id);
}

/**
 * The row status: an alert the leasing core's own work explains (suppressedBy, no parent) is
 * `suppressed`: kept for the record, but not among the alerts an SRE is shown by default.
 */
function statusOf(f: Finding): string {
  if (f.kind !== 'alert') return 'predicted';
  return f.suppressedBy !== undefined && f.parentId === undefined ? 'suppressed' : f.status;
}

function startOf(f: Finding): string {
  return f.kind === 'alert' ? f.startsAt : (f as Prediction).predictedAt;
}

/**
 * Whether `next` is an earlier state of the stored alert: a replay of the bus from an earlier offset
 * passes through states already written, and must not move a resolved alert back to firing or a
 * counter back down.
 */
function isOlder(next: Finding, stored: Finding): boolean {
  if (next.kind === 'alert' && stored.kind === 'alert') {
    if (next.lastSeenAt !== stored.lastSeenAt) return next.lastSeenAt < stored.lastSeenAt;
    if (next.count !== stored.count) return next.count < stored.count;
    return next.status === 'firing' && stored.status === 'resolved';
  }
  return false;
}

export class KyselyAlertRepository implements AlertRepository {
  private readonly db: Kysely<AlertTables>;
  constructor(db: Kysely<StateDatabase>) {
    this.db = db.withTables<AlertTables>() as unknown as Kysely<AlertTables>;
  }

  async upsert(findings: readonly Finding[], at: string): Promise<void> {
    if (findings.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const f of findings) {
        const prior = await trx
          .selectFrom('alerts')
          .select(['status', 'body'])
          .where('id', '=', f.id)
          .executeTakeFirst();
        const row = {
          kind: f.kind,
          fingerprint: f.fingerprint,
          rule: f.rule,
          status: statusOf(f),
          severity: f.severity,
          host: f.host ?? null,
          tenants: `,${(f.impact?.tenants ?? []).join(',')},`,
          starts_at: startOf(f),
          updated_at: at,
          body: JSON.stringify(f),
        };
        if (prior === undefined) {
          await trx
            .insertInto('alerts')
            .values({ id: f.id, acked_by: null, acked_at: null, ...row })
            .execute();
          await trx
            .insertInto('alert_history')
            .values({ alert_id: f.id, at, change: row.status, actor: null, detail: null })
            .execute();
        } else if (prior.body !== row.body && !isOlder(f, JSON.parse(prior.body) as Finding)) {
          await trx.updateTable('alerts').set(row).where('id', '=', f.id).execute();
          if (prior.status !== row.status) {
            await trx
              .insertInto('alert_history')
              .values({ alert_id: f.id, at, change: row.status, actor: null, detail: null })
              .execute();
          }
        }
      }
    });
  }

  private async withSilences(rows: AlertRow[]): Promise<StoredFinding[]> {
    const silences = await this.listSilences();
    // Silences mute notifications from now on, as in Alertmanager: the read side asks at wall-clock time.
    const now = new Date().toISOString();
    return rows.map((r) => {
      const f = JSON.parse(r.body) as StoredFinding;
      if (r.acked_by !== null && r.acked_at !== null) f.ack = { by: r.acked_by, at: r.acked_at };
      const by = silencedBy(f.labels, silences, now);
      if (by.length > 0) f.silencedBy = by;
      return f;
    });
  }

  async get(id: string): Promise<StoredFinding | undefined> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : (await this.withSilences([row]))[0];
  }

  async list(q: AlertQuery): Promise<AlertPage> {
    let query = this.db.selectFrom('alerts').selectAll().where('kind', '=', q.kind);
    if (q.status !== undefined) query = query.where('status', 'in', q.status);
    else query = query.where('status', '!=', 'suppressed');
    if (q.severity !== undefined) query = query.where('severity', 'in', q.severity);
    if (q.rule !== undefined) query = query.where('rule', 'in', q.rule);
    if (q.host !== undefined) query = query.where('host', 'in', q.host);
    if (q.tenant !== undefined)
      query = query.where('tenants', 'like', `%,${q.tenant.replace(/[%_,]/g, '')},%`);
    if (q.since !== undefined) query = query.where('starts_at', '>=', q.since);
    if (q.cursor !== undefined) {
      const [start, id] = decodeCursor(q.cursor);
      if (typeof start !== 'string' || typeof id !== 'string')
        throw new FaultlineError('FAULTLINE_BAD_CURSOR', 'bad cursor');
      query = query.where((eb) =>
        eb.or([eb('starts_at', '<', start), eb.and([eb('starts_at', '=', start), eb('id', '<', id)])]),
      );
    }
    const rows = await query
      .orderBy('starts_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit + 1)
      .execute();
    const page: AlertPage = { items: await this.withSilences(rows.slice(0, q.limit)) };
    const last = rows[q.limit - 1];
    if (rows.length > q.limit && last !== undefined) page.next = encodeCursor([last.starts_at, last.id]);
    return page;
  }

  async ack(id: string, by: string, at: string): Promise<StoredFinding | undefined> {
    const result = await this.db
      .updateTable('alerts')
      .set({ acked_by: by, acked_at: at })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    await this.db
      .insertInto('alert_history')
      .values({ alert_id: id, at, change: 'acknowledged', actor: by, detail: null })
      .execute();
    return this.get(id);
  }

  history(id: string): Promise<HistoryRow[]> {
    return this.db.selectFrom('alert_history').selectAll().where('alert_id', '=', id).orderBy('at').execute();
  }

  private static row(s: Silence): SilenceRow {
    return {
      id: s.id,
      matchers: JSON.stringify(s.matchers),
      starts_at: s.startsAt,
      ends_at: s.endsAt,
      created_by: s.createdBy,
      comment: s.comment,
      updated_at: s.updatedAt,
    };
  }

  private static silence(r: SilenceRow): Silence {
    return {
      id: r.id,
      matchers: JSON.parse(r.matchers) as Matcher[],
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      createdBy: r.created_by,
      comment: r.comment,
      updatedAt: r.updated_at,
    };
  }

  async createSilence(s: Silence): Promise<void> {
    await this.db.insertInto('silences').values(KyselyAlertRepository.row(s)).execute();
  }

  async updateSilence(s: Silence): Promise<boolean> {
    const { id, ...rest } = KyselyAlertRepository.row(s);
    const r = await this.db.updateTable('silences').set(rest).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async getSilence(id: string): Promise<Silence | undefined> {
    const r = await this.db.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
    return r === undefined ? undefined : KyselyAlertRepository.silence(r);
  }

  async listSilences(): Promise<Silence[]> {
    const rows = await this.db
      .selectFrom('silences')
      .selectAll()
      .orderBy('starts_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(KyselyAlertRepository.silence);
  }

  async deleteSilence(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('silences').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
