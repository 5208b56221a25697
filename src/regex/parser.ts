/**
 * Parser for the regex subset of filter patterns (spec 6.2, 6.3, D23-D28, D35c-e). It reads the
 * text between the two `%` signs, collects every error it can in one pass (recovering by reading
 * a bad character as a literal, or skipping a bad quantifier), and returns the AST only when
 * there is no error. Spans are offsets into the whole pattern: body[0] is at `bodyOffset`.
 */
import type { Diagnostic, Span } from '../diagnostics/diagnostic.js';
import type { Atom, AwsRegex, Branch, ClassMember, ClassSet, Item, Quantifier } from './ast.js';
import { MAX_REPEAT, RegexCode } from './codes.js';

export interface ParsedRegex {
  readonly regex: AwsRegex | null;
  readonly diagnostics: Diagnostic[];
}

export function parseAwsRegex(body: string, bodyOffset: number): ParsedRegex {
  const p = new Parser(body, bodyOffset);
  const regex = p.parse();
  return { regex: p.diagnostics.length === 0 ? regex : null, diagnostics: p.diagnostics };
}

// spec 6.2: letters, digits, these symbols and operators, and the space (D24).
const SYMBOLS = ':_#=@/;,-^$?[]{}|\\*+. ';
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);
const isAllowed = (c: string): boolean => isAlnum(c) || SYMBOLS.includes(c);
const ESCAPE_CLASSES: Record<string, { set: ClassSet; negated: boolean }> = {
  d: { set: 'digit', negated: false }, D: { set: 'digit', negated: true },
  s: { set: 'space', negated: false }, S: { set: 'space', negated: true },
  w: { set: 'word', negated: false }, W: { set: 'word', negated: true },
};

type Escape = { kind: 'char'; code: number; span: Span } | { kind: 'escape-class'; set: ClassSet; negated: boolean; span: Span };
type Bound = { min: number; max: number | null; span: Span; ok: boolean };

class Parser {
  readonly diagnostics: Diagnostic[] = [];
  private pos = 0;

  constructor(private readonly body: string, private readonly offset: number) {}

  parse(): AwsRegex {
    const { body, offset } = this;
    if (body.length === 0) {
      // D23. The span covers the two `%` signs around the empty body, so the caret shows them.
      const start = offset > 0 ? offset - 1 : offset;
      this.error(RegexCode.Empty, 'the regex between the % signs is empty', { start, end: offset + 1 },
        'write the text to match between the % signs');
    }
    const branches: Branch[] = [this.parseBranch()];
    while (this.pos < body.length) {
      this.pos++; // `|`, the only thing that ends a branch early
      branches.push(this.parseBranch());
    }
    return { kind: 'regex', branches, span: this.span(0, body.length) };
  }

  private parseBranch(): Branch {
    const { body } = this;
    const start = this.pos;
    const items: Item[] = [];
    while (this.pos < body.length && body[this.pos] !== '|') {
      const c = body[this.pos];
      if (this.atQuantifier()) {
        // D26: a quantifier where an item should start has nothing to repeat.
        const qStart = this.pos;
        let allOk = true;
        while (this.atQuantifier()) allOk = this.parseBound().ok && allOk;
        const prev = items[items.length - 1];
        if (allOk) {
          this.error(RegexCode.NothingToRepeat,
            `'${body.slice(qStart, this.pos)}' has nothing to repeat` +
              (prev?.kind === 'anchor' ? ` ('${prev.at === 'start' ? '^' : '$'}' is an anchor, not a character)` : ''),
            this.span(qStart, this.pos), `write \\${c} to match '${c}' itself`);
        }
        continue;
      }
      const atom = this.parseItem();
      if (atom) items.push(atom.kind === 'anchor' ? atom : this.withQuantifier(atom));
    }
    return { kind: 'branch', items, span: this.span(start, this.pos) };
  }

  /** One item at `pos`, or null after an error that yields nothing to keep. */
  private parseItem(): Item | null {
    const { body } = this;
    const start = this.pos;
    const c = body[start];
    switch (c) {
      case '.': this.pos++; return { kind: 'any', quantifier: null, span: this.span(start, this.pos) };
      case '^': this.pos++; return { kind: 'anchor', at: 'start', span: this.span(start, this.pos) };
      case '$': this.pos++; return { kind: 'anchor', at: 'end', span: this.span(start, this.pos) };
      case '[': return this.parseClass();
      case '\\': {
        const e = this.parseEscape();
        return e && { ...e, quantifier: null };
      }
      default: {
        // `]` and `}` that close nothing are literals (D35c); anything else is checked against 6.2.
        const code = this.literalAt(start);
        return { kind: 'char', code, quantifier: null, span: this.span(start, this.pos) };
      }
    }
  }

