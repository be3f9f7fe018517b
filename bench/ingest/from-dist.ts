import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO = resolve(import.meta.dirname, '..', '..');

/**
 * A module of the build in `dist/`, as `faultline serve` runs it (`npm run build` first): tsx's
 * on-the-fly transpile adds helpers to every closure. Types come from the sources.
 */
export async function fromDist<T>(path: string): Promise<T> {
  const file = resolve(REPO, 'dist', path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  return (await import(pathToFileURL(file).href)) as T;
}
