import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { HealthStatus } from '../../shared/health.js';
import type { Metrics } from '../../shared/metrics.js';

export interface HealthDeps {
  metrics: Metrics;
  metricsPublic: boolean;
  /** Named readiness checks: event store, state store, bus. */
  checks: Record<string, () => Promise<HealthStatus>>;
  version: string;
}

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) });

export const healthRoutes: FastifyPluginAsyncTypebox<HealthDeps> = async (app, deps) => {
  app.get(
    '/healthz',
    {
      config: { auth: false },
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        response: { 200: Type.Object({ status: Type.String(), version: Type.String() }) },
      },
    },
    async () => ({ status: 'ok', version: deps.version }),
  );

  app.get(
    '/readyz',
    {
      config: { auth: false },
      schema: {
        tags: ['health'],
        summary: 'Readiness: every store and the bus answer',
        response: {
          200: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Check) }),
          503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Check) }),
        },
      },
    },
    async (_request, reply) => {
      const entries = await Promise.all(
        Object.entries(deps.checks).map(async ([name, check]) => {
          try {
            return [name, await check()] as const;
          } catch (error) {
            return [name, { ok: false, detail: (error as Error).message }] as const;
          }
        }),
      );
      const checks = Object.fromEntries(entries);
      const ok = entries.every(([, c]) => c.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
    },
  );

  app.get(
    '/metrics',
    {
      config: { auth: deps.metricsPublic ? false : { roles: ['admin', 'sre'] } },
      schema: { tags: ['health'], summary: 'Prometheus metrics' },
    },
    async (_request, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );
};
