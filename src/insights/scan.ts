/**
 * Running a query over inputs (files, directories, gzip, stdin): what `haystack query` does,
 * for library users too.
 */
import { type ScannedEvent, type ScanOptions, type ScanReport, scan } from '../engine/scan.js';
import type { Input } from '../sources/inputs.js';
import { type CompiledQuery, type QueryPart, QueryRun, type QueryResult, type RunOptions } from './index.js';
import { leadingFilters, queryLinePlan } from './line-plan.js';

export async function queryInputs(
  query: CompiledQuery,
  inputs: readonly Input[],
  options: ScanOptions & RunOptions & { readonly onEvent?: (e: ScannedEvent) => void } = {},
): Promise<{ result: QueryResult; report: ScanReport }> {
  const onEvent = options.onEvent;
  const window = options.start !== undefined && options.end !== undefined ? { start: options.start, end: options.end } : undefined;
  const run = new QueryRun(query, { ...options, ...(window && !options.window ? { window } : {}) });
  const module = new URL('./line-plan.js', import.meta.url).href;
  // Workers aggregate parts of big files when they can run the query's stats; else, when
  // asked, they run its leading filters (line-plan.ts, RunOptions.queryWorkers).
  const partSpec = run.partSpec();
  const parallel =
    partSpec !== null && onEvent === undefined
      ? { module, spec: partSpec, aggregate: true }
      : options.queryWorkers === true && leadingFilters(query.ast.commands) !== null
        ? { module, spec: { query: query.source } }
        : undefined;
  const report = await scan(
    inputs,
    // Lines that cannot pass the query's leading filters are never turned into records, and a
    // JSON line reaches the query as bytes (testBytes), so no message string is built for it.
    queryLinePlan(query),
    // The scanned event is the query event: its message string is built only if read.
    onEvent === undefined
      ? (e) => run.push(e, e.messageBytes)
      : (e) => {
          onEvent(e); // before the query: it may not keep the event's buffers
          run.push(e, e.messageBytes);
        },
    { ...options, ...(parallel ? { parallel, onPartSummary: (p: unknown) => run.mergePart(p as QueryPart) } : {}) },
  );
  return { result: run.finish(), report };
}
