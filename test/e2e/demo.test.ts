/**
 * `haystack demo` (what `npm run demo` runs) through the built CLI, on realistic traffic: every
 * step reported with its command, the loop closed (exit 0), the files kept with --out and the
 * temporary folder removed without it. Seed 2's new service makes connections no rule can allow
 * (an unknown protocol, plain HTTP): verify and replay flag them, and the loop still closes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-e2e-demo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const STEPS = ['generate', 'filters', 'query', 'allowlist', 'apply', 'lifecycle', 'verify', 'replay'];

describe('haystack demo', () => {
  const started = performance.now();
  const plain = runCli(['demo']);
  const seconds = (performance.now() - started) / 1000;

  it('runs the eight steps, each with its command, and closes the loop (exit 0)', () => {
    assert.equal(plain.status, 0, plain.stdout + plain.stderr);
    const headings = [...plain.stdout.matchAll(/^(\d)  ([a-z]+):/gm)].map((m) => [Number(m[1]), m[2]]);
    assert.deepEqual(headings, STEPS.map((s, i) => [i + 1, s]));
    for (const c of ['haystack generate --out before --seed 1', 'haystack recipes run NAME before/DiscrimiNAT --count', 'haystack allowlist --gid sg-', 'haystack verify --gid sg-', 'haystack replay --estate step7-estate.json before/DiscrimiNAT']) {
      assert.ok(plain.stdout.includes(`$ ${c}`), c);
    }
    assert.match(plain.stdout, /^loop closed in [0-9.]+ s/m);
    assert.match(plain.stdout, /nothing: \d+ client lines carried sg-[0-9a-f]+, and protocol rules allowed \d+ of them/);
    assert.match(plain.stdout, /decided again: none newly disallowed, [0-9,]+ newly allowed/);
    assert.ok(seconds < 50, `took ${seconds.toFixed(1)} s`);
  });

  it('prints the counts of the five filters of the log reference', () => {
    for (const name of ['disallowed', 'allowed-not-tls', 'client-not-host', 'see-thru-expiring', 'see-thru-exerted']) {
      assert.match(plain.stdout, new RegExp(`^ +[0-9,]+  ${name} +\\{`, 'm'), name);
    }
  });

  it('removes its temporary folder', () => {
    const m = /^working in (\S+) \(removed at the end/m.exec(plain.stdout);
    assert.ok(m, plain.stdout.slice(0, 300));
    assert.equal(existsSync(m[1]!), false);
  });

  const out = join(dir, 'kept');
  const noisy = runCli(['demo', '--out', out, '--seed', '2', '--flows', '60000']);

  it('closes the loop when what is left no rule can allow, and says so', () => {
    assert.equal(noisy.status, 0, noisy.stdout + noisy.stderr);
    assert.match(noisy.stdout, /no protocol rule can allow any of these \(/);
    assert.match(noisy.stdout, /verify and replay still flag \d+ connections? that no protocol rule can allow/);
  });

  it('keeps the files with --out, where the commands it printed expect them', () => {
    for (const f of ['before/estate.json', 'before/DiscrimiNAT/flow.log', 'allowlist.txt', 'rules.json', 'proposed-estate.json', 'after/DiscrimiNAT/flow.log', 'step7-estate.json']) {
      assert.ok(existsSync(join(out, f)), f);
    }
    const rules = JSON.parse(readFileSync(join(out, 'rules.json'), 'utf8')) as { IpProtocol: string; IpRanges: { Description: string }[] }[];
    const proposed = readFileSync(join(out, 'proposed-estate.json'), 'utf8');
    for (const p of rules) for (const r of p.IpRanges) assert.ok(proposed.includes(JSON.stringify(r.Description)), r.Description);
    const v = runCli(['verify', '--gid', /--gid (sg-[0-9a-f]+)/.exec(noisy.stdout)![1]!, '--since', /--since (\S+)/.exec(noisy.stdout)![1]!, join(out, 'after', 'DiscrimiNAT')]);
    assert.ok(v.status === 0 || v.status === 1, v.stderr);
    assert.equal(v.status === 0, /^   nothing: /m.test(noisy.stdout), 'the demo reports what haystack verify says');
  });

  it('rejects a bad --flows (exit 2)', () => {
    const r = runCli(['demo', '--flows', '12']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /at least 1000/);
  });
});
