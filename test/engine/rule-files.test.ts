import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectFieldCatalog } from '../../src/engine/rules/field-catalog-build.js';
import { loadRuleDir } from '../../src/engine/rules/load.js';
import { renderRulesReadme } from '../../src/engine/rules/readme.js';
import { runRuleTestDir } from '../../src/engine/rules/rule-test.js';
import { repoRoot } from '../helpers/fixtures.js';

const rulesDir = `${repoRoot}/rules`;

describe('shipped rules', () => {
  it('load without errors', () => {
    expect(loadRuleDir(rulesDir).length).toBeGreaterThanOrEqual(40);
  });

  // The promtool-style tests in rules/tests/ run here too, one vitest case each.
  for (const result of runRuleTestDir(rulesDir)) {
    it(`${result.file}: ${result.name}`, () => {
      expect(result.failures).toEqual([]);
    });
  }

  it('rules/README.md is what scripts/gen-rules-readme.ts generates', () => {
    expect(readFileSync(`${rulesDir}/README.md`, 'utf8')).toBe(renderRulesReadme());
  });

  it('the field catalog is what the decoders write today (scripts/gen-field-catalog.ts)', () => {
    const stored = JSON.parse(
      readFileSync(`${repoRoot}/src/engine/rules/field-catalog.json`, 'utf8'),
    ) as Record<string, string>;
    // A decoder that writes a new field needs `npx tsx scripts/gen-field-catalog.ts` before rules can use it.
    expect(
      stored,
      'src/engine/rules/field-catalog.json is stale: run npx tsx scripts/gen-field-catalog.ts',
    ).toEqual(Object.fromEntries(collectFieldCatalog()));
  });
});
