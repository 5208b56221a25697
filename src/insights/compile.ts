/**
 * Compiles a checked query into a pipeline of stages that records stream through. Memory is
 * bounded by the result: streaming commands keep nothing; `limit` (and `sort | limit`) keep
 * the best N; `stats` keeps one accumulator set per group; `dedup` one record per key.
 *
 * Order (insights spec 5.3): events are, in AWS's terms, ordered by @timestamp descending
 * with ties in input order. Until the first command that needs an order, records stream in
 * input order and carry (ts, seq) so that order can be applied when needed ("default"
 * phase); after such a command the stream is in its real order ("ordered" phase).
 */
import type { Command, Expr, Item } from './ast.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_ROW_LIMIT } from './codes.js';
import type { FieldDiscovery } from './discovery.js';
import { referencedFields } from './prefilter.js';
import { type Accumulator, type AggregateFunction, DEFAULT_LIMITS, type EvalContext, lookupFunction, ResourceLimitError, type ScalarFunction } from './functions.js';
import { compileInsightsRegex } from './regex.js';
import { makePeriod, type Period, periodUnit } from './time.js';
import { RE2JS } from 're2js';
import {
  bool,
  compareValues,
  groupKeyPart,
  isList,
  isMap,
  compareNaturalKeys,
  type NaturalKey,
  naturalKey,
  revive,
  Timestamp,
  toNumber,
  toText,
  truthy,
  type Value,
} from './values.js';

/** One record: its fields, and where it stands in the default order. */
export interface Rec {
  /** Discovered and query-made fields; system fields are read from `sys` on demand. */
  readonly fields: Map<string, Value>;
  /** The event behind the record, for its system fields (null after stats). */
  readonly sys: SystemSource | null;
  /** @timestamp in epoch ms (undefined after stats). */
  ts: number | undefined;
  /** Input order; fractional for records made by unnest. */
  seq: number;
}

export interface QueryEvent {
  /** Epoch ms; null when the input carries no time (then @timestamp is absent). */
  readonly timestamp: number | null;
  readonly message: string;
  /** Default "flow" (null or absent). */
  readonly logStream?: string | null;
  /** Default "DiscrimiNAT" (null or absent). */
  readonly logGroup?: string | null;
  readonly ingestionTime?: number;
}

export interface RuntimeOptions {
  readonly now: number;
  readonly window: { readonly start: number; readonly end: number };
  readonly accountId?: string;
}

export interface SystemSource {
  readonly event: QueryEvent;
  readonly seq: number;
  readonly accountId: string;
}

/** spec 1.3: the system fields of an event, computed when read. */
function systemField(s: SystemSource, name: string): Value {
  const e = s.event;
  switch (name) {
    case '@timestamp':
      return e.timestamp === null ? undefined : new Timestamp(e.timestamp);
    case '@message':
      return e.message;
    case '@logStream':
      return e.logStream ?? 'flow';
    case '@log':
      return `${s.accountId}:${e.logGroup ?? 'DiscrimiNAT'}`;
    case '@ingestionTime': {
      const t = e.ingestionTime ?? e.timestamp;
      return t === null ? undefined : new Timestamp(t);
    }
    case '@ptr':
      return `hs-${s.seq}`; // D18
    default:
      return undefined;
  }
}

/**
 * Builds the record of an event: discovered fields (6) now, only those `discovery` wants;
 * system fields (1.3) when read. `bytes`: the message's UTF-8 bytes, when the scan has them.
 */
export function eventRecord(e: QueryEvent, seq: number, accountId: string, discovery: FieldDiscovery, bytes: Buffer | null = null): Rec {
  const fields = new Map<string, Value>();
  discovery.discover(e, bytes, fields);
  return { fields, sys: { event: e, seq, accountId }, ts: e.timestamp ?? undefined, seq };
}

// ---- expressions ------------------------------------------------------------------------------

export type Evaluator = (r: Rec, ctx: EvalContext) => Value;

/**
 * Field read: a field the query or discovery set (an explicit absent included), else a system
 * field, else D29: `a.b` is map access when `a` holds a map or list, else the flat name.
 */
