/**
 * `haystack see-thru` end to end on generated flow logs and a config line: the table, JSON,
 * and --warn-days exit codes. Expected days come from plain date arithmetic on the lines.
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

const dir = mkdtempSync(join(tmpdir(), 'haystack-cli-see-thru-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const lines = [...generateFlowLines({ lines: 8_000, seed: 'cli-see-thru', format: 'export' })];
const FLOW = join(dir, 'flow.log');
writeFileSync(FLOW, lines.join('\n') + '\n');
const CONFIG = join(dir, 'config.log');
writeFileSync(CONFIG, '2026-03-20T00:00:00Z {"cat":"see-thru","outcome":"accepted","gid":"%default","thru_date":"2026-06-01","instance":"i-0f1e2d3c4b5a69788"}\n');

// Per gid, the days its lines logged: one value, since every line is of 2026-03-29.
const minDays = new Map<string, number>();
for (const l of lines) {
  const o = JSON.parse(l.slice(l.indexOf(' ') + 1)) as Record<string, unknown>;
  if (typeof o.see_thru_gid === 'string') minDays.set(o.see_thru_gid, o.see_thru_days_remaining as number);
}
const within1 = [...minDays].filter(([, d]) => d <= 1).map(([g]) => g).sort();

test('the table lists every rule, %default from the config trail first', () => {
  const r = runCli(['see-thru', FLOW, CONFIG, '--as-of', '2026-03-29T12:00:00Z']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^see-thru rules as of 2026-03-29 \(UTC\):$/m);
  const rows = r.stdout.split('\n').filter((l) => /^│ (sg-|%default)/.test(l)).map((l) => l.split('│')[1]!.trim());
  assert.deepEqual(rows, ['%default', ...[...minDays.keys()].sort()]);
  assert.match(r.stdout, /│ %default +│ active +│ 2026-06-01 +│ 64 /);
});

test('--warn-days: exit 1 when a rule in force has that many days or fewer, 0 otherwise', () => {
  const warn = runCli(['see-thru', FLOW, '--as-of', '2026-03-29', '--warn-days', '1']);
  assert.equal(warn.status, 1, warn.stderr);
  assert.ok(within1.length > 0);
  for (const g of within1) assert.match(warn.stdout, new RegExp(`^  ${g}: `, 'm'));
  const calm = runCli(['see-thru', FLOW, '--as-of', '2026-01-01', '--warn-days', '1']);
  assert.equal(calm.status, 0, calm.stderr);
  assert.match(calm.stdout, /no rule in force has 1 day or fewer left/);
  assert.equal(runCli(['see-thru', FLOW, '--warn-days', 'soon']).status, 2);
});

test('--output json', () => {
  const r = runCli(['see-thru', FLOW, CONFIG, '--as-of', '2026-03-29', '--warn-days', '1', '--output', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const j = JSON.parse(r.stdout) as { asOf: string; warned: string[]; rules: { gid: string; daysRemaining: number; source: string; thruDate: string }[] };
  assert.equal(j.asOf, '2026-03-29T00:00:00.000Z');
  assert.deepEqual(j.warned, within1);
  for (const rule of j.rules) if (rule.gid !== '%default') assert.equal(rule.daysRemaining, minDays.get(rule.gid));
  assert.deepEqual(j.rules.find((x) => x.gid === '%default'), { ...j.rules.find((x) => x.gid === '%default'), source: 'config', thruDate: '2026-06-01', daysRemaining: 64 });
});

test('--help shows an example and the exit codes', () => {
  const r = runCli(['see-thru', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /\$ haystack see-thru logs\/ --warn-days 7/);
  assert.match(r.stdout, /Exit status: 0 done, 1 --warn-days found/);
});
