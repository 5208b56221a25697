/**
 * Issue 7, hostile logs: every line of the hostile corpus (test/hostile/, MANIFEST.json) is
 * accounted for. Events plus each kind of issue equal what the manifest says, exactly, file by
 * file (library) and over the whole corpus (CLI filter and query); the events after each bad
 * line are still seen (the event line numbers are compared, not only counted); nothing
 * crashes; exit codes are those documented (0, 3 under --strict, 2 for usage).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants as fsc, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ScanReport } from '../../src/engine/scan.js';
import { compileFilterPattern } from '../../src/filter/index.js';
import { filterInputs } from '../../src/filter/plan.js';
import { compileQuery, runQuery } from '../../src/insights/index.js';
import { queryInputs } from '../../src/insights/scan.js';
import {
  addIssues,
  cli,
  contentOf,
  corpusDir,
  expected,
  type Expected,
  ISSUE_KINDS,
  type IssueKind,
  makeHostile,
  manifest,
  type ManifestFile,
  parseSummary,
  splitLines,
} from './corpus.js';

const EVERY = manifest.scans.every.filterPattern; // ''
const PARSED = manifest.scans.parsed.filterPattern; // a JSON pattern every parsed object matches
const at = (f: ManifestFile): string => join(corpusDir, f.path);

function issueCounts(r: ScanReport): Partial<Record<IssueKind, number>> {
  const out: Partial<Record<IssueKind, number>> = {};
  for (const [k, c] of r.issues.byKind) out[k as IssueKind] = c.count;
  return out;
}

/** Sorted entries, so deepEqual does not care about key order. */
const sorted = (o: Partial<Record<IssueKind, number>>): [string, number][] => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)) as [string, number][];

interface Scanned {
  lines: (number | null)[];
  messages: string[];
  report: ScanReport;
}

async function scanFile(pattern: string, name: string, path: string, options = {}): Promise<Scanned> {
  const lines: (number | null)[] = [];
  const messages: string[] = [];
  const report = await filterInputs(compileFilterPattern(pattern), [{ name, path }], (e) => {
    lines.push(e.line);
    messages.push(e.message);
  }, { threads: 1, ...options });
  return { lines, messages, report };
}

/** The messages of aws-json event lines, read here with JSON.parse (one event per line, or a one-line page). */
function awsMessages(f: ManifestFile, eventLines: readonly number[]): string[] {
  const lines = splitLines(contentOf(at(f)));
  return eventLines.flatMap((n) => {
    const v = JSON.parse(lines[n - 1]!.toString('utf8').replace(/,$/, '')) as { message?: string; events?: { message: string }[] };
    return v.events ? v.events.map((e) => e.message) : [v.message!];
  });
}

/** Byte offset of the start of a line (1-based) in a file's content, for aws-json places. */
function offsetOfLine(content: Buffer, n: number): number {
  let at = 0;
  for (let i = 1; i < n; i++) at = content.indexOf(0x0a, at) + 1;
  return at;
}

function checkReport(where: string, f: ManifestFile, want: Expected, got: Scanned): void {
  // aws-json events have no line numbers: their messages show which were seen.
  if (f.format === 'aws-json') assert.deepEqual(got.messages, awsMessages(f, want.eventLines), `${where}: the events (in order)`);
  else assert.deepEqual(got.lines, want.eventLines, `${where}: the lines that are events (in order)`);
  assert.deepEqual(sorted(issueCounts(got.report)), sorted(want.issues), `${where}: issues by kind`);
  assert.equal(got.report.formats.get(f.path), f.format, `${where}: detected format`);
  for (const [k, line] of Object.entries(want.firstLine) as [IssueKind, number][]) {
    const first = got.report.issues.byKind.get(k)?.first;
    const place = f.format === 'aws-json' ? `${f.path} byte ${offsetOfLine(contentOf(at(f)), line)}` : `${f.path}:${line}`;
    assert.equal(first, place, `${where}: where the first ${k} was`);
  }
}

