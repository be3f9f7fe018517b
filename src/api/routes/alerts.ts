import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import {
  type AlertQuery,
  type AlertRepository,
  type Matcher,
  type Silence,
  type StoredFinding,
  validateMatchers,
} from '../../engine/alert-repository.js';
import { FaultlineError } from '../../shared/errors.js';
import { OPERATOR_ROLES, READ_ROLES } from '../auth.js';
import { csv } from './log-filters.js';

const Finding = Type.Object({}, { additionalProperties: true });

const ListQuery = Type.Object({
  status: Type.Optional(
    Type.String({
      description:
        "Comma-separated: firing, resolved, suppressed (caused by the leasing core's own deploy, cleaning or maintenance; left out unless asked for)",
    }),
  ),
  severity: Type.Optional(
    Type.String({ description: 'Comma-separated: critical, major, warning, minor, info' }),
  ),
  rule: Type.Optional(Type.String({ description: 'Comma-separated rule names' })),
  host: Type.Optional(Type.String({ description: 'Comma-separated node ids' })),
  tenant: Type.Optional(Type.String({ description: 'Only alerts whose impact names this tenant' })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});

const MatcherSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    value: Type.String(),
    op: Type.Union([Type.Literal('='), Type.Literal('!='), Type.Literal('=~'), Type.Literal('!~')], {
      default: '=',
    }),
  },
  { additionalProperties: false },
);

