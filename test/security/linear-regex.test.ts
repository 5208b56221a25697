/**
 * Issue 7, hostile logs: regexes never backtrack catastrophically on attacker-chosen lines.
 *
 * Filter-pattern regexes have no groups, so `%(a+)+$%` is refused with a diagnostic and the
 * classic that remains is a run of stars (`%^a*a*a*a*a*a*a*a*a*b$%`). Logs Insights accepts
 * groups: `/(a+)+$/`, `/(a|aa)+$/`, `/(a*)*b/` run on re2js (linear time) in `like`, `=~`,
 * `parse` and in regexReplace, whose pattern may even come from the log data.
 *
 * Linear time is shown with a deterministic measure of work, not a clock: the characters the
 * engine reads. re2js reads its input with String.prototype.charCodeAt / codePointAt, so the
 * test counts those calls while one match runs, at input sizes n and 4n. Linear work grows 4
 * times (the bound allows 4.5) and stays within a few reads per character; quadratic would grow
 * 16 times, and a backtracking engine would not finish. A deliberately quadratic scan is
 * measured the same way, to show the ruler works.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { compileFilterPattern } from '../../src/filter/index.js';
import { compileQuery, QueryRun } from '../../src/insights/index.js';
import { cli } from './corpus.js';

/** Characters read (charCodeAt and codePointAt calls) while `f` runs. */
function charactersRead(f: () => void): number {
  const proto = String.prototype;
  const charCodeAt = proto.charCodeAt;
  const codePointAt = proto.codePointAt;
  let n = 0;
  proto.charCodeAt = function (this: string, i: number): number {
    n++;
    return charCodeAt.call(this, i);
  };
  proto.codePointAt = function (this: string, i: number): number | undefined {
    n++;
    return codePointAt.call(this, i);
  };
  try {
    f();
  } finally {
    proto.charCodeAt = charCodeAt;
    proto.codePointAt = codePointAt;
  }
  return n;
}

// re2js picks its engine by input size (a bit-state backtracker below some length, then a
// DFA or NFA), which changes the work per character between 16k and 64k: both sizes are above.
const N = 64 * 1024;
/** Linear work grows by 4 from n to 4n; this leaves room for constant overheads only. */
const LINEAR_BOUND = 4.5;
/** And it stays within a few reads per character at both sizes. */
const READS_PER_CHAR = 8;

interface Case {
  name: string;
  /** Compiled once, outside the measure. */
  prepare(): (message: string) => unknown;
  /** A line of about n characters built to make a backtracking engine explode. */
  input(n: number): string;
  /** What the match must say (a backtracking engine would never get to say it). */
  want: unknown;
}

function filterCase(pattern: string, input: (n: number) => string, want: boolean): Case {
  return { name: `filter ${pattern}`, prepare: () => compileFilterPattern(pattern).matches, input, want };
}

function queryCase(query: string, input: (n: number) => string, want: unknown): Case {
  return {
    name: `query ${query}`,
    prepare: () => {
      const q = compileQuery(`${query} | stats count(*) as n`);
      return (message) => {
        const run = new QueryRun(q, { now: 0 });
        run.push({ timestamp: 1, message });
        return run.finish().rows[0]![0];
      };
    },
    input,
    want,
  };
}

const aThenBang = (n: number): string => 'a'.repeat(n) + '!';
const aThenBBang = (n: number): string => 'a'.repeat(n) + 'b!';
const STARS = 'a*a*a*a*a*a*a*a*a*';

const CASES: Case[] = [
  // Filter patterns: the unanchored form is ruled out by re2js's literal prefilter (no "b")...
  filterCase(`%${STARS}b%`, aThenBang, false),
  // ...the anchored one holds the literal, so the engine itself must run.
  filterCase(`%^${STARS}b$%`, aThenBBang, false),
  filterCase(`{ $.m = %^${STARS}b$% }`, (n) => JSON.stringify({ m: aThenBBang(n) }), false),
  filterCase(`[w = %^${STARS}b$%]`, aThenBBang, false),
  queryCase('filter @message like /(a+)+$/', aThenBang, 0),
  queryCase('filter @message like /(a|aa)+$/', aThenBang, 0),
  queryCase('filter @message like /(a*)*b/', aThenBang, 0),
  queryCase('filter @message like /^(a*)*b$/', aThenBBang, 0),
  queryCase('filter @message =~ /(a+)+$/', aThenBang, 0),
  queryCase('filter @message like /(?i)(A|AA)+$/', aThenBang, 0),
  queryCase('parse @message /(?<x>(a|aa)+)$/ | filter ispresent(x)', aThenBang, 0),
  // The regex comes from the log line itself (field `p`): still the linear engine.
  queryCase(
    'fields regexReplace(s, p, "") as r | filter r = s',
    (n) => JSON.stringify({ p: '^(a|aa)+$', s: aThenBang(n) }),
    1,
  ),
];

