import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { TemplateRepository } from '../../logmine/template-repository.js';
import type { FaultEvent } from '../../model/event.js';
import { FaultlineError } from '../../shared/errors.js';
import { summarizeByQueries } from '../../store/summarize.js';
import {
  AGGREGATABLE_FIELDS,
  type AggregatableField,
  type AggregateQuery,
  type EventQuery,
  type EventStore,
  type SummaryQuery,
} from '../../store/types.js';
import { READ_ROLES } from '../auth.js';
import { Filters, filters } from './log-filters.js';

/**
 * Venus-style analysis over the event store port, so it works the same on SQLite and
 * Elasticsearch: templates and their occurrences, errors grouped by template, and the trace of a
 * request id or the lifecycle of an instance across services.
 */

const INTERVALS = [
  ['1m', 60_000],
  ['5m', 300_000],
  ['15m', 900_000],
  ['1h', 3_600_000],
  ['1d', 86_400_000],
] as const;
type Interval = (typeof INTERVALS)[number][0];

/** The smallest interval that gives at most ~120 buckets over the range (1h when open-ended). */
export function autoInterval(from: string | undefined, to: string | undefined): Interval {
  if (from === undefined || to === undefined) return '1h';
  const span = Date.parse(to) - Date.parse(from);
  for (const [name, ms] of INTERVALS) if (span / ms <= 120) return name;
  return '1d';
}

const TRACE_LIMIT = 10_000;
const TOP_ALIASES: Record<string, AggregatableField> = {
  host: 'host.name',
  service: 'service.name',
  program: 'process.name',
};
const EXPORT_PAGE = 1000;
const EXPORT_FIELDS = [
  '@timestamp',
  'event.id',
  'event.dataset',
  'host.name',
  'service.name',
  'log.level',
  'log.logger',
  'labels.request_id',
  'log.template.id',
  'message',
];

