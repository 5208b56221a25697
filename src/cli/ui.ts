/**
 * `haystack ui [PATH...]`: the web console on 127.0.0.1, over the inputs given here. Prints the
 * URL (with its one-run token) and serves until interrupted.
 */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { startUiServer } from '../ui/server.js';
import { Exit, printError } from './io.js';
import { addScanOptions, prepareScan, type ScanFlags } from './scan-options.js';

interface UiFlags extends ScanFlags {
  port?: number;
  estate?: string;
}

const EXAMPLES = `
Examples:
  $ haystack ui logs/
  $ haystack ui flow-export.log config-export.log --estate estate.json --port 8765

Serves a local web console on 127.0.0.1 only: Query (filter patterns and Logs Insights queries
with live diagnostics, a histogram, a streaming table, export in every CLI format), See-thru
(every see-thru rule, its days left, clients and exerted traffic over time) and Allowlist review
(keep or drop hosts, accept or refuse wildcard folds, download Terraform, CloudFormation or CLI
JSON identical to haystack allowlist with the same flags; with --estate, replay the proposal).
Open the printed URL: it holds a token made for this run, and every request without it is
refused. Nothing is fetched from the network. Stop with Ctrl-C.

Exit status: 0 stopped, 2 usage (unreadable inputs, stdin, a port in use).`;

function portNumber(text: string): number {
  const n = Number(text);
  if (!/^[0-9]{1,5}$/.test(text) || n < 1 || n > 65535) throw new InvalidArgumentError('give a port from 1 to 65535');
  return n;
}

export function uiCommand(): Command {
  const cmd = new Command('ui')
    .description('a local web console: query, see-thru rules and allowlist review in the browser')
    .argument('[paths...]', 'files or directories (read recursively), .gz files, cloudwatch://GROUP[/STREAM] (or --log-group)')
    .option('--port <n>', 'listen on this port (default: a free one)', portNumber)
    .option('--estate <file>', 'the native estate file, to replay allowlist proposals against (e.g. the estate.json of haystack generate)')
    .option('--no-open', 'do not start a browser (the default: haystack never starts one; open the printed URL)')
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[], flags: UiFlags) => {
      process.exitCode = await runUi(paths, flags);
    });
  // No --strict: a server has no exit status to give it; skipped lines are reported on the page.
  return addScanOptions(cmd, { strict: false });
}

async function runUi(paths: string[], flags: UiFlags): Promise<number> {
  if ((paths.length === 0 && flags.logGroup === undefined) || paths.includes('-')) {
    printError(paths.length === 0 ? 'no input given' : 'the web console cannot read stdin', 'it reads its inputs again for every query: give files or directories (e.g. haystack ui logs/) or --log-group NAME');
    return Exit.Usage;
  }
  let estate: { file: string; text: string } | null = null;
  if (flags.estate !== undefined) {
    try {
      estate = { file: flags.estate, text: await readFile(flags.estate, 'utf8') };
    } catch (e) {
      printError(`cannot read the estate file ${flags.estate}: ${(e as Error).message}`);
      return Exit.Usage;
    }
  }
  const prepared = await prepareScan(paths, flags);
  if (typeof prepared === 'number') return prepared;
  // Unreadable paths were printed; the console serves what could be read.
  let server;
  try {
    server = await startUiServer({ source: { inputs: prepared.inputs, scanOptions: prepared.options, estate, paths }, ...(flags.port !== undefined ? { port: flags.port } : {}) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
      printError(`cannot listen on 127.0.0.1:${flags.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}`, 'leave out --port for a free one');
      return Exit.Usage;
    }
    throw e;
  }
  process.stdout.write(`haystack ui: serving ${prepared.inputs.length} input${prepared.inputs.length === 1 ? '' : 's'} on ${server.url}\n(open it in a browser; the token in it is this run's; Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return Exit.Ok;
}
