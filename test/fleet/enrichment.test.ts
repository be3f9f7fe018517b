import { enrichmentSuite } from './enrichment.shared.js';

enrichmentSuite('SQLite event store', async () => ({ overrides: {} }));
