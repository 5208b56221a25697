/**
 * The checker: every semantic rule of insights spec 3, 7 and 9 that can be decided from the
 * query text alone, found before any event is read, each with a caret and a hint (names
 * suggested from the one function registry). It also decides the output columns (5.1).
 */
import type { Diagnostic, Span } from '../diagnostics/diagnostic.js';
import { type Command, type Expr, type Item, type Query, walkExpr } from './ast.js';
import { InsightsCode, MAX_LIMIT } from './codes.js';
import { functionNames, lookupFunction } from './functions.js';
import { editDistance } from './parser.js';
import { compileInsightsRegex, InsightsRegexError } from './regex.js';
import { periodUnit } from './time.js';

type Context = 'row' | 'statsItem' | 'statsBy' | 'aggregateArg';

export interface CheckResult {
  readonly diagnostics: Diagnostic[];
  /** Output columns in order (spec 5.1). */
  readonly columns: string[];
  /** Whether any `limit` is present (the default row cap applies otherwise). */
  readonly hasLimit: boolean;
}

export function checkQuery(q: Query): CheckResult {
  return new Checker(q).run();
}

class Checker {
  private readonly ds: Diagnostic[] = [];
  constructor(private readonly q: Query) {}

  private err(code: string, message: string, at: Span, hint?: string): void {
    this.ds.push({ code, severity: 'error', message, span: at, ...(hint ? { hint } : {}) });
  }

  run(): CheckResult {
    const cmds = this.q.commands;
    let statsSeen = 0;
    let dedupAt: Command | null = null;
    let orderedBeforeSecond: Command | null = null;
    /** Fields available to a second stats: what the first produced, plus what came after it. */
    let available: Set<string> | null = null;

    for (const c of cmds) {
      if (dedupAt && c.kind !== 'limit')
        this.err(InsightsCode.AfterDedup, `${c.kind} cannot follow dedup; only limit can`, c.span, 'move dedup to the end of the query');
      switch (c.kind) {
        case 'fields':
        case 'display':
          for (const it of c.items) {
            this.expr(it.expr, 'row');
            available?.add(it.name);
          }
          break;
        case 'filter':
          this.expr(c.condition, 'row');
          break;
        case 'parseGlob': {
          this.expr(c.source, 'row');
          const stars = c.pattern.split('*').length - 1;
          if (stars !== c.names.length)
            this.err(InsightsCode.GlobCount, `the pattern has ${stars} * but ${c.names.length} ${c.names.length === 1 ? 'name follows' : 'names follow'} as`, c.patternSpan, 'give one name per *');
          for (const n of c.names) available?.add(n.name);
          break;
        }
        case 'parseRegex': {
          this.expr(c.source, 'row');
          try {
            const re = compileInsightsRegex(c.pattern);
            if (re.groups.size === 0)
              this.err(InsightsCode.NoNamedGroup, 'a regex parse needs at least one named group (?<name>...)', c.patternSpan, 'name what to extract: /user=(?<user>\\S+)/');
            for (const n of re.groups.keys()) available?.add(n);
          } catch (e) {
            if (!(e instanceof InsightsRegexError)) throw e;
            this.err(InsightsCode.BadRegex, `the regular expression does not compile: ${e.message}`, c.patternSpan);
          }
          break;
        }
        case 'stats': {
          statsSeen++;
          if (statsSeen > 2) {
            this.err(InsightsCode.TooManyStats, 'a query may have at most two stats commands', c.span);
            break;
          }
          if (statsSeen === 2) {
            if (orderedBeforeSecond)
              this.err(InsightsCode.SortBeforeStats, `${orderedBeforeSecond.kind} must come after the second stats`, orderedBeforeSecond.span, 'move sort and limit to the end');
            this.secondStats(c, available!);
          }
          this.stats(c);
          available = new Set([...c.by.map((b) => b.name), ...c.items.map((i) => i.name)]);
          break;
        }
        case 'sort':
          for (const k of c.keys) this.expr(k.expr, 'row');
          if (statsSeen === 1) orderedBeforeSecond ??= c;
          break;
        case 'limit':
          if (!Number.isInteger(c.count) || c.count < 1 || c.count > MAX_LIMIT)
            this.err(InsightsCode.LimitRange, `limit takes a whole number from 1 to ${MAX_LIMIT.toLocaleString('en-US')}`, c.countSpan); // D8
          if (statsSeen === 1) orderedBeforeSecond ??= c;
          break;
        case 'dedup':
          for (const f of c.fields) this.expr(f, 'row');
          dedupAt = c;
          break;
        case 'unnest':
          this.expr(c.field, 'row');
          available?.add(c.into);
          break;
      }
    }
    // `sort`/`limit` between stats only matter when a second stats follows.
    return { diagnostics: this.ds, columns: outputColumns(cmds), hasLimit: cmds.some((c) => c.kind === 'limit') };
  }

