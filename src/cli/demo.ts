/**
 * `haystack demo [--out DIR] [--seed S]`: the allowlist loop end to end on a generated estate
 * (src/recipes/demo.ts), printed step by step with the command a user would type for each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { renderResult } from '../output/results.js';
import { escapeControls } from '../output/safety.js';
import { DemoError, NO_RULE_CAN_ALLOW, runDemo, type DemoStep } from '../recipes/demo.js';
import { Exit, printError } from './io.js';

interface DemoFlags {
  out?: string;
  seed: string;
  flows?: number;
}

const EXAMPLES = `
Examples:
  $ haystack demo
  $ haystack demo --out demo --seed 7      # keep the files, another estate

Runs the discrimiNAT recipe "building an allowlist from scratch" on a generated estate, with
haystack doing each step: a week of logs (haystack generate), the log reference's five filters
and its allowlist query (haystack recipes run), the allowlist for the estate's new service's
see-thru group (haystack allowlist), the rules written into the estate file as a new group on
the same interfaces, a fresh day of the same applications against it, then haystack verify
(nothing needed the see-thru since) and haystack replay (without the see-thru, nothing the week
before did would be blocked). Each step prints what it found and the command to type for it,
run from DIR. Without --out the files go to a temporary folder, removed at the end. No network
or cloud account is needed.

Exit status: 0 the loop closed, 1 it did not (the report says where), 2 bad usage or the files
could not be written.`;

export function demoCommand(): Command {
  return new Command('demo')
    .description('the allowlist recipe end to end on a generated estate: generate, filters, allowlist, apply, verify, replay')
    .option('--out <dir>', 'keep every file in this directory (default: a temporary one, removed at the end)')
    .option('--seed <text>', 'seed of the generated estate and its logs', '1')
    .option('--flows <n>', 'flow lines of the first week (default 100000)', whole)
    .addHelpText('after', EXAMPLES)
    .action(async (flags: DemoFlags) => {
      process.exitCode = await runDemoCommand(flags);
    });
}

function whole(text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1000) throw new InvalidArgumentError('a whole number of at least 1000 is needed');
  return Number(text);
}

async function runDemoCommand(flags: DemoFlags): Promise<number> {
  const started = performance.now();
  const dir = flags.out !== undefined ? resolve(flags.out) : await mkdtemp(join(tmpdir(), 'haystack-demo-'));
  const out = (lines: readonly string[]): void => {
    process.stdout.write(lines.map((l) => escapeControls(l)).join('\n') + '\n');
  };
  out([
    `haystack demo: the discrimiNAT allowlist recipe, end to end, on a generated estate (seed ${flags.seed})`,
    `working in ${dir}${flags.out === undefined ? ' (removed at the end; --out DIR keeps the files)' : ''}; the commands run from there`,
  ]);
  let n = 0;
  try {
    const report = await runDemo({
      dir,
      seed: flags.seed,
      ...(flags.flows !== undefined ? { flows: flags.flows } : {}),
      onStep: (step) => out(['', ...renderStep(++n, step)]),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (report.closed) {
      const { verify, replay } = report.noRuleCanAllow;
      const left = verify + replay === 0 ? [] : [
        `(verify and replay still flag ${plural(verify + replay, 'connection')} that no protocol rule can allow, so they exit 1: those are what`,
        ' removing the see-thru is for)',
      ];
      out(['', `loop closed in ${seconds} s: the see-thru taught the rules, the rules carry the application, and the see-thru can go.`, ...left]);
      return Exit.Ok;
    }
    out(['', `loop NOT closed (${seconds} s):`, ...report.problems.map((p) => `  - ${p}`)]);
    return Exit.Found;
  } catch (e) {
    if (e instanceof DemoError) {
      printError(e.message);
      return Exit.Found;
    }
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code === 'string' && typeof err.syscall === 'string') {
      printError(`cannot write the demo's files: ${err.message}`, 'check that --out names a directory you can write to');
      return Exit.Usage;
    }
    throw e;
  } finally {
    if (flags.out === undefined) await rm(dir, { recursive: true, force: true });
  }
}

const num = (n: number): string => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`): string => `${num(n)} ${n === 1 ? one : many}`;
const day = (iso: string): string => iso.slice(0, 10);
const indent = (text: string, by = '   '): string[] => text.replace(/\n$/, '').split('\n').map((l) => (l === '' ? '' : by + l));

/** Says which of the connections a gate still found a protocol rule could allow, by reason. */
function reasonLines(reasons: ReadonlyMap<string, number>): string[] {
  if (reasons.size === 0) return [];
  const list = (ok: boolean): string =>
    [...reasons].filter(([r]) => NO_RULE_CAN_ALLOW.has(r) === ok).map(([r, c]) => `${r} ${num(c)}`).join(', ');
  const none = list(true);
  const some = list(false);
  return [
    ...(none === '' ? [] : [`   no protocol rule can allow ${some === '' ? 'any of these' : 'some'} (${none}): only a see-thru lets them through; without one they are blocked, as they should be`]),
    ...(some === '' ? [] : [`   a protocol rule could allow the rest (${some}): the allowlist missed them`]),
  ];
}

