/**
 * `haystack filter PATTERN [PATH...]`: the events a CloudWatch filter pattern matches.
 */
import { Command, Option } from 'commander';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { compileFilterPattern } from '../filter/index.js';
import { filterInputs } from '../filter/plan.js';
import { BufferedWriter, eventWriter, OUTPUT_FORMATS, type OutputFormat } from '../output/events.js';
import { type DiagnosticsFormat, Exit, printDiagnostics } from './io.js';
import { addScanOptions, prepareScan, runScan, type ScanFlags, scanExit } from './scan-options.js';

interface FilterFlags extends ScanFlags {
  count?: boolean;
  output: OutputFormat;
  escape?: boolean;
  diagnostics: DiagnosticsFormat;
}

const EXAMPLES = `
Examples:
  $ haystack filter '{ $.outcome = "disallowed" }' flow.log
  $ haystack filter '{ $.see_thru_days_remaining <= 2 }' logs/ --count
  $ haystack filter '{ $.cat = "client" && $.src = "172.16.1.9" }' flow.log.gz --output ndjson
  $ haystack filter 'ERROR -DEBUG' app.log --start 2h
  $ aws logs tail DiscrimiNAT --since 1h | haystack filter '{ $.proto != "tls" }'

Formats (detected per input, or forced with --format):
  json      one JSON message per line (the firewall's own lines)
  text      one plain-text message per line
  export    <ISO time> <message>, as CloudWatch exports to S3
  tail      <ISO time> <stream> <message>, as aws logs tail prints
  ndjson    {"timestamp": ms, "message": "...", "logStreamName": "..."} per line
  aws-json  the JSON of aws logs filter-log-events / get-log-events

Exit status: 0 done, 2 invalid pattern or usage, 3 lines were skipped and --strict was given.`;

export function filterCommand(): Command {
  const cmd = new Command('filter')
    .description('print the events a CloudWatch filter pattern matches, exactly as CloudWatch would')
    .argument('<pattern>', 'a CloudWatch filter pattern (quote it for the shell)')
    .argument('[paths...]', 'files, directories (read recursively), .gz files, or - for stdin')
    .option('-c, --count', 'print only the number of matching events')
    .addOption(new Option('-o, --output <format>', 'how to print events').choices(OUTPUT_FORMATS).default('raw'))
    .option('--escape', 'show control characters as escapes even when output is not a terminal')
    .addOption(new Option('--diagnostics <format>', 'how to print pattern errors').choices(['text', 'json', 'github']).default('text'))
    .addHelpText('after', EXAMPLES)
    .action(async (pattern: string, paths: string[], flags: FilterFlags) => {
      process.exitCode = await runFilter(pattern, paths, flags);
    });
  return addScanOptions(cmd);
}

async function runFilter(pattern: string, paths: string[], flags: FilterFlags): Promise<number> {
  let compiled;
  try {
    compiled = compileFilterPattern(pattern);
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    printDiagnostics(e.diagnostics, pattern, 'pattern', flags.diagnostics);
    return Exit.Usage;
  }
  if (compiled.diagnostics.length > 0) printDiagnostics(compiled.diagnostics, pattern, 'pattern', flags.diagnostics);

  const prepared = await prepareScan(paths, flags, { filterPattern: pattern });
  if (typeof prepared === 'number') return prepared;
  const out = new BufferedWriter(process.stdout);
  // Log lines are attacker-controlled: on a terminal, escapes are shown, never run.
  const escape = flags.escape === true || process.stdout.isTTY === true;
  const writer = flags.count ? null : eventWriter(flags.output, out, escape);
  const options = { ...prepared.options, countOnly: flags.count === true };
  const done = await runScan(async () => ({ report: await filterInputs(compiled, prepared.inputs, (e) => writer?.write(e), options) }));
  if (typeof done === 'number') return done;
  if (flags.count) out.write(`${done.report.matched}\n`);
  await writer?.end();
  await out.flush();
  return scanExit(prepared, done.report, flags);
}
