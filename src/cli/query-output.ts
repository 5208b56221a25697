/**
 * Printing a query's result: what `query` and `recipes run` share. The table fits the
 * terminal; on a terminal values are escaped; a note says when the 10,000-row cap left rows out.
 */
import type { QueryResult } from '../insights/index.js';
import type { ResultFormat } from '../output/result-formats.js';

export interface ResultFlags {
  readonly output: ResultFormat;
  readonly escape?: boolean;
  readonly rawCsv?: boolean;
  /** What to add to the cap note (e.g. how to ask for more rows), when there is a way. */
  readonly capHint?: string;
}

export async function printQueryResult(result: QueryResult, flags: ResultFlags): Promise<void> {
  const tty = process.stdout.isTTY === true;
  const { renderResult } = await import('../output/results.js'); // loaded only when printing
  process.stdout.write(
    renderResult(result.fields, result.rows, flags.output, {
      ...(tty ? { width: process.stdout.columns || 120 } : {}),
      escape: tty || flags.escape === true,
      rawCsv: flags.rawCsv === true,
    }),
  );
  if (result.rowsBeforeCap > result.rows.length)
    process.stderr.write(
      `haystack: showing ${result.rows.length.toLocaleString('en-US')} of ${result.rowsBeforeCap.toLocaleString('en-US')} rows: without limit, Logs Insights returns at most 10,000${flags.capHint ? `; ${flags.capHint}` : ''}\n`,
    );
}
