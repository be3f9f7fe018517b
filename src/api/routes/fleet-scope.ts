import type { FastifyRequest } from 'fastify';
import type { FleetRuntime } from '../../fleet/fleet-runtime.js';
import type { Lease } from '../../fleet/model.js';
import { FaultlineError } from '../../shared/errors.js';

/**
 * What a tenant-scoped key may see of the fleet: its tenant, its leases and networks, and a node
 * only while it leases that node (its history only within its lease spans). Everything else is a
 * 404, the same answer as for what does not exist, so a key learns nothing of other tenants.
 */
export function scopeOf(request: FastifyRequest): string | null {
  return request.principal?.tenantId ?? null;
}

/** The audit log's name for who made a request: the API key's id. */
export function actorOf(request: FastifyRequest): string {
  return request.principal?.keyId ?? 'unknown';
}

export function notFound(what: string, id: string): FaultlineError {
  return new FaultlineError('FAULTLINE_NOT_FOUND', `${what} ${id} not found`);
}

/** The tenant's lease holding `nodeId` now, if any. */
export async function heldNow(
  fleet: FleetRuntime,
  tenantId: string,
  nodeId: string,
): Promise<Lease | undefined> {
  const l = await fleet.service.repo.whoLeasedAt(nodeId, fleet.service.nowIso());
  return l !== undefined && l.tenantId === tenantId && l.status === 'active' ? l : undefined;
}

/** Throws 404 unless the request may see node `id` (admin/sre always; a tenant during its lease). */
export async function assertNodeVisible(
  request: FastifyRequest,
  fleet: FleetRuntime,
  id: string,
): Promise<void> {
  const tenant = scopeOf(request);
  if ((await fleet.service.repo.node(id)) === undefined) throw notFound('node', id);
  if (tenant !== null && (await heldNow(fleet, tenant, id)) === undefined) throw notFound('node', id);
}
