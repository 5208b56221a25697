/**
 * The allowlist loop end to end, on a generated estate (the vendor's "building an allowlist from
 * scratch", steps 3 to 7, with haystack doing each one):
 *
 *   generate an estate and a week of its logs (step 3: the application ran under its see-thru)
 *   -> the log reference's five filters and its allowlist query, as recipes (step 4)
 *   -> the allowlist for the monitored application's see-thru group (step 5)
 *   -> the rules applied to the estate file (step 5: "attach them")
 *   -> a fresh day of the same applications against the new estate (step 6: another lifecycle)
 *   -> verify: nothing still needed the see-thru since then (step 6: the query at #4)
 *   -> replay: removing the see-thru would block nothing the week before did (step 7)
 *
 * The monitored application is the estate's new service: the one with no allowlist yet and a
 * see-thru group to learn one. Every file is written under one directory, named in the commands
 * a user would type relative to it. No network and no cloud account are needed.
 *
 * When the loop closes. verify and replay gate on every connection the see-thru was needed for,
 * including those no protocol rule could ever allow: an unidentified protocol, TLS without SNI or
 * below 1.2, SSH below 2.0, plain HTTP, a stale DNS address (the allowlist report's "left out").
 * A realistic application makes a few of those, and the see-thru lets them through while it is
 * there; removing it blocks them, which is the firewall doing its job. So the loop closes when
 * what verify and replay still find is only such connections: nothing a rule could allow is left
 * to the see-thru. The report keeps the gates' own verdicts too, so that a user knows what
 * `haystack verify` and `haystack replay` will say (exit 1 on those connections).
 */
import { availableParallelism } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { estateFromTexts, type EstateDiagnostic } from '../discriminat/estate.js';
import { REASONS } from '../discriminat/reasons.js';
import { ESTATE_FILE, LOG_GROUP, writeGenerated, type GenerateSummary } from '../discriminat/generator-files.js';
import { GENERATE_DEFAULTS } from '../discriminat/generator.js';
import type { Cell } from '../insights/index.js';
import { resolveInputs, type Input } from '../sources/inputs.js';
import { formatIso } from '../sources/time.js';
import { allowlistInputs, type Allowlist } from './allowlist.js';
import { applyAllowlist, type ApplyResult } from './apply.js';
import { RECIPES, type Recipe } from './catalog.js';
import { emitAwsCli } from './emit-aws-cli.js';
import { emitText } from './emit-text.js';
import { anyNewlyDisallowed, replay, type ReplayResult } from './replay.js';
import { bool, int, readLines, str } from './flow-events.js';
import { fillRecipe, compileRecipe, runRecipe, prepareRecipe } from './run.js';
import { stillNeeded, verifySeeThru, type VerifyResult } from './verify.js';

export interface DemoOptions {
  /** The directory everything is written to (created if missing). */
  readonly dir: string;
  /** The generator's seed; default `1`. */
  readonly seed?: string;
  /** Flow lines of the first week; default the generator's (100,000). */
  readonly flows?: number;
  /** Threads to scan with; default all cores. */
  readonly threads?: number;
  /** Called as each step finishes, for output while the next one runs. */
  readonly onStep?: (step: DemoStep) => void;
}

/** The application whose see-thru group the loop closes. */
export interface Monitored {
  readonly name: string;
  readonly kind: string;
  /** Its own group (no protocol rules). */
  readonly gid: string;
  readonly seeThruGid: string;
  readonly thruDate: string;
}

interface StepBase {
  /** What a user would type for this step, run from the demo's directory. */
  readonly commands: readonly string[];
  readonly seconds: number;
}

