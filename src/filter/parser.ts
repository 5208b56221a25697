/**
 * Hand-written parser for CloudWatch filter patterns (filter spec sections 1-7). The lexical
 * rules differ per form (a `-` is a prefix in a term pattern, part of a value in a JSON one),
 * so each form scans its own tokens with a shared cursor rather than through one lexer.
 *
 * The first error stops the parse: patterns are short, and one precise caret helps more
 * than a cascade. Warnings (split terms, a second ellipsis) are collected and returned.
 */
import { type Diagnostic, type Span, span } from '../diagnostics/diagnostic.js';
import { parseAwsRegex } from '../regex/parser.js';
import type {
  CompareOp,
  FilterPattern,
  JsonExpr,
  Segment,
  Selector,
  SdClause,
  SdExpr,
  SdField,
  Term,
  TermPrefix,
  Value,
} from './ast.js';
import {
  FilterCode,
  MAX_PATTERN_CODE_POINTS,
  MAX_REGEXES_PER_PATTERN,
  MAX_WILDCARDS_PER_PATTERN,
  MAX_WILDCARDS_PER_SELECTOR,
} from './codes.js';

export interface ParseResult {
  readonly pattern: FilterPattern | null;
  /** Errors (pattern is null) and warnings. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Thrown inside the parser to stop at the first error. */
class ParseStop extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super('parse stopped');
  }
}

