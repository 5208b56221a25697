/**
 * Required literals of a pattern, for the byte prefilter (STYLE: "a byte prefilter that may
 * say cannot match"). The result is a conjunction of clauses; each clause is a set of
 * literals of which a matching message contains at least one. An empty list promises nothing.
 *
 * Soundness: literals are searched in the raw line. A JSON pattern compares decoded values,
 * and any character of a JSON string may be written as an escape, so for JSON patterns (and
 * for input formats that JSON-encode the message) a line containing a backslash must be
 * evaluated even when no literal occurs in it. `needsEscapeFallback` says when.
 */
import { requiredLiterals as regexLiterals } from '../regex/compile.js';
import { assertNever, type FilterPattern, type JsonExpr, type SdExpr, type Value } from './ast.js';
import { isBlankTerm } from './compile.js';
import { type Clause, orClauses } from '../engine/literals.js';

export type { Clause } from '../engine/literals.js';


export interface Prefilter {
  readonly clauses: readonly Clause[];
  /** True when the pattern decodes JSON, so a line with a backslash can match without the literal. */
  readonly needsEscapeFallback: boolean;
}

export function prefilterOf(p: FilterPattern): Prefilter {
  switch (p.kind) {
    case 'all':
      return { clauses: [], needsEscapeFallback: false };
    case 'terms': {
      const plain = p.terms.filter((t) => t.prefix === 'plain' && !isBlankTerm(t));
      const others = p.terms.filter((t) => t.prefix !== 'optional');
      if (others.length > 0) return { clauses: plain.map((t) => [t.text]), needsEscapeFallback: false };
      const optional = p.terms.filter((t) => t.prefix === 'optional');
      if (optional.some(isBlankTerm)) return { clauses: [], needsEscapeFallback: false };
      return { clauses: [optional.map((t) => t.text)], needsEscapeFallback: false };
    }
    case 'regex': {
      const lits = regexLiterals(p.regex.regex);
      return { clauses: lits ? [lits] : [], needsEscapeFallback: false };
    }
    case 'json':
      return { clauses: jsonClauses(p.expr), needsEscapeFallback: true };
    case 'spaceDelimited':
      return {
        clauses: p.fields.flatMap((f) => (f.kind === 'condition' ? sdClauses(f.expr) : [])),
        needsEscapeFallback: false,
      };
    default:
      return assertNever(p);
  }
}

/** A string value's literal text (its core): only when the core is not empty. */
function valueClauses(op: string, v: Value): Clause[] {
  if (op !== '=') return [];
  switch (v.kind) {
    case 'string':
      return v.core.length > 0 ? [[v.core]] : [];
    case 'regex': {
      const lits = regexLiterals(v.regex);
      return lits ? [lits] : [];
    }
    case 'number': // written forms of a number vary (1e3, 1000.0)
    case 'any':
      return [];
    default:
      return assertNever(v);
  }
}

function jsonClauses(e: JsonExpr): Clause[] {
  switch (e.kind) {
    case 'and':
      return [...jsonClauses(e.left), ...jsonClauses(e.right)];
    case 'or':
      return orClauses(jsonClauses(e.left), jsonClauses(e.right));
    case 'notExists':
      return [];
    case 'is':
    case 'compare': {
      // Every member step names a key that must be present, written "name" in the raw line
      // (raw, not JSON.stringify'd: a key spelled with escapes puts a backslash in the line).
      const keys: Clause[] = e.selector.segments.flatMap((s) => (s.kind === 'member' ? [[`"${s.name}"`]] : []));
      const value = e.kind === 'is' ? [[e.what]] : valueClauses(e.op, e.value);
      return [...keys, ...value];
    }
    default:
      return assertNever(e);
  }
}

function sdClauses(e: SdExpr): Clause[] {
  switch (e.kind) {
    case 'and':
      return [...sdClauses(e.left), ...sdClauses(e.right)];
    case 'or':
      return orClauses(sdClauses(e.left), sdClauses(e.right));
    case 'clause':
      return valueClauses(e.op, e.value);
    default:
      return assertNever(e);
  }
}
