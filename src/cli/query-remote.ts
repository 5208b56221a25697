/**
 * `haystack query --remote`: the query, already checked by haystack's checker, run by
 * CloudWatch Logs Insights itself; printed in every output format of `query`; with
 * `--compare DIR`, also run here over pulled files and the differences printed.
 */
import type { CompiledQuery } from '../insights/index.js';
import { escapeControls } from '../output/safety.js';
import { resolveInputs } from '../sources/inputs.js';
import { cloudFailure, openCloud, statusLine } from './cloudwatch-options.js';
import { Exit, printError } from './io.js';
import { printQueryResult, type ResultFlags } from './query-output.js';
import { parseWindow, runScan, type ScanFlags } from './scan-options.js';

export interface RemoteFlags extends ScanFlags, ResultFlags {
  compare?: string;
  maxGroups?: number;
  maxValues?: number;
}

/** Logs Insights' own default in the console: the last hour. */
const DEFAULT_WINDOW_MS = 3_600_000;
const SHOWN_DIFFERENCES = 20;

export async function runRemote(compiled: CompiledQuery, paths: readonly string[], flags: RemoteFlags): Promise<number> {
  const { parseCloudWatchPath } = await import('../cloudwatch/source.js');
  const groups = flags.logGroup !== undefined ? [flags.logGroup] : [];
  for (const p of paths) {
    const parsed = parseCloudWatchPath(p);
    if (!parsed || parsed.logStream !== undefined) {
      printError(`${p}: with --remote, give log groups (--log-group NAME or cloudwatch://GROUP), not files or streams`, 'to query one stream, add | filter @logStream = "flow" to the query');
      return Exit.Usage;
    }
    groups.push(parsed.logGroup);
  }
  if ((flags.logStream ?? []).length > 0) {
    printError('--log-stream does not apply to --remote', 'add | filter @logStream = "flow" to the query');
    return Exit.Usage;
  }
  if (groups.length === 0) {
    printError('--remote needs a log group', "haystack query --remote --log-group DiscrimiNAT 'stats count(*) by dhost'");
    return Exit.Usage;
  }
  const w = parseWindow(flags);
  if (typeof w === 'number') return w;
  const end = w.end ?? w.now;
  const start = w.start ?? end - DEFAULT_WINDOW_MS;
  const client = await openCloud(flags);
  if (typeof client === 'number') return client;
  const { runRemoteQuery, QueryStopped, compareResults, AWS_ROW_CAP } = await import('../cloudwatch/remote-query.js');
  const { optionsFromEnv } = await import('../cloudwatch/client.js');
  const pollMs = optionsFromEnv({}).pollMs;
  const abort = new AbortController();
  const onInt = (): void => abort.abort();
  process.once('SIGINT', onInt);
  const status = statusLine();
  let remote;
  try {
    remote = await runRemoteQuery(client, compiled, {
      logGroups: groups,
      start,
      end,
      signal: abort.signal,
      ...(pollMs !== undefined ? { pollMs } : {}),
      onStatus: (s, st) => status.show(`CloudWatch: ${s}, ${st.recordsScanned.toLocaleString('en-US')} records, ${(st.bytesScanned / 1e6).toFixed(1)} MB scanned`),
    });
  } catch (e) {
    status.done();
    if (e instanceof QueryStopped) {
      process.stderr.write(`haystack: ${e.message}\n`);
      return 130; // interrupted (128 + SIGINT), as shells report it
    }
    return cloudFailure(e);
  } finally {
    process.removeListener('SIGINT', onInt);
  }
  status.done();
  await printQueryResult(remote.result, flags);
  if (remote.capped)
    process.stderr.write(
      `haystack: CloudWatch returned ${AWS_ROW_CAP.toLocaleString('en-US')} rows, the most Logs Insights returns: there may be more; narrow the time window or the query\n`,
    );
  if (flags.compare === undefined) return Exit.Ok;

  // The same query here, over the pulled files, on the window CloudWatch searched.
  const { queryInputs } = await import('../insights/scan.js');
  const { DEFAULT_LIMITS } = await import('../insights/index.js');
  const { inputs, problems } = await resolveInputs([flags.compare], true);
  for (const p of problems) printError(p);
  if (inputs.length === 0) {
    printError(`--compare ${flags.compare}: no file to read`);
    return Exit.Usage;
  }
  const local = await runScan(() =>
    queryInputs(compiled, inputs, {
      start: remote.window.start,
      end: remote.window.end,
      window: remote.window,
      now: w.now,
      limits: { maxGroups: flags.maxGroups ?? DEFAULT_LIMITS.maxGroups, maxValues: flags.maxValues ?? DEFAULT_LIMITS.maxValues },
    }),
  );
  if (typeof local === 'number') return local;
  const ordered = compiled.ast.commands.some((c) => c.kind === 'sort');
  const diff = compareResults(remote.result, local.result, ordered);
  const line = (r: (string | null)[]): string => escapeControls(JSON.stringify(r));
  const out: string[] = [];
  if (diff.fieldsDiffer) out.push(`columns differ: CloudWatch ${JSON.stringify(remote.result.fields)}, haystack ${JSON.stringify(local.result.fields)}`);
  if (diff.onlyRemote.length > 0) {
    out.push(`${diff.onlyRemote.length} ${diff.onlyRemote.length === 1 ? 'row' : 'rows'} only in CloudWatch:`);
    for (const r of diff.onlyRemote.slice(0, SHOWN_DIFFERENCES)) out.push(`  ${line(r)}`);
  }
  if (diff.onlyLocal.length > 0) {
    out.push(`${diff.onlyLocal.length} ${diff.onlyLocal.length === 1 ? 'row' : 'rows'} only in haystack over ${flags.compare}:`);
    for (const r of diff.onlyLocal.slice(0, SHOWN_DIFFERENCES)) out.push(`  ${line(r)}`);
  }
  if (diff.orderDiffers) out.push('the same rows, in another order');
  const cols = remote.result.fields.filter((f) => local.result.fields.includes(f));
  if (out.length === 0) {
    process.stderr.write(`haystack: compare: CloudWatch and haystack over ${escapeControls(flags.compare)} agree (${remote.result.rows.length} rows on ${cols.length} columns)\n`);
    return Exit.Ok;
  }
  process.stderr.write(`haystack: compare: CloudWatch and haystack over ${escapeControls(flags.compare)} differ (compared on ${JSON.stringify(cols)}):\n${out.join('\n')}\n`);
  return Exit.Found;
}
