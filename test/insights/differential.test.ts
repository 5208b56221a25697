// Differential tests of Logs Insights queries: query TEXT generated from a small grammar
// (filter, fields, display, sort, limit, dedup, parse, stats and what may follow it), events
// built from a small firewall-like vocabulary (so filters keep some records and groups repeat),
// and the streaming pipeline checked against the reference evaluator, both through runQuery
// and the way the scan feeds it (message bytes, only the fields read, the line prefilter).
// Fixed seed; set HAYSTACK_FC_SEED to try another, HS_RUNS for more runs. Also: large streams
// through sort | limit in bounded memory, the 10,000-row default, and the differences found,
// pinned as plain cases.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileQuery, QueryError, QueryRun, runQuery } from '../../src/index.js';
import { LineGate } from '../../src/engine/gate.js';
import { bestClause } from '../../src/engine/literals.js';
import { queryClauses } from '../../src/insights/prefilter.js';
import { referenceRunQuery } from '../../src/insights/reference.js';
import { queryInputs } from '../../src/insights/scan.js';
import { fcSeed, propertyRunner } from '../support/property.js';

const SEED = fcSeed(20261125);
const RUNS = Number(process.env.HS_RUNS ?? 4000);
const NOW = Date.UTC(2024, 4, 2);

const holds = propertyRunner(SEED);

const pick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);

// ---- events -----------------------------------------------------------------------------------

// Each field's values have texts no other value of that field shares across types (443 is never
// also "443"): which of two same-text values represents a group is not something the spec fixes.
const VOCAB = {
  dhost: ['api.github.com', 'example.com', 'pypi.org', 'Example.COM', 'registry.npmjs.org'],
  cat: ['client', 'server'],
  outcome: ['allowed', 'disallowed', 'denied'],
  src: ['172.16.1.9', '10.0.0.5'],
  spt: [50412, 50413, 50999, 1024],
  proto: ['tls', 'ssh', 'http'],
  dpt: [443, 22, 80, 8443, '8080'],
  code: ['200', '404', '5xx', '-3', '0', 301, 500, 1.5],
  see_thru_exerted: [true, false],
  see_thru_days_remaining: [0, 5, 12, -1, 2.5],
  bytes: [0, 10, 1024, 99999, 3.25, -7],
  reason: ['', 'no match', 'sni mismatch', 'A10', 'a9', 'a10', null],
} as const;

const BASE = Date.UTC(2024, 4, 1, 10, 0, 0);
/** Few distinct instants, so equal timestamps are common (5.3 ties) and bins repeat. */
const OFFSETS = [0, 45_000, 90_000, 90_000, 150_001, 299_999, 300_000, 420_000, 600_000, 601_500, 3_600_000];

const member = <K extends keyof typeof VOCAB>(k: K) => fc.option(pick(VOCAB[k] as readonly (string | number | boolean | null)[]), { freq: 3, nil: undefined });
const jsonObject = fc.record({
  dhost: member('dhost'),
  cat: member('cat'),
  outcome: member('outcome'),
  src: member('src'),
  spt: member('spt'),
  proto: member('proto'),
  dpt: member('dpt'),
  code: member('code'),
  see_thru_exerted: member('see_thru_exerted'),
  see_thru_days_remaining: member('see_thru_days_remaining'),
  bytes: member('bytes'),
  reason: member('reason'),
  tls: fc.option(pick(['1.3', '1.2']).map((ver) => ({ ver })), { freq: 2, nil: undefined }),
  tags: fc.option(fc.array(pick(['x', 'y', 'prod']), { maxLength: 2 }), { freq: 2, nil: undefined }),
}).map((o) => JSON.stringify(o)); // undefined members are left out
const TEXT_MESSAGES = [
  'config reloaded: 3 rules',
  'dhost=api.github.com outcome=denied',
  '25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException',
  'see_thru 12 days',
  '[1, 2]',
  '',
];
/** JSON written in ways JSON.stringify does not: escapes, spacing, duplicates, collisions (6.2, D21). */
const RAW_JSON = [
  '{"dhost":"a.com","dhost":"b.org"}',
  '{"\\u0064host":"escaped.com","outcome":"denied"}',
  '  {"dhost" : "spaced.com" , "dpt" : 443 }  ',
  '{"tls.ver":"flat","tls":{"ver":"nested"}}',
  '{"tls":{"ver":"nested"},"tls.ver":"flat"}',
  '{"@dhost":"at.com","dhost":"x\\"y"}',
  '{"reason":"caf\\u00e9 \\\\ slash","code":"200"}',
  '{"dpt":4.43e2,"bytes":-0,"spt":1E3}',
  '{"dhost":null,"outcome":"allowed"}',
  '{"tags":["x",{"y":1}],"dhost":"arr.com"}',
  '{"dhost":"ünï.com","reason":"日本"}',
  '{"dhost":"api.github.com"}x',
  '{"dhost":"api.github.com"',
];
const event = fc.record({
  timestamp: pick(OFFSETS).map((o) => BASE + o),
  message: fc.oneof({ weight: 8, arbitrary: jsonObject }, { weight: 1, arbitrary: pick(TEXT_MESSAGES) }, { weight: 1, arbitrary: pick(RAW_JSON) }),
  logStream: pick(['flow', 'flow', 'config']),
});
const events = fc.array(event, { minLength: 5, maxLength: 60 });

