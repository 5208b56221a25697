/**
 * Lint rules for filter patterns that AWS accepts but that may not do what the author meant.
 * (Unquoted text split into terms, `ORDER-ITEM-1`, is already a warning of the filter parser,
 * HS1106, spec 3.1 and D1.)
 */
import { assertNever, type FilterPattern, type JsonExpr } from '../filter/ast.js';
import { LintCode } from './codes.js';
import type { LintDiagnostic } from './target.js';

/**
 * HS5201, filter spec 4.4 and D6: in a JSON pattern `!=` is false when the field is absent
 * (and when it is null, an object or an array), so `{ $.proto != "tls" }` skips every event
 * without `proto`. Not reported where the author has already dealt with absence: the pattern
 * tests the same selector with NOT EXISTS, or the `!=` is ANDed with a test that needs the
 * field present anyway (`$.a = "x*" && $.a != "xy"`).
 */
export function patternWarnings(pattern: FilterPattern, text: string): LintDiagnostic[] {
  switch (pattern.kind) {
    case 'all':
    case 'terms':
    case 'regex':
    case 'spaceDelimited': // spec 5.4: a space-delimited field always exists, != is the negation of =
      return [];
    case 'json': {
      const absent = new Set<string>();
      walk(pattern.expr, (c) => {
        if (c.kind === 'notExists') absent.add(c.selector.text);
      });
      const out: LintDiagnostic[] = [];
      for (const group of andGroups(pattern.expr)) {
        const present = new Set(group.filter((c) => (c.kind === 'compare' && c.op !== '!=') || c.kind === 'is').map((c) => c.selector.text));
        for (const c of group) {
          if (c.kind !== 'compare' || c.op !== '!=' || absent.has(c.selector.text) || present.has(c.selector.text)) continue;
          out.push({
            code: LintCode.NotEqualsAbsent,
            severity: 'warning',
            message: `!= never matches an event without ${c.selector.text}: such events are skipped, not counted`,
            span: c.span,
            hint: `if events without it should match too, write (${text.slice(c.span.start, c.span.end)} || ${c.selector.text} NOT EXISTS)`,
          });
        }
      }
      return out.sort((x, y) => x.span.start - y.span.start);
    }
    default:
      return assertNever(pattern);
  }
}

/** The conditions of each maximal AND chain (an OR splits chains). */
function andGroups(e: JsonExpr): Condition[][] {
  if (e.kind === 'or') return [...andGroups(e.left), ...andGroups(e.right)];
  const group: Condition[] = [];
  const nested: Condition[][] = [];
  const collect = (x: JsonExpr): void => {
    if (x.kind === 'and') {
      collect(x.left);
      collect(x.right);
    } else if (x.kind === 'or') nested.push(...andGroups(x));
    else group.push(x);
  };
  collect(e);
  return [group, ...nested];
}

type Condition = Exclude<JsonExpr, { kind: 'and' | 'or' }>;

function walk(e: JsonExpr, f: (c: Condition) => void): void {
  switch (e.kind) {
    case 'and':
    case 'or':
      walk(e.left, f);
      walk(e.right, f);
      return;
    case 'compare':
    case 'is':
    case 'notExists':
      f(e);
      return;
    default:
      assertNever(e);
  }
}
