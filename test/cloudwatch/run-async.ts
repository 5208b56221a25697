/**
 * Runs the built CLI without blocking the test's event loop (the fake server lives in it),
 * with a clean environment: nothing of the developer's AWS setup leaks into a test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cliPath } from '../paths.js';

export interface AsyncResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<AsyncResult>; stdout: () => string } {
  const t0 = Date.now();
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  child.stdin!.end();
  const done = new Promise<AsyncResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout: out, stderr: err, ms: Date.now() - t0 }));
  });
  return { child, done, stdout: () => out };
}

export async function runCliAsync(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30000): Promise<AsyncResult> {
  const { child, done } = startCli(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when `test` holds, checking every 20 ms; rejects after `ms`. */
export async function waitFor(test: () => boolean, ms = 10000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