  /** Reads a literal character at `i` (a whole code point), reporting it when 6.2 forbids it. */
  private literalAt(i: number): number {
    const code = this.body.codePointAt(i)!;
    const ch = String.fromCodePoint(code);
    this.pos = i + ch.length;
    if (!isAllowed(ch)) this.notAllowed(ch, i);
    return code;
  }

  private notAllowed(ch: string, i: number): void {
    const code = ch.codePointAt(0)!;
    const hex = (n: number) => `\\x${n.toString(16).toUpperCase().padStart(2, '0')}`;
    const shown = code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
    let message = `${shown} is not allowed in a regex`;
    let hint: string;
    if (ch === '(' || ch === ')') {
      message = 'parentheses are not allowed in a regex (there are no groups)';
      hint = 'match a literal ( with \\x28 and ) with \\x29; alternatives are written a|b at the top level';
    } else if (ch === '\t') hint = 'match a tab with \\x09 or any whitespace with \\s';
    else if (code > 0x7f) hint = 'regexes accept ASCII only; match any character with . or a negated class such as [^a-z]';
    else hint = `match it with ${hex(code)}`;
    this.error(RegexCode.CharNotAllowed, message, this.span(i, i + ch.length), hint);
  }

  /** `\` at `pos` (spec 6.3, D27, D35d, D35e); the same forms are valid inside and outside a class. */
  private parseEscape(): Escape | null {
    const { body } = this;
    const start = this.pos;
    if (start + 1 >= body.length) {
      this.pos = body.length;
      this.error(RegexCode.TrailingBackslash, 'the regex ends with a lone backslash', this.span(start, start + 1),
        'write \\\\ to match a backslash; a % cannot be escaped, match it with \\x25');
      return null;
    }
    const n = body[start + 1];
    if (n in ESCAPE_CLASSES) {
      this.pos = start + 2;
      return { kind: 'escape-class', ...ESCAPE_CLASSES[n], span: this.span(start, this.pos) };
    }
    if (n === 'x') {
      const hexDigits = /^[0-9A-Fa-f]{0,2}/.exec(body.slice(start + 2, start + 4))![0];
      this.pos = start + 2 + hexDigits.length;
      if (hexDigits.length < 2) {
        this.error(RegexCode.BadHexEscape, '\\x must be followed by exactly two hex digits', this.span(start, this.pos),
          'write the character code as two hex digits, for example \\x3A for :');
        return null;
      }
      const code = parseInt(hexDigits, 16);
      if (code > 0x7f) {
        this.error(RegexCode.HexNotAscii, `\\x${hexDigits} is not an ASCII character (above \\x7F)`, this.span(start, this.pos),
          'regexes match ASCII characters only; match any character with . or a negated class');
        return null;
      }
      return { kind: 'char', code, span: this.span(start, this.pos) };
    }
    if (isAlnum(n)) {
      this.pos = start + 2;
      this.error(RegexCode.UnknownEscape, `\\${n} is not a supported escape`, this.span(start, this.pos), escapeHint(n));
      return null;
    }
    // `\` + any other allowed character is that character (spec 6.3); a forbidden one stays forbidden.
    const code = this.literalAt(start + 1);
    return { kind: 'char', code, span: this.span(start, this.pos) };
  }