// spec 1: whitespace is space, tab, CR, LF
function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** spec 3.1: separators inside unquoted items. */
const TERM_SEPARATORS = '.*:+';
/** spec 4.5 / D15: characters allowed in an unquoted JSON value. */
const JSON_UNQUOTED = /^[A-Za-z0-9_.*:+-]+$/;
/** spec 5.4 / D15: characters allowed in an unquoted space-delimited value. */
const SD_UNQUOTED = /^[A-Za-z0-9_.*:/@#+-]+$/;
/** spec 4.5 / D14: number literals in patterns. */
const NUMBER_LITERAL = /^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
/** spec 4.3: member names. */
const MEMBER_NAME = /^[A-Za-z0-9_-]+$/;

export function parseFilterPattern(text: string): ParseResult {
  const p = new PatternParser(text);
  try {
    const pattern = p.parse();
    return { pattern, diagnostics: p.warnings };
  } catch (e) {
    if (e instanceof ParseStop) return { pattern: null, diagnostics: [...e.diagnostics, ...p.warnings] };
    throw e;
  }
}

class PatternParser {
  readonly warnings: Diagnostic[] = [];
  pos = 0;
  /** End of the pattern after trailing whitespace is removed. */
  hi: number;
  regexCount = 0;
  wildcardCount = 0;

  constructor(readonly src: string) {
    let hi = src.length;
    while (hi > 0 && isWs(src.charCodeAt(hi - 1))) hi--;
    this.hi = hi;
  }

  // ---- shared helpers ------------------------------------------------------------------

  fail(code: string, message: string, at: Span, hint?: string): never {
    throw new ParseStop([{ code, severity: 'error', message, span: this.clamp(at), ...(hint ? { hint } : {}) }]);
  }

  warn(code: string, message: string, at: Span, hint?: string): void {
    this.warnings.push({ code, severity: 'warning', message, span: this.clamp(at), ...(hint ? { hint } : {}) });
  }

  /** Spans never reach past the pattern, whatever lookahead built them. */
  clamp(at: Span): Span {
    const n = this.src.length;
    return span(Math.min(at.start, n), Math.min(at.end, n));
  }

  c(at = this.pos): number {
    return at < this.hi ? this.src.charCodeAt(at) : NaN;
  }

  atEnd(): boolean {
    return this.pos >= this.hi;
  }

  skipWs(): boolean {
    const start = this.pos;
    while (this.pos < this.hi && isWs(this.src.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  /** One character (a whole code point) at `at`, for messages. */
  charAt(at: number): string {
    return String.fromCodePoint(this.src.codePointAt(at) ?? 0);
  }

  charSpan(at: number): Span {
    return span(at, at + this.charAt(at).length);
  }

  describeChar(at: number): string {
    const ch = this.charAt(at);
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp === 0x7f) return `the control character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    return `'${ch}'`;
  }

  /**
   * A double-quoted string starting at `this.pos` (spec 2.1, D3). Returns the unescaped text
   * and which of its UTF-16 positions were escaped (an escaped `*` is never a wildcard).
   */
  quoted(): { text: string; escaped: Set<number>; span: Span } {
    const start = this.pos;
    let text = '';
    const escaped = new Set<number>();
    let p = start + 1;
    for (;;) {
      if (p >= this.src.length)
        this.fail(FilterCode.UnterminatedString, 'this quoted string is never closed', span(start, this.src.length), 'add the closing "');
      const c = this.src.charCodeAt(p);
      if (c === 34) break;
      if (c === 92) {
        if (p + 1 >= this.src.length)
          this.fail(
            FilterCode.TrailingBackslash,
            'a backslash at the end of the pattern escapes nothing',
            span(p, p + 1),
            'write \\\\ for a literal backslash, and close the string with "',
          );
        const ch = String.fromCodePoint(this.src.codePointAt(p + 1)!);
        escaped.add(text.length);
        text += ch;
        p += 1 + ch.length;
        continue;
      }
      text += this.src[p];
      p++;
    }
    this.pos = p + 1;
    return { text, escaped, span: span(start, p + 1) };
  }

  /** A `%...%` regex starting at `this.pos` (spec 6.1). */
  regex(): Value {
    const start = this.pos;
    const close = this.src.indexOf('%', start + 1);
    if (close === -1 || close >= this.hi)
      this.fail(
        FilterCode.UnterminatedRegex,
        'this regular expression is never closed',
        span(start, this.hi),
        'end it with %; a literal % inside a regex is written \\x25',
      );
    const body = this.src.slice(start + 1, close);
    const { regex, diagnostics } = parseAwsRegex(body, start + 1);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (!regex || errors.length > 0) throw new ParseStop(errors.length > 0 ? errors : [...diagnostics]);
    this.pos = close + 1;
    return { kind: 'regex', regex, source: body, span: span(start, close + 1) };
  }

  countRegex(v: Value): void {
    if (v.kind !== 'regex') return;
    this.regexCount++;
    if (this.regexCount > MAX_REGEXES_PER_PATTERN)
      this.fail(
        FilterCode.TooManyRegexes,
        `a pattern may contain at most ${MAX_REGEXES_PER_PATTERN} regular expressions (AWS quota)`,
        v.span,
        'combine the conditions into fewer regexes, or use wildcards such as "abc*"',
      );
  }

  /** Turns quoted text into a string value with start/end wildcards (spec 4.6). */
  stringValue(text: string, escaped: ReadonlySet<number>, quoted: boolean, at: Span): Value {
    let lo = 0;
    let hi = text.length;
    while (lo < hi && text.charCodeAt(lo) === 42 && !escaped.has(lo)) lo++;
    if (lo === hi && lo > 0) return { kind: 'any', span: at }; // D17: `*` or `**` alone
    while (hi > lo && text.charCodeAt(hi - 1) === 42 && !escaped.has(hi - 1)) hi--;
    return {
      kind: 'string',
      core: text.slice(lo, hi),
      leadingWildcard: lo > 0,
      trailingWildcard: hi < text.length,
      quoted,
      span: at,
    };
  }

  /**
   * A value after an operator (spec 4.5, 5.4). `stop` lists the characters that end an
   * unquoted token; `allowed` is the unquoted character set of the form.
   */
  value(op: CompareOp, stop: string, allowed: RegExp, form: 'json' | 'sd'): Value {
    const start = this.pos;
    const c = this.c();
    let v: Value;
    if (c === 34) {
      const q = this.quoted();
      v = this.stringValue(q.text, q.escaped, true, q.span);
    } else if (c === 37) {
      v = this.regex();
    } else {
      let p = start;
      while (p < this.hi) {
        const d = this.src.charCodeAt(p);
        if (isWs(d) || stop.includes(this.src[p]!)) break;
        p++;
      }
      if (p === start)
        this.fail(
          FilterCode.MissingValue,
          `the operator ${op} needs a value after it`,
          start < this.hi ? this.charSpan(start) : span(Math.max(0, start - op.length), start),
          'write a number, a "quoted string", an unquoted word, or a %regex%',
        );
      const token = this.src.slice(start, p);
      const at = span(start, p);
      this.pos = p;
      if (NUMBER_LITERAL.test(token)) {
        v = { kind: 'number', value: Number(token), text: token, span: at };
      } else if (allowed.test(token)) {
        v = this.stringValue(token, new Set(), false, at);
      } else {
        if (form === 'sd' && /[()]/.test(token))
          this.fail(FilterCode.Parentheses, 'parentheses are not supported in space-delimited patterns', at);
        const bad = [...token].find((ch) => !allowed.test(ch)) ?? token[0]!;
        const badAt = start + token.indexOf(bad);
        this.fail(
          FilterCode.BadUnquotedValue,
          `${this.describeChar(badAt)} is not allowed in an unquoted value`,
          at,
          `put the value in double quotes: "${token.replace(/["\\]/g, '\\$&')}"`,
        );
      }
    }
    this.countRegex(v);
    if (op !== '=' && op !== '!=' && v.kind !== 'number')
      this.fail(
        FilterCode.RelationalNeedsNumber,
        `the operator ${op} compares numbers, but its value is not a number`,
        v.span,
        'use = or != to compare strings; a number is written like 400, -1.5 or 1e3',
      );
    return v;
  }

  /** Comparison operator at `this.pos`, or null when there is none (spec 4.1, 5.1). */
  operator(): CompareOp | null {
    const at = this.pos;
    const c = this.c();
    const n = this.c(at + 1);
    const bad = (text: string, hint: string): never =>
      this.fail(FilterCode.UnknownOperator, `${text} is not an operator`, span(at, at + text.length), hint);
    if (c === 61) {
      if (n === 61) bad('==', 'equality is written with a single =');
      if (n === 60) bad('=<', 'write <=');
      if (n === 62) bad('=>', 'write >=');
      this.pos++;
      return '=';
    }
    if (c === 33) {
      if (n === 61) {
        this.pos += 2;
        return '!=';
      }
      bad('!', 'inequality is written !=; a missing field is tested with NOT EXISTS');
    }
    if (c === 60) {
      if (n === 62) bad('<>', 'inequality is written !=');
      if (n === 61) {
        this.pos += 2;
        return '<=';
      }
      this.pos++;
      return '<';
    }
    if (c === 62) {
      if (n === 61) {
        this.pos += 2;
        return '>=';
      }
      this.pos++;
      return '>';
    }
    return null;
  }

  // ---- the four forms (spec 1) ---------------------------------------------------------

  parse(): FilterPattern {
    const cps = [...this.src].length;
    if (cps > MAX_PATTERN_CODE_POINTS)
      this.fail(
        FilterCode.TooLong,
        `the pattern is ${cps} characters long; AWS accepts at most ${MAX_PATTERN_CODE_POINTS}`,
        span(0, this.src.length),
        'shorten the pattern, or split it into several filters',
      );
    this.skipWs();
    const lo = this.pos;
    if (this.atEnd()) return { kind: 'all', span: span(0, this.src.length) };
    switch (this.c()) {
      case 123:
        return this.jsonPattern(lo);
      case 91:
        return this.sdPattern(lo);
      case 37:
        return this.regexPattern(lo);
      default:
        return this.termPattern(lo);
    }
  }

  afterPattern(): void {
    this.skipWs();
    if (!this.atEnd())
      this.fail(
        FilterCode.TextAfterPattern,
        'nothing may follow the end of a JSON or space-delimited pattern',
        span(this.pos, this.hi),
        'a pattern has one form only: put every condition inside the braces or brackets',
      );
  }

  regexPattern(lo: number): FilterPattern {
    const regex = this.regex();
    this.skipWs();
    if (!this.atEnd())
      this.fail(
        FilterCode.RegexWithTerms,
        'a regular expression pattern cannot be combined with anything else',
        span(this.pos, this.hi),
        'a stand-alone regex is the whole pattern; use | inside it for alternatives',
      );
    return { kind: 'regex', regex: regex as Extract<Value, { kind: 'regex' }>, span: span(lo, this.hi) };
  }

  // ---- unstructured terms (spec 3) -----------------------------------------------------

  termPattern(lo: number): FilterPattern {
    const terms: Term[] = [];
    while (!this.atEnd()) {
      this.termItem(terms);
      this.skipWs();
    }
    return { kind: 'terms', terms, span: span(lo, this.hi) };
  }

  termItem(terms: Term[]): void {
    const start = this.pos;
    let prefix: TermPrefix = 'plain';
    const c = this.c();
    if (c === 45 || c === 63) {
      prefix = c === 45 ? 'exclude' : 'optional';
      this.pos++;
      const n = this.c();
      if (n === 45 || n === 63)
        this.fail(FilterCode.DoubledPrefix, 'a term takes at most one - or ? prefix', span(start, start + 2), 'keep one prefix');
      if (Number.isNaN(n) || isWs(n))
        this.fail(
          FilterCode.DanglingPrefix,
          `${this.src[start]} must be written directly before a term`,
          span(start, start + 1),
          `write ${this.src[start]}TERM with no space, or quote the character: "${this.src[start]}"`,
        );
    }
    if (this.c() === 34) {
      const q = this.quoted();
      terms.push({ prefix, text: q.text, quoted: true, span: span(start, q.span.end) });
      this.noAdjacent(start);
      return;
    }
    if (this.c() === 37)
      this.fail(
        FilterCode.RegexWithTerms,
        'a regular expression cannot be combined with terms',
        span(this.pos, this.pos + 1),
        'use either terms or one %regex% as the whole pattern; quote a literal %: "%"',
      );
    this.unquotedItem(start, prefix, terms);
  }

  noAdjacent(itemStart: number): void {
    if (!this.atEnd() && !isWs(this.c()))
      this.fail(
        FilterCode.AdjacentTerms,
        'terms must be separated by whitespace',
        span(this.pos, this.pos + 1),
        `put a space before ${this.describeChar(this.pos)}, or make ${this.src.slice(itemStart, this.pos)}… one quoted term`,
      );
  }

  /** spec 3.1 and D1: an unquoted item is split into terms at separators and in-word prefixes. */
  unquotedItem(itemStart: number, firstPrefix: TermPrefix, terms: Term[]): void {
    const out: Term[] = [];
    let prefix = firstPrefix;
    let prefixAt = firstPrefix === 'plain' ? -1 : itemStart;
    let wordStart = -1;
    let split = false;
    const endWord = (): void => {
      if (wordStart === -1) return;
      out.push({
        prefix,
        text: this.src.slice(wordStart, this.pos),
        quoted: false,
        span: span(prefixAt === -1 ? wordStart : prefixAt, this.pos),
      });
      wordStart = -1;
      prefix = 'plain';
      prefixAt = -1;
    };
    while (!this.atEnd() && !isWs(this.c())) {
      const c = this.c();
      const ch = this.src[this.pos]!;
      if (isWordChar(c)) {
        if (wordStart === -1) wordStart = this.pos;
        this.pos++;
      } else if (TERM_SEPARATORS.includes(ch)) {
        if (prefixAt !== -1 && wordStart === -1)
          this.fail(
            FilterCode.DanglingPrefix,
            `${this.src[prefixAt]} must be followed by a letter, digit or _`,
            span(prefixAt, this.pos + 1),
            `quote the text to match it literally: "${this.itemText(itemStart)}"`,
          );
        endWord();
        split = true;
        this.pos++;
      } else if (c === 45 || c === 63) {
        endWord();
        if (!isWordChar(this.c(this.pos + 1)))
          this.fail(
            FilterCode.DanglingPrefix,
            `${ch} inside unquoted text must be directly followed by a letter, digit or _`,
            span(this.pos, this.pos + 1),
            `quote the text to match it literally: "${this.itemText(itemStart)}"`,
          );
        prefix = c === 45 ? 'exclude' : 'optional';
        prefixAt = this.pos;
        split = true;
        this.pos++;
      } else if (c === 34) {
        this.fail(
          FilterCode.AdjacentTerms,
          'terms must be separated by whitespace',
          span(this.pos, this.pos + 1),
          `put a space before the ", or quote the whole term`,
        );
      } else {
        this.fail(
          FilterCode.NeedsQuotes,
          `${this.describeChar(this.pos)} must be inside double quotes`,
          this.charSpan(this.pos),
          `AWS requires quotes around terms with characters other than letters, digits and _: write "${this.itemText(itemStart)}"`,
        );
      }
    }
    endWord();
    const itemAt = span(itemStart, this.pos);
    if (out.length === 0)
      this.fail(
        FilterCode.NoWord,
        `${this.src.slice(itemStart, this.pos)} has no letters or digits to match`,
        itemAt,
        `to match these characters literally, quote them: "${this.src.slice(itemStart, this.pos)}"`,
      );
    if (split) {
      const read = out.map((t) => (t.prefix === 'exclude' ? '-' : t.prefix === 'optional' ? '?' : '') + t.text).join(' ');
      this.warn(
        FilterCode.SplitTerms,
        `unquoted ${this.src.slice(itemStart, this.pos)} is read as the separate terms ${read}`,
        itemAt,
        `AWS documents that terms with characters other than letters, digits and _ must be in double quotes; write "${this.src.slice(itemStart, this.pos).replace(/^[-?]/, '')}" to match the text literally`,
      );
    }
    terms.push(...out);
  }

  /** The rest of the unquoted item starting at `start`, for hints. */
  itemText(start: number): string {
    let p = start;
    while (p < this.hi && !isWs(this.src.charCodeAt(p))) p++;
    return this.src.slice(start, p).replace(/^[-?]/, '').replace(/["\\]/g, '\\$&');
  }

  // ---- JSON patterns (spec 4) ----------------------------------------------------------

  jsonPattern(lo: number): FilterPattern {
    this.pos++; // {
    this.skipWs();
    if (this.c() === 125)
      this.fail(FilterCode.EmptyJson, 'a JSON pattern needs at least one condition', span(lo, this.pos + 1), 'for example { $.outcome = "disallowed" }');
    const expr = this.jsonOr();
    this.skipWs();
    if (this.atEnd())
      this.fail(FilterCode.MissingBrace, 'the JSON pattern is missing its closing }', span(lo, lo + 1), 'add } at the end');
    if (this.c() !== 125) this.unexpectedInJson();
    this.pos++;
    const end = this.pos;
    this.afterPattern();
    return { kind: 'json', expr, span: span(lo, end) };
  }

  unexpectedInJson(): never {
    const at = this.pos;
    const c = this.c();
    if (c === 41)
      this.fail(FilterCode.UnbalancedParens, 'this ) has no matching (', span(at, at + 1));
    if ((c === 38 && this.c(at + 1) !== 38) || (c === 124 && this.c(at + 1) !== 124))
      this.fail(FilterCode.ExpectedJoin, `a single ${this.src[at]} is not an operator`, span(at, at + 1), `write ${this.src[at]}${this.src[at]}`);
    this.fail(
      FilterCode.ExpectedJoin,
      `expected && , || or the closing } here, found ${this.describeChar(at)}`,
      this.charSpan(at),
      'conditions are joined with && or ||; a value with spaces or punctuation needs "quotes"',
    );
  }

  jsonOr(): JsonExpr {
    let left = this.jsonAnd();
    for (;;) {
      const save = this.pos;
      this.skipWs();
      if (this.c() === 124 && this.c(this.pos + 1) === 124) {
        this.pos += 2;
        const right = this.jsonAnd();
        left = { kind: 'or', left, right, span: span(left.span.start, right.span.end) };
      } else {
        this.pos = save;
        return left;
      }
    }
  }

  jsonAnd(): JsonExpr {
    let left = this.jsonPrimary();
    for (;;) {
      const save = this.pos;
      this.skipWs();
      if (this.c() === 38 && this.c(this.pos + 1) === 38) {
        this.pos += 2;
        const right = this.jsonPrimary();
        left = { kind: 'and', left, right, span: span(left.span.start, right.span.end) };
      } else {
        this.pos = save;
        return left;
      }
    }
  }

  jsonPrimary(): JsonExpr {
    this.skipWs();
    if (this.c() === 40) {
      const open = this.pos;
      this.pos++;
      const inner = this.jsonOr();
      this.skipWs();
      if (this.c() !== 41) {
        if (this.atEnd() || this.c() === 125)
          this.fail(FilterCode.UnbalancedParens, 'this ( is never closed', span(open, open + 1), 'add the matching )');
        this.unexpectedInJson();
      }
      this.pos++;
      return inner;
    }
    return this.jsonCondition();
  }

  jsonCondition(): JsonExpr {
    const start = this.pos;
    const c = this.c();
    if (c !== 36) {
      if (this.atEnd() || c === 125 || c === 41 || c === 38 || c === 124)
        this.fail(
          FilterCode.ExpectedSelector,
          'a condition is missing here',
          this.atEnd() ? span(this.hi, this.hi) : span(start, start + 1),
          'each side of && and || is a condition such as $.field = "value"',
        );
      this.fail(
        FilterCode.ExpectedSelector,
        'a condition must start with a selector such as $.field',
        this.charSpan(start),
        'the field goes on the left: { $.field = value }',
      );
    }
    const selector = this.selector();
    const afterSel = this.pos;
    const hadWs = this.skipWs();
    const op = this.operator();
    if (op) {
      this.skipWs();
      const value = this.value(op, '()&|}"%', JSON_UNQUOTED, 'json');
      return { kind: 'compare', selector, op, value, span: span(start, value.span.end) };
    }
    if (hadWs && (this.c() === 91 || this.c() === 46))
      this.fail(FilterCode.BadSelector, 'a selector cannot contain whitespace', span(afterSel, this.pos), 'remove the space');
    const word = this.keyword();
    if (word && hadWs) {
      const kw = word.text.toUpperCase(); // D7: keywords in any letter case
      if (kw === 'IS') {
        const ws = this.skipWs();
        const what = this.keyword();
        const w = what?.text.toUpperCase();
        if (ws && (w === 'TRUE' || w === 'FALSE' || w === 'NULL'))
          return { kind: 'is', selector, what: w.toLowerCase() as 'true' | 'false' | 'null', span: span(start, what!.span.end) };
        if (w === 'NOT')
          this.fail(FilterCode.BadIs, 'IS NOT is not supported', span(word.span.start, what!.span.end), 'test absence with NOT EXISTS, or use != to compare');
        this.fail(
          FilterCode.BadIs,
          'IS must be followed by TRUE, FALSE or NULL',
          what && ws ? what.span : span(word.span.start, word.span.end),
          'for example $.flag IS TRUE',
        );
      }
      if (kw === 'NOT') {
        const ws = this.skipWs();
        const what = this.keyword();
        if (ws && what?.text.toUpperCase() === 'EXISTS')
          return { kind: 'notExists', selector, span: span(start, what.span.end) };
        this.fail(FilterCode.BadNotExists, 'NOT must be followed by EXISTS', span(word.span.start, (what ?? word).span.end), 'write $.field NOT EXISTS');
      }
      if (kw === 'EXISTS')
        this.fail(FilterCode.BadNotExists, 'EXISTS on its own is not supported', word.span, 'test presence with = *, or absence with NOT EXISTS');
    }
    this.fail(
      FilterCode.ExpectedOperator,
      `expected an operator after ${selector.text}`,
      word ? word.span : this.atEnd() ? span(afterSel, afterSel) : this.charSpan(this.pos),
      'operators: = != < > <= >=, IS TRUE, IS FALSE, IS NULL, NOT EXISTS',
    );
  }

  keyword(): { text: string; span: Span } | null {
    const start = this.pos;
    while (this.pos < this.hi && isWordChar(this.c())) this.pos++;
    return this.pos > start ? { text: this.src.slice(start, this.pos), span: span(start, this.pos) } : null;
  }

  /** spec 4.3 */
  selector(): Selector {
    const start = this.pos;
    this.pos++; // $
    const segments: Segment[] = [];
    for (;;) {
      const at = this.pos;
      const c = this.c();
      if (c === 46) {
        this.pos++;
        const n = this.c();
        if (n === 42) {
          this.pos++;
          segments.push({ kind: 'anyMember', span: span(at, this.pos) });
        } else if (n === 91) {
          this.pos++;
          segments.push(this.bracketName(at));
        } else {
          const nameStart = this.pos;
          while (this.pos < this.hi && (isWordChar(this.c()) || this.c() === 45)) this.pos++;
          const name = this.src.slice(nameStart, this.pos);
          if (!MEMBER_NAME.test(name))
            this.fail(
              FilterCode.BadSelector,
              'expected a property name after .',
              span(at, this.pos + 1),
              "names are letters, digits, - and _; write other names as $.['name']",
            );
          segments.push({ kind: 'member', name, span: span(at, this.pos) });
        }
      } else if (c === 91) {
        this.pos++;
        const n = this.c();
        if (n === 39 || n === 34) {
          segments.push(this.bracketName(at));
        } else if (n === 42 && this.c(this.pos + 1) === 93) {
          this.pos += 2;
          segments.push({ kind: 'anyIndex', span: span(at, this.pos) });
        } else {
          const digitsStart = this.pos;
          while (isDigit(this.c())) this.pos++;
          if (this.pos === digitsStart || this.c() !== 93) {
            let end = this.pos;
            while (end < this.hi && this.src[end] !== ']' && !isWs(this.src.charCodeAt(end))) end++;
            this.fail(
              FilterCode.BadSelector,
              'an array index is a whole number from 0, or *',
              span(at, Math.min(this.hi, end + 1)),
              'for example $.items[0] or $.items[*]',
            );
          }
          const index = Number(this.src.slice(digitsStart, this.pos));
          this.pos++;
          segments.push({ kind: 'index', index, span: span(at, this.pos) });
        }
      } else break;
    }
    const at = span(start, this.pos);
    const text = this.src.slice(start, this.pos);
    if (segments.length === 0)
      this.fail(FilterCode.BadSelector, '$ alone selects nothing', at, 'name a field: $.field');
    const first = segments[0]!;
    if (first.kind === 'index' || first.kind === 'anyIndex')
      this.fail(FilterCode.BadSelector, 'a selector cannot start with an array index', at, 'array elements follow a property: $.items[0]');
    const wild = segments.filter((s) => s.kind === 'anyMember' || s.kind === 'anyIndex');
    if (wild.length > MAX_WILDCARDS_PER_SELECTOR)
      this.fail(FilterCode.SelectorWildcards, 'a selector may contain only one wildcard (AWS quota)', wild[1]!.span, 'select through one wildcard only');
    this.wildcardCount += wild.length;
    if (this.wildcardCount > MAX_WILDCARDS_PER_PATTERN)
      this.fail(
        FilterCode.PatternWildcards,
        `a pattern may contain at most ${MAX_WILDCARDS_PER_PATTERN} selector wildcards (AWS quota)`,
        wild[0]!.span,
        'name the fields instead of using * for some of them',
      );
    return { segments, text, span: at };
  }

  /** `['name']` or `["name"]` after `$.` or `$x` (D8); `this.pos` is after the `[`. */
  bracketName(segStart: number): Segment {
    const q = this.c();
    if (q !== 39 && q !== 34)
      this.fail(FilterCode.BadSelector, "expected a quoted name inside [ ]", span(segStart, this.pos + 1), "write $.['name.with.dots']");
    const close = this.src.indexOf(String.fromCharCode(q), this.pos + 1);
    if (close === -1 || close >= this.hi)
      this.fail(FilterCode.BadSelector, 'this bracketed name is never closed', span(segStart, this.hi), "write $.['name']");
    const name = this.src.slice(this.pos + 1, close);
    if (name.length === 0)
      this.fail(FilterCode.BadSelector, 'a bracketed name cannot be empty', span(segStart, close + 2));
    if (this.src.charCodeAt(close + 1) !== 93)
      this.fail(FilterCode.BadSelector, "expected ] after the bracketed name", span(segStart, close + 2), "write $.['name']");
    this.pos = close + 2;
    return { kind: 'member', name, span: span(segStart, this.pos) };
  }

  // ---- space-delimited patterns (spec 5) -----------------------------------------------

  sdPattern(lo: number): FilterPattern {
    this.pos++; // [
    const fields: SdField[] = [];
    let ellipses = 0;
    this.skipWs();
    if (this.c() === 93) {
      this.pos++;
      const end = this.pos;
      this.afterPattern();
      return { kind: 'spaceDelimited', fields, span: span(lo, end) }; // D19
    }
    for (;;) {
      this.skipWs();
      if (this.atEnd()) this.fail(FilterCode.UnclosedBracket, 'the [ is never closed', span(lo, lo + 1), 'add ] at the end');
      if (this.c() === 44 || this.c() === 93)
        this.fail(FilterCode.EmptyField, 'a field is missing here', span(this.pos, this.pos + 1), 'name every field, or write ... for any number of fields');
      const field = this.sdField();
      if (field.kind === 'ellipsis' && ++ellipses === 2)
        this.warn(
          FilterCode.SecondEllipsis,
          'a second ... in one pattern: AWS never shows this, and AWS CDK refuses it',
          field.span,
          'a pattern with one ... is safer to deploy',
        );
      fields.push(field);
      this.skipWs();
      const c = this.c();
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 93) {
        this.pos++;
        break;
      }
      if (this.atEnd()) this.fail(FilterCode.UnclosedBracket, 'the [ is never closed', span(lo, lo + 1), 'add ] at the end');
      if (c === 40 || c === 41) this.fail(FilterCode.Parentheses, 'parentheses are not supported in space-delimited patterns', span(this.pos, this.pos + 1));
      if ((c === 38 && this.c(this.pos + 1) !== 38) || (c === 124 && this.c(this.pos + 1) !== 124))
        this.fail(FilterCode.ExpectedJoin, `a single ${this.src[this.pos]} is not an operator`, span(this.pos, this.pos + 1), `write ${this.src[this.pos]}${this.src[this.pos]}`);
      this.fail(
        FilterCode.ExpectedFieldEnd,
        `expected , or ] here, found ${this.describeChar(this.pos)}`,
        this.charSpan(this.pos),
        'fields are separated by commas; a value with spaces or punctuation needs "quotes"',
      );
    }
    const end = this.pos;
    this.afterPattern();
    return { kind: 'spaceDelimited', fields, span: span(lo, end) };
  }

  sdField(): SdField {
    const start = this.pos;
    if (this.c() === 46) {
      let p = start;
      while (this.c(p) === 46) p++;
      if (p - start !== 3)
        this.fail(FilterCode.BadEllipsis, `${this.src.slice(start, p)} is not an ellipsis`, span(start, p), 'write exactly three dots: ...');
      this.pos = p;
      return { kind: 'ellipsis', span: span(start, p) };
    }
    if (this.c() === 40) this.fail(FilterCode.Parentheses, 'parentheses are not supported in space-delimited patterns', span(start, start + 1));
    const first = this.sdClause(null);
    if (first.kind === 'name') return first;
    let expr = this.sdAnd(first, first.name);
    for (;;) {
      const save = this.pos;
      this.skipWs();
      if (this.c() === 124 && this.c(this.pos + 1) === 124) {
        this.pos += 2;
        this.skipWs();
        const right = this.sdAnd(this.sdClauseRequired(first.name), first.name);
        expr = { kind: 'or', left: expr, right, span: span(expr.span.start, right.span.end) };
      } else {
        this.pos = save;
        break;
      }
    }
    return { kind: 'condition', name: first.name, expr, span: span(start, expr.span.end) };
  }

  sdAnd(left: SdExpr, fieldName: string): SdExpr {
    for (;;) {
      const save = this.pos;
      this.skipWs();
      if (this.c() === 38 && this.c(this.pos + 1) === 38) {
        this.pos += 2;
        this.skipWs();
        const right = this.sdClauseRequired(fieldName);
        left = { kind: 'and', left, right, span: span(left.span.start, right.span.end) };
      } else {
        this.pos = save;
        return left;
      }
    }
  }

  sdClauseRequired(fieldName: string): SdClause {
    const c = this.sdClause(fieldName);
    if (c.kind === 'name')
      this.fail(FilterCode.ExpectedOperator, `expected an operator after ${c.name}`, c.span, 'each side of && and || is a condition such as status = 404');
    return c;
  }

  /** A field name, optionally followed by an operator and a value. */
  sdClause(fieldName: string | null): SdClause | { kind: 'name'; name: string; span: Span } {
    const start = this.pos;
    if (this.c() === 40) this.fail(FilterCode.Parentheses, 'parentheses are not supported in space-delimited patterns', span(start, start + 1));
    while (this.pos < this.hi && isWordChar(this.c())) this.pos++;
    let nameEnd = this.pos;
    const name = this.src.slice(start, nameEnd);
    const looksLikeName = (c: number): boolean => isWordChar(c) || c === 45;
    if (name.length === 0 || isDigit(name.charCodeAt(0)) || looksLikeName(this.c())) {
      while (nameEnd < this.hi && looksLikeName(this.src.charCodeAt(nameEnd))) nameEnd++;
      if (name.length === 0 && !looksLikeName(this.c()))
        this.fail(
          FilterCode.BadFieldName,
          this.operatorAhead() ? 'a condition needs a field name before its operator' : `expected a field name, found ${this.describeChar(start)}`,
          this.charSpan(start),
          'name the field: [level = ERROR, ...]',
        );
      this.fail(
        FilterCode.BadFieldName,
        `${this.src.slice(start, nameEnd)} is not a field name`,
        span(start, nameEnd),
        'field names are letters, digits and _, and do not start with a digit',
      );
    }
    const nameAt = span(start, this.pos);
    if (fieldName !== null && name.toLowerCase() !== fieldName.toLowerCase())
      this.fail(
        FilterCode.ClauseNameDiffers,
        `this condition tests ${name}, but it is inside the field ${fieldName}`,
        nameAt,
        'every condition in one field names that field; conditions on other fields go in their own position',
      );
    const save = this.pos;
    this.skipWs();
    const op = this.operator();
    if (!op) {
      this.pos = save;
      return { kind: 'name', name, span: nameAt };
    }
    this.skipWs();
    const value = this.value(op, ',]&|"%', SD_UNQUOTED, 'sd');
    return { kind: 'clause', name, op, value, span: span(start, value.span.end) };
  }

  operatorAhead(): boolean {
    const c = this.c();
    return c === 61 || c === 33 || c === 60 || c === 62;
  }
}
