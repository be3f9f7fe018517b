import { ID_FIELDS, parseTextQuery, type TextQuery } from '../text-query.js';
import type { EventQuery } from '../types.js';
import { COLUMN_OF } from './event-codec.js';
import { keyOf, MAX_KEY, MIN_KEY } from './time-key.js';

/**
 * The store's queries as SQL over layout 2 (event-codec.ts): filters on columns, the time range as a
 * range of the time-ordered key `tk`, and `q` as one FTS5 expression when it can be one, so that a
 * newest-first page of a full-text query walks the FTS index backwards and stops at the page size.
 */

export type Filters = Omit<EventQuery, 'size' | 'cursor' | 'order'>;

export interface Where {
  sql: string;
  params: unknown[];
  /** The columns filtered on. */
  columns: string[];
}

/**
 * Columns of long unique-ish text indexed by their last characters only (an index entry a third the
 * size): a lookup compares the suffix through the index, then the whole value. The unary `+` keeps
 * SQLite from propagating the equality into the suffix term, which would hide the index.
 */
export const SUFFIX_INDEXED: Readonly<Record<string, number>> = { id: 8, request_id: 12, instance: 12 };

/** `column IN (values)` as SQL that uses the column's index. */
export function matchIn(column: string, values: readonly unknown[]): { sql: string; params: unknown[] } {
  const marks = values.map(() => '?').join(',');
  const k = SUFFIX_INDEXED[column];
  if (k === undefined) return { sql: `${column} IN (${marks})`, params: [...values] };
  return {
    sql: `substr(${column}, -${k}) IN (${values.map(() => `substr(?, -${k})`).join(',')}) AND +${column} IN (${marks})`,
    params: [...values, ...values],
  };
}

/** Fields a pasted id is compared with, as columns (all indexed). */
const ID_COLUMNS = ID_FIELDS.map((f) => COLUMN_OF[f] as string);

/** A column, or the document value through fl_field() (defaults and key codes applied). */
export function fieldExpr(field: string): string {
  const column = COLUMN_OF[field];
  if (column !== undefined) return column;
  if (!/^[A-Za-z0-9_.@]+$/.test(field)) throw new Error(`invalid field name ${field}`);
  return `fl_field(doc, dataset, '${field}')`;
}

/** The key range [lo, hi] of a query's time range. */
export function keyRange(q: Filters): [number, number] {
  const lo = q.from === undefined ? MIN_KEY : Math.max(MIN_KEY, keyOf(Date.parse(q.from)));
  const hi = q.to === undefined ? MAX_KEY : Math.min(MAX_KEY, keyOf(Date.parse(q.to)) - 1);
  return [lo, hi];
}

/** A filter value as stored in a column: the dictionary number, undefined when never stored. */
export type ColumnValue = (column: string, value: string) => unknown;

/** Every filter except the time range and `q`, over the events table. */
export function columnWhere(q: Filters, stored: ColumnValue): Where {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const columns: string[] = [];
  const values = (expr: string, given: readonly string[]) =>
    given.map((v) => stored(expr, v)).filter((v) => v !== undefined);
  const inList = (expr: string, given: readonly string[] | undefined, upper = false) => {
    if (given === undefined || given.length === 0) return;
    columns.push(expr);
    const list = values(expr, upper ? given.map((v) => v.toUpperCase()) : given);
    // A value never stored matches nothing.
    if (list.length === 0) {
      clauses.push('0');
      return;
    }
    const m = matchIn(expr, list);
    clauses.push(m.sql);
    params.push(...m.params);
  };
  inList('dataset', q.dataset);
  inList('host', q.host);
  inList('service', q.service);
  if (q.levelMissing === true) {
    const named = values(
      'level',
      (q.level ?? []).map((v) => v.toUpperCase()),
    );
    clauses.push(
      named.length === 0
        ? 'level IS NULL'
        : `(level IS NULL OR level IN (${named.map(() => '?').join(',')}))`,
    );
    params.push(...named);
  } else inList('level', q.level, true);
  if (q.maxSeverity !== undefined) {
    // The literal term lets SQLite use the partial index of the severe events.
    clauses.push(q.maxSeverity <= 4 ? 'severity <= 4 AND severity <= ?' : 'severity <= ?');
    params.push(q.maxSeverity);
  }
  inList('tenant', q.tenant);
  for (const [field, values] of Object.entries(q.terms ?? {})) inList(fieldExpr(field), values);
  return { sql: clauses.join(' AND '), params, columns };
}