export type DemoStep =
  | (StepBase & { readonly kind: 'generate'; readonly summary: GenerateSummary; readonly monitored: Monitored })
  | (StepBase & { readonly kind: 'filters'; readonly counts: readonly { readonly recipe: Recipe; readonly text: string; readonly matched: number }[] })
  | (StepBase & { readonly kind: 'query'; readonly text: string; readonly fields: readonly string[]; readonly rows: readonly Cell[][]; readonly connections: number })
  | (StepBase & { readonly kind: 'allowlist'; readonly allowlist: Allowlist; readonly report: string })
  | (StepBase & { readonly kind: 'apply'; readonly file: string; readonly result: ApplyResult; readonly errors: readonly EstateDiagnostic[] })
  | (StepBase & { readonly kind: 'lifecycle'; readonly summary: GenerateSummary; readonly since: number })
  | (StepBase & {
      readonly kind: 'verify';
      readonly result: VerifyResult;
      /** The lines verify counted, by their `reason`; those of NO_RULE_CAN_ALLOW are no rule's to fix. */
      readonly reasons: ReadonlyMap<string, number>;
      /** The see-thru's thru date was before the new day: lines it would have let through were blocked (and counted). */
      readonly seeThruExpired: boolean;
    })
  | (StepBase & {
      readonly kind: 'replay';
      readonly file: string;
      readonly removed: number;
      readonly result: ReplayResult;
      /**
       * Error diagnostics the estate holds (entries the firewall refuses, such as a public-suffix
       * wildcard in its history): replay reads past them as the firewall does, the refused
       * entries allowing nothing.
       */
      readonly estateErrors: readonly EstateDiagnostic[];
    });

export interface DemoReport {
  readonly dir: string;
  readonly seed: string;
  readonly steps: readonly DemoStep[];
  /** The loop closed: rules were found and applied cleanly, verify and replay found nothing. */
  readonly closed: boolean;
  /** Why it did not close (empty when it did). */
  readonly problems: readonly string[];
  /**
   * Connections verify (the new day) and replay (the week) still found that no protocol rule can
   * allow (NO_RULE_CAN_ALLOW): the gates exit 1 on them though the loop is closed.
   */
  readonly noRuleCanAllow: { readonly verify: number; readonly replay: number };
}

/** Thrown when the demo cannot go on (a generated estate without a new service, say). */
export class DemoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoError';
  }
}

/**
 * Refusals no protocol rule can turn into an allow (spec D6.7, D6.5, D6.10): what the allowlist
 * report leaves out by line. A connection refused for one of these needs the see-thru whatever
 * the rules; without it, it is blocked.
 */
export const NO_RULE_CAN_ALLOW: ReadonlySet<string> = new Set([REASONS.UNKNOWN, REASONS.NO_SNI, REASONS.TLS_OLD, REASONS.SSH_OLD, REASONS.HTTP, REASONS.DNS]);

/** The log reference's five filters (spec D2.6), by their recipe names, with their defaults. */
export const REFERENCE_FILTERS = ['disallowed', 'allowed-not-tls', 'client-not-host', 'see-thru-expiring', 'see-thru-exerted'] as const;

const BEFORE = 'before';
const AFTER = 'after';
const PROPOSED = 'proposed-estate.json';
const STEP7 = 'step7-estate.json';

