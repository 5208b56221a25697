/**
 * What every scanning command shares: the input options (--format, --start, --end, --strict,
 * and the CloudWatch source: --log-group, --log-stream, --profile, --region, or a
 * cloudwatch://GROUP[/STREAM] path), turning PATH arguments into inputs, and the closing
 * report of unreadable lines.
 */
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import type { ScanOptions, ScanReport } from '../engine/scan.js';
import { escapeControls } from '../output/safety.js';
import { FORMATS, type Format } from '../sources/formats.js';
import { type Input, InputError, resolveInputs } from '../sources/inputs.js';
import { parseTimeArg } from '../sources/time.js';
import { addCloudOptions, type CloudFlags, openCloud } from './cloudwatch-options.js';
import { type DiagnosticsFormat, Exit, printDiagnostics, printError } from './io.js';

export interface ScanFlags extends CloudFlags {
  format?: Format;
  start?: string;
  end?: string;
  strict?: boolean;
  threads?: number;
  diagnostics?: DiagnosticsFormat;
  logGroup?: string;
  logStream?: string[];
}

/** What a command may tell the CloudWatch source: a filter pattern AWS can apply first. */
export interface CloudSourceHints {
  readonly filterPattern?: string;
}

function threadCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('give a whole number of threads from 1 to 256');
  return n;
}