export function readField(r: Rec, name: string): Value {
  const fields = r.fields;
  let dot = name.indexOf('.');
  // D29: map access wins when a prefix holds a map or list.
  while (dot !== -1) {
    const base = fields.get(name.slice(0, dot));
    if (isMap(base) || isList(base)) {
      let cur: Value = base;
      for (const part of name.slice(dot + 1).split('.')) cur = member(cur, part);
      return cur;
    }
    dot = name.indexOf('.', dot + 1);
  }
  if (fields.has(name)) return fields.get(name);
  return r.sys !== null && name.charCodeAt(0) === 64 ? systemField(r.sys, name) : undefined;
}

function member(v: Value, name: string): Value {
  if (isMap(v)) return v.get(name);
  if (isList(v) && /^[0-9]+$/.test(name)) return v[Number(name)];
  return undefined;
}

function arith(op: string, a: number, b: number): number | undefined {
  let r: number;
  switch (op) {
    case '+':
      r = a + b;
      break;
    case '-':
      r = a - b;
      break;
    case '*':
      r = a * b;
      break;
    case '/':
      if (b === 0) return undefined; // D9
      r = a / b;
      break;
    case '%':
      if (b === 0) return undefined;
      r = a % b; // sign of the dividend
      break;
    default:
      r = a ** b;
  }
  return Number.isFinite(r) ? r : undefined;
}

/** A compiled /regex/ or "text" pattern: does it occur in the string form of a value? */
function patternTest(p: Extract<Expr, { kind: 'match' }>['pattern']): (s: string) => boolean {
  if (p.kind === 'text') {
    const t = p.value;
    return (s) => s.includes(t); // 4.5, D10
  }
  const re = compileInsightsRegex(p.source).re;
  return (s) => re.matcher(s).find();
}

export interface ExprEnv {
  /** Names that denote earlier items of the same stats (D43): read from the row being built. */
  readonly rowNames?: ReadonlySet<string>;
}

export function compileExpr(e: Expr, env: ExprEnv = {}): Evaluator {
  switch (e.kind) {
    case 'number': {
      const v = e.value;
      return () => v;
    }
    case 'string': {
      const v = e.value;
      return () => v;
    }
    case 'duration':
    case 'star':
      return () => undefined; // rejected by the checker
    case 'field': {
      const name = e.name;
      return (r) => readField(r, name);
    }
    case 'unary': {
      const f = compileExpr(e.operand, env);
      if (e.op === 'not') return (r, c) => bool(!truthy(f(r, c)));
      return (r, c) => {
        const x = toNumber(f(r, c));
        return x === undefined ? undefined : x === 0 ? 0 : -x;
      };
    }
    case 'binary': {
      const l = compileExpr(e.left, env);
      const rt = compileExpr(e.right, env);
      const op = e.op;
      switch (op) {
        case 'and':
          return (r, c) => bool(truthy(l(r, c)) && truthy(rt(r, c)));
        case 'or':
          return (r, c) => bool(truthy(l(r, c)) || truthy(rt(r, c)));
        case '=':
        case '!=':
        case '<':
        case '<=':
        case '>':
        case '>=':
          return (r, c) => bool(compareValues(op, l(r, c), rt(r, c)));
        default:
          return (r, c) => {
            const a = toNumber(l(r, c));
            const b = toNumber(rt(r, c));
            return a === undefined || b === undefined ? undefined : arith(op, a, b);
          };
      }
    }
    case 'match': {
      const subject = compileExpr(e.subject, env);
      const test = patternTest(e.pattern);
      const neg = e.negated;
      return (r, c) => {
        const v = subject(r, c);
        const s = v === undefined || isMap(v) || isList(v) ? undefined : toText(v);
        const hit = s !== undefined && test(s);
        return bool(neg ? !hit : hit); // D4
      };
    }
    case 'in': {
      const subject = compileExpr(e.subject, env);
      const items = e.items.map((i) => compileExpr(i, env));
      const neg = e.negated;
      return (r, c) => {
        const v = subject(r, c);
        const hit = items.some((i) => compareValues('=', v, i(r, c)));
        return bool(neg ? !hit : hit);
      };
    }
    case 'member': {
      const obj = compileExpr(e.object, env);
      const name = e.name;
      return (r, c) => member(obj(r, c), name);
    }
    case 'index': {
      const obj = compileExpr(e.object, env);
      const idx = compileExpr(e.index, env);
      return (r, c) => {
        const o = obj(r, c);
        const i = idx(r, c);
        if (isList(o)) {
          const n = toNumber(i);
          return n === undefined || !Number.isInteger(n) ? undefined : o[n];
        }
        if (isMap(o)) return o.get(toText(i) ?? '');
        return undefined;
      };
    }
    case 'call': {
      const f = lookupFunction(e.name) as ScalarFunction; // aggregates are compiled by stats
      const periods: (Period | undefined)[] = e.args.map((a) => {
        if (a.kind !== 'duration') return undefined;
        const unit = periodUnit(a.unit);
        return unit ? makePeriod(a.count, unit) : undefined;
      });
      const args = e.args.map((a) => compileExpr(a, env));
      const impl = f.eval;
      return (r, c) => impl(args.map((a) => a(r, c)), c, periods, r.ts);
    }
  }
}

