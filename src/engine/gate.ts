/**
 * The byte prefilter: says "cannot match" for a line without building a string for it.
 *
 * Literals are searched over the whole buffer, not line by line (ripgrep's shape): the next
 * occurrence of each literal is remembered, so every byte is searched once, and a line is a
 * candidate only when an occurrence starts inside it. With `escapeFallback`, a line holding
 * a backslash is a candidate too (a JSON escape can spell any literal differently).
 */
export class LineGate {
  private readonly needles: Buffer[];
  private readonly next: number[];
  private nextBackslash = -1;
  private buf: Buffer | null = null;

  constructor(
    literals: readonly string[],
    private readonly escapeFallback: boolean,
  ) {
    this.needles = literals.map((l) => Buffer.from(l, 'utf8'));
    this.next = literals.map(() => -1);
  }

  /** A gate that lets every line through. */
  static readonly open = new LineGate([], false);

  get isOpen(): boolean {
    return this.needles.length === 0;
  }

  /** May the line [start, end) of `buf` match? Lines must be asked in increasing order per buffer. */
  mayMatch(buf: Buffer, start: number, end: number): boolean {
    if (this.needles.length === 0) return true;
    if (buf !== this.buf) {
      this.buf = buf;
      this.next.fill(-1);
      this.nextBackslash = -1;
    }
    for (let i = 0; i < this.needles.length; i++) {
      let at = this.next[i]!;
      if (at !== Infinity && at < start) {
        at = buf.indexOf(this.needles[i]!, start);
        if (at === -1) at = Infinity;
        this.next[i] = at;
      }
      if (at < end) return true;
    }
    if (this.escapeFallback) {
      let at = this.nextBackslash;
      if (at !== Infinity && at < start) {
        at = buf.indexOf(0x5c, start);
        if (at === -1) at = Infinity;
        this.nextBackslash = at;
      }
      if (at < end) return true;
    }
    return false;
  }
}
