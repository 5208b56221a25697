/**
 * The reference evaluator: slow and obvious, written straight from the filter spec, sharing
 * nothing with compile.ts but the AST. Differential tests check the compiled matcher against
 * it. Never used on real data.
 *
 * It reads JSON with JSON.parse, so it sees a number's text as JavaScript prints it
 * (`1.50` becomes `1.5`); the differential tests generate numbers whose two texts agree.
 */
import { referenceRegexMatch } from '../regex/reference.js';
import type { CompareOp, FilterPattern, JsonExpr, SdExpr, Selector, SdField, Value } from './ast.js';

type Scalar = string | number | boolean;

export function referenceMatches(p: FilterPattern, message: string): boolean {
  switch (p.kind) {
    case 'all':
      return true;
    case 'terms': {
      // spec 3.2/3.3: substring tests; blank phrases are always present (2.3).
      const present = (text: string): boolean => /^[ \t\r\n]*$/.test(text) || message.includes(text);
      const plain = p.terms.filter((t) => t.prefix === 'plain');
      const excluded = p.terms.filter((t) => t.prefix === 'exclude');
      const optional = p.terms.filter((t) => t.prefix === 'optional');
      if (plain.length + excluded.length > 0)
        return plain.every((t) => present(t.text)) && !excluded.some((t) => present(t.text));
      return optional.some((t) => present(t.text));
    }
    case 'regex':
      return referenceRegexMatch(p.regex.regex, message);
    case 'json': {
      let root: unknown;
      try {
        root = JSON.parse(message);
      } catch {
        return false;
      }
      if (root === null || typeof root !== 'object' || Array.isArray(root)) return false;
      return evalJson(p.expr, root);
    }
    case 'spaceDelimited':
      return evalSpaceDelimited(p.fields, message);
  }
}

// ---- JSON --------------------------------------------------------------------------------

function select(sel: Selector, root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const seg of sel.segments) {
    const next: unknown[] = [];
    for (const v of current) {
      const isObject = v !== null && typeof v === 'object' && !Array.isArray(v);
      if (seg.kind === 'member' && isObject && Object.prototype.hasOwnProperty.call(v, seg.name))
        next.push((v as Record<string, unknown>)[seg.name]);
      if (seg.kind === 'index' && Array.isArray(v) && seg.index < v.length) next.push(v[seg.index]);
      if (seg.kind === 'anyMember' && isObject) next.push(...Object.values(v as object));
      if (seg.kind === 'anyIndex' && Array.isArray(v)) next.push(...v);
    }
    current = next;
  }
  return current;
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function evalJson(e: JsonExpr, root: unknown): boolean {
  if (e.kind === 'and') return evalJson(e.left, root) && evalJson(e.right, root);
  if (e.kind === 'or') return evalJson(e.left, root) || evalJson(e.right, root);
  const values = select(e.selector, root);
  if (e.kind === 'notExists') return values.length === 0;
  if (e.kind === 'is') {
    const want = e.what === 'null' ? null : e.what === 'true';
    return values.some((v) => v === want);
  }
  return values.some((v) => {
    if (!isScalar(v)) return false; // spec 4.4: absent, null, objects and arrays never compare
    if (e.value.kind === 'number') {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^[+-]?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(v) ? Number(v) : NaN;
      if (Number.isNaN(n)) return false;
      return compareNumbers(e.op, n, e.value.value);
    }
    return compareText(e.op, String(v), e.value);
  });
}

function compareNumbers(op: CompareOp, a: number, b: number): boolean {
  return op === '=' ? a === b : op === '!=' ? a !== b : op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
}

/** `=`/`!=` of a text against a string, regex or lone `*` (spec 4.5, 4.6, 6.3, D17, D22). */
function compareText(op: CompareOp, text: string, value: Exclude<Value, { kind: 'number' }>): boolean {
  if (value.kind === 'any') return op === '=';
  let equal: boolean;
  if (value.kind === 'regex') {
    equal = referenceRegexMatch(value.regex, text);
  } else {
    const { core, leadingWildcard: lead, trailingWildcard: trail } = value;
    if (lead && trail) equal = text.indexOf(core) >= 0;
    else if (lead) equal = text.length >= core.length && text.slice(text.length - core.length) === core;
    else if (trail) equal = text.slice(0, core.length) === core;
    else equal = text === core;
  }
  return op === '=' ? equal : !equal;
}

// ---- space-delimited ----------------------------------------------------------------------

/** spec 5.2, written as a character-by-character scan. */
function fieldsOf(message: string): { value: string; start: number }[] {
  const ws = ' \t\r\n';
  const out: { value: string; start: number }[] = [];
  let i = 0;
  while (i < message.length) {
    if (ws.includes(message[i]!)) {
      i++;
      continue;
    }
    const start = i;
    const open = message[i]!;
    if (open === '"' || open === '[') {
      const closer = open === '"' ? '"' : ']';
      let j = i + 1;
      while (j < message.length && message[j] !== closer) j++;
      out.push({ value: message.slice(i + 1, j), start });
      i = j + 1;
    } else {
      let j = i;
      while (j < message.length && !ws.includes(message[j]!)) j++;
      out.push({ value: message.slice(i, j), start });
      i = j;
    }
  }
  return out;
}

function evalSd(e: SdExpr, text: string): boolean {
  if (e.kind === 'and') return evalSd(e.left, text) && evalSd(e.right, text);
  if (e.kind === 'or') return evalSd(e.left, text) || evalSd(e.right, text);
  if (e.value.kind === 'number') {
    if (!/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return false;
    return compareNumbers(e.op, Number(text), e.value.value);
  }
  return compareText(e.op, text, e.value);
}

function fieldOk(f: SdField, text: string): boolean {
  return f.kind === 'condition' ? evalSd(f.expr, text) : true;
}

function evalSpaceDelimited(fields: readonly SdField[], message: string): boolean {
  if (fields.length === 0) return true;
  const got = fieldsOf(message);
  if (!fields.some((f) => f.kind === 'ellipsis')) {
    if (got.length < fields.length) return false;
    const values = got.slice(0, fields.length).map((g) => g.value);
    if (got.length > fields.length) values[fields.length - 1] = message.slice(got[fields.length - 1]!.start).replace(/[ \t\r\n]+$/, '');
    return fields.every((f, i) => fieldOk(f, values[i]!));
  }
  // Try every way of giving the ellipses their fields (exponential, fine for an oracle).
  const tryFrom = (i: number, j: number): boolean => {
    if (i === fields.length) return j === got.length;
    const f = fields[i]!;
    if (f.kind === 'ellipsis') {
      for (let k = j; k <= got.length; k++) if (tryFrom(i + 1, k)) return true;
      return false;
    }
    return j < got.length && fieldOk(f, got[j]!.value) && tryFrom(i + 1, j + 1);
  };
  return tryFrom(0, 0);
}
