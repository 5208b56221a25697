/**
 * The reference evaluator of Logs Insights queries: slow and obvious, written straight from
 * the insights spec, the oracle of the differential tests. It materialises every record, puts
 * the whole list in the default order (5.3) and applies each command to the whole array in
 * turn. It shares with the compiled pipeline only the parser, the checker, the value helpers
 * and the ONE function registry; expressions, glob matching, regexes, ordering, grouping and
 * the commands are its own.
 */
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import type { Command, Expr } from './ast.js';
import { checkQuery, outputColumns } from './checker.js';
import { discoverFields } from './discovery.js';
import { DEFAULT_LIMITS, type EvalContext, lookupFunction } from './functions.js';
import { parseQuery } from './parser.js';
import type { Period, PeriodUnit } from './time.js';
import {
  bool,
  compareValues,
  groupKeyPart,
  isList,
  isMap,
  jsonText,
  naturalCompare,
  renderTimestamp,
  Timestamp,
  toNumber,
  toText,
  truthy,
  type Value,
} from './values.js';

export interface ReferenceEvent {
  readonly timestamp: number | null;
  readonly message: string;
  readonly logStream?: string;
  readonly logGroup?: string;
  readonly ingestionTime?: number;
}

export interface ReferenceOptions {
  readonly now?: number;
  readonly window?: { start: number; end: number };
  readonly accountId?: string;
}

export type ReferenceCell = string | number | null;

export interface ReferenceResult {
  readonly fields: string[];
  readonly rows: ReferenceCell[][];
}

/** A record: field name -> value; a name not in the map is absent (1.1). */
type Rec = Map<string, Value>;

/** spec 5.4, D8 */
const ROWS_WITHOUT_LIMIT = 10_000;
/** D17 */
const LOCAL_ACCOUNT = '000000000000';

export function referenceRunQuery(text: string, events: Iterable<ReferenceEvent>, options: ReferenceOptions = {}): ReferenceResult {
  const parsed = parseQuery(text);
  if (!parsed.query) throw new DiagnosticError(parsed.diagnostics, text);
  const checked = checkQuery(parsed.query);
  if (checked.diagnostics.length > 0) throw new DiagnosticError(checked.diagnostics, text);
  const commands = parsed.query.commands;

  const list = [...events];
  const ctx: EvalContext = { now: options.now ?? Date.now(), window: options.window ?? windowOf(list) };
  const account = options.accountId ?? LOCAL_ACCOUNT;

  // 1.3 and 6: one record per event; then 5.3: @timestamp descending, ties in input order.
  let records = list.map((e, i) => buildRecord(e, i, account));
  records = stableSort(records, (a, b) => -naturalCompare(a.get('@timestamp'), b.get('@timestamp')));

  for (const c of commands) records = apply(c, records, ctx);

  const fields = outputColumns(commands);
  let rows = records.map((r) => fields.map((f) => cellOf(readField(r, f))));
  if (!commands.some((c) => c.kind === 'limit')) rows = rows.slice(0, ROWS_WITHOUT_LIMIT);
  return { fields, rows };
}

/** D26: the window is the events' own time range. */
function windowOf(events: readonly ReferenceEvent[]): { start: number; end: number } {
  const ts = events.map((e) => e.timestamp).filter((t): t is number => t !== null);
  if (ts.length === 0) return { start: 0, end: 0 };
  return { start: Math.min(...ts), end: Math.max(...ts) + 1 };
}

function buildRecord(e: ReferenceEvent, index: number, account: string): Rec {
  const r: Rec = new Map();
  discoverFields(e.message, r);
  if (e.timestamp !== null) r.set('@timestamp', new Timestamp(e.timestamp));
  r.set('@message', e.message);
  r.set('@logStream', e.logStream ?? 'flow');
  r.set('@log', `${account}:${e.logGroup ?? 'DiscrimiNAT'}`);
  const ingestion = e.ingestionTime ?? e.timestamp;
  if (ingestion !== null) r.set('@ingestionTime', new Timestamp(ingestion));
  r.set('@ptr', `hs-${index}`); // D18: implementation-defined; the compiled pipeline's form
  return r;
}

