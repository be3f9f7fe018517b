import type { Writable } from 'node:stream';
import { formatRuleError, loadRuleDir, RuleLoadError } from '../engine/rules/load.js';
import { runRuleTestDir } from '../engine/rules/rule-test.js';
import { SHIPPED_RULES_DIR } from './analyze.js';

/** `faultline rules check [DIR]`: every problem of every file as `file:line:col: message`; exit 1 if any. */
export function rulesCheckCommand(dir: string | undefined, out: Writable, err: Writable): number {
  try {
    const rules = loadRuleDir(dir ?? SHIPPED_RULES_DIR);
    out.write(`${rules.length} rules OK\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof RuleLoadError)) throw error;
    for (const e of error.errors) err.write(`${formatRuleError(e)}\n`);
    return 1;
  }
}

/** `faultline rules test [DIR]`: runs `DIR/tests/*.yaml` against the rules of DIR; exit 1 on any failure. */
export function rulesTestCommand(dir: string | undefined, out: Writable, err: Writable): number {
  let results: ReturnType<typeof runRuleTestDir>;
  try {
    results = runRuleTestDir(dir ?? SHIPPED_RULES_DIR);
  } catch (error) {
    if (!(error instanceof RuleLoadError)) throw error;
    for (const e of error.errors) err.write(`${formatRuleError(e)}\n`);
    return 1;
  }
  let failed = 0;
  for (const r of results) {
    if (r.failures.length === 0) out.write(`ok   ${r.file} ${r.name}\n`);
    else {
      failed++;
      out.write(`FAIL ${r.file} ${r.name}\n`);
      for (const f of r.failures) out.write(`     ${f}\n`);
    }
  }
  out.write(`${results.length - failed}/${results.length} rule tests passed\n`);
  return failed === 0 ? 0 : 1;
}
