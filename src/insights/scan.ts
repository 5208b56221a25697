/**
 * Running a query over inputs (files, directories, gzip, stdin): what `haystack query` does,
 * for library users too.
 */
import { type ScanOptions, type ScanReport, scan } from '../engine/scan.js';
import type { Input } from '../sources/inputs.js';
import { type CompiledQuery, QueryRun, type QueryResult, type RunOptions } from './index.js';

export async function queryInputs(
  query: CompiledQuery,
  inputs: readonly Input[],
  options: ScanOptions & RunOptions = {},
): Promise<{ result: QueryResult; report: ScanReport }> {
  const window = options.start !== undefined && options.end !== undefined ? { start: options.start, end: options.end } : undefined;
  const run = new QueryRun(query, { ...options, ...(window && !options.window ? { window } : {}) });
  const report = await scan(
    inputs,
    { literals: [], decodesJson: false, test: () => true },
    (e) => run.push({ timestamp: e.timestamp, message: e.message, ...(e.logStream !== null ? { logStream: e.logStream } : {}), ...(e.logGroup !== null ? { logGroup: e.logGroup } : {}) }),
    options,
  );
  return { result: run.finish(), report };
}
