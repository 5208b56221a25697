/**
 * The Logs Insights lexer (insights spec 2). It is pulled by the parser one token at a time,
 * because `/` is division after an operand and opens a regex where an operand is expected
 * (spec 2.8): the parser asks for a regex with `regexAt` when it is in operand position.
 */
import { type Diagnostic, span, type Span } from '../diagnostics/diagnostic.js';
import { InsightsCode } from './codes.js';

export type TokenKind =
  | 'ident' // plain name or keyword (keywords are recognised by the parser, case-insensitively)
  | 'backtick' // `any text`
  | 'string'
  | 'regex'
  | 'number'
  | 'duration'
  | 'op' // punctuation and operators
  | 'pipe'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Ident/backtick: the name; string/regex: the unescaped content; number/duration: the text; op: the operator. */
  readonly text: string;
  readonly span: Span;
  /** Numbers: the value. Durations: the count. */
  readonly value?: number;
  /** Durations: the unit as written. */
  readonly unit?: string;
}

export class LexError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

const OPERATORS = ['==', '!=', '<=', '>=', '=~', '=', '<', '>', '+', '-', '*', '/', '%', '^', '(', ')', '[', ']', ',', '.', '!', ':'];

function isIdentStart(c: string): boolean {
  return /[A-Za-z_@]/.test(c);
}
function isIdentPart(c: string): boolean {
  return /[A-Za-z0-9_.@]/.test(c);
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

export class Lexer {
  pos = 0;
  constructor(readonly src: string) {}

  private fail(message: string, at: Span, hint?: string): never {
    throw new LexError({ code: InsightsCode.Lexical, severity: 'error', message, span: at, ...(hint ? { hint } : {}) });
  }

  /** Skips whitespace and `#` comments (spec 2.2). */
  private skip(): void {
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.pos++;
      else if (c === '#') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else return;
    }
  }

  next(): Token {
    this.skip();
    const s = this.src;
    const start = this.pos;
    if (start >= s.length) return { kind: 'eof', text: '', span: span(start, start) };
    const c = s[start]!;
    if (c === '|') {
      this.pos++;
      return { kind: 'pipe', text: '|', span: span(start, this.pos) };
    }
    if (c === '"' || c === "'") return this.string(c);
    if (c === '`') return this.backtick();
    if (isDigit(c)) return this.number();
    if (isIdentStart(c)) {
      let p = start + 1;
      while (p < s.length && isIdentPart(s[p]!)) p++;
      // A trailing dot is not part of a name (it would start a member access or be an error).
      while (p > start + 1 && s[p - 1] === '.') p--;
      this.pos = p;
      return { kind: 'ident', text: s.slice(start, p), span: span(start, p) };
    }
    for (const op of OPERATORS) {
      if (s.startsWith(op, start)) {
        this.pos = start + op.length;
        return { kind: 'op', text: op, span: span(start, this.pos) };
      }
    }
    const ch = String.fromCodePoint(s.codePointAt(start)!);
    this.fail(`unexpected character '${ch}'`, span(start, start + ch.length), 'names with unusual characters go in backticks: `my-field`');
  }

  /** spec 2.5 (D11) */
  private string(q: string): Token {
    const s = this.src;
    const start = this.pos;
    let p = start + 1;
    let out = '';
    for (;;) {
      if (p >= s.length || s[p] === '\n')
        this.fail('this string is never closed', span(start, p), `end it with ${q}`);
      const c = s[p]!;
      if (c === q) break;
      if (c === '\\' && p + 1 < s.length) {
        const e = s[p + 1]!;
        const map: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', t: '\t', r: '\r' };
        out += map[e] ?? c + e;
        p += 2;
        continue;
      }
      out += c;
      p++;
    }
    this.pos = p + 1;
    return { kind: 'string', text: out, span: span(start, this.pos) };
  }

  private backtick(): Token {
    const s = this.src;
    const start = this.pos;
    let p = start + 1;
    let out = '';
    for (;;) {
      if (p >= s.length) this.fail('this backtick name is never closed', span(start, p), 'end it with `');
      if (s[p] === '`') {
        if (s[p + 1] === '`') {
          out += '`'; // D11: a doubled backtick stands for one
          p += 2;
          continue;
        }
        break;
      }
      out += s[p];
      p++;
    }
    this.pos = p + 1;
    return { kind: 'backtick', text: out, span: span(start, this.pos) };
  }

  /** spec 2.7: numbers, and durations (an integer followed directly by a unit). */
  private number(): Token {
    const s = this.src;
    const start = this.pos;
    let p = start;
    while (isDigit(s[p])) p++;
    const intEnd = p;
    if (s[p] === '.' && isDigit(s[p + 1])) {
      p++;
      while (isDigit(s[p])) p++;
    }
    if ((s[p] === 'e' || s[p] === 'E') && (isDigit(s[p + 1]) || ((s[p + 1] === '+' || s[p + 1] === '-') && isDigit(s[p + 2])))) {
      p += 2;
      while (isDigit(s[p])) p++;
    }
    if (p === intEnd && /[A-Za-z]/.test(s[p] ?? '')) {
      let q = p;
      while (/[A-Za-z]/.test(s[q] ?? '')) q++;
      this.pos = q;
      return { kind: 'duration', text: s.slice(start, q), value: Number(s.slice(start, p)), unit: s.slice(p, q), span: span(start, q) };
    }
    if (/[A-Za-z_]/.test(s[p] ?? '')) {
      let q = p;
      while (/[A-Za-z0-9_]/.test(s[q] ?? '')) q++;
      this.fail(`${s.slice(start, q)} is not a number`, span(start, q), 'a field name cannot start with a digit unless it is in backticks');
    }
    this.pos = p;
    return { kind: 'number', text: s.slice(start, p), value: Number(s.slice(start, p)), span: span(start, p) };
  }

  /**
   * Reads a regex literal whose opening `/` is at `start` (spec 2.6). Flag letters after the
   * closing slash are an error (D13).
   */
  regexAt(start: number): Token {
    const s = this.src;
    let p = start + 1;
    let out = '';
    for (;;) {
      if (p >= s.length || s[p] === '\n') this.fail('this regular expression is never closed', span(start, p), 'end it with /; write \\/ for a slash inside it');
      const c = s[p]!;
      if (c === '/') break;
      if (c === '\\' && s[p + 1] === '/') {
        out += '/';
        p += 2;
        continue;
      }
      if (c === '\\' && p + 1 < s.length) {
        out += c + s[p + 1];
        p += 2;
        continue;
      }
      out += c;
      p++;
    }
    let end = p + 1;
    if (/[A-Za-z]/.test(s[end] ?? '')) {
      let q = end;
      while (/[A-Za-z]/.test(s[q] ?? '')) q++;
      this.fail('flags cannot follow a regular expression', span(end, q), 'for a case-insensitive match start the pattern with (?i): /(?i)text/');
    }
    this.pos = end;
    return { kind: 'regex', text: out, span: span(start, end) };
  }
}
