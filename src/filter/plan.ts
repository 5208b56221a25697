/**
 * A compiled filter pattern as a plan the scan engine runs, and the library call that scans
 * inputs with it (what `haystack filter` does, for library users too).
 */
import { type LinePlan, type ScanOptions, type ScanReport, type ScannedEvent, scan } from '../engine/scan.js';
import type { Input } from '../sources/inputs.js';
import { compileFilterPattern, type CompiledFilterPattern } from './index.js';
import { bestClause } from '../engine/literals.js';

export function linePlanOf(p: CompiledFilterPattern): LinePlan {
  const { clauses, needsEscapeFallback } = p.prefilter;
  return {
    literals: bestClause(clauses) ?? [],
    decodesJson: needsEscapeFallback,
    test: p.classify,
    ...(p.classifyBytes ? { testBytes: p.classifyBytes } : {}),
  };
}

/** How a scan worker rebuilds this plan (engine/parallel.ts). */
export function linePlanFromSpec(spec: { pattern: string }): LinePlan {
  return linePlanOf(compileFilterPattern(spec.pattern));
}

/**
 * Runs a compiled pattern over inputs, calling onMatch for each matching event in input
 * order; with `threads` > 1, big files are scanned by worker threads, with the same results.
 */
export function filterInputs(
  pattern: CompiledFilterPattern,
  inputs: readonly Input[],
  onMatch: (e: ScannedEvent) => void | Promise<void>,
  options: ScanOptions = {},
): Promise<ScanReport> {
  return scan(inputs, linePlanOf(pattern), onMatch, { ...options, parallel: { module: import.meta.url, spec: { pattern: pattern.source } } });
}
