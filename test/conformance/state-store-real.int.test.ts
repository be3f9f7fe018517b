import pg from 'pg';
import { createPostgresStateStore } from '../../src/store/state/state-store.js';
import { pgUrl, uniqueName } from '../helpers/infra.js';
import { stateStoreConformance } from './state-store.conformance.js';

stateStoreConformance(
  'PostgreSQL',
  async () => {
    const schema = uniqueName('conf');
    const sibling = uniqueName('conf');
    return {
      open: () => createPostgresStateStore(pgUrl(), { schema, max: 4 }),
      openSibling: () => createPostgresStateStore(pgUrl(), { schema: sibling, max: 2 }),
      close: async () => {
        const client = new pg.Client({ connectionString: pgUrl() });
        await client.connect();
        try {
          await client.query(`drop schema if exists ${schema} cascade`);
          await client.query(`drop schema if exists ${sibling} cascade`);
        } finally {
          await client.end();
        }
      },
    };
  },
  { concurrentMigrations: true },
);
