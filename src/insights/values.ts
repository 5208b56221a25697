/**
 * Runtime values of Logs Insights (insights spec 1.2) and the rules every command shares:
 * coercion (4.4), truthiness (4.2, D2), comparison (4.3, D4), the natural-sort comparator
 * (3.6.1, D7, D37), rendering (5.5) and grouping equality (D6).
 */

/** A point in time, kept apart from numbers so it renders as AWS shows it (spec 5.5). */
export class Timestamp {
  constructor(readonly ms: number) {}
}

export type InsightsMap = Map<string, Value>;
/** `undefined` is "absent" (spec 1.2). */
export type Value = string | number | Timestamp | InsightsMap | Value[] | undefined;

/** spec 3.6.1 rule 1: optional `-`, digits, optional `.digits`. */
const NUMBER_LOOKING = /^-?[0-9]+(\.[0-9]+)?$/;

export function isNumberLooking(s: string): boolean {
  return NUMBER_LOOKING.test(s);
}

/** A number for arithmetic (4.4): numbers, number-looking strings, timestamps as epoch ms. */
export function toNumber(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return NUMBER_LOOKING.test(v) ? Number(v) : undefined;
  if (v instanceof Timestamp) return v.ms;
  return undefined;
}

/** Like toNumber, but also reads exponents and a leading `+` (toNumber(), isNumeric(), sum, avg). */
export function toNumberLoose(v: Value): number | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(t) ? Number(t) : undefined;
  }
  return toNumber(v);
}

/**
 * A value back from another thread: structured cloning keeps maps, lists, strings and numbers
 * but turns a Timestamp into a plain object, which this turns back.
 */
export function revive(v: unknown): Value {
  if (v === undefined || typeof v === 'string' || typeof v === 'number') return v;
  if (v instanceof Timestamp) return v;
  if (Array.isArray(v)) return v.map(revive);
  if (v instanceof Map) {
    const m: InsightsMap = new Map();
    for (const [k, x] of v as Map<string, unknown>) m.set(k, revive(x));
    return m;
  }
  return new Timestamp((v as { ms: number }).ms);
}

export function isList(v: Value): v is Value[] {
  return Array.isArray(v);
}

export function isMap(v: Value): v is InsightsMap {
  return v instanceof Map;
}

