/**
 * `haystack replay --estate FILE [PATH...]`: what-if. Every past client flow line decided again
 * against a proposed estate; what would be disallowed or allowed that was not. Exit 1 when
 * anything would become less open, so a pipeline can gate the change.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { renderText as renderDiagnostic } from '../diagnostics/render.js';
import type { Generation } from '../discriminat/annotations.js';
import { loadEstate, type EstateDiagnostic, isFatalEstateDiagnostic } from '../discriminat/estate.js';
import { renderResult, type Cell } from '../output/results.js';
import { escapeControls } from '../output/safety.js';
import { anyNewlyDisallowed, replay, type ChangeRow, type ReplayResult, type Totals } from '../recipes/replay.js';
import { formatIso, parseTimeArg } from '../sources/time.js';
import { Exit, printDiagnostics, printError } from './io.js';
import { addScanOptions, prepareScan, runScan, type ScanFlags, scanExit } from './scan-options.js';

interface ReplayFlags extends ScanFlags {
  estate: string[];
  at?: string;
  generation?: Generation;
  top: number;
  output: 'text' | 'json';
}

const EXAMPLES = `
Examples:
  $ haystack replay --estate proposed.yaml flow-export.log
  $ haystack replay --estate sgs-after.json --estate enis.json logs/ --output json
  $ haystack replay --estate proposed.yaml flow.log --at 2026-03-29T12:00:00Z   # lines without times

Each client flow line is turned back into the connection that wrote it (src, spt, dhost, dst,
dpt, proto, proto_v, pqc, http fields) and decided again, at its own time, against the proposed
estate (haystack's native JSON/YAML, or aws ec2 describe-* output; give --estate once per file).
A connection is allowed by a protocol rule, let through by an active see-thru, or blocked:
newly disallowed means less open than logged (e.g. see-thru -> blocked once a see-thru rule is
removed, or allowed -> see-thru once an allowlist entry goes), newly allowed means more open.
Refusals for DNS mismatch or a cold cache are about the moment, not the estate: they stand.
Lines that cannot be turned back (missing or malformed fields) are listed with why.

Exit status: 0 nothing would become less open, 1 something would, 2 invalid estate, usage, or
inputs without times and no --at, 3 lines were skipped and --strict was given.`;

const collect = (v: string, acc: string[]): string[] => [...acc, v];

/** Text tables stay readable in a CI log; JSON always has every row. */
const DEFAULT_TOP = 50;

function topCount(text: string): number {
  if (!/^[0-9]{1,9}$/.test(text)) throw new InvalidArgumentError('give a whole number of rows, 0 for all');
  return Number(text);
}

export function replayCommand(): Command {
  const cmd = new Command('replay')
    .description('what-if: decide past flows again against a proposed estate and report what would change')
    .argument('[paths...]', 'flow logs: files, directories (read recursively), .gz files, or - for stdin')
    .option('--estate <file>', 'proposed estate file (repeatable): native JSON/YAML or aws ec2 describe-* output', collect, [])
    .option('--at <time>', 'the time for lines from inputs without times: ISO-8601, epoch ms, or 2h / 7d ago')
    .addOption(new Option('--generation <gen>', 'decide as this firewall generation (default: G3 for lines with instance, else G2)').choices(['G1', 'G2', 'G3']))
    .option('--top <n>', 'text output: rows per table, most lines first; 0 for all', topCount, DEFAULT_TOP)
    .addOption(new Option('-o, --output <format>', 'how to print').choices(['text', 'json']).default('text'))
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[], flags: ReplayFlags) => {
      process.exitCode = await runReplay(paths, flags);
    });
  return addScanOptions(cmd);
}

async function runReplay(paths: string[], flags: ReplayFlags): Promise<number> {
  if (flags.estate.length === 0) {
    printError('--estate FILE is required', 'the proposed estate: a native JSON/YAML file or aws ec2 describe-* output');
    return Exit.Usage;
  }
  let at: number | undefined;
  if (flags.at !== undefined) {
    try {
      at = parseTimeArg(flags.at, Date.now());
    } catch (e) {
      if (!(e instanceof DiagnosticError)) throw e;
      printDiagnostics(e.diagnostics, e.source, '--at', 'text');
      return Exit.Usage;
    }
  }
  const { estate, diagnostics } = await loadEstate(flags.estate, flags.generation !== undefined ? { generation: flags.generation } : {});
  printEstateDiagnostics(diagnostics);
  if (diagnostics.some(isFatalEstateDiagnostic)) {
    printError('the proposed estate is invalid; nothing was replayed', 'fix the errors above');
    return Exit.Usage;
  }
  const prepared = await prepareScan(paths, flags);
  if (typeof prepared === 'number') return prepared;
  const done = await runScan(() =>
    replay(prepared.inputs, {
      ...prepared.options,
      estate,
      ...(at !== undefined ? { at } : {}),
      ...(flags.generation !== undefined ? { generation: flags.generation } : {}),
    }),
  );
  if (typeof done === 'number') return done;
  process.stdout.write(flags.output === 'json' ? renderJson(done, flags.estate) : renderText(done, flags.estate, flags.top));
  const scanned = scanExit(prepared, done.report, flags);
  return scanned !== Exit.Ok ? scanned : anyNewlyDisallowed(done) ? Exit.Found : Exit.Ok;
}

