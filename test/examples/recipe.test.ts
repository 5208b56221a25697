/**
 * The log reference's allowlist recipe over the committed sample: haystack's table equals one
 * computed here with plain loops over JSON.parse'd lines.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runQuery } from '../../src/index.js';
import { runCli } from '../cli/run.js';
import { repoRoot } from '../paths.js';

const sample = join(repoRoot, 'examples', 'flow.log');
const lines = readFileSync(sample, 'utf8').split('\n').filter((l) => l !== '');
const recipe = (gid: string): string =>
  `filter see_thru_exerted AND see_thru_gid = "${gid}"\n| stats count() by see_thru_exerted, see_thru_gid, dhost, proto, dpt`;

type Row = [number, string, string, string, number, number];

function expected(gid: string): Row[] {
  const groups = new Map<string, Row>();
  for (const l of lines) {
    const o = JSON.parse(l) as Record<string, unknown>;
    if (o.see_thru_exerted !== true || o.see_thru_gid !== gid) continue;
    const key = JSON.stringify([o.dhost, o.proto, o.dpt]);
    const row = groups.get(key) ?? [1, gid, o.dhost as string, o.proto as string, o.dpt as number, 0];
    row[5]++;
    groups.set(key, row);
  }
  return [...groups.values()];
}

const sortRows = (rows: unknown[][]): string[] => rows.map((r) => JSON.stringify(r)).sort();

for (const gid of ['sg-0ccc3333', 'sg-00replaceme00']) {
  test(`the allowlist recipe for ${gid} gives the independently computed table`, () => {
    const want = expected(gid);
    if (gid === 'sg-0ccc3333') assert.ok(want.length >= 2, 'the sample should exercise the recipe');
    const got = runQuery(recipe(gid), lines.map((message, i) => ({ timestamp: 1_774_771_200_000 + i * 1000, message })));
    assert.deepEqual(got.fields, ['see_thru_exerted', 'see_thru_gid', 'dhost', 'proto', 'dpt', 'count()']);
    assert.deepEqual(sortRows(got.rows), sortRows(want));
  });
}

test('haystack query runs the recipe over the sample file', () => {
  const r = runCli(['query', recipe('sg-0ccc3333'), sample, '--output', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const rows = (JSON.parse(r.stdout) as Record<string, unknown>[]).map((o) => Object.values(o));
  assert.deepEqual(sortRows(rows), sortRows(expected('sg-0ccc3333')));
});
