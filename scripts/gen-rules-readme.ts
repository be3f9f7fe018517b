/** Writes rules/README.md from the rule schema (test/engine/rule-files.test.ts checks it is current). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderRulesReadme } from '../src/engine/rules/readme.js';

const target = fileURLToPath(new URL('../rules/README.md', import.meta.url));
writeFileSync(target, renderRulesReadme());
process.stdout.write(`wrote ${target}\n`);
