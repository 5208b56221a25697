/**
 * Every recipe, through the library runner and through `haystack recipes run`, over 20,000
 * generated flow lines (CloudWatch export form, so lines have times) plus hand-written lines for
 * what the generator does not write (a server-side TLS 1.1 answer, a `%default` see-thru,
 * values with `"` and `\`). Each answer is computed here with plain loops over JSON.parse'd
 * lines, never by haystack's evaluators.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { RECIPES } from '../../src/recipes/catalog.js';
import { prepareRecipe, runRecipe } from '../../src/recipes/run.js';
import { runCli } from '../cli/run.js';
import { repoRoot } from '../paths.js';

const { generateFlowLines, START_MS }: typeof import('../../scripts/generate-flow.mjs') = await import(
  pathToFileURL(join(repoRoot, 'scripts', 'generate-flow.mjs')).href
);

const SEED = 'recipes-1';
const LINES = 20_000;

// ---------------------------------------------------------------------------------------------
// Input: generated lines, then hand-written ones after them.

const BASE = '"instance":"i-0f1e2d3c4b5a69788"';
const HOSTILE_SRC = 'evil"\\client'; // evil"\client
const HOSTILE_GID = 'sg-"\\x'; // sg-"\x
const HAND: string[] = [
  // A client offering TLS 1.3, allowed, and a server answering with TLS 1.1 (spec D6.8).
  `{"dhost":"legacy.example.com","cat":"client","outcome":"allowed","src":"10.0.1.44","spt":41000,"proto":"tls","proto_v":"1.3","dst":"198.51.100.7","dpt":443,"reason":"sg-0aaa1111",${BASE},"pqc":false}`,
  `{"dhost":"legacy.example.com","cat":"server","outcome":"disallowed","src":"198.51.100.7","spt":443,"proto":"tls","proto_v":"1.1","dst":"10.0.1.44","dpt":41000,"reason":"tls version below 1.2",${BASE},"pqc":false}`,
  // A %default see-thru (G2+) letting a refused connection through, with its server line.
  `{"dhost":"pastebin.com","cat":"client","outcome":"disallowed","src":"10.0.2.50","spt":42000,"proto":"tls","proto_v":"1.3","dst":"104.16.1.1","dpt":443,"reason":"no protocol rule matched",${BASE},"pqc":false,"see_thru_days_remaining":5,"see_thru_gid":"%default","see_thru_exerted":true}`,
  `{"dhost":"pastebin.com","cat":"server","outcome":"disallowed","src":"104.16.1.1","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.0.2.50","dpt":42000,"reason":"no protocol rule matched",${BASE},"pqc":false,"see_thru_days_remaining":5,"see_thru_gid":"%default","see_thru_exerted":true}`,
  // cache not ready under an active see-thru: the server line copies the reason (counted once).
  `{"dhost":"new.example.org","cat":"client","outcome":"disallowed","src":"10.0.3.60","spt":43000,"proto":"tls","proto_v":"1.3","dst":"203.0.113.9","dpt":443,"reason":"cache not ready",${BASE},"pqc":false,"see_thru_days_remaining":1,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}`,
  `{"dhost":"new.example.org","cat":"server","outcome":"disallowed","src":"203.0.113.9","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.0.3.60","dpt":43000,"reason":"cache not ready",${BASE},"pqc":false,"see_thru_days_remaining":1,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}`,
  // Values that would break out of an unescaped string literal.
  JSON.stringify({ dhost: 'x.example', cat: 'client', outcome: 'disallowed', src: HOSTILE_SRC, spt: 1, proto: 'tls', proto_v: '1.3', dst: '192.0.2.1', dpt: 443, reason: 'no protocol rule matched' }),
  JSON.stringify({ dhost: 'y.example', cat: 'client', outcome: 'disallowed', src: HOSTILE_SRC, spt: 2, proto: 'tls', proto_v: '1.3', dst: '192.0.2.2', dpt: 443, reason: 'no protocol rule matched' }),
  JSON.stringify({ dhost: 'x.example', cat: 'client', outcome: 'disallowed', src: 'evil', spt: 3, proto: 'tls', proto_v: '1.3', dst: '192.0.2.1', dpt: 443, reason: 'no protocol rule matched' }),
  JSON.stringify({ dhost: 'z.example', cat: 'client', outcome: 'disallowed', src: '10.0.4.4', spt: 4, proto: 'tls', proto_v: '1.3', dst: '192.0.2.3', dpt: 443, reason: 'no protocol rule matched', see_thru_days_remaining: 3, see_thru_gid: HOSTILE_GID, see_thru_exerted: true }),
];

interface Ev {
  t: number;
  message: string;
  o: Record<string, unknown>;
}

const generated = [...generateFlowLines({ lines: LINES, seed: SEED, format: 'export' })];
const events: Ev[] = [];
for (const line of generated) {
  const sp = line.indexOf(' ');
  const message = line.slice(sp + 1);
  events.push({ t: Date.parse(line.slice(0, sp)), message, o: JSON.parse(message) as Record<string, unknown> });
}
const last = events[events.length - 1]!.t;
HAND.forEach((message, i) => events.push({ t: last + 1000 * (i + 1), message, o: JSON.parse(message) as Record<string, unknown> }));

const dir = mkdtempSync(join(tmpdir(), 'haystack-recipes-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'flow-export.log');
writeFileSync(file, events.map((e) => `${new Date(e.t).toISOString()} ${e.message}\n`).join(''));

// ---------------------------------------------------------------------------------------------
// Independent answers.

type Cell = string | number | null;
const IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;
const str = (v: unknown): v is string => typeof v === 'string';
const renderTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);

/** Groups events by a key of cells, then makes one row per group. */
function groupRows(evs: readonly Ev[], key: (e: Ev) => Cell[], row: (k: Cell[], group: Ev[]) => Cell[]): Cell[][] {
  const groups = new Map<string, { k: Cell[]; evs: Ev[] }>();
  for (const e of evs) {
    const k = key(e);
    const id = JSON.stringify(k);
    const g = groups.get(id) ?? { k, evs: [] };
    g.evs.push(e);
    groups.set(id, g);
  }
  return [...groups.values()].map((g) => row(g.k, g.evs));
}