describe('the hostile corpus', () => {
  it('is what scripts/make-hostile.mjs writes (deterministic, and not edited by hand)', () => {
    const r = spawnSync(process.execPath, [makeHostile, '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('lists every line of every plain file, and the files are small', () => {
    let total = 0;
    for (const f of manifest.files) {
      total += f.bytes;
      if (f.compressed || f.format === 'aws-json') continue;
      const lines = splitLines(contentOf(at(f)));
      assert.equal(lines.length, f.lines.length, `${f.path}: lines in the file vs the manifest`);
      for (const l of lines) assert.ok(l.length <= 1024 * 1024, `${f.path}: a committed line over 1 MiB`);
    }
    assert.ok(total < 400 * 1024, `the corpus is ${total} bytes`);
    // every kind of scan issue appears somewhere
    const kinds = new Set<string>();
    for (const f of manifest.files) {
      for (const l of f.lines) for (const o of [l.expect, l.expectParsed ?? '']) for (const p of o.split('+')) if (p.startsWith('issue:')) kinds.add(p.slice(6));
      for (const k of f.fileIssues ?? []) kinds.add(k);
    }
    const longLines = manifest.files.find((f) => f.path === 'long/long-lines.log.gz')!;
    assert.ok(longLines.lines.some((l) => l.expect === 'issue:too-long'));
    assert.deepEqual([...kinds].sort(), [...ISSUE_KINDS].sort());
  });
});

describe('library: filterInputs, file by file', () => {
  for (const f of manifest.files) {
    it(`${f.path} (${f.format}): ${f.about}`, async () => {
      // A scan that takes every event: the empty pattern.
      const every = await scanFile(EVERY, f.path, at(f));
      checkReport('empty pattern', f, expected(f.lines, f.fileIssues), every);
      // A JSON pattern, which parses every line of a json file in full.
      if (f.format === 'json') checkReport('JSON pattern', f, expected(f.lines, f.fileIssues, true), await scanFile(PARSED, f.path, at(f)));
      // A query that counts every event: the same events, the same issues.
      const q = await queryInputs(compileQuery(manifest.scans.every.query), [{ name: f.path, path: at(f) }], { threads: 1 });
      const want = expected(f.lines, f.fileIssues);
      assert.deepEqual(q.result.rows, [[want.eventLines.length]], 'stats count(*)');
      assert.deepEqual(sorted(issueCounts(q.report)), sorted(want.issues), 'query: issues by kind');
    });
  }
});

describe('the whole corpus in one run', () => {
  const every = { events: 0, issues: {} as Partial<Record<IssueKind, number>> };
  const parsedJson = { events: 0, issues: {} as Partial<Record<IssueKind, number>> };
  const jsonFiles = manifest.files.filter((f) => f.format === 'json');
  before(() => {
    for (const f of manifest.files) {
      const e = expected(f.lines, f.fileIssues);
      every.events += e.eventLines.length;
      addIssues(every.issues, e.issues);
    }
    for (const f of jsonFiles) {
      const e = expected(f.lines, f.fileIssues, true);
      parsedJson.events += e.eventLines.length;
      addIssues(parsedJson.issues, e.issues);
    }
  });

  it('library: the directory in name order, and on worker threads in small parts', async () => {
    const inputs = manifest.files.map((f) => ({ name: f.path, path: at(f) }));
    for (const options of [{ threads: 1 }, { threads: 4, parallelMinBytes: 1, partBytes: 4096 }]) {
      let events = 0;
      const r = await filterInputs(compileFilterPattern(EVERY), inputs, () => void events++, options);
      assert.equal(events, every.events, `events, ${JSON.stringify(options)}`);
      assert.deepEqual(sorted(issueCounts(r)), sorted(every.issues), `issues, ${JSON.stringify(options)}`);
    }
  });

  it('CLI filter with the empty pattern: the count, and the summary on stderr; exit 0, or 3 with --strict', () => {
    const r = cli(['filter', EVERY, 'test/hostile', '--count']);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.toString(), `${every.events}\n`);
    const s = parseSummary(r.stderr);
    assert.deepEqual(sorted(s.counts), sorted(every.issues), r.stderr);
    assert.equal(s.total, Object.values(every.issues).reduce((a, b) => a + b, 0));
    // The first of each line-level kind, in the order a directory is read (names in order, folder by folder).
    const byName = (a: ManifestFile, b: ManifestFile): number => {
      const x = a.path.split('/');
      const y = b.path.split('/');
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
      return x.length - y.length;
    };
    const inWalkOrder = [...manifest.files].sort(byName);
    for (const k of ISSUE_KINDS) {
      const f = inWalkOrder.find((x) => expected(x.lines).firstLine[k] !== undefined || x.fileIssues?.includes(k));
      if (!f || f.format === 'aws-json') continue;
      const line = expected(f.lines).firstLine[k];
      if (line !== undefined) assert.equal(s.first[k], `test/hostile/${f.path}:${line}`, `first ${k}`);
      else assert.ok(s.first[k]?.startsWith(`test/hostile/${f.path}`), `first ${k}: ${s.first[k]}`);
    }
    const strict = cli(['filter', EVERY, 'test/hostile', '--count', '--strict']);
    assert.equal(strict.status, 3, strict.stderr);
    assert.equal(strict.stdout.toString(), `${every.events}\n`);
  });

  it('CLI filter with a JSON pattern over the json files: every line parsed, every bad one counted', () => {
    const r = cli(['filter', PARSED, ...jsonFiles.map((f) => `test/hostile/${f.path}`), '--count']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.toString(), `${parsedJson.events}\n`);
    assert.deepEqual(sorted(parseSummary(r.stderr).counts), sorted(parsedJson.issues), r.stderr);
  });

  it('CLI query stats count(*): the count, and the same summary; exit 0, or 3 with --strict', () => {
    const r = cli(['query', manifest.scans.every.query, 'test/hostile', '--output', 'json']);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.toString()), [{ 'count(*)': every.events }]);
    assert.deepEqual(sorted(parseSummary(r.stderr).counts), sorted(every.issues), r.stderr);
    assert.equal(cli(['query', manifest.scans.every.query, 'test/hostile', '--strict']).status, 3);
  });

  it('usage errors exit 2 whatever the inputs hold', () => {
    for (const args of [
      ['filter', '{ $.a = }', 'test/hostile'],
      ['filter', '%(a+)+$%', 'test/hostile'],
      ['filter', '', 'test/hostile', '--output', 'nope'],
      ['query', 'stats count(*) by', 'test/hostile'],
      ['query', 'filter @message like /(a)\\1/', 'test/hostile'],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout.length, 0);
    }
  });
});