// ---- queries ------------------------------------------------------------------------------------

const FIELDS = ['dhost', 'cat', 'outcome', 'spt', 'proto', 'dpt', 'code', 'see_thru_exerted', 'see_thru_days_remaining',
  'bytes', 'reason', 'tls.ver', 'tags.0', 'tags.1', '@message', '@logStream', '@log', '@timestamp', '@ingestionTime', 'missing', 'a1', 'p1', 'j.dhost', 'j.tls.ver', 'j.tags.1', '@@dhost'];
const field = pick(FIELDS);
const numLit = pick(['0', '1', '2', '5', '443', '1.5', '-3', '100', 'true']);
const strLit = pick(['"tls"', '"api.github.com"', '"443"', '""', '"200"', '"a10"', '"x-y"', "'denied'"]);
const TEXTS = ['github', 'example', '4', '', 'tls', 'den', 'A'];
const REGEXES = ['api', '^ex', '\\d+', '(?i)GITHUB', 'com$', '^[a-z]+$', 's{2}', '4.3', '^-?\\d+$', 'a|e'];

const compare = fc.tuple(field, pick(['=', '==', '!=', '<', '<=', '>', '>=']), fc.oneof(numLit, strLit, field))
  .map(([f, op, v]) => `${f} ${op} ${v}`);

function cond(depth: number): fc.Arbitrary<string> {
  const atom = fc.oneof(
    { weight: 4, arbitrary: compare },
    { weight: 2, arbitrary: fc.tuple(field, pick(['like', 'not like', '=~']), fc.oneof(pick(TEXTS).map((t) => `"${t}"`), pick(REGEXES).map((r) => `/${r}/`))).map((p) => p.join(' ')) },
    { weight: 2, arbitrary: fc.tuple(field, pick(['in', 'not in']), fc.uniqueArray(fc.oneof(numLit, strLit), { minLength: 1, maxLength: 3 })).map(([f, op, xs]) => `${f} ${op} [${xs.join(', ')}]`) },
    { weight: 1, arbitrary: field.map((f) => `ispresent(${f})`) },
    { weight: 1, arbitrary: field },
  );
  if (depth <= 0) return atom;
  const sub = cond(depth - 1);
  return fc.oneof(
    { weight: 4, arbitrary: atom },
    { weight: 2, arbitrary: fc.tuple(sub, pick(['and', 'AND', 'or', 'Or']), sub).map(([a, op, b]) => `(${a}) ${op} (${b})`) },
    { weight: 1, arbitrary: fc.tuple(pick(['not ', '!']), sub).map(([n, a]) => `${n}(${a})`) },
  );
}

