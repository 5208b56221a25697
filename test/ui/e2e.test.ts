/**
 * The web console end to end in real headless Chromium (Debian's, driven by playwright-core):
 * over generated logs, the log reference's five filters and its recipe query give the counts
 * and rows the CLI gives; an allowlist review (a host dropped, a fold refused, a target group)
 * downloads Terraform byte-identical to `haystack allowlist --output terraform` with the same
 * flags, and its replay shows the dropped host newly disallowed. The CLI, spawned, is the
 * independent check throughout.
 */
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type Browser, cli, cliUsageError, type Generated, generateLogs, launchBrowser, type RunningUi, startUi } from './harness.js';

/** The five filters of the discrimiNAT log reference, as it prints them. */
const REFERENCE_FILTERS = [
  '{ $.outcome = "disallowed" }',
  '{ $.outcome = "allowed" && $.proto != "tls" }',
  '{ $.cat = "client" && $.src = "172.16.1.9" && $.dhost != "api.github.com" }',
  '{ $.see_thru_days_remaining <= 2 }',
  '{ $.see_thru_exerted is true && $.dhost != "ec2-instance-connect.*" }',
];
/** The reference's recipe query, for a group (it writes sg-00replaceme00). */
const recipeQuery = (gid: string): string => `filter see_thru_exerted AND see_thru_gid = "${gid}"\n| stats count() by see_thru_exerted, see_thru_gid, dhost, proto, dpt`;

/** The page's document, typed just enough for the functions Playwright runs in the page. */
type PageGlobal = { document: { querySelector(selector: string): { textContent: string | null } | null } };

let logs: Generated;
let ui: RunningUi;
let browser: Browser;
let page: Page;

before(async () => {
  logs = generateLogs();
  ui = await startUi([logs.logs, '--estate', logs.estate]);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(ui.url);
});

after(async () => {
  await browser?.close();
  await ui?.stop();
  logs?.remove();
});

async function runInUi(language: 'filter' | 'query', text: string): Promise<string> {
  await page.click('[data-tab=query]');
  await page.selectOption('[data-test=language]', language);
  await page.fill('[data-test=editor]', text);
  await page.click('[data-test=run]');
  await page.waitForSelector('[data-test=matched]');
  await page.waitForSelector('[data-test=run]:not([disabled])');
  return (await page.textContent('[data-test=matched]'))!.replace(/,/g, '');
}

