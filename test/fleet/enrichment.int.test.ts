import pg from 'pg';
import { esUrl, pgUrl, uniqueName } from '../helpers/infra.js';
import { enrichmentSuite } from './enrichment.shared.js';

/** Runs `sql` on the shared PostgreSQL server. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

enrichmentSuite('Elasticsearch event store, PostgreSQL state store', async () => {
  // The runtime takes a plain URL; a schema of its own (search_path) keeps the shared database clean.
  const schema = uniqueName('enrich');
  await admin(`create schema ${schema}`);
  const url = new URL(pgUrl());
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    overrides: { esUrl: esUrl(), esNamespace: uniqueName('enrich'), pgUrl: url.toString() },
    cleanup: () => admin(`drop schema if exists ${schema} cascade`),
  };
});