/** As `haystack explain` prints them: with a caret under the file's text when there is one. */
function printEstateDiagnostics(ds: readonly EstateDiagnostic[]): void {
  for (const d of ds) {
    const text =
      d.source === ''
        ? `${d.severity} ${d.code}: ${d.message}\n  --> ${d.file} ${d.path}${d.hint ? `\n  = hint: ${d.hint}` : ''}`
        : renderDiagnostic(d, d.source, d.sourceKind === 'file' ? d.file : `${d.file} ${d.path}`);
    process.stderr.write(`${escapeControls(text, true)}\n\n`);
  }
}

const iso = (t: number | null): string | null => (t === null ? null : formatIso(t));
const n = (x: number): string => x.toLocaleString('en-US');
const count = (x: number, one: string): string => `${n(x)} ${one}${x === 1 ? '' : 's'}`;
const lines = (x: number): string => count(x, 'line');

function rowJson(r: ChangeRow): object {
  return { ...r, firstSeen: iso(r.firstSeen), lastSeen: iso(r.lastSeen) };
}

function renderJson(r: ReplayResult, estateFiles: readonly string[]): string {
  return JSON.stringify({
    estate: estateFiles,
    replayed: r.replayed,
    newlyDisallowedLines: r.disallowedLines,
    newlyAllowedLines: r.allowedLines,
    unchanged: r.unchanged,
    newlyDisallowed: r.newlyDisallowed.map(rowJson),
    newlyAllowed: r.newlyAllowed.map(rowJson),
    byClient: r.byClient,
    byGroup: r.byGroup,
    byHost: r.byHost,
    notReplayed: { lines: r.skippedLines, reasons: r.skipped },
    serverLinesLeftOut: r.serverLines,
    outOfBandKept: r.outOfBandKept,
  }, null, 2) + '\n';
}

function table(fields: readonly string[], rows: readonly Cell[][]): string {
  const tty = process.stdout.isTTY === true;
  return renderResult(fields, rows, 'table', tty ? { width: process.stdout.columns ?? 120 } : {}).trimEnd();
}

function changeTable(rows: readonly ChangeRow[]): string {
  return table(
    ['client', 'group', 'dhost', 'proto', 'dpt', 'was', 'now', 'reason', 'lines', 'first seen', 'last seen'],
    rows.map((r) => [r.client, r.group ?? '-', r.dhost, r.proto, r.dpt, r.from, r.to, r.reason, r.count, iso(r.firstSeen) ?? '-', iso(r.lastSeen) ?? '-']),
  );
}

function totalsTable(name: string, ts: readonly Totals[]): string {
  return table([name, 'newly disallowed', 'newly allowed'], ts.map((t) => [t.key, t.disallowed, t.allowed]));
}

function distinct(rows: readonly ChangeRow[], key: (r: ChangeRow) => string | null): number {
  return new Set(rows.map(key)).size;
}

function renderText(r: ReplayResult, estateFiles: readonly string[], top: number): string {
  const cut = <T>(rows: readonly T[], what: string): { rows: readonly T[]; note: string[] } =>
    top === 0 || rows.length <= top ? { rows, note: [] } : { rows: rows.slice(0, top), note: [`(${rows.length - top} more ${what}; --top 0 or --output json for all)`] };
  const u = r.unchanged;
  const out: string[] = [];
  out.push(`replayed ${lines(r.replayed)} (client flow lines) against ${estateFiles.map((f) => escapeControls(f)).join(' + ')}:`);
  const who = (rows: readonly ChangeRow[]): string =>
    rows.length === 0 ? '' : ` (${count(distinct(rows, (x) => x.client), 'client')}, ${count(distinct(rows, (x) => x.group), 'group')}, ${count(distinct(rows, (x) => x.dhost), 'host')})`;
  out.push(`  newly disallowed: ${lines(r.disallowedLines)}${who(r.newlyDisallowed)}`);
  out.push(`  newly allowed:    ${lines(r.allowedLines)}${who(r.newlyAllowed)}`);
  out.push(`  unchanged:        ${lines(u.total)} (allowed ${n(u.allowed)}, let through by see-thru ${n(u.seeThru)}, blocked ${n(u.blocked)}${u.reasonChanged > 0 ? `; ${n(u.reasonChanged)} with another reason` : ''})`);
  out.push(`  not replayed:     ${lines(r.skippedLines)}${r.skippedLines > 0 ? ' (below)' : ''}; ${count(r.serverLines, 'server line')} left out (the client line carries the verdict)`);
  if (r.outOfBandKept > 0) out.push(`  ${lines(r.outOfBandKept)} refused for dns mismatch or cache not ready would now match a rule; the refusal is kept`);
  for (const [title, rows] of [['newly disallowed:', r.newlyDisallowed], ['newly allowed:', r.newlyAllowed]] as const) {
    if (rows.length === 0) continue;
    const c = cut(rows, 'rows');
    out.push('', title, changeTable(c.rows), ...c.note);
  }
  if (r.newlyDisallowed.length + r.newlyAllowed.length > 0) {
    out.push('');
    for (const [name, ts] of [['client', r.byClient], ['group', r.byGroup], ['host', r.byHost]] as const) {
      const c = cut(ts, `${name}s`);
      out.push(`by ${name}:`, totalsTable(name, c.rows), ...c.note);
    }
  }
  if (r.skipped.length > 0) {
    out.push('', 'not replayed:', table(['why', 'lines', 'for example'], r.skipped.map((s) => [s.why, s.count, s.examples.join(', ')])));
  }
  return out.join('\n') + '\n';
}
