#!/usr/bin/env node
// Screenshots of the web console's three views for the README (docs/ui-*.png): generated logs
// (haystack generate, fixed seed) served by the built `haystack ui`, shot in Debian's Chromium
// through playwright-core. Run after `npm run build`:
//
//   node scripts/screenshots.mjs [--chromium /usr/bin/chromium]

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const i = process.argv.indexOf('--chromium');
const executablePath = i > 0 ? process.argv[i + 1] : '/usr/bin/chromium';

const dir = mkdtempSync(join(tmpdir(), 'haystack-shots-'));
const gen = spawnSync(process.execPath, [cli, 'generate', '--out', dir, '--flows', '20000', '--seed', '1'], { encoding: 'utf8' });
if (gen.status !== 0) throw new Error(gen.stderr);

const server = spawn(process.execPath, [cli, 'ui', join(dir, 'DiscrimiNAT'), '--estate', join(dir, 'estate.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (c) => {
    out += c;
    const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
    if (m) resolve(m[0]);
  });
  server.once('exit', (code) => reject(new Error(`haystack ui exited ${code}`)));
});

const profile = mkdtempSync(join(tmpdir(), 'haystack-shots-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 900 },
  deviceScaleFactor: 1,
});
try {
  const page = await context.newPage();
  await page.goto(url);

  // Query: disallowed connections by host, with the histogram of what the filter kept.
  await page.selectOption('[data-test=language]', 'query');
  await page.fill('[data-test=editor]', 'filter outcome = "disallowed"\n| stats count(*) as connections, count_distinct(src) as clients by dhost, proto, dpt\n| sort connections desc');
  await page.click('[data-test=run]');
  await page.waitForSelector('[data-test=matched]');
  await page.screenshot({ path: join(root, 'docs', 'ui-query.png') });

  // See-thru: days left as of the last day of the logs.
  await page.click('[data-tab=see-thru]');
  await page.waitForSelector('[data-test=see-thru-rules]');
  await page.click('[data-test=as-of-last]');
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(root, 'docs', 'ui-see-thru.png'), fullPage: true });

  // Allowlist review: a group with a fold, one host dropped, the proposal replayed.
  await page.click('[data-tab=allowlist]');
  await page.waitForSelector('[data-test=rules] pre');
  // %default covers every client: replaying it needs a group to put the rules in, so skip it here.
  for (const gid of (await page.$$eval('[data-test=gid] option', (os) => os.map((o) => o.value))).filter((g) => g !== '%default')) {
    await page.selectOption('[data-test=gid]', gid);
    await page.waitForTimeout(300);
    if ((await page.$('[data-fold]')) !== null) break;
  }
  const hosts = await page.$$eval('[data-host]', (els) => els.map((e) => e.getAttribute('data-host')));
  const drop = hosts.find((h) => h.startsWith('api.')) ?? hosts[hosts.length - 1];
  await page.uncheck(`[data-host="${drop}"]`);
  await page.waitForTimeout(300);
  await page.click('[data-test=replay-run]');
  await page.waitForSelector('[data-test=replay-summary]');
  await page.screenshot({ path: join(root, 'docs', 'ui-allowlist.png'), fullPage: true });
} finally {
  await context.close();
  server.kill('SIGTERM');
  rmSync(profile, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
console.log('wrote docs/ui-query.png, docs/ui-see-thru.png, docs/ui-allowlist.png');
