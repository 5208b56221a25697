/**
 * `haystack allowlist --gid GROUP [PATH...]`: the protocol rules that would let through what a
 * group's see-thru rule had to (the vendor's "building an allowlist from scratch", steps 4-5).
 */
import { Command, Option } from 'commander';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import type { WildcardExposure } from '../discriminat/annotations.js';
import { BufferedWriter } from '../output/events.js';
import {
  type AllowlistOptions,
  allowlistInputs,
  checkExcludePattern,
  checkFoldPattern,
  checkGroup,
  checkMinFold,
  DEFAULT_MIN_FOLD,
  WILDCARD_EXPOSURES,
} from '../recipes/allowlist.js';
import { ALLOWLIST_OUTPUTS, type AllowlistOutput, emitAllowlist } from '../recipes/emit-allowlist.js';
import type { EmitOptions } from '../recipes/emit-terraform.js';
import { escapeControls } from '../output/safety.js';
import { Exit, printDiagnostics } from './io.js';
import { addScanOptions, prepareScan, runScan, type ScanFlags, scanExit } from './scan-options.js';

interface AllowlistFlags extends ScanFlags {
  gid: string;
  exclude: string[];
  refuseFold: string[];
  wildcards?: boolean;
  exposure: WildcardExposure;
  minFold: string;
  output: AllowlistOutput;
  targetGid?: string;
}

const EXAMPLES = `
Examples:
  $ haystack allowlist --gid sg-0ccc3333 flow.log
  $ haystack allowlist --gid sg-0ccc3333 logs/ --start 14d --exclude 'ec2-instance-connect.*.amazonaws.com'
  $ haystack allowlist --gid sg-0ccc3333 logs/ --wildcards --output terraform --target-gid sg-0aaa1111 > allowlist.tf
  $ haystack allowlist --gid sg-0ccc3333 logs/ --wildcards --refuse-fold '*.github.com' --exclude telemetry.example.org
  $ haystack allowlist --gid %default flow.log.gz --output aws-cli > rules.json
  $ aws ec2 authorize-security-group-egress --group-id sg-0aaa1111 --ip-permissions file://rules.json

Reads client flow lines with see_thru_exerted true and see_thru_gid GROUP (%default for the
see-thru of the preferences), and writes tls and ssh rules per TCP destination port, packed into
as few descriptions of at most 255 characters as it can. IP-only destinations, unidentified
protocols, plain HTTP, TLS below 1.2 / SSH below 2.0 and names no allowlist can hold are listed
apart with the reason (text and json outputs).

--wildcards folds hosts one label under a shared parent into *.parent when at least --min-fold
share it, the --exposure (the deployment's wildcard_exposure) accepts it, the parent is not a
public suffix (never, whatever the exposure) and no --exclude pattern could match under it.

Outputs: text (a report), terraform (aws_vpc_security_group_egress_rule resources), cloudformation
(AWS::EC2::SecurityGroupEgress, YAML), aws-cli (the --ip-permissions JSON; the group goes on the
aws command line), json (everything, for scripts). Without --target-gid, Terraform takes the
group from a "security_group_id" variable and CloudFormation from a "SecurityGroupId" parameter.
The first rule of a port is 0.0.0.0/0; AWS refuses a second rule with the same port and CIDR,
so further rules take 0.0.0.0/1, 128.0.0.0/1, ... (the /0 rule already opens the port). If the
target group already holds a 0.0.0.0/0 rule on one of the ports, rename the CIDRs to suit.

Exit status: 0 done, also when no connection needed the see-thru (an empty allowlist is an
answer, not a failure; to gate on it, use haystack verify); 2 invalid option or input; 3 lines
were skipped and --strict was given.`;

const collect = (v: string, acc: string[]): string[] => [...acc, v];

export function allowlistCommand(): Command {
  const cmd = new Command('allowlist')
    .description('propose discrimiNAT protocol rules for what a see-thru rule had to let through (recipe steps 4-5)')
    .argument('[paths...]', 'files, directories (read recursively), .gz files, or - for stdin')
    .requiredOption('--gid <group>', 'the group holding the see-thru rule (its see_thru_gid), or %default')
    .option('--exclude <pattern>', 'drop hosts matching a hostname pattern, e.g. telemetry (repeatable; * and ? within one label)', collect, [])
    .option('--wildcards', 'propose *.parent folds where the exposure and the public-suffix safeguard allow')
    .option('--refuse-fold <fold>', 'with --wildcards: do not make this proposed fold, e.g. \'*.github.com\' (repeatable; its hosts stay listed)', collect, [])
    .addOption(new Option('--exposure <value>', 'the deployment\'s wildcard_exposure preference (spec D4.7)').choices(WILDCARD_EXPOSURES).default('prohibit_public_suffix'))
    .option('--min-fold <n>', 'hosts that must share a parent before they fold', String(DEFAULT_MIN_FOLD))
    .addOption(new Option('-o, --output <format>', 'what to write').choices(ALLOWLIST_OUTPUTS).default('text'))
    .option('--target-gid <group>', 'the group the rules are written for (terraform, cloudformation, json; default: a placeholder)')
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[], flags: AllowlistFlags) => {
      process.exitCode = await runAllowlist(paths, flags);
    });
  return addScanOptions(cmd);
}

async function runAllowlist(paths: string[], flags: AllowlistFlags): Promise<number> {
  let options: AllowlistOptions;
  const emit: EmitOptions = flags.targetGid === undefined ? {} : { targetGid: flags.targetGid };
  try {
    checkGroup(flags.gid);
    if (flags.targetGid !== undefined) checkGroup(flags.targetGid, '--target-gid', false);
    for (const p of flags.exclude) checkExcludePattern(p);
    for (const f of flags.refuseFold) checkFoldPattern(f);
    const minFold = /^[0-9]+$/.test(flags.minFold) ? Number(flags.minFold) : NaN;
    checkMinFold(minFold, flags.minFold);
    options = { gid: flags.gid, exclude: flags.exclude, refuseFolds: flags.refuseFold, wildcards: flags.wildcards === true, exposure: flags.exposure, minFold };
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    printDiagnostics(e.diagnostics, e.source, 'option' in e ? String(e.option) : '--gid', 'text');
    return Exit.Usage;
  }

  const prepared = await prepareScan(paths, flags);
  if (typeof prepared === 'number') return prepared;
  const done = await runScan(() => allowlistInputs(prepared.inputs, options, prepared.options));
  if (typeof done === 'number') return done;
  const out = new BufferedWriter(process.stdout);
  await out.write(emitAllowlist(done.allowlist, flags.output, emit));
  await out.flush();
  if (done.allowlist.rules.length === 0 && flags.output !== 'text' && flags.output !== 'json') {
    process.stderr.write(`haystack: no rules for ${escapeControls(flags.gid)}: ${done.allowlist.totals.connections === 0 ? 'no connection needed its see-thru' : 'nothing it let through can be allowlisted'}\n`);
  }
  return scanExit(prepared, done.report, flags);
}
