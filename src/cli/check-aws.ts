/**
 * `haystack check-aws`: the filter-pattern conformance cases through AWS's TestMetricFilter in
 * your account, and each case where AWS and haystack differ (src/cloudwatch/check-aws.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { escapeControls } from '../output/safety.js';
import { addCloudOptions, type CloudFlags, cloudFailure, openCloud, statusLine } from './cloudwatch-options.js';
import { Exit, printError } from './io.js';

interface CheckFlags extends CloudFlags {
  cases?: string;
  only?: string;
  output: 'text' | 'json';
}

/** The suite in a checkout of haystack (dist/cli/ -> test/conformance/). */
const DEFAULT_CASES = fileURLToPath(new URL('../../test/conformance/filter-patterns.jsonl', import.meta.url));

const EXAMPLES = `
Examples:
  $ haystack check-aws --region eu-west-2
  $ haystack check-aws --only json- --output json
  $ haystack check-aws --cases my-cases.jsonl --profile audit

Cases are JSON Lines: {"id", "pattern", "message", "expect": "match" | "no-match" | "invalid"}
(test/conformance/filter-patterns.jsonl's format; by default that file). Read-only: it calls
logs:TestMetricFilter only, which creates nothing. An empty message cannot be sent to AWS: such
cases are listed as untestable.

Exit status: 0 AWS and haystack agree on every case, 1 some case differs, 2 usage or a
CloudWatch failure.`;

export function checkAwsCommand(): Command {
  const cmd = new Command('check-aws')
    .description("run the filter-pattern conformance cases through AWS's TestMetricFilter and report where AWS and haystack differ")
    .option('--cases <file>', 'cases to run (default: the conformance suite of this checkout)')
    .option('--only <prefix>', 'only cases whose id starts with this')
    .addOption(new Option('-o, --output <format>', 'report format').choices(['text', 'json']).default('text'))
    .addHelpText('after', EXAMPLES)
    .action(async (flags: CheckFlags) => {
      process.exitCode = await runCheck(flags);
    });
  return addCloudOptions(cmd);
}

const show = (s: string): string => escapeControls(JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}...` : s));

async function runCheck(flags: CheckFlags): Promise<number> {
  const file = flags.cases ?? DEFAULT_CASES;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    printError(`cannot read the cases ${file}: ${(e as Error).message}`, flags.cases === undefined ? 'give --cases FILE (the suite ships in a checkout of haystack, not in the npm package)' : undefined);
    return Exit.Usage;
  }
  const { parseCases, checkAws } = await import('../cloudwatch/check-aws.js');
  let cases;
  try {
    cases = parseCases(text, file);
  } catch (e) {
    printError((e as Error).message);
    return Exit.Usage;
  }
  if (flags.only !== undefined) cases = cases.filter((c) => c.id.startsWith(flags.only!));
  if (cases.length === 0) {
    printError('no case to run', flags.only !== undefined ? `no case id starts with ${flags.only}` : undefined);
    return Exit.Usage;
  }
  const client = await openCloud(flags);
  if (typeof client === 'number') return client;
  const status = statusLine();
  let report;
  try {
    report = await checkAws(client, cases, (done, total) => status.show(`${done} of ${total} cases checked`));
  } catch (e) {
    status.done();
    return cloudFailure(e);
  }
  status.done();
  if (flags.output === 'json') {
    const row = (o: (typeof report.outcomes)[number]): Record<string, unknown> => ({ id: o.case.id, pattern: o.case.pattern, message: o.case.message ?? null, expect: o.case.expect, aws: o.aws, haystack: o.haystack });
    process.stdout.write(JSON.stringify({ cases: report.outcomes.length, calls: report.calls, differences: report.differences.map(row), untestable: report.untestable.map((o) => o.case.id) }, null, 2) + '\n');
  } else {
    const lines: string[] = [];
    for (const o of report.differences) {
      lines.push(`${o.case.id}: AWS says ${o.aws}, haystack says ${o.haystack} (the case expects ${o.case.expect})`);
      lines.push(`  pattern: ${show(o.case.pattern)}`);
      if (o.case.message !== undefined) lines.push(`  message: ${show(o.case.message)}`);
    }
    const agree = report.outcomes.length - report.differences.length - report.untestable.length;
    lines.push(
      `${report.outcomes.length} cases in ${report.calls} TestMetricFilter calls: ${agree} agree, ${report.differences.length} differ` +
        (report.untestable.length > 0 ? `, ${report.untestable.length} untestable (empty message: ${report.untestable.map((o) => o.case.id).join(', ')})` : ''),
    );
    process.stdout.write(lines.join('\n') + '\n');
  }
  return report.differences.length > 0 ? Exit.Found : Exit.Ok;
}
