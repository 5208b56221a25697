/**
 * `haystack pull --log-group NAME --out DIR`: a log group to local files in CloudWatch's export
 * format, one per stream and UTC day, resumable (src/cloudwatch/pull.ts).
 */
import { Command } from 'commander';
import { addCloudOptions, type CloudFlags, cloudFailure, openCloud, statusLine } from './cloudwatch-options.js';
import { Exit, printError } from './io.js';
import { collect, parseWindow } from './scan-options.js';

interface PullFlags extends CloudFlags {
  logGroup: string;
  logStream?: string[];
  out: string;
  start?: string;
  end?: string;
  gzip: boolean;
}

const EXAMPLES = `
Examples:
  $ haystack pull --log-group DiscrimiNAT --out logs --start 7d
  $ haystack pull --log-group DiscrimiNAT --log-stream flow --out flow --start 2026-03-01T00:00:00Z --end 2026-04-01T00:00:00Z
  $ haystack query 'stats count(*) by dhost' logs/

Files: DIR/<stream>/<YYYY-MM-DD>.log.gz (UTC days; names percent-encoded), each line
"<ISO time> <message>" as CloudWatch exports to S3, and DIR/haystack-pull.json. Stopped at any
moment, the same command resumes where it stopped: no event missing, none twice.
Without --end the window ends when the pull first starts (kept for every rerun).

Exit status: 0 done, 2 usage, or a CloudWatch failure (run the same command to resume).`;

export function pullCommand(): Command {
  const cmd = new Command('pull')
    .description('download a CloudWatch log group to local files in the export format (resumable)')
    .requiredOption('--log-group <name>', 'the log group to download')
    .option('--log-stream <name>', 'only this stream (repeat for more)', collect)
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .option('--start <time>', 'only events at or after this time: ISO-8601, epoch ms, or 2h / 7d ago')
    .option('--end <time>', 'only events before this time (default: now, at the first run)')
    .option('--no-gzip', 'write plain .log files')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: PullFlags) => {
      process.exitCode = await runPull(flags);
    });
  return addCloudOptions(cmd);
}

async function runPull(flags: PullFlags): Promise<number> {
  const window = parseWindow(flags);
  if (typeof window === 'number') return window;
  const client = await openCloud(flags);
  if (typeof client === 'number') return client;
  const { pull, PullError } = await import('../cloudwatch/pull.js');
  const status = statusLine();
  const t0 = Date.now();
  const start = window.start;
  const end = window.end;
  try {
    const r = await pull(client, {
      logGroup: flags.logGroup,
      logStreams: flags.logStream ?? [],
      ...(start !== undefined ? { start } : {}),
      ...(end !== undefined ? { end } : {}),
      out: flags.out,
      gzip: flags.gzip,
      windowText: { ...(flags.start !== undefined ? { start: flags.start } : {}), ...(flags.end !== undefined ? { end: flags.end } : {}) },
      onRestart: (why) => {
        status.done();
        process.stderr.write(`haystack: the saved page token was refused (${why.replace(/^CloudWatch: /, '')}); tokens last 24 hours, so the pull starts over\n`);
      },
      onPage: (p) => {
        const s = Math.max(0.001, (Date.now() - t0) / 1000);
        // Events come roughly in time order: the latest one reached says how far the window is done.
        const done = p.reached === null ? '' : p.start !== null && p.end > p.start ? `, ${Math.min(100, Math.max(0, ((p.reached - p.start) / (p.end - p.start)) * 100)).toFixed(0)}% of the window` : `, up to ${new Date(p.reached).toISOString()}`;
        status.show(`${p.events.toLocaleString('en-US')} events, ${(p.bytes / 1e6).toFixed(1)} MB, ${(p.events / s).toFixed(0)} events/s${done}`);
      },
    });
    status.done();
    const m = r.manifest;
    const files = Object.keys(m.files).length;
    const what = r.alreadyComplete ? 'already complete' : r.resumed ? 'resumed and complete' : 'complete';
    process.stderr.write(`haystack: pull ${what}: ${m.events.toLocaleString('en-US')} events in ${files} ${files === 1 ? 'file' : 'files'} under ${flags.out}\n`);
    if (m.multiLine > 0)
      process.stderr.write(`haystack: ${m.multiLine} ${m.multiLine === 1 ? 'event holds' : 'events hold'} a line break; in the export format each such event reads back as several lines\n`);
    return Exit.Ok;
  } catch (e) {
    status.done();
    if (e instanceof PullError) {
      printError(e.message, e.hint);
      return Exit.Usage;
    }
    return cloudFailure(e);
  }
}
