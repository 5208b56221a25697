/**
 * What a file reader hands to the checker: the patterns and queries it found, each with its
 * decoded text mapped back to the file, and its own findings (parse errors, values it could
 * not check).
 */
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.js';
import type { MappedText } from './mapped-text.js';

export type TargetKind = 'pattern' | 'query';

export interface LintTarget {
  readonly kind: TargetKind;
  /** Where it is, in the file's own terms: `aws_cloudwatch_log_metric_filter.denied.pattern`. */
  readonly where: string;
  readonly value: MappedText;
  /** A dashboard log widget's query, which starts with `SOURCE '...' |` (checked without it). */
  readonly widget?: boolean;
}

/** `info` is for values found but not checked: they never fail a run. */
export type LintSeverity = Severity | 'info';

export interface LintDiagnostic extends Omit<Diagnostic, 'severity'> {
  readonly severity: LintSeverity;
}

export interface Extraction {
  readonly targets: LintTarget[];
  /** Spans in the file's text. */
  readonly diagnostics: LintDiagnostic[];
}
