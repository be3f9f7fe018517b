import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { FaultEvent } from '../../src/model/event.js';
import { eventId } from '../../src/model/event-id.js';
import { createRuntime } from '../../src/runtime.js';
import { createLogger } from '../../src/shared/logger.js';
import { createMetrics } from '../../src/shared/metrics.js';
import { auth, startRuntime, tempDir } from '../helpers/runtime.js';

function event(tenant: string, message: string): FaultEvent {
  return {
    '@timestamp': '2026-01-01T00:00:00.000Z',
    'event.id': eventId('test', `${tenant}:${message}`),
    'event.dataset': 'bmc.sel',
    'event.kind': 'event',
    'event.severity': 3,
    'event.original': message,
    message,
    'host.name': `node-${tenant}`,
    'cloud.account.id': tenant,
  };
}

describe('API keys and roles', () => {
  let t: Awaited<ReturnType<typeof startRuntime>>;
  const keys: Record<string, { id: string; secret: string }> = {};

  beforeAll(async () => {
    t = await startRuntime();
    await t.runtime.eventStore.write([
      event('acme', 'acme dimm error'),
      event('globex', 'globex psu failure'),
    ]);
    for (const [name, body] of Object.entries({
      sre: { name: 'sre', role: 'sre' },
      ingest: { name: 'agent', role: 'ingest' },
      acme: { name: 'acme viewer', role: 'viewer', tenantId: 'acme' },
    })) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: auth(), payload: body });
      expect(res.statusCode, res.body).toBe(201);
      const json = res.json<{ key: { id: string }; secret: string }>();
      keys[name] = { id: json.key.id, secret: json.secret };
    }
  });
  afterAll(() => t.close());

  it('rejects requests without a key or with an unknown key (401), never on public routes', async () => {
    const none = await t.app.inject('/v1/logs/search');
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'FAULTLINE_UNAUTHORIZED' });
    const bad = await t.app.inject({ url: '/v1/logs/search', headers: auth('flk_nope') });
    expect(bad.json()).toMatchObject({ statusCode: 401, code: 'FAULTLINE_UNAUTHORIZED' });
    for (const url of ['/healthz', '/readyz', '/metrics'])
      expect((await t.app.inject(url)).statusCode).toBe(200);
  });

  it('enforces roles (403): ingest keys cannot read, sre keys cannot manage keys', async () => {
    const read = await t.app.inject({ url: '/v1/logs/search', headers: auth(keys.ingest!.secret) });
    expect(read.json()).toMatchObject({ statusCode: 403, code: 'FAULTLINE_FORBIDDEN' });
    const write = await t.app.inject({
      method: 'POST',
      url: '/v1/ingest/openstack-log',
      headers: { ...auth(keys.ingest!.secret), 'content-type': 'text/plain' },
      payload: '2017-05-16 00:00:00.008 1 INFO a.b [-] x',
    });
    expect(write.statusCode).toBe(202);
    const manage = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: auth(keys.sre!.secret),
      payload: { name: 'x', role: 'admin' },
    });
    expect(manage.statusCode).toBe(403);
    const viewerIngest = await t.app.inject({
      method: 'POST',
      url: '/v1/ingest/openstack-log',
      headers: { ...auth(keys.acme!.secret), 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(viewerIngest.statusCode).toBe(403);
  });

  it('scopes a tenant viewer to its own tenant, in search, aggregates and by id', async () => {
    const own = await t.app.inject({
      url: '/v1/logs/search?dataset=bmc.sel',
      headers: auth(keys.acme!.secret),
    });
    expect(own.json<{ events: FaultEvent[] }>().events.map((e) => e['cloud.account.id'])).toEqual(['acme']);
    const sre = await t.app.inject({
      url: '/v1/logs/search?dataset=bmc.sel',
      headers: auth(keys.sre!.secret),
    });
    expect(sre.json()).toMatchObject({ total: 2 });
    const agg = await t.app.inject({
      url: '/v1/logs/aggregate?groupBy=host.name',
      headers: auth(keys.acme!.secret),
    });
    expect(agg.json()).toEqual({ buckets: [{ key: 'node-acme', count: 1 }] });
    const other = await t.app.inject({
      url: `/v1/logs/${eventId('test', 'globex:globex psu failure')}`,
      headers: auth(keys.acme!.secret),
    });
    expect(other.statusCode).toBe(404);
    const mine = await t.app.inject({
      url: `/v1/logs/${eventId('test', 'acme:acme dimm error')}`,
      headers: auth(keys.acme!.secret),
    });
    expect(mine.statusCode).toBe(200);
  });

  it('requires a tenant for viewer keys, lists keys without secrets, and revokes', async () => {
    const unscoped = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: auth(),
      payload: { name: 'v', role: 'viewer' },
    });
    expect(unscoped.json()).toMatchObject({ statusCode: 400, code: 'FAULTLINE_VALIDATION' });
    const unknownRole = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: auth(),
      payload: { name: 'r', role: 'root' },
    });
    expect(unknownRole.json()).toMatchObject({ statusCode: 400, code: 'FAULTLINE_VALIDATION' });
    const list = await t.app.inject({ url: '/v1/api-keys', headers: auth() });
    expect(list.body).not.toContain(keys.sre!.secret);
    const listed = list.json<{ keys: Array<{ id: string; lastUsedAt: string | null }> }>().keys;
    expect(listed).toHaveLength(4);
    // Keys that made requests above carry when; the agent key made some, a fresh key none.
    expect(listed.find((k) => k.id === keys.ingest!.id)?.lastUsedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const fresh = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: auth(),
      payload: { name: 'unused', role: 'sre' },
    });
    expect(fresh.json<{ key: { lastUsedAt: string | null } }>().key.lastUsedAt).toBeNull();
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${keys.sre!.id}`,
      headers: auth(),
    });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/v1/logs/search', headers: auth(keys.sre!.secret) })).statusCode).toBe(
      401,
    );
  });
});

describe('bootstrap admin key and secrets in logs', () => {
  it('writes a generated admin key to a 0600 file, never to the log, and redacts Authorization', async () => {
    const dataDir = tempDir();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger('debug', sink);
    const config = loadConfig({ env: {}, overrides: { dataDir, port: 0 } });
    const runtime = await createRuntime(config, logger, {
      metrics: createMetrics({ defaultMetrics: false }),
    });
    try {
      const file = join(dataDir, 'admin-api-key');
      expect(runtime.adminKeyFile).toBe(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const secret = readFileSync(file, 'utf8').trim();
      expect(secret).toMatch(/^flk_[A-Za-z0-9_-]{43}$/);
      const res = await runtime.app.inject({ url: '/v1/api-keys', headers: auth(secret) });
      expect(res.statusCode).toBe(200);
      logger.info({ req: { headers: { authorization: `Bearer ${secret}` } } }, 'request seen');
      logger.info({ headers: { authorization: `Bearer ${secret}` }, apiKey: secret }, 'outbound call');
      const all = lines.join('');
      expect(all).toContain('generated one and wrote it to the file');
      expect(all).toContain('[redacted]');
      expect(all).not.toContain(secret);
    } finally {
      await runtime.close();
    }
  });
});
