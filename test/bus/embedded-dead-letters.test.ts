import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../src/bus/embedded.js';
import { tempDir } from '../helpers/runtime.js';

describe('EmbeddedBus dead letters in a file of an earlier version', () => {
  it('keeps the rows of the table keyed without frames, and from then on keeps every line of a packed record', async () => {
    const dir = tempDir();
    const file = join(dir, 'bus.db');
    // The table as earlier versions created it: unique on position and reason only.
    const old = new Database(file);
    old.exec(`CREATE TABLE dead_letters (
      id INTEGER PRIMARY KEY, source_topic TEXT NOT NULL, source_partition INTEGER NOT NULL,
      source_offset TEXT NOT NULL, source TEXT NOT NULL, line INTEGER, reason TEXT NOT NULL,
      original BLOB NOT NULL, at TEXT NOT NULL,
      UNIQUE (source_topic, source_partition, source_offset, reason))`);
    old
      .prepare('INSERT INTO dead_letters VALUES (7, ?, 0, ?, ?, 3, ?, ?, ?)')
      .run('t', '1', 'syslog', 'bad', Buffer.from('old row'), '2026-01-01T00:00:00.000Z');
    old.close();

    const bus = new EmbeddedBus(file, { pruneIntervalMs: 0 });
    try {
      const at = new Date().toISOString();
      const lines = [0, 1, 2].map((frame) => ({
        sourceTopic: 't',
        sourcePartition: 0,
        sourceOffset: '2',
        source: 'syslog',
        line: frame + 1,
        frame,
        reason: 'bad',
        original: Buffer.from(`line ${frame}`),
        at,
      }));
      await bus.deadLetter(lines);
      // A replayed batch stores nothing twice.
      await bus.deadLetter(lines);
      const entries = await bus.listDeadLetters();
      expect(entries.map((e) => [e.sourceOffset, e.frame ?? null, e.line, e.original])).toEqual([
        ['2', 2, 3, 'line 2'],
        ['2', 1, 2, 'line 1'],
        ['2', 0, 1, 'line 0'],
        ['1', null, 3, 'old row'],
      ]);
      expect(entries.at(-1)!.id).toBe(7);
    } finally {
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
