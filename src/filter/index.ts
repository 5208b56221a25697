/**
 * The filter-pattern language: text in, a compiled pattern out (or diagnostics).
 */
import { type Diagnostic, DiagnosticError } from '../diagnostics/diagnostic.js';
import type { FilterPattern } from './ast.js';
import { type BytesClassifier, type Classifier, compileBytesClassifier, compileClassifier } from './compile.js';
import { parseFilterPattern } from './parser.js';
import { type Prefilter, prefilterOf } from './prefilter.js';

export interface CompiledFilterPattern {
  /** The pattern text as given. */
  readonly source: string;
  readonly ast: FilterPattern;
  /** Does the pattern match this event message (no timestamp or other prefix)? */
  matches(message: string): boolean;
  /** Non-fatal findings (severity "warning"), e.g. unquoted text split into several terms. */
  readonly diagnostics: readonly Diagnostic[];
  /** Literals a matching message must contain, for the byte prefilter. */
  readonly prefilter: Prefilter;
  /** As matches, but undefined when a JSON pattern meets a message that is not a JSON object. */
  readonly classify: Classifier;
  /** For JSON patterns: classify straight from the bytes of a line (the scan's fast path). */
  readonly classifyBytes: BytesClassifier | null;
}

/** Thrown by compileFilterPattern for an invalid pattern. */
export class FilterPatternError extends DiagnosticError {
  constructor(diagnostics: readonly Diagnostic[], source: string) {
    super(diagnostics, source);
    this.name = 'FilterPatternError';
  }
}

/**
 * Compiles a CloudWatch filter pattern. Throws FilterPatternError, carrying every diagnostic,
 * when AWS would reject the pattern.
 */
export function compileFilterPattern(text: string): CompiledFilterPattern {
  const { pattern, diagnostics } = parseFilterPattern(text);
  if (!pattern || diagnostics.some((d) => d.severity === 'error')) throw new FilterPatternError(diagnostics, text);
  const classify = compileClassifier(pattern);
  const matches = (message: string): boolean => classify(message) === true;
  return {
    source: text,
    ast: pattern,
    matches,
    classify,
    classifyBytes: compileBytesClassifier(pattern),
    diagnostics,
    prefilter: prefilterOf(pattern),
  };
}

export type { FilterPattern } from './ast.js';
export { referenceMatches } from './reference.js';