function heading(n: number, title: string, step: DemoStep): string {
  const left = `${n}  ${title}`;
  const time = `${step.seconds.toFixed(1)} s`;
  return `${left}${' '.repeat(Math.max(2, 100 - left.length - time.length))}${time}`;
}

function renderStep(n: number, step: DemoStep): string[] {
  const commands = step.commands.map((c) => `   $ ${c}`);
  switch (step.kind) {
    case 'generate': {
      const s = step.summary;
      const m = step.monitored;
      return [
        heading(n, 'generate: an estate and a week of its logs (recipe step 3: the application runs under its see-thru)', step),
        ...commands,
        `   ${num(s.flow.lines)} flow and ${num(s.config.lines)} config lines, ${day(s.start)} to ${day(s.end)}: ${s.estate.applications.length} applications, ${s.estate.groups} groups, ${s.estate.clients} clients, ${s.estate.views} views`,
        `   monitored: ${m.name}, a new service with no allowlist yet, and its see-thru group ${m.seeThruGid} (through ${m.thruDate})`,
      ];
    }
    case 'filters': {
      const w = Math.max(...step.counts.map((c) => num(c.matched).length));
      const nw = Math.max(...step.counts.map((c) => c.recipe.name.length));
      return [
        heading(n, "filters: the log reference's five, as recipes (lines matched)", step),
        ...commands,
        ...step.counts.map((c) => `   ${num(c.matched).padStart(w)}  ${c.recipe.name.padEnd(nw)}  ${c.text}`),
      ];
    }
    case 'query': {
      // Most lines first; the vendor's query counts server lines too, whose dpt is the client's port.
      const c = step.fields.indexOf('count()');
      const shown = [...step.rows].sort((a, b) => Number(b[c]) - Number(a[c])).slice(0, 10);
      return [
        heading(n, "query: the recipe's Logs Insights query for the see-thru group (recipe step 4)", step),
        ...commands,
        `   ${plural(step.rows.length, 'row')} over ${plural(step.connections, 'line')}${shown.length < step.rows.length ? `, the ${shown.length} biggest shown` : ''}; the query counts server lines too (their dpt is the`,
        "   client's port: the odd rows), which haystack allowlist leaves out:",
        ...indent(renderResult(step.fields, shown, 'table', { escape: true }), '     '),
      ];
    }
    case 'allowlist':
      return [heading(n, 'allowlist: the protocol rules those connections need (recipe step 5)', step), ...commands, ...indent(step.report, '   | ').map((l) => (l === '' ? '   |' : l))];
    case 'apply': {
      const r = step.result;
      const t = r.target;
      const what = t === null
        ? 'nothing to add'
        : `${t.created ? 'new group' : 'group'} ${t.gid} (${t.name ?? 'no name'}) with ${plural(r.rules.filter((x) => x.status === 'added').length, 'rule')}${t.created ? `, attached to the ${plural(r.attached.length, 'interface')} of the see-thru group` : ''}, in ${plural(r.places, 'place')} of the file (its views)`;
      return [
        heading(n, 'apply: the rules written into the estate file (recipe step 5: "attach them")', step),
        '   in AWS:',
        ...commands,
        `   here: ${step.file} = before/estate.json + ${what}`,
        step.errors.length === 0 ? `   it loads with no new error${r.newDiagnostics.length > 0 ? ` (${plural(r.newDiagnostics.length, 'new warning')})` : ' and no new warning'}` : `   it has ${plural(step.errors.length, 'new error')}: ${step.errors[0]!.message}`,
        ...r.warnings.map((w) => `   warning: ${w}`),
      ];
    }
    case 'lifecycle': {
      const s = step.summary;
      return [
        heading(n, 'lifecycle: a fresh day of the same applications, against the new estate (recipe step 6)', step),
        ...commands,
        `   ${num(s.flow.lines)} flow and ${num(s.config.lines)} config lines from ${s.start} to ${s.end} (traffic seed ${s.trafficSeed}); ${num(s.flow.seeThruExerted)} let through by some see-thru`,
      ];
    }
    case 'verify': {
      const r = step.result;
      const lines = [heading(n, 'verify: did anything still need the see-thru since then? (recipe step 6, the query at #4)', step), ...commands];
      if (r.needed.length === 0) {
        lines.push(
          r.linesWithGid === 0
            ? `   no client line carried ${r.gid}: the application was idle, so this proves nothing`
            : `   nothing: ${plural(r.linesWithGid, 'client line')} carried ${r.gid}, and protocol rules allowed ${num(r.allowedByRules)} of them`,
        );
      } else {
        lines.push(`   still needed by ${plural(r.neededLines, 'connection')} (haystack verify exits 1):`);
        for (const d of r.needed.slice(0, 10)) lines.push(`     ${d.dhost} ${d.proto} ${d.dpt}: ${num(d.count)}${d.blockedExpired > 0 ? ` (${num(d.blockedExpired)} blocked, the see-thru having expired)` : ''}`);
        lines.push(...reasonLines(step.reasons));
      }
      if (step.seeThruExpired) lines.push('   (its see-thru had run out by then: a connection no rule allowed was blocked, and would be counted here)');
      return lines;
    }
    case 'replay': {
      const r = step.result;
      const lines = [
        heading(n, 'replay: without the see-thru, would the week have gone as well? (recipe step 7)', step),
        ...commands,
        `   ${step.file} = proposed-estate.json without its see-thru rule (${plural(step.removed, 'place')})`,
        `   ${plural(r.replayed, 'connection')} of the week decided again: ${r.newlyDisallowed.length === 0 ? 'none newly disallowed' : `${plural(r.disallowedLines, 'connection')} newly disallowed`}, ${num(r.allowedLines)} newly allowed (the rules doing what the see-thru did), ${num(r.unchanged.total)} unchanged`,
      ];
      if (r.newlyDisallowed.length > 0) lines.push('   newly disallowed (what makes haystack replay exit 1):');
      for (const row of r.newlyDisallowed.slice(0, 10)) lines.push(`     ${row.client} -> ${row.dhost} ${row.proto} ${row.dpt}: ${num(row.count)}, ${row.from} -> ${row.to} (${row.reason})`);
      const byReason = new Map<string, number>();
      for (const row of r.newlyDisallowed) byReason.set(row.reason, (byReason.get(row.reason) ?? 0) + row.count);
      lines.push(...reasonLines(byReason));
      if (step.estateErrors.length > 0) {
        lines.push(
          `   note: the estate's history holds ${plural(step.estateErrors.length, 'refused entry', 'refused entries')} (first: ${step.estateErrors[0]!.code} ${step.estateErrors[0]!.message.replace(/; the entry is refused$/, '')});`,
          '   the firewall reads past refused entries (they allow nothing), and so do replay and the demo',
        );
      }
      return lines;
    }
    default: {
      const never: never = step;
      throw new Error(`unhandled demo step ${JSON.stringify(never)}`);
    }
  }
}
