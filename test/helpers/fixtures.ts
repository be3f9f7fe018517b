import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Root of the real-data fixtures kept in the repository (each folder names its provenance). */
export const FIXTURES_DIR = resolve(repoRoot, 'test', 'fixtures');

export function fixturePath(...parts: string[]): string {
  return resolve(FIXTURES_DIR, ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

export { repoRoot };
