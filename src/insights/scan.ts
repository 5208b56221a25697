/**
 * Running a query over inputs (files, directories, gzip, stdin): what `haystack query` does,
 * for library users too.
 */
import { type ScannedEvent, type ScanOptions, type ScanReport, scan } from '../engine/scan.js';
import type { Input } from '../sources/inputs.js';
import { type CompiledQuery, QueryRun, type QueryResult, type RunOptions } from './index.js';
import { bestClause } from '../engine/literals.js';
import { queryClauses } from './prefilter.js';
import { leadingFilters } from './line-plan.js';

export async function queryInputs(
  query: CompiledQuery,
  inputs: readonly Input[],
  options: ScanOptions & RunOptions & { readonly onEvent?: (e: ScannedEvent) => void } = {},
): Promise<{ result: QueryResult; report: ScanReport }> {
  const onEvent = options.onEvent;
  const window = options.start !== undefined && options.end !== undefined ? { start: options.start, end: options.end } : undefined;
  const run = new QueryRun(query, { ...options, ...(window && !options.window ? { window } : {}) });
  // Lines that cannot pass the query's leading filters are never turned into records.
  const literals = bestClause(queryClauses(query.ast.commands)) ?? [];
  // With leading filters, big files can be filtered by worker threads when asked (line-plan.ts).
  const parallel = options.queryWorkers === true && leadingFilters(query.ast.commands) !== null ? { module: new URL('./line-plan.js', import.meta.url).href, spec: { query: query.source } } : undefined;
  const report = await scan(
    inputs,
    // testBytes: a JSON line reaches the query as bytes, so no message string is built for it.
    { literals, decodesJson: true, test: () => true, testBytes: () => true },
    // The scanned event is the query event: its message string is built only if read.
    onEvent === undefined
      ? (e) => run.push(e, e.messageBytes)
      : (e) => {
          onEvent(e); // before the query: it may not keep the event's buffers
          run.push(e, e.messageBytes);
        },
    { ...options, ...(parallel ? { parallel } : {}) },
  );
  return { result: run.finish(), report };
}
