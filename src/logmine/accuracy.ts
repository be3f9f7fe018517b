/**
 * Grouping accuracy as logpai/logparser's evaluator computes it: a line counts as right when the
 * set of lines in its predicted group equals the set of lines in its true group. Lines without a
 * ground-truth id are left out, as the evaluator drops them.
 */
export interface GroupingScore {
  /** Correctly grouped lines / scored lines. */
  accuracy: number;
  lines: number;
  correctLines: number;
  predictedGroups: number;
  trueGroups: number;
}

export function groupingAccuracy(
  predicted: readonly string[],
  truth: readonly (string | undefined)[],
): GroupingScore {
  if (predicted.length !== truth.length) {
    throw new Error(`predicted ${predicted.length} lines, ground truth has ${truth.length}`);
  }
  const trueSize = new Map<string, number>();
  const groups = new Map<string, { size: number; truths: Map<string, number> }>();
  let lines = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    if (t === undefined || t === '') continue;
    const p = predicted[i] as string;
    lines++;
    trueSize.set(t, (trueSize.get(t) ?? 0) + 1);
    let g = groups.get(p);
    if (g === undefined) {
      g = { size: 0, truths: new Map() };
      groups.set(p, g);
    }
    g.size++;
    g.truths.set(t, (g.truths.get(t) ?? 0) + 1);
  }
  let correctLines = 0;
  for (const g of groups.values()) {
    if (g.truths.size !== 1) continue;
    const [t] = g.truths.keys();
    if (t !== undefined && trueSize.get(t) === g.size) correctLines += g.size;
  }
  return {
    accuracy: lines === 0 ? 1 : correctLines / lines,
    lines,
    correctLines,
    predictedGroups: groups.size,
    trueGroups: trueSize.size,
  };
}
