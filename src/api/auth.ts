import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FaultlineError } from '../shared/errors.js';
import type { Role } from '../store/state/api-keys.js';
import type { StateStore } from '../store/state/state-store.js';

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  /** Set for tenant-scoped viewers: every read is filtered to this tenant. */
  tenantId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route; `false` makes it public. Every /v1 route must say. */
    auth?: false | { roles: readonly Role[] };
  }
}

const DEV_PRINCIPAL: Principal = {
  keyId: 'auth-disabled',
  name: 'auth disabled',
  role: 'admin',
  tenantId: null,
};

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7).trim();
  const alt = request.headers['x-api-key'];
  return typeof alt === 'string' ? alt.trim() : undefined;
}

/**
 * API-key authentication with roles (admin, sre, viewer, ingest). Routes declare their roles in
 * `config.auth`; a route that declares nothing is closed to everyone but admins, so forgetting the
 * declaration fails safe.
 */
export function registerAuth(app: FastifyInstance, state: StateStore, enabled: boolean): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const rule = request.routeOptions.config.auth;
    if (rule === false) return;
    if (request.routeOptions.url === undefined) return; // 404s are answered by the not-found handler
    if (!enabled) {
      request.principal = DEV_PRINCIPAL;
      return;
    }
    const secret = presentedKey(request);
    if (secret === undefined || secret === '') {
      throw new FaultlineError('FAULTLINE_UNAUTHORIZED', 'missing API key: send Authorization: Bearer <key>');
    }
    const key = await state.apiKeys.verify(secret);
    if (key === undefined) throw new FaultlineError('FAULTLINE_UNAUTHORIZED', 'unknown or revoked API key');
    request.principal = { keyId: key.id, name: key.name, role: key.role, tenantId: key.tenantId };
    // Record use for audits, at most once a minute per key: a write per request would cost the hot path.
    const now = Date.now();
    if (key.lastUsedAt === null || now - Date.parse(key.lastUsedAt) > 60_000) {
      state.apiKeys.touch(key.id, new Date(now).toISOString()).catch((error: unknown) => {
        request.log.warn({ err: error, keyId: key.id }, 'could not record API key use');
      });
    }
    const roles = rule?.roles ?? ['admin'];
    if (!roles.includes(key.role)) {
      throw new FaultlineError(
        'FAULTLINE_FORBIDDEN',
        `role ${key.role} may not ${request.method} ${request.routeOptions.url}`,
      );
    }
  });
}

export const READ_ROLES: readonly Role[] = ['admin', 'sre', 'viewer'];
export const INGEST_ROLES: readonly Role[] = ['admin', 'sre', 'ingest'];
export const OPERATOR_ROLES: readonly Role[] = ['admin', 'sre'];
export const ADMIN_ROLES: readonly Role[] = ['admin'];