// ---- stages -----------------------------------------------------------------------------------

export interface Stage {
  push(r: Rec): void;
  end(): void;
}

type Order = (a: Rec, b: Rec) => number;
/** spec 5.3: @timestamp descending, ties in input order. */
const defaultOrder: Order = (a, b) => (b.ts ?? 0) - (a.ts ?? 0) || a.seq - b.seq;
const arrivalOrder: Order = (a, b) => a.seq - b.seq;

/**
 * A copy of a record that a stage keeps beyond the line it came from. Its event no longer
 * points into the scan's read buffer, so kept records never pin whole chunks; and being new
 * objects, kept records do not teach V8 to allocate every record in the old generation (which
 * made a `limit 10000` spend 40% of its time in GC).
 */
function retain(r: Rec): Rec {
  const s = r.sys;
  let sys: SystemSource | null = null;
  if (s !== null) {
    const e = s.event;
    const event: QueryEvent = {
      timestamp: e.timestamp,
      message: e.message,
      ...(e.logStream != null ? { logStream: e.logStream } : {}),
      ...(e.logGroup != null ? { logGroup: e.logGroup } : {}),
      ...(e.ingestionTime !== undefined ? { ingestionTime: e.ingestionTime } : {}),
    };
    sys = { event, seq: s.seq, accountId: s.accountId };
  }
  return { fields: new Map(r.fields), sys, ts: r.ts, seq: r.seq };
}

/** Keeps the first `n` items under `order`, in at most 2n memory; `keep` copies an accepted item. */
class TopN<T> {
  private buf: T[] = [];
  /** The n-th best item after the last trim: an item that is not better can never be kept. */
  private worst: T | null = null;
  constructor(
    private readonly n: number,
    private readonly order: (a: T, b: T) => number,
    private readonly keep: (t: T) => T,
  ) {}
  add(t: T): void {
    // The orders break every tie (by input order), so "not better" is a strict answer.
    if (this.worst !== null && this.order(t, this.worst) >= 0) return;
    this.buf.push(this.keep(t));
    if (this.buf.length >= 2 * this.n + 1024) this.trim();
  }
  private trim(): void {
    this.buf.sort(this.order);
    this.buf.length = Math.min(this.buf.length, this.n);
    if (this.buf.length === this.n && this.n > 0) this.worst = this.buf[this.n - 1]!;
  }
  take(): T[] {
    this.trim();
    return this.buf;
  }
}

/** Re-numbers records leaving a barrier, so later stages see arrival order. */
function replay(records: readonly Rec[], next: Stage): void {
  let i = 0;
  for (const r of records) {
    r.seq = i++;
    next.push(r);
  }
}

export interface Pipeline {
  readonly head: Stage;
  readonly rows: Rec[];
  /** How many rows reached the end before the default 10,000-row cap (spec 5.4). */
  total(): number;
  /** The stats stage that workers can feed (see `workerStatsIndex`), or null. */
  readonly stats: MergeableStats | null;
}

/**
 * A stats stage's groups as data, to be merged into the stats stage of another thread. Kept
 * in columns (a few long arrays, not a few small ones per group), which cost far less to
 * clone across threads when there are many groups.
 */
export interface StatsPartial {
  /** Per group in first-seen order: its key (null: the absent group). */
  readonly keys: (string | null)[];
  /** The by-values of group i at [i * by, (i + 1) * by). */
  readonly values: Value[];
  /** The aggregate states of group i at [i * slots, (i + 1) * slots). */
  readonly states: unknown[];
}

export interface MergeableStats {
  /** The groups seen since the last take, as data; the stage starts again empty. */
  take(): StatsPartial;
  /** Adds groups that a worker saw after every record this stage has seen so far. */
  merge(p: StatsPartial): void;
}