  private stats(c: Extract<Command, { kind: 'stats' }>): void {
    const earlier = new Set<string>();
    for (const it of c.items) {
      const aggs = this.countAggregates(it.expr);
      if (aggs === 0) {
        // D43: an item over earlier items of the same stats, and nothing else.
        const names = fieldNames(it.expr);
        const ok = names.length > 0 && names.every((n) => earlier.has(n));
        if (!ok)
          this.err(
            InsightsCode.StatsWithoutAggregate,
            `${it.name} has no aggregate function`,
            it.expr.span,
            names.some((n) => !earlier.has(n)) && names.length > 0
              ? 'an item without an aggregate may only use the names of items to its left in the same stats'
              : 'use an aggregate such as count(*), sum(x), max(x); group with by',
          );
        this.expr(it.expr, 'row');
      } else {
        // D43: outside aggregate arguments an item may name only items to its left.
        for (const n of fieldNames(it.expr))
          if (!earlier.has(n))
            this.err(
              InsightsCode.StatsWithoutAggregate,
              `${n} is used outside an aggregate in a stats item`,
              it.expr.span,
              'put the field inside an aggregate (e.g. max(x)), group by it with by, or use the name of an item to the left',
            );
        this.expr(it.expr, 'statsItem');
      }
      earlier.add(it.name);
    }
    for (const b of c.by) this.expr(b.expr, 'statsBy');
  }

  private secondStats(c: Extract<Command, { kind: 'stats' }>, available: Set<string>): void {
    const own = new Set<string>();
    const check = (it: Item, isBy: boolean): void => {
      for (const ref of references(it.expr)) {
        if (ref.kind === 'field' && !available.has(ref.name) && !own.has(ref.name))
          this.err(InsightsCode.SecondStatsField, `the second stats can only use what the first produced; ${ref.name} is not one of its columns`, ref.span, `columns of the first stats: ${[...available].join(', ')}`);
        if (ref.kind === 'timestamp')
          this.err(InsightsCode.SecondStatsField, `${ref.name}() reads @timestamp, which the first stats removed`, ref.span, 'bin the first stats instead, or use datefloor() on one of its time columns');
      }
      if (!isBy) own.add(it.name);
    };
    for (const it of c.items) check(it, false);
    for (const b of c.by) check(b, true);
  }

  private countAggregates(e: Expr): number {
    let n = 0;
    walkExpr(e, (x) => {
      if (x.kind === 'call' && lookupFunction(x.name)?.kind === 'aggregate') n++;
    });
    return n;
  }

