/**
 * THE registry of Logs Insights functions and aggregates (insights spec 7): name, arity,
 * kind and evaluator, in one place. The checker reads arity and kind from here (and offers
 * did-you-mean from these names); the compiler and the reference evaluator call the same
 * evaluators.
 */
import { RE2JS } from 're2js';
import { compileInsightsRegex } from './regex.js';
import { floorToPeriod, ceilToPeriod, type Period } from './time.js';
import {
  bool,
  isList,
  isMap,
  isNumberLooking,
  jsonText,
  naturalCompare,
  revive,
  type InsightsMap,
  Timestamp,
  toNumber,
  toNumberLoose,
  toScalarText,
  toText,
  truthy,
  type Value,
} from './values.js';
import { parseJson, JsonNumber, type JsonValue } from '../events/json.js';

/** What a scalar function may need besides its arguments. */
export interface EvalContext {
  /** Query start, epoch ms (now()). */
  readonly now: number;
  /** Earliest and latest event timestamps (D26). */
  readonly window: { readonly start: number; readonly end: number };
  /** Memory caps (issue: resource bounds); undefined fields use the defaults. */
  readonly limits?: QueryLimits;
}

/**
 * Caps on state that grows with the data rather than the result. Hitting one stops the query
 * with ResourceLimitError: an answer with groups or values left out would be wrong, silently.
 */
export interface QueryLimits {
  /** stats groups, and dedup keys. */
  readonly maxGroups: number;
  /** Values held by one count_distinct or pct. */
  readonly maxValues: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxGroups: 1_000_000, maxValues: 10_000_000 };

export class ResourceLimitError extends Error {
  constructor(
    readonly what: string,
    readonly limit: number,
    readonly flag: string,
  ) {
    super(`${what} reached ${limit.toLocaleString('en-US')}, the limit set by ${flag}; no answer is given rather than an incomplete one`);
    this.name = 'ResourceLimitError';
  }
}

export interface ScalarFunction {
  readonly kind: 'scalar';
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Indexes of arguments that must be duration literals (bin, datefloor, dateceil). */
  readonly periodArgs?: readonly number[];
  /** Reads @timestamp itself (bin): invalid in a second stats. */
  readonly readsTimestamp?: boolean;
  /** `ts`: the record's @timestamp in epoch ms (bin), undefined after stats. */
  readonly eval: (args: Value[], ctx: EvalContext, periods: (Period | undefined)[], ts: number | undefined) => Value;
}

export interface Accumulator {
  add(value: Value, timestamp: number, seq: number): void;
  result(): Value;
  /**
   * Mergeable aggregates (scan workers aggregate parts of a file): the accumulator's state as
   * structured-cloneable data. Absent for an aggregate whose parts cannot be merged into the
   * answer one thread would give (stddev: Welford's running sums depend on the order).
   */
  state?(): unknown;
  /**
   * Adds the state of an accumulator that saw the records after this one's, so the result is
   * the one of a single accumulator that saw them all (ties resolved as one pass resolves them).
   */
  merge?(state: unknown): void;
}

export interface AggregateFunction {
  readonly kind: 'aggregate';
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Stats non-aggregation functions (7.10) read @timestamp (earliest/latest): invalid in a second stats. */
  readonly readsTimestamp?: boolean;
  /** Arguments after the first must be number literals (pct). */
  readonly constantArgs?: boolean;
  /** count() / count(*) counts records, not values. */
  readonly countsRecords?: boolean;
  readonly create: (constants: number[], limits: QueryLimits) => Accumulator;
}

export type FunctionSpec = ScalarFunction | AggregateFunction;

const registry = new Map<string, FunctionSpec>();

function scalar(name: string, min: number, max: number, evalFn: ScalarFunction['eval'], extra: Partial<ScalarFunction> = {}): void {
  registry.set(name.toLowerCase(), { kind: 'scalar', name, min, max, eval: evalFn, ...extra });
}
function aggregate(name: string, min: number, max: number, create: AggregateFunction['create'], extra: Partial<AggregateFunction> = {}): void {
  registry.set(name.toLowerCase(), { kind: 'aggregate', name, min, max, create, ...extra });
}

