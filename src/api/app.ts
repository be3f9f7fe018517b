import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { MessageBus } from '../bus/types.js';
import { KyselyAlertRepository } from '../engine/alert-repository.js';
import type { FleetRuntime } from '../fleet/fleet-runtime.js';
import type { IngestPublisher } from '../ingest/publisher.js';
import { KyselyTemplateRepository } from '../logmine/template-repository.js';
import { FaultlineError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import type { StateStore } from '../store/state/state-store.js';
import type { EventStore } from '../store/types.js';
import { registerAuth } from './auth.js';
import { registerErrorHandling } from './errors.js';
import { alertRoutes } from './routes/alerts.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { fleetRoutes } from './routes/fleet-routes.js';
import { healthRoutes } from './routes/health.js';
import { ingestRoutes } from './routes/ingest.js';
import { logRoutes } from './routes/logs.js';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  eventStore: EventStore;
  stateStore: StateStore;
  bus: MessageBus;
  publisher: IngestPublisher;
  ingestGroup: string;
  maxBodyBytes: number;
  /** Event loop lag past which requests get 503 (under-pressure); 0: never. Default 2000. */
  maxEventLoopDelayMs?: number;
  authEnabled: boolean;
  metricsPublic: boolean;
  version: string;
  /** The leasing core; its /v1 fleet routes exist only when it is given. */
  fleet?: FleetRuntime;
}

/**
 * Builds the HTTP application without listening (tests use `inject`; server.ts listens). External
 * plugins first, then cross-cutting hooks, then routes, as fastify/demo does.
 */
/** How long after ready an event-loop sample gap (startup schema compilation) is not pressure. */
const STARTUP_GRACE_MS = 10_000;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request lines would drown the log at ingest rates; /metrics has the request histogram.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.maxBodyBytes,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Swagger UI's routes carry no auth config; the docs are public like /healthz. Added first so
  // the hook sees the routes swagger-ui registers.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), auth: false };
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Faultline API',
        version: deps.version,
        description:
          'Log and fault analytics for bare-metal clouds. Authenticate with `Authorization: Bearer <API key>`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'ingest', description: 'Raw telemetry in' },
        { name: 'logs', description: 'Search and aggregate normalized events' },
        { name: 'api-keys', description: 'Keys and roles' },
        { name: 'health', description: 'Liveness, readiness, metrics' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list' },
  });
  await app.register(helmet, (instance) => ({
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'self'"],
        'object-src': ["'none'"],
        'script-src': [
          "'self'",
          ...(instance as unknown as { swaggerCSP: { script: string[] } }).swaggerCSP.script,
        ],
        'style-src': [
          "'self'",
          ...(instance as unknown as { swaggerCSP: { style: string[] } }).swaggerCSP.style,
        ],
        'img-src': ["'self'", 'data:'],
        // Served over plain HTTP on loopback by default: do not force https for subresources.
        'upgrade-insecure-requests': null,
      },
    },
  }));
  // Fastify compiles every route schema at ready(), in one synchronous stretch that grows with the
  // routes (about 0.5 s on two loaded cores). A sampling interval with no event-loop sample at all reads
  // as an infinite delay, so the first second after start would answer 503 to everyone: only that
  // reading is forgiven, and only in the first seconds after ready.
  let readyAt = Number.POSITIVE_INFINITY;
  app.addHook('onReady', async () => {
    readyAt = Date.now();
  });
  await app.register(underPressure, {
    maxEventLoopDelay: deps.maxEventLoopDelayMs ?? 2000,
    exposeStatusRoute: false,
    pressureHandler: (_request, reply, type, value) => {
      if (
        type === 'eventLoopDelay' &&
        value === Number.POSITIVE_INFINITY &&
        Date.now() - readyAt < STARTUP_GRACE_MS
      )
        return undefined;
      reply.header('retry-after', '10');
      return Promise.reject(
        new FaultlineError('FAULTLINE_UNAVAILABLE', `server under pressure (${type}); retry later`),
      );
    },
  });

  registerErrorHandling(app);
  registerAuth(app, deps.stateStore, deps.authEnabled);

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpSeconds.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: `${Math.floor(reply.statusCode / 100)}xx`,
      },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(healthRoutes, {
    metrics: deps.metrics,
    metricsPublic: deps.metricsPublic,
    version: deps.version,
    checks: {
      eventStore: () => deps.eventStore.health(),
      stateStore: () => deps.stateStore.health(),
      bus: () => deps.bus.health(),
    },
  });
  await app.register(ingestRoutes, {
    publisher: deps.publisher,
    bus: deps.bus,
    group: deps.ingestGroup,
    maxBodyBytes: deps.maxBodyBytes,
  });
  await app.register(logRoutes, {
    store: deps.eventStore,
    templates: new KyselyTemplateRepository(deps.stateStore.db),
  });
  await app.register(apiKeyRoutes, { state: deps.stateStore });
  if (deps.fleet !== undefined) await app.register(fleetRoutes, { fleet: deps.fleet });
  await app.register(alertRoutes, { repo: new KyselyAlertRepository(deps.stateStore.db) });
  return app;
}