/** Quotes an argument for a POSIX shell when it needs it. */
export function sh(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
const cmd = (...args: string[]): string => args.map(sh).join(' ');

export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const dir = options.dir;
  const seed = options.seed ?? GENERATE_DEFAULTS.seed;
  const threads = options.threads ?? availableParallelism();
  const steps: DemoStep[] = [];
  const problems: string[] = [];
  const done = <S extends DemoStep>(step: S): S => {
    steps.push(step);
    options.onStep?.(step);
    return step;
  };
  const timer = (): (() => number) => {
    const t = performance.now();
    return () => Math.round(performance.now() - t) / 1000;
  };
  await mkdir(dir, { recursive: true });
  const inputsOf = async (path: string): Promise<Input[]> => (await resolveInputs([path], true)).inputs;

  // Step 3: the week the application ran under its see-thru.
  let t = timer();
  const flows = options.flows ?? GENERATE_DEFAULTS.flows;
  const before = await writeGenerated({ out: join(dir, BEFORE), seed, flows });
  const monitored = monitoredOf(before);
  done({ kind: 'generate', summary: before, monitored, seconds: t(), commands: [cmd('haystack', 'generate', '--out', BEFORE, '--seed', seed, ...(options.flows !== undefined ? ['--flows', String(flows)] : []))] });
  const logs = join(BEFORE, LOG_GROUP);
  const beforeInputs = await inputsOf(join(dir, logs));

  // Step 4: the reference's filters, then its query for the group.
  t = timer();
  const counts: { recipe: Recipe; text: string; matched: number }[] = [];
  for (const name of REFERENCE_FILTERS) {
    const recipe = RECIPES.find((r) => r.name === name)!;
    const filled = fillRecipe(recipe);
    const r = await runRecipe(compileRecipe(filled), beforeInputs, { threads, countOnly: true });
    counts.push({ recipe, text: filled.text, matched: r.report.matched });
  }
  done({ kind: 'filters', counts, seconds: t(), commands: [cmd('haystack', 'recipes', 'run', 'NAME', logs, '--count')] });

  t = timer();
  const gid = monitored.seeThruGid;
  const query = prepareRecipe('allowlist', { gid });
  const q = await runRecipe(query, beforeInputs, { threads });
  if (q.kind !== 'query') throw new DemoError('the allowlist recipe is not a query');
  const countColumn = q.result.fields.indexOf('count()');
  const connections = q.result.rows.reduce((n, row) => n + (typeof row[countColumn] === 'number' ? (row[countColumn] as number) : 0), 0);
  done({
    kind: 'query', text: query.filled.text, fields: q.result.fields, rows: q.result.rows, connections, seconds: t(),
    commands: [cmd('haystack', 'recipes', 'run', 'allowlist', '--param', `gid=${gid}`, logs)],
  });

  // Step 5: the rules, and the estate with them.
  t = timer();
  const { allowlist } = await allowlistInputs(beforeInputs, { gid }, { threads });
  const text = emitText(allowlist);
  // The report's closing "next" paragraph is what the rest of the demo does.
  const next = text.indexOf('\nnext (recipe step 6)');
  await writeFile(join(dir, 'allowlist.txt'), text);
  await writeFile(join(dir, 'rules.json'), emitAwsCli(allowlist));
  done({
    kind: 'allowlist', allowlist, report: next === -1 ? text : text.slice(0, next + 1), seconds: t(),
    commands: [cmd('haystack', 'allowlist', '--gid', gid, logs) + ' > allowlist.txt', cmd('haystack', 'allowlist', '--gid', gid, logs, '--output', 'aws-cli') + ' > rules.json'],
  });
  if (allowlist.rules.length === 0) problems.push(`the see-thru of ${gid} let nothing through that a rule could allow: there is no allowlist to apply`);

  t = timer();
  const estatePath = join(BEFORE, ESTATE_FILE);
  const applied = applyAllowlist(estatePath, await readFile(join(dir, estatePath), 'utf8'), allowlist);
  await writeFile(join(dir, PROPOSED), applied.text);
  const errors = applied.newDiagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) problems.push(`the estate with the rules has ${errors.length} new error${errors.length === 1 ? '' : 's'}: ${errors[0]!.message}`);
  const target = applied.target;
  done({
    kind: 'apply', file: PROPOSED, result: applied, errors, seconds: t(),
    commands: target === null ? [] : [
      `aws ec2 create-security-group --group-name ${sh(target.name ?? target.gid)} --description 'discrimiNAT allowlist' --vpc-id VPC   # AWS names it; here ${target.gid}`,
      cmd('aws', 'ec2', 'authorize-security-group-egress', '--group-id', target.gid, '--ip-permissions', 'file://rules.json'),
      `aws ec2 modify-network-interface-attribute --network-interface-id ENI --groups ...   # add ${target.gid} to each of the ${applied.attached.length} interfaces of ${gid}`,
    ],
  });

  // Step 6: another lifecycle, a day after the week, against the estate with the rules.
  t = timer();
  const since = Date.parse(before.end);
  const perDay = Math.max(1000, Math.round(flows / before.days));
  const trafficSeed = `${seed}-after`;
  const after = await writeGenerated({
    out: join(dir, AFTER), seed, flows: perDay, days: 1, start: since, trafficSeed, estate: { file: PROPOSED, text: applied.text },
  });
  const afterLogs = join(AFTER, LOG_GROUP);
  const afterInputs = await inputsOf(join(dir, afterLogs));
  done({
    kind: 'lifecycle', summary: after, since, seconds: t(),
    commands: [cmd('haystack', 'generate', '--out', AFTER, '--seed', seed, '--estate', PROPOSED, '--traffic-seed', trafficSeed, '--start', formatIso(since), '--days', '1', '--flows', String(perDay))],
  });

  t = timer();
  const verified = await verifySeeThru(afterInputs, { gid, since, threads });
  const reasons = stillNeeded(verified) ? await neededReasons(afterInputs, gid, since) : new Map<string, number>();
  const ruleGaps = [...reasons].filter(([reason]) => !NO_RULE_CAN_ALLOW.has(reason)).reduce((n, [, c]) => n + c, 0);
  if (ruleGaps > 0) problems.push(`verify: ${ruleGaps} connection${ruleGaps === 1 ? '' : 's'} a protocol rule could allow still needed the see-thru of ${gid}`);
  else if (verified.linesWithGid === 0) problems.push(`verify: no flow line of the new day carried ${gid}: the monitored application was idle`);
  done({
    kind: 'verify', result: verified, reasons, seeThruExpired: monitored.thruDate < formatIso(since).slice(0, 10), seconds: t(),
    commands: [cmd('haystack', 'verify', '--gid', gid, '--since', formatIso(since), afterLogs)],
  });

  // Step 7: without the see-thru, would anything of the week have been blocked?
  t = timer();
  const step7 = applyAllowlist(PROPOSED, applied.text, { gid, rules: [] }, { removeSeeThru: true });
  await writeFile(join(dir, STEP7), step7.text);
  const { estate, diagnostics } = estateFromTexts([{ file: STEP7, text: step7.text }]);
  const replayed = await replay(beforeInputs, { estate, threads });
  const blockedByRuleGap = replayed.newlyDisallowed.filter((r) => !NO_RULE_CAN_ALLOW.has(r.reason)).reduce((n, r) => n + r.count, 0);
  if (anyNewlyDisallowed(replayed) && blockedByRuleGap > 0) {
    problems.push(`replay: without the see-thru, ${blockedByRuleGap} connection${blockedByRuleGap === 1 ? '' : 's'} of the week a protocol rule could allow would be blocked`);
  }
  if (step7.removedSeeThru === 0) problems.push(`replay: ${PROPOSED} held no see-thru rule in ${gid} to remove`);
  done({
    kind: 'replay', file: STEP7, removed: step7.removedSeeThru, result: replayed, estateErrors: diagnostics.filter((d) => d.severity === 'error'), seconds: t(),
    commands: [cmd('haystack', 'replay', '--estate', STEP7, logs)],
  });

  const unallowable = (m: Iterable<[string, number]>): number => [...m].filter(([r]) => NO_RULE_CAN_ALLOW.has(r)).reduce((n, [, c]) => n + c, 0);
  return {
    dir, seed, steps, closed: problems.length === 0, problems,
    noRuleCanAllow: { verify: unallowable(reasons), replay: unallowable(replayed.newlyDisallowed.map((r) => [r.reason, r.count] as [string, number])) },
  };
}

