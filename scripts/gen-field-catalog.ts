/**
 * Writes src/engine/rules/field-catalog.json: every field the decoders emit, with its JSON type, found
 * by running each source's decoder over its real fixtures. Rules are checked against it, so a
 * matcher on a field no decoder writes is an error at `rules check` time, not a rule that never fires.
 * Run: npx tsx scripts/gen-field-catalog.json   (test/engine/field-catalog.test.ts checks it is current)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectFieldCatalog, renderFieldCatalog } from '../src/engine/rules/field-catalog-build.js';

const target = fileURLToPath(new URL('../src/engine/rules/field-catalog.json', import.meta.url));
writeFileSync(target, renderFieldCatalog(collectFieldCatalog()));
process.stdout.write(`wrote ${target}\n`);