export function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** spec 5.5: `YYYY-MM-DD HH:MM:SS.mmm` in UTC. */
export function renderTimestamp(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** Number text as AWS prints it: integral values without a fraction (spec 1.2). */
export function renderNumber(n: number): string {
  if (Object.is(n, -0)) return '0';
  return String(n);
}

/** JSON text of maps and lists (D28: compact, members in order). */
export function jsonText(v: Value): string {
  if (v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? renderNumber(v) : 'null';
  if (v instanceof Timestamp) return JSON.stringify(renderTimestamp(v.ms));
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  return `{${[...v].map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
}

/** The string form of a value (4.5, 7.3); undefined for absent. */
export function toText(v: Value): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return renderNumber(v);
  if (v instanceof Timestamp) return renderTimestamp(v.ms);
  return jsonText(v);
}

/** String form for string functions: maps and lists count as absent (spec 7.3). */
export function toScalarText(v: Value): string | undefined {
  if (v instanceof Map || Array.isArray(v)) return undefined;
  return toText(v);
}

/** spec 4.2 (D2). */
export function truthy(v: Value): boolean {
  if (v === undefined) return false;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v !== '' && !(NUMBER_LOOKING.test(v) && Number(v) === 0);
  if (v instanceof Timestamp) return true;
  if (Array.isArray(v)) return v.length > 0;
  return v.size > 0;
}

export function bool(b: boolean): number {
  return b ? 1 : 0;
}

/** A value that compares numerically under 4.3: number, timestamp or number-looking string. */
function numericOf(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Timestamp) return v.ms;
  if (typeof v === 'string' && NUMBER_LOOKING.test(v)) return Number(v);
  return undefined;
}

function codePointCompare(a: string, b: string): number {
  // JS string order is UTF-16 order; it differs from code point order only around surrogates.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** spec 4.3 (D4): absent on either side makes every comparison false. */
export function compareValues(op: CompareOp, a: Value, b: Value): boolean {
  if (a === undefined || b === undefined) return false;
  if (a instanceof Map || Array.isArray(a) || b instanceof Map || Array.isArray(b)) return op === '!=';
  const x = numericOf(a);
  const y = numericOf(b);
  const bothStringish = typeof a === 'string' && typeof b === 'string';
  let c: number;
  if (x !== undefined && y !== undefined && (!bothStringish || (NUMBER_LOOKING.test(a as string) && NUMBER_LOOKING.test(b as string)))) {
    c = x < y ? -1 : x > y ? 1 : 0;
  } else {
    c = codePointCompare(toText(a)!, toText(b)!);
  }
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** A number value for the natural sort (3.6.1 rule 1): numbers, timestamps, number-looking strings. */
function sortNumber(v: Value): number | undefined {
  return numericOf(v);
}

function chunks(s: string): string[] {
  return s.match(/[0-9]+|[^0-9]+/g) ?? [];
}

function isDigitChunk(c: string): boolean {
  const k = c.charCodeAt(0);
  return k >= 48 && k <= 57;
}

/** The documented natural-sort comparator (3.6.1), absent first (D7). */
export function naturalCompare(a: Value, b: Value): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  const x = sortNumber(a);
  const y = sortNumber(b);
  if (x !== undefined && y !== undefined) {
    if (x !== y) return x < y ? -1 : 1;
    return codePointCompare(toText(a)!, toText(b)!); // D37
  }
  if (x !== undefined) return 1; // non-numbers before numbers
  if (y !== undefined) return -1;
  return compareChunks(chunks(toText(a)!), chunks(toText(b)!));
}

/** Text chunks compared in turn: digit runs by value, other runs by code point (3.6.1). */
function compareChunks(ca: readonly string[], cb: readonly string[]): number {
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const p = ca[i]!;
    const q = cb[i]!;
    if (p === q) continue;
    const dp = isDigitChunk(p);
    const dq = isDigitChunk(q);
    if (dp && dq) {
      if (p.length !== q.length) return p.length < q.length ? -1 : 1;
      return p < q ? -1 : 1;
    }
    if (!dp && !dq) return codePointCompare(p, q);
    return codePointCompare(p[0]!, q[0]!);
  }
  return ca.length - cb.length < 0 ? -1 : ca.length === cb.length ? 0 : 1;
}

/**
 * A value prepared for `naturalCompare` once, so a sort compares records without re-reading
 * numbers or re-splitting text each time (`compareNaturalKeys` orders keys exactly as
 * `naturalCompare` orders their values; a test holds the two together).
 */
export interface NaturalKey {
  readonly value: Value;
  readonly num: number | undefined;
  readonly text: string | undefined;
  chunks: string[] | null;
}

export function naturalKey(v: Value): NaturalKey {
  return { value: v, num: v === undefined ? undefined : sortNumber(v), text: v === undefined ? undefined : toText(v), chunks: null };
}

export function compareNaturalKeys(a: NaturalKey, b: NaturalKey): number {
  if (a.value === undefined || b.value === undefined) return a.value === b.value ? 0 : a.value === undefined ? -1 : 1;
  const x = a.num;
  const y = b.num;
  if (x !== undefined && y !== undefined) {
    if (x !== y) return x < y ? -1 : 1;
    return codePointCompare(a.text!, b.text!); // D37
  }
  if (x !== undefined) return 1;
  if (y !== undefined) return -1;
  return compareChunks((a.chunks ??= chunks(a.text!)), (b.chunks ??= chunks(b.text!)));
}

/** Grouping and distinct equality (D6): values group by their rendered text; absent is its own group. */
export function groupKeyPart(v: Value): string {
  if (v === undefined) return '\u0000';
  return '\u0001' + toText(v)!;
}
