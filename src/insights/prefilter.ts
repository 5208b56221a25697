/**
 * What a query needs from a line, decided once from its text: the fields it reads (so the
 * scan discovers only those), and literals that every line passing its leading `filter`
 * commands must contain (the byte prefilter).
 */
import { type Command, commandExprs, type Expr, walkExpr } from './ast.js';
import { isNumberLooking } from './values.js';
import { type Clause, orClauses } from '../engine/literals.js';

/** Every field name the query can read, and its output columns. */
export function referencedFields(commands: readonly Command[], columns: readonly string[]): Set<string> {
  const names = new Set<string>(columns);
  for (const c of commands) for (const e of commandExprs(c)) walkExpr(e, (x) => x.kind === 'field' && names.add(x.name));
  return names;
}


/**
 * A literal from a comparison value is only sound when no number's text could stand for it:
 * a field holding a JSON number compares through its JavaScript text (`1e21` reads `1e+21`).
 */
function safeValueLiteral(s: string): boolean {
  if (s === '' || isNumberLooking(s) || /^[-+0-9.eE]*$/.test(s)) return false;
  return !['-Infinity', 'Infinity', 'NaN'].some((w) => w.includes(s));
}

/** A discovered field's key as it must appear in a JSON line: `"name` (the first name segment). */
function keyLiteral(name: string): string | null {
  if (name.startsWith('@') && !name.startsWith('@@')) return null; // system field
  const key = name.startsWith('@@') ? name.slice(1) : name;
  const first = key.split('.')[0]!;
  if (first === '') return null;
  return key.includes('.') ? `"${first}` : `"${first}"`;
}


function fieldOf(e: Expr): string | null {
  return e.kind === 'field' ? e.name : null;
}

/** Whether a field's value is text of the message: @message, or a field discovered in it (not @logStream etc.). */
function valueInMessage(f: string | null): f is string {
  return f !== null && (f === '@message' || keyLiteral(f) !== null);
}

function clauses(e: Expr): Clause[] {
  switch (e.kind) {
    case 'binary': {
      if (e.op === 'and') return [...clauses(e.left), ...clauses(e.right)];
      if (e.op === 'or') return orClauses(clauses(e.left), clauses(e.right));
      if (['=', '!=', '<', '<=', '>', '>='].includes(e.op)) {
        // Every comparison with an absent side is false (D4): the field must be there.
        const out: Clause[] = [];
        for (const [side, other] of [
          [e.left, e.right],
          [e.right, e.left],
        ] as const) {
          const f = fieldOf(side);
          const key = f === null ? null : keyLiteral(f);
          if (key !== null) out.push([key]);
          if (valueInMessage(f) && e.op === '=' && other.kind === 'string' && safeValueLiteral(other.value)) out.push([other.value]);
        }
        return out;
      }
      return [];
    }
    case 'field': {
      const key = keyLiteral(e.name); // a bare field is false when absent (4.2)
      return key === null ? [] : [[key]];
    }
    case 'call': {
      if (e.name.toLowerCase() === 'ispresent' && e.args.length === 1 && e.args[0]!.kind === 'field') {
        const key = keyLiteral(e.args[0]!.name);
        return key === null ? [] : [[key]];
      }
      return [];
    }
    case 'match': {
      if (e.negated || e.pattern.kind !== 'text') return [];
      const f = fieldOf(e.subject);
      const out: Clause[] = [];
      if (f !== null && keyLiteral(f) !== null) out.push([keyLiteral(f)!]);
      if (valueInMessage(f) && safeValueLiteral(e.pattern.value)) out.push([e.pattern.value]);
      return out;
    }
    case 'in': {
      if (e.negated) return [];
      const f = fieldOf(e.subject);
      const out: Clause[] = [];
      if (f !== null && keyLiteral(f) !== null) out.push([keyLiteral(f)!]);
      if (valueInMessage(f) && e.items.length > 0 && e.items.every((i) => i.kind === 'string' && safeValueLiteral(i.value)))
        out.push(e.items.map((i) => (i as { value: string }).value));
      return out;
    }
    default:
      return [];
  }
}

/**
 * Literal clauses from the query's leading `filter` commands: a line that lacks every literal
 * of some clause cannot reach past them. Messages are decoded JSON, so the scan must still
 * look at lines with a backslash (the escape fallback).
 */
export function queryClauses(commands: readonly Command[]): Clause[] {
  const out: Clause[] = [];
  for (const c of commands) {
    if (c.kind !== 'filter') break;
    out.push(...clauses(c.condition));
  }
  return out;
}


