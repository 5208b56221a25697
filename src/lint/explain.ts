/**
 * `--explain`: what a filter pattern matches, in plain words, straight from the AST and the
 * filter spec's semantics (sections named at each rule). Queries get their commands in order.
 */
import {
  assertNever,
  type CompareOp,
  type FilterPattern,
  type JsonExpr,
  type SdExpr,
  type SdField,
  type Selector,
  type Term,
  type Value,
} from '../filter/ast.js';
import type { Query } from '../insights/ast.js';

export function explainPattern(p: FilterPattern): string {
  switch (p.kind) {
    case 'all':
      return 'every event (an empty pattern matches everything, spec 2.3)';
    case 'terms':
      return explainTerms(p.terms);
    case 'regex':
      return `events whose message matches the regular expression %${p.regex.source}% somewhere (spec 6.3)`;
    case 'json':
      return `JSON events whose ${json(p.expr, false)}`;
    case 'spaceDelimited':
      return explainSpaceDelimited(p.fields);
    default:
      return assertNever(p);
  }
}

function quoted(s: string): string {
  return JSON.stringify(s);
}

function termText(t: Term): string {
  return t.text.trim() === '' ? 'any text (a blank phrase is always present, spec 2.3)' : quoted(t.text);
}

/** spec 3.3: plain terms all present, exclusions absent; ?-terms count only when alone. */
function explainTerms(terms: readonly Term[]): string {
  const plain = terms.filter((t) => t.prefix === 'plain');
  const excluded = terms.filter((t) => t.prefix === 'exclude');
  const optional = terms.filter((t) => t.prefix === 'optional');
  if (plain.length === 0 && excluded.length === 0) return `events containing ${list(optional.map(termText), 'or')} (case-sensitive, anywhere in the message)`;
  const parts: string[] = [];
  if (plain.length > 0) parts.push(`containing ${list(plain.map(termText), 'and')}`);
  if (excluded.length > 0) parts.push(`not containing ${list(excluded.map(termText), 'or')}`);
  const ignored = optional.length > 0 ? `; the ?-terms ${list(optional.map(termText), 'and')} are ignored next to other terms (spec 3.3)` : '';
  return `events ${parts.join(' and ')} (case-sensitive, anywhere in the message)${ignored}`;
}

function list(items: readonly string[], word: 'and' | 'or'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`;
}

/** `$.a.b` -> `a.b`; a wildcard selector names "some" value (spec 4.3, D10). */
function field(s: Selector): string {
  const path = s.text.replace(/^\$\.?/, '');
  return s.segments.some((g) => g.kind === 'anyMember' || g.kind === 'anyIndex') ? `some ${path}` : path;
}

function json(e: JsonExpr, nested: boolean): string {
  switch (e.kind) {
    case 'and':
      return `${json(e.left, true)} and whose ${json(e.right, true)}`;
    case 'or': {
      const text = `${json(e.left, true)}, or whose ${json(e.right, true)}`;
      return nested ? `(${text})` : text;
    }
    case 'compare':
      return `${field(e.selector)} ${comparison(e.op, e.value, true)}`;
    case 'is':
      return e.what === 'null' ? `${field(e.selector)} is null (explicitly, not absent; spec 4.4)` : `${field(e.selector)} is the boolean ${e.what}`;
    case 'notExists':
      return `${field(e.selector)} is absent`;
    default:
      return assertNever(e);
  }
}

const RELATIONS: Readonly<Record<Exclude<CompareOp, '=' | '!='>, string>> = { '<': 'less than', '>': 'greater than', '<=': 'at most', '>=': 'at least' };

/**
 * `mayBeAbsent`: JSON fields can be missing, and `!=` then fails (spec 4.4, D6), so "present"
 * is said; space-delimited fields always exist (spec 5.4).
 */
function comparison(op: CompareOp, v: Value, mayBeAbsent: boolean): string {
  const present = mayBeAbsent ? 'is present and ' : '';
  switch (v.kind) {
    case 'number':
      if (op === '=') return `is the number ${v.text}`;
      if (op === '!=') return `is a number other than ${v.text}`;
      return `is a number ${RELATIONS[op]} ${v.text}`;
    case 'string': {
      const s = quoted(v.core);
      const how = v.leadingWildcard && v.trailingWildcard ? `contain ${s}` : v.trailingWildcard ? `start with ${s}` : v.leadingWildcard ? `end with ${s}` : `exactly ${s}`;
      const exact = !v.leadingWildcard && !v.trailingWildcard;
      if (op === '=') return exact ? `is exactly ${s}` : `${how.replace(/^(contain|start|end)/, '$1s')}`;
      return exact ? (mayBeAbsent ? `is present and not ${s}` : `is not ${s}`) : `${present}does not ${how}`;
    }
    case 'any':
      return op === '=' ? 'is present with any string, number or boolean value (spec D17)' : 'never (!= * matches nothing, spec D17)';
    case 'regex':
      return op === '=' ? `matches %${v.source}%` : `${present}does not match %${v.source}%`;
    default:
      return assertNever(v);
  }
}

/** spec 5.3: fields in order, the last one takes the rest of the line unless an ellipsis is used. */
function explainSpaceDelimited(fields: readonly SdField[]): string {
  if (fields.length === 0) return 'every event (an empty [] tests nothing, spec D19)';
  const names = fields.map((f) => (f.kind === 'ellipsis' ? '...' : f.name));
  const fixed = fields.filter((f) => f.kind !== 'ellipsis').length;
  const ellipsis = fixed < fields.length;
  const conditions: string[] = [];
  for (const f of fields) {
    switch (f.kind) {
      case 'ellipsis':
      case 'name':
        break;
      case 'condition':
        conditions.push(sd(f.expr));
        break;
      default:
        assertNever(f);
    }
  }
  const shape = `space-delimited events with ${ellipsis ? 'at least ' : ''}${fixed} field${fixed === 1 ? '' : 's'} [${names.join(', ')}]${ellipsis ? '' : fixed > 1 ? ` (${names[names.length - 1]} takes the rest of the line)` : ' (the whole line)'}`;
  return conditions.length === 0 ? shape : `${shape} where ${conditions.join(', and ')}`;
}

function sd(e: SdExpr): string {
  switch (e.kind) {
    case 'and':
      return `${sd(e.left)} and ${sd(e.right)}`;
    case 'or':
      return `(${sd(e.left)} or ${sd(e.right)})`;
    case 'clause':
      return `${e.name} ${comparison(e.op, e.value, false)}`;
    default:
      return assertNever(e);
  }
}

/** Queries: the commands in order. */
export function explainQuery(q: Query): string {
  const words = q.commands.map((c) => (c.kind === 'parseGlob' || c.kind === 'parseRegex' ? 'parse' : c.kind));
  return `a Logs Insights query: ${words.join(' | ')}`;
}