describe('what hostile lines say, read by filter patterns and queries', () => {
  const file = (p: string): ManifestFile => manifest.files.find((f) => f.path === p)!;
  const messages = (p: string): string[] => splitLines(contentOf(at(file(p)))).map((b) => b.toString('utf8'));

  it('duplicate keys: the last wins; keys and values named after Object.prototype members are data', async () => {
    const lines = messages('json/keys.log');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>); // JSON.parse: own properties, last wins
    const lineNos = (test: (o: Record<string, unknown>) => boolean): number[] => parsed.flatMap((o, i) => (test(o) ? [i + 1] : []));
    const own = (o: Record<string, unknown>, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
    const cases: [string, (o: Record<string, unknown>) => boolean][] = [
      ['{ $.dup = "last" }', (o) => own(o, 'dup') === 'last'],
      ['{ $.dup = "first" }', (o) => own(o, 'dup') === 'first'],
      ['{ $.__proto__ = "p" }', (o) => own(o, '__proto__') === 'p'],
      ['{ $.__proto__ = 2 }', (o) => own(o, '__proto__') === 2],
      ['{ $.constructor = "c" }', (o) => own(o, 'constructor') === 'c'],
      ['{ $.prototype = "t" }', (o) => own(o, 'prototype') === 't'],
      ['{ $.hasOwnProperty = "h" }', (o) => own(o, 'hasOwnProperty') === 'h'],
      ['{ $.toString = "s" }', (o) => own(o, 'toString') === 's'],
      ['{ $.__proto__.polluted = "yes" }', (o) => (own(o, '__proto__') as Record<string, unknown> | undefined)?.polluted === 'yes'],
      ['{ $.constructor NOT EXISTS }', (o) => own(o, 'constructor') === undefined],
      ['{ $.valueOf NOT EXISTS }', () => true],
      ['{ $.dhost = "__proto__" }', (o) => own(o, 'dhost') === '__proto__'],
    ];
    for (const [pattern, test] of cases) {
      const got = await scanFile(pattern, 'keys.log', at(file('json/keys.log')));
      assert.deepEqual(got.lines, lineNos(test), pattern);
    }
    // Insights: the same members as fields, and values named after prototype members as group keys.
    const events = lines.map((message, i) => ({ timestamp: 1_700_000_000_000 + i, message }));
    const byDhost = new Map<string, number>();
    for (const o of parsed) if (typeof own(o, 'dhost') === 'string') byDhost.set(own(o, 'dhost') as string, (byDhost.get(own(o, 'dhost') as string) ?? 0) + 1);
    const r = runQuery('filter ispresent(dhost) | stats count(*) as n by dhost | sort dhost asc', events);
    assert.deepEqual(new Map(r.rows.map(([d, n]) => [d as string, n as number])), byDhost);
    assert.deepEqual(runQuery('filter dup = "last" | stats count(*) as n', events).rows, [[lineNos((o) => own(o, 'dup') === 'last').length]]);
    assert.deepEqual(runQuery('filter constructor = "c" and prototype = "t" | stats count(*) as n', events).rows, [[1]]);
    assert.deepEqual(runQuery('filter __proto__.polluted = "yes" | stats count(*) as n', events).rows, [[1]]);
    assert.deepEqual(runQuery('fields dhost | filter ispresent(dhost) | dedup dhost', events).rows.map(([d]) => d).sort(), [...byDhost.keys()].sort());
    // Nothing leaked into Object.prototype.
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(typeof Object.prototype.hasOwnProperty, 'function');
    assert.equal(typeof Object.prototype.toString, 'function');
  });

  it('numbers beyond double precision compare as doubles, in filter patterns and queries', async () => {
    const lines = messages('json/numbers.log');
    // The spec compares numbers as IEEE doubles (filter spec 4.7); lines that are not JSON never match.
    const values = lines.map((l) => {
      try {
        return Number((JSON.parse(l) as { n: unknown }).n);
      } catch {
        return undefined;
      }
    });
    const lineNos = (test: (n: number) => boolean): number[] => values.flatMap((v, i) => (v !== undefined && test(v) ? [i + 1] : []));
    const cases: [string, (n: number) => boolean][] = [
      ['{ $.n > 1e308 }', (n) => n > 1e308],
      ['{ $.n < -1e308 }', (n) => n < -1e308],
      ['{ $.n = 12345678901234567890123 }', (n) => n === 12345678901234567890123],
      ['{ $.n = 9007199254740992 }', (n) => n === 9007199254740992],
      ['{ $.n = 0 }', (n) => n === 0],
    ];
    for (const [pattern, test] of cases) {
      const got = await scanFile(pattern, 'numbers.log', at(file('json/numbers.log')));
      assert.deepEqual(got.lines, lineNos(test), pattern);
    }
    const events = lines.map((message, i) => ({ timestamp: 1_700_000_000_000 + i, message }));
    assert.deepEqual(runQuery('filter n > 1e308 | stats count(*) as c', events).rows, [[lineNos((n) => n > 1e308).length]]);
    assert.deepEqual(runQuery('filter n = 12345678901234567890123 | stats count(*) as c', events).rows, [[lineNos((n) => n === 12345678901234567890123).length]]);
  });

  it('a line of 20,001 words: space-delimited patterns with ... neither crash nor lose the line', async () => {
    const f = file('text/many-fields.log');
    const lines = messages(f.path);
    // spec D21: ... takes zero or more fields. Written out for these patterns.
    const words = (m: string): string[] => m.split(' ').filter((w) => w !== '');
    const cases: [string, (m: string) => boolean][] = [
      ['[..., last = end]', (m) => words(m).at(-1) === 'end'],
      ['[first, ..., last = end]', (m) => words(m).length >= 2 && words(m).at(-1) === 'end'],
      ['[..., w = zzz, ...]', (m) => words(m).includes('zzz')],
      ['[w1 = w, ..., w2 = w, ...]', (m) => words(m)[0] === 'w' && words(m).slice(1).includes('w')],
    ];
    for (const [pattern, test] of cases) {
      const want = lines.flatMap((m, i) => (test(m) ? [i + 1] : []));
      const got = await scanFile(pattern, f.path, at(f));
      assert.deepEqual(got.lines, want, pattern);
      const r = cli(['filter', pattern, `test/hostile/${f.path}`, '--count']);
      assert.doesNotMatch(r.stderr, /internal error/, `${pattern}: ${r.stderr.slice(0, 300)}`);
      assert.equal(r.status, 0, pattern);
      assert.equal(r.stdout.toString(), `${want.length}\n`, pattern);
    }
  });
});

