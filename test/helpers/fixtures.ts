import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Root of the shared real-data fixtures: `../shared/fixtures` beside the clone, or FAULTLINE_FIXTURES. */
export const FIXTURES_DIR = process.env.FAULTLINE_FIXTURES ?? resolve(repoRoot, '..', 'shared', 'fixtures');

export function fixturePath(...parts: string[]): string {
  return resolve(FIXTURES_DIR, ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

export { repoRoot };