describe('regexes run in linear work on hostile lines', () => {
  it('the measure sees super-linear work: a quadratic scan grows about 16 times from n to 4n', () => {
    const quadratic = (s: string): number => {
      let k = 0;
      for (let i = 0; i < s.length; i += 64) for (let j = i; j < s.length; j++) k += s.charCodeAt(j) === 98 ? 1 : 0;
      return k;
    };
    const small = charactersRead(() => quadratic(aThenBang(N)));
    const big = charactersRead(() => quadratic(aThenBang(4 * N)));
    assert.ok(big / small > 12, `quadratic growth ${big / small}`);
  });

  for (const c of CASES) {
    it(`${c.name}: the same answer, with work growing linearly (n = ${N} vs 4n)`, () => {
      const run = c.prepare();
      run(c.input(64)); // warm caches (lazy DFA states, regex cache) outside the measure
      let small: unknown;
      let big: unknown;
      const workSmall = charactersRead(() => void (small = run(c.input(N))));
      const workBig = charactersRead(() => void (big = run(c.input(4 * N))));
      assert.deepEqual(small, c.want);
      assert.deepEqual(big, c.want);
      assert.ok(workBig <= LINEAR_BOUND * Math.max(workSmall, 1), `work ${workSmall} -> ${workBig} (${(workBig / Math.max(workSmall, 1)).toFixed(2)}x)`);
      assert.ok(workSmall <= READS_PER_CHAR * N && workBig <= READS_PER_CHAR * 4 * N, `reads per character: ${workSmall / N}, ${workBig / (4 * N)}`);
      // It does read the input when no literal rules it out: the measure is not vacuous.
      if (!c.name.includes(`%${STARS}b%`) && !c.name.includes('(a*)*b/')) assert.ok(workSmall >= N, `work ${workSmall} for n = ${N}`);
    });
  }
});

describe('regexes that only a backtracking engine could run are refused', () => {
  it('filter patterns: groups are refused with a diagnostic (there are no groups), so (a+)+ cannot be written', () => {
    for (const pattern of ['%(a+)+$%', '%(a|aa)+%', '{ $.m = %(a*)*b% }', '[w = %(a+)+%]']) {
      assert.throws(
        () => compileFilterPattern(pattern),
        (e: unknown) => e instanceof DiagnosticError && e.diagnostics.some((d) => d.code === 'HS1501' && d.severity === 'error'),
        pattern,
      );
    }
    const r = cli(['filter', '%(a+)+$%', '-'], {});
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error HS1501: parentheses are not allowed in a regex/);
    assert.match(r.stderr, /\n1 \| %\(a\+\)\+\$%\n/);
  });

  it('Logs Insights: backreferences and lookaround are refused before any input is read', () => {
    for (const q of ['filter @message like /(a)\\1/', 'filter @message like /a(?=b)/', 'filter @message like /(?<!a)b/']) {
      assert.throws(() => compileQuery(q), DiagnosticError, q);
    }
  });
});

describe('end to end: a 256 KiB hostile line through the CLI', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'haystack-regex-'));
    writeFileSync(join(dir, 'a.log'), `first\n${'a'.repeat(256 * 1024)}!\n${'a'.repeat(256 * 1024)}b!\nlast\n`);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('filter and query finish with the right answers', () => {
    const path = join(dir, 'a.log');
    const f = cli(['filter', `%^${STARS}b$%`, path, '--count'], { timeoutMs: 30_000 });
    assert.equal(f.timedOut, false);
    assert.equal(f.stdout.toString(), '0\n');
    for (const q of ['filter @message like /(a+)+$/', 'filter @message like /(a|aa)+$/', 'filter @message like /^(a*)*b$/']) {
      const r = cli(['query', `${q} | stats count(*) as n`, path, '--output', 'json'], { timeoutMs: 30_000 });
      assert.equal(r.timedOut, false, q);
      assert.equal(r.status, 0, r.stderr);
      // No line ends in "a" or is a run of a's and one b: nothing matches.
      assert.deepEqual(JSON.parse(r.stdout.toString()), [{ n: 0 }], q);
    }
  });
});
