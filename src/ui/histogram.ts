/**
 * Events over time in bounded memory: counts per fine bin while scanning (coarsened when there
 * are too many), then bins of a round size chosen from the time range actually seen, so a
 * minute of logs gets seconds and a month gets days.
 */
import type { Histogram } from './protocol.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/** Round bin sizes, smallest first, with how they are written. */
export const BIN_SIZES: readonly (readonly [number, string])[] = [
  [S, '1s'], [5 * S, '5s'], [10 * S, '10s'], [30 * S, '30s'], [M, '1m'], [5 * M, '5m'], [10 * M, '10m'], [15 * M, '15m'], [30 * M, '30m'],
  [H, '1h'], [3 * H, '3h'], [6 * H, '6h'], [12 * H, '12h'], [D, '1d'], [7 * D, '7d'], [30 * D, '30d'], [365 * D, '365d'],
];

/** Bins a histogram should have at most. */
export const MAX_BINS = 60;
/** Fine bins kept while scanning; past it they are merged into the next size up. */
const MAX_FINE_BINS = 20_000;

/** The smallest round size that covers [lo, hi] in at most `maxBins` bins, and at least `floor`. */
export function chooseBin(lo: number, hi: number, floor = S, maxBins = MAX_BINS): readonly [number, string] {
  const span = Math.max(0, hi - lo) + 1;
  for (const size of BIN_SIZES) if (size[0] >= floor && Math.ceil(span / size[0]) + 1 <= maxBins) return size;
  return BIN_SIZES[BIN_SIZES.length - 1]!;
}

export class TimeHistogram {
  private fine = new Map<number, number>();
  private size = 0; // index into BIN_SIZES
  untimed = 0;

  add(t: number | null, n = 1): void {
    if (t === null) {
      this.untimed += n;
      return;
    }
    const key = Math.floor(t / BIN_SIZES[this.size]![0]);
    this.fine.set(key, (this.fine.get(key) ?? 0) + n);
    if (this.fine.size > MAX_FINE_BINS && this.size < BIN_SIZES.length - 1) this.coarsen();
  }

  private coarsen(): void {
    const from = BIN_SIZES[this.size]![0];
    this.size++;
    const to = BIN_SIZES[this.size]![0];
    const next = new Map<number, number>();
    for (const [k, c] of this.fine) {
      const key = Math.floor((k * from) / to);
      next.set(key, (next.get(key) ?? 0) + c);
    }
    this.fine = next;
  }

  /** The time range seen, or null when no event had a time. */
  range(): { lo: number; hi: number } | null {
    if (this.fine.size === 0) return null;
    const from = BIN_SIZES[this.size]![0];
    let lo = Infinity;
    let hi = -Infinity;
    for (const k of this.fine.keys()) {
      lo = Math.min(lo, k * from);
      hi = Math.max(hi, k * from + from - 1);
    }
    return { lo, hi };
  }

  /** Bins of a size chosen from the range (or `bin`, to line several histograms up). */
  finish(bin?: readonly [number, string], range = this.range()): Histogram {
    const from = BIN_SIZES[this.size]![0];
    if (range === null) return { start: 0, binMs: bin?.[0] ?? from, binLabel: bin?.[1] ?? BIN_SIZES[this.size]![1], counts: [], untimed: this.untimed };
    const [binMs, binLabel] = bin ?? chooseBin(range.lo, range.hi, from);
    const start = Math.floor(range.lo / binMs) * binMs;
    const counts = new Array<number>(Math.floor(range.hi / binMs) - start / binMs + 1).fill(0);
    for (const [k, c] of this.fine) counts[Math.floor((k * from) / binMs) - start / binMs] += c;
    return { start, binMs, binLabel, counts, untimed: this.untimed };
  }

  /** The finest size this histogram can still be binned at. */
  get floor(): number {
    return BIN_SIZES[this.size]![0];
  }
}
