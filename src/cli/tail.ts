/**
 * `haystack tail --log-group NAME [--filter PATTERN | --query QUERY]`: new events as they arrive
 * (src/cloudwatch/tail.ts), a filter pattern or a streaming query applied here.
 */
import { Command, Option } from 'commander';
import type { CloudWatchEvent } from '../cloudwatch/source.js';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { compileFilterPattern } from '../filter/index.js';
import { compileQuery, QueryRun } from '../insights/index.js';
import { streamingDiagnostics } from '../insights/streaming.js';
import { BufferedWriter } from '../output/events.js';
import { escapeControls, escapeJsonText } from '../output/safety.js';
import { addCloudOptions, type CloudFlags, cloudFailure, openCloud } from './cloudwatch-options.js';
import { type DiagnosticsFormat, Exit, printDiagnostics, printError } from './io.js';
import { collect, parseWindow, positiveInt } from './scan-options.js';

interface TailFlags extends CloudFlags {
  logGroup: string;
  logStream?: string[];
  filter?: string;
  query?: string;
  start?: string;
  output: 'text' | 'ndjson';
  live: boolean;
  escape?: boolean;
  maxPolls?: number;
  diagnostics: DiagnosticsFormat;
}

const EXAMPLES = `
Examples:
  $ haystack tail --log-group DiscrimiNAT --filter '{ $.outcome = "disallowed" }'
  $ haystack tail --log-group DiscrimiNAT --log-stream flow --query 'filter see_thru_exerted | fields dhost, dpt, src' --output ndjson
  $ haystack tail --log-group DiscrimiNAT --start 10m

Live Tail (logs:StartLiveTail) is used where the account allows it, else FilterLogEvents is
polled every second, looking 5 minutes back each time for late events (duplicates dropped).
Events print as "<ISO time> <stream> <message>" (haystack reads that back as the tail format),
or as NDJSON. A query runs event by event: filter, fields, display and parse only.
Ctrl-C ends it (exit 0).`;

export function tailCommand(): Command {
  const cmd = new Command('tail')
    .description('follow new events of a CloudWatch log group, through a filter pattern or a streaming query')
    .requiredOption('--log-group <name>', 'the log group (name or ARN)')
    .option('--log-stream <name>', 'only this stream (repeat for more)', collect)
    .option('--filter <pattern>', 'a filter pattern (also sent to AWS, so less is transferred)')
    .option('--query <query>', 'a Logs Insights query of filter, fields, display and parse commands')
    .option('--start <time>', 'also show events since this time (ISO-8601, epoch ms, or 10m / 2h ago); default: from now')
    .addOption(new Option('-o, --output <format>', 'text: one line per event (or tab-separated rows); ndjson').choices(['text', 'ndjson']).default('text'))
    .option('--no-live', 'poll FilterLogEvents, without trying Live Tail')
    .option('--escape', 'show control characters as escapes even when output is not a terminal')
    .addOption(new Option('--diagnostics <format>', 'how to print pattern or query errors').choices(['text', 'json', 'github']).default('text'))
    .addOption(new Option('--max-polls <n>', 'stop after this many polls (tests)').argParser(positiveInt).hideHelp())
    .addHelpText('after', EXAMPLES)
    .action(async (flags: TailFlags) => {
      process.exitCode = await runTail(flags);
    });
  return addCloudOptions(cmd);
}

type Printer = (events: readonly CloudWatchEvent[]) => void | Promise<void>;

