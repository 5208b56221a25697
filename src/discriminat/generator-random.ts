/**
 * The generator's only source of chance: a seeded, portable PRNG (sfc32 seeded by cyrb128 of the
 * seed text), so a seed gives the same files byte for byte on every machine and Node version.
 * `Math.random` is never used by the generator.
 */

/** cyrb128: four 32-bit words from any text (a well-mixed seed for sfc32). */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A 32-bit hash of a text: stable across seeds (used for what must not depend on the seed). */
export function hash32(text: string): number {
  return cyrb128(text)[0];
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `stream` separates independent sequences drawn from one seed (estate, traffic, ...). */
  constructor(seed: string, stream = '') {
    [this.a, this.b, this.c, this.d] = cyrb128(`${seed}\u0000${stream}`);
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** sfc32. */
  uint32(): number {
    this.a |= 0;
    this.b |= 0;
    this.c |= 0;
    this.d |= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** `n` lower-case hex digits. */
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.uint32() & 15];
    return s;
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/** Picks among items by weight in O(log n): cumulative weights, binary search. */
export class WeightedPicker<T> {
  private readonly cumulative: Float64Array;
  readonly total: number;

  constructor(readonly items: readonly T[], weights: readonly number[]) {
    this.cumulative = new Float64Array(items.length);
    let acc = 0;
    for (let i = 0; i < items.length; i++) {
      acc += Math.max(0, weights[i] ?? 0);
      this.cumulative[i] = acc;
    }
    this.total = acc;
  }

  /** Undefined when every weight is zero. */
  pick(rnd: Random): T | undefined {
    if (this.total <= 0) return undefined;
    const x = rnd.next() * this.total;
    let lo = 0;
    let hi = this.items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}
