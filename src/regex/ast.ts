/**
 * The AST of the regex subset CloudWatch filter patterns accept (spec 6). There are no groups:
 * a regex is an alternation of branches, a branch a sequence of items, and every item but an
 * anchor matches exactly one character, optionally repeated. Spans point into the whole pattern.
 */
import type { Span } from '../diagnostics/diagnostic.js';

export interface AwsRegex {
  readonly kind: 'regex';
  /** `|` separates whole branches, lowest precedence (spec 6.3); a branch may be empty (D35c). */
  readonly branches: readonly Branch[];
  readonly span: Span;
}

export interface Branch {
  readonly kind: 'branch';
  readonly items: readonly Item[];
  readonly span: Span;
}

export type Item = Anchor | Atom;

/** `^` or `$`: start or end of the tested string, never a line break (spec 6.3). No quantifier. */
export interface Anchor {
  readonly kind: 'anchor';
  readonly at: 'start' | 'end';
  readonly span: Span;
}

/** An item matching one character, with its quantifier (null: exactly once). */
export type Atom = CharNode | AnyNode | EscapeClassNode | ClassNode;

/** `{min,max}` with max null for "no upper bound"; `*` `+` `?` are written as bounds too. */
export interface Quantifier {
  readonly min: number;
  readonly max: number | null;
  /** A trailing `?` (lazy form): accepted, no effect on whether a match exists (D26). */
  readonly lazy: boolean;
  readonly span: Span;
}

/** One literal character (plain, `\` + symbol, or `\xhh`); always ASCII (spec 6.2, D35d). */
export interface CharNode {
  readonly kind: 'char';
  readonly code: number;
  readonly quantifier: Quantifier | null;
  readonly span: Span;
}

/** `.`: any character, line breaks included (D25). */
export interface AnyNode {
  readonly kind: 'any';
  readonly quantifier: Quantifier | null;
  readonly span: Span;
}

export type ClassSet = 'digit' | 'space' | 'word';

/** `\d \D \s \S \w \W` (spec 6.3); `negated` for the upper-case forms. */
export interface EscapeClassNode {
  readonly kind: 'escape-class';
  readonly set: ClassSet;
  readonly negated: boolean;
  readonly quantifier: Quantifier | null;
  readonly span: Span;
}

/** `[...]` or `[^...]`. */
export interface ClassNode {
  readonly kind: 'class';
  readonly negated: boolean;
  readonly members: readonly ClassMember[];
  readonly quantifier: Quantifier | null;
  readonly span: Span;
}

export type ClassMember = ClassChar | ClassRange | ClassEscape;

export interface ClassChar {
  readonly kind: 'char';
  readonly code: number;
  readonly span: Span;
}

/** `a-z`, bounds inclusive, `from <= to` (D28). */
export interface ClassRange {
  readonly kind: 'range';
  readonly from: number;
  readonly to: number;
  readonly span: Span;
}

export interface ClassEscape {
  readonly kind: 'escape-class';
  readonly set: ClassSet;
  readonly negated: boolean;
  readonly span: Span;
}

/** For exhaustive switches: a new node kind fails to compile until handled. */
export function unreachable(x: never): never {
  throw new Error(`unhandled regex node ${JSON.stringify(x)}`);
}
