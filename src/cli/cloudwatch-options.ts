/**
 * What the CloudWatch commands share: --profile and --region, opening the client (the SDK is
 * loaded here, only when a command needs it), turning a CloudWatch failure into its one line
 * and exit 2, and a progress line on a terminal.
 */
import { Command } from 'commander';
import type { CloudWatchLogs } from '../cloudwatch/client.js';
import { InputError } from '../sources/inputs.js';
import { Exit, printError } from './io.js';

export interface CloudFlags {
  profile?: string;
  region?: string;
}

export function addCloudOptions(cmd: Command): Command {
  return cmd
    .option('--profile <name>', 'AWS profile for CloudWatch (default: AWS_PROFILE, then the default credential chain)')
    .option('--region <region>', "AWS region for CloudWatch (default: AWS_REGION or the profile's)");
}

/** A client whose credentials and region resolved, or the exit code after saying why not. */
export async function openCloud(flags: CloudFlags): Promise<CloudWatchLogs | number> {
  const { openClient, optionsFromEnv } = await import('../cloudwatch/client.js');
  try {
    return await openClient(optionsFromEnv(flags));
  } catch (e) {
    return cloudFailure(e);
  }
}

/** A CloudWatch failure (an InputError) printed as one line: exit 2. Anything else is a bug. */
export function cloudFailure(e: unknown): number {
  if (!(e instanceof InputError)) throw e;
  printError(e.message, e.hint);
  return Exit.Usage;
}

/** On a terminal only: a live status line on stderr, rewritten at most 5 times a second. */
export function statusLine(): { show: (text: string) => void; done: () => void } {
  if (process.stderr.isTTY !== true) return { show: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    show: (text) => {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      process.stderr.write(`\r\x1b[K${text}`);
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
