/**
 * Repetitions of a sample as a live stream has them (bench/logmine --fresh-ids): new numbers and
 * ids in every line, the same statements.
 */
/** The line with new values in place of its numbers and hex ids (same length, same kind of character). */
export function freshen(line: string, seed: number): string {
  let x = (seed * 2654435761) >>> 0;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
  return line.replace(/[0-9a-fA-F]*[0-9][0-9a-fA-F]*/g, (run, at: number) => {
    // `0x…` keeps its prefix; short mixed runs (`e1000`, `sda1`) keep their letters.
    const id = run.length >= 8;
    let out = '';
    for (let i = 0; i < run.length; i++) {
      const c = run[i] as string;
      const keepZero = c === '0' && /[xX]/.test(line[at + i + 1] ?? '');
      if (/[0-9]/.test(c) && !keepZero) out += String(next() % 10);
      else if (id && /[a-f]/.test(c)) out += 'abcdef'[next() % 6];
      else if (id && /[A-F]/.test(c)) out += 'ABCDEF'[next() % 6];
      else out += c;
    }
    return out;
  });
}