export function lookupFunction(name: string): FunctionSpec | undefined {
  return registry.get(name.toLowerCase());
}

export function functionNames(): string[] {
  return [...registry.values()].map((f) => f.name);
}

const VARIADIC = 1_000;

// ---- helpers ------------------------------------------------------------------------------

/** Applies f to the numeric forms of the arguments; absent when any is not a number. */
function num1(f: (x: number) => number | undefined): ScalarFunction['eval'] {
  return ([a]) => {
    const x = toNumber(a);
    if (x === undefined) return undefined;
    const r = f(x);
    return r === undefined || !Number.isFinite(r) ? undefined : r;
  };
}

function str1(f: (s: string) => Value): ScalarFunction['eval'] {
  return ([a]) => {
    const s = toScalarText(a);
    return s === undefined ? undefined : f(s);
  };
}

const WS = ' \t\n\r\f\v';

function trimSet(s: string, set: string, left: boolean, right: boolean): string {
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.includes(s[a]!)) a++;
  if (right) while (b > a && set.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function trimFn(left: boolean, right: boolean): ScalarFunction['eval'] {
  return (args) => {
    const s = toScalarText(args[0]);
    if (s === undefined) return undefined;
    const set = args.length > 1 ? toScalarText(args[1]) : WS;
    return set === undefined ? undefined : trimSet(s, set, left, right);
  };
}

/** D9: halves away from zero. */
function roundHalfAway(x: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.sign(x) * Math.round(Math.abs(x) * f + Number.EPSILON * Math.abs(x) * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

function fromJson(v: JsonValue): Value {
  if (v === null) return undefined; // D1
  if (typeof v === 'boolean') return v ? 1 : 0; // D1
  if (v instanceof JsonNumber) return v.value;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(fromJson);
  const m: InsightsMap = new Map();
  for (const [k, x] of v) m.set(k, fromJson(x));
  return m;
}

// ---- IP addresses (7.5) ---------------------------------------------------------------------

/** D27: four decimal octets 0-255, no leading zeros, no signs. */
export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** An IPv6 address as a 128-bit bigint (with an embedded IPv4 tail allowed). */
export function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.length < 2) return undefined;
  let tail4: number | undefined;
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    tail4 = parseIpv4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    text = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): string[] | undefined => {
    if (h === '') return [];
    const g = h.split(':');
    return g.every((x) => /^[0-9A-Fa-f]{1,4}$/.test(x)) ? g : undefined;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const groups = halves.length === 2 ? [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest] : head;
  if (groups.length !== 8 || (halves.length === 2 && head.length + rest.length > 7)) return undefined;
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g, 16));
  if (tail4 !== undefined) n = (n & ~0xffffffffn) | BigInt(tail4);
  return n;
}

function inSubnet(ip: string, cidr: string, family: 4 | 6 | 0): boolean {
  const slash = cidr.indexOf('/');
  if (slash === -1) return false;
  const bitsText = cidr.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bitsText)) return false;
  const bits = Number(bitsText);
  const net = cidr.slice(0, slash);
  if (family !== 6) {
    const a = parseIpv4(ip);
    const n = parseIpv4(net);
    if (a !== undefined && n !== undefined && bits <= 32) {
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      return ((a & mask) >>> 0) === ((n & mask) >>> 0);
    }
  }
  if (family !== 4) {
    const a = parseIpv6(ip);
    const n = parseIpv6(net);
    if (a !== undefined && n !== undefined && bits <= 128) {
      const mask = bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
      return (a & mask) === (n & mask);
    }
  }
  return false;
}

/** IANA special-purpose IPv4 ranges (isReservedIP). */
const RESERVED_V4 = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4', '255.255.255.255/32'];
const RESERVED_V6 = ['::/128', '::1/128', '::ffff:0:0/96', '64:ff9b::/96', '100::/64', '2001::/23', '2001:db8::/32', '2002::/16', 'fc00::/7', 'fe80::/10', 'ff00::/8'];
const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