function value(depth: number): fc.Arbitrary<string> {
  const leaf = fc.oneof({ weight: 5, arbitrary: field }, { weight: 2, arbitrary: numLit }, { weight: 1, arbitrary: strLit });
  if (depth <= 0) return leaf;
  const sub = value(depth - 1);
  return fc.oneof(
    { weight: 5, arbitrary: leaf },
    { weight: 3, arbitrary: fc.tuple(sub, pick(['+', '-', '*', '/', '%']), sub).map(([a, op, b]) => `(${a} ${op} ${b})`) },
    { weight: 1, arbitrary: sub.map((a) => `strlen(${a})`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `concat(${a}, "-", ${b})`) },
    { weight: 1, arbitrary: sub.map((a) => `toupper(${a})`) },
    { weight: 1, arbitrary: sub.map((a) => `abs(${a})`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `coalesce(${a}, ${b}, "none")`) },
    { weight: 1, arbitrary: field.map((f) => `ispresent(${f})`) },
    { weight: 1, arbitrary: fc.tuple(cond(0), sub, sub).map(([c, a, b]) => `if(${c}, ${a}, ${b})`) },
    { weight: 1, arbitrary: compare.map((c) => `(${c})`) },
  );
}

/** Items of fields/display; all of one command read the record as the command got it. */
const items = (aliases: readonly string[]) =>
  fc.array(fc.tuple(value(2), fc.option(pick(aliases), { nil: undefined })), { minLength: 1, maxLength: 3 })
    .map((xs) => xs.map(([e, a]) => (a ? `${e} as ${a}` : e)).join(', '));

const sortKeys = fc.array(fc.tuple(fc.oneof(field, value(1)), pick(['', ' asc', ' desc', ' DESC'])), { minLength: 1, maxLength: 2 })
  .map((ks) => 'sort ' + ks.map(([k, d]) => k + d).join(', '));

const GLOBS: readonly (readonly [string, number])[] = [
  ['"dhost":"*"', 1], ['"dpt":*,', 1], ['config *', 1], ['=*', 1], ['"code":*', 1], ['*', 1], ['[*]', 1], ['"reason":"*"', 1],
  ['"*":"*"', 2], ['"outcome":"*","src":"*"', 2], ['dhost=* outcome=*', 2], ['[*] * The', 2], ['"cat":"*"*', 2], ['{"*":*,', 2],
];
const parse = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(pick(['parse @message ', 'parse ', 'PARSE @message ']), pick(GLOBS)).map(([p, [g, n]]) => `${p}'${g}' as ${['p1', 'p2'].slice(0, n).join(', ')}`) },
  { weight: 1, arbitrary: pick(['parse dhost "*.*" as p1, p2', 'parse tls.ver "*.*" as p2, p1', 'parse @message \'"outcome":"*"\' as dhost']) },
  { weight: 1, arbitrary: pick(['parse @message /"dhost":"(?<p1>[^"]*)"/', 'parse @message /(?<p1>\\d+)/', 'parse dhost /(?<p1>[a-z]+)\\.(?<p2>[a-z]+)$/',
    'parse @message /(?i)OUTCOME":"(?<p1>\\w+)/', 'parse @message /(?<@p>[a-z]+)=(?<p1>\\S*)/']) },
);

/** Commands over records (any number of them may precede stats or dedup). */
const rowCommand = fc.oneof(
  { weight: 4, arbitrary: cond(2).map((c) => `filter ${c}`) },
  // Aliases may shadow discovered and system fields (6.5).
  { weight: 3, arbitrary: items(['a1', 'a2', 'a3', 'a1', 'a2', 'dhost', '@logStream']).map((i) => `fields ${i}`) },
  { weight: 1, arbitrary: items(['a1', 'd1']).map((i) => `display ${i}`) },
  { weight: 1, arbitrary: pick(['fields jsonParse(@message) as j', 'fields jsonParse(@message) as j, j.dhost as a1']) },
  { weight: 2, arbitrary: sortKeys },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 20 }).map((n) => `limit ${n}`) },
  { weight: 2, arbitrary: parse },
);

