/**
 * A diagnostic is plain data: what went wrong, where, and what to do about it.
 * Rendering lives apart (render.ts), so the same diagnostic can be shown as text with a
 * caret, as JSON, or as a GitHub annotation.
 */

/** Offsets into the source text, in UTF-16 code units (JavaScript string indexes), end exclusive. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable code: HS1xxx filter patterns, HS2xxx Insights, HS3xxx annotations, HS4xxx scan issues. */
  readonly code: string;
  readonly severity: Severity;
  /** What is wrong, in plain words. */
  readonly message: string;
  readonly span: Span;
  /** What to do about it, when something useful can be said. */
  readonly hint?: string;
}

/** Thrown by library functions when input is invalid; carries every diagnostic found. */
export class DiagnosticError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  /** The text the spans point into. */
  readonly source: string;

  constructor(diagnostics: readonly Diagnostic[], source: string) {
    const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
    super(first ? `${first.code}: ${first.message} (at offset ${first.span.start})` : 'invalid input');
    this.name = 'DiagnosticError';
    this.diagnostics = diagnostics;
    this.source = source;
  }
}

export function span(start: number, end: number): Span {
  return { start, end: Math.max(start, end) };
}
