import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FleetRuntime } from '../../fleet/fleet-runtime.js';
import { isoTime } from '../../fleet/fleet-service.js';
import { FaultlineError } from '../../shared/errors.js';
import { LEASE_STATUSES } from '../../store/state/schema.js';
import { ADMIN_ROLES, READ_ROLES } from '../auth.js';
import { enumOf, IdParams, LeaseSchema, NewLeaseSchema } from './fleet-schemas.js';
import { actorOf, notFound, scopeOf } from './fleet-scope.js';

/** /v1/leases (after Blazar and ESI): admins book and cancel; a tenant key reads its own. */
export const fleetLeaseRoutes: FastifyPluginAsyncTypebox<{ fleet: FleetRuntime }> = async (
  app,
  { fleet },
) => {
  const svc = fleet.service;

  app.post(
    '/v1/leases',
    {
      config: { auth: { roles: ADMIN_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'Book a node, or `count` nodes of a resource class, for [start, end); 409 on overlap',
        body: NewLeaseSchema,
        response: { 201: Type.Object({ leases: Type.Array(LeaseSchema) }) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if ((b.nodeId === undefined) === (b.resourceClass === undefined))
        throw new FaultlineError('FAULTLINE_VALIDATION', 'give exactly one of nodeId or resourceClass');
      if (b.nodeId !== undefined && b.count !== undefined)
        throw new FaultlineError('FAULTLINE_VALIDATION', 'count goes with resourceClass, not nodeId');
      const leases = await svc.as(actorOf(request)).createLeases(b);
      return reply.code(201).send({ leases });
    },
  );

  app.get(
    '/v1/leases',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'List leases; with nodeId and at: the lease that held the node at that time',
        querystring: Type.Object({
          tenantId: Type.Optional(Type.String()),
          nodeId: Type.Optional(Type.String()),
          status: Type.Optional(enumOf(LEASE_STATUSES)),
          at: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 200: Type.Object({ leases: Type.Array(LeaseSchema) }) },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const q = request.query;
      if (scope !== null && q.tenantId !== undefined && q.tenantId !== scope) return { leases: [] };
      const tenantId = scope ?? q.tenantId;
      if (q.at !== undefined) {
        if (q.nodeId === undefined) throw new FaultlineError('FAULTLINE_VALIDATION', 'at needs nodeId');
        const l = await svc.repo.whoLeasedAt(q.nodeId, isoTime(q.at) ?? q.at);
        return { leases: l === undefined || (tenantId !== undefined && l.tenantId !== tenantId) ? [] : [l] };
      }
      const leases = await svc.repo.leases({
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(q.nodeId === undefined ? {} : { nodeId: q.nodeId }),
        ...(q.status === undefined ? {} : { status: [q.status] }),
      });
      return { leases };
    },
  );

  app.get(
    '/v1/leases/:id',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: { tags: ['fleet'], summary: 'One lease', params: IdParams, response: { 200: LeaseSchema } },
    },
    async (request) => {
      const scope = scopeOf(request);
      const l = await svc.repo.lease(request.params.id);
      if (l === undefined || (scope !== null && scope !== l.tenantId))
        throw notFound('lease', request.params.id);
      return l;
    },
  );

  app.delete(
    '/v1/leases/:id',
    {
      config: { auth: { roles: ADMIN_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'Cancel a lease; an active one is cleaned off its node',
        params: IdParams,
        response: { 200: LeaseSchema },
      },
    },
    async (request) => {
      const l = await fleet.provisioner.cancel(request.params.id);
      await svc.store.audit({
        actor: actorOf(request),
        action: 'lease.cancel',
        target: l.id,
      });
      return l;
    },
  );
};
