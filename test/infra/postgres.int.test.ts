import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgUrl, uniqueName } from '../helpers/infra.js';

const pool = new pg.Pool({ connectionString: pgUrl(), max: 4 });
const schema = uniqueName('smoke');

beforeAll(async () => {
  // The migration: a schema of its own per test file, so no test sees another's tables.
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`
      CREATE TABLE ${schema}.leases (
        id        text PRIMARY KEY,
        node      text NOT NULL,
        tenant    text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at   timestamptz NOT NULL CHECK (ends_at > starts_at)
      )`);
    await client.query(`CREATE INDEX leases_node ON ${schema}.leases (node, starts_at)`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

async function count(): Promise<number> {
  const res = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.leases`);
  return Number(res.rows[0]?.n);
}

async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

const insert = `INSERT INTO ${schema}.leases (id, node, tenant, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5)`;

describe('PostgreSQL on loopback', () => {
  it('is a real PostgreSQL server, reached as the faultline role', async () => {
    const res = await pool.query<{ user: string; version: string }>(
      'SELECT current_user AS user, current_setting($1) AS version',
      ['server_version_num'],
    );
    expect(res.rows[0]?.user).toBe(new URL(pgUrl()).username);
    expect(Number(res.rows[0]?.version)).toBeGreaterThanOrEqual(130000);
  });

  it('makes a committed transaction visible to other connections', async () => {
    await inTransaction(async (c) => {
      await c.query(insert, ['lease-1', 'compute-01', 'tenant-a', '2026-01-01T00:00Z', '2026-01-02T00:00Z']);
      await c.query(insert, ['lease-2', 'compute-02', 'tenant-b', '2026-01-01T00:00Z', '2026-01-03T00:00Z']);
      // Not committed yet: another connection must not see it.
      expect(await count()).toBe(0);
    });
    expect(await count()).toBe(2);
    const res = await pool.query<{ tenant: string }>(`SELECT tenant FROM ${schema}.leases WHERE node = $1`, [
      'compute-02',
    ]);
    expect(res.rows).toEqual([{ tenant: 'tenant-b' }]);
  });

  it('rolls a failed transaction back entirely', async () => {
    const before = await count();
    await expect(
      inTransaction(async (c) => {
        await c.query(insert, [
          'lease-3',
          'compute-03',
          'tenant-c',
          '2026-01-01T00:00Z',
          '2026-01-02T00:00Z',
        ]);
        // A constraint the server enforces, not the test: ends before it starts.
        await c.query(insert, [
          'lease-4',
          'compute-03',
          'tenant-c',
          '2026-01-05T00:00Z',
          '2026-01-04T00:00Z',
        ]);
      }),
    ).rejects.toMatchObject({ code: '23514' });
    expect(await count()).toBe(before);

    await expect(
      inTransaction(async (c) => {
        await c.query(insert, [
          'lease-5',
          'compute-04',
          'tenant-d',
          '2026-01-01T00:00Z',
          '2026-01-02T00:00Z',
        ]);
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    const left = await pool.query(`SELECT 1 FROM ${schema}.leases WHERE id = ANY($1)`, [
      ['lease-3', 'lease-5'],
    ]);
    expect(left.rowCount).toBe(0);
  });
});
