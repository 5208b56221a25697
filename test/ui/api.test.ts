/**
 * The console's answers without a browser: histogram bins, cancelling a run, and every export
 * and download byte-identical to what the CLI prints for the same request (the CLI, spawned, is
 * the independent check).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { run, UiState, type UiSource } from '../../src/ui/api.js';
import { chooseBin, TimeHistogram } from '../../src/ui/histogram.js';
import type { RunMessage } from '../../src/ui/protocol.js';
import { startUiServer, type UiServer } from '../../src/ui/server.js';
import { resolveInputs } from '../../src/sources/inputs.js';
import { cli, cliUsageError, type Generated, generateLogs } from './harness.js';

let logs: Generated;
let source: UiSource;
let server: UiServer;

before(async () => {
  logs = generateLogs(20_000);
  const { inputs } = await resolveInputs([logs.logs], true);
  source = { inputs, scanOptions: {}, estate: null, paths: [logs.logs] };
  server = await startUiServer({ source, assetsDir: `${logs.dir}/no-assets` });
});
after(async () => {
  await server?.close();
  logs?.remove();
});

async function post(path: string, body: unknown): Promise<{ status: number; text: string; disposition: string | null }> {
  const r = await fetch(`http://127.0.0.1:${server.port}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Haystack-Token': server.token },
    body: JSON.stringify(body),
  });
  return { status: r.status, text: await r.text(), disposition: r.headers.get('content-disposition') };
}

describe('histogram bins', () => {
  it('chooses round bins from the time range: at most 60, the smallest that fits', () => {
    const H = 3_600_000;
    assert.deepEqual(chooseBin(0, 7 * 24 * H - 1), [3 * H, '3h']);
    assert.deepEqual(chooseBin(0, 24 * H - 1), [30 * 60_000, '30m']);
    assert.deepEqual(chooseBin(0, 50_000), [1000, '1s']);
    assert.deepEqual(chooseBin(0, 70_000), [5000, '5s']);
  });

  it('counts every timed event once, in the bin a plain loop puts it in, also after coarsening', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const spread of [3_600_000, 90 * 86_400_000]) {
      const times = Array.from({ length: 30_000 }, () => 1_774_742_400_000 + Math.floor(rand() * spread));
      const h = new TimeHistogram();
      for (const t of times) h.add(t);
      h.add(null);
      const out = h.finish();
      assert.equal(out.untimed, 1);
      assert.ok(out.counts.length <= 61, `${out.counts.length} bins`);
      const expected = new Array<number>(out.counts.length).fill(0);
      for (const t of times) expected[Math.floor((t - out.start) / out.binMs)]++;
      assert.deepEqual(out.counts, expected);
    }
  });
});

describe('running from the console', () => {
  it('stops the scan when cancelled, before it is done', async () => {
    const c = new AbortController();
    const seen: RunMessage['type'][] = [];
    await assert.rejects(
      run(source, { language: 'filter', text: '{ $.cat = "client" }' }, (m) => {
        seen.push(m.type);
        if (m.type === 'rows') c.abort(new Error('stop'));
      }, c.signal),
      /stop/,
    );
    assert.ok(seen.includes('rows'));
    assert.ok(!seen.includes('done'), 'no done after cancel');
  });

  it('says the table is capped when more events match than it holds', async () => {
    const messages: RunMessage[] = [];
    await run(source, { language: 'filter', text: '{ $.cat = "client" }' }, (m) => void messages.push(m));
    const done = messages.find((m) => m.type === 'done');
    assert.ok(done !== undefined && done.type === 'done');
    const expected = Number(cli(['filter', '{ $.cat = "client" }', logs.logs, '--count']));
    assert.ok(expected > 10_000);
    assert.equal(done.matched, expected);
    assert.equal(done.rows, 10_000);
    assert.equal(messages.filter((m) => m.type === 'rows').reduce((n, m) => n + (m.type === 'rows' ? m.rows.length : 0), 0), 10_000);
    assert.match(done.capNote ?? '', /first 10,000 of/);
    assert.equal(done.histogram.counts.reduce((a, b) => a + b, 0) + done.histogram.untimed, expected);
  });

  it('answers an invalid pattern with the CLI\'s diagnostics', async () => {
    const r = await post('/api/check', { language: 'filter', text: '{ $.a > "x" }' });
    const body = JSON.parse(r.text) as { ok: boolean; diagnostics: { code: string; text: string }[] };
    assert.equal(body.ok, false);
    const cliErr = cliUsageError(['filter', '{ $.a > "x" }', logs.logs]);
    assert.equal(body.diagnostics.map((d) => d.text).join('\n\n') + '\n\n', cliErr);
  });
});

describe('exports and downloads equal the CLI', () => {
  const PATTERN = '{ $.outcome = "disallowed" && $.proto != "tls" }';
  const QUERY = 'filter outcome = "disallowed" | stats count(*) as n by dhost, proto | sort n desc, dhost asc';

  it('exports a filter in every format haystack filter --output has', async () => {
    for (const format of ['raw', 'json', 'ndjson']) {
      const r = await post('/api/export', { language: 'filter', text: PATTERN, format });
      assert.equal(r.status, 200, r.text);
      assert.match(r.disposition ?? '', /^attachment; filename="haystack-filter\./);
      assert.equal(r.text, cli(['filter', PATTERN, logs.logs, '--output', format]), format);
    }
  });

  it('exports a query in every format haystack query --output has', async () => {
    for (const format of ['table', 'json', 'ndjson', 'csv', 'markdown']) {
      const r = await post('/api/export', { language: 'query', text: QUERY, format });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, cli(['query', QUERY, logs.logs, '--output', format]), format);
    }
    assert.equal((await post('/api/export', { language: 'query', text: QUERY, format: 'xml' })).status, 400);
  });

  it('downloads every allowlist output haystack allowlist writes for the same flags', async () => {
    const gid = (JSON.parse(cli(['see-thru', logs.logs, '--output', 'json'])) as { rules: { gid: string; flow: { exerted: number } | null }[] }).rules
      .find((r) => r.gid !== '%default' && (r.flow?.exerted ?? 0) > 0)!.gid;
    const choices = { gid, exclude: [], refuseFolds: [], wildcards: true, exposure: 'prohibit_asterisk', minFold: 3, targetGid: 'sg-0aaa1111' };
    for (const output of ['text', 'terraform', 'cloudformation', 'aws-cli', 'json']) {
      const r = await post('/api/allowlist/download', { ...choices, output });
      assert.equal(r.status, 200, r.text);
      const expected = cli(['allowlist', '--gid', gid, logs.logs, '--wildcards', '--exposure', 'prohibit_asterisk', '--min-fold', '3', '--target-gid', 'sg-0aaa1111', '--output', output]);
      assert.equal(r.text, expected, output);
    }
  });

  it('refuses bad choices with the CLI\'s diagnostic codes, and replay without an estate with a hint', async () => {
    const bad = await post('/api/allowlist', { gid: 'sg-XYZ' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /HS3301/);
    const fold = await post('/api/allowlist', { gid: '%default', wildcards: true, refuseFolds: ['github.com'] });
    assert.match(fold.text, /HS3305/);
    const replay = await post('/api/allowlist/replay', { gid: '%default' });
    assert.equal(replay.status, 400);
    assert.match(replay.text, /--estate/);
  });
});

describe('answers nobody waits for', () => {
  it('a see-thru view as of a day, or a replay, stops scanning when its client has gone', async () => {
    const state = new UiState(source);
    const gone = AbortSignal.abort(new Error('the client closed the request'));
    await assert.rejects(state.seeThru('2026-04-01', gone), /the client closed the request/);
    // The same request with its client still there is answered.
    const answered = await state.seeThru('2026-04-01', new AbortController().signal);
    assert.ok(Array.isArray(answered.rules));
  });
});
