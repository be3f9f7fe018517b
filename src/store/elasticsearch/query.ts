import { FaultlineError } from '../../shared/errors.js';
import { ID_FIELDS, parseTextQuery, type TextQuery } from '../text-query.js';
import type { AggregateQuery, EventQuery } from '../types.js';

/** The query layer: the port's filters as one `bool.filter`, so nothing is scored and all of it caches. */

const FIELD = /^[A-Za-z0-9_@][A-Za-z0-9_.@]*$/;

export const INTERVALS = { '1m': '1m', '5m': '5m', '15m': '15m', '1h': '1h', '1d': '1d' } as const;

export function checkField(field: string): string {
  if (!FIELD.test(field))
    throw new FaultlineError('FAULTLINE_VALIDATION', `invalid field name ${JSON.stringify(field)}`);
  return field;
}

/** The field a filter or a terms aggregation reads (`log.level` through its case-folded subfield). */
export function filterField(field: string): string {
  return field === 'log.level' ? 'log.level.ci' : checkField(field);
}

/** The `q` language (text-query.ts) as a bool query: phrases on the message, terms on the id fields. */
function textClause(q: TextQuery): Record<string, unknown> {
  switch (q.kind) {
    case 'phrase':
      return { match_phrase: { message: q.words.join(' ') } };
    case 'term': {
      const should: unknown[] = ID_FIELDS.map((f) => ({ term: { [f]: q.text } }));
      if (q.words.length > 0) should.push({ match_phrase: { message: q.words.join(' ') } });
      return { bool: { should, minimum_should_match: 1 } };
    }
    case 'not':
      return { bool: { must_not: [textClause(q.item)] } };
    case 'and':
      return { bool: { filter: q.items.map(textClause) } };
    default:
      return { bool: { should: q.items.map(textClause), minimum_should_match: 1 } };
  }
}

export function buildFilter(q: Omit<EventQuery, 'size' | 'cursor' | 'order'>): Record<string, unknown> {
  const filter: unknown[] = [];
  if (q.from !== undefined || q.to !== undefined) {
    const range: Record<string, string> = { format: 'strict_date_optional_time' };
    if (q.from !== undefined) range.gte = q.from;
    if (q.to !== undefined) range.lt = q.to;
    filter.push({ range: { '@timestamp': range } });
  }
  const terms = (field: string, values: readonly string[] | undefined, lower = false) => {
    if (values === undefined || values.length === 0) return;
    filter.push({ terms: { [field]: lower ? values.map((v) => v.toLowerCase()) : [...values] } });
  };
  terms('event.dataset', q.dataset);
  terms('host.name', q.host);
  terms('service.name', q.service);
  if (q.levelMissing === true) {
    const missing = { bool: { must_not: [{ exists: { field: 'log.level' } }] } };
    filter.push(
      q.level === undefined || q.level.length === 0
        ? missing
        : {
            bool: {
              should: [missing, { terms: { 'log.level.ci': q.level.map((v) => v.toLowerCase()) } }],
              minimum_should_match: 1,
            },
          },
    );
  } else terms('log.level.ci', q.level, true);
  if (q.maxSeverity !== undefined) filter.push({ range: { 'event.severity': { lte: q.maxSeverity } } });
  terms('cloud.account.id', q.tenant);
  for (const [field, values] of Object.entries(q.terms ?? {})) {
    terms(filterField(field), values, field === 'log.level');
  }
  const text = q.text === undefined ? undefined : parseTextQuery(q.text);
  if (text !== undefined) filter.push(textClause(text));
  return filter.length === 0 ? { match_all: {} } : { bool: { filter } };
}

export function buildSort(order: 'asc' | 'desc') {
  // event.id is unique and deterministic: a stable tiebreaker that works across data streams
  // (sorting on _id needs fielddata, off by default in 8.x).
  return [{ '@timestamp': { order } }, { 'event.id': { order } }];
}

export function buildAggregation(q: AggregateQuery, limit: number): Record<string, unknown> {
  if (q.interval !== undefined) {
    return {
      date_histogram: { field: '@timestamp', fixed_interval: INTERVALS[q.interval], min_doc_count: 1 },
    };
  }
  const field = q.groupBy ?? 'event.dataset';
  return {
    terms: {
      field: filterField(field),
      size: limit,
      // Same order as the SQLite store: biggest first, then by key.
      order: [{ _count: 'desc' }, { _key: 'asc' }],
    },
  };
}
