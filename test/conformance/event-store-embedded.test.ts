import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/store/sqlite/event-store.js';
import { eventStoreConformance } from './event-store.conformance.js';

eventStoreConformance('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-events-conf-'));
  const store = new SqliteEventStore(join(dir, 'events.db'));
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
