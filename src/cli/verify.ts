/**
 * `haystack verify --gid GROUP --since T [PATH...]`: step 6 of the allowlist recipe. Did any
 * connection still need GROUP's see-thru rule since T? Exit 1 if so.
 */
import { Command, Option } from 'commander';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { renderResult } from '../output/results.js';
import { escapeControls } from '../output/safety.js';
import { checkExcludePattern, checkGroup } from '../recipes/allowlist.js';
import { stillNeeded, verifySeeThru, type NeededDestination, type VerifyResult } from '../recipes/verify.js';
import { formatIso, parseTimeArg } from '../sources/time.js';
import { Exit, printDiagnostics, printError } from './io.js';
import { addScanOptions, prepareScan, runScan, type ScanFlags, scanExit } from './scan-options.js';

interface VerifyFlags extends ScanFlags {
  gid?: string;
  since?: string;
  exclude: string[];
  output: 'text' | 'json';
}

const EXAMPLES = `
Examples:
  $ haystack verify --gid sg-0ccc3333 --since 2026-04-01T09:00:00Z flow-export.log
  $ haystack verify --gid sg-0ccc3333 --since 7d logs/ --exclude 'ec2-instance-connect.*.amazonaws.com'
  $ haystack verify --gid %default --since 2026-04-01 flow.ndjson --output json

This is step 6 of the vendor's "building an allowlist from scratch": once the protocol rules
are attached (give that moment as --since) and the application has run its lifecycle again,
every client flow line of the group with see_thru_exerted true is a connection that only the
see-thru rule let through. Each is listed by destination (dhost, proto, dpt), as the recipe's
query groups them. Client lines the see-thru would have needed but that were blocked because it
had expired (G3: negative days, exerted false) count too.

--since needs inputs with times (CloudWatch export, aws logs tail, NDJSON events). Without
--since every line counts. --exclude takes the allowlist's host patterns (\`*\` and \`?\` within
one label): hosts left disallowed on purpose, such as telemetry endpoints.

Exit status: 0 nothing needed the see-thru (step 7: it can go), 1 something did,
2 usage or inputs without times for --since, 3 lines were skipped and --strict was given.`;

const collect = (v: string, acc: string[]): string[] => [...acc, v];

export function verifyCommand(): Command {
  const cmd = new Command('verify')
    .description('allowlist recipe step 6: did anything still need the see-thru rule of a group since a moment?')
    .argument('[paths...]', 'files, directories (read recursively), .gz files, or - for stdin')
    .option('--gid <gid>', 'the group holding the see-thru rule (see_thru_gid), or %default')
    .option('--since <time>', 'only connections at or after this time: ISO-8601, epoch ms, or 2h / 7d ago')
    .option('--exclude <pattern>', 'a host left disallowed on purpose (repeatable; * and ? within one label)', collect, [])
    .addOption(new Option('-o, --output <format>', 'how to print').choices(['text', 'json']).default('text'))
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[], flags: VerifyFlags) => {
      process.exitCode = await runVerify(paths, flags);
    });
  return addScanOptions(cmd);
}

async function runVerify(paths: string[], flags: VerifyFlags): Promise<number> {
  if (flags.gid === undefined) {
    printError('--gid GROUP is required', 'the group that holds the see-thru rule, e.g. --gid sg-0ccc3333');
    return Exit.Usage;
  }
  try {
    checkGroup(flags.gid);
    for (const p of flags.exclude) checkExcludePattern(p);
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    printDiagnostics(e.diagnostics, e.source, 'option' in e ? String(e.option) : '--gid', 'text');
    return Exit.Usage;
  }
  let since: number | undefined;
  if (flags.since !== undefined) {
    try {
      since = parseTimeArg(flags.since, Date.now());
    } catch (e) {
      if (!(e instanceof DiagnosticError)) throw e;
      printDiagnostics(e.diagnostics, e.source, '--since', 'text');
      return Exit.Usage;
    }
  }
  const prepared = await prepareScan(paths, flags);
  if (typeof prepared === 'number') return prepared;
  const gid = flags.gid;
  const done = await runScan(() => verifySeeThru(prepared.inputs, { ...prepared.options, gid, exclude: flags.exclude, ...(since !== undefined ? { since } : {}) }));
  if (typeof done === 'number') return done;
  process.stdout.write(flags.output === 'json' ? renderJson(done) : renderText(done));
  const scanned = scanExit(prepared, done.report, flags);
  return scanned !== Exit.Ok ? scanned : stillNeeded(done) ? Exit.Found : Exit.Ok;
}

