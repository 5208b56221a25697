/**
 * `haystack see-thru [PATH...]`: every see-thru rule the flow and config logs show, how long
 * each has left, and (with --warn-days) a gate for rules about to lapse.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { renderResult } from '../output/results.js';
import { escapeControls } from '../output/safety.js';
import { expiringRules, seeThruRules, type SeeThruReport, type SeeThruRule } from '../recipes/see-thru.js';
import { formatIso, parseTimeArg } from '../sources/time.js';
import { Exit, printDiagnostics } from './io.js';
import { addScanOptions, prepareScan, runScan, type ScanFlags, scanExit } from './scan-options.js';

interface SeeThruFlags extends ScanFlags {
  warnDays?: number;
  asOf?: string;
  gid?: string;
  output: 'text' | 'json';
}

const EXAMPLES = `
Examples:
  $ haystack see-thru flow-export.log config-export.log
  $ haystack see-thru logs/ --warn-days 7                # exit 1 if a rule lapses within a week
  $ haystack see-thru logs/ --as-of 2026-03-29 --output json

Flow lines give each see_thru_gid's days remaining; the date a line implies is its UTC date plus
those days (a line of 2026-03-29 with 2 days says 2026-03-31). Config lines (cat "see-thru")
give the rule's thru_date as accepted or removed. Per gid the newer of the two views decides;
days left are counted from --as-of (default: now) to the thru date, 0 on the date itself, and
negative once the rule has expired. From inputs without times the days are the last ones logged.

Exit status: 0 done, 1 --warn-days found a rule still in force with that many days or fewer
left (or expired), 2 usage, 3 lines were skipped and --strict was given.`;

function days(text: string): number {
  if (!/^[0-9]{1,5}$/.test(text)) throw new InvalidArgumentError('give a whole number of days, 0 or more');
  return Number(text);
}

export function seeThruCommand(): Command {
  const cmd = new Command('see-thru')
    .description('list every see-thru rule in flow and config logs with its thru date and days left')
    .argument('[paths...]', 'files, directories (read recursively), .gz files, or - for stdin')
    .option('--warn-days <n>', 'exit 1 when a rule in force has n days or fewer left, or has expired', days)
    .option('--as-of <time>', 'count days left from this moment (default: now): ISO-8601, epoch ms, or 2h / 7d ago')
    .option('--gid <gid>', 'only this group (or %default)')
    .addOption(new Option('-o, --output <format>', 'how to print').choices(['text', 'json']).default('text'))
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[], flags: SeeThruFlags) => {
      process.exitCode = await runSeeThru(paths, flags);
    });
  return addScanOptions(cmd);
}

async function runSeeThru(paths: string[], flags: SeeThruFlags): Promise<number> {
  let asOf = Date.now();
  if (flags.asOf !== undefined) {
    try {
      asOf = parseTimeArg(flags.asOf, asOf);
    } catch (e) {
      if (!(e instanceof DiagnosticError)) throw e;
      printDiagnostics(e.diagnostics, e.source, '--as-of', 'text');
      return Exit.Usage;
    }
  }
  const prepared = await prepareScan(paths, flags);
  if (typeof prepared === 'number') return prepared;
  const done = await runScan(() => seeThruRules(prepared.inputs, { ...prepared.options, asOf, ...(flags.gid !== undefined ? { gid: flags.gid } : {}) }));
  if (typeof done === 'number') return done;
  const warned = flags.warnDays === undefined ? [] : expiringRules(done, flags.warnDays);
  process.stdout.write(flags.output === 'json' ? renderJson(done, flags.warnDays, warned) : renderText(done, flags.warnDays, warned));
  const scanned = scanExit(prepared, done.report, flags);
  return scanned !== Exit.Ok ? scanned : warned.length > 0 ? Exit.Found : Exit.Ok;
}

const iso = (t: number | null): string | null => (t === null ? null : formatIso(t));

function ruleJson(r: SeeThruRule): object {
  return {
    gid: r.gid,
    status: r.status,
    thruDate: r.thruDate,
    daysRemaining: r.daysRemaining,
    daysAsLogged: r.daysAsLogged,
    source: r.source,
    flow: r.flow && { ...r.flow, firstSeen: iso(r.flow.firstSeen), lastSeen: iso(r.flow.lastSeen) },
    config: r.config && { ...r.config, at: iso(r.config.at), history: r.config.history.map((h) => ({ ...h, at: iso(h.at) })) },
  };
}

function renderJson(r: SeeThruReport, warnDays: number | undefined, warned: readonly SeeThruRule[]): string {
  return JSON.stringify({
    asOf: formatIso(r.asOf),
    ...(warnDays !== undefined ? { warnDays, warned: warned.map((w) => w.gid) } : {}),
    rules: r.rules.map(ruleJson),
  }, null, 2) + '\n';
}

function daysText(r: SeeThruRule): string {
  const d = r.daysRemaining;
  const base = d < 0 ? `expired ${-d}d ago` : d === 0 ? 'last day' : `${d}`;
  return r.daysAsLogged ? `${base} (as logged)` : base;
}

function daysPhrase(r: SeeThruRule): string {
  const d = r.daysRemaining;
  const base = d < 0 ? `expired ${-d} day${d === -1 ? '' : 's'} ago` : d === 0 ? 'its last day' : `${d} day${d === 1 ? '' : 's'} left`;
  return r.daysAsLogged ? `${base} (as last logged)` : base;
}

function flowSays(r: SeeThruRule): string {
  const f = r.flow;
  if (f === null) return '-';
  if (f.thruDate === null) return `${f.lastDays} days left (no times)`;
  const moved = f.datesSeen.filter((d) => d !== f.thruDate);
  return moved.length > 0 ? `${f.thruDate} (earlier ${moved.join(', ')})` : f.thruDate;
}

function renderText(r: SeeThruReport, warnDays: number | undefined, warned: readonly SeeThruRule[]): string {
  const out: string[] = [];
  if (r.rules.length === 0) {
    out.push('no see-thru rule in these logs (no flow line with see_thru_gid, no config line of cat "see-thru")');
  } else {
    out.push(`see-thru rules as of ${formatIso(r.asOf).slice(0, 10)} (UTC):`);
    const fields = ['gid', 'status', 'thru date', 'days left', 'clients', 'lines', 'exerted', 'last flow seen', 'flow logs say', 'config logs say'];
    const rows = r.rules.map((x) => [
      x.gid, x.status, x.thruDate ?? '-', daysText(x), x.flow?.clients.length ?? 0, x.flow?.lines ?? 0, x.flow?.exerted ?? 0,
      x.flow?.lastSeen != null ? formatIso(x.flow.lastSeen) : '-', flowSays(x), x.config ? `${x.config.state} ${x.config.thruDate}` : '-',
    ]);
    const tty = process.stdout.isTTY === true;
    out.push(renderResult(fields, rows, 'table', tty ? { width: process.stdout.columns ?? 120 } : {}).trimEnd());
  }
  if (warnDays !== undefined) {
    if (warned.length === 0) out.push(`no rule in force has ${warnDays} day${warnDays === 1 ? '' : 's'} or fewer left`);
    else {
      out.push(`warning: ${warned.length} rule${warned.length === 1 ? '' : 's'} in force with ${warnDays} day${warnDays === 1 ? '' : 's'} or fewer left, or expired:`);
      for (const w of warned) out.push(`  ${escapeControls(w.gid)}: ${w.thruDate ?? 'date unknown'}, ${daysPhrase(w)}`);
    }
  }
  return out.join('\n') + '\n';
}