/** How a query's rows must relate to the full expected table: its sort column and limit. */
interface QueryExpectation {
  rows: Cell[][];
  /** Index of the column the recipe sorts descending by, if any. */
  sortedBy?: number;
  limit?: number;
}

type Params = Record<string, string>;
interface Case {
  name: string;
  params: Params;
  filter?: (o: Record<string, unknown>) => boolean;
  query?: () => QueryExpectation;
  /** The expected answer should be non-empty: the input exercises the recipe. */
  exercised: boolean;
}

const client = (e: Ev): boolean => e.o.cat === 'client';
const countCol = (g: Ev[]): number => g.length;

function topDisallowed(groupBy: (e: Ev) => Cell[], extra: (e: Ev) => boolean, limit: number): QueryExpectation {
  const evs = events.filter((e) => client(e) && e.o.outcome === 'disallowed' && extra(e));
  return { rows: groupRows(evs, groupBy, (k, g) => [...k, countCol(g)]), sortedBy: 4, limit };
}

const byClientKey = (e: Ev): Cell[] => [e.o.src as string, e.o.dhost as string, e.o.proto as string, e.o.dpt as number];
const byGroupKey = (e: Ev): Cell[] => [e.o.see_thru_gid as string, e.o.dhost as string, e.o.proto as string, e.o.dpt as number];

function allowlist(gid: string): QueryExpectation {
  const evs = events.filter((e) => e.o.see_thru_exerted === true && e.o.see_thru_gid === gid);
  // see_thru_exerted is a boolean: Insights shows it as 1 (spec 6.3).
  return { rows: groupRows(evs, (e) => [1, gid, e.o.dhost as string, e.o.proto as string, e.o.dpt as number], (k, g) => [...k, g.length]) };
}

// A see-thru group that had to let something through, from the data (not from haystack).
const someGid = events.find((e) => e.o.see_thru_exerted === true && str(e.o.see_thru_gid) && e.o.see_thru_gid !== '%default')!.o.see_thru_gid as string;