const time = (t: number | null): string => (t === null ? '-' : formatIso(t));

function destinationJson(d: NeededDestination): object {
  return {
    dhost: d.dhost, proto: d.proto, dpt: d.dpt, clients: d.clients, count: d.count, exerted: d.exerted, blockedExpired: d.blockedExpired,
    firstSeen: d.firstSeen === null ? null : formatIso(d.firstSeen), lastSeen: d.lastSeen === null ? null : formatIso(d.lastSeen),
  };
}

function renderJson(r: VerifyResult): string {
  return JSON.stringify({
    gid: r.gid,
    since: r.since === null ? null : formatIso(r.since),
    stillNeeded: stillNeeded(r),
    neededLines: r.neededLines,
    linesWithGid: r.linesWithGid,
    allowedByRules: r.allowedByRules,
    needed: r.needed.map(destinationJson),
    excluded: r.excluded.map(destinationJson),
  }, null, 2) + '\n';
}

function clientsCell(clients: readonly string[]): string {
  return clients.length <= 3 ? clients.join(', ') : `${clients.slice(0, 3).join(', ')} (+${clients.length - 3} more)`;
}

function table(ds: readonly NeededDestination[]): string {
  const expired = ds.some((d) => d.blockedExpired > 0);
  const fields = ['dhost', 'proto', 'dpt', 'clients', 'count', ...(expired ? ['blocked (expired)'] : []), 'first seen', 'last seen'];
  const rows = ds.map((d) => [d.dhost, d.proto, d.dpt, clientsCell(d.clients), d.count, ...(expired ? [d.blockedExpired] : []), time(d.firstSeen), time(d.lastSeen)]);
  const tty = process.stdout.isTTY === true;
  return renderResult(fields, rows, 'table', tty ? { width: process.stdout.columns ?? 120 } : {});
}

function renderText(r: VerifyResult): string {
  const gid = escapeControls(r.gid);
  const window = r.since === null ? 'in these logs' : `since ${formatIso(r.since)}`;
  const out: string[] = [];
  if (stillNeeded(r)) {
    const n = r.needed.length;
    out.push(`see-thru ${gid} ${window}: still needed by ${r.neededLines} connection${r.neededLines === 1 ? '' : 's'} to ${n} destination${n === 1 ? '' : 's'}`);
    out.push(table(r.needed).trimEnd());
    out.push('add protocol rules for these (or --exclude them), run the lifecycle again, then verify again');
  } else if (r.linesWithGid === 0) {
    out.push(`see-thru ${gid} ${window}: no client flow line carries see_thru_gid ${gid}`);
    out.push('nothing needed it, but nothing showed it either: is the group attached to the application, and are these its flow logs?');
  } else {
    out.push(`see-thru ${gid} ${window}: nothing needed it (${r.linesWithGid} client line${r.linesWithGid === 1 ? '' : 's'} carried the group; protocol rules allowed ${r.allowedByRules})`);
    out.push('step 7: the see-thru rule can be detached; give the application another lifecycle run');
  }
  if (r.excluded.length > 0) {
    const lines = r.excluded.reduce((s, d) => s + d.count, 0);
    out.push('');
    out.push(`excluded on purpose: ${lines} connection${lines === 1 ? '' : 's'} to ${r.excluded.length} destination${r.excluded.length === 1 ? '' : 's'}`);
    out.push(table(r.excluded).trimEnd());
  }
  return out.join('\n') + '\n';
}
