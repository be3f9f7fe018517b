import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EmbeddedBus } from '../../src/bus/embedded.js';
import type { DeadLetter } from '../../src/bus/types.js';
import { busConformance } from './bus.conformance.js';

busConformance('embedded (SQLite append-log)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bus-conf-'));
  const file = join(dir, 'bus.db');
  const bus = new EmbeddedBus(file);
  return {
    bus,
    // Straight from the table: listDeadLetters() decodes `original` as UTF-8, which is lossy for invalid bytes.
    readDeadLetters: async () => {
      const db = new Database(file, { readonly: true });
      try {
        const rows = db.prepare('SELECT * FROM dead_letters ORDER BY id').all() as Array<
          Record<string, unknown>
        >;
        return rows.map((r) => {
          const d: DeadLetter = {
            sourceTopic: r.source_topic as string,
            sourcePartition: r.source_partition as number,
            sourceOffset: r.source_offset as string,
            source: r.source as string,
            reason: r.reason as string,
            original: r.original as Buffer,
            at: r.at as string,
          };
          if (r.line !== null) d.line = r.line as number;
          return d;
        });
      } finally {
        db.close();
      }
    },
    close: async () => {
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