/** Commands that decide each record alone, so parts of the input can run them anywhere. */
const ROW_WISE = new Set<Command['kind']>(['filter', 'fields', 'display', 'parseGlob', 'parseRegex', 'unnest']);

/**
 * The index of the stats command that scan workers can run, each over its parts of a file,
 * for the main thread to merge: the first stats, when only row-wise commands come before it,
 * none of them reads @ptr (a worker does not know the record's place in the whole input),
 * and every aggregate of it can merge (functions.ts). Else null.
 */
export function workerStatsIndex(commands: readonly Command[]): number | null {
  const i = commands.findIndex((c) => !ROW_WISE.has(c.kind));
  if (i === -1) return null;
  const c = commands[i]!;
  if (c.kind !== 'stats') return null;
  for (const n of referencedFields(commands.slice(0, i + 1), [])) if (n === '@ptr' || n.startsWith('@ptr.')) return null;
  return statsSlots(c).slots.every((sl) => sl.spec.create(sl.constants, DEFAULT_LIMITS).merge !== undefined) ? i : null;
}

/** `statsAt`: the index of the stats stage to expose as `Pipeline.stats` (workerStatsIndex). */
export function buildPipeline(commands: readonly Command[], hasLimit: boolean, ctx: EvalContext, statsAt: number | null = null): Pipeline {
  const rows: Rec[] = [];
  // Stages are built from the end, so each knows the next; `ordered` says whether records
  // reaching a stage are already in their real order.
  const orderedBefore: boolean[] = [];
  let ordered = false;
  for (const c of commands) {
    orderedBefore.push(ordered);
    if (c.kind === 'sort' || c.kind === 'limit' || c.kind === 'dedup' || c.kind === 'stats') ordered = true;
  }
  const finalOrdered = ordered;
  let total = 0;
  const sink = finalSink(rows, finalOrdered, hasLimit ? Infinity : DEFAULT_ROW_LIMIT);
  let next: Stage = {
    push: (r) => {
      total++;
      sink.push(r);
    },
    end: () => sink.end(),
  };
  let stats: MergeableStats | null = null;
  for (let i = commands.length - 1; i >= 0; i--) {
    const c = commands[i]!;
    const following = commands[i + 1];
    if (i === statsAt && c.kind === 'stats') {
      const stage = statsStage(c, next, ctx);
      stats = stage;
      next = stage;
      continue;
    }
    // sort | limit N: keep only the best N while sorting.
    const fusedLimit = c.kind === 'sort' && following?.kind === 'limit' ? following.count : undefined;
    next = stageFor(c, next, orderedBefore[i]!, ctx, fusedLimit);
  }
  return { head: next, rows, total: () => total, stats };
}

function finalSink(rows: Rec[], ordered: boolean, cap: number): Stage {
  if (ordered) {
    return {
      push: (r) => {
        if (rows.length < cap) rows.push(retain(r));
      },
      end: () => undefined,
    };
  }
  const top = new TopN(cap, defaultOrder, retain);
  return { push: (r) => top.add(r), end: () => rows.push(...top.take()) };
}

