/**
 * Compiles a filter-pattern AST into one closure `(message) => boolean`. Every decision that
 * depends only on the pattern (operator, value kind, wildcard position, selector shape) is
 * taken here, once; the closures the scan calls hold no switch on the AST.
 */
import { compileAwsRegex } from '../regex/compile.js';
import { type JsonObject, type JsonValue, JsonNumber, parseJsonObject } from '../events/json.js';
import { parseJsonObjectBytes, WantedKeys } from '../events/json-bytes.js';
import {
  assertNever,
  type CompareOp,
  type FilterPattern,
  type JsonCondition,
  type JsonExpr,
  type SdExpr,
  type SdField,
  type Selector,
  type StringValue,
  type Term,
  type Value,
} from './ast.js';
import { splitFields, trimEndWs, type SdMessageField } from './fields.js';

export type Matcher = (message: string) => boolean;
/** Like a Matcher, but undefined when a JSON pattern meets a message that is not a JSON object. */
export type Classifier = (message: string) => boolean | undefined;
/** A Classifier that reads the message from bytes (valid UTF-8) without building a string. */
export type BytesClassifier = (buf: Buffer, start: number, end: number) => boolean | undefined;

/** JSON patterns can be decided on the bytes of a line; other forms need the string. */
export function compileBytesClassifier(pattern: FilterPattern): BytesClassifier | null {
  if (pattern.kind !== 'json') return null;
  const names = topLevelNames(pattern.expr);
  const wanted = names === null ? null : new WantedKeys(names);
  const test = compileExpr(pattern.expr);
  return (buf, start, end) => {
    const root = parseJsonObjectBytes(buf, start, end, wanted);
    return root === undefined ? undefined : test(root.members);
  };
}

export function compileClassifier(pattern: FilterPattern): Classifier {
  switch (pattern.kind) {
    case 'all':
      return () => true;
    case 'terms':
      return compileTerms(pattern.terms);
    case 'regex':
      return compileAwsRegex(pattern.regex.regex);
    case 'json':
      return compileJson(pattern.expr);
    case 'spaceDelimited':
      return compileSpaceDelimited(pattern.fields);
    default:
      return assertNever(pattern);
  }
}

// ---- terms (spec 3) ----------------------------------------------------------------------

/** spec 2.3: a phrase that is empty or only whitespace is present in every message. */
export function isBlankTerm(t: Term): boolean {
  return /^[ \t\r\n]*$/.test(t.text);
}

function compileTerms(terms: readonly Term[]): Matcher {
  const plain = terms.filter((t) => t.prefix === 'plain');
  const exclude = terms.filter((t) => t.prefix === 'exclude');
  const optional = terms.filter((t) => t.prefix === 'optional');
  if (plain.length > 0 || exclude.length > 0) {
    // spec 3.3 rule 1: optional terms are ignored when any other term is present.
    if (exclude.some(isBlankTerm)) return () => false; // D2
    const need = plain.filter((t) => !isBlankTerm(t)).map((t) => t.text);
    const avoid = exclude.map((t) => t.text);
    return (m) => {
      for (const t of need) if (!m.includes(t)) return false;
      for (const t of avoid) if (m.includes(t)) return false;
      return true;
    };
  }
  if (optional.some(isBlankTerm)) return () => true;
  const any = optional.map((t) => t.text);
  return (m) => any.some((t) => m.includes(t));
}

// ---- values (spec 4.5-4.7, 5.4) ------------------------------------------------------------

/** Text of a scalar for string comparison (D11); undefined for null, objects, arrays. */
function textOf(v: JsonValue): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