/** The per-event step: a filter pattern's match, or a streaming query's rows. Null: exit code. */
function makePrinter(flags: TailFlags, out: BufferedWriter): Printer | number {
  const escape = flags.escape === true || process.stdout.isTTY === true;
  if (flags.filter !== undefined && flags.query !== undefined) {
    printError('give --filter or --query, not both');
    return Exit.Usage;
  }
  if (flags.query !== undefined) {
    let compiled;
    try {
      compiled = compileQuery(flags.query);
      const ds = streamingDiagnostics(compiled);
      if (ds.length > 0) throw new DiagnosticError(ds, flags.query);
    } catch (e) {
      if (!(e instanceof DiagnosticError)) throw e;
      printDiagnostics(e.diagnostics, flags.query, 'query', flags.diagnostics);
      return Exit.Usage;
    }
    const q = compiled;
    let header = flags.output === 'text';
    const rowsOf = (e: CloudWatchEvent): { fields: string[]; rows: (string | number | null)[][] } => {
      // One run per event: every command streams, so its rows depend on it alone, and they
      // print in arrival order (a run over a batch would sort newest first, as Insights does).
      const run = new QueryRun(q);
      run.push({ timestamp: e.timestamp, message: e.message, logStream: e.logStreamName, logGroup: flags.logGroup, ingestionTime: e.ingestionTime });
      return run.finish();
    };
    return (events) => {
      for (const e of events) printRows(rowsOf(e));
      return out.flush();
    };
    function printRows(r: { fields: string[]; rows: (string | number | null)[][] }): void {
      if (header) {
        out.write(r.fields.map((f) => (escape ? escapeControls(f) : f)).join('\t') + '\n');
        header = false;
      }
      for (const row of r.rows) {
        if (flags.output === 'ndjson') {
          const o: Record<string, string | number | null> = Object.create(null) as Record<string, string | number | null>;
          r.fields.forEach((f, i) => (o[f] = row[i] ?? null));
          const json = JSON.stringify(o);
          out.write((escape ? escapeJsonText(json) : json) + '\n');
        } else {
          const line = row.map((c) => (c === null ? '' : String(c).replace(/[\t\n\r]/g, ' '))).join('\t');
          out.write((escape ? escapeControls(line) : line) + '\n');
        }
      }
    }
  }
  let match: (m: string) => boolean = () => true;
  if (flags.filter !== undefined) {
    try {
      const compiled = compileFilterPattern(flags.filter);
      if (compiled.diagnostics.length > 0) printDiagnostics(compiled.diagnostics, flags.filter, 'pattern', flags.diagnostics);
      match = compiled.matches;
    } catch (e) {
      if (!(e instanceof DiagnosticError)) throw e;
      printDiagnostics(e.diagnostics, flags.filter, 'pattern', flags.diagnostics);
      return Exit.Usage;
    }
  }
  return (events) => {
    for (const e of events) {
      // AWS matched server-side already; the local match is what makes it haystack's answer.
      if (!match(e.message)) continue;
      if (flags.output === 'ndjson') {
        const json = JSON.stringify({ timestamp: e.timestamp, logStream: e.logStreamName, message: e.message });
        out.write((escape ? escapeJsonText(json) : json) + '\n');
      } else {
        const line = `${new Date(e.timestamp).toISOString()} ${e.logStreamName} ${e.message}`;
        out.write((escape ? escapeControls(line) : line) + '\n');
      }
    }
    return out.flush();
  };
}

async function runTail(flags: TailFlags): Promise<number> {
  const out = new BufferedWriter(process.stdout);
  const print = makePrinter(flags, out);
  if (typeof print === 'number') return print;
  const w = parseWindow(flags);
  if (typeof w === 'number') return w;
  const client = await openCloud(flags);
  if (typeof client === 'number') return client;
  const { tail } = await import('../cloudwatch/tail.js');
  const { optionsFromEnv } = await import('../cloudwatch/client.js');
  const pollMs = optionsFromEnv({}).pollMs;
  const abort = new AbortController();
  const onInt = (): void => abort.abort();
  process.once('SIGINT', onInt);
  try {
    await tail(client, {
      logGroup: flags.logGroup,
      logStreams: flags.logStream ?? [],
      ...(flags.filter !== undefined ? { filterPattern: flags.filter } : {}),
      since: w.start ?? w.now,
      live: flags.live,
      signal: abort.signal,
      ...(pollMs !== undefined ? { pollMs } : {}),
      ...(flags.maxPolls !== undefined ? { maxPolls: flags.maxPolls } : {}),
      onEvents: print,
      onNote: (t) => process.stderr.write(`haystack: ${t}\n`),
    });
  } catch (e) {
    await out.flush();
    return cloudFailure(e);
  } finally {
    process.removeListener('SIGINT', onInt);
  }
  await out.flush();
  return Exit.Ok;
}
