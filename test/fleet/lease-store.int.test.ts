import pg from 'pg';
import { createPostgresStateStore } from '../../src/store/state/state-store.js';
import { pgUrl, uniqueName } from '../helpers/infra.js';
import { fleetHarness } from './harness.js';
import { leaseStoreSuite } from './lease-store.shared.js';

/** A fleet on a fresh PostgreSQL schema of the real server, dropped afterwards. */
export async function pgFleetHarness() {
  const schema = uniqueName('fleet');
  const store = createPostgresStateStore(pgUrl(), { schema, max: 20 });
  return fleetHarness(store, async () => {
    const client = new pg.Client({ connectionString: pgUrl() });
    await client.connect();
    try {
      await client.query(`drop schema if exists ${schema} cascade`);
    } finally {
      await client.end();
    }
  });
}

leaseStoreSuite('PostgreSQL', pgFleetHarness);
