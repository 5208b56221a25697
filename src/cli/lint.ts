/**
 * `haystack lint [PATH...]`: checks the filter patterns and Logs Insights queries in
 * Terraform and CloudFormation before they are deployed (issue 11). Thin: finding, checking
 * and rendering live in src/lint/.
 */
import { Command, Option } from 'commander';
import { type FileReport, lintFile } from '../lint/lint.js';
import { renderLintGithub, renderLintJson, renderLintText } from '../lint/report.js';
import { renderSarif } from '../lint/sarif.js';
import { findSources, plainSources, SourceError, type SourceFile } from '../lint/sources.js';
import { BufferedWriter } from '../output/events.js';
import { Exit, printError } from './io.js';

const FORMATS = ['text', 'json', 'github', 'sarif'] as const;
type LintFormat = (typeof FORMATS)[number];

interface LintFlags {
  format: LintFormat;
  patternFile: string[];
  queryFile: string[];
  warningsAsErrors?: boolean;
  explain?: boolean;
}

const EXAMPLES = `
Examples:
  $ haystack lint
  $ haystack lint infra/ templates/logs.yaml --explain
  $ haystack lint --format github
  $ haystack lint --format sarif > haystack.sarif
  $ haystack lint --pattern-file alarm.pattern --query-file allowlist.query

What is read: Terraform (.tf, .tf.json) aws_cloudwatch_log_metric_filter.pattern,
aws_cloudwatch_log_subscription_filter.filter_pattern, aws_cloudwatch_query_definition.query_string
and the log widgets of aws_cloudwatch_dashboard.dashboard_body; CloudFormation (.yaml, .yml,
.json, .template) AWS::Logs::MetricFilter and ::SubscriptionFilter FilterPattern,
AWS::Logs::QueryDefinition QueryString, AWS::CloudWatch::Dashboard DashboardBody. Directories
are read recursively, skipping what .gitignore excludes. Values with \${...} parts, and
expressions that are not literal strings, are reported as not checked (HS51xx, info).

Exit status: 0 no error (warnings and not-checked values allowed), 1 an error was found (or a
warning, with --warnings-as-errors), 2 bad usage or a path that does not exist.`;

const collect = (v: string, acc: string[]): string[] => [...acc, v];

export function lintCommand(): Command {
  return new Command('lint')
    .description('check the filter patterns and Logs Insights queries in Terraform and CloudFormation files')
    .argument('[paths...]', 'files and directories (default: the current directory)')
    .addOption(new Option('--format <format>', 'how to report').choices(FORMATS).default('text'))
    .option('--pattern-file <file>', 'a file holding one filter pattern (repeatable)', collect, [])
    .option('--query-file <file>', 'a file holding one Logs Insights query (repeatable)', collect, [])
    .option('--warnings-as-errors', 'exit 1 on warnings too')
    .option('--explain', 'say in words what each filter pattern matches')
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[], flags: LintFlags) => {
      process.exitCode = await runLint(paths, flags);
    });
}

async function runLint(paths: string[], flags: LintFlags): Promise<number> {
  const plain = flags.patternFile.length + flags.queryFile.length > 0;
  let sources: SourceFile[];
  try {
    sources = await findSources(paths.length === 0 && !plain ? ['.'] : paths);
    sources.push(...(await plainSources(flags.patternFile, 'pattern')), ...(await plainSources(flags.queryFile, 'query')));
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    printError(e.message, 'see haystack lint --help');
    return Exit.Usage;
  }
  const reports: FileReport[] = [];
  for (const s of sources) {
    const r = await lintFile(s.file, s.path, s.kind, { explain: flags.explain === true });
    if (r) reports.push(r);
  }
  const out = new BufferedWriter(process.stdout);
  await out.write(render(reports, flags));
  await out.flush();
  const failing = reports.some((r) => r.diagnostics.some((d) => d.severity === 'error' || (flags.warningsAsErrors === true && d.severity === 'warning')));
  return failing ? Exit.Found : Exit.Ok;
}

function render(reports: readonly FileReport[], flags: LintFlags): string {
  switch (flags.format) {
    case 'text':
      return renderLintText(reports, flags.explain === true);
    case 'json':
      return renderLintJson(reports);
    case 'github':
      return renderLintGithub(reports);
    case 'sarif':
      return renderSarif(reports, '0.1.0');
  }
}
