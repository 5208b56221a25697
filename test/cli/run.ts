/** Runs the built CLI (npm test builds it first). */
import { spawnSync } from 'node:child_process';
import { cliPath } from '../paths.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], options: { input?: string | Buffer; nodeArgs?: readonly string[]; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [...(options.nodeArgs ?? []), cliPath, ...args], {
    input: options.input ?? '',
    ...(options.cwd ? { cwd: options.cwd } : {}),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
