/**
 * `haystack recipes` end to end: listing, --show and its round trip through the filter and
 * query commands, refusals with exit 2, output flags per recipe kind, help.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRequired, RECIPES } from '../../src/recipes/catalog.js';
import { repoRoot } from '../paths.js';
import { runCli } from './run.js';

const sample = join(repoRoot, 'examples', 'flow.log');
const sampleLines = readFileSync(sample, 'utf8').split('\n').filter((l) => l !== '');
const requiredParams = (name: string): string[] =>
  RECIPES.find((r) => r.name === name)!.params.filter(isRequired).flatMap((p) => ['--param', `${p.name}=${String(p.example)}`]);

test('haystack recipes and recipes list print every recipe with its kind, text and parameters', () => {
  const bare = runCli(['recipes']);
  assert.equal(bare.status, 0, bare.stderr);
  const list = runCli(['recipes', 'list']);
  assert.equal(list.stdout, bare.stdout);
  for (const r of RECIPES) {
    assert.match(bare.stdout, new RegExp(`^${r.name}  \\(${r.kind}, from `, 'm'), r.name);
    for (const p of r.params) assert.match(bare.stdout, new RegExp(`--param ${p.name} `), `${r.name}.${p.name}`);
  }
  assert.match(bare.stdout, /^ {6}\{ \$\.outcome = "disallowed" \}$/m);
  assert.match(bare.stdout, /--param gid +the Security Group ID .*\(string, required, e\.g\. sg-0ccc3333\)/);
  assert.match(bare.stdout, /--param days +.*\(integer, default 2\)/);
});

test('recipes list --output json is the catalog, for scripts', () => {
  const r = runCli(['recipes', 'list', '--output', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { name: string; kind: string; template: string; params: { name: string; required: boolean; default?: unknown }[] }[];
  assert.deepEqual(got.map((g) => g.name), RECIPES.map((x) => x.name));
  for (const [i, g] of got.entries()) {
    const want = RECIPES[i]!;
    assert.equal(g.kind, want.kind);
    assert.equal(g.template, want.template);
    assert.deepEqual(g.params.map((p) => [p.name, p.required, p.default]), want.params.map((p) => [p.name, isRequired(p), p.default]));
  }
  assert.deepEqual(JSON.parse(runCli(['recipes', '--output', 'json']).stdout), got);
});

test('recipes NAME shows one recipe; an unknown name gets a did-you-mean and exit 2', () => {
  const one = runCli(['recipes', 'allowlist']);
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stdout, /^allowlist {2}\(query, from the discrimiNAT log reference\)/);
  assert.doesNotMatch(one.stdout, /disallowed/);
  const typo = runCli(['recipes', 'alowlist']);
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /no recipe named "alowlist"/);
  assert.match(typo.stderr, /did you mean allowlist\?/);
});

test('run with an unknown recipe name exits 2 with a did-you-mean, before reading input', () => {
  const r = runCli(['recipes', 'run', 'old-tsl', join(repoRoot, 'no-such-file.log')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^error: there is no recipe named "old-tsl"\n {2}= hint: did you mean old-tls\?/);
  assert.doesNotMatch(r.stderr, /no-such-file/);
  assert.equal(r.stdout, '');
});

test('a missing, unknown, malformed or repeated parameter exits 2 with a clear message', () => {
  const cases: [string[], RegExp][] = [
    [['allowlist'], /recipe allowlist needs the parameter gid: .*\n {2}= hint: --param gid=sg-0ccc3333/],
    [['allowlist', '--param', 'gid=sg-1', '--param', 'group=x'], /recipe allowlist has no parameter "group"\n {2}= hint: its parameters: gid/],
    [['client-not-host', '-p', 'clinet=10.0.0.1'], /no parameter "clinet"\n {2}= hint: did you mean client\? its parameters: client, host/],
    [['see-thru-expiring', '-p', 'days=two'], /recipe see-thru-expiring, parameter days: "two" is not a whole number/],
    [['top-disallowed-by-client', '-p', 'limit=0'], /parameter limit: "0" is out of range: from 1 to 100000/],
    [['allowlist', '-p', 'gid'], /--param "gid" is not NAME=VALUE/],
    [['allowlist', '-p', 'gid=a', '-p', 'gid=b'], /--param gid is given twice/],
    [['allowlist', '-p', 'gid='], /parameter gid: "" is empty/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(['recipes', 'run', ...args, sample]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('output flags must fit the recipe kind', () => {
  const table = runCli(['recipes', 'run', 'disallowed', sample, '--output', 'table']);
  assert.equal(table.status, 2);
  assert.match(table.stderr, /--output table is for query recipes; disallowed is a filter/);
  const raw = runCli(['recipes', 'run', 'old-tls', sample, '--output', 'raw']);
  assert.equal(raw.status, 2);
  assert.match(raw.stderr, /--output raw is for filter recipes; old-tls is a query/);
  const count = runCli(['recipes', 'run', 'old-tls', sample, '--count']);
  assert.equal(count.status, 2);
  assert.match(count.stderr, /--count is for filter recipes/);
  const bogus = runCli(['recipes', 'run', 'old-tls', sample, '--output', 'xml']);
  assert.equal(bogus.status, 2);
});

test('a filter recipe prints matching lines as they were; a query recipe a table, or csv/markdown', () => {
  const r = runCli(['recipes', 'run', 'disallowed', sample]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter((l) => l !== ''), sampleLines.filter((l) => (JSON.parse(l) as { outcome: string }).outcome === 'disallowed'));
  const t = runCli(['recipes', 'run', 'no-rules-clients', sample]);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /│ src\s+│ connections │ destinations │/);
  const csv = runCli(['recipes', 'run', 'no-rules-clients', sample, '--output', 'csv']);
  assert.match(csv.stdout, /^src,connections,destinations\n/);
  const md = runCli(['recipes', 'run', 'no-rules-clients', sample, '--output', 'markdown']);
  assert.match(md.stdout, /^\| src \| connections \| destinations \|\n\| --- \| --- \| --- \|\n/);
});

test('stdin is read when no path is given, as in the filter command', () => {
  const r = runCli(['recipes', 'run', 'disallowed', '--count'], { input: readFileSync(sample) });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${sampleLines.filter((l) => (JSON.parse(l) as { outcome: string }).outcome === 'disallowed').length}\n`);
});

test('--show prints the filled-in text without reading input', () => {
  const r = runCli(['recipes', 'run', 'client-not-host', '-p', 'client=10.0.0.7', '-p', 'host=a"b', '--show', join(repoRoot, 'no-such-file.log')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '{ $.cat = "client" && $.src = "10.0.0.7" && $.dhost != "a\\"b" }\n');
  assert.equal(r.stderr, '');
  const q = runCli(['recipes', 'run', 'allowlist', '-p', 'gid=sg-0ccc3333', '--show']);
  assert.equal(q.stdout, 'filter see_thru_exerted AND see_thru_gid = "sg-0ccc3333"\n| stats count() by see_thru_exerted, see_thru_gid, dhost, proto, dpt\n');
  const missing = runCli(['recipes', 'run', 'allowlist', '--show']);
  assert.equal(missing.status, 2, 'parameters are checked before showing');
});

for (const recipe of RECIPES) {
  test(`--show round-trips: ${recipe.name} through haystack ${recipe.kind} gives what the recipe gives`, () => {
    const show = runCli(['recipes', 'run', recipe.name, ...requiredParams(recipe.name), '--show']);
    assert.equal(show.status, 0, show.stderr);
    const text = show.stdout.replace(/\n$/, '');
    const out = recipe.kind === 'filter' ? 'ndjson' : 'json';
    const direct = runCli([recipe.kind, text, sample, '--output', out]);
    assert.equal(direct.status, 0, direct.stderr);
    const viaRecipe = runCli(['recipes', 'run', recipe.name, ...requiredParams(recipe.name), sample, '--output', out]);
    assert.equal(viaRecipe.status, 0, viaRecipe.stderr);
    assert.equal(viaRecipe.stdout, direct.stdout);
  });
}

test('--help on recipes, list and run shows examples', () => {
  for (const args of [['recipes', '--help'], ['recipes', 'list', '--help'], ['recipes', 'run', '--help']]) {
    const r = runCli(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /Examples:\n {2}\$ haystack recipes/, args.join(' '));
  }
  const run = runCli(['recipes', 'run', '--help']);
  assert.match(run.stdout, /--param <name=value>/);
  assert.match(run.stdout, /--show/);
  assert.match(run.stdout, /--start <time>/);
  assert.match(runCli(['--help']).stdout, /recipes/);
});
