/**
 * Log values are text: a flow line whose dhost is HTML (an <img> with an onerror handler, a
 * script element) is shown literally in the results table, in the filter and the query view,
 * and no script runs (no dialog, no flag set on window).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type Browser, launchBrowser, type RunningUi, startUi } from './harness.js';

const IMG = '<img src=x onerror=alert(1)>';
const FLAG = '<img src=x onerror="window.__haystackXss=1">';
const SCRIPT = '"><script>window.__haystackXss=2</script>';
const HOSTS = [IMG, FLAG, SCRIPT];

type PageGlobal = { __haystackXss?: number };

let dir: string;
let ui: RunningUi;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'haystack-ui-xss-'));
  const lines = HOSTS.map((dhost, i) =>
    `2026-03-29T00:00:0${i}.000Z ${JSON.stringify({ dhost, cat: 'client', outcome: 'disallowed', src: '10.0.0.1', spt: 40000 + i, proto: 'tls', proto_v: '1.3', dst: '203.0.113.9', dpt: 443, reason: 'no protocol rule matched' })}`);
  writeFileSync(join(dir, 'flow.log'), lines.join('\n') + '\n');
  ui = await startUi([join(dir, 'flow.log')]);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(ui.url);
});

after(async () => {
  await browser?.close();
  await ui?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(language: 'filter' | 'query', text: string): Promise<string[]> {
  await page.selectOption('[data-test=language]', language);
  await page.fill('[data-test=editor]', text);
  await page.click('[data-test=run]');
  await page.waitForSelector('[data-test=matched]');
  await page.waitForSelector('[data-test=run]:not([disabled])');
  await page.waitForTimeout(300); // room for an image error handler to fire, were there an image
  return page.$$eval('[data-test=results] tbody td', (tds) => tds.map((td) => td.textContent ?? ''));
}

describe('haystack ui renders log values as text', () => {
  it('shows HTML in a dhost literally in the query table, and runs nothing', async () => {
    const cells = await run('query', 'fields dhost | sort @timestamp asc');
    assert.deepEqual(cells, HOSTS);
    assert.equal(await page.$$eval('[data-test=results] img, [data-test=results] script', (els) => els.length), 0);
    assert.deepEqual(dialogs, []);
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobal).__haystackXss), undefined);
  });

  it('shows the whole message literally in the filter table, and runs nothing', async () => {
    const cells = await run('filter', '{ $.cat = "client" }');
    for (const h of HOSTS) assert.ok(cells.some((c) => c.includes(JSON.stringify(h).slice(1, -1))), h);
    // A clicked row opens as name/value pairs: the dhost member is the payload, as text.
    await page.click('[data-test=results] tbody tr >> nth=0');
    const pairs = await page.$$eval('[data-test=detail] tr', (trs) => trs.map((tr) => [tr.querySelector('th')?.textContent?.trim(), tr.querySelector('td')?.textContent]));
    assert.ok(pairs.some(([k, v]) => k === 'dhost' && v === IMG), JSON.stringify(pairs));
    await page.waitForTimeout(300);
    assert.equal(await page.$$eval('[data-test=detail] img, [data-test=detail] script', (els) => els.length), 0);
    assert.equal(await page.$$eval('[data-test=results] img, [data-test=results] script', (els) => els.length), 0);
    assert.deepEqual(dialogs, []);
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobal).__haystackXss), undefined);
  });
});