/** spec 4.7: a JSON string is numeric when it is wholly a JSON number, `+` allowed (D35f). */
const JSON_NUMBER_STRING = /^[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
/** spec 5.4: a space-delimited field is numeric under the pattern-literal grammar. */
const FIELD_NUMBER = /^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

function jsonNumberOf(v: JsonValue): number | undefined {
  if (v instanceof JsonNumber) return v.value;
  if (typeof v === 'string' && JSON_NUMBER_STRING.test(v)) return Number(v);
  return undefined;
}

function numberCompare(op: CompareOp, rhs: number): (x: number) => boolean {
  switch (op) {
    case '=':
      return (x) => x === rhs;
    case '!=':
      return (x) => x !== rhs;
    case '<':
      return (x) => x < rhs;
    case '>':
      return (x) => x > rhs;
    case '<=':
      return (x) => x <= rhs;
    case '>=':
      return (x) => x >= rhs;
    default:
      return assertNever(op);
  }
}

/** spec 4.6: `*` is a wildcard only at the start and/or end of the value. */
export function stringMatcher(v: StringValue): (text: string) => boolean {
  const core = v.core;
  if (v.leadingWildcard && v.trailingWildcard) return (t) => t.includes(core);
  if (v.leadingWildcard) return (t) => t.endsWith(core);
  if (v.trailingWildcard) return (t) => t.startsWith(core);
  return (t) => t === core;
}

/**
 * A test on a text value: string, regex or the lone `*`. Equality ops only (the parser
 * rejects relational operators with non-numbers).
 */
function textTest(op: CompareOp, value: Exclude<Value, { kind: 'number' }>): (t: string) => boolean {
  let eq: (t: string) => boolean;
  switch (value.kind) {
    case 'any':
      // D17: `!= *` never matches.
      return op === '=' ? () => true : () => false;
    case 'string':
      eq = stringMatcher(value);
      break;
    case 'regex':
      eq = compileAwsRegex(value.regex);
      break;
    default:
      return assertNever(value);
  }
  return op === '=' ? eq : (t) => !eq(t);
}

// ---- JSON patterns (spec 4) ----------------------------------------------------------------

type Test = (root: JsonObject) => boolean;
const ABSENT = Symbol('absent');
type Resolved = JsonValue | typeof ABSENT;

function compileJson(expr: JsonExpr): Classifier {
  const wanted = topLevelNames(expr);
  const test = compileExpr(expr);
  return (m) => {
    const root = parseJsonObject(m, wanted);
    return root === undefined ? undefined : test(root);
  };
}

/** The top-level members the pattern reads; null when a root wildcard needs all of them. */
export function topLevelNames(expr: JsonExpr): Set<string> | null {
  const names = new Set<string>();
  let all = false;
  const visit = (e: JsonExpr): void => {
    if (e.kind === 'and' || e.kind === 'or') {
      visit(e.left);
      visit(e.right);
      return;
    }
    const first = e.selector.segments[0]!;
    if (first.kind === 'member') names.add(first.name);
    else all = true;
  };
  visit(expr);
  return all ? null : names;
}

function compileExpr(e: JsonExpr): Test {
  switch (e.kind) {
    case 'and': {
      const l = compileExpr(e.left);
      const r = compileExpr(e.right);
      return (o) => l(o) && r(o);
    }
    case 'or': {
      const l = compileExpr(e.left);
      const r = compileExpr(e.right);
      return (o) => l(o) || r(o);
    }
    default:
      return compileCondition(e);
  }
}

/** What one condition says of one selected value (the table of spec 4.4). */
function valueTest(c: JsonCondition): (v: JsonValue) => boolean {
  switch (c.kind) {
    case 'is':
      if (c.what === 'null') return (v) => v === null;
      return c.what === 'true' ? (v) => v === true : (v) => v === false;
    case 'notExists':
      return () => false; // a selected value exists; absence is handled by the caller
    case 'compare': {
      const value = c.value;
      if (value.kind === 'number') {
        const cmp = numberCompare(c.op, value.value);
        return (v) => {
          const n = jsonNumberOf(v);
          return n !== undefined && cmp(n);
        };
      }
      const t = textTest(c.op, value);
      return (v) => {
        const s = textOf(v);
        return s !== undefined && t(s);
      };
    }
    default:
      return assertNever(c);
  }
}

function compileCondition(c: JsonCondition): Test {
  const test = valueTest(c);
  const wildcard = c.selector.segments.some((s) => s.kind === 'anyMember' || s.kind === 'anyIndex');
  if (wildcard) {
    // D10: existential over the selected values; NOT EXISTS when nothing is selected.
    const select = compileMultiSelector(c.selector);
    if (c.kind === 'notExists') return (o) => select(o).length === 0;
    return (o) => select(o).some(test);
  }
  const get = compileSingleSelector(c.selector);
  if (c.kind === 'notExists') return (o) => get(o) === ABSENT;
  return (o) => {
    const v = get(o);
    return v !== ABSENT && test(v);
  };
}

function member(v: Resolved, name: string): Resolved {
  if (v instanceof Map) {
    const r = v.get(name);
    return r === undefined ? ABSENT : r;
  }
  return ABSENT; // D33
}

function element(v: Resolved, index: number): Resolved {
  return Array.isArray(v) && index < v.length ? v[index]! : ABSENT; // D33
}

function compileSingleSelector(sel: Selector): (root: JsonObject) => Resolved {
  const steps = sel.segments.map((s): ((v: Resolved) => Resolved) => {
    switch (s.kind) {
      case 'member':
        return (v) => member(v, s.name);
      case 'index':
        return (v) => element(v, s.index);
      case 'anyMember':
      case 'anyIndex':
        throw new Error('wildcard in a single-value selector');
      default:
        return assertNever(s);
    }
  });
  if (steps.length === 1) {
    const name = (sel.segments[0] as { name: string }).name;
    return (root) => {
      const r = root.get(name);
      return r === undefined ? ABSENT : r;
    };
  }
  return (root) => {
    let v: Resolved = root;
    for (const step of steps) {
      v = step(v);
      if (v === ABSENT) return ABSENT;
    }
    return v;
  };
}

function compileMultiSelector(sel: Selector): (root: JsonObject) => JsonValue[] {
  const steps = sel.segments.map((s): ((vs: JsonValue[]) => JsonValue[]) => {
    const keep = (out: JsonValue[], r: Resolved): void => {
      if (r !== ABSENT) out.push(r);
    };
    switch (s.kind) {
      case 'member':
        return (vs) => {
          const out: JsonValue[] = [];
          for (const v of vs) keep(out, member(v, s.name));
          return out;
        };
      case 'index':
        return (vs) => {
          const out: JsonValue[] = [];
          for (const v of vs) keep(out, element(v, s.index));
          return out;
        };
      case 'anyMember': // D10, D35a: one level, objects only
        return (vs) => vs.flatMap((v) => (v instanceof Map ? [...v.values()] : []));
      case 'anyIndex': // D35a: arrays only
        return (vs) => vs.flatMap((v) => (Array.isArray(v) ? v : []));
      default:
        return assertNever(s);
    }
  });
  return (root) => {
    let vs: JsonValue[] = [root];
    for (const step of steps) vs = step(vs);
    return vs;
  };
}

// ---- space-delimited patterns (spec 5) -------------------------------------------------------

type FieldTest = (value: string) => boolean;

function compileSdExpr(e: SdExpr): FieldTest {
  switch (e.kind) {
    case 'and': {
      const l = compileSdExpr(e.left);
      const r = compileSdExpr(e.right);
      return (t) => l(t) && r(t);
    }
    case 'or': {
      const l = compileSdExpr(e.left);
      const r = compileSdExpr(e.right);
      return (t) => l(t) || r(t);
    }
    case 'clause': {
      const value = e.value;
      if (value.kind === 'number') {
        const cmp = numberCompare(e.op, value.value);
        return (t) => FIELD_NUMBER.test(t) && cmp(Number(t));
      }
      return textTest(e.op, value);
    }
    default:
      return assertNever(e);
  }
}

function fieldTest(f: Exclude<SdField, { kind: 'ellipsis' }>): FieldTest {
  return f.kind === 'name' ? () => true : compileSdExpr(f.expr);
}

function compileSpaceDelimited(fields: readonly SdField[]): Matcher {
  if (fields.length === 0) return () => true; // D19
  const hasEllipsis = fields.some((f) => f.kind === 'ellipsis');
  if (!hasEllipsis) {
    const tests = fields.map((f) => fieldTest(f as Exclude<SdField, { kind: 'ellipsis' }>));
    const last = tests.length - 1;
    return (m) => {
      const got = splitFields(m);
      if (got.length < tests.length) return false;
      for (let i = 0; i < last; i++) if (!tests[i]!(got[i]!.value)) return false;
      // D34: the last pattern field receives the rest of the line when there are more fields.
      const lastValue = got.length === tests.length ? got[last]!.value : trimEndWs(m.slice(got[last]!.start));
      return tests[last]!(lastValue);
    };
  }
  const steps = fields.map((f) => (f.kind === 'ellipsis' ? null : fieldTest(f)));
  return (m) => alignWithEllipses(steps, splitFields(m));
}

/**
 * D21: every `...` (a null step) takes zero or more fields; all others line up one to one.
 * Dynamic programming over field positions, without recursion, so a line of many thousands
 * of words cannot exhaust the stack.
 */
function alignWithEllipses(steps: readonly (FieldTest | null)[], got: readonly SdMessageField[]): boolean {
  const n = got.length;
  let reach = new Uint8Array(n + 1); // reach[j]: the steps so far can consume exactly j fields
  reach[0] = 1;
  for (const step of steps) {
    const next = new Uint8Array(n + 1);
    if (step === null) {
      let any = 0;
      for (let j = 0; j <= n; j++) {
        any |= reach[j]!;
        next[j] = any;
      }
    } else {
      for (let j = 0; j < n; j++) if (reach[j] && step(got[j]!.value)) next[j + 1] = 1;
    }
    reach = next;
  }
  return reach[n] === 1;
}
