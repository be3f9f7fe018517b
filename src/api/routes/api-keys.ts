import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { FaultlineError } from '../../shared/errors.js';
import { ROLES } from '../../store/state/schema.js';
import type { StateStore } from '../../store/state/state-store.js';
import { ADMIN_ROLES } from '../auth.js';

const ApiKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ state: StateStore }> = async (app, { state }) => {
  app.post(
    '/v1/api-keys',
    {
      config: { auth: { roles: ADMIN_ROLES } },
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key; the secret is returned once',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            role: Type.Union(ROLES.map((r) => Type.Literal(r))),
            tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ key: ApiKeySchema, secret: Type.String() }) },
      },
    },
    async (request, reply) => {
      const { name, role, tenantId } = request.body;
      if (role === 'viewer' && tenantId === undefined) {
        // An unscoped viewer would read every tenant's data; make that a deliberate sre key instead.
        throw new FaultlineError('FAULTLINE_VALIDATION', 'a viewer key must name its tenantId');
      }
      if (role !== 'viewer' && tenantId !== undefined) {
        throw new FaultlineError('FAULTLINE_VALIDATION', 'only viewer keys are tenant-scoped');
      }
      const created = await state.apiKeys.create({ name, role, tenantId: tenantId ?? null });
      await state.audit({
        actor: request.principal?.keyId ?? 'unknown',
        action: 'api-key.create',
        target: created.key.id,
        detail: { name, role, tenantId },
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/v1/api-keys',
    {
      config: { auth: { roles: ADMIN_ROLES } },
      schema: {
        tags: ['api-keys'],
        summary: 'List API keys (never their secrets)',
        response: { 200: Type.Object({ keys: Type.Array(ApiKeySchema) }) },
      },
    },
    async () => ({ keys: await state.apiKeys.list() }),
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: { auth: { roles: ADMIN_ROLES } },
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key',
        params: Type.Object({ id: Type.String() }),
      },
    },
    async (request, reply) => {
      const key = await state.apiKeys.get(request.params.id);
      if (key === undefined)
        throw new FaultlineError('FAULTLINE_NOT_FOUND', `no API key ${request.params.id}`);
      if (key.role === 'admin' && key.revokedAt === null && (await state.apiKeys.countActiveAdmins()) <= 1) {
        throw new FaultlineError('FAULTLINE_CONFLICT', 'cannot revoke the last active admin key');
      }
      await state.apiKeys.revoke(key.id);
      await state.audit({
        actor: request.principal?.keyId ?? 'unknown',
        action: 'api-key.revoke',
        target: key.id,
      });
      return reply.code(204).send();
    },
  );
};