/** An option's whole number of at least 1 (--max-groups, --max-polls, ...). */
export function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a whole number of at least 1');
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Adds --format, --start, --end, --threads, the CloudWatch source options and (unless `strict`
 * is false: a command with no exit status to give it, such as the web console's server)
 * --strict to a command.
 */
export function addScanOptions(cmd: Command, { strict = true }: { strict?: boolean } = {}): Command {
  cmd
    .addOption(new Option('--format <format>', 'input format (default: detected per input)').choices(FORMATS))
    .option('--start <time>', 'only events at or after this time: ISO-8601, epoch ms, or 2h / 7d ago')
    .option('--end <time>', 'only events before this time (same forms as --start)');
  if (strict) cmd.option('--strict', 'exit 3 when any line could not be read');
  return addCloudOptions(
    cmd
      .option('--threads <n>', `worker threads for plain files of 1 GiB or more (default: all ${availableParallelism()} cores; 1: the main thread only)`, threadCount)
      .option('--log-group <name>', 'read this CloudWatch log group (FilterLogEvents); also cloudwatch://GROUP[/STREAM] as a path')
      .option('--log-stream <name>', 'with --log-group: only this stream (repeat for more)', collect),
  );
}

export interface PreparedScan {
  readonly inputs: Input[];
  /** Paths that could not be read (already printed); the command should exit 2 at the end. */
  readonly problems: string[];
  readonly options: ScanOptions;
  readonly now: number;
}

/** --start and --end as epoch ms (and the time they were read at), or the exit code after saying what is wrong. */
export function parseWindow(flags: { start?: string; end?: string; diagnostics?: DiagnosticsFormat }): { now: number; start?: number; end?: number } | number {
  const now = Date.now();
  try {
    return {
      now,
      ...(flags.start !== undefined ? { start: parseTimeArg(flags.start, now) } : {}),
      ...(flags.end !== undefined ? { end: parseTimeArg(flags.end, now) } : {}),
    };
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    printDiagnostics(e.diagnostics, e.source, flags.start === e.source ? '--start' : '--end', flags.diagnostics ?? 'text');
    return Exit.Usage;
  }
}

/** Resolves inputs and time options; prints what is wrong and returns an exit code instead. */
export async function prepareScan(paths: readonly string[], flags: ScanFlags, hints: CloudSourceHints = {}): Promise<PreparedScan | number> {
  const window = parseWindow(flags);
  if (typeof window === 'number') return window;
  const { now, start, end } = window;
  const cloud = await cloudInputs(paths, flags, hints, start, end);
  if (typeof cloud === 'number') return cloud;
  const filePaths = paths.filter((p) => !p.startsWith(CLOUDWATCH_SCHEME));
  try {
    const resolved = filePaths.length === 0 && cloud.length > 0 ? { inputs: [], problems: [] } : await resolveInputs(filePaths, process.stdin.isTTY === true);
    const inputs = [...resolved.inputs, ...cloud];
    const problems = resolved.problems;
    for (const p of problems) printError(p);
    if (inputs.length === 0) {
      printError('no input could be read');
      return Exit.Usage;
    }
    const options: ScanOptions = {
      // Default: every core. Files under 1 GiB are still read on this thread (MIN_PARALLEL_BYTES).
      threads: flags.threads ?? availableParallelism(),
      ...(flags.format ? { format: flags.format } : {}),
      ...(start !== undefined ? { start } : {}),
      ...(end !== undefined ? { end } : {}),
    };
    return { inputs, problems, options, now };
  } catch (e) {
    if (e instanceof InputError) {
      printError(e.message, e.hint);
      return Exit.Usage;
    }
    throw e;
  }
}

const CLOUDWATCH_SCHEME = 'cloudwatch://';

/**
 * The CloudWatch sources named by --log-group and cloudwatch:// paths, with a client whose
 * credentials resolved (the SDK is loaded only here, only when one is named).
 */
async function cloudInputs(paths: readonly string[], flags: ScanFlags, hints: CloudSourceHints, start?: number, end?: number): Promise<Input[] | number> {
  const urls = paths.filter((p) => p.startsWith(CLOUDWATCH_SCHEME));
  const streams = flags.logStream ?? [];
  if (flags.logGroup === undefined && urls.length === 0) {
    if (streams.length > 0) {
      printError('--log-stream needs --log-group', 'haystack filter PATTERN --log-group DiscrimiNAT --log-stream flow');
      return Exit.Usage;
    }
    return [];
  }
  const { parseCloudWatchPath, cloudWatchInput } = await import('../cloudwatch/source.js');
  const queries = [];
  if (flags.logGroup !== undefined) queries.push({ logGroup: flags.logGroup, logStreams: streams });
  for (const u of urls) {
    const parsed = parseCloudWatchPath(u);
    if (!parsed) {
      printError(`${u}: not a CloudWatch path`, 'cloudwatch://GROUP or cloudwatch://GROUP/STREAM (a / in a name is written %2F)');
      return Exit.Usage;
    }
    queries.push({ logGroup: parsed.logGroup, ...(parsed.logStream !== undefined ? { logStreams: [parsed.logStream] } : {}) });
  }
  const client = await openCloud(flags);
  if (typeof client === 'number') return client;
  return queries.map((q) =>
    cloudWatchInput(client, {
      ...q,
      ...(start !== undefined ? { start } : {}),
      ...(end !== undefined ? { end } : {}),
      ...(hints.filterPattern !== undefined ? { filterPattern: hints.filterPattern } : {}),
    }),
  );
}

/**
 * Runs a scan, turning input errors (such as --start on inputs without times) into exit 2,
 * and prints the summary of unreadable lines. Returns the report or an exit code.
 */
export async function runScan<T extends { report: ScanReport }>(run: () => Promise<T>): Promise<T | number> {
  try {
    const r = await run();
    const summary = r.report.issues.summary();
    if (summary) process.stderr.write(`haystack: ${escapeControls(summary)}\n`);
    return r;
  } catch (e) {
    if (e instanceof InputError) {
      printError(e.message, e.hint);
      return Exit.Usage;
    }
    throw e;
  }
}

/** The exit code after a successful scan: 2 if some path was unreadable, 3 for issues under --strict. */
export function scanExit(prepared: PreparedScan, report: ScanReport, flags: ScanFlags): number {
  if (prepared.problems.length > 0) return Exit.Usage;
  return flags.strict && report.issues.total > 0 ? Exit.ScanIssue : Exit.Ok;
}
