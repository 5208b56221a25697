/**
 * The typed AST of a CloudWatch filter pattern (filter spec sections 1-6). Every node carries
 * its span in the pattern text so diagnostics can point at it.
 */
import type { Span } from '../diagnostics/diagnostic.js';
import type { AwsRegex } from '../regex/ast.js';

export type FilterPattern = MatchAll | TermPattern | RegexPattern | JsonPattern | SpaceDelimitedPattern;

/** Empty or whitespace-only pattern: matches every message (spec 2.3). */
export interface MatchAll {
  readonly kind: 'all';
  readonly span: Span;
}

export type TermPrefix = 'plain' | 'exclude' | 'optional';

export interface Term {
  readonly prefix: TermPrefix;
  /** The text to find (unescaped for quoted terms). */
  readonly text: string;
  readonly quoted: boolean;
  readonly span: Span;
}

export interface TermPattern {
  readonly kind: 'terms';
  readonly terms: readonly Term[];
  readonly span: Span;
}

export interface RegexPattern {
  readonly kind: 'regex';
  readonly regex: RegexValue;
  readonly span: Span;
}

export interface JsonPattern {
  readonly kind: 'json';
  readonly expr: JsonExpr;
  readonly span: Span;
}

export type JsonExpr = JsonAnd | JsonOr | JsonCondition;

export interface JsonAnd {
  readonly kind: 'and';
  readonly left: JsonExpr;
  readonly right: JsonExpr;
  readonly span: Span;
}

export interface JsonOr {
  readonly kind: 'or';
  readonly left: JsonExpr;
  readonly right: JsonExpr;
  readonly span: Span;
}

export type JsonCondition = JsonCompare | JsonIs | JsonNotExists;

export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

export interface JsonCompare {
  readonly kind: 'compare';
  readonly selector: Selector;
  readonly op: CompareOp;
  readonly value: Value;
  readonly span: Span;
}

export interface JsonIs {
  readonly kind: 'is';
  readonly selector: Selector;
  readonly what: 'true' | 'false' | 'null';
  readonly span: Span;
}

export interface JsonNotExists {
  readonly kind: 'notExists';
  readonly selector: Selector;
  readonly span: Span;
}

export type Segment =
  | { readonly kind: 'member'; readonly name: string; readonly span: Span }
  | { readonly kind: 'anyMember'; readonly span: Span }
  | { readonly kind: 'index'; readonly index: number; readonly span: Span }
  | { readonly kind: 'anyIndex'; readonly span: Span };

export interface Selector {
  readonly segments: readonly Segment[];
  readonly text: string;
  readonly span: Span;
}

/** The right-hand side of a comparison (spec 4.5, 5.4). */
export type Value = NumberValue | StringValue | AnyValue | RegexValue;

export interface NumberValue {
  readonly kind: 'number';
  readonly value: number;
  readonly text: string;
  readonly span: Span;
}

/** A string with `*` wildcards at its start and/or end (spec 4.6). */
export interface StringValue {
  readonly kind: 'string';
  /** The literal part, between any leading and trailing wildcard. */
  readonly core: string;
  readonly leadingWildcard: boolean;
  readonly trailingWildcard: boolean;
  readonly quoted: boolean;
  readonly span: Span;
}

/** `*` alone (or `**`): any string, number or boolean (D17). */
export interface AnyValue {
  readonly kind: 'any';
  readonly span: Span;
}

export interface RegexValue {
  readonly kind: 'regex';
  readonly regex: AwsRegex;
  readonly source: string;
  readonly span: Span;
}

export interface SpaceDelimitedPattern {
  readonly kind: 'spaceDelimited';
  readonly fields: readonly SdField[];
  readonly span: Span;
}

export type SdField = SdEllipsis | SdName | SdCondition;

export interface SdEllipsis {
  readonly kind: 'ellipsis';
  readonly span: Span;
}

/** A field given only by its name: any value (spec 5.3). */
export interface SdName {
  readonly kind: 'name';
  readonly name: string;
  readonly span: Span;
}

export interface SdCondition {
  readonly kind: 'condition';
  readonly name: string;
  readonly expr: SdExpr;
  readonly span: Span;
}

export type SdExpr =
  | { readonly kind: 'and'; readonly left: SdExpr; readonly right: SdExpr; readonly span: Span }
  | { readonly kind: 'or'; readonly left: SdExpr; readonly right: SdExpr; readonly span: Span }
  | SdClause;

export interface SdClause {
  readonly kind: 'clause';
  readonly name: string;
  readonly op: CompareOp;
  readonly value: Value;
  readonly span: Span;
}

export function assertNever(x: never): never {
  throw new Error(`unhandled node: ${JSON.stringify(x)}`);
}
