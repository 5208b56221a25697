/**
 * `haystack audit [PATH...]`: the config log as an audit trail; with --at, the firewall's view
 * of the estate at a moment; with --diff, what changed between two moments.
 */
import { Command, Option } from 'commander';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { renderResult, type Cell } from '../output/results.js';
import { diffStates, readTrail, stateAt, type AuditDiff, type AuditState, type ConfigEvent } from '../recipes/audit.js';
import { formatIso, parseTimeArg } from '../sources/time.js';
import { Exit, printDiagnostics, printError } from './io.js';
import { addScanOptions, prepareScan, runScan, type ScanFlags, scanExit } from './scan-options.js';

interface AuditFlags extends ScanFlags {
  at?: string;
  diff?: string[];
  gid?: string;
  instance?: string;
  output: 'text' | 'json';
}

const EXAMPLES = `
Examples:
  $ haystack audit config-export.log
  $ haystack audit config-export.log --gid sg-0ccc3333
  $ haystack audit logs/ --at 2026-03-29T12:00:00Z
  $ haystack audit logs/ --diff 2026-03-01 2026-03-29 --output json

The config stream (cat fqdn, client, see-thru, addr) records what the firewall learnt from the
estate, as changes. --at rebuilds its view at a moment from every line up to it: the clients of
each group, the (proto, host) each group allows, see-thru dates, and refused addrs. A trail that
starts after the firewall started misses what was accepted before it. --diff T1 T2 compares
the views at T1 and T2. Both need inputs with times (CloudWatch export, aws logs tail, NDJSON).
A pair of firewalls writes the trail twice; --instance keeps one's lines.

Exit status: 0 done, 2 usage or inputs without times for --at/--diff, 3 lines were skipped and
--strict was given.`;

export function auditCommand(): Command {
  const cmd = new Command('audit')
    .description('the config log as an audit trail, the estate as the firewall saw it at a moment, and what changed')
    .argument('[paths...]', 'files, directories (read recursively), .gz files, or - for stdin')
    .option('--at <time>', 'print the state at this moment: ISO-8601, epoch ms, or 2h / 7d ago')
    .option('--diff <moments...>', 'print what changed between two moments: --diff T1 T2')
    .option('--gid <gid>', 'only lines about this group (addr lines name none)')
    .option('--instance <id>', 'only lines of this firewall instance')
    .addOption(new Option('-o, --output <format>', 'how to print').choices(['text', 'json']).default('text'))
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[], flags: AuditFlags) => {
      process.exitCode = await runAudit(paths, flags);
    });
  return addScanOptions(cmd);
}

function parseMoment(text: string, option: string, now: number): number | null {
  try {
    return parseTimeArg(text, now);
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    printDiagnostics(e.diagnostics, e.source, option, 'text');
    return null;
  }
}

async function runAudit(pathArgs: string[], flags: AuditFlags): Promise<number> {
  const now = Date.now();
  let paths = pathArgs;
  let moments: number[] = [];
  if (flags.at !== undefined && flags.diff !== undefined) {
    printError('--at and --diff cannot be used together', 'one state with --at T, or the changes between two with --diff T1 T2');
    return Exit.Usage;
  }
  if (flags.diff !== undefined) {
    // A variadic option swallows the paths after it: the first two values are the moments.
    if (flags.diff.length < 2) {
      printError('--diff needs two moments', 'haystack audit --diff 2026-03-01 2026-03-29 config.log');
      return Exit.Usage;
    }
    paths = [...flags.diff.slice(2), ...pathArgs];
    for (const [i, t] of flags.diff.slice(0, 2).entries()) {
      const m = parseMoment(t, `--diff (moment ${i + 1})`, now);
      if (m === null) return Exit.Usage;
      moments.push(m);
    }
    if (moments[0]! > moments[1]!) {
      printError('--diff T1 T2 wants T1 at or before T2', `swap them: --diff ${flags.diff[1]} ${flags.diff[0]}`);
      return Exit.Usage;
    }
  } else if (flags.at !== undefined) {
    const m = parseMoment(flags.at, '--at', now);
    if (m === null) return Exit.Usage;
    moments = [m];
  }
  const prepared = await prepareScan(paths, flags);
  if (typeof prepared === 'number') return prepared;
  const done = await runScan(() =>
    readTrail(prepared.inputs, {
      ...prepared.options,
      ...(flags.gid !== undefined ? { gid: flags.gid } : {}),
      ...(flags.instance !== undefined ? { instance: flags.instance } : {}),
      ...(moments.length > 0 ? { timesNeededFor: `${flags.at !== undefined ? '--at' : '--diff'} cannot place its lines in time` } : {}),
    }),
  );
  if (typeof done === 'number') return done;
  const json = flags.output === 'json';
  if (moments.length === 0) process.stdout.write(json ? JSON.stringify(done.events.map(eventJson), null, 2) + '\n' : renderTimeline(done.events));
  else if (moments.length === 1) {
    const s = stateAt(done.events, moments[0]!);
    process.stdout.write(json ? JSON.stringify(stateJson(s), null, 2) + '\n' : renderState(s));
  } else {
    const d = diffStates(stateAt(done.events, moments[0]!), stateAt(done.events, moments[1]!));
    process.stdout.write(json ? JSON.stringify(diffJson(d), null, 2) + '\n' : renderDiff(d));
  }
  return scanExit(prepared, done.report, flags);
}

