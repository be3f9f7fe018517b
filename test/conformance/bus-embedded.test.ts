import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedBus } from '../../src/bus/embedded.js';
import type { DeadLetter } from '../../src/bus/types.js';
import { busConformance } from './bus.conformance.js';

busConformance('embedded (SQLite append-log)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bus-conf-'));
  const file = join(dir, 'bus.db');
  const bus = new EmbeddedBus(file);
  return {
    bus,
    readDeadLetters: async () =>
      (await bus.listDeadLetters()).reverse().map(({ id: _id, encoding, original, ...rest }) => {
        const d: DeadLetter = { ...rest, original: Buffer.from(original, encoding) };
        return d;
      }),
    close: async () => {
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
