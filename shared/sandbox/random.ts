/**
 * Seeded pseudo-random numbers for the sandboxes. Everything a simulator produces derives from a seed through these
 * helpers, so a run can be replayed exactly; nothing here touches Math.random or the clock.
 */

/** Murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Combines a seed and a 32-bit integer into one well-mixed 32-bit seed; the cheap path for per-record seeds. */
export function mixSeed(a: number, b: number): number {
  return fmix32(Math.imul(fmix32(a) ^ 0x9e3779b9, 0x27d4eb2f) ^ (b >>> 0));
}

/** Hashes any mix of numbers and strings into a 32-bit seed (order matters). */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    if (typeof part === 'number') {
      // Split so integers beyond 32 bits (epoch milliseconds, big seeds) still contribute all their bits.
      h = mixSeed(h, part >>> 0);
      h = mixSeed(h, Math.floor(part / 0x100000000) >>> 0);
    } else {
      for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
      h = mixSeed(h, part.length);
    }
  }
  return fmix32(h);
}

const HEX = '0123456789ABCDEF';

/** A mulberry32 generator: fast, 32 bits of state, good enough for synthetic data (not for cryptography). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Float in [0, 1). */
  next(): number {
    return this.uint32() / 0x100000000;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One element of a precomputed weighted table (see `weightedTable`). */
  pickWeighted<T>(table: WeightedTable<T>): T {
    const r = this.next() * table.total;
    const cum = table.cumulative;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return table.items[lo]!;
  }

  /** Upper-case hexadecimal string of the given length. */
  hex(length: number): string {
    let out = '';
    let word = 0;
    for (let i = 0; i < length; i++) {
      if ((i & 7) === 0) word = this.uint32();
      out += HEX[word & 15];
      word >>>= 4;
    }
    return out;
  }
}

/** Items with cumulative weights, built once so picking is a binary search rather than a scan. */
export interface WeightedTable<T> {
  readonly items: readonly T[];
  readonly cumulative: Float64Array;
  readonly total: number;
}

/** Builds a weighted table from [item, weight] pairs; weights need not sum to 1. */
export function weightedTable<T>(pairs: readonly (readonly [T, number])[]): WeightedTable<T> {
  const cumulative = new Float64Array(pairs.length);
  let total = 0;
  pairs.forEach(([, w], i) => {
    if (!(w >= 0)) throw new Error('weightedTable: weights must be non-negative');
    total += w;
    cumulative[i] = total;
  });
  if (total <= 0) throw new Error('weightedTable: total weight must be positive');
  return { items: pairs.map(([item]) => item), cumulative, total };
}

/** A generator seeded from any mix of numbers and strings. */
export function createRng(...seedParts: readonly (string | number)[]): Rng {
  return new Rng(hashSeed(...seedParts));
}