const iso = (t: number | null): string | null => (t === null ? null : formatIso(t));

function table(fields: readonly string[], rows: readonly Cell[][]): string {
  const tty = process.stdout.isTTY === true;
  return renderResult(fields, rows, 'table', tty ? { width: process.stdout.columns ?? 120 } : {}).trimEnd();
}

function eventJson(e: ConfigEvent): object {
  const { at, input, line, ...rest } = e;
  return { at: iso(at), ...rest, where: line === null ? input : `${input}:${line}` };
}

function renderTimeline(events: readonly ConfigEvent[]): string {
  if (events.length === 0) return 'no config lines in these logs\n';
  const rows = events.map((e) => [iso(e.at) ?? '-', e.cat, e.outcome, e.gid ?? '', e.client ?? '', e.fqdn ?? '', e.proto ?? '', e.thruDate ?? '', e.addr ?? '']);
  return `${events.length} config line${events.length === 1 ? '' : 's'}:\n${table(['time', 'cat', 'outcome', 'gid', 'client', 'fqdn', 'proto', 'thru_date', 'addr'], rows)}\n`;
}

function stateJson(s: AuditState): object {
  return { at: formatIso(s.at), lines: s.lines, groups: s.groups, refused: s.refused.map((r) => ({ ...r, at: iso(r.at) })) };
}

function renderState(s: AuditState): string {
  const out = [`the firewall's view at ${formatIso(s.at)}, from ${s.lines} config line${s.lines === 1 ? '' : 's'}:`];
  if (s.groups.length === 0) out.push('no group has anything in force');
  else {
    const rows: Cell[][] = [];
    for (const g of s.groups) {
      if (g.thruDate !== null) rows.push([g.gid, 'see-thru', g.thruDate]);
      for (const a of g.allowed) rows.push([g.gid, 'allows', `${a.proto}:${a.fqdn}`]);
      for (const c of g.clients) rows.push([g.gid, 'client', c]);
    }
    out.push(table(['gid', 'what', 'value'], rows));
  }
  if (s.refused.length > 0) {
    out.push('refused addrs:');
    out.push(table(['addr', 'outcome', 'refused at'], s.refused.map((r) => [r.addr, r.outcome, iso(r.at) ?? '-'])));
  }
  return out.join('\n') + '\n';
}

function diffJson(d: AuditDiff): object {
  return { from: formatIso(d.from.at), to: formatIso(d.to.at), linesBetween: d.linesBetween, changes: d.changes };
}

function renderDiff(d: AuditDiff): string {
  const head = `changes from ${formatIso(d.from.at)} to ${formatIso(d.to.at)} (${d.linesBetween} config line${d.linesBetween === 1 ? '' : 's'} between):`;
  if (d.changes.length === 0) return `${head}\nnothing changed\n`;
  const rows = d.changes.map((c) => [c.change, c.kind === 'fqdn' ? 'allows' : c.kind, c.gid ?? '', c.value, c.from ?? '']);
  return `${head}\n${table(['change', 'what', 'gid', 'value', 'was'], rows)}\n`;
}
