import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStateStore } from '../../src/store/state/state-store.js';
import { stateStoreConformance } from './state-store.conformance.js';

stateStoreConformance('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-state-conf-'));
  return {
    open: () => createSqliteStateStore(join(dir, 'state.db')),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
