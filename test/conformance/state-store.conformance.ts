import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_MIGRATIONS } from '../../src/store/state/migrations/index.js';
import type { StateStore } from '../../src/store/state/state-store.js';

/**
 * The state store contract (src/store/state/state-store.ts): one migration list and one repository
 * code path over SQLite (unit runs) and PostgreSQL (integration runs). The factory returns an empty
 * store of its own (a temp file, or a fresh PostgreSQL schema).
 */
export interface StateStoreHarness {
  /** Opens another store on the same database (a second process, a restart). */
  open(): StateStore;
  /** Opens a store in another namespace of the same database (PostgreSQL: another schema), if there is such a thing. */
  openSibling?(): StateStore;
  close(): Promise<void>;
}

export interface StateStoreConformanceOptions {
  /** Whether several processes may migrate one database at once (PostgreSQL: yes; embedded SQLite has one owner). */
  concurrentMigrations?: boolean;
}

export function stateStoreConformance(
  name: string,
  factory: () => Promise<StateStoreHarness>,
  options: StateStoreConformanceOptions = {},
): void {
  describe(`StateStore conformance: ${name}`, () => {
    let h: StateStoreHarness;
    let store: StateStore;
    beforeAll(async () => {
      h = await factory();
      store = h.open();
      await store.migrate();
    });
    afterAll(async () => {
      await store?.close();
      await h?.close();
    });

    it('migrates again, and from a second connection, without harm', async () => {
      await store.migrate();
      const other = h.open();
      try {
        await other.migrate();
        expect((await other.health()).ok).toBe(true);
      } finally {
        await other.close();
      }
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        store.db,
      );
      // Names of shipped migrations never change: databases in the field recorded them.
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(STATE_MIGRATIONS).sort());
      expect(applied.rows.map((r) => r.name).slice(0, 3)).toEqual([
        '0001-api-keys-and-meta',
        '0002-audit-log',
        '0003-fleet',
      ]);
    });

    it.runIf(options.concurrentMigrations === true)(
      'migrates concurrently from two processes without failing',
      async () => {
        const a = h.open();
        const b = h.open();
        try {
          await Promise.all([a.migrate(), b.migrate()]);
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      },
    );

    it('migrates a namespace of its own while another one in the same database is already migrated', async (ctx) => {
      if (h.openSibling === undefined) return ctx.skip();
      const sibling = h.openSibling();
      try {
        await sibling.migrate();
        await sibling.setMeta('conformance.sibling', 'yes');
        expect(await sibling.getMeta('conformance.sibling')).toBe('yes');
        expect(await store.getMeta('conformance.sibling')).toBeUndefined();
      } finally {
        await sibling.close();
      }
    });

    it('creates, verifies, lists and revokes API keys; stores only a hash', async () => {
      const { key, secret } = await store.apiKeys.create({
        name: 'ci ingest',
        role: 'ingest',
        tenantId: 'tenant-a',
      });
      expect(secret).toMatch(/^flk_/);
      expect(key.prefix).toBe(secret.slice(0, 8));
      expect(key.revokedAt).toBeNull();
      const verified = await store.apiKeys.verify(secret);
      expect(verified).toMatchObject({ id: key.id, name: 'ci ingest', role: 'ingest', tenantId: 'tenant-a' });
      expect(await store.apiKeys.verify(`${secret}x`)).toBeUndefined();
      const raw = await store.db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', key.id)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(raw)).not.toContain(secret);

      await store.apiKeys.touch(key.id, '2026-01-02T03:04:05.000Z');
      expect((await store.apiKeys.get(key.id))?.lastUsedAt).toBe('2026-01-02T03:04:05.000Z');
      expect((await store.apiKeys.list()).map((k) => k.id)).toContain(key.id);

      expect(await store.apiKeys.revoke(key.id)).toBe(true);
      expect(await store.apiKeys.revoke(key.id)).toBe(false);
      expect(await store.apiKeys.verify(secret)).toBeUndefined();
      expect((await store.apiKeys.findBySecret(secret))?.revokedAt).not.toBeNull();
      expect(await store.apiKeys.revoke('00000000-0000-0000-0000-000000000000')).toBe(false);
    });

    it('counts active admins and accepts a given secret (bootstrap key)', async () => {
      const before = await store.apiKeys.countActiveAdmins();
      expect(typeof before).toBe('number');
      const secret = 'flk_bootstrap_admin_for_conformance_0001';
      const { key } = await store.apiKeys.create({ name: 'bootstrap', role: 'admin', secret });
      expect(await store.apiKeys.countActiveAdmins()).toBe(before + 1);
      expect((await store.apiKeys.verify(secret))?.id).toBe(key.id);
      await expect(store.apiKeys.create({ name: 'same secret', role: 'viewer', secret })).rejects.toThrow();
      await store.apiKeys.revoke(key.id);
      expect(await store.apiKeys.countActiveAdmins()).toBe(before);
    });

    it('refuses a role the schema does not know', async () => {
      await expect(
        store.apiKeys.create({ name: 'bad', role: 'superuser' as unknown as 'admin' }),
      ).rejects.toThrow();
    });

    it('keeps meta values, overwriting by key, across connections', async () => {
      expect(await store.getMeta('conformance.missing')).toBeUndefined();
      await store.setMeta('conformance.k', 'one');
      await store.setMeta('conformance.k', 'two');
      expect(await store.getMeta('conformance.k')).toBe('two');
      const other = h.open();
      try {
        expect(await other.getMeta('conformance.k')).toBe('two');
      } finally {
        await other.close();
      }
    });

    it('appends audit entries in order with their detail', async () => {
      await store.audit({
        actor: 'key:1',
        action: 'api_key.create',
        target: 'key:2',
        detail: { role: 'sre' },
      });
      await store.audit({ actor: 'key:1', action: 'api_key.revoke', target: 'key:2' });
      const rows = await store.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
      const mine = rows.filter((r) => r.target === 'key:2');
      expect(mine.map((r) => r.action)).toEqual(['api_key.create', 'api_key.revoke']);
      expect(JSON.parse(mine[0]!.detail!)).toEqual({ role: 'sre' });
      expect(mine[1]!.detail).toBeNull();
      expect(typeof mine[0]!.seq).toBe('number');
      expect(mine[1]!.seq).toBeGreaterThan(mine[0]!.seq);
    });

    it('commits a transaction whole, and rolls every write of a failed one back', async () => {
      const result = await store.transaction(async (tx) => {
        await tx.setMeta('conformance.tx.a', '1');
        await tx.audit({ actor: 'tx', action: 'tx.commit', target: 'conformance' });
        return 'done';
      });
      expect(result).toBe('done');
      expect(await store.getMeta('conformance.tx.a')).toBe('1');
      await expect(
        store.transaction(async (tx) => {
          await tx.setMeta('conformance.tx.b', '1');
          await tx.apiKeys.create({
            name: 'rolled back',
            role: 'viewer',
            secret: 'flk_conformance_rollback',
          });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.getMeta('conformance.tx.b')).toBeUndefined();
      expect(await store.apiKeys.verify('flk_conformance_rollback')).toBeUndefined();
    });

    it('reads fleet times back as the ISO 8601 strings written, and compares them as time', async () => {
      const at = '2026-03-04T05:06:07.089Z';
      await store.db
        .insertInto('tenants')
        .values({ id: 'conf-t', name: 'conf tenant', created_at: at })
        .execute();
      const row = await store.db
        .selectFrom('tenants')
        .selectAll()
        .where('created_at', '>', '2026-03-04T05:06:07.000Z')
        .where('id', '=', 'conf-t')
        .executeTakeFirstOrThrow();
      expect(row.created_at).toBe(at);
    });

    it('refuses two overlapping blocking leases of one node in the database itself', async () => {
      const now = '2026-01-01T00:00:00.000Z';
      await store.db
        .insertInto('tenants')
        .values({ id: 'conf-lt', name: 'conf lease tenant', created_at: now })
        .execute();
      await store.db
        .insertInto('nodes')
        .values({
          id: 'conf-node',
          resource_class: 'baremetal',
          rack_id: null,
          bmc_address: null,
          provision_state: 'available',
          target_provision_state: null,
          power_state: 'power off',
          maintenance: 0,
          maintenance_reason: null,
          fault: null,
          last_error: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const lease = (
        id: string,
        start: string,
        end: string,
        status: 'pending' | 'cancelled' = 'pending',
      ) => ({
        id,
        tenant_id: 'conf-lt',
        node_id: 'conf-node',
        resource_class: 'baremetal',
        start_at: start,
        end_at: end,
        status,
        activated_at: null,
        disk_id: `disk-${id}`,
        network_ids: '[]',
        evacuated_from: null,
        reason: null,
        created_at: now,
        updated_at: now,
      });
      await store.db
        .insertInto('leases')
        .values(lease('l1', '2026-02-01T00:00:00.000Z', '2026-02-02T00:00:00.000Z'))
        .execute();
      await expect(
        store.db
          .insertInto('leases')
          .values(lease('l2', '2026-02-01T12:00:00.000Z', '2026-02-03T00:00:00.000Z'))
          .execute(),
      ).rejects.toThrow(/overlap|exclusion|conflicting key/);
      // Back to back is no overlap ([start, end)); a cancelled, never-started lease blocks nothing.
      await store.db
        .insertInto('leases')
        .values(lease('l3', '2026-02-02T00:00:00.000Z', '2026-02-03T00:00:00.000Z'))
        .execute();
      await store.db
        .insertInto('leases')
        .values(lease('l4', '2026-02-01T06:00:00.000Z', '2026-02-01T07:00:00.000Z', 'cancelled'))
        .execute();
      await expect(
        store.db.updateTable('leases').set({ status: 'pending' }).where('id', '=', 'l4').execute(),
      ).rejects.toThrow(/overlap|exclusion|conflicting key/);
    });
  });
}