const AGG_FIELDS = ['dhost', 'dpt', 'code', 'bytes', 'reason', 'see_thru_days_remaining', 'spt', '@timestamp', 'missing', 'a1', 'p1'];
const aggregate = fc.oneof(
  pick(['count(*)', 'count()', 'COUNT(*)']),
  fc.tuple(pick(['count', 'sum', 'avg', 'min', 'max', 'count_distinct', 'earliest', 'latest', 'sortsFirst', 'sortsLast']), pick(AGG_FIELDS))
    .map(([f, x]) => `${f}(${x})`),
  // Not over @timestamp: stddev of values near 1.7e12 differs in the 1e-9s with the order they are added in.
  fc.tuple(pick(['stddev', 'pct']), pick(AGG_FIELDS.filter((f) => f !== '@timestamp')), pick(['0', '50', '90', '100']))
    .map(([f, x, p]) => (f === 'pct' ? `pct(${x}, ${p})` : `stddev(${x})`)),
);
const BY = ['dhost', 'outcome', 'proto', 'dpt', 'code', 'cat', 'bin(1m)', 'bin(5m)', 'BIN(5m)', '@logStream', 'strlen(dhost)', 'see_thru_exerted', 'p1'];

const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'in', 'as', 'by', 'asc', 'desc', 'into', 'true', 'false']);
const ref = (name: string): string => (/^[A-Za-z_@][A-Za-z0-9_.@]*$/.test(name) && !KEYWORDS.has(name.toLowerCase()) ? name : `\`${name}\``);

interface GeneratedQuery { text: string; ordered: boolean }

const statsTail = fc.record({
  aggs: fc.array(fc.tuple(aggregate, fc.boolean()), { minLength: 1, maxLength: 3 }),
  by: fc.uniqueArray(pick(BY), { maxLength: 2, selector: (b) => b.toLowerCase() }),
  byAlias: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  derived: fc.boolean(),
  filter: fc.option(pick(['> 1', '>= 2', '!= 0', '< 3']), { freq: 4, nil: undefined }),
  sort: pick(['none', 'total', 'total', 'partial'] as const),
  desc: fc.array(pick(['', ' desc', ' asc']), { minLength: 3, maxLength: 3 }),
  aggFirst: fc.boolean(),
  limit: fc.option(fc.integer({ min: 1, max: 20 }), { freq: 2, nil: undefined }),
}).map((t) => {
  const names: string[] = [];
  const aggItems = t.aggs.map(([a, alias], i) => {
    const name = alias || names.includes(a) ? `s${i}` : a;
    names.push(name);
    return name === a ? a : `${a} as ${name}`;
  });
  // D43: an item over an earlier item of the same stats.
  if (t.derived) aggItems.push(`${ref(names[0]!)} * 2 as s9`);
  const byNames = t.by.map((b, i) => (t.byAlias[i] ? `g${i}` : b));
  const byItems = t.by.map((b, i) => (t.byAlias[i] ? `${b} as g${i}` : b));
  const parts = [`stats ${aggItems.join(', ')}${byItems.length > 0 ? ` by ${byItems.join(', ')}` : ''}`];
  if (t.filter) parts.push(`filter ${ref(names[0]!)} ${t.filter}`);
  // Group rows come out in no defined order (3.5), so a sort orders them only when its keys
  // include every group column (rows differ in at least one, and the natural comparator
  // tells different texts apart); `limit` right after stats is avoided otherwise.
  let total = byNames.length === 0;
  if (t.sort === 'total' || t.sort === 'partial') {
    const keys = t.sort === 'total' ? [...byNames] : byNames.slice(0, Math.max(0, byNames.length - 1));
    if (t.aggFirst || keys.length === 0) keys.unshift(names[0]!);
    parts.push('sort ' + keys.map((k, i) => ref(k) + t.desc[i]!).join(', '));
    total ||= t.sort === 'total';
  }
  if (t.limit !== undefined && total) parts.push(`limit ${t.limit}`);
  return { parts, ordered: total };
});

const dedupTail = fc.tuple(fc.uniqueArray(pick(['dhost', 'outcome', 'proto', 'dpt', 'code', 'missing', 'p1', 'a1']), { minLength: 1, maxLength: 2 }), fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }))
  .map(([fs, n]) => ({ parts: [`dedup ${fs.join(', ')}`, ...(n ? [`limit ${n}`] : [])], ordered: true }));