const CASES: Case[] = [
  { name: 'disallowed', params: {}, filter: (o) => o.outcome === 'disallowed', exercised: true },
  { name: 'allowed-not-tls', params: {}, filter: (o) => o.outcome === 'allowed' && str(o.proto) && o.proto !== 'tls', exercised: true },
  {
    name: 'client-not-host',
    params: {},
    filter: (o) => o.cat === 'client' && o.src === '172.16.1.9' && str(o.dhost) && o.dhost !== 'api.github.com',
    exercised: true,
  },
  {
    name: 'client-not-host',
    params: { client: '10.0.1.*', host: '*.amazonaws.com' }, // wildcards at the ends, as in CloudWatch
    filter: (o) => o.cat === 'client' && str(o.src) && o.src.startsWith('10.0.1.') && str(o.dhost) && !o.dhost.endsWith('.amazonaws.com'),
    exercised: true,
  },
  {
    name: 'client-not-host',
    params: { client: HOSTILE_SRC, host: 'y.example' },
    filter: (o) => o.cat === 'client' && o.src === HOSTILE_SRC && str(o.dhost) && o.dhost !== 'y.example',
    exercised: true,
  },
  {
    // Unescaped, this would read `$.src = "x" || $.outcome = "allowed"` and match every allowed line.
    name: 'client-not-host',
    params: { client: 'x" || $.outcome = "allowed', host: 'y' },
    filter: (o) => o.cat === 'client' && o.src === 'x" || $.outcome = "allowed' && o.dhost !== 'y',
    exercised: false,
  },
  { name: 'see-thru-expiring', params: {}, filter: (o) => typeof o.see_thru_days_remaining === 'number' && o.see_thru_days_remaining <= 2, exercised: true },
  { name: 'see-thru-expiring', params: { days: '-1' }, filter: (o) => typeof o.see_thru_days_remaining === 'number' && o.see_thru_days_remaining <= -1, exercised: true },
  { name: 'see-thru-expiring', params: { days: '7' }, filter: (o) => typeof o.see_thru_days_remaining === 'number' && o.see_thru_days_remaining <= 7, exercised: true },
  {
    name: 'see-thru-exerted',
    params: {},
    filter: (o) => o.see_thru_exerted === true && str(o.dhost) && !o.dhost.startsWith('ec2-instance-connect.'),
    exercised: true,
  },
  { name: 'see-thru-exerted', params: { exclude: 'pastebin.com' }, filter: (o) => o.see_thru_exerted === true && str(o.dhost) && o.dhost !== 'pastebin.com', exercised: true },
  { name: 'allowlist', params: { gid: someGid }, query: () => allowlist(someGid), exercised: true },
  { name: 'allowlist', params: { gid: '%default' }, query: () => allowlist('%default'), exercised: true },
  { name: 'allowlist', params: { gid: HOSTILE_GID }, query: () => allowlist(HOSTILE_GID), exercised: true },
  { name: 'allowlist', params: { gid: 'sg-" or see_thru_exerted or "' }, query: () => allowlist('sg-" or see_thru_exerted or "'), exercised: false },
  { name: 'top-disallowed-by-client', params: {}, query: () => topDisallowed(byClientKey, () => true, 50), exercised: true },
  { name: 'top-disallowed-by-client', params: { limit: '7' }, query: () => topDisallowed(byClientKey, () => true, 7), exercised: true },
  { name: 'top-disallowed-by-group', params: {}, query: () => topDisallowed(byGroupKey, (e) => e.o.see_thru_gid !== undefined, 50), exercised: true },
  { name: 'top-disallowed-by-group', params: { limit: '3' }, query: () => topDisallowed(byGroupKey, (e) => e.o.see_thru_gid !== undefined, 3), exercised: true },
  {
    name: 'no-rules-clients',
    params: {},
    query: () => ({
      rows: groupRows(
        events.filter((e) => client(e) && e.o.reason === 'no rules for client'),
        (e) => [e.o.src as string],
        (k, g) => [...k, g.length, new Set(g.map((e) => e.o.dhost)).size],
      ),
      sortedBy: 1,
    }),
    exercised: true,
  },
  {
    name: 'old-tls',
    params: {},
    query: () => ({
      rows: groupRows(
        events.filter((e) => e.o.proto === 'tls' && (e.o.proto_v === '1.0' || e.o.proto_v === '1.1')),
        // The client is src on a client line and dst on a server line (spec D6.8).
        (e) => [(client(e) ? e.o.src : e.o.dst) as string, e.o.dhost as string, e.o.cat as string, e.o.proto_v as string],
        (k, g) => [...k, g.length],
      ),
      sortedBy: 4,
    }),
    exercised: true,
  },
  {
    name: 'unknown-protocols',
    params: {},
    query: () => ({
      rows: groupRows(
        events.filter((e) => client(e) && e.o.proto === 'unknown'),
        (e) => [e.o.src as string, e.o.dst as string, e.o.dpt as number],
        (k, g) => [...k, g.length],
      ),
      sortedBy: 3,
    }),
    exercised: true,
  },
  {
    name: 'ip-only-hosts',
    params: {},
    query: () => ({
      rows: groupRows(
        events.filter((e) => client(e) && str(e.o.dhost) && IPV4.test(e.o.dhost)),
        (e) => [e.o.dhost as string, e.o.proto as string, e.o.dpt as number],
        (k, g) => [...k, g.length, new Set(g.map((e) => e.o.src)).size],
      ),
      sortedBy: 3,
    }),
    exercised: true,
  },
  {
    name: 'cache-not-ready',
    params: {},
    query: () => ({
      rows: groupRows(
        events.filter((e) => client(e) && e.o.reason === 'cache not ready'),
        (e) => [e.o.src as string, e.o.dhost as string, e.o.proto as string, e.o.dpt as number],
        (k, g) => [...k, g.length, renderTime(Math.min(...g.map((e) => e.t))), renderTime(Math.max(...g.map((e) => e.t)))],
      ),
      sortedBy: 4,
    }),
    exercised: true,
  },
];

