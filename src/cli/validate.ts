/**
 * `haystack validate [PATH...]`: checks every line against the discrimiNAT flow and config log
 * schemas (spec D2.7) and reports what it found, and which schema generation the logs look like.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { renderText } from '../diagnostics/render.js';
import { formatLocation, type ValidationReport, validateInputs } from '../discriminat/schema-report.js';
import { BufferedWriter } from '../output/events.js';
import { FORMATS, type Format } from '../sources/formats.js';
import { InputError, resolveInputs } from '../sources/inputs.js';
import { Exit, printError } from './io.js';

const REPORT_FORMATS = ['text', 'json'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

interface ValidateFlags {
  output: ReportFormat;
  format?: Format;
  maxExamples: number;
  strict?: boolean;
}

const EXAMPLES = `
Examples:
  $ haystack validate flow.log
  $ haystack validate logs/ --max-examples 5
  $ haystack validate config.log.gz --output json
  $ aws logs tail DiscrimiNAT --since 1h | haystack validate --strict

Lines are read as by haystack filter (files, directories, .gz, stdin; formats detected per
input or forced with --format). Each message is a flow line (cat client/server with dhost) or a
config line (cat fqdn/client/see-thru/addr); the report gives counts per problem code (HS31xx)
and per field with the first place each was seen, and the schema generation the lines look like:
G1 (v2.0-v2.8), G2 (v2.9+), G3 (newest), mixed or undecidable.

Exit status: 0 every line valid, 1 some line invalid, 2 usage or unreadable input,
3 lines could not be read and --strict was given.`;

export function validateCommand(): Command {
  return new Command('validate')
    .description('check discrimiNAT flow and config log lines against their schema, and tell their generation')
    .argument('[paths...]', 'files, directories (read recursively), .gz files, or - for stdin')
    .addOption(new Option('-o, --output <format>', 'how to print the report').choices(REPORT_FORMATS).default('text'))
    .addOption(new Option('-f, --format <format>', 'input format (default: detected per input)').choices(FORMATS))
    .option('--max-examples <n>', 'print the first N problem lines with carets under each problem', count, 0)
    .option('--strict', 'exit 3 when any line could not be read')
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[], flags: ValidateFlags) => {
      process.exitCode = await runValidate(paths, flags);
    });
}

function count(text: string): number {
  if (!/^[0-9]+$/.test(text)) throw new InvalidArgumentError('a whole number is needed');
  return Number(text);
}

async function runValidate(paths: string[], flags: ValidateFlags): Promise<number> {
  let report: ValidationReport;
  let problems: string[];
  try {
    const resolved = await resolveInputs(paths, process.stdin.isTTY === true);
    problems = resolved.problems;
    for (const p of problems) printError(p);
    if (resolved.inputs.length === 0) {
      printError('no input could be read');
      return Exit.Usage;
    }
    report = await validateInputs(resolved.inputs, {
      maxExamples: flags.maxExamples,
      ...(flags.format ? { format: flags.format } : {}),
    });
  } catch (e) {
    if (e instanceof InputError) {
      printError(e.message, e.hint);
      return Exit.Usage;
    }
    throw e;
  }
  const out = new BufferedWriter(process.stdout);
  await out.write(flags.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
  await out.flush();
  if (problems.length > 0) return Exit.Usage;
  if (flags.strict && report.issues.total > 0) return Exit.ScanIssue;
  return report.invalid > 0 ? Exit.Found : Exit.Ok;
}

/** The text report: a few aligned sections, then the examples. */
export function renderReport(r: ValidationReport): string {
  const out: string[] = [];
  const kv = (k: string, v: string): void => void out.push(`${k.padEnd(12)}${v}`);
  kv('lines', `${r.lines} read, ${r.checked} checked: ${r.valid} valid, ${r.invalid} invalid`);
  kv('kinds', (['flow', 'config', 'unknown'] as const)
    .map((k) => `${k} ${r.kinds[k].lines}${r.kinds[k].invalid > 0 ? ` (${r.kinds[k].invalid} invalid)` : ''}`)
    .join(', '));

  const g = r.generation;
  kv('generation', g.releases === null ? g.verdict : `${g.verdict} (${g.releases})`);
  if (g.streams.length > 1 || g.verdict === 'mixed')
    for (const s of g.streams) {
      const counts = (['G1', 'G2', 'G3', 'none'] as const).filter((k) => s.looksLike[k] > 0).map((k) => `${k} ${s.looksLike[k]}`).join(', ');
      out.push(`${''.padEnd(12)}${s.stream}: ${s.generation ?? 'undecidable'} (${counts})`);
    }
  for (const c of g.evidence)
    out.push(`${''.padEnd(12)}${c.lines} ${c.lines === 1 ? 'line' : 'lines'}: ${c.says} (first at ${formatLocation(c.first)})`);
  for (const w of g.warnings)
    out.push(`warning ${w.code}: ${w.message} (first G3 at ${formatLocation(w.firstG3)}, first other at ${formatLocation(w.firstOther)})`);

  if (r.codes.length === 0) kv('problems', 'none');
  else {
    out.push('problems by code');
    const rows = r.codes.map((c) => [c.code, c.severity, String(c.count), `in ${c.lines} ${c.lines === 1 ? 'line' : 'lines'}`, c.title, `first at ${formatLocation(c.first)}`]);
    out.push(...table(rows));
    out.push('problems by field');
    out.push(...table(r.fields.map((f) => [f.field, String(f.count), f.codes.join(','), `first at ${formatLocation(f.first)}`])));
  }
  if (r.issues.summary === null) kv('unreadable', 'none');
  else kv('unreadable', r.issues.summary);

  for (const x of r.examples) {
    out.push('');
    const name = formatLocation(x.location);
    // Spans point into the message; info (HS3110) renders like the rest, its severity word included.
    out.push(x.diagnostics.map((d) => renderText(d as unknown as Diagnostic, x.message, name)).join('\n\n'));
  }
  return `${out.join('\n')}\n`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`);
}