/** RFC 4180: quote a field when it holds a comma, a quote or a line break; double the quotes. */
function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Pages through the search with its cursor: one page in memory at a time, however many match. */
async function* exportLines(
  store: EventStore,
  query: Omit<EventQuery, 'size' | 'cursor'>,
  format: 'ndjson' | 'csv',
  fields: readonly string[],
): AsyncGenerator<string> {
  if (format === 'csv') yield `${fields.map(csvField).join(',')}\r\n`;
  let cursor: string | undefined;
  do {
    const page = await store.search({
      ...query,
      size: EXPORT_PAGE,
      ...(cursor !== undefined ? { cursor } : {}),
    });
    let chunk = '';
    for (const e of page.events) {
      const record = e as unknown as Record<string, unknown>;
      chunk +=
        format === 'ndjson'
          ? `${JSON.stringify(record)}\n`
          : `${fields.map((f) => csvField(record[f])).join(',')}\r\n`;
    }
    if (chunk !== '') yield chunk;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
const ERROR_LEVELS = ['ERROR', 'CRITICAL', 'FATAL'];

const StoredTemplate = Type.Object({
  id: Type.String(),
  template: Type.String(),
  count: Type.Integer(),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
});

export const logAnalysisRoutes: FastifyPluginAsyncTypebox<{
  store: EventStore;
  templates: TemplateRepository;
}> = async (app, { store, templates }) => {
  app.get(
    '/v1/logs/templates',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['logs'],
        summary: 'Mined log templates, most frequent first',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
          contains: Type.Optional(Type.String({ maxLength: 256, description: 'Text the template contains' })),
        }),
        response: { 200: Type.Object({ templates: Type.Array(StoredTemplate) }) },
      },
    },
    async (request) => {
      // Templates are mined from every tenant's lines: a tenant-scoped key sees its own events
      // (and their template ids) through search, not the fleet-wide catalogue.
      if (request.principal?.tenantId != null) {
        throw new FaultlineError('FAULTLINE_FORBIDDEN', 'the template catalogue spans tenants');
      }
      const q = request.query;
      return {
        templates: await templates.list({
          limit: q.limit,
          ...(q.contains !== undefined ? { contains: q.contains } : {}),
        }),
      };
    },
  );

  app.get(
    '/v1/logs/templates/:id',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['logs'],
        summary: 'One template, its occurrences (newest first, paginated) and their histogram',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({
          ...Filters,
          size: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
          cursor: Type.Optional(Type.String({ maxLength: 512 })),
        }),
      },
    },
    async (request) => {
      const template = await templates.get(request.params.id);
      if (template === undefined) {
        throw new FaultlineError('FAULTLINE_NOT_FOUND', `no template ${request.params.id}`);
      }
      const q = request.query;
      const base = filters(request, q);
      base.terms = { ...base.terms, 'log.template.id': [template.id] };
      const interval = autoInterval(base.from, base.to);
      const [page, histogram] = await Promise.all([
        store.search({ ...base, size: q.size, ...(q.cursor !== undefined ? { cursor: q.cursor } : {}) }),
        store.aggregate({ ...base, interval, limit: 1000 }),
      ]);
      // The catalogue entry (example line, counts, first/last seen) spans tenants: a tenant-scoped key
      // gets the template's text only, and only for a template its own lines have.
      if (request.principal?.tenantId != null) {
        if (page.total === 0) throw new FaultlineError('FAULTLINE_NOT_FOUND', `no template ${template.id}`);
        return { template: { id: template.id, template: template.template }, interval, histogram, ...page };
      }
      return { template, interval, histogram, ...page };
    },
  );

  app.get(
    '/v1/logs/errors',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['logs'],
        summary: 'Error and critical records grouped by template: counts, first/last seen, trend',
        querystring: Type.Object({
          ...Filters,
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const base: AggregateQuery = { ...filters(request, q) };
      if (base.level === undefined) base.level = ERROR_LEVELS;
      const interval = autoInterval(base.from, base.to);
      const query: SummaryQuery = { ...base, groupBy: 'log.template.id', limit: q.limit, interval };
      const groups = await (store.summarize?.(query) ?? summarizeByQueries(store, query));
      const out = await Promise.all(
        groups.map(async (g) => ({
          templateId: g.key,
          template: (await templates.get(g.key))?.template ?? null,
          count: g.count,
          firstSeen: g.first['@timestamp'],
          lastSeen: g.last['@timestamp'],
          example: g.last.message,
          levels: [...new Set([g.first['log.level'], g.last['log.level']].filter(Boolean))],
          trend: g.trend,
        })),
      );
      return { interval, groups: out };
    },
  );

  const Bucket = Type.Object({ key: Type.String(), count: Type.Integer() });
  const GroupField = Type.Union(AGGREGATABLE_FIELDS.map((f) => Type.Literal(f)));

  app.get(
    '/v1/logs/values/:field',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['logs'],
        summary: 'The distinct values of a field with their counts over a period (Venus search/params)',
        params: Type.Object({ field: GroupField }),
        querystring: Type.Object({
          ...Filters,
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: Type.Object({ field: Type.String(), values: Type.Array(Bucket) }) },
      },
    },
    async (request) => {
      const field = request.params.field as AggregatableField;
      const values = await store.aggregate({
        ...filters(request, request.query),
        groupBy: field,
        limit: request.query.limit,
      });
      return { field, values };
    },
  );

  app.get(
    '/v1/logs/top',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['logs'],
        summary: 'Top-N hosts, services, programs (or any aggregatable field) for a query (Venus analyse)',
        querystring: Type.Object({
          ...Filters,
          by: Type.Union(
            [Type.Literal('host'), Type.Literal('service'), Type.Literal('program'), GroupField],
            {
              default: 'host',
            },
          ),
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
        }),
        response: {
          200: Type.Object({ by: Type.String(), total: Type.Integer(), top: Type.Array(Bucket) }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const by = (TOP_ALIASES[q.by] ?? q.by) as AggregatableField;
      const base = filters(request, q);
      const [top, page] = await Promise.all([
        store.aggregate({ ...base, groupBy: by, limit: q.limit }),
        store.search({ ...base, size: 1 }),
      ]);
      return { by, total: page.total, top };
    },
  );

  app.get(
    '/v1/logs/export',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['logs'],
        summary: 'The result of a search streamed as NDJSON or CSV, any size, in constant memory',
        querystring: Type.Object({
          ...Filters,
          format: Type.Union([Type.Literal('ndjson'), Type.Literal('csv')], { default: 'ndjson' }),
          fields: Type.Optional(
            Type.String({
              maxLength: 1024,
              description: `CSV columns, comma-separated (default ${EXPORT_FIELDS.join(',')})`,
            }),
          ),
          order: Type.Union([Type.Literal('desc'), Type.Literal('asc')], { default: 'asc' }),
        }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const fields = q.fields === undefined ? EXPORT_FIELDS : q.fields.split(',').map((f) => f.trim());
      const badField = fields.find((f) => !/^[A-Za-z0-9_@][A-Za-z0-9_.@]*$/.test(f));
      if (badField !== undefined) {
        throw new FaultlineError('FAULTLINE_VALIDATION', `invalid field ${JSON.stringify(badField)}`, {
          parameter: 'fields',
        });
      }
      const query = { ...filters(request, q), order: q.order };
      reply
        .header('content-type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header('content-disposition', `attachment; filename="logs.${q.format}"`);
      return reply.send(Readable.from(exportLines(store, query, q.format, fields)));
    },
  );

  app.get(
    '/v1/logs/trace',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['logs'],
        summary:
          'Every record of one request id, or the lifecycle of one instance or node, across services, oldest first',
        querystring: Type.Object({
          ...Filters,
          request_id: Type.Optional(Type.String({ maxLength: 128 })),
          instance: Type.Optional(Type.String({ maxLength: 128 })),
          node: Type.Optional(Type.String({ maxLength: 256 })),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const given = (['request_id', 'instance', 'node'] as const).filter((k) => q[k] !== undefined);
      if (given.length !== 1) {
        throw new FaultlineError('FAULTLINE_VALIDATION', 'give exactly one of request_id, instance, node', {
          parameter: given[1] ?? 'request_id',
        });
      }
      const base = filters(request, q);
      const field = { request_id: 'labels.request_id', instance: 'cloud.instance.id', node: 'host.name' }[
        given[0] as 'request_id'
      ];
      base.terms = { ...base.terms, [field]: [q[given[0] as 'request_id'] as string] };
      const events: FaultEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.search({
          ...base,
          order: 'asc',
          size: 1000,
          ...(cursor !== undefined ? { cursor } : {}),
        });
        events.push(...page.events);
        cursor = page.nextCursor;
      } while (cursor !== undefined && events.length < TRACE_LIMIT);
      const services = new Map<
        string,
        { service: string; first: string; last: string; count: number; errors: number }
      >();
      for (const e of events) {
        const name = e['service.name'] ?? e['event.dataset'];
        let s = services.get(name);
        if (s === undefined) {
          s = { service: name, first: e['@timestamp'], last: e['@timestamp'], count: 0, errors: 0 };
          services.set(name, s);
        }
        s.last = e['@timestamp'];
        s.count++;
        if (e['event.severity'] <= 3) s.errors++;
      }
      return {
        field,
        value: base.terms[field]?.[0],
        truncated: cursor !== undefined,
        services: [...services.values()].map((s) => ({
          ...s,
          durationMs: Date.parse(s.last) - Date.parse(s.first),
        })),
        events,
      };
    },
  );
};
