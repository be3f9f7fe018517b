import type { FastifyPluginAsync } from 'fastify';
import type { FleetRuntime } from '../../fleet/fleet-runtime.js';
import { fleetLeaseRoutes } from './fleet-leases.js';
import { fleetNodeRoutes } from './fleet-nodes.js';
import { fleetTenantRoutes } from './fleet-tenants.js';

/** Every /v1 route of the leasing core: tenants, networks, nodes, leases. */
export const fleetRoutes: FastifyPluginAsync<{ fleet: FleetRuntime }> = async (app, { fleet }) => {
  await app.register(fleetTenantRoutes, { fleet });
  await app.register(fleetNodeRoutes, { fleet });
  await app.register(fleetLeaseRoutes, { fleet });
};
