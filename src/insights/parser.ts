/**
 * Hand-written recursive-descent parser for Logs Insights queries (insights spec 2-4), with
 * recovery at `|`: an error inside one command is recorded and parsing goes on with the next
 * command, so one run reports every broken stage.
 */
import { type Diagnostic, type Span, span } from '../diagnostics/diagnostic.js';
import type { BinaryOp, Command, Expr, Item, Pattern, Query } from './ast.js';
import { InsightsCode } from './codes.js';
import { LexError, Lexer, type Token } from './lexer.js';

class Stop extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/** spec 3.10: commands that need AWS-side state, and what to do instead. */
export const UNSUPPORTED_COMMANDS: ReadonlyMap<string, string> = new Map([
  ['source', 'pass the events of the wanted log groups to haystack and drop the SOURCE line'],
  ['filterindex', 'use filter field = value: same result, no index needed'],
  ['pattern', 'pattern clusters messages with a model that runs in CloudWatch: run this query there'],
  ['diff', 'run the query twice, once over each time window, and compare'],
  ['anomaly', 'anomaly detection needs model state held by CloudWatch: run this query there'],
  ['unmask', 'masked data is not recoverable outside CloudWatch'],
  ['lookup', 'join the lookup table into the events before giving them to haystack'],
  ['expand', 'expand is a newer command this version does not run'],
  ['join', 'join is a newer command this version does not run'],
  ['addtotals', 'addtotals is a newer command this version does not run'],
  ['head', 'head is a deprecated alias: use limit N'],
  ['tail', 'tail is a deprecated alias: sort @timestamp asc | limit N'],
]);

const COMMANDS = ['fields', 'display', 'filter', 'parse', 'stats', 'sort', 'limit', 'dedup', 'unnest'];

/** Words that end an expression item list or cannot be field names where a keyword is expected. */
const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'in', 'as', 'by', 'asc', 'desc', 'into']);

export interface ParseOutcome {
  readonly query: Query | null;
  readonly diagnostics: readonly Diagnostic[];
}

export function parseQuery(source: string): ParseOutcome {
  return new QueryParser(source).parse();
}

