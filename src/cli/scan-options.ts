/**
 * What every scanning command shares: the input options (--format, --start, --end, --strict),
 * turning PATH arguments into inputs, and the closing report of unreadable lines.
 */
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import type { ScanOptions, ScanReport } from '../engine/scan.js';
import { escapeControls } from '../output/safety.js';
import { FORMATS, type Format } from '../sources/formats.js';
import { type Input, InputError, resolveInputs } from '../sources/inputs.js';
import { parseTimeArg } from '../sources/time.js';
import { type DiagnosticsFormat, Exit, printDiagnostics, printError } from './io.js';

export interface ScanFlags {
  format?: Format;
  start?: string;
  end?: string;
  strict?: boolean;
  threads?: number;
  diagnostics?: DiagnosticsFormat;
}

function threadCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('give a whole number of threads from 1 to 256');
  return n;
}

/**
 * Adds --format, --start, --end, --threads and (unless `strict` is false: a command with no exit
 * status to give it, such as the web console's server) --strict to a command.
 */
export function addScanOptions(cmd: Command, { strict = true }: { strict?: boolean } = {}): Command {
  cmd
    .addOption(new Option('--format <format>', 'input format (default: detected per input)').choices(FORMATS))
    .option('--start <time>', 'only events at or after this time: ISO-8601, epoch ms, or 2h / 7d ago')
    .option('--end <time>', 'only events before this time (same forms as --start)');
  if (strict) cmd.option('--strict', 'exit 3 when any line could not be read');
  return cmd.option('--threads <n>', `worker threads for big plain files (default 1: the main thread; this machine has ${availableParallelism()} cores)`, threadCount);
}

export interface PreparedScan {
  readonly inputs: Input[];
  /** Paths that could not be read (already printed); the command should exit 2 at the end. */
  readonly problems: string[];
  readonly options: ScanOptions;
  readonly now: number;
}

/** Resolves inputs and time options; prints what is wrong and returns an exit code instead. */
export async function prepareScan(paths: readonly string[], flags: ScanFlags): Promise<PreparedScan | number> {
  const now = Date.now();
  let start: number | undefined;
  let end: number | undefined;
  try {
    if (flags.start !== undefined) start = parseTimeArg(flags.start, now);
    if (flags.end !== undefined) end = parseTimeArg(flags.end, now);
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    printDiagnostics(e.diagnostics, e.source, flags.start === e.source ? '--start' : '--end', flags.diagnostics ?? 'text');
    return Exit.Usage;
  }
  try {
    const { inputs, problems } = await resolveInputs(paths, process.stdin.isTTY === true);
    for (const p of problems) printError(p);
    if (inputs.length === 0) {
      printError('no input could be read');
      return Exit.Usage;
    }
    const options: ScanOptions = {
      // Default 1: measured on 2-core machines, workers are still slower than one thread
      // (reading is memory-bound there, and parts cost allocations); see the README.
      threads: flags.threads ?? 1,
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
