import { describe, expect, it } from 'vitest';
import { formatRuleError, loadRuleText, RuleLoadError } from '../../src/engine/rules/load.js';

function errorsOf(text: string): string[] {
  try {
    loadRuleText(text, 'r.yaml');
  } catch (error) {
    if (error instanceof RuleLoadError) return error.errors.map(formatRuleError);
    throw error;
  }
  return [];
}

const ok = `rules:
  - name: Storm
    match:
      event.dataset: bmc.sel
      hw.type: memory
    group_by: [host.name, hw.id]
    condition:
      count: { window: 1h, value: 10 }
    severity: warning
`;

describe('rule loading', () => {
  it('compiles a valid rule with its defaults', () => {
    const [rule] = loadRuleText(ok, 'r.yaml');
    expect(rule?.groupBy).toEqual(['host.name', 'hw.id']);
    expect(rule?.resolveAfterMs).toBe(3_600_000);
    expect(rule?.datasets).toEqual(['bmc.sel']);
  });

  it('points at a field no decoder writes, at its key', () => {
    expect(errorsOf(ok.replace('hw.type: memory', 'hw.typo: memory'))).toEqual([
      'r.yaml:5:7: unknown field "hw.typo": no decoder writes it (see rules/README.md, fields)',
    ]);
  });

  it('points at a bad severity and an unknown key with line and column', () => {
    const errors = errorsOf(ok.replace('severity: warning', 'severity: loud\n    colour: red'));
    expect(errors).toContain(
      'r.yaml:9:15: rules.0.severity: must be one of "critical", "major", "warning", "minor", "info"',
    );
    expect(errors).toContain('r.yaml:10:5: rules.0: unknown key "colour"');
  });

  it('rejects a numeric operator on a string field, a bad regex and a wrong value type', () => {
    const text = ok.replace(
      'hw.type: memory',
      "hw.type: { gt: 3 }\n      message: { regex: '(' }\n      event.severity: high",
    );
    const errors = errorsOf(text);
    expect(errors).toContain('r.yaml:5:22: "gt" needs a numeric field; "hw.type" is string');
    expect(errors.some((e) => e.startsWith('r.yaml:6:25: invalid regular expression'))).toBe(true);
    expect(errors).toContain('r.yaml:7:23: "event.severity" is a number field; "high" is a string');
  });

  it('reports YAML syntax errors with their position', () => {
    const errors = errorsOf('rules:\n  - name: X\n    match: { a: [1, 2 }\n');
    expect(errors[0]).toMatch(/^r\.yaml:3:\d+: /);
  });

  it('requires a field for sum/min/max/increase', () => {
    expect(
      errorsOf(ok.replace('count: { window: 1h, value: 10 }', 'sum: { window: 1h, value: 10 }')),
    ).toEqual(['r.yaml:8:12: sum needs "field"']);
  });
});