function ipText(v: Value): string | undefined {
  return toScalarText(v);
}

// ---- scalar functions -------------------------------------------------------------------------

// 7.1 numeric
scalar('abs', 1, 1, num1(Math.abs));
scalar('ceil', 1, 1, num1(Math.ceil));
scalar('floor', 1, 1, num1(Math.floor));
for (const [name, pick] of [['greatest', 1], ['least', -1]] as const) {
  scalar(name, 1, VARIADIC, (args) => {
    let best: number | undefined;
    for (const a of args) {
      const x = toNumber(a);
      if (x === undefined) continue;
      if (best === undefined || (pick === 1 ? x > best : x < best)) best = x;
    }
    return best;
  });
}
scalar('log', 1, 1, num1((x) => (x > 0 ? Math.log(x) : undefined)));
scalar('sqrt', 1, 1, num1((x) => (x >= 0 ? Math.sqrt(x) : undefined)));
scalar('round', 1, 2, ([a, d]) => {
  const x = toNumber(a);
  if (x === undefined) return undefined;
  const digits = d === undefined ? 0 : toNumber(d);
  if (digits === undefined) return undefined;
  return roundHalfAway(x, Math.trunc(digits));
});
for (const name of ['toNumber', 'toDouble']) scalar(name, 1, 1, ([a]) => (typeof a === 'number' ? a : toNumberLoose(a)));
for (const name of ['toInt', 'toLong'])
  scalar(name, 1, 1, ([a]) => {
    const x = typeof a === 'number' ? a : toNumberLoose(a);
    return x === undefined ? undefined : Math.trunc(x) || 0;
  });
scalar('haversine', 4, 4, (args) => {
  const n = args.map(toNumber);
  if (n.some((x) => x === undefined)) return undefined;
  const [la1, lo1, la2, lo2] = (n as number[]).map((x) => (x * Math.PI) / 180);
  const h = Math.sin((la2! - la1!) / 2) ** 2 + Math.cos(la1!) * Math.cos(la2!) * Math.sin((lo2! - lo1!) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h)); // D9
});

// 7.2 general
scalar('ispresent', 1, 1, ([a]) => bool(a !== undefined));
scalar('coalesce', 1, VARIADIC, (args) => args.find((a) => a !== undefined));
scalar('if', 3, 3, ([c, t, f]) => (truthy(c) ? t : f));
scalar('case', 2, 21, (args) => {
  let i = 0;
  for (; i + 1 < args.length; i += 2) if (truthy(args[i])) return args[i + 1];
  return i < args.length ? args[i] : undefined;
});
scalar('isNumeric', 1, 1, ([a]) => bool(typeof a === 'number' || (typeof a === 'string' && toNumberLoose(a) !== undefined)));
scalar('messageSize', 1, 1, str1((s) => Buffer.byteLength(s, 'utf8')));