function stageFor(c: Command, next: Stage, ordered: boolean, ctx: EvalContext, fusedLimit: number | undefined): Stage {
  switch (c.kind) {
    case 'filter': {
      const cond = compileExpr(c.condition);
      return { push: (r) => (truthy(cond(r, ctx)) ? next.push(r) : undefined), end: () => next.end() };
    }
    case 'fields':
    case 'display': {
      // Every item reads the record as the command received it; items are stored in order.
      const items = c.items.map((it) => ({
        name: it.name,
        f: compileExpr(it.expr),
        plain: it.expr.kind === 'field' && it.alias === undefined && c.items.filter((o) => o.name === it.name).length === 1,
      }));
      // A plain field without alias already holds its value; storing it again is a no-op.
      const computed = items.filter((it) => !it.plain);
      return {
        push: (r) => {
          const values = computed.map((it) => it.f(r, ctx));
          computed.forEach((it, k) => setField(r, it.name, values[k]));
          next.push(r);
        },
        end: () => next.end(),
      };
    }
    case 'parseGlob':
    case 'parseRegex':
      return parseStage(c, next, ctx);
    case 'unnest': {
      const f = compileExpr(c.field);
      const into = c.into;
      return {
        push: (r) => {
          const v = f(r, ctx);
          const list = isList(v) ? v : v === undefined ? [] : [v]; // 3.9, D15
          list.forEach((x, k) => {
            const fields = new Map(r.fields);
            setFieldIn(fields, into, x);
            next.push({ fields, sys: r.sys, ts: r.ts, seq: r.seq + (k + 1) / (list.length + 1) });
          });
        },
        end: () => next.end(),
      };
    }
    case 'limit': {
      const n = c.count;
      if (ordered) {
        let seen = 0;
        return { push: (r) => (seen++ < n ? next.push(r) : undefined), end: () => next.end() };
      }
      const top = new TopN(n, defaultOrder, retain);
      return {
        push: (r) => top.add(r),
        end: () => {
          replay(top.take(), next);
          next.end();
        },
      };
    }
    case 'sort': {
      const keys = c.keys.map((k) => ({ f: compileExpr(k.expr), desc: k.desc }));
      const prior = ordered ? arrivalOrder : defaultOrder;
      interface Keyed {
        readonly r: Rec;
        readonly k: NaturalKey[];
      }
      const order = (a: Keyed, b: Keyed): number => {
        for (let i = 0; i < keys.length; i++) {
          const d = compareNaturalKeys(a.k[i]!, b.k[i]!);
          if (d !== 0) return keys[i]!.desc ? -d : d; // D39: reverse the comparison, keep ties stable
        }
        return prior(a.r, b.r);
      };
      // Kept entries are copies, keys included, for the reason given at retain().
      const keepKeyed = (x: Keyed): Keyed => ({ r: retain(x.r), k: x.k.map((n) => ({ ...n })) });
      const all: Keyed[] = [];
      const top = fusedLimit !== undefined ? new TopN(fusedLimit, order, keepKeyed) : null;
      return {
        push: (r) => {
          // 3.6: a map or list cannot be sorted; it counts as absent.
          const k = keys.map((key) => {
            const v = key.f(r, ctx);
            return naturalKey(isMap(v) || isList(v) ? undefined : v);
          });
          if (top) top.add({ r, k });
          else all.push(keepKeyed({ r, k }));
        },
        end: () => {
          const sorted = top ? top.take() : all.sort(order);
          replay(sorted.map((x) => x.r), next);
          next.end();
        },
      };
    }
    case 'dedup':
      return dedupStage(c, next, ordered, ctx);
    case 'stats':
      return statsStage(c, next, ctx);
  }
}

function setField(r: Rec, name: string, v: Value): void {
  setFieldIn(r.fields, name, v);
}

/** An absent value is stored as such, so it also hides a system or flattened field of that name. */
function setFieldIn(fields: Map<string, Value>, name: string, v: Value): void {
  fields.set(name, v);
}

/** spec 3.4 and D14: glob `*` is lazy except a trailing one; the match is searched, not anchored. */
export function globToRegex(pattern: string): RE2JS {
  const parts = pattern.split('*');
  const quote = (s: string): string => [...s].map((ch) => `\\x{${ch.codePointAt(0)!.toString(16)}}`).join('');
  let src = quote(parts[0]!);
  for (let i = 1; i < parts.length; i++) src += (i === parts.length - 1 && parts[i] === '' ? '(.*)' : '(.*?)') + quote(parts[i]!);
  return RE2JS.compile(src, RE2JS.DOTALL);
}

function parseStage(c: Extract<Command, { kind: 'parseGlob' | 'parseRegex' }>, next: Stage, ctx: EvalContext): Stage {
  const source = compileExpr(c.source);
  let names: string[];
  let extract: (s: string) => (string | undefined)[] | null;
  if (c.kind === 'parseGlob') {
    const re = globToRegex(c.pattern);
    names = c.names.map((n) => n.name);
    extract = (s) => {
      const m = re.matcher(s);
      if (!m.find()) return null;
      return names.map((_, i) => m.group(i + 1) ?? undefined);
    };
  } else {
    const { re, groups } = compileInsightsRegex(c.pattern);
    names = [...groups.keys()];
    const engineNames = [...groups.values()];
    extract = (s) => {
      const m = re.matcher(s);
      if (!m.find()) return null;
      return engineNames.map((g) => m.group(g) ?? undefined);
    };
  }
  return {
    push: (r) => {
      const v = source(r, ctx);
      const s = v === undefined || isMap(v) || isList(v) ? undefined : toText(v);
      const got = s === undefined ? null : extract(s);
      names.forEach((n, i) => setField(r, n, got ? got[i] : undefined)); // not matching: fields absent, record kept
      next.push(r);
    },
    end: () => next.end(),
  };
}

