/**
 * The typed AST of a Logs Insights query (insights spec 2-4). Nodes carry spans into the
 * query text; expressions also carry their source text, which names unaliased columns (5.2).
 */
import type { Span } from '../diagnostics/diagnostic.js';

export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly span: Span }
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  | { readonly kind: 'duration'; readonly count: number; readonly unit: string; readonly span: Span }
  | { readonly kind: 'field'; readonly name: string; readonly quoted: boolean; readonly span: Span }
  | { readonly kind: 'star'; readonly span: Span }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly nameSpan: Span; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: '-' | 'not'; readonly operand: Expr; readonly span: Span }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
  | { readonly kind: 'match'; readonly op: 'like' | '=~'; readonly negated: boolean; readonly subject: Expr; readonly pattern: Pattern; readonly span: Span }
  | { readonly kind: 'in'; readonly negated: boolean; readonly subject: Expr; readonly items: readonly Expr[]; readonly span: Span }
  | { readonly kind: 'member'; readonly object: Expr; readonly name: string; readonly span: Span }
  | { readonly kind: 'index'; readonly object: Expr; readonly index: Expr; readonly span: Span };

export type BinaryOp = 'or' | 'and' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '^';

export type Pattern =
  | { readonly kind: 'text'; readonly value: string; readonly span: Span }
  | { readonly kind: 'regex'; readonly source: string; readonly span: Span };

export interface Item {
  readonly expr: Expr;
  readonly alias?: string;
  /** The column name: the alias, the field name, or the expression text without whitespace (5.2). */
  readonly name: string;
  readonly span: Span;
}

export type Command =
  | { readonly kind: 'fields'; readonly items: readonly Item[]; readonly span: Span }
  | { readonly kind: 'display'; readonly items: readonly Item[]; readonly span: Span }
  | { readonly kind: 'filter'; readonly condition: Expr; readonly span: Span }
  | { readonly kind: 'parseGlob'; readonly source: Expr; readonly pattern: string; readonly patternSpan: Span; readonly names: readonly { name: string; span: Span }[]; readonly span: Span }
  | { readonly kind: 'parseRegex'; readonly source: Expr; readonly pattern: string; readonly patternSpan: Span; readonly span: Span }
  | { readonly kind: 'stats'; readonly items: readonly Item[]; readonly by: readonly Item[]; readonly span: Span }
  | { readonly kind: 'sort'; readonly keys: readonly { expr: Expr; desc: boolean }[]; readonly span: Span }
  | { readonly kind: 'limit'; readonly count: number; readonly countSpan: Span; readonly span: Span }
  | { readonly kind: 'dedup'; readonly fields: readonly Expr[]; readonly span: Span }
  | { readonly kind: 'unnest'; readonly field: Expr; readonly into: string; readonly span: Span };

export interface Query {
  readonly commands: readonly Command[];
  readonly source: string;
}

/** Calls `f` on an expression and every expression inside it, parents first. */
export function walkExpr(e: Expr, f: (e: Expr) => void): void {
  f(e);
  switch (e.kind) {
    case 'unary':
      return walkExpr(e.operand, f);
    case 'binary':
      walkExpr(e.left, f);
      return walkExpr(e.right, f);
    case 'match':
      return walkExpr(e.subject, f);
    case 'in':
      walkExpr(e.subject, f);
      return e.items.forEach((i) => walkExpr(i, f));
    case 'member':
      return walkExpr(e.object, f);
    case 'index':
      walkExpr(e.object, f);
      return walkExpr(e.index, f);
    case 'call':
      return e.args.forEach((a) => walkExpr(a, f));
    default:
      return;
  }
}

/** The expressions a command holds. */
export function commandExprs(c: Command): Expr[] {
  switch (c.kind) {
    case 'fields':
    case 'display':
      return c.items.map((i) => i.expr);
    case 'filter':
      return [c.condition];
    case 'parseGlob':
    case 'parseRegex':
      return [c.source];
    case 'stats':
      return [...c.items.map((i) => i.expr), ...c.by.map((b) => b.expr)];
    case 'sort':
      return c.keys.map((k) => k.expr);
    case 'limit':
      return [];
    case 'dedup':
      return [...c.fields];
    case 'unnest':
      return [c.field];
  }
}