// 7.3 string
scalar('isempty', 1, 1, ([a]) => bool(a === undefined || a === ''));
scalar('isblank', 1, 1, ([a]) => bool(a === undefined || (typeof a === 'string' && [...a].every((c) => WS.includes(c)))));
scalar('concat', 1, VARIADIC, (args) => {
  const parts = args.map(toScalarText).filter((s): s is string => s !== undefined);
  return parts.length === 0 ? undefined : parts.join(''); // D23
});
scalar('ltrim', 1, 2, trimFn(true, false));
scalar('rtrim', 1, 2, trimFn(false, true));
scalar('trim', 1, 2, trimFn(true, true));
scalar('strlen', 1, 1, str1((s) => [...s].length));
scalar('toupper', 1, 1, str1((s) => s.toUpperCase()));
scalar('tolower', 1, 1, str1((s) => s.toLowerCase()));
scalar('substr', 2, 3, ([a, st, len]) => {
  const s = toScalarText(a);
  const start = toNumber(st);
  if (s === undefined || start === undefined) return undefined;
  const cps = [...s];
  const from = Math.max(0, Math.trunc(start)); // D24
  if (len === undefined) return cps.slice(from).join('');
  const n = toNumber(len);
  if (n === undefined) return undefined;
  return cps.slice(from, from + Math.max(0, Math.trunc(n))).join('');
});
scalar('replace', 3, 3, ([a, search, repl]) => {
  const s = toScalarText(a);
  const f = toScalarText(search);
  const r = toScalarText(repl);
  if (s === undefined || f === undefined || r === undefined) return undefined;
  return f === '' ? s : s.split(f).join(r);
});
scalar('regexReplace', 3, 3, ([a, pattern, repl]) => {
  const s = toScalarText(a);
  const p = toScalarText(pattern);
  const r = toScalarText(repl);
  if (s === undefined || p === undefined || r === undefined) return undefined;
  const re = cachedRegex(p);
  return re === null ? undefined : re.matcher(s).replaceAll(r);
});
scalar('strcontains', 2, 3, ([a, sub, ci]) => {
  const s = toScalarText(a);
  const t = toScalarText(sub);
  if (s === undefined || t === undefined) return undefined;
  return truthy(ci) ? bool(s.toLowerCase().includes(t.toLowerCase())) : bool(s.includes(t));
});
scalar('startsWith', 2, 2, ([a, p]) => {
  const s = toScalarText(a);
  const t = toScalarText(p);
  return s === undefined || t === undefined ? undefined : bool(s.startsWith(t));
});
scalar('endsWith', 2, 2, ([a, p]) => {
  const s = toScalarText(a);
  const t = toScalarText(p);
  return s === undefined || t === undefined ? undefined : bool(s.endsWith(t));
});
scalar('split', 2, 2, ([a, d]) => {
  const s = toScalarText(a);
  const t = toScalarText(d);
  return s === undefined || t === undefined ? undefined : s.split(t);
});
scalar('urlencode', 1, 1, str1((s) => encodeURIComponent(s)));
scalar('urldecode', 1, 1, str1((s) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}));
scalar('base64encode', 1, 1, str1((s) => Buffer.from(s, 'utf8').toString('base64')));
scalar('base64decode', 1, 1, str1((s) => (/^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 ? Buffer.from(s, 'base64').toString('utf8') : undefined)));
scalar('hexToAscii', 1, 1, str1((s) => (/^([0-9A-Fa-f]{2})*$/.test(s) ? Buffer.from(s, 'hex').toString('latin1') : undefined)));
scalar('hexToDec', 1, 1, str1((s) => (/^(0x)?[0-9A-Fa-f]+$/.test(s) ? parseInt(s.replace(/^0x/, ''), 16) : undefined)));
scalar('decToHex', 1, 1, ([a]) => {
  const x = toNumber(a);
  return x === undefined || !Number.isInteger(x) ? undefined : x.toString(16);
});

