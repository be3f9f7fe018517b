import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FleetRuntime } from '../../fleet/fleet-runtime.js';
import { ADMIN_ROLES, READ_ROLES } from '../auth.js';
import { IdParams, NetworkSchema, NewNetworkSchema, NewTenantSchema, TenantSchema } from './fleet-schemas.js';
import { actorOf, notFound, scopeOf } from './fleet-scope.js';

/** /v1/tenants and /v1/networks: admins manage them; a tenant key reads its own. */
export const fleetTenantRoutes: FastifyPluginAsyncTypebox<{ fleet: FleetRuntime }> = async (
  app,
  { fleet },
) => {
  const svc = fleet.service;

  app.post(
    '/v1/tenants',
    {
      config: { auth: { roles: ADMIN_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'Create a tenant',
        body: NewTenantSchema,
        response: { 201: TenantSchema },
      },
    },
    async (request, reply) => {
      const t = await svc.as(actorOf(request)).createTenant(request.body);
      return reply.code(201).send(t);
    },
  );

  app.get(
    '/v1/tenants',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'List tenants',
        response: { 200: Type.Object({ tenants: Type.Array(TenantSchema) }) },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const all = await svc.repo.tenants();
      return { tenants: scope === null ? all : all.filter((t) => t.id === scope) };
    },
  );

  app.get(
    '/v1/tenants/:id',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: { tags: ['fleet'], summary: 'One tenant', params: IdParams, response: { 200: TenantSchema } },
    },
    async (request) => {
      const scope = scopeOf(request);
      const t = await svc.repo.tenant(request.params.id);
      if (t === undefined || (scope !== null && scope !== t.id)) throw notFound('tenant', request.params.id);
      return t;
    },
  );

  app.post(
    '/v1/networks',
    {
      config: { auth: { roles: ADMIN_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'Create a tenant network; its segment (VNI) comes from the pool',
        body: NewNetworkSchema,
        response: { 201: NetworkSchema },
      },
    },
    async (request, reply) => {
      const n = await svc.as(actorOf(request)).createNetwork(request.body);
      return reply.code(201).send(n);
    },
  );

  app.get(
    '/v1/networks',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'List networks',
        querystring: Type.Object({ tenantId: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ networks: Type.Array(NetworkSchema) }) },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const tenant = scope ?? request.query.tenantId;
      const nets = await svc.repo.networks(tenant);
      return {
        networks:
          scope !== null && request.query.tenantId !== undefined && request.query.tenantId !== scope
            ? []
            : nets,
      };
    },
  );

  app.get(
    '/v1/networks/:id',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: { tags: ['fleet'], summary: 'One network', params: IdParams, response: { 200: NetworkSchema } },
    },
    async (request) => {
      const scope = scopeOf(request);
      const n = await svc.repo.network(request.params.id);
      if (n === undefined || (scope !== null && scope !== n.tenantId))
        throw notFound('network', request.params.id);
      return n;
    },
  );

  app.delete(
    '/v1/networks/:id',
    {
      config: { auth: { roles: ADMIN_ROLES } },
      schema: { tags: ['fleet'], summary: 'Delete a network no open lease uses', params: IdParams },
    },
    async (request, reply) => {
      await svc.as(actorOf(request)).deleteNetwork(request.params.id);
      return reply.code(204).send();
    },
  );
};