const query: fc.Arbitrary<GeneratedQuery> = fc.tuple(
  fc.array(rowCommand, { maxLength: 3 }),
  fc.oneof({ weight: 2, arbitrary: fc.constant({ parts: [] as string[], ordered: true }) }, { weight: 1, arbitrary: dedupTail }, { weight: 3, arbitrary: statsTail }),
  pick(['\n| ', ' | ', '|']),
).map(([prefix, tail, sep]) => {
  const parts = [...prefix.slice(0, Math.max(0, 5 - tail.parts.length)), ...tail.parts]; // 1-5 commands
  if (parts.length === 0) parts.push('filter ispresent(dhost)');
  return { text: parts.join(sep), ordered: tail.ordered };
});

// ---- comparing results ----------------------------------------------------------------------------

type Cell = string | number | null;

/** Numbers equal within 1e-9 relative: sums may add the same values in another order. */
function cellEqual(a: Cell, b: Cell): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  return a === b;
}
const rowEqual = (a: Cell[], b: Cell[]): boolean => a.length === b.length && a.every((x, i) => cellEqual(x, b[i]!));

function sameRows(got: Cell[][], want: Cell[][], ordered: boolean): boolean {
  if (got.length !== want.length) return false;
  if (ordered) return got.every((r, i) => rowEqual(r, want[i]!));
  const left = [...want];
  for (const r of got) {
    const k = left.findIndex((w) => rowEqual(r, w));
    if (k < 0) return false;
    left.splice(k, 1);
  }
  return true;
}

// ---- the properties ---------------------------------------------------------------------------------

type Ev = { timestamp: number; message: string; logStream: string };

/**
 * The scan's way in (insights/scan.ts): each message handed over as bytes, so only the fields
 * the query reads are discovered, from the bytes; lines the leading filters' literals rule out
 * never become records.
 */
function viaBytes(text: string, evs: readonly Ev[]): Cell[][] {
  const q = compileQuery(text);
  const run = new QueryRun(q, { now: NOW });
  const gate = new LineGate(bestClause(queryClauses(q.ast.commands)) ?? [], true);
  for (const e of evs) {
    const buf = Buffer.from(e.message, 'utf8');
    if (gate.mayMatch(buf, 0, buf.length)) run.push(e, buf);
  }
  return run.finish().rows;
}

const differs = (text: string, ordered: boolean, path: string, got: Cell[][], want: Cell[][]): string =>
  `query ${JSON.stringify(text)} (${ordered ? 'ordered' : 'unordered'}):\n ${path} ${JSON.stringify(got.slice(0, 30))}\n reference ${JSON.stringify(want.slice(0, 30))}`;

describe('insights: streaming pipeline vs reference evaluator', () => {
  it('agree on generated queries and events, and the generators are not vacuous', () => {
    const tally = { queries: 0, compiled: 0, withRows: 0, stats: 0, ordered: 0, invalid: [] as string[] };
    holds('differential', fc.property(query, events, ({ text, ordered }, evs) => {
      tally.queries++;
      let got;
      try {
        got = runQuery(text, evs, { now: NOW });
      } catch (e) {
        if (!(e instanceof QueryError)) throw e;
        if (tally.invalid.length < 5) tally.invalid.push(`${text}: ${e.message}`);
        assert.throws(() => referenceRunQuery(text, evs, { now: NOW }), 'the reference accepts a query runQuery rejects');
        return;
      }
      tally.compiled++;
      const want = referenceRunQuery(text, evs, { now: NOW });
      assert.deepEqual(got.fields, want.fields);
      assert.ok(sameRows(got.rows, want.rows, ordered), differs(text, ordered, 'runQuery ', got.rows, want.rows));
      const bytes = viaBytes(text, evs);
      assert.ok(sameRows(bytes, want.rows, ordered), differs(text, ordered, 'via bytes', bytes, want.rows));
      if (got.rows.length > 0) tally.withRows++;
      if (/\bstats\b/.test(text)) tally.stats++;
      if (ordered) tally.ordered++;
    }), RUNS);
    const share = (n: number): number => n / tally.queries;
    assert.ok(share(tally.compiled) > 0.8, `only ${tally.compiled}/${tally.queries} queries compiled, e.g. ${tally.invalid.join('\n')}`);
    assert.ok(tally.withRows > 0.5 * tally.compiled, `only ${tally.withRows}/${tally.compiled} results had rows`);
    assert.ok(share(tally.stats) > 0.3, `only ${tally.stats} stats queries`);
    assert.ok(tally.ordered > 0.5 * tally.compiled, `only ${tally.ordered} results compared in order`);
  });

  it('agree over more than a thousand events, where the pipeline trims its best-N buffers', () => {
    const many = fc.array(event, { minLength: 1100, maxLength: 1400 });
    holds('differential, many events', fc.property(query, many, ({ text, ordered }, evs) => {
      let got;
      try {
        got = runQuery(text, evs, { now: NOW });
      } catch (e) {
        if (e instanceof QueryError) return;
        throw e;
      }
      const want = referenceRunQuery(text, evs, { now: NOW });
      assert.deepEqual(got.fields, want.fields);
      assert.ok(sameRows(got.rows, want.rows, ordered), differs(text, ordered, 'runQuery ', got.rows, want.rows));
      const bytes = viaBytes(text, evs);
      assert.ok(sameRows(bytes, want.rows, ordered), differs(text, ordered, 'via bytes', bytes, want.rows));
    }), Math.ceil(RUNS / 60));
  });
});

