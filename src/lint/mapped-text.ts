/**
 * A string value decoded from a source file (an HCL, JSON or YAML string, a heredoc), with the
 * place in the file of each of its UTF-16 units, so a diagnostic about the value can point at
 * the file. Values nest (a query inside a JSON dashboard body inside a YAML block scalar): a
 * value decoded from another value is composed with it to reach the file.
 */
import type { Span } from '../diagnostics/diagnostic.js';

export interface MappedText {
  readonly text: string;
  /** offsets[i]: file offset of text[i]; offsets[text.length]: file offset just past the value. */
  readonly offsets: readonly number[];
  /**
   * Parts of the text whose value is known only at deploy time (`${var.x}`, `!Sub` `${Param}`),
   * kept as written so that an enclosing JSON document still parses. Spans are in `text`.
   */
  readonly holes: readonly Span[];
}

/** Builds a MappedText piece by piece as a decoder walks the source. */
export class MappedTextBuilder {
  private text = '';
  private readonly offsets: number[] = [];
  private readonly holes: Span[] = [];
  /** Just past the source of the last unit pushed. */
  private end = 0;

  /** Appends `value` (one decoded unit or several), decoded from the source span [from, to). */
  push(value: string, from: number, to: number): void {
    for (let i = 0; i < value.length; i++) {
      this.text += value[i];
      // A unit from an escape is placed at the escape's start plus its index (\U0001F600: two units).
      this.offsets.push(i === 0 ? from : Math.min(from + i, to - 1));
    }
    this.end = to;
  }

  /** Appends source text that stands for itself, starting at file offset `from`. */
  pushVerbatim(value: string, from: number): void {
    for (let i = 0; i < value.length; i++) {
      this.text += value[i];
      this.offsets.push(from + i);
    }
    this.end = from + value.length;
  }

  /** Appends a deploy-time part, kept as written. */
  pushHole(raw: string, from: number): void {
    const start = this.text.length;
    this.pushVerbatim(raw, from);
    this.holes.push({ start, end: this.text.length });
  }

  build(end = this.end): MappedText {
    return { text: this.text, offsets: [...this.offsets, end], holes: this.holes };
  }
}

/** Text that stands for itself, starting at `from` in the file. */
export function verbatim(text: string, from: number): MappedText {
  const b = new MappedTextBuilder();
  b.pushVerbatim(text, from);
  return b.build(from + text.length);
}

/**
 * `inner` was decoded from `outer.text` (its offsets are indexes into outer.text): the same
 * value, with offsets into the file and the holes of outer that fall inside it.
 */
export function compose(inner: MappedText, outer: MappedText): MappedText {
  const offsets = inner.offsets.map((o) => outer.offsets[Math.min(o, outer.text.length)]!);
  const holes = [...inner.holes];
  for (const h of outer.holes) {
    // Find the inner units that come from this outer hole.
    let start = -1;
    let end = -1;
    for (let i = 0; i < inner.text.length; i++) {
      const o = inner.offsets[i]!;
      if (o >= h.start && o < h.end) {
        if (start === -1) start = i;
        end = i + 1;
      }
    }
    if (start !== -1) holes.push({ start, end });
  }
  holes.sort((a, b) => a.start - b.start);
  return { text: inner.text, offsets, holes };
}

/** The part [start, end) of a value. */
export function slice(m: MappedText, start: number, end = m.text.length): MappedText {
  return {
    text: m.text.slice(start, end),
    offsets: m.offsets.slice(start, end + 1),
    holes: m.holes.filter((h) => h.start < end && h.end > start).map((h) => ({ start: Math.max(h.start, start) - start, end: Math.min(h.end, end) - start })),
  };
}

/** A span of the value as a span of the file. */
export function fileSpan(m: MappedText, at: Span): Span {
  const start = m.offsets[Math.min(at.start, m.text.length)]!;
  const end = at.end > at.start ? m.offsets[Math.min(at.end, m.text.length)]! : start;
  return { start, end: Math.max(start, end) };
}

/** A language's backslash escapes: one-character ones, and letters followed by N hex digits. */
export interface Escapes {
  readonly simple: Readonly<Record<string, string>>;
  readonly hex: Readonly<Record<string, number>>;
}

/**
 * Decodes the backslash escape at `s[i]` into `b`, placed at its whole source text. Returns the
 * index just past it, or -1 when the text there is not one of `escapes` (the caller keeps it).
 */
export function pushEscape(b: MappedTextBuilder, s: string, i: number, to: number, escapes: Escapes): number {
  const e = s[i + 1];
  if (s[i] !== '\\' || e === undefined || i + 1 >= to) return -1;
  const simple = escapes.simple[e];
  if (simple !== undefined) {
    b.push(simple, i, i + 2);
    return i + 2;
  }
  const digits = escapes.hex[e];
  const hex = digits === undefined ? '' : s.slice(i + 2, i + 2 + digits);
  if (digits === undefined || hex.length !== digits || i + 2 + digits > to || !/^[0-9A-Fa-f]+$/.test(hex)) return -1;
  const code = parseInt(hex, 16);
  // A \uD83D escape is half of a surrogate pair: one UTF-16 unit, as JSON and YAML mean it.
  b.push(code <= 0xffff ? String.fromCharCode(code) : String.fromCodePoint(code), i, i + 2 + digits);
  return i + 2 + digits;
}