test('every recipe in the catalog has at least one case here', () => {
  const covered = new Set(CASES.map((c) => c.name));
  assert.deepEqual(RECIPES.map((r) => r.name).filter((n) => !covered.has(n)), []);
});

test('the input exercises what the recipes look for', () => {
  // The generator's own mix, checked so that a change to it cannot leave a recipe untested.
  const count = (f: (o: Record<string, unknown>) => boolean): number => events.filter((e) => f(e.o)).length;
  assert.ok(count((o) => o.reason === 'cache not ready' && o.cat === 'client') >= 2, 'cache not ready');
  assert.ok(count((o) => o.proto_v === '1.0' && o.proto === 'tls') >= 1, 'TLS 1.0');
  assert.ok(count((o) => o.proto_v === '1.1' && o.proto === 'tls' && o.cat === 'server') >= 1, 'server TLS 1.1');
  assert.ok(count((o) => o.proto === 'unknown') >= 10, 'unknown protocols');
  assert.ok(count((o) => o.reason === 'no rules for client') >= 10, 'no rules for client');
  for (const proto of ['tls', 'ssh', 'http', 'unknown']) {
    assert.ok(count((o) => o.proto === proto && str(o.dhost) && IPV4.test(o.dhost)) >= 1, `IP-only dhost for ${proto}`);
  }
  assert.ok(count((o) => typeof o.see_thru_days_remaining === 'number' && o.see_thru_days_remaining < 0) >= 1, 'expired see-thru');
});

// ---------------------------------------------------------------------------------------------
// Comparing.

const canon = (rows: readonly (readonly Cell[])[]): string[] => rows.map((r) => JSON.stringify(r)).sort();

function checkQuery(label: string, fields: readonly string[], got: readonly Cell[][], want: QueryExpectation): void {
  assert.equal(fields.length, want.rows[0]?.length ?? fields.length, `${label}: columns ${fields.join(', ')}`);
  if (want.sortedBy !== undefined) {
    const col = want.sortedBy;
    for (let i = 1; i < got.length; i++) assert.ok((got[i - 1]![col] as number) >= (got[i]![col] as number), `${label}: not sorted by ${fields[col]} at row ${i}`);
  }
  if (want.limit === undefined || want.rows.length <= want.limit) {
    assert.deepEqual(canon(got), canon(want.rows), label);
    return;
  }
  // A limit cuts a sorted table: the rows shown are expected rows, as many as the limit, and
  // none left out has a higher count than the last shown (ties may go either way).
  const col = want.sortedBy!;
  const all = new Set(canon(want.rows));
  assert.equal(got.length, want.limit, `${label}: row count`);
  for (const r of got) assert.ok(all.has(JSON.stringify(r)), `${label}: unexpected row ${JSON.stringify(r)}`);
  const shown = new Set(canon(got));
  const lowest = got[got.length - 1]![col] as number;
  for (const r of want.rows) if (!shown.has(JSON.stringify(r))) assert.ok((r[col] as number) <= lowest, `${label}: left out ${JSON.stringify(r)}`);
}