  private expr(e: Expr, ctx: Context): void {
    switch (e.kind) {
      case 'number':
      case 'string':
      case 'field':
        return;
      case 'star':
        this.err(InsightsCode.BadArgument, '* is only allowed in count(*)', e.span);
        return;
      case 'duration':
        this.err(InsightsCode.DurationAsValue, `${this.q.source.slice(e.span.start, e.span.end)} is a time period, not a value`, e.span, 'periods are only the period argument of bin(), datefloor() and dateceil()');
        return;
      case 'unary':
        this.expr(e.operand, ctx);
        return;
      case 'binary':
        this.expr(e.left, ctx);
        this.expr(e.right, ctx);
        return;
      case 'match':
        this.expr(e.subject, ctx);
        if (e.pattern.kind === 'regex') {
          try {
            compileInsightsRegex(e.pattern.source);
          } catch (x) {
            if (!(x instanceof InsightsRegexError)) throw x;
            this.err(InsightsCode.BadRegex, `the regular expression does not compile: ${x.message}`, e.pattern.span);
          }
        }
        return;
      case 'in':
        this.expr(e.subject, ctx);
        for (const i of e.items) this.expr(i, ctx);
        return;
      case 'member':
        this.expr(e.object, ctx);
        return;
      case 'index':
        this.expr(e.object, ctx);
        this.expr(e.index, ctx);
        return;
      case 'call':
        this.call(e, ctx);
        return;
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>, ctx: Context): void {
    const f = lookupFunction(e.name);
    if (!f) {
      const lower = e.name.toLowerCase();
      const near = functionNames().filter((n) => editDistance(n.toLowerCase(), lower) <= 2).slice(0, 3);
      this.err(InsightsCode.UnknownFunction, `${e.name} is not a Logs Insights function`, e.nameSpan, near.length > 0 ? `did you mean ${near.join(', ')}?` : undefined);
      for (const a of e.args) this.expr(a, ctx);
      return;
    }
    const n = e.args.length;
    if (n < f.min || n > f.max) {
      const want = f.min === f.max ? `${f.min}` : f.max >= 1000 ? `at least ${f.min}` : `${f.min} to ${f.max}`;
      this.err(InsightsCode.Arity, `${f.name} takes ${want} argument${f.min === 1 && f.max === 1 ? '' : 's'}, not ${n}`, e.span);
    }
    if (f.kind === 'aggregate') {
      if (ctx === 'aggregateArg') this.err(InsightsCode.NestedAggregate, `${f.name} cannot be used inside another aggregate`, e.nameSpan);
      else if (ctx !== 'statsItem')
        this.err(InsightsCode.AggregateOutsideStats, `${f.name} is an aggregate; it can only be used in stats`, e.nameSpan, ctx === 'statsBy' ? 'group with plain values; aggregates go before by' : 'compute it with stats, e.g. stats count(*) by dhost');
      e.args.forEach((a, i) => {
        if (a.kind === 'star') {
          if (f.name !== 'count' || n !== 1) this.err(InsightsCode.BadArgument, '* is only allowed in count(*)', a.span);
          return;
        }
        if (i > 0 && f.constantArgs && a.kind !== 'number' && !(a.kind === 'unary' && a.operand.kind === 'number'))
          this.err(InsightsCode.BadArgument, `the ${ordinal(i + 1)} argument of ${f.name} must be a number`, a.span);
        this.expr(a, 'aggregateArg');
      });
      return;
    }
    e.args.forEach((a, i) => {
      if (f.periodArgs?.includes(i)) {
        if (a.kind !== 'duration')
          this.err(InsightsCode.BadArgument, `the ${ordinal(i + 1)} argument of ${f.name} must be a time period such as 5m or 1h`, a.span);
        else if (!periodUnit(a.unit))
          this.err(InsightsCode.BadArgument, `${a.unit} is not a time unit`, a.span, 'units: ms, s, m, h, d, w, mo, q, y');
        return;
      }
      this.expr(a, ctx);
    });
  }
}

function ordinal(n: number): string {
  return ['first', 'second', 'third', 'fourth'][n - 1] ?? `${n}th`;
}


/** Field names an expression reads outside aggregate arguments (D43). */
function fieldNames(e: Expr): string[] {
  const out: string[] = [];
  const visit = (x: Expr): void => {
    if (x.kind === 'field') out.push(x.name);
    else if (x.kind === 'call' && lookupFunction(x.name)?.kind === 'aggregate') return;
    else if (x.kind === 'member' || x.kind === 'index') visit(x.object);
    else if (x.kind === 'unary') visit(x.operand);
    else if (x.kind === 'binary') {
      visit(x.left);
      visit(x.right);
    } else if (x.kind === 'call') x.args.forEach(visit);
    else if (x.kind === 'match') visit(x.subject);
    else if (x.kind === 'in') visit(x.subject);
  };
  visit(e);
  return out;
}

/** Everything a second stats may not read: fields, and functions that read @timestamp. */
function references(e: Expr): ({ kind: 'field'; name: string; span: Span } | { kind: 'timestamp'; name: string; span: Span })[] {
  const out: ({ kind: 'field'; name: string; span: Span } | { kind: 'timestamp'; name: string; span: Span })[] = [];
  walkExpr(e, (x) => {
    if (x.kind === 'field') out.push({ kind: 'field', name: x.name, span: x.span });
    if (x.kind === 'call' && lookupFunction(x.name)?.readsTimestamp) out.push({ kind: 'timestamp', name: x.name, span: x.nameSpan });
  });
  return out;
}

/** spec 5.1 */
export function outputColumns(cmds: readonly Command[]): string[] {
  let lastStats = -1;
  cmds.forEach((c, i) => {
    if (c.kind === 'stats') lastStats = i;
  });
  const add = (cols: string[], names: readonly string[]): void => {
    for (const n of names) if (!cols.includes(n)) cols.push(n);
  };
  let display: string[] | null = null;
  for (let i = Math.max(0, lastStats); i < cmds.length; i++) {
    const c = cmds[i]!;
    if (c.kind === 'display' && i > lastStats) display = c.items.map((it) => it.name);
  }
  if (display) return display;
  if (lastStats >= 0) {
    const s = cmds[lastStats] as Extract<Command, { kind: 'stats' }>;
    const cols = [...s.by.map((b) => b.name)];
    add(cols, s.items.map((it) => it.name));
    for (let i = lastStats + 1; i < cmds.length; i++) {
      const c = cmds[i]!;
      if (c.kind === 'fields') add(cols, c.items.map((it) => it.name));
    }
    return cols;
  }
  const cols: string[] = [];
  for (const c of cmds) if (c.kind === 'fields') add(cols, c.items.map((it) => it.name));
  return cols.length > 0 ? cols : ['@timestamp', '@message'];
}
