import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** FNV-1a over a string: derives independent, stable sub-seeds from a seed and a stream name. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The simulator's only source of randomness. Every part of the simulation draws from its own named
 * stream (`fork`), so adding draws in one generator does not shift what another produces: the same
 * seed gives the same fleet, telemetry and truth, whichever generators are switched on.
 */
export class Random {
  private readonly rng: RandomGenerator;

  constructor(
    readonly seed: number,
    readonly stream = '',
  ) {
    this.rng = xoroshiro128plus(fnv1a(`${seed}/${stream}`) ^ seed);
  }

  /** An independent stream for one part of the simulation. */
  fork(name: string): Random {
    return new Random(this.seed, this.stream === '' ? name : `${this.stream}/${name}`);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.rng);
  }

  /** Uniform integer in [from, to], both included. */
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }

  between(from: number, to: number): number {
    return from + (to - from) * this.float();
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  /** One item, with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < items.length; i++) {
      x -= weights[i]!;
      if (x < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  /** Normal deviate (Box–Muller). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.float();
    const v = this.float();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential deviate: the gap to the next arrival of a Poisson process of this mean gap. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** Poisson count of mean `lambda` (Knuth for small means, normal approximation above 30). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }

  hex(chars: number): string {
    let out = '';
    for (let i = 0; i < chars; i++) out += this.int(0, 15).toString(16);
    return out;
  }

  /** A random (version 4) UUID. */
  uuid(): string {
    const variant = this.pick(['8', '9', 'a', 'b']);
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`;
  }

  /** Upper-case alphanumeric serial number of a given length. */
  serial(prefix: string, chars: number): string {
    const alphabet = '0123456789ABCDEFGHJKLMNPRSTUVWXYZ';
    let out = prefix;
    for (let i = 0; i < chars; i++) out += alphabet[this.int(0, alphabet.length - 1)];
    return out;
  }
}
