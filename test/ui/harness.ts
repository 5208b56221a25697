/**
 * What the web console's tests share: generated logs in a temp folder, `haystack ui` started
 * as a user starts it (the built CLI, its URL read from stdout), and Debian's Chromium driven
 * by playwright-core. No browser is downloaded: a missing /usr/bin/chromium fails the tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { cliPath } from '../paths.js';

export const CHROMIUM = process.env.HAYSTACK_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Runs the built CLI; returns stdout (throws with stderr on a non-zero exit). */
export function cli(args: readonly string[]): string {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`haystack ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Runs the built CLI expecting exit 2 (usage or invalid input); returns stderr. */
export function cliUsageError(args: readonly string[]): string {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  if (r.status !== 2) throw new Error(`haystack ${args.join(' ')} exited ${r.status}, not 2: ${r.stderr}`);
  return r.stderr;
}

export interface Generated {
  readonly dir: string;
  readonly logs: string;
  readonly estate: string;
  remove(): void;
}

/** A generated estate and a week of its logs (haystack generate), in a fresh temp folder. */
export function generateLogs(flows = 20_000, seed = '1'): Generated {
  const dir = mkdtempSync(join(tmpdir(), 'haystack-ui-'));
  cli(['generate', '--out', dir, '--flows', String(flows), '--seed', seed]);
  return { dir, logs: join(dir, 'DiscrimiNAT'), estate: join(dir, 'estate.json'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunningUi {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly child: ChildProcess;
  stop(): Promise<number | null>;
}

/** `haystack ui ARGS...`, resolved once it has printed its URL. */
export function startUi(args: readonly string[]): Promise<RunningUi> {
  const child = spawn(process.execPath, [cliPath, 'ui', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`haystack ui printed no URL in 20 s: ${out}${err}`)), 20_000);
    const early = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`haystack ui exited ${code}: ${err}`));
    };
    child.once('exit', early);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:(\d+))\/\?token=([A-Za-z0-9_-]+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.off('exit', early);
      resolve({
        url: m[0], origin: m[1]!, port: Number(m[2]), token: m[3]!, child,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile; fails (never skips) when the executable is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/run does: apt-get install -y chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'haystack-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
