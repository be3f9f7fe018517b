import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FleetRuntime } from '../../fleet/fleet-runtime.js';
import { API_VERBS, isProvisionVerb } from '../../fleet/provision-states.js';
import { importRedfish } from '../../fleet/redfish-inventory.js';
import { FaultlineError } from '../../shared/errors.js';
import { ADMIN_ROLES, OPERATOR_ROLES, READ_ROLES } from '../auth.js';
import {
  ComponentSchema,
  DpuSchema,
  HistorySchema,
  IdParams,
  LeaseSchema,
  NewNodeSchema,
  NodeSchema,
} from './fleet-schemas.js';
import { actorOf, assertNodeVisible, notFound, scopeOf } from './fleet-scope.js';

const Reason = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

/** /v1/nodes (after Ironic's node API): inventory, provisioning verbs, maintenance, history, evacuation. */
export const fleetNodeRoutes: FastifyPluginAsyncTypebox<{ fleet: FleetRuntime }> = async (app, { fleet }) => {
  const svc = fleet.service;
  const withDpu = async (id: string) => {
    const node = await svc.node(id);
    const dpu = await svc.repo.dpu(id);
    return dpu === undefined ? node : { ...node, dpu };
  };

  app.post(
    '/v1/nodes',
    {
      config: { auth: { roles: ADMIN_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'Enroll a node (state enroll)',
        body: NewNodeSchema,
        response: { 201: NodeSchema },
      },
    },
    async (request, reply) => {
      const n = await svc.as(actorOf(request)).createNode(request.body);
      return reply.code(201).send(await withDpu(n.id));
    },
  );

  app.post(
    '/v1/nodes/import-redfish',
    {
      config: { auth: { roles: ADMIN_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: "Enroll or update nodes from a Redfish service's Systems and their parts",
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 500 }),
            resourceClass: Type.Optional(Type.String({ minLength: 1 })),
            rack: Type.Optional(Type.String({ minLength: 1 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            nodes: Type.Array(
              Type.Object({ id: Type.String(), created: Type.Boolean(), components: Type.Integer() }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const result = await importRedfish(svc, request.body.url, request.body);
      await svc.store.audit({
        actor: actorOf(request),
        action: 'node.import-redfish',
        target: request.body.url,
        detail: result,
      });
      return result;
    },
  );

  app.get(
    '/v1/nodes',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'List nodes (a tenant key: the nodes it leases now)',
        querystring: Type.Object({ resourceClass: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ nodes: Type.Array(NodeSchema) }) },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const filter =
        request.query.resourceClass === undefined ? {} : { resourceClass: request.query.resourceClass };
      if (scope === null) return { nodes: await svc.repo.nodes(filter) };
      const held = await svc.repo.leases({ tenantId: scope, status: ['active'] });
      return { nodes: await svc.repo.nodes({ ...filter, ids: held.map((l) => l.nodeId) }) };
    },
  );

  app.get(
    '/v1/nodes/:id',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'One node with its DPU',
        params: IdParams,
        response: { 200: NodeSchema },
      },
    },
    async (request) => {
      await assertNodeVisible(request, fleet, request.params.id);
      return withDpu(request.params.id);
    },
  );

  app.get(
    '/v1/nodes/:id/components',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'Parts of a node with board location labels and serials',
        params: IdParams,
        response: { 200: Type.Object({ components: Type.Array(ComponentSchema) }) },
      },
    },
    async (request) => {
      await assertNodeVisible(request, fleet, request.params.id);
      return { components: await svc.repo.components(request.params.id) };
    },
  );

  app.put(
    '/v1/nodes/:id/components',
    {
      config: { auth: { roles: ADMIN_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: "Replace a node's parts (and its DPU with its ports, when given)",
        params: IdParams,
        body: Type.Object(
          { components: Type.Array(ComponentSchema), dpu: Type.Optional(DpuSchema) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ components: Type.Array(ComponentSchema) }) },
      },
    },
    async (request) => {
      const { components, dpu } = request.body;
      await svc
        .as(actorOf(request))
        .setInventory(request.params.id, { components, ...(dpu === undefined ? {} : { dpu }) });
      return { components: await svc.repo.components(request.params.id) };
    },
  );

  app.get(
    '/v1/nodes/:id/history',
    {
      config: { auth: { roles: READ_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: "A node's state changes and steps (a tenant key: within its own lease spans)",
        params: IdParams,
        response: { 200: Type.Object({ history: Type.Array(HistorySchema) }) },
      },
    },
    async (request) => {
      const id = request.params.id;
      const scope = scopeOf(request);
      if ((await svc.repo.node(id)) === undefined) throw notFound('node', id);
      if (scope === null) return { history: await svc.repo.history(id) };
      const spans = (await svc.repo.leases({ tenantId: scope, nodeId: id })).filter(
        (l) => l.activatedAt !== null,
      );
      if (spans.length === 0) throw notFound('node', id);
      return {
        history: await svc.repo.history(
          id,
          spans.map((l) => ({ from: l.start, to: l.end })),
        ),
      };
    },
  );

  app.put(
    '/v1/nodes/:id/states/provision',
    {
      config: { auth: { roles: OPERATOR_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: `Ask for a provisioning verb (${API_VERBS.join(', ')}); 409 lists the allowed ones`,
        params: IdParams,
        body: Type.Object(
          { target: Type.String({ minLength: 1 }), reason: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
        response: { 202: NodeSchema },
      },
    },
    async (request, reply) => {
      const { target, reason } = request.body;
      if (!isProvisionVerb(target) || !API_VERBS.includes(target)) {
        const node = await svc.node(request.params.id);
        throw new FaultlineError('FAULTLINE_INVALID_TRANSITION', `unknown or internal verb ${target}`, {
          state: node.provisionState,
          verb: target,
          allowed: API_VERBS.filter((v) => v !== target),
        });
      }
      const node = await fleet.provisioner.operatorVerb(request.params.id, target, reason);
      await svc.store.audit({ actor: actorOf(request), action: `node.provision.${target}`, target: node.id });
      return reply.code(202).send(node);
    },
  );

  app.put(
    '/v1/nodes/:id/maintenance',
    {
      config: { auth: { roles: OPERATOR_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'Put a node in maintenance with the fault',
        params: IdParams,
        body: Reason,
        response: { 200: NodeSchema },
      },
    },
    async (request) => {
      const node = await svc
        .as(actorOf(request))
        .setMaintenance(request.params.id, true, request.body.reason);
      return node;
    },
  );

  app.delete(
    '/v1/nodes/:id/maintenance',
    {
      config: { auth: { roles: OPERATOR_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: 'Take a node out of maintenance',
        params: IdParams,
        response: { 200: NodeSchema },
      },
    },
    async (request) => {
      const node = await svc.as(actorOf(request)).setMaintenance(request.params.id, false);
      return node;
    },
  );

  app.post(
    '/v1/nodes/:id/evacuate',
    {
      config: { auth: { roles: OPERATOR_ROLES } },
      schema: {
        tags: ['fleet'],
        summary: "Move the node's active lease to a spare of its class (same disk, same segments)",
        params: IdParams,
        body: Type.Object(
          {
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
            targetNodeId: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ from: LeaseSchema, to: LeaseSchema }) },
      },
    },
    async (request) => {
      const moved = await fleet.provisioner.evacuate(
        request.params.id,
        request.body.reason,
        request.body.targetNodeId,
      );
      await svc.store.audit({
        actor: actorOf(request),
        action: 'node.evacuate',
        target: request.params.id,
        detail: { to: moved.to.nodeId },
      });
      return moved;
    },
  );
};