// 7.4 datetime
scalar('bin', 1, 1, (_args, _ctx, [p], ts) => (ts === undefined || !p ? undefined : new Timestamp(floorToPeriod(ts, p))), { periodArgs: [0], readsTimestamp: true });
scalar('datefloor', 2, 2, ([ts], _ctx, [, p]) => {
  const ms = toNumber(ts);
  return ms === undefined || !p ? undefined : new Timestamp(floorToPeriod(ms, p));
}, { periodArgs: [1] });
scalar('dateceil', 2, 2, ([ts], _ctx, [, p]) => {
  const ms = toNumber(ts);
  return ms === undefined || !p ? undefined : new Timestamp(ceilToPeriod(ms, p));
}, { periodArgs: [1] });
scalar('fromMillis', 1, 1, ([a]) => {
  const ms = toNumber(a);
  return ms === undefined ? undefined : new Timestamp(ms);
});
scalar('toMillis', 1, 1, ([a]) => {
  if (a instanceof Timestamp) return a.ms;
  if (typeof a === 'number') return a;
  if (typeof a === 'string') {
    const t = Date.parse(a);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
});
scalar('now', 0, 0, (_a, ctx) => Math.floor(ctx.now / 1000));
scalar('queryStartTime', 0, 0, (_a, ctx) => ctx.window.start); // D26
scalar('queryEndTime', 0, 0, (_a, ctx) => ctx.window.end);
scalar('queryTimeRange', 0, 0, (_a, ctx) => ctx.window.end - ctx.window.start);
scalar('formatDate', 2, 3, ([ts, fmt]) => {
  const ms = toNumber(ts);
  const f = toScalarText(fmt);
  return ms === undefined || f === undefined ? undefined : strftime(ms, f);
});
scalar('strftime', 2, 3, ([ts, fmt]) => {
  const ms = toNumber(ts);
  const f = toScalarText(fmt);
  return ms === undefined || f === undefined ? undefined : strftime(ms, f);
});
scalar('parseDate', 2, 3, ([s]) => {
  const t = toScalarText(s);
  if (t === undefined) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
});

// 7.5 IP
scalar('isValidIp', 1, 1, ([a]) => {
  const s = ipText(a);
  return s === undefined ? 0 : bool(parseIpv4(s) !== undefined || parseIpv6(s) !== undefined);
});
scalar('isValidIpV4', 1, 1, ([a]) => {
  const s = ipText(a);
  return s === undefined ? 0 : bool(parseIpv4(s) !== undefined);
});
scalar('isValidIpV6', 1, 1, ([a]) => {
  const s = ipText(a);
  return s === undefined ? 0 : bool(parseIpv6(s) !== undefined);
});
for (const [name, family] of [['isIpInSubnet', 0], ['isIpv4InSubnet', 4], ['isIpv6InSubnet', 6]] as const)
  scalar(name, 2, 2, ([a, c]) => {
    const s = ipText(a);
    const cidr = ipText(c);
    return s === undefined || cidr === undefined ? 0 : bool(inSubnet(s, cidr, family));
  });
scalar('ipv4ToNumber', 1, 1, ([a]) => {
  const s = ipText(a);
  return s === undefined ? undefined : parseIpv4(s);
});
scalar('isPrivateIP', 1, 1, ([a]) => {
  const s = ipText(a);
  return s === undefined ? 0 : bool(PRIVATE_V4.some((c) => inSubnet(s, c, 4)));
});
scalar('isReservedIP', 1, 1, ([a]) => {
  const s = ipText(a);
  return s === undefined ? 0 : bool(RESERVED_V4.some((c) => inSubnet(s, c, 4)) || RESERVED_V6.some((c) => inSubnet(s, c, 6)));
});
scalar('isPublicIP', 1, 1, ([a]) => {
  const s = ipText(a);
  if (s === undefined) return 0;
  const valid = parseIpv4(s) !== undefined || parseIpv6(s) !== undefined;
  return bool(valid && !RESERVED_V4.some((c) => inSubnet(s, c, 4)) && !RESERVED_V6.some((c) => inSubnet(s, c, 6)));
});

// 7.7 JSON
scalar('jsonParse', 1, 1, str1((s) => {
  const v = parseJson(s);
  return v !== undefined && v !== null && typeof v === 'object' && !(v instanceof JsonNumber) ? fromJson(v) : undefined;
}));
scalar('jsonStringify', 1, 1, ([a]) => (isMap(a) || isList(a) ? jsonText(a) : undefined));
scalar('jsonArraySize', 1, 1, ([a]) => {
  const v = isList(a) ? a : typeof a === 'string' ? fromJsonArray(a) : undefined;
  return v === undefined ? undefined : v.length;
});
scalar('jsonArrayContains', 2, 2, ([a, x]) => {
  const v = isList(a) ? a : typeof a === 'string' ? fromJsonArray(a) : undefined;
  const t = toScalarText(x);
  return bool(v !== undefined && t !== undefined && v.some((e) => e === t));
});

function fromJsonArray(s: string): Value[] | undefined {
  const v = parseJson(s);
  return Array.isArray(v) ? (fromJson(v) as Value[]) : undefined;
}

const regexCache = new Map<string, RE2JS | null>();
function cachedRegex(p: string): RE2JS | null {
  let re = regexCache.get(p);
  if (re === undefined) {
    try {
      re = compileInsightsRegex(p).re;
    } catch {
      re = null;
    }
    if (regexCache.size > 256) regexCache.clear();
    regexCache.set(p, re);
  }
  return re;
}

/** A small strftime: %Y %m %d %H %M %S %L(ms) %j %a %b %Z %s %%. */
function strftime(ms: number, f: string): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const startOfYear = Date.UTC(d.getUTCFullYear(), 0, 1);
  return f.replace(/%([YmdHMSLjabZs%])/g, (_m, c: string) => {
    switch (c) {
      case 'Y':
        return p(d.getUTCFullYear(), 4);
      case 'm':
        return p(d.getUTCMonth() + 1);
      case 'd':
        return p(d.getUTCDate());
      case 'H':
        return p(d.getUTCHours());
      case 'M':
        return p(d.getUTCMinutes());
      case 'S':
        return p(d.getUTCSeconds());
      case 'L':
        return p(d.getUTCMilliseconds(), 3);
      case 'j':
        return p(Math.floor((ms - startOfYear) / 86_400_000) + 1, 3);
      case 'a':
        return days[d.getUTCDay()]!;
      case 'b':
        return months[d.getUTCMonth()]!;
      case 'Z':
        return 'UTC';
      case 's':
        return String(Math.floor(ms / 1000));
      default:
        return '%';
    }
  });
}

