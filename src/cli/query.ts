/**
 * `haystack query QUERY [PATH...]`: a Logs Insights query over local logs.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { compileQuery, type CompiledQuery, DEFAULT_LIMITS, ResourceLimitError } from '../insights/index.js';
import { queryInputs } from '../insights/scan.js';
import { RESULT_FORMATS, type ResultFormat } from '../output/result-formats.js';
import { type DiagnosticsFormat, Exit, printDiagnostics, printError } from './io.js';
import { printQueryResult } from './query-output.js';
import { addScanOptions, positiveInt, prepareScan, runScan, type ScanFlags, scanExit } from './scan-options.js';

interface QueryFlags extends ScanFlags {
  queryFile?: string;
  maxGroups?: number;
  maxValues?: number;
  output: ResultFormat;
  escape?: boolean;
  rawCsv?: boolean;
  diagnostics: DiagnosticsFormat;
  remote?: boolean;
  compare?: string;
}

const EXAMPLES = `
Examples:
  $ haystack query 'filter see_thru_exerted AND see_thru_gid = "sg-0ccc3333"
      | stats count() by see_thru_exerted, see_thru_gid, dhost, proto, dpt' flow.log
  $ haystack query 'filter outcome = "disallowed" | stats count(*) as n by dhost | sort n desc | limit 10' logs/
  $ haystack query 'stats count(*) by bin(1h), outcome' export.log.gz --output csv
  $ haystack query -f allowlist.insights flow.log --output json
  $ haystack query --remote --log-group DiscrimiNAT --start 7d 'stats count(*) by dhost'
  $ haystack query --remote --log-group DiscrimiNAT --start 2026-03-01T00:00:00Z --end 2026-03-02T00:00:00Z \
      'stats count(*) by dhost' --compare pulled/     # pulled/ from haystack pull

The query language is CloudWatch Logs Insights (classic). Commands that need CloudWatch
itself (SOURCE, filterIndex, pattern, diff, anomaly, unmask, lookup) are refused with a hint.
Without limit at most 10,000 rows are returned, as in CloudWatch; limit accepts up to 100,000.

--remote runs the query in CloudWatch Logs Insights (StartQuery) after haystack has checked
it, over --start..--end (default: the last hour, in whole seconds). Ctrl-C stops it there.

Exit status: 0 done, 1 --compare found a difference, 2 invalid query, usage, or a CloudWatch
failure, 3 lines were skipped and --strict was given.`;

export function queryCommand(): Command {
  const cmd = new Command('query')
    .description('run a CloudWatch Logs Insights query over local logs')
    .argument('[query]', 'the query text (omit with -f)')
    .argument('[paths...]', 'files, directories (read recursively), .gz files, or - for stdin')
    .option('-f, --query-file <file>', 'read the query from a file')
    .addOption(new Option('-o, --output <format>', 'result format').choices(RESULT_FORMATS).default('table'))
    .option('--escape', 'show control characters as escapes in csv/json output too')
    .option('--raw-csv', 'do not neutralise spreadsheet formulas in csv and markdown cells')
    .option('--max-groups <n>', `most stats groups / dedup keys kept (default ${DEFAULT_LIMITS.maxGroups.toLocaleString('en-US')})`, positiveInt)
    .option('--max-values <n>', `most values one count_distinct or pct keeps (default ${DEFAULT_LIMITS.maxValues.toLocaleString('en-US')})`, positiveInt)
    .addOption(new Option('--diagnostics <format>', 'how to print query errors').choices(['text', 'json', 'github']).default('text'))
    .option('--remote', 'run the query in CloudWatch Logs Insights (with --log-group), after checking it here')
    .option('--compare <dir>', 'with --remote: also run it here over DIR (from haystack pull) and print any difference')
    .addHelpText('after', EXAMPLES)
    .action(async (first: string | undefined, rest: string[], flags: QueryFlags) => {
      process.exitCode = await runQueryCommand(first, rest, flags);
    });
  return addScanOptions(cmd);
}

async function runQueryCommand(first: string | undefined, rest: string[], flags: QueryFlags): Promise<number> {
  let text: string;
  let paths: string[];
  if (flags.queryFile !== undefined) {
    try {
      text = readFileSync(flags.queryFile, 'utf8');
    } catch (e) {
      printError(`cannot read the query file ${flags.queryFile}: ${(e as Error).message}`);
      return Exit.Usage;
    }
    paths = first === undefined ? rest : [first, ...rest];
  } else {
    if (first === undefined) {
      printError('no query given', "haystack query 'stats count(*) by dhost' flow.log, or -f FILE");
      return Exit.Usage;
    }
    text = first;
    paths = rest;
  }
  const name = flags.queryFile ?? 'query';
  let compiled: CompiledQuery;
  try {
    compiled = compileQuery(text);
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    printDiagnostics(e.diagnostics, text, name, flags.diagnostics);
    return Exit.Usage;
  }
  if (flags.remote) return (await import('./query-remote.js')).runRemote(compiled, paths, flags);
  if (flags.compare !== undefined) {
    printError('--compare needs --remote', 'haystack query --remote --log-group NAME QUERY --compare DIR');
    return Exit.Usage;
  }
  const prepared = await prepareScan(paths, flags);
  if (typeof prepared === 'number') return prepared;
  const progress = progressLine();
  const { start, end } = prepared.options;
  const limits = { maxGroups: flags.maxGroups ?? DEFAULT_LIMITS.maxGroups, maxValues: flags.maxValues ?? DEFAULT_LIMITS.maxValues };
  const done = await runScan(() =>
    queryInputs(compiled, prepared.inputs, {
      ...prepared.options,
      now: prepared.now,
      limits,
      // Workers aggregate a query's stats when they can; they run a query's leading filters
      // only when --threads is given (see RunOptions.queryWorkers).
      queryWorkers: flags.threads !== undefined,
      ...(start !== undefined && end !== undefined ? { window: { start, end } } : {}),
      onChunk: progress.chunk,
    }),
  ).catch((e: unknown) => {
    if (e instanceof ResourceLimitError) return e;
    throw e;
  });
  progress.done();
  if (done instanceof ResourceLimitError) {
    printError(done.message, `raise ${done.flag}, or narrow the query (a filter first, fewer or coarser group keys)`);
    return Exit.Usage;
  }
  if (typeof done === 'number') return done;
  const { result, report } = done;
  await printQueryResult(result, { ...flags, capHint: 'add | limit N (up to 100,000) for more' });
  return scanExit(prepared, report, flags);
}

/** On a terminal, a live line on stderr for scans longer than a second. */
function progressLine(): { chunk: (bytes: number) => void; done: () => void } {
  if (process.stderr.isTTY !== true) return { chunk: () => undefined, done: () => undefined };
  const t0 = Date.now();
  let bytes = 0;
  let last = 0;
  let shown = false;
  return {
    chunk: (n) => {
      bytes += n;
      const now = Date.now();
      if (now - t0 < 1000 || now - last < 200) return;
      last = now;
      shown = true;
      const s = (now - t0) / 1000;
      process.stderr.write(`\r${(bytes / 1e6).toFixed(0)} MB scanned, ${(bytes / 1e6 / s).toFixed(0)} MB/s, ${s.toFixed(1)} s`);
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