// ---- large streams: bounded memory, default row cap ---------------------------------------------------

const N = 200_000;
const PAD = 'p'.repeat(64);
/** Event i: x repeats every 50,000 events and timestamps come in threes, so ties are everywhere. */
const xOf = (i: number): number => (i * 7919) % 50_000;
const tsOf = (i: number): number => BASE + Math.floor(i / 3) * 1000;
const messageOf = (i: number): string => `{"x":${xOf(i)},"pad":"${PAD}"}`;

function timeText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** spec 5.3: newest first, equal timestamps in input order. */
const defaultBefore = (i: number, j: number): boolean => (tsOf(i) !== tsOf(j) ? tsOf(i) > tsOf(j) : i < j);

/** The first `n` of events 0..count-1 under `before`, by a plain insertion loop. */
function firstN(n: number, count: number, before: (i: number, j: number) => boolean): Cell[][] {
  const best: number[] = [];
  for (let i = 0; i < count; i++) {
    let k = best.length;
    while (k > 0 && before(i, best[k - 1]!)) k--;
    if (k < n) {
      best.splice(k, 0, i);
      if (best.length > n) best.pop();
    }
  }
  return best.map((i) => [timeText(tsOf(i)), messageOf(i)]);
}

describe('insights: large streams', () => {
  const cases: [string, (i: number, j: number) => boolean][] = [
    // D39: ties keep the order they arrive in (the default order), in both directions.
    ['sort x | limit 5', (i, j) => (xOf(i) !== xOf(j) ? xOf(i) < xOf(j) : defaultBefore(i, j))],
    ['sort x desc | limit 5', (i, j) => (xOf(i) !== xOf(j) ? xOf(i) > xOf(j) : defaultBefore(i, j))],
    ['limit 5', defaultBefore],
  ];
  for (const [q, before] of cases) {
    it(`${q} over ${N} generated events gives the first five, holding few records at a time`, () => {
      // Heap growth is sampled while the events are pulled: a pipeline that kept every record
      // grows by well over 150 MB here, one that keeps the best few by a few tens at most.
      const start = process.memoryUsage().heapUsed;
      let peak = 0;
      const stream = function* (): Generator<{ timestamp: number; message: string }> {
        for (let i = 0; i < N; i++) {
          if (i % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - start);
          yield { timestamp: tsOf(i), message: messageOf(i) };
        }
      };
      const got = runQuery(q, stream());
      assert.deepEqual(got.fields, ['@timestamp', '@message']);
      assert.deepEqual(got.rows, firstN(5, N, before));
      assert.equal(got.stats.recordsScanned, N);
      assert.ok(peak < 80e6, `heap grew by ${Math.round(peak / 1e6)} MB while streaming`);
    });
  }

  it('without limit at most 10,000 rows come back, the newest (5.4, D8)', () => {
    const count = 12_000;
    const evs = Array.from({ length: count }, (_, i) => ({ timestamp: tsOf(i), message: messageOf(i) }));
    const want = firstN(10_000, count, defaultBefore);
    assert.deepEqual(runQuery('filter x >= 0', evs).rows, want);
    assert.deepEqual(referenceRunQuery('filter x >= 0', evs).rows, want);
    assert.equal(runQuery('filter x >= 0 | limit 11000', evs).rows.length, 11_000);
  });
});