function dedupStage(c: Extract<Command, { kind: 'dedup' }>, next: Stage, ordered: boolean, ctx: EvalContext): Stage {
  const keys = c.fields.map((f) => compileExpr(f));
  const keyOf = (r: Rec): string | null => {
    const parts: string[] = [];
    for (const k of keys) {
      const v = k(r, ctx);
      if (v === undefined) return null; // records with an absent key are never duplicates
      parts.push(groupKeyPart(v));
    }
    return parts.join('\u0002');
  };
  if (ordered) {
    const seen = new Set<string>();
    const max = ctx.limits?.maxGroups ?? DEFAULT_LIMITS.maxGroups;
    return {
      push: (r) => {
        const k = keyOf(r);
        if (k === null || !seen.has(k)) {
          if (k !== null) seen.add(k);
          if (seen.size > max) throw new ResourceLimitError('dedup keys', max, '--max-groups');
          next.push(r);
        }
      },
      end: () => next.end(),
    };
  }
  // Default order: keep, per key, the first record in @timestamp-descending order.
  const best = new Map<string, Rec>();
  const maxKeys = ctx.limits?.maxGroups ?? DEFAULT_LIMITS.maxGroups;
  const keepAll: Rec[] = [];
  return {
    push: (r) => {
      const k = keyOf(r);
      if (k === null) return void keepAll.push(retain(r));
      const cur = best.get(k);
      if (!cur || defaultOrder(r, cur) < 0) best.set(k, retain(r));
      if (best.size > maxKeys) throw new ResourceLimitError('dedup keys', maxKeys, '--max-groups');
    },
    end: () => {
      replay([...best.values(), ...keepAll].sort(defaultOrder), next);
      next.end();
    },
  };
}

/** The key of the group of records whose (single) group value is absent. */
const ABSENT_GROUP = Symbol('absent');

interface Slot {
  readonly spec: AggregateFunction;
  readonly arg: Evaluator | null;
  readonly constants: number[];
}

/** The aggregate calls of a stats command, each in its slot, and where each call is. */
function statsSlots(c: Extract<Command, { kind: 'stats' }>): { slots: Slot[]; slotOf: Map<Expr, number> } {
  const slots: Slot[] = [];
  const slotOf = new Map<Expr, number>();
  const collect = (e: Expr): void => {
    if (e.kind === 'call') {
      const f = lookupFunction(e.name);
      if (f?.kind === 'aggregate') {
        const first = e.args[0];
        const arg = first === undefined || first.kind === 'star' ? null : compileExpr(first);
        const constants = e.args.slice(1).map((a) => (a.kind === 'number' ? a.value : a.kind === 'unary' && a.operand.kind === 'number' ? -a.operand.value : 0));
        slotOf.set(e, slots.length);
        slots.push({ spec: f, arg, constants });
        return;
      }
      e.args.forEach(collect);
    } else if (e.kind === 'unary') collect(e.operand);
    else if (e.kind === 'binary') {
      collect(e.left);
      collect(e.right);
    } else if (e.kind === 'match') collect(e.subject);
    else if (e.kind === 'in') {
      collect(e.subject);
      e.items.forEach(collect);
    } else if (e.kind === 'member' || e.kind === 'index') collect(e.object);
  };
  c.items.forEach((it) => collect(it.expr));
  return { slots, slotOf };
}

