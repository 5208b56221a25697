/**
 * The query command end to end: outputs, -f, exit codes, diagnostics, time range.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../paths.js';
import { runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-query-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sample = join(repoRoot, 'examples', 'flow.log');
const lines = readFileSync(sample, 'utf8').split('\n').filter((l) => l !== '');
const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);

test('stats by outcome: json keeps numbers, csv and markdown render the same table', () => {
  const q = 'stats count(*) as n by outcome | sort outcome asc';
  const want = ['allowed', 'disallowed'].map((o) => ({ outcome: o, n: objs.filter((x) => x.outcome === o).length }));
  const json = runCli(['query', q, sample, '--output', 'json']);
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), want);
  const nd = runCli(['query', q, sample, '--output', 'ndjson']);
  assert.deepEqual(nd.stdout.trim().split('\n').map((l) => JSON.parse(l)), want);
  const csv = runCli(['query', q, sample, '--output', 'csv']);
  assert.equal(csv.stdout, `outcome,n\n${want.map((w) => `${w.outcome},${w.n}`).join('\n')}\n`);
  const md = runCli(['query', q, sample, '--output', 'markdown']);
  assert.match(md.stdout, /^\| outcome \| n \|\n\| --- \| --- \|\n\| allowed \| \d+ \|/);
  const table = runCli(['query', q, sample]);
  assert.match(table.stdout, /│ outcome\s+│ n/);
});

test('-f reads the query from a file, and every path after it is input', () => {
  const qf = join(dir, 'q.insights');
  writeFileSync(qf, '# hosts seen\nstats count_distinct(dhost) as hosts\n');
  const r = runCli(['query', '-f', qf, sample, sample, '--output', 'json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [{ hosts: new Set(objs.map((o) => o.dhost)).size }]);
});

test('an invalid query prints every error with a caret and exits 2, before reading input', () => {
  const r = runCli(['query', 'fields dhost, | filter dpt > | frob', join(dir, 'does-not-exist.log')]);
  assert.equal(r.status, 2);
  assert.equal((r.stderr.match(/^error HS2/gm) ?? []).length, 3);
  assert.doesNotMatch(r.stderr, /does-not-exist/);
  const u = runCli(['query', 'fields @message | pattern @message', sample]);
  assert.equal(u.status, 2);
  assert.match(u.stderr, /HS2201: pattern needs CloudWatch itself/);
});

test('time ranges apply to inputs with times', () => {
  const t0 = Date.UTC(2026, 2, 29, 8, 0, 0);
  const f = join(dir, 'export.log');
  writeFileSync(f, lines.map((l, i) => `${new Date(t0 + i * 1000).toISOString()} ${l}`).join('\n') + '\n');
  const r = runCli(['query', 'stats count(*) as n, min(@timestamp) as first', f, '--start', new Date(t0 + 100_000).toISOString(), '--output', 'json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [{ n: lines.length - 100, first: '2026-03-29 08:01:40.000' }]);
});

test('control characters in values are escaped in tables, kept in json', () => {
  const f = join(dir, 'hostile.log');
  writeFileSync(f, JSON.stringify({ dhost: 'evil\u001b[31m.example\u202e' }) + '\n');
  const t = runCli(['query', 'fields dhost', f, '--output', 'table']);
  assert.match(t.stdout, /evil\\x1b\[31m\.example\\u202e/);
  const j = runCli(['query', 'fields dhost', f, '--output', 'json']);
  assert.equal((JSON.parse(j.stdout) as { dhost: string }[])[0]!.dhost, 'evil\u001b[31m.example\u202e');
  const c = runCli(['query', 'fields concat("=", dhost) as x', f, '--output', 'csv']);
  assert.match(c.stdout, /^x\n'=evil/);
});

test('a query that needs more groups than --max-groups prints no answer and says which flag, exit 2', () => {
  const hosts = new Set(objs.map((o) => o.dhost)).size;
  assert.ok(hosts > 3);
  const r = runCli(['query', 'stats count(*) by dhost', sample, '--max-groups', '3', '--output', 'json']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /stats groups reached 3, the limit set by --max-groups/);
  const ok = runCli(['query', 'stats count(*) by dhost', sample, '--max-groups', String(hosts), '--output', 'json']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as unknown[]).length, hosts);
});
