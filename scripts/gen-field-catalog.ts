/**
 * Writes src/engine/rules/field-catalog.json: every field the decoders emit, with its JSON type, found
 * by running each source's decoder over its real fixtures. Rules are checked against it, so a
 * matcher on a field no decoder writes is an error at `rules check` time, not a rule that never fires.
 * rules/README.md lists the fields, so it is regenerated too (in a fresh process: the README
 * generator reads the catalog when it loads).
 * Run: npx tsx scripts/gen-field-catalog.ts   (test/engine/rule-files.test.ts checks both are current)
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectFieldCatalog, renderFieldCatalog } from '../src/engine/rules/field-catalog-build.js';

const target = fileURLToPath(new URL('../src/engine/rules/field-catalog.json', import.meta.url));
writeFileSync(target, renderFieldCatalog(collectFieldCatalog()));
process.stdout.write(`wrote ${target}\n`);
const readme = spawnSync(
  process.execPath,
  [...process.execArgv, fileURLToPath(new URL('./gen-rules-readme.ts', import.meta.url))],
  {
    stdio: 'inherit',
  },
);
process.exitCode = readme.status ?? 1;