const input = [{ name: 'flow-export.log', path: file }];
const cliParams = (p: Params): string[] => Object.entries(p).flatMap(([k, v]) => ['--param', `${k}=${v}`]);

for (const c of CASES) {
  const label = `${c.name} ${JSON.stringify(c.params)}`;
  const compiled = prepareRecipe(c.name, c.params);

  if (c.filter) {
    const want = events.filter((e) => c.filter!(e.o)).map((e) => e.message);
    test(`library: ${label} matches the independently computed lines`, async () => {
      if (c.exercised) assert.ok(want.length > 0, 'the input should exercise this case');
      const got: string[] = [];
      const out = await runRecipe(compiled, input, { onMatch: (e) => void got.push(e.message) });
      assert.equal(out.kind, 'filter');
      assert.deepEqual(got, want);
      assert.equal(out.report.matched, want.length);
      assert.equal(out.report.issues.total, 0);
    });
    test(`cli: ${label} prints the same lines, and --count their number`, () => {
      const r = runCli(['recipes', 'run', c.name, file, ...cliParams(c.params), '--output', 'ndjson']);
      assert.equal(r.status, 0, r.stderr);
      const got = r.stdout.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { message: string }).message);
      assert.deepEqual(got, want);
      const n = runCli(['recipes', 'run', c.name, file, ...cliParams(c.params), '--count']);
      assert.equal(n.status, 0, n.stderr);
      assert.equal(n.stdout, `${want.length}\n`);
    });
  } else {
    const want = c.query!();
    test(`library: ${label} gives the independently computed table`, async () => {
      if (c.exercised) assert.ok(want.rows.length > 0, 'the input should exercise this case');
      const out = await runRecipe(compiled, input);
      assert.ok(out.kind === 'query');
      checkQuery(label, out.result.fields, out.result.rows, want);
    });
    test(`cli: ${label} prints the same table as JSON`, () => {
      const r = runCli(['recipes', 'run', c.name, file, ...cliParams(c.params), '--output', 'json']);
      assert.equal(r.status, 0, r.stderr);
      const objs = JSON.parse(r.stdout) as Record<string, Cell>[];
      const fields = objs.length > 0 ? Object.keys(objs[0]!) : (want.rows[0] ?? []).map((_, i) => String(i));
      checkQuery(label, fields, objs.map((o) => Object.values(o)), want);
    });
  }
}

test('the hand-written server line is the only one old-tls reports on the server side for its host', async () => {
  const out = await runRecipe(prepareRecipe('old-tls'), input);
  assert.ok(out.kind === 'query');
  assert.deepEqual(out.result.fields, ['client', 'dhost', 'cat', 'proto_v', 'lines']);
  assert.deepEqual(out.result.rows.filter((r) => r[1] === 'legacy.example.com'), [['10.0.1.44', 'legacy.example.com', 'server', '1.1', 1]]);
});

test('cache-not-ready counts a connection once though its server line repeats the reason', async () => {
  const out = await runRecipe(prepareRecipe('cache-not-ready'), input);
  assert.ok(out.kind === 'query');
  const row = out.result.rows.find((r) => r[1] === 'new.example.org');
  assert.deepEqual(row?.slice(0, 5), ['10.0.3.60', 'new.example.org', 'tls', 443, 1]);
});

test('--start limits a recipe to a time window like the filter and query commands', () => {
  const from = START_MS + 60_000;
  const want = events.filter((e) => e.t >= from && e.o.outcome === 'disallowed').length;
  const r = runCli(['recipes', 'run', 'disallowed', file, '--count', '--start', new Date(from).toISOString()]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${want}\n`);
});
