import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { TemplateRepository } from '../../logmine/template-repository.js';
import { FaultlineError } from '../../shared/errors.js';
import {
  AGGREGATABLE_FIELDS,
  type AggregatableField,
  type EventQuery,
  type EventStore,
} from '../../store/types.js';
import { READ_ROLES } from '../auth.js';
import { autoInterval, logAnalysisRoutes } from './log-analysis.js';
import { Filters, filters } from './log-filters.js';

const EventDoc = Type.Object({}, { additionalProperties: true });

export const logRoutes: FastifyPluginAsyncTypebox<{
  store: EventStore;
  templates?: TemplateRepository;
}> = async (app, { store, templates }) => {
  if (templates !== undefined) await app.register(logAnalysisRoutes, { store, templates });

  app.get(
    '/v1/logs/search',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['logs'],
        summary: 'Search normalized events',
        querystring: Type.Object({
          ...Filters,
          size: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
          cursor: Type.Optional(Type.String({ maxLength: 512 })),
          order: Type.Union([Type.Literal('desc'), Type.Literal('asc')], { default: 'desc' }),
          histogram: Type.Boolean({
            default: false,
            description: 'Also count the matches over time, with an interval chosen from the range',
          }),
        }),
        response: {
          200: Type.Object({
            total: Type.Integer(),
            totalIsExact: Type.Boolean(),
            events: Type.Array(EventDoc),
            nextCursor: Type.Optional(Type.String()),
            interval: Type.Optional(Type.String()),
            histogram: Type.Optional(Type.Array(Type.Object({ key: Type.String(), count: Type.Integer() }))),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const query: EventQuery = { ...filters(request, q), size: q.size, order: q.order };
      if (q.cursor !== undefined) query.cursor = q.cursor;
      if (!q.histogram) return store.search(query);
      const { size: _size, cursor: _cursor, order: _order, ...range } = query;
      const interval = autoInterval(range.from, range.to);
      const [page, histogram] = await Promise.all([
        store.search(query),
        store.aggregate({ ...range, interval, limit: 1000 }),
      ]);
      return { ...page, interval, histogram };
    },
  );

  app.get(
    '/v1/logs/aggregate',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['logs'],
        summary: 'Count events by a field or by time',
        querystring: Type.Object({
          ...Filters,
          groupBy: Type.Optional(Type.Union(AGGREGATABLE_FIELDS.map((f) => Type.Literal(f)))),
          interval: Type.Optional(Type.Union(['1m', '5m', '15m', '1h', '1d'].map((i) => Type.Literal(i)))),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
        }),
        response: {
          200: Type.Object({
            buckets: Type.Array(Type.Object({ key: Type.String(), count: Type.Integer() })),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      if (q.groupBy !== undefined && q.interval !== undefined) {
        throw new FaultlineError('FAULTLINE_VALIDATION', 'give either groupBy or interval, not both', {
          parameter: 'interval',
        });
      }
      const buckets = await store.aggregate({
        ...filters(request, q),
        limit: q.limit,
        ...(q.interval !== undefined
          ? { interval: q.interval as '1m' }
          : { groupBy: (q.groupBy ?? 'event.dataset') as AggregatableField }),
      });
      return { buckets };
    },
  );

  app.get(
    '/v1/logs/:id',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['logs'],
        summary: 'One event by its event.id',
        params: Type.Object({ id: Type.String({ maxLength: 128 }) }),
      },
    },
    async (request) => {
      const event = await store.get(request.params.id);
      const tenant = request.principal?.tenantId;
      // A tenant asking for another tenant's event gets the same 404 as for a missing one.
      if (event === undefined || (tenant != null && event['cloud.account.id'] !== tenant)) {
        throw new FaultlineError('FAULTLINE_NOT_FOUND', `no event ${request.params.id}`);
      }
      return event;
    },
  );
};