  /** `[` at `pos` (spec 6.3, D28). */
  private parseClass(): Atom | null {
    const { body } = this;
    const start = this.pos++;
    const negated = body[this.pos] === '^';
    if (negated) this.pos++;
    const members: ClassMember[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= body.length) {
        this.error(RegexCode.UnclosedClass, 'this character class is not closed', this.span(start, body.length),
          'close it with ], or write \\[ to match a literal [');
        return null;
      }
      if (body[this.pos] === ']' && !first) break;
      first = false; // D28: `]` right after `[` or `[^` is literal
      const lo = this.classAtom();
      // `-` makes a range unless it is last (D28: `-` at the start or end is literal).
      if (body[this.pos] === '-' && this.pos + 1 < body.length && body[this.pos + 1] !== ']') {
        this.pos++;
        const hi = this.classAtom();
        if (!lo || !hi) continue;
        const s: Span = { start: lo.span.start, end: hi.span.end };
        const text = (x: Span) => body.slice(x.start - this.offset, x.end - this.offset);
        if (lo.kind === 'escape-class' || hi.kind === 'escape-class') {
          // Engines disagree here (literal `-`, or an error), so it is rejected rather than guessed (D27, D28).
          this.error(RegexCode.ClassEscapeInRange, 'a range cannot start or end with \\d, \\s, \\w or their upper-case forms', s,
            'write \\- to match a hyphen');
        } else if (lo.code > hi.code) {
          this.error(RegexCode.ReversedRange, 'this range is reversed: its start comes after its end', s,
            `write the smaller character first: ${text(hi.span)}-${text(lo.span)}`);
        } else members.push({ kind: 'range', from: lo.code, to: hi.code, span: s });
      } else if (lo) members.push(lo);
    }
    this.pos++; // `]`
    return { kind: 'class', negated, members, quantifier: null, span: this.span(start, this.pos) };
  }

  private classAtom(): Escape | null {
    if (this.body[this.pos] === '\\') return this.parseEscape();
    const start = this.pos;
    const code = this.literalAt(start); // `[` and the operators are plain characters in a class
    return { kind: 'char', code, span: this.span(start, this.pos) };
  }

  /** Reads the quantifiers after an atom: one, a lazy `?`, and reports any that follow (D26). */
  private withQuantifier(atom: Atom): Atom {
    const { body } = this;
    if (!this.atQuantifier()) return atom;
    const b = this.parseBound();
    let lazy = false;
    if (body[this.pos] === '?') { lazy = true; this.pos++; } // D26: lazy form accepted
    const qEnd = this.pos;
    while (this.atQuantifier()) {
      const s = this.pos;
      if (this.parseBound().ok) {
        this.error(RegexCode.StackedQuantifier, `'${body.slice(s, this.pos)}' follows another quantifier`,
          this.span(s, this.pos), 'a quantifier applies to the single item before it; there are no groups to repeat');
      }
    }
    const quantifier: Quantifier = { min: b.min, max: b.max, lazy, span: { start: b.span.start, end: this.offset + qEnd } };
    return { ...atom, quantifier };
  }

  /** One quantifier token at `pos`: `*`, `+`, `?` or a bound `{...}` (spec 6.3, D26). */
  private parseBound(): Bound {
    const { body } = this;
    const start = this.pos;
    const c = body[this.pos++];
    if (c === '*') return { min: 0, max: null, span: this.span(start, this.pos), ok: true };
    if (c === '+') return { min: 1, max: null, span: this.span(start, this.pos), ok: true };
    if (c === '?') return { min: 0, max: 1, span: this.span(start, this.pos), ok: true };
    const close = body.indexOf('}', start);
    const bad: Bound = { min: 1, max: 1, span: this.span(start, this.pos), ok: false };
    const usage = 'write {m} for exactly m, {m,} for at least m, {,n} for at most n, {m,n} for m to n; write \\{ to match {';
    if (close < 0) {
      this.pos = body.length;
      this.error(RegexCode.UnclosedBound, 'this { is not closed by }', this.span(start, start + 1), usage);
      return bad;
    }
    this.pos = close + 1;
    const s = this.span(start, this.pos);
    // Only digits, one comma and spaces around them; at least one number (`{}` `{,}` invalid).
    const m = /^ *(\d*) *(?:(,) *(\d*) *)?$/.exec(body.slice(start + 1, close));
    if (!m || (m[1] === '' && (m[2] === undefined || m[3] === ''))) {
      this.error(RegexCode.BadBound, `'${body.slice(start, this.pos)}' is not a valid repeat bound`, s, usage);
      return { ...bad, span: s };
    }
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? null : Number(m[3]);
    if (max !== null && min > max) {
      this.error(RegexCode.ReversedBound, `the minimum ${min} is larger than the maximum ${max}`, s,
        `write the smaller number first: {${max},${min}}`);
      return { ...bad, span: s };
    }
    if (min > MAX_REPEAT || (max ?? 0) > MAX_REPEAT) {
      this.error(RegexCode.BoundTooLarge, `repeat counts above ${MAX_REPEAT} are not supported (the regex engine rejects them)`, s,
        `use a bound of at most ${MAX_REPEAT}, or {m,} for "at least m" when m <= ${MAX_REPEAT}`);
      return { ...bad, span: s };
    }
    return { min, max, span: s, ok: true };
  }

  private atQuantifier(): boolean {
    const c = this.body[this.pos];
    return c === '*' || c === '+' || c === '?' || c === '{';
  }

  private span(start: number, end: number): Span {
    return { start: this.offset + start, end: this.offset + end };
  }

  private error(code: RegexCode, message: string, span: Span, hint?: string): void {
    this.diagnostics.push({ code, severity: 'error', message, span, ...(hint ? { hint } : {}) });
  }
}

function escapeHint(n: string): string {
  const controls: Record<string, string> = { n: '\\x0A', r: '\\x0D', t: '\\x09', f: '\\x0C', v: '\\x0B' };
  if (n in controls) return `match that character with ${controls[n]}, or any whitespace with \\s`;
  if (/[0-9]/.test(n)) return 'backreferences are not supported; a digit needs no backslash';
  if ('bBAzZG'.includes(n)) return 'only ^ (start) and $ (end) anchors are supported';
  return 'the escapes are \\d \\D \\s \\S \\w \\W and \\xhh; a letter needs no backslash';
}