// ---- differences the differential test found, kept as regression cases -------------------------------
// Expectations come from the spec text, not from either evaluator.

describe('insights: differences the differential test found (pipeline vs spec)', () => {
  const one = (message: string) => [{ timestamp: BASE, message }];

  it('fields: a plain field after an alias of the same name in the same command reads one consistent record', () => {
    // Either every item reads the record as fields received it ([null, null]), or items see the
    // aliases to their left ([0, 1]); the pipeline mixes the two.
    assert.deepEqual(referenceRunQuery('fields 0 as a1, a1, a1 + 1 as b', one('{}')).rows, [[null, null]]);
    const rows = runQuery('fields 0 as a1, a1, a1 + 1 as b', one('{}')).rows;
    assert.ok([JSON.stringify([[null, null]]), JSON.stringify([[0, 1]])].includes(JSON.stringify(rows)), `got ${JSON.stringify(rows)}`);
  });

  it('D29: a.b is map access when a holds a map, even if a flattened a.b exists', () => {
    // a = {"a":{"b":1}}: a.b is a's member b, which is absent.
    const q = 'fields jsonParse(@message) as a | display a.b';
    assert.deepEqual(referenceRunQuery(q, one('{"a":{"b":1}}')).rows, [[null]]);
    assert.deepEqual(runQuery(q, one('{"a":{"b":1}}')).rows, [[null]]);
  });

  it('spec 8: regexes are ECMAScript with the u flag: . does not match CR, \\s matches U+00A0', () => {
    const cr = one(JSON.stringify({ x: 'a\rc' }));
    const nbsp = one(JSON.stringify({ x: 'a\u00a0b' }));
    assert.deepEqual(referenceRunQuery('filter x like /a.c/ | display x', cr).rows, []);
    assert.deepEqual(referenceRunQuery('filter x like /a\\sb/ | display x', nbsp).rows, [['a\u00a0b']]);
    assert.deepEqual(runQuery('filter x like /a.c/ | display x', cr).rows, []);
    assert.deepEqual(runQuery('filter x like /a\\sb/ | display x', nbsp).rows, [['a\u00a0b']]);
  });

  it('3.6: a map or list sort key counts as absent', () => {
    // Both keys absent (a map, a missing member): the default order stays (equal timestamps: input order).
    const evs = [{ timestamp: BASE, message: '{"a":{"b":1}}' }, { timestamp: BASE, message: '{}' }];
    for (const q of ['fields jsonParse(@message) as j | sort j.a | display @message', 'fields jsonParse(@message) as j | sort j.a desc | display @message']) {
      assert.deepEqual(referenceRunQuery(q, evs).rows, [['{"a":{"b":1}}'], ['{}']], q);
      assert.deepEqual(runQuery(q, evs).rows, [['{"a":{"b":1}}'], ['{}']], q);
    }
  });

  it('the scan keeps lines whose system fields pass a leading filter (the byte prefilter must not ask for their values)', async () => {
    // @logStream, @log, @timestamp ... are not in the line: a literal from their comparison values rules out every line.
    const dir = mkdtempSync(join(tmpdir(), 'hs-insights-'));
    const path = join(dir, 'flow.log');
    writeFileSync(path, '{"dhost":"a.com"}\n');
    try {
      for (const q of ['filter @logStream = "flow" | fields dhost', 'filter @logStream in ["flow"] | fields dhost', 'filter @log like "DiscrimiNAT" | fields dhost']) {
        assert.deepEqual(runQuery(q, [{ timestamp: BASE, message: '{"dhost":"a.com"}' }]).rows, [['a.com']], q);
        const { result } = await queryInputs(compileQuery(q), [{ name: path, path }]);
        assert.deepEqual(result.rows, [['a.com']], `${q} over a file`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