/** spec 3.5: one accumulator set per group; items evaluated left to right per group (D43). */
function statsStage(c: Extract<Command, { kind: 'stats' }>, next: Stage, ctx: EvalContext): Stage & MergeableStats {
  const { slots, slotOf } = statsSlots(c);
  const by = c.by.map((b) => ({ name: b.name, f: compileExpr(b.expr) }));
  const items = compileItems(c.items, slotOf);

  interface Group {
    values: Value[];
    accs: Accumulator[];
  }
  const groups = new Map<string | symbol, Group>();
  const limits = ctx.limits ?? DEFAULT_LIMITS;
  const newGroup = (values: Value[]): Group => {
    if (groups.size >= limits.maxGroups + (by.length === 0 ? 1 : 0)) throw new ResourceLimitError('stats groups', limits.maxGroups, '--max-groups');
    return { values, accs: slots.map((s) => s.spec.create(s.constants, limits)) };
  };
  const start = (): void => {
    groups.clear();
    if (by.length === 0) groups.set('', newGroup([])); // one row even over no records
  };
  start();

  return {
    push: (r) => {
      const values = by.map((b) => b.f(r, ctx));
      // D6: values group by their text (443 and "443" together); absent is a group of its own.
      const key: string | symbol =
        by.length === 0 ? '' : by.length === 1 ? (values[0] === undefined ? ABSENT_GROUP : toText(values[0])!) : values.map(groupKeyPart).join('\u0002');
      let g = groups.get(key);
      if (!g) {
        g = newGroup(values);
        groups.set(key, g);
      }
      const ts = r.ts ?? 0;
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i]!;
        if (s.arg === null) g.accs[i]!.add(1, ts, r.seq);
        else {
          const v = s.arg(r, ctx);
          if (s.spec.countsRecords && v === undefined) continue; // count(expr): records where it is present
          g.accs[i]!.add(v, ts, r.seq);
        }
      }
    },
    end: () => {
      let seq = 0;
      for (const g of groups.values()) {
        const fields = new Map<string, Value>();
        by.forEach((b, i) => setFieldIn(fields, b.name, g.values[i]));
        const results = g.accs.map((a) => a.result());
        for (const it of items) setFieldIn(fields, it.name, it.f(results, fields));
        next.push({ fields, sys: null, ts: undefined, seq: seq++ });
      }
      next.end();
    },
    take: () => {
      const keys: (string | null)[] = [];
      const values: Value[] = [];
      const states: unknown[] = [];
      for (const [key, g] of groups) {
        keys.push(typeof key === 'symbol' ? null : key);
        for (const v of g.values) values.push(v);
        for (const a of g.accs) states.push(a.state!());
      }
      start();
      return { keys, values, states };
    },
    merge: (p) => {
      // Parts arrive in input order, so a group new here is placed as one pass places it.
      const nb = by.length;
      const ns = slots.length;
      for (let i = 0; i < p.keys.length; i++) {
        const k = p.keys[i] ?? ABSENT_GROUP;
        let g = groups.get(k);
        if (!g) {
          g = newGroup(p.values.slice(i * nb, (i + 1) * nb).map(revive));
          groups.set(k, g);
        }
        for (let j = 0; j < ns; j++) g.accs[j]!.merge!(p.states[i * ns + j]);
      }
    },
  };
}

/**
 * A stats item as a function of its group's aggregate results and the row built so far:
 * aggregate calls read their slot; names of earlier items read the row (D43).
 */
function compileItems(items: readonly Item[], slotOf: Map<Expr, number>): { name: string; f: (results: Value[], row: Map<string, Value>) => Value }[] {
  return items.map((it) => {
    const f = compileOverSlots(it.expr, slotOf);
    return { name: it.name, f };
  });
}

function compileOverSlots(e: Expr, slotOf: Map<Expr, number>): (results: Value[], row: Map<string, Value>) => Value {
  // Rewrite to an ordinary expression over a record whose fields are the row plus slot values.
  const slotName = (i: number): string => `\u0000slot${i}`;
  const rewrite = (x: Expr): Expr => {
    const s = slotOf.get(x);
    if (s !== undefined) return { kind: 'field', name: slotName(s), quoted: true, span: x.span };
    switch (x.kind) {
      case 'unary':
        return { ...x, operand: rewrite(x.operand) };
      case 'binary':
        return { ...x, left: rewrite(x.left), right: rewrite(x.right) };
      case 'call':
        return { ...x, args: x.args.map(rewrite) };
      case 'match':
        return { ...x, subject: rewrite(x.subject) };
      case 'in':
        return { ...x, subject: rewrite(x.subject), items: x.items.map(rewrite) };
      case 'member':
        return { ...x, object: rewrite(x.object) };
      case 'index':
        return { ...x, object: rewrite(x.object), index: rewrite(x.index) };
      default:
        return x;
    }
  };
  const f = compileExpr(rewrite(e));
  const noCtx: EvalContext = { now: 0, window: { start: 0, end: 0 } };
  return (results, row) => {
    const fields = new Map(row);
    results.forEach((v, i) => setFieldIn(fields, slotName(i), v));
    return f({ fields, sys: null, ts: undefined, seq: 0 }, noCtx);
  };
}

export { DEFAULT_ACCOUNT_ID };
