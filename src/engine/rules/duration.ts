const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Rules spell few durations and the engine reads them per event: each is parsed once. */
const parsed = new Map<string, number>();

/** `90s` → 90000. The schema has already checked the form; anything else is a programming error. */
export function parseDuration(text: string): number {
  const known = parsed.get(text);
  if (known !== undefined) return known;
  const m = /^([0-9]+)(ms|s|m|h|d)$/.exec(text);
  if (m === null) throw new Error(`not a duration: ${text}`);
  const ms = Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  if (parsed.size < 1024) parsed.set(text, ms);
  return ms;
}

/** 5400000 → `1h30m`: the shortest exact spelling, for annotations. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return rest > 0 ? `${out}${rest}ms` : out;
}