describe('cases made at test time (scripts/make-hostile.mjs --runtime)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'haystack-hostile-'));
    const r = spawnSync(process.execPath, [makeHostile, '--runtime', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lines of 1 MiB and over in a plain file: across read chunks, on one thread and in parts', async () => {
    const entry = manifest.runtime.find((r) => r.path === 'long/long-lines.log')!;
    const want = expected(entry.lines!);
    const path = join(dir, entry.path);
    for (const options of [{ threads: 1 }, { threads: 4, parallelMinBytes: 1, partBytes: 256 * 1024 }]) {
      for (const pattern of [EVERY, PARSED, '{ $.n = 2 }']) {
        const got = await scanFile(pattern, entry.path, path, options);
        const events = pattern === '{ $.n = 2 }' ? [7] : want.eventLines;
        assert.deepEqual(got.lines, events, `${pattern} ${JSON.stringify(options)}`);
        assert.deepEqual(sorted(issueCounts(got.report)), sorted(want.issues), `${pattern} ${JSON.stringify(options)}`);
        assert.equal(got.report.issues.byKind.get('too-long')?.first, `${entry.path}:${want.firstLine['too-long']}`);
      }
    }
    const r = cli(['filter', EVERY, path, '--count', '--strict']);
    assert.equal(r.status, 3);
    assert.equal(r.stdout.toString(), `${want.eventLines.length}\n`);
    assert.deepEqual(parseSummary(r.stderr).counts, want.issues);
  });

  it('a symlink loop, a dangling symlink and a file of mode 000: reported, the rest is read, exit 2', (t) => {
    const tree = join(dir, 'fs', 'tree');
    let unreadable = true;
    try {
      accessSync(join(tree, 'unreadable.log'), fsc.R_OK);
      unreadable = false;
    } catch {
      // not readable: the read-error sub-check applies
    }
    const r = cli(['filter', EVERY, tree, '--output', 'ndjson']);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.equal(r.status, 2, r.stderr);
    const messages = r.stdout.toString().split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { message: string }).message);
    assert.match(r.stderr, /self: directory already visited \(symlink loop\?\)/);
    assert.match(r.stderr, /up: directory already visited \(symlink loop\?\)/);
    assert.match(r.stderr, /dangling\.log: no such file or directory/);
    if (unreadable) {
      assert.deepEqual(messages, ['{"tree":"a"}', '{"tree":"b"}']);
      assert.deepEqual(parseSummary(r.stderr).counts, { 'read-error': 1 });
      assert.match(parseSummary(r.stderr).first['read-error'] ?? '', /unreadable\.log/);
    } else {
      t.diagnostic('mode 000 does not stop this user (root): the read-error sub-check is skipped; the file is read as one event');
      assert.deepEqual(messages, ['{"tree":"a"}', '{"tree":"b"}', '{"tree":"unreadable"}']);
    }
  });

  it('a FIFO met while walking a directory is not opened (the walk would wait forever for a writer)', () => {
    const r = cli(['filter', EVERY, join(dir, 'fifo'), '--count'], { timeoutMs: 5000 });
    assert.equal(r.timedOut, false, 'haystack hung on the FIFO');
    assert.ok(r.status === 0 || r.status === 2, `exit ${r.status}: ${r.stderr}`);
    assert.equal(r.stdout.toString(), '1\n');
    assert.match(r.stderr, /pipe/, 'the FIFO is named in a message');
  });
});