/** Adds x to non-overlapping partials exactly (Shewchuk 1997, the msum of Python's math.fsum). */
function addPartial(ps: number[], x: number): void {
  let i = 0;
  for (const p of ps) {
    let y = p;
    if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) ps[i++] = lo;
    x = hi;
  }
  ps.length = i;
  ps.push(x);
}

/** The sum of non-overlapping partials rounded once to the nearest double (ties to even). */
function roundPartials(ps: readonly number[]): number {
  let n = ps.length;
  if (n === 0) return 0;
  let hi = ps[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = ps[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Round half to even across the remaining partials (as math.fsum does).
  if (n > 0 && ((lo < 0 && ps[n - 1]! < 0) || (lo > 0 && ps[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/** Values this big or bigger are kept scaled down by SCALE (exactly: nothing reaches the subnormals). */
const BIG = 2 ** -900;
const SCALE = 2 ** 64;

/** An ExactSum's state, for merging. */
export interface ExactSumState {
  readonly big: number[];
  readonly small: number[];
  readonly special: number;
}

/**
 * A sum of doubles kept exactly and rounded once when read: the same answer in any order of
 * addition and any grouping into parts, overflow included. Values are kept as partials (as
 * Python's math.fsum); big ones scaled down by 2^64, so no partial sum overflows on the way
 * ([1e308, 1e308, -1e308] is 1e308 however it is added); values that are not finite add up
 * apart, as IEEE adds them (any order gives the same Infinity or NaN).
 */
export class ExactSum {
  private readonly big: number[] = [];
  private readonly small: number[] = [];
  private special = 0;

  add(x: number): void {
    if (!Number.isFinite(x)) this.special += x;
    else if (Math.abs(x) >= BIG) addPartial(this.big, x / SCALE);
    else addPartial(this.small, x);
  }

  state(): ExactSumState {
    return { big: this.big.slice(), small: this.small.slice(), special: this.special };
  }

  /** Adds the sum whose state this is, exactly. */
  merge(s: ExactSumState): void {
    for (const p of s.big) addPartial(this.big, p);
    for (const p of s.small) addPartial(this.small, p);
    this.special += s.special;
  }

  value(): number {
    if (this.special !== 0 || Number.isNaN(this.special)) return this.special;
    const all = this.small.slice();
    for (const p of this.big) {
      const x = p * SCALE;
      // A partial that overflows when scaled back is (within rounding) the size of the sum.
      if (!Number.isFinite(x)) return x;
      addPartial(all, x);
      const top = all[all.length - 1]!;
      if (!Number.isFinite(top)) return top;
    }
    return roundPartials(all);
  }
}

// ---- aggregates (7.9, 7.10) -----------------------------------------------------------------

// Accumulators are classes, not closures: a stats with many groups holds one per group and
// aggregate, and an object with its methods on a prototype is a fraction of the memory of an
// object of four closures over a context.

class CountAcc implements Accumulator {
  private n = 0;
  add(): void {
    this.n++;
  }
  result(): Value {
    return this.n;
  }
  state(): unknown {
    return this.n;
  }
  merge(s: unknown): void {
    this.n += s as number;
  }
}
aggregate('count', 0, 1, () => new CountAcc(), { countsRecords: true });

class CountDistinctAcc implements Accumulator {
  private readonly seen = new Set<string>();
  constructor(private readonly limits: QueryLimits) {}
  private check(): void {
    if (this.seen.size > this.limits.maxValues) throw new ResourceLimitError('count_distinct values', this.limits.maxValues, '--max-values');
  }
  add(v: Value): void {
    if (v === undefined) return;
    this.seen.add(toText(v)!); // D6, D30: exact
    this.check();
  }
  result(): Value {
    return this.seen.size;
  }
  state(): unknown {
    return [...this.seen];
  }
  merge(s: unknown): void {
    for (const t of s as string[]) this.seen.add(t);
    this.check();
  }
}
aggregate('count_distinct', 1, 1, (_c, limits) => new CountDistinctAcc(limits));

/** D31: the numeric form of a value for sum, avg and stddev; undefined skips it. */
function numericValue(v: Value): number | undefined {
  return typeof v === 'number' ? v : v instanceof Timestamp ? v.ms : typeof v === 'string' ? toNumberLoose(v) : undefined;
}

/**
 * sum and avg add exactly (Shewchuk's partials, as Python's math.fsum) and round once: the
 * answer does not depend on the order of the values, so parts summed by scan workers and
 * merged give the one-thread answer to the bit. A running double sum would not.
 */
class SumAcc implements Accumulator {
  private readonly sum = new ExactSum();
  private n = 0;
  constructor(private readonly average: boolean) {}
  add(v: Value): void {
    const x = numericValue(v);
    if (x === undefined) return; // D31
    this.sum.add(x);
    this.n++;
  }
  result(): Value {
    if (this.n === 0) return undefined;
    return this.average ? this.sum.value() / this.n : this.sum.value();
  }
  state(): unknown {
    return { sum: this.sum.state(), n: this.n };
  }
  merge(s: unknown): void {
    const o = s as { sum: ExactSumState; n: number };
    this.sum.merge(o.sum);
    this.n += o.n;
  }
}
aggregate('sum', 1, 1, () => new SumAcc(false));
aggregate('avg', 1, 1, () => new SumAcc(true));

/** D33. Welford's method keeps stddev accurate; its sums depend on the order, so it has no state. */
class StddevAcc implements Accumulator {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  add(v: Value): void {
    const x = numericValue(v);
    if (x === undefined) return; // D31
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  result(): Value {
    return this.n === 0 ? undefined : this.n === 1 ? 0 : Math.sqrt(this.m2 / (this.n - 1));
  }
}
aggregate('stddev', 1, 1, () => new StddevAcc());

/** D32: numeric min/max when every value is a number value, natural sort otherwise. */
class ExtremeAcc implements Accumulator {
  private bestNum: Value;
  private bestNumKey: number | undefined;
  private allNumeric = true;
  private bestNat: Value;
  constructor(private readonly sign: 1 | -1) {}
  private offerNum(key: number, v: Value): void {
    if (this.bestNumKey === undefined || (this.sign === 1 ? key > this.bestNumKey : key < this.bestNumKey)) {
      this.bestNumKey = key;
      this.bestNum = v;
    }
  }
  // Strictly better only: the first of equal values stays, in one pass and across parts.
  private offerNat(v: Value): void {
    if (this.bestNat === undefined || naturalCompare(v, this.bestNat) * this.sign > 0) this.bestNat = v;
  }
  add(v: Value): void {
    if (v === undefined) return;
    const key = v instanceof Timestamp ? v.ms : typeof v === 'number' ? v : typeof v === 'string' && isNumberLooking(v) ? Number(v) : undefined;
    if (key === undefined) this.allNumeric = false;
    else this.offerNum(key, v);
    this.offerNat(v);
  }
  result(): Value {
    if (this.allNumeric) return typeof this.bestNum === 'string' ? this.bestNumKey : this.bestNum;
    return this.bestNat;
  }
  state(): unknown {
    return { bestNum: this.bestNum, bestNumKey: this.bestNumKey, allNumeric: this.allNumeric, bestNat: this.bestNat };
  }
  merge(s: unknown): void {
    const o = s as { bestNum: Value; bestNumKey: number | undefined; allNumeric: boolean; bestNat: Value };
    if (o.bestNumKey !== undefined) this.offerNum(o.bestNumKey, revive(o.bestNum));
    if (o.bestNat !== undefined) this.offerNat(revive(o.bestNat));
    this.allNumeric &&= o.allNumeric;
  }
}
aggregate('max', 1, 1, () => new ExtremeAcc(1));
aggregate('min', 1, 1, () => new ExtremeAcc(-1));

class PctAcc implements Accumulator {
  private readonly xs: number[] = [];
  constructor(
    private readonly p: number,
    private readonly limits: QueryLimits,
  ) {}
  private check(): void {
    if (this.xs.length > this.limits.maxValues) throw new ResourceLimitError('pct values', this.limits.maxValues, '--max-values');
  }
  add(v: Value): void {
    const x = toNumber(v);
    if (x === undefined) return;
    this.xs.push(x);
    this.check();
  }
  result(): Value {
    const xs = this.xs;
    if (xs.length === 0) return undefined;
    xs.sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil((this.p / 100) * xs.length)); // D34: nearest rank
    return xs[Math.min(rank, xs.length) - 1];
  }
  state(): unknown {
    return this.xs;
  }
  merge(s: unknown): void {
    for (const x of s as number[]) this.xs.push(x);
    this.check();
  }
}
aggregate('pct', 2, 2, ([p], limits) => new PctAcc(p ?? 0, limits), { constantArgs: true });

class TimeExtremeAcc implements Accumulator {
  private best: Value;
  private bestTs = 0;
  private bestSeq = 0;
  private any = false;
  constructor(private readonly later: boolean) {}
  add(v: Value, ts: number, seq: number): void {
    if (v === undefined) return;
    // D35: ties go to the first record in arrival order (smaller seq).
    if (!this.any || (this.later ? ts > this.bestTs : ts < this.bestTs) || (ts === this.bestTs && seq < this.bestSeq)) {
      this.best = v;
      this.bestTs = ts;
      this.bestSeq = seq;
      this.any = true;
    }
  }
  result(): Value {
    return this.best;
  }
  state(): unknown {
    return { best: this.best, bestTs: this.bestTs, any: this.any };
  }
  merge(s: unknown): void {
    // The merged records came later: on a tie of times, the one held here stays (D35).
    const o = s as { best: Value; bestTs: number; any: boolean };
    if (o.any && (!this.any || (this.later ? o.bestTs > this.bestTs : o.bestTs < this.bestTs))) {
      this.best = revive(o.best);
      this.bestTs = o.bestTs;
      this.bestSeq = -Infinity; // it came before any record added from now on: a tie keeps it
      this.any = true;
    }
  }
}
for (const [name, later] of [['earliest', false], ['latest', true]] as const) aggregate(name, 1, 1, () => new TimeExtremeAcc(later), { readsTimestamp: true });

class SortsAcc implements Accumulator {
  private best: Value;
  constructor(private readonly sign: 1 | -1) {}
  add(v: Value): void {
    if (v !== undefined && (this.best === undefined || naturalCompare(v, this.best) * this.sign > 0)) this.best = v;
  }
  result(): Value {
    return this.best;
  }
  state(): unknown {
    return this.best;
  }
  merge(s: unknown): void {
    this.add(revive(s as Value));
  }
}
for (const [name, sign] of [['sortsFirst', -1], ['sortsLast', 1]] as const) aggregate(name, 1, 1, () => new SortsAcc(sign));