/** 1.2: what a result cell shows. */
function cellOf(v: Value): ReferenceCell {
  if (v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
  if (typeof v === 'string') return v;
  if (v instanceof Timestamp) return renderTimestamp(v.ms);
  return jsonText(v); // D28
}

function stableSort<T>(xs: readonly T[], cmp: (a: T, b: T) => number): T[] {
  return xs
    .map((x, i) => ({ x, i }))
    .sort((a, b) => cmp(a.x, b.x) || a.i - b.i)
    .map((p) => p.x);
}

function store(r: Rec, name: string, v: Value): void {
  if (v === undefined) r.delete(name);
  else r.set(name, v);
}

// ---- commands -------------------------------------------------------------------------------

function apply(c: Command, records: Rec[], ctx: EvalContext): Rec[] {
  switch (c.kind) {
    case 'filter':
      return records.filter((r) => truthy(evaluate(c.condition, rowScope(r, ctx))));
    case 'fields':
    case 'display':
      // Every item reads the record as the command received it, then all are stored (3.1).
      return records.map((r) => {
        const values = c.items.map((it) => evaluate(it.expr, rowScope(r, ctx)));
        const out = new Map(r);
        c.items.forEach((it, i) => store(out, it.name, values[i]));
        return out;
      });
    case 'parseGlob':
      return records.map((r) => {
        const names = c.names.map((n) => n.name);
        const s = textOf(evaluate(c.source, rowScope(r, ctx)));
        const got = s === undefined ? null : globMatch(c.pattern, s);
        const out = new Map(r);
        names.forEach((n, i) => store(out, n, got ? got[i] : undefined)); // 3.4: kept, fields absent
        return out;
      });
    case 'parseRegex': {
      const re = insightsRegex(c.pattern);
      return records.map((r) => {
        const s = textOf(evaluate(c.source, rowScope(r, ctx)));
        const m = s === undefined ? null : re.re.exec(s);
        const out = new Map(r);
        for (const [name, jsName] of re.groups) store(out, name, m?.groups?.[jsName]);
        return out;
      });
    }
    case 'sort':
      return stableSort(records, (a, b) => {
        for (const k of c.keys) {
          const d = naturalCompare(sortable(evaluate(k.expr, rowScope(a, ctx))), sortable(evaluate(k.expr, rowScope(b, ctx))));
          if (d !== 0) return k.desc ? -d : d; // D39: reverse the comparison; ties stay stable
        }
        return 0;
      });
    case 'limit':
      return records.slice(0, c.count);
    case 'dedup': {
      const seen = new Set<string>();
      return records.filter((r) => {
        const values = c.fields.map((f) => evaluate(f, rowScope(r, ctx)));
        if (values.some((v) => v === undefined)) return true; // 3.8: never duplicates
        const key = JSON.stringify(values.map(groupKeyPart));
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    case 'unnest':
      return records.flatMap((r) => {
        const v = evaluate(c.field, rowScope(r, ctx));
        const elements = v === undefined ? [] : isList(v) ? v : [v]; // 3.9, D15
        return elements.map((x) => {
          const out = new Map(r);
          store(out, c.into, x);
          return out;
        });
      });
    case 'stats':
      return stats(c, records, ctx);
    default: {
      const never: never = c;
      throw new Error(`unknown command ${(never as Command).kind}`);
    }
  }
}

/** 3.6: maps and lists cannot be sorted; at run time they count as absent. */
function sortable(v: Value): Value {
  return isMap(v) || isList(v) ? undefined : v;
}

/** The string form of a scalar for matching and parsing; maps and lists have none (7.3). */
function textOf(v: Value): string | undefined {
  return isMap(v) || isList(v) ? undefined : toText(v);
}

/**
 * 3.5: group in first-seen order (D6 equality); per group, the items left to right, aggregate
 * calls over the group's records in the order they reached stats, names of earlier items
 * reading those items' values (D43).
 */
function stats(c: Extract<Command, { kind: 'stats' }>, records: Rec[], ctx: EvalContext): Rec[] {
  const groups = new Map<string, { values: Value[]; members: { r: Rec; at: number }[] }>();
  const keyOf = (values: Value[]): string => JSON.stringify(values.map(groupKeyPart));
  if (c.by.length === 0) groups.set(keyOf([]), { values: [], members: [] }); // one row even over none
  records.forEach((r, at) => {
    const values = c.by.map((b) => evaluate(b.expr, rowScope(r, ctx)));
    const key = keyOf(values);
    let g = groups.get(key);
    if (!g) {
      g = { values, members: [] };
      groups.set(key, g);
    }
    g.members.push({ r, at });
  });
  const out: Rec[] = [];
  for (const g of groups.values()) {
    const row: Rec = new Map();
    c.by.forEach((b, i) => store(row, b.name, g.values[i]));
    const earlier = new Map<string, Value>();
    for (const it of c.items) {
      const v = evaluate(it.expr, itemScope(earlier, g.members, ctx));
      earlier.set(it.name, v);
      store(row, it.name, v);
    }
    out.push(row);
  }
  return out;
}

// ---- expressions ----------------------------------------------------------------------------

/** Where an expression reads names, @timestamp and (inside a stats item) its group. */
interface Scope {
  readonly read: (name: string) => Value;
  /** @timestamp in epoch ms, for bin(). */
  readonly timestamp: () => number | undefined;
  /** Inside a stats item: the group's records, in the order they reached stats. */
  readonly group?: readonly { r: Rec; at: number }[];
  readonly ctx: EvalContext;
}

function rowScope(r: Rec, ctx: EvalContext): Scope {
  return { read: (n) => readField(r, n), timestamp: () => timestampOf(r), ctx };
}

/** D43: outside aggregate arguments, names are the items to the left; nothing else is in scope. */
function itemScope(earlier: Map<string, Value>, group: readonly { r: Rec; at: number }[], ctx: EvalContext): Scope {
  return { read: (n) => earlier.get(n), timestamp: () => undefined, group, ctx };
}

function timestampOf(r: Rec): number | undefined {
  return toNumber(r.get('@timestamp'));
}

/**
 * D29: a name `a.b` is map access when `a` holds a map on this record (the shortest such
 * prefix), otherwise the flattened field `a.b`. Lists take index segments, like flattened
 * arrays do (6.2).
 */
function readField(r: Rec, name: string): Value {
  for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
    const base = r.get(name.slice(0, dot));
    if (isMap(base) || isList(base)) return name.slice(dot + 1).split('.').reduce<Value>((v, seg) => memberOf(v, seg), base);
  }
  return r.get(name);
}

function memberOf(v: Value, name: string): Value {
  if (isMap(v)) return v.get(name);
  if (isList(v) && /^[0-9]+$/.test(name)) return v[Number(name)];
  return undefined;
}

function evaluate(e: Expr, s: Scope): Value {
  switch (e.kind) {
    case 'number':
    case 'string':
      return e.value;
    case 'duration':
    case 'star':
      return undefined; // only as function arguments, handled there
    case 'field':
      return s.read(e.name);
    case 'unary': {
      const v = evaluate(e.operand, s);
      if (e.op === 'not') return bool(!truthy(v)); // 4.2
      const x = toNumber(v);
      return x === undefined ? undefined : 0 - x;
    }
    case 'binary':
      return binary(e.op, e.left, e.right, s);
    case 'match': {
      const v = textOf(evaluate(e.subject, s));
      let hit = false;
      if (v !== undefined) hit = e.pattern.kind === 'text' ? v.includes(e.pattern.value) : insightsRegex(e.pattern.source).re.test(v);
      return bool(e.negated ? !hit : hit); // 4.5, D4, D10
    }
    case 'in': {
      const v = evaluate(e.subject, s);
      const hit = e.items.some((i) => compareValues('=', v, evaluate(i, s)));
      return bool(e.negated ? !hit : hit);
    }
    case 'member':
      return memberOf(evaluate(e.object, s), e.name);
    case 'index': {
      const o = evaluate(e.object, s);
      const i = evaluate(e.index, s);
      if (isList(o)) {
        const n = toNumber(i);
        return n !== undefined && Number.isInteger(n) && n >= 0 ? o[n] : undefined;
      }
      if (isMap(o)) {
        const k = textOf(i);
        return k === undefined ? undefined : o.get(k);
      }
      return undefined;
    }
    case 'call':
      return call(e, s);
    default: {
      const never: never = e;
      throw new Error(`unknown expression ${(never as Expr).kind}`);
    }
  }
}

function binary(op: Extract<Expr, { kind: 'binary' }>['op'], left: Expr, right: Expr, s: Scope): Value {
  const a = evaluate(left, s);
  const b = evaluate(right, s);
  switch (op) {
    case 'and':
      return bool(truthy(a) && truthy(b));
    case 'or':
      return bool(truthy(a) || truthy(b));
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return bool(compareValues(op, a, b)); // 4.3, D4
  }
  // 4.4: numbers only; absent when either side is not one; D9: no NaN or Infinity.
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === undefined || y === undefined) return undefined;
  let r: number;
  switch (op) {
    case '+':
      r = x + y;
      break;
    case '-':
      r = x - y;
      break;
    case '*':
      r = x * y;
      break;
    case '/':
      r = y === 0 ? NaN : x / y;
      break;
    case '%':
      r = y === 0 ? NaN : x % y;
      break;
    case '^':
      r = Math.pow(x, y);
      break;
  }
  return Number.isFinite(r) ? r : undefined;
}

function call(e: Extract<Expr, { kind: 'call' }>, s: Scope): Value {
  const f = lookupFunction(e.name);
  if (!f) throw new Error(`unknown function ${e.name}`); // the checker rejects it first
  if (f.kind === 'scalar') {
    const periods = e.args.map((a) => (a.kind === 'duration' ? period(a.count, a.unit) : undefined));
    const args = e.args.map((a) => (a.kind === 'duration' ? undefined : evaluate(a, s)));
    return f.eval(args, s.ctx, periods, s.timestamp());
  }
  if (!s.group) throw new Error(`${e.name} outside stats`); // the checker rejects it first
  // 7.9: constants after the first argument (pct); the first argument per record.
  const constants = e.args.slice(1).map((a) => toNumber(evaluate(a, s)) ?? 0);
  const acc = f.create(constants, DEFAULT_LIMITS);
  const first = e.args[0];
  for (const { r, at } of s.group) {
    const ts = timestampOf(r) ?? 0;
    if (first === undefined || first.kind === 'star') {
      acc.add(1, ts, at); // count() / count(*): every record
      continue;
    }
    const v = evaluate(first, rowScope(r, s.ctx));
    if (v !== undefined) acc.add(v, ts, at); // absent values are skipped by every aggregate
  }
  return acc.result();
}

// ---- periods (2.7, 7.4) ---------------------------------------------------------------------

const UNITS: Record<string, PeriodUnit> = {
  ms: 'ms', msec: 'ms', millisecond: 'ms',
  s: 's', sec: 's', second: 's',
  m: 'm', min: 'm', minute: 'm',
  h: 'h', hr: 'h', hour: 'h',
  d: 'd', day: 'd',
  w: 'w', week: 'w',
  mo: 'mo', mon: 'mo', month: 'mo',
  q: 'q', qtr: 'q', quarter: 'q',
  y: 'y', yr: 'y', year: 'y',
};
/** 7.4: the documented caps; a larger number is replaced by the cap. */
const CAPS: Partial<Record<PeriodUnit, number>> = { ms: 1000, s: 60, m: 60, h: 24 };

function period(count: number, unitText: string): Period | undefined {
  const t = unitText.toLowerCase();
  const plural = t.length > 1 && t.endsWith('s') ? t.slice(0, -1) : '';
  const unit = UNITS[t] ?? (plural.length > 1 ? UNITS[plural] : undefined);
  if (!unit) return undefined;
  const cap = CAPS[unit];
  return { count: cap === undefined ? count : Math.min(count, cap), unit };
}

// ---- glob (3.4, D14) ------------------------------------------------------------------------

/**
 * The captures of the glob `pattern` searched in `s`, or null: the leftmost start where the
 * pattern matches; each `*` takes the shortest run that lets the rest match, except a `*` at
 * the very end, which takes the remainder.
 */
export function globMatch(pattern: string, s: string): string[] | null {
  const parts = pattern.split('*');
  const failed = new Set<string>();
  const from = (k: number, pos: number): string[] | null => {
    if (k === parts.length) return [];
    const lit = parts[k]!;
    if (k === parts.length - 1 && lit === '') return [s.slice(pos)];
    if (failed.has(`${k}:${pos}`)) return null;
    for (let end = pos; end + lit.length <= s.length; end++) {
      if (!s.startsWith(lit, end)) continue;
      const rest = from(k + 1, end + lit.length);
      if (rest) return [s.slice(pos, end), ...rest];
    }
    failed.add(`${k}:${pos}`);
    return null;
  };
  for (let start = 0; start + parts[0]!.length <= s.length; start++) {
    if (!s.startsWith(parts[0]!, start)) continue;
    const got = from(1, start + parts[0]!.length);
    if (got) return got;
  }
  return null;
}

// ---- regex (8, D13, D42) --------------------------------------------------------------------

interface JsRegex {
  readonly re: RegExp;
  /** Field name (as written, `@` included) -> the group's name in the ECMAScript pattern. */
  readonly groups: ReadonlyMap<string, string>;
}

const regexes = new Map<string, JsRegex>();

/**
 * spec 8: an ECMAScript regex with the Unicode flag after the rewrites: a leading `(?i)` (or
 * one right after a leading `^`) becomes the i flag, `(?<@name>` a legal group name, `\/` a `/`.
 * The checker has already rejected what the dialect does not allow.
 */
function insightsRegex(source: string): JsRegex {
  const cached = regexes.get(source);
  if (cached) return cached;
  let text = source;
  let flags = 'u';
  if (text.startsWith('(?i)')) {
    text = text.slice(4);
    flags += 'i';
  } else if (text.startsWith('^(?i)')) {
    text = '^' + text.slice(5);
    flags += 'i';
  }
  const groups = new Map<string, string>();
  let out = '';
  let inClass = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1] ?? '';
      out += next === '/' ? '/' : ch + next;
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') inClass = true;
    const named = ch === '(' ? /^\(\?<(@?)([A-Za-z_][A-Za-z0-9_]*)>/.exec(text.slice(i)) : null;
    if (named) {
      const jsName = named[1] ? `at_${groups.size}_${named[2]}` : named[2]!;
      groups.set(named[1]! + named[2]!, jsName);
      out += `(?<${jsName}>`;
      i += named[0].length - 1;
      continue;
    }
    out += ch;
  }
  let re: RegExp;
  try {
    re = new RegExp(out, flags);
  } catch {
    re = new RegExp(out, flags.replace('u', '')); // identity escapes such as \- that the u flag refuses
  }
  const compiled = { re, groups };
  regexes.set(source, compiled);
  return compiled;
}
