/**
 * The console's server as a stranger meets it: every request without the run's token is 403
 * (page, assets, API), a wrong Host is 403, it listens on 127.0.0.1 alone, and the page comes
 * with the Content-Security-Policy. Also `haystack ui`'s usage errors (exit 2).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { cliPath } from '../paths.js';
import { type Generated, generateLogs, type RunningUi, startUi } from './harness.js';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

let logs: Generated;
let ui: RunningUi;

before(async () => {
  logs = generateLogs(2000);
  ui = await startUi([logs.logs]);
});
after(async () => {
  await ui?.stop();
  logs?.remove();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ui.port, path, method, headers }, (res) => {
      let b = '';
      res.on('data', (c: Buffer) => (b += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: b }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(2000);
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
    s.on('timeout', () => {
      s.destroy();
      resolve(true);
    });
  });
}

describe('haystack ui server', () => {
  it('refuses every request without the token with 403', async () => {
    const page = await get('/');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec((await get(`/?token=${ui.token}`)).body)![1]!;
    for (const path of ['/', '/index.html', asset, '/api/info', '/api/see-thru', `/?token=${'x'.repeat(ui.token.length)}`, '/api/info?token=' + ui.token]) {
      assert.equal((await get(path)).status, 403, path);
    }
    assert.equal((await get('/api/check', { 'Content-Type': 'application/json' }, 'POST', '{"language":"filter","text":"x"}')).status, 403);
    assert.equal((await get('/api/info', { Cookie: `haystack_ui_${ui.port}=wrong` })).status, 403);
    assert.equal(page.status, 403);
    assert.doesNotMatch(page.body, /<script/);
  });

  it('answers with the token, in the URL once, then as the cookie it sets', async () => {
    const page = await get(`/?token=${ui.token}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="module"/);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    assert.equal(cookie, `haystack_ui_${ui.port}=${ui.token}`);
    assert.match(String(page.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    const info = await get('/api/info', { Cookie: cookie });
    assert.equal(info.status, 200);
    assert.ok((JSON.parse(info.body) as { inputs: string[] }).inputs.length > 0);
    assert.equal((await get('/api/info', { 'X-Haystack-Token': ui.token })).status, 200);
  });

  it('sends the strict Content-Security-Policy and nosniff with the page and the API', async () => {
    for (const path of [`/?token=${ui.token}`, '/api/info']) {
      const r = await get(path, { 'X-Haystack-Token': ui.token });
      assert.equal(r.headers['content-security-policy'], CSP, path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
  });

  it('refuses a Host other than the loopback address (DNS rebinding)', async () => {
    const r = await get('/api/info', { 'X-Haystack-Token': ui.token, Host: `evil.example:${ui.port}` });
    assert.equal(r.status, 403);
  });

  it('refuses a POST that is not JSON (what a cross-site form could send)', async () => {
    const r = await get('/api/check', { 'X-Haystack-Token': ui.token, 'Content-Type': 'text/plain' }, 'POST', '{"language":"filter","text":"x"}');
    assert.equal(r.status, 400);
  });

  it('listens on 127.0.0.1 only', async () => {
    assert.equal(await refused('127.0.0.1', ui.port), false);
    // Bound to 0.0.0.0 it would answer on every loopback and interface address too.
    assert.equal(await refused('127.0.0.2', ui.port), true, '127.0.0.2');
    const others = Object.values(networkInterfaces()).flat().filter((a) => a !== undefined && !a.internal && a.family === 'IPv4').map((a) => a!.address);
    for (const a of others) assert.equal(await refused(a, ui.port), true, a);
    assert.equal(await refused('::1', ui.port), true, '::1');
  });

  it('exits 2 for usage errors: no input, stdin, a bad port', () => {
    for (const args of [['ui'], ['ui', '-'], ['ui', logs.logs, '--port', '70000'], ['ui', logs.logs, '--estate', `${logs.dir}/missing.json`]]) {
      const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /error|invalid/);
    }
  });
});
