/**
 * Lint rules for filter patterns that AWS accepts but that may not do what the author meant.
 * (Unquoted text split into terms, `ORDER-ITEM-1`, is already a warning of the filter parser,
 * HS1106, spec 3.1 and D1.)
 */
import { assertNever, type FilterPattern, type JsonExpr, type Selector } from '../filter/ast.js';
import { LintCode } from './codes.js';
import type { LintDiagnostic } from './target.js';

/**
 * HS5201, filter spec 4.4 and D6: in a JSON pattern `!=` is false when the field is absent
 * (and when it is null, an object or an array), so `{ $.proto != "tls" }` skips every event
 * without `proto`. Not reported when the pattern also tests the same selector with NOT EXISTS:
 * the author has thought about absence.
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
      const notEquals: { selector: Selector; span: { start: number; end: number } }[] = [];
      walk(pattern.expr, (c) => {
        if (c.kind === 'notExists') absent.add(c.selector.text);
        else if (c.kind === 'compare' && c.op === '!=') notEquals.push({ selector: c.selector, span: c.span });
      });
      return notEquals
        .filter((n) => !absent.has(n.selector.text))
        .map(({ selector, span }) => ({
          code: LintCode.NotEqualsAbsent,
          severity: 'warning' as const,
          message: `!= never matches an event without ${selector.text}: such events are skipped, not counted`,
          span,
          hint: `if events without it should match too, write (${text.slice(span.start, span.end)} || ${selector.text} NOT EXISTS)`,
        }));
    }
    default:
      return assertNever(pattern);
  }
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