const SilenceBody = Type.Object(
  {
    matchers: Type.Array(MatcherSchema, { minItems: 1, maxItems: 32 }),
    startsAt: Type.Optional(Type.String({ format: 'date-time' })),
    endsAt: Type.String({ format: 'date-time' }),
    comment: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

/** A tenant-scoped key sees only what touches its tenant, whatever filter it asks for. */
function tenantScope(request: FastifyRequest, asked: string | undefined): string | undefined {
  const own = request.principal?.tenantId;
  if (own === null || own === undefined) return asked;
  if (asked !== undefined && asked !== own)
    throw new FaultlineError('FAULTLINE_FORBIDDEN', 'this key sees only its own tenant');
  return own;
}

function visible(request: FastifyRequest, f: StoredFinding | undefined): f is StoredFinding {
  const own = request.principal?.tenantId;
  if (f === undefined) return false;
  return own === null || own === undefined || (f.impact?.tenants ?? []).includes(own);
}

function silenceFrom(body: Static<typeof SilenceBody>, id: string, by: string, now: string): Silence {
  const startsAt = body.startsAt ?? now;
  if (Date.parse(body.endsAt) <= Date.parse(startsAt))
    throw new FaultlineError('FAULTLINE_VALIDATION', 'endsAt must be after startsAt');
  const matchers: Matcher[] = body.matchers.map((m) => ({ name: m.name, value: m.value, op: m.op ?? '=' }));
  validateMatchers(matchers);
  return {
    id,
    matchers,
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(body.endsAt).toISOString(),
    createdBy: by,
    comment: body.comment,
    updatedAt: now,
  };
}

/**
 * Alerts, predictions and silences (DESIGN §5, §6): read by admins, SREs and viewers (a tenant key
 * sees only alerts whose impact names its tenant), acknowledged and silenced by admins and SREs.
 */
export const alertRoutes: FastifyPluginAsyncTypebox<{ repo: AlertRepository; now?: () => Date }> = async (
  app,
  { repo, now },
) => {
  const clock = () => (now ?? (() => new Date()))().toISOString();

  const list = async (kind: AlertQuery['kind'], request: FastifyRequest, q: Static<typeof ListQuery>) => {
    const query: AlertQuery = { kind, limit: q.limit };
    const status = csv(q.status);
    if (status !== undefined) query.status = status;
    const severity = csv(q.severity);
    if (severity !== undefined) query.severity = severity;
    const rule = csv(q.rule);
    if (rule !== undefined) query.rule = rule;
    const host = csv(q.host);
    if (host !== undefined) query.host = host;
    const tenant = tenantScope(request, q.tenant);
    if (tenant !== undefined) query.tenant = tenant;
    if (q.since !== undefined) query.since = new Date(q.since).toISOString();
    if (q.cursor !== undefined) query.cursor = q.cursor;
    const page = await repo.list(query);
    return { items: page.items, ...(page.next !== undefined ? { next: page.next } : {}) };
  };

  app.get(
    '/v1/alerts',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first (cursor pagination)',
        querystring: ListQuery,
        response: { 200: Type.Object({ alerts: Type.Array(Finding), next: Type.Optional(Type.String()) }) },
      },
    },
    async (request) => {
      const { items, ...rest } = await list('alert', request, request.query);
      return { alerts: items, ...rest };
    },
  );

  app.get(
    '/v1/predictions',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['alerts'],
        summary: 'Failure predictions, newest first',
        querystring: ListQuery,
        response: {
          200: Type.Object({ predictions: Type.Array(Finding), next: Type.Optional(Type.String()) }),
        },
      },
    },
    async (request) => {
      const { items, ...rest } = await list('prediction', request, request.query);
      return { predictions: items, ...rest };
    },
  );

  app.get(
    '/v1/alerts/:id',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['alerts'],
        summary: 'One alert with its impact, evidence, root cause and history',
        params: Type.Object({ id: Type.String({ maxLength: 128 }) }),
      },
    },
    async (request) => {
      const found = await repo.get(request.params.id);
      if (!visible(request, found))
        throw new FaultlineError('FAULTLINE_NOT_FOUND', `no alert ${request.params.id}`);
      return { ...found, history: await repo.history(found.id) };
    },
  );

  app.post(
    '/v1/alerts/:id/ack',
    {
      config: { auth: { roles: OPERATOR_ROLES } },
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an alert',
        params: Type.Object({ id: Type.String({ maxLength: 128 }) }),
      },
    },
    async (request) => {
      const by = request.principal?.name ?? 'unknown';
      const acked = await repo.ack(request.params.id, by, clock());
      if (acked === undefined)
        throw new FaultlineError('FAULTLINE_NOT_FOUND', `no alert ${request.params.id}`);
      return acked;
    },
  );

  app.get(
    '/v1/silences',
    {
      // Silences are the operator's, fleet-wide: their matchers and comments name other tenants' nodes.
      config: { auth: { roles: OPERATOR_ROLES } },
      schema: { tags: ['alerts'], summary: 'Silences (active, pending and expired)' },
    },
    async () => ({ silences: await repo.listSilences() }),
  );

  app.post(
    '/v1/silences',
    {
      config: { auth: { roles: OPERATOR_ROLES } },
      schema: { tags: ['alerts'], summary: 'Create a silence (Alertmanager matchers)', body: SilenceBody },
    },
    async (request, reply) => {
      const at = clock();
      // The id is derived from the request content and time, never random: the same command replays to the same id.
      const id = createHash('sha256')
        .update(JSON.stringify([request.body, at, request.principal?.keyId]))
        .digest('hex')
        .slice(0, 20);
      const silence = silenceFrom(request.body, id, request.principal?.name ?? 'unknown', at);
      await repo.createSilence(silence);
      reply.code(201);
      return silence;
    },
  );

  app.get(
    '/v1/silences/:id',
    {
      config: { auth: { roles: OPERATOR_ROLES } },
      schema: { tags: ['alerts'], params: Type.Object({ id: Type.String({ maxLength: 64 }) }) },
    },
    async (request) => {
      const s = await repo.getSilence(request.params.id);
      if (s === undefined) throw new FaultlineError('FAULTLINE_NOT_FOUND', `no silence ${request.params.id}`);
      return s;
    },
  );

  app.put(
    '/v1/silences/:id',
    {
      config: { auth: { roles: OPERATOR_ROLES } },
      schema: {
        tags: ['alerts'],
        summary: 'Change a silence',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: SilenceBody,
      },
    },
    async (request) => {
      const prior = await repo.getSilence(request.params.id);
      if (prior === undefined)
        throw new FaultlineError('FAULTLINE_NOT_FOUND', `no silence ${request.params.id}`);
      const silence = silenceFrom(request.body, prior.id, prior.createdBy, clock());
      await repo.updateSilence(silence);
      return silence;
    },
  );

  app.delete(
    '/v1/silences/:id',
    {
      config: { auth: { roles: OPERATOR_ROLES } },
      schema: {
        tags: ['alerts'],
        summary: 'Expire a silence now',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      },
    },
    async (request) => {
      const prior = await repo.getSilence(request.params.id);
      if (prior === undefined)
        throw new FaultlineError('FAULTLINE_NOT_FOUND', `no silence ${request.params.id}`);
      // Expired, not deleted: the history of who silenced what stays (Alertmanager does the same).
      const at = clock();
      const expired: Silence = { ...prior, endsAt: at < prior.startsAt ? prior.startsAt : at, updatedAt: at };
      await repo.updateSilence(expired);
      return expired;
    },
  );

  app.get(
    '/v1/tenants/:id/diagnose',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['alerts'],
        summary:
          "A tenant's faults: every alert and prediction whose impact names the tenant, in a time range, ranked",
        params: Type.Object({ id: Type.String({ maxLength: 128 }) }),
        querystring: Type.Object({
          since: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
      },
    },
    async (request) => {
      // Another tenant's id is not there for this key, as on every fleet route (404, not 403).
      const own = request.principal?.tenantId;
      if (own !== null && own !== undefined && own !== request.params.id)
        throw new FaultlineError('FAULTLINE_NOT_FOUND', `no tenant ${request.params.id}`);
      const tenant = request.params.id;
      const base = {
        tenant,
        limit: request.query.limit,
        ...(request.query.since !== undefined ? { since: new Date(request.query.since).toISOString() } : {}),
      };
      const [alerts, predictions] = await Promise.all([
        repo.list({ kind: 'alert', ...base }),
        repo.list({ kind: 'prediction', ...base }),
      ]);
      const rank: Record<string, number> = { critical: 0, major: 1, warning: 2, minor: 3, info: 4 };
      const bytes = (f: StoredFinding) => f.impact?.bytes ?? 0;
      // Firing before resolved, then severity, then the traffic at risk: "this tenant's loss is the CRC errors on p1".
      const findings = [...alerts.items, ...predictions.items].sort(
        (a, b) =>
          Number(a.kind === 'alert' && a.status === 'resolved') -
            Number(b.kind === 'alert' && b.status === 'resolved') ||
          (rank[a.severity] ?? 9) - (rank[b.severity] ?? 9) ||
          bytes(b) - bytes(a) ||
          (a.id < b.id ? -1 : 1),
      );
      return { tenant, findings };
    },
  );
};