/** The `reason` of each client line verify counts for the group since `since` (see verify.ts). */
async function neededReasons(inputs: readonly Input[], gid: string, since: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  await readLines(
    inputs,
    { kinds: ['flow'], literals: [gid], start: since, keep: (_k, f) => str(f, 'cat') === 'client' && str(f, 'see_thru_gid') === gid },
    ({ fields: f }) => {
      const exerted = bool(f, 'see_thru_exerted') === true;
      const blockedExpired = !exerted && (int(f, 'see_thru_days_remaining') ?? 0) < 0 && str(f, 'outcome') === 'disallowed';
      if (!exerted && !blockedExpired) return;
      const reason = str(f, 'reason') ?? '';
      out.set(reason, (out.get(reason) ?? 0) + 1);
    },
  );
  return out;
}

/** The generated estate's new service and its see-thru group (the catalog's "new-service" kind). */
function monitoredOf(s: GenerateSummary): Monitored {
  const app = s.estate.applications.find((a) => a.kind === 'new-service');
  const st = app === undefined ? undefined : s.seeThru.find((x) => x.app === app.name && x.gid !== '%default');
  if (app === undefined || st === undefined) throw new DemoError('the generated estate has no new service with a see-thru group');
  return { name: app.name, kind: app.kind, gid: app.gid, seeThruGid: st.gid, thruDate: st.thruDate };
}