/** Every row the table shows, page by page. */
async function tableRows(): Promise<string[][]> {
  const rows: string[][] = [];
  for (;;) {
    rows.push(...(await page.$$eval('[data-test=results] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))));
    const next = page.locator('.pager button', { hasText: 'next' });
    if (await next.isDisabled()) return rows;
    await next.click();
  }
}

describe('haystack ui in Chromium', () => {
  it('takes the token out of the address bar, and a reload still works (the cookie carries it)', async () => {
    await page.waitForSelector('[data-tab=query]');
    assert.equal(page.url(), `${ui.origin}/`);
    await page.reload();
    await page.waitForSelector('[data-test=examples] option >> nth=1', { state: 'attached' });
  });

  it("runs the log reference's five filters and shows the CLI's counts", async () => {
    for (const [i, pattern] of REFERENCE_FILTERS.entries()) {
      // The examples menu holds the reference's filters, as the reference writes them.
      await page.selectOption('[data-test=examples]', String(i));
      assert.equal(await page.inputValue('[data-test=editor]'), pattern);
      const shown = await runInUi('filter', pattern);
      const expected = cli(['filter', pattern, logs.logs, '--count']).trim();
      assert.equal(shown, expected, pattern);
      // Every generated line has a time, so the histogram's bars add up to the count.
      const bars = await page.$$eval('[data-test=histogram] rect.bar title', (ts) => ts.map((t) => t.textContent ?? ''));
      assert.equal(bars.reduce((n, t) => n + Number(/: ([0-9,]+)$/.exec(t)![1]!.replace(/,/g, '')), 0), Number(expected), `histogram of ${pattern}`);
    }
  });

  it('shows the CLI\'s diagnostics, carets and hints included, as the text is typed', async () => {
    await page.click('[data-tab=query]');
    await page.selectOption('[data-test=language]', 'filter');
    const bad = '{ $.see_thru_days_remaining <= "two" }';
    await page.fill('[data-test=editor]', bad);
    const shown = await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelector('[data-test=diagnostics]')!.textContent);
    const stderr = cliUsageError(['filter', bad, logs.logs]);
    assert.equal(`${await shown.jsonValue()}`, stderr.replace(/\n\n$/, '').split('\n\n').join(''));
  });

  it('exports what haystack query --output csv prints', async () => {
    const text = 'filter outcome = "disallowed" | stats count(*) as n by dhost, dpt | sort n desc, dhost asc';
    await runInUi('query', text);
    await page.selectOption('[data-test=export-format]', 'csv');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=export]')]);
    assert.equal(await readFile((await download.path())!, 'utf8'), cli(['query', text, logs.logs, '--output', 'csv']));
  });

  it("runs the reference's recipe query and shows the CLI's rows", async () => {
    const seeThru = JSON.parse(cli(['see-thru', logs.logs, '--output', 'json'])) as { rules: { gid: string; flow: { exerted: number } | null }[] };
    const gid = seeThru.rules.find((r) => r.gid !== '%default' && (r.flow?.exerted ?? 0) > 0)!.gid;
    const text = recipeQuery(gid);
    const shown = await runInUi('query', text);
    const expected = JSON.parse(cli(['query', text, logs.logs, '--output', 'json'])) as Record<string, string | number | null>[];
    assert.ok(expected.length > 0);
    assert.equal(Number(shown), expected.length);
    const fields = await page.$$eval('[data-test=results] thead th', (ths) => ths.map((th) => th.getAttribute('data-col')));
    const rows = await tableRows();
    const asText = (r: Record<string, string | number | null>): string => JSON.stringify(fields.map((f) => String(r[f!] ?? '')));
    assert.deepEqual(rows.map((r) => JSON.stringify(r)).sort(), expected.map(asText).sort());
    const counted = rows.reduce((n, r) => n + Number(r[fields.indexOf('count()')]), 0);
    assert.equal(counted, expected.reduce((n, r) => n + Number(r['count()']), 0));
  });

  it('reviews an allowlist and downloads the Terraform haystack allowlist writes for the same choices', async () => {
    // A group whose proposal has a wildcard fold (found with the CLI), so that one can be refused.
    const groups = (JSON.parse(cli(['see-thru', logs.logs, '--output', 'json'])) as { rules: { gid: string }[] }).rules.map((r) => r.gid).filter((g) => g !== '%default');
    const withFold = groups.find((g) => (JSON.parse(cli(['allowlist', '--gid', g, logs.logs, '--wildcards', '--output', 'json'])) as { folds: unknown[] }).folds.length > 0);
    assert.ok(withFold, 'the generated logs should hold a group whose allowlist folds hosts');
    await page.click('[data-tab=allowlist]');
    await page.selectOption('[data-test=gid]', withFold);
    const fold = (await page.waitForSelector('[data-fold]')).getAttribute('data-fold');
    const foldAddr = (await fold)!;
    const before = await page.textContent('[data-test=rules]');
    assert.ok(before!.includes(foldAddr), 'the descriptions hold the fold before it is refused');

    // Refuse the fold; drop one host that is not under it; name a target group.
    await page.uncheck(`[data-fold="${foldAddr}"]`);
    await page.waitForFunction((f) => !(globalThis as unknown as PageGlobal).document.querySelector('[data-test=rules]')!.textContent!.includes(f), foldAddr);
    const hosts = await page.$$eval('[data-host]', (els) => els.map((e) => e.getAttribute('data-host')!));
    const parent = foldAddr.slice(2);
    const drop = hosts.find((x) => !x.endsWith(`.${parent}`))!;
    assert.ok(drop, 'a host outside the fold to drop');
    await page.uncheck(`[data-host="${drop}"]`);
    await page.waitForFunction((d) => !(globalThis as unknown as PageGlobal).document.querySelector('[data-test=rules]')!.textContent!.includes(d), drop);
    await page.fill('[data-test=target-gid]', 'sg-0aaa1111');
    await page.press('[data-test=target-gid]', 'Enter');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelector('[data-test=command]')!.textContent!.includes('sg-0aaa1111'));

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-download=terraform]')]);
    const got = await readFile((await download.path())!, 'utf8');
    const expected = cli([
      'allowlist', '--gid', withFold, logs.logs, '--wildcards', '--refuse-fold', foldAddr, '--exclude', drop, '--target-gid', 'sg-0aaa1111', '--output', 'terraform',
    ]);
    assert.equal(got, expected);
    assert.ok(!got.includes(`"discriminat:tls:${drop}`) && !got.includes(`,${drop}`), 'the dropped host is not in the rules');

    // Replay: without the see-thru and with these rules, the dropped host's flows are blocked.
    await page.click('[data-test=replay-run]');
    await page.waitForSelector('[data-test=replay-summary]');
    const replayed = await page.$$eval('[data-test=replay] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.ok(replayed.some((r) => r[1] === drop), `${drop} is newly disallowed in the replay`);
  });

  it('shows progress on a long scan and stops it on Cancel', async () => {
    // About 100 MB: the generated week 16 times over, served by its own console.
    const big = join(logs.dir, 'big.log');
    const week = await readFile(join(logs.logs, 'flow.log'));
    for (let i = 0; i < 16; i++) await appendFile(big, week);
    const own = await startUi([big]);
    const p = await browser.context.newPage();
    try {
      await p.goto(own.url);
      // A query that runs two regular expressions on every line: seconds, not a blink.
      await p.selectOption('[data-test=language]', 'query');
      await p.fill('[data-test=editor]', 'parse @message /"spt":(?<p>[0-9]+)/ | parse @message /"dhost":"(?<h>[^"]*)"/ | stats count(*) by p, h');
      await p.click('[data-test=run]');
      await p.waitForFunction(() => /scanned [0-9.]+ MB of [0-9.]+ MB/.test((globalThis as unknown as PageGlobal).document.querySelector('[data-test=status]')!.textContent ?? ''));
      await p.click('[data-test=cancel]');
      await p.waitForSelector('[data-test=cancelled]');
      assert.equal(await p.$('[data-test=matched]'), null, 'the run did not finish');
      // The server is free for the next run.
      await p.selectOption('[data-test=language]', 'filter');
      await p.fill('[data-test=editor]', '{ $.cat = "nothing" }');
      await p.click('[data-test=run]');
      await p.waitForSelector('[data-test=matched]', { timeout: 60_000 });
      assert.equal(await p.textContent('[data-test=matched]'), '0');
    } finally {
      await p.close();
      await own.stop();
    }
  });
});