class QueryParser {
  private readonly lexer: Lexer;
  private tok!: Token;
  /** End of the last token consumed, for spans. */
  private lastEnd = 0;
  /** Source slices of consumed tokens, for column names (5.2). */
  private consumed: string[] = [];
  private readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly src: string) {
    this.lexer = new Lexer(src);
  }

  private fail(code: string, message: string, at: Span, hint?: string): never {
    throw new Stop({ code, severity: 'error', message, span: at, ...(hint ? { hint } : {}) });
  }

  private advance(): Token {
    const t = this.tok;
    this.lastEnd = t.span.end;
    this.consumed.push(this.src.slice(t.span.start, t.span.end));
    try {
      this.tok = this.lexer.next();
    } catch (e) {
      if (e instanceof LexError) throw new Stop(e.diagnostic);
      throw e;
    }
    return t;
  }

  /** The current token's kind (a method, so TypeScript does not narrow it across advance()). */
  private kind(): Token['kind'] {
    return this.tok.kind;
  }

  private isWord(w: string, t: Token = this.tok): boolean {
    return t.kind === 'ident' && t.text.toLowerCase() === w;
  }

  private isOp(op: string): boolean {
    return this.tok.kind === 'op' && this.tok.text === op;
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'the end of the query';
    if (t.kind === 'pipe') return '|';
    return `'${this.src.slice(t.span.start, t.span.end)}'`;
  }

  private expectOp(op: string, what: string): Token {
    if (!this.isOp(op)) this.fail(InsightsCode.Expected, `expected ${what}, found ${this.describe(this.tok)}`, this.tok.span);
    return this.advance();
  }

  parse(): ParseOutcome {
    try {
      this.tok = this.lexer.next();
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      return { query: null, diagnostics: [e.diagnostic] };
    }
    const commands: Command[] = [];
    if (this.kind() === 'eof') {
      this.diagnostics.push({
        code: InsightsCode.EmptyQuery,
        severity: 'error',
        message: 'the query is empty',
        span: span(0, this.src.length),
        hint: 'for example: fields @timestamp, @message | limit 20',
      });
      return { query: null, diagnostics: this.diagnostics };
    }
    for (;;) {
      if (this.kind() === 'pipe' || this.kind() === 'eof') {
        this.diagnostics.push({
          code: InsightsCode.EmptyStage,
          severity: 'error',
          message: this.kind() === 'eof' ? 'a command is missing after the last |' : 'a command is missing before this |',
          span: this.kind() === 'eof' ? span(this.lastEnd - 1, this.lastEnd) : this.tok.span,
          hint: 'remove the extra |',
        });
      } else {
        try {
          const c = this.command();
          if (c) commands.push(c);
          if (this.kind() !== 'pipe' && this.kind() !== 'eof')
            this.fail(InsightsCode.Unexpected, `expected | or the end of the query, found ${this.describe(this.tok)}`, this.tok.span, 'commands are separated by |');
        } catch (e) {
          if (!(e instanceof Stop)) throw e;
          this.diagnostics.push(e.diagnostic);
          this.recover();
        }
      }
      if (this.kind() === 'eof') break;
      if (!this.stepOverPipe()) break;
      if (this.kind() === 'eof') {
        this.diagnostics.push({
          code: InsightsCode.EmptyStage,
          severity: 'error',
          message: 'a command is missing after the last |',
          span: span(this.lastEnd - 1, this.lastEnd),
          hint: 'remove the trailing |',
        });
        break;
      }
    }
    if (this.diagnostics.length > 0) return { query: null, diagnostics: this.diagnostics };
    return { query: { commands, source: this.src }, diagnostics: [] };
  }

  /**
   * Moves past a `|`. Text the lexer cannot read right after it is reported and that stage is
   * skipped to the next `|`; false when none is left.
   */
  private stepOverPipe(): boolean {
    for (;;) {
      try {
        this.advance();
        return true;
      } catch (e) {
        if (!(e instanceof Stop)) throw e;
        this.diagnostics.push(e.diagnostic);
        const next = this.src.indexOf('|', this.lexer.pos + 1);
        if (next === -1) return false;
        this.lexer.pos = next;
        this.tok = this.lexer.next();
      }
    }
  }

  /** Skips to the next `|` (or the end), stepping over text the lexer cannot read. */
  private recover(): void {
    for (;;) {
      if (this.tok.kind === 'pipe' || this.tok.kind === 'eof') return;
      try {
        this.advance();
      } catch (e) {
        if (!(e instanceof Stop)) throw e;
        // Unreadable text: continue from the next `|` character.
        const next = this.src.indexOf('|', this.lexer.pos + 1);
        this.lexer.pos = next === -1 ? this.src.length : next;
        this.tok = this.lexer.next();
      }
    }
  }

  // ---- commands (spec 3) -----------------------------------------------------------------

  private command(): Command | null {
    const t = this.tok;
    const start = t.span.start;
    if (t.kind !== 'ident')
      this.fail(InsightsCode.UnknownCommand, `expected a command, found ${this.describe(t)}`, t.span, `commands: ${COMMANDS.join(', ')}`);
    const word = t.text.toLowerCase();
    const unsupported = UNSUPPORTED_COMMANDS.get(word);
    if (unsupported) {
      this.fail(InsightsCode.Unsupported, `${t.text} needs CloudWatch itself and cannot run on local logs`, t.span, unsupported);
    }
    if (!COMMANDS.includes(word)) {
      const near = COMMANDS.find((c) => editDistance(c, word) <= 2);
      this.fail(InsightsCode.UnknownCommand, `${t.text} is not a Logs Insights command`, t.span, near ? `did you mean ${near}?` : `commands: ${COMMANDS.join(', ')}`);
    }
    this.advance();
    switch (word) {
      case 'fields':
      case 'display': {
        const items = this.items();
        return { kind: word, items, span: span(start, this.lastEnd) };
      }
      case 'filter': {
        const condition = this.expr();
        return { kind: 'filter', condition, span: span(start, this.lastEnd) };
      }
      case 'parse':
        return this.parseCommand(start);
      case 'stats':
        return this.statsCommand(start);
      case 'sort': {
        const keys: { expr: Expr; desc: boolean }[] = [];
        do {
          if (keys.length > 0) this.advance();
          const expr = this.expr();
          let desc = false;
          if (this.isWord('asc')) this.advance();
          else if (this.isWord('desc')) {
            this.advance();
            desc = true;
          }
          keys.push({ expr, desc });
        } while (this.isOp(','));
        return { kind: 'sort', keys, span: span(start, this.lastEnd) };
      }
      case 'limit': {
        if (this.isWord('any')) this.advance(); // D38
        const n = this.tok;
        const neg = this.isOp('-');
        if (neg) this.advance();
        const num = this.tok;
        if (num.kind !== 'number') this.fail(InsightsCode.Expected, `expected a number after limit, found ${this.describe(num)}`, num.span, 'for example: limit 20');
        this.advance();
        const count = neg ? -num.value! : num.value!;
        return { kind: 'limit', count, countSpan: span(n.span.start, num.span.end), span: span(start, this.lastEnd) };
      }
      case 'dedup': {
        const fields: Expr[] = [];
        do {
          if (fields.length > 0) this.advance();
          fields.push(this.expr());
        } while (this.isOp(','));
        return { kind: 'dedup', fields, span: span(start, this.lastEnd) };
      }
      case 'unnest': {
        const field = this.expr();
        if (!this.isWord('into')) this.fail(InsightsCode.Expected, `expected into after the unnested field, found ${this.describe(this.tok)}`, this.tok.span, 'unnest list into element');
        this.advance();
        const name = this.name('a field name after into');
        return { kind: 'unnest', field, into: name.name, span: span(start, this.lastEnd) };
      }
      default:
        return null;
    }
  }

  private name(what: string): { name: string; span: Span } {
    const t = this.tok;
    if (t.kind === 'ident' || t.kind === 'backtick') {
      this.advance();
      return { name: t.text, span: t.span };
    }
    this.fail(InsightsCode.Expected, `expected ${what}, found ${this.describe(t)}`, t.span);
  }

  private items(): Item[] {
    const items: Item[] = [];
    do {
      if (items.length > 0) this.advance();
      items.push(this.item());
    } while (this.isOp(','));
    return items;
  }

  private item(): Item {
    const mark = this.consumed.length;
    const start = this.tok.span.start;
    const expr = this.expr();
    const text = this.consumed.slice(mark).join('');
    let alias: string | undefined;
    if (this.isWord('as')) {
      this.advance();
      alias = this.name('a name after as').name;
    }
    const name = alias ?? (expr.kind === 'field' ? expr.name : text);
    return { expr, ...(alias !== undefined ? { alias } : {}), name, span: span(start, this.lastEnd) };
  }

  private parseCommand(start: number): Command {
    let source: Expr = { kind: 'field', name: '@message', quoted: false, span: span(start, start) };
    const patternAhead = (): boolean => this.tok.kind === 'string' || this.isOp('/');
    if (!patternAhead()) source = this.postfix();
    if (this.tok.kind === 'ident' && ['logfmt', 'csv', 'json', 'kv'].includes(this.tok.text.toLowerCase()))
      this.fail(InsightsCode.Unsupported, `parse ${this.tok.text} is not supported in this version`, this.tok.span, 'use a glob pattern "key=*" or a regex with named groups');
    if (this.tok.kind === 'string') {
      const pat = this.advance();
      if (!this.isWord('as'))
        this.fail(InsightsCode.Expected, `a glob parse needs "as" and a name for each *, found ${this.describe(this.tok)}`, this.tok.span, 'parse @message "user=*" as user');
      this.advance();
      const names: { name: string; span: Span }[] = [];
      do {
        if (names.length > 0) this.advance();
        names.push(this.name('a field name'));
      } while (this.isOp(','));
      return { kind: 'parseGlob', source, pattern: pat.text, patternSpan: pat.span, names, span: span(start, this.lastEnd) };
    }
    if (this.isOp('/')) {
      const re = this.relexRegex();
      return { kind: 'parseRegex', source, pattern: re.text, patternSpan: re.span, span: span(start, this.lastEnd) };
    }
    this.fail(InsightsCode.Expected, `expected a "glob pattern" or a /regex/ to parse with, found ${this.describe(this.tok)}`, this.tok.span);
  }

  /** The current token is a `/` in operand position: read it as a regex literal instead. */
  private relexRegex(): Token {
    const at = this.tok.span.start;
    let t: Token;
    try {
      t = this.lexer.regexAt(at);
    } catch (e) {
      if (e instanceof LexError) throw new Stop(e.diagnostic);
      throw e;
    }
    this.tok = t;
    this.advance();
    return t;
  }

  private statsCommand(start: number): Command {
    if (this.tok.kind === 'pipe' || this.tok.kind === 'eof' || this.isWord('by'))
      this.fail(InsightsCode.Expected, 'stats needs something to compute', this.tok.span, 'for example: stats count(*) by dhost');
    const items = this.items();
    let by: Item[] = [];
    if (this.isWord('by')) {
      this.advance();
      by = this.items();
    }
    return { kind: 'stats', items, by, span: span(start, this.lastEnd) };
  }

  // ---- expressions (spec 4.1) -------------------------------------------------------------

  private expr(): Expr {
    if (this.tok.kind === 'pipe' || this.tok.kind === 'eof')
      this.fail(InsightsCode.Expected, `expected an expression, found ${this.describe(this.tok)}`, this.tok.span);
    return this.or();
  }

  private binary(op: BinaryOp, left: Expr, right: Expr): Expr {
    return { kind: 'binary', op, left, right, span: span(left.span.start, right.span.end) };
  }

  private or(): Expr {
    let left = this.and();
    while (this.isWord('or')) {
      this.advance();
      left = this.binary('or', left, this.and());
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isWord('and')) {
      this.advance();
      left = this.binary('and', left, this.not());
    }
    return left;
  }

  private not(): Expr {
    if (this.isWord('not') || this.isOp('!')) {
      const t = this.advance();
      const operand = this.not();
      return { kind: 'unary', op: 'not', operand, span: span(t.span.start, operand.span.end) };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.additive();
    const t = this.tok;
    if (t.kind === 'op' && ['=', '==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.advance();
      const right = this.additive();
      return this.binary((t.text === '==' ? '=' : t.text) as BinaryOp, left, right);
    }
    if (t.kind === 'op' && t.text === '=~') {
      this.advance();
      const pattern = this.pattern('=~');
      return { kind: 'match', op: '=~', negated: false, subject: left, pattern, span: span(left.span.start, pattern.span.end) };
    }
    let negated = false;
    if (this.isWord('not')) {
      // `x not like p` / `x not in [...]`
      negated = true;
      this.advance();
      if (!this.isWord('like') && !this.isWord('in'))
        this.fail(InsightsCode.Expected, `expected like or in after not, found ${this.describe(this.tok)}`, this.tok.span);
    }
    if (this.isWord('like')) {
      this.advance();
      const pattern = this.pattern('like');
      return { kind: 'match', op: 'like', negated, subject: left, pattern, span: span(left.span.start, pattern.span.end) };
    }
    if (this.isWord('in')) {
      this.advance();
      const open = this.expectOp('[', 'a [ list ] after in');
      const items: Expr[] = [];
      if (!this.isOp(']')) {
        do {
          if (items.length > 0) this.advance();
          items.push(this.additive());
        } while (this.isOp(','));
      }
      this.expectOp(']', 'a , or the closing ] of the list');
      return { kind: 'in', negated, subject: left, items, span: span(left.span.start, Math.max(open.span.end, this.lastEnd)) };
    }
    return left;
  }

  private pattern(after: string): Pattern {
    const t = this.tok;
    if (t.kind === 'string') {
      this.advance();
      return { kind: 'text', value: t.text, span: t.span };
    }
    if (this.isOp('/')) {
      const re = this.relexRegex();
      return { kind: 'regex', source: re.text, span: re.span };
    }
    this.fail(InsightsCode.Expected, `expected a "string" or a /regex/ after ${after}, found ${this.describe(t)}`, t.span);
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.advance().text as BinaryOp;
      left = this.binary(op, left, this.multiplicative());
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.power();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.advance().text as BinaryOp;
      left = this.binary(op, left, this.power());
    }
    return left;
  }

  private power(): Expr {
    const base = this.unaryMinus();
    if (this.isOp('^')) {
      this.advance();
      return this.binary('^', base, this.power()); // right-associative
    }
    return base;
  }

  private unaryMinus(): Expr {
    if (this.isOp('-')) {
      const t = this.advance();
      const operand = this.unaryMinus();
      return { kind: 'unary', op: '-', operand, span: span(t.span.start, operand.span.end) };
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.advance();
        const n = this.tok;
        if (n.kind !== 'ident' && n.kind !== 'backtick' && n.kind !== 'number')
          this.fail(InsightsCode.Expected, `expected a member name after ., found ${this.describe(n)}`, n.span);
        this.advance();
        e = { kind: 'member', object: e, name: n.text, span: span(e.span.start, n.span.end) };
      } else if (this.isOp('[')) {
        this.advance();
        const index = this.expr();
        this.expectOp(']', 'the closing ]');
        e = { kind: 'index', object: e, index, span: span(e.span.start, this.lastEnd) };
      } else return e;
    }
  }

  private primary(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'number':
        this.advance();
        return { kind: 'number', value: t.value!, span: t.span };
      case 'duration':
        this.advance();
        return { kind: 'duration', count: t.value!, unit: t.unit!, span: t.span };
      case 'string':
        this.advance();
        return { kind: 'string', value: t.text, span: t.span };
      case 'backtick':
        this.advance();
        return { kind: 'field', name: t.text, quoted: true, span: t.span };
      case 'ident': {
        const lower = t.text.toLowerCase();
        this.advance();
        if (this.isOp('(')) return this.call(t);
        if (lower === 'true' || lower === 'false') return { kind: 'number', value: lower === 'true' ? 1 : 0, span: t.span }; // D1
        if (KEYWORDS.has(lower))
          this.fail(InsightsCode.Expected, `${t.text} is a keyword here; a field with this name is written in backticks: \`${t.text}\``, t.span);
        return { kind: 'field', name: t.text, quoted: false, span: t.span };
      }
      case 'op':
        if (t.text === '(') {
          this.advance();
          const inner = this.expr();
          if (!this.isOp(')'))
            this.fail(InsightsCode.Expected, `expected ), found ${this.describe(this.tok)}`, this.tok.kind === 'eof' || this.tok.kind === 'pipe' ? t.span : this.tok.span, 'close the parenthesis');
          this.advance();
          return inner;
        }
        if (t.text === '/') this.fail(InsightsCode.Expected, 'a /regex/ can only follow like or =~, or start a parse pattern', t.span);
        if (t.text === '[') this.fail(InsightsCode.Expected, 'a [list] can only follow in', t.span);
        break;
      default:
        break;
    }
    this.fail(InsightsCode.Expected, `expected a value, a field or a function, found ${this.describe(t)}`, t.span);
  }

  private call(nameTok: Token): Expr {
    this.advance(); // (
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      do {
        if (args.length > 0) this.advance();
        if (this.isOp('*')) {
          const s = this.advance();
          args.push({ kind: 'star', span: s.span });
        } else args.push(this.expr());
      } while (this.isOp(','));
    }
    if (!this.isOp(')'))
      this.fail(InsightsCode.Expected, `expected , or ) in the call of ${nameTok.text}, found ${this.describe(this.tok)}`, this.tok.kind === 'eof' || this.tok.kind === 'pipe' ? nameTok.span : this.tok.span);
    this.advance();
    return { kind: 'call', name: nameTok.text, args, nameSpan: nameTok.span, span: span(nameTok.span.start, this.lastEnd) };
  }
}

export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}
