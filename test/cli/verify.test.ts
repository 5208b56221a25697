/**
 * `haystack verify` end to end on generated flow logs: exit 1 when something still needed the
 * see-thru, 0 when nothing did, 2 for inputs without times under --since and for bad options.
 * Expected counts come from a plain loop over the JSON.parse'd lines.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../paths.js';
import { runCli } from './run.js';

const { generateFlowLines }: typeof import('../../scripts/generate-flow.mjs') = await import(pathToFileURL(join(repoRoot, 'scripts', 'generate-flow.mjs')).href);

const dir = mkdtempSync(join(tmpdir(), 'haystack-cli-verify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const lines = [...generateFlowLines({ lines: 8_000, seed: 'cli-verify', format: 'export' })];
const FLOW = join(dir, 'flow.log');
writeFileSync(FLOW, lines.join('\n') + '\n');
const BARE = join(dir, 'bare.log');
writeFileSync(BARE, lines.map((l) => l.slice(l.indexOf(' ') + 1)).join('\n') + '\n');

const parsed = lines.map((l) => ({ at: Date.parse(l.slice(0, l.indexOf(' '))), o: JSON.parse(l.slice(l.indexOf(' ') + 1)) as Record<string, unknown> }));
const exertedBy = new Map<string, number>();
for (const { o } of parsed) if (o.cat === 'client' && o.see_thru_exerted === true) exertedBy.set(o.see_thru_gid as string, (exertedBy.get(o.see_thru_gid as string) ?? 0) + 1);
const gid = [...exertedBy].sort((a, b) => b[1] - a[1])[0]![0];
const since = new Date(parsed[4_000]!.at).toISOString();
const after4k = parsed.filter((p) => p.at >= parsed[4_000]!.at && p.o.cat === 'client' && p.o.see_thru_gid === gid && p.o.see_thru_exerted === true).length;
const end = new Date(parsed[parsed.length - 1]!.at + 1).toISOString();

test('exit 1 and the destinations when the see-thru was still needed', () => {
  const r = runCli(['verify', '--gid', gid, '--since', since, FLOW]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, new RegExp(`^see-thru ${gid} since ${since.replace(/\./g, '\\.')}: still needed by ${after4k} connections to \\d+ destinations$`, 'm'));
  assert.match(r.stdout, /│ dhost +│ proto +│ dpt +│ clients +│ count +│ first seen +│ last seen +│/);
});

test('--output json for scripts', () => {
  const r = runCli(['verify', '--gid', gid, '--since', since, FLOW, '--output', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const j = JSON.parse(r.stdout) as { gid: string; stillNeeded: boolean; neededLines: number; needed: { count: number; exerted: number; clients: string[] }[] };
  assert.equal(j.gid, gid);
  assert.equal(j.stillNeeded, true);
  assert.equal(j.neededLines, after4k);
  assert.equal(j.needed.reduce((n, d) => n + d.exerted, 0), after4k);
});

test('exit 0 when nothing needed it since the moment', () => {
  const r = runCli(['verify', '--gid', gid, '--since', end, FLOW]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /no client flow line carries see_thru_gid/);
  const allowedOnly = join(dir, 'allowed.log');
  writeFileSync(allowedOnly, '2026-03-29T08:00:00Z {"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.9","spt":1,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}\n');
  const clean = runCli(['verify', '--gid', 'sg-0ccc3333', '--since', '2026-03-29', allowedOnly]);
  assert.equal(clean.status, 0, clean.stderr);
  assert.match(clean.stdout, /nothing needed it \(1 client line carried the group; protocol rules allowed 1\)/);
});

test('exit 2: --since on inputs without times, a bad gid, no gid', () => {
  const r = runCli(['verify', '--gid', gid, '--since', since, BARE]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bare\.log holds bare JSON messages, which carry no time, so --since cannot be honoured/);
  const bad = runCli(['verify', '--gid', 'sg-NOPE', FLOW]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /HS3301/);
  assert.equal(runCli(['verify', FLOW]).status, 2);
  assert.equal(runCli(['verify', '--gid', gid, '--since', 'yesterday', FLOW]).status, 2);
  // Without --since, untimed inputs are fine.
  assert.equal(runCli(['verify', '--gid', gid, BARE]).status, 1);
});

test('--help shows an example and the exit codes', () => {
  const r = runCli(['verify', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /\$ haystack verify --gid sg-0ccc3333 --since/);
  assert.match(r.stdout, /Exit status: 0 nothing needed the see-thru/);
});