/** The id columns that hold a pasted text, each with the value to compare the column with. */
export type IdLookup = (text: string) => Array<[column: string, value: unknown]>;

/** `q` compiled: one FTS5 expression, or SQL over `tk` mixing FTS and id lookups. */
export type CompiledText = { fts: string } | { sql: string; params: unknown[] };

const ftsPhrase = (words: readonly string[]) => `"${words.join(' ').replaceAll('"', '""')}"`;
const FTS_SET = 'SELECT rowid FROM events_fts WHERE events_fts MATCH ?';

/**
 * Compiles `q`. `idColumnsHaving(text)` names the id columns that hold `text` exactly: a pasted id
 * that is stored in none of them is only words of the message, and the whole query stays FTS.
 */
export function compileText(text: string, idColumnsHaving: IdLookup): CompiledText {
  const parsed = parseTextQuery(text);
  if (parsed === undefined) return { sql: '1', params: [] };
  const ids = new Map<string, Array<[string, unknown]>>();
  const idsOf = (t: string) => {
    let got = ids.get(t);
    if (got === undefined) {
      got = idColumnsHaving(t);
      ids.set(t, got);
    }
    return got;
  };
  const fts = ftsExpr(parsed, idsOf);
  if (fts !== undefined) return { fts };
  const params: unknown[] = [];
  return { sql: sqlExpr(parsed, params, idsOf), params };
}

/** The FTS5 expression of a query, or undefined when part of it is not full text. */
function ftsExpr(q: TextQuery, idsOf: IdLookup): string | undefined {
  switch (q.kind) {
    case 'phrase':
      return ftsPhrase(q.words);
    case 'term':
      return q.words.length > 0 && idsOf(q.text).length === 0 ? ftsPhrase(q.words) : undefined;
    case 'not':
      return undefined;
    case 'or': {
      const items = q.items.map((i) => ftsExpr(i, idsOf));
      return items.every((i) => i !== undefined) ? `(${items.join(' OR ')})` : undefined;
    }
    default: {
      const positive: string[] = [];
      const negative: string[] = [];
      for (const item of q.items) {
        const inner = ftsExpr(item.kind === 'not' ? item.item : item, idsOf);
        if (inner === undefined) return undefined;
        (item.kind === 'not' ? negative : positive).push(inner);
      }
      if (positive.length === 0) return undefined;
      return `(${positive.join(' AND ')})${negative.map((n) => ` NOT ${n}`).join('')}`;
    }
  }
}

function sqlExpr(q: TextQuery, params: unknown[], idsOf: IdLookup): string {
  const fts = ftsExpr(q, idsOf);
  if (fts !== undefined) {
    params.push(fts);
    return `tk IN (${FTS_SET})`;
  }
  switch (q.kind) {
    case 'term': {
      // One set built from index lookups (FTS for the message, an index per id column), not an OR
      // that SQLite would evaluate row by row over the whole table.
      const arms: string[] = [];
      if (q.words.length > 0) {
        arms.push(FTS_SET);
        params.push(ftsPhrase(q.words));
      }
      for (const [column, value] of idsOf(q.text)) {
        const m = matchIn(column, [value]);
        arms.push(`SELECT tk FROM events WHERE ${m.sql}`);
        params.push(...m.params);
      }
      return arms.length === 0 ? '0' : `tk IN (${arms.join(' UNION ALL ')})`;
    }
    case 'not':
      return `NOT ${sqlExpr(q.item, params, idsOf)}`;
    case 'phrase':
      return '0';
    default:
      return `(${q.items.map((i) => sqlExpr(i, params, idsOf)).join(q.kind === 'and' ? ' AND ' : ' OR ')})`;
  }
}

export { ID_COLUMNS };
