import { fleetHarness } from './harness.js';
import { leaseStoreSuite } from './lease-store.shared.js';

leaseStoreSuite('SQLite', () => fleetHarness());
