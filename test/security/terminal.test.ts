/**
 * Issue 7, hostile logs on a terminal: under a pseudo-terminal (python3's pty module) escape
 * sequences, C1 controls and bidi overrides from log lines come out as visible escapes, in
 * filter output (raw, ndjson, json), query output (table, json, ndjson, csv, markdown) and in
 * messages that quote input or file names. Through a pipe, filter's default output is the
 * input lines byte for byte. CSV and Markdown cells that a spreadsheet would run as formulas
 * are neutralised, unless --raw-csv.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, cliOnTerminal, contentOf, corpusDir, escapedByHand, havePty, manifest, splitLines, UNSAFE_EXCEPT_NEWLINE } from './corpus.js';

const file = (p: string): string => join(corpusDir, p);
const CONTROLS = file('text/controls.log');
const ESCAPES = file('json/escapes.log');
const RAW_CONTROLS = file('json/raw-controls.log');
const EXPORT = file('formats/export.log');
const TAIL = file('formats/tail.log');
const NDJSON = file('formats/events.ndjson');
const AWS = file('formats/aws.json');
const FORMULAS = file('json/formulas.log');

/** The lines of a corpus file that the manifest says are events, as text. */
function eventLines(path: string): Buffer[] {
  const entry = manifest.files.find((f) => f.path === path)!;
  const lines = splitLines(contentOf(file(path)));
  return entry.lines.filter((l) => l.expect === 'event').map((l) => lines[l.line - 1]!);
}

/** Where a terminal output holds something unsafe, for the failure message. */
function unsafeAt(s: string, re = UNSAFE_EXCEPT_NEWLINE): string | null {
  const m = re.exec(s);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).padStart(4, '0')} at ${m.index}: ${JSON.stringify(s.slice(Math.max(0, m.index - 40), m.index + 20))}` : null;
}

const pty = havePty();
const skipNoPty = pty ? false : 'python3 with the pty module is not available';

describe('through a pipe', () => {
  it("filter's default output is each matching input line, byte for byte", () => {
    const plain = manifest.files.filter((f) => !f.compressed && !f.fileIssues && f.format !== 'aws-json');
    // One run over all of them: output is in input order.
    const r = cli(['filter', '', ...plain.map((f) => file(f.path))]);
    let at = 0;
    for (const f of plain) {
      const want = Buffer.concat(eventLines(f.path).flatMap((l) => [l, Buffer.from('\n')]));
      assert.ok(r.stdout.subarray(at, at + want.length).equals(want), `${f.path}: output differs from its event lines`);
      at += want.length;
    }
    assert.equal(at, r.stdout.length);
  });

  it('--escape shows every unsafe character of every format as an escape', () => {
    for (const output of ['raw', 'ndjson', 'json']) {
      const r = cli(['filter', '', CONTROLS, ESCAPES, RAW_CONTROLS, EXPORT, TAIL, NDJSON, AWS, '--escape', '--output', output]);
      assert.equal(r.status, 0);
      assert.equal(unsafeAt(r.stdout.toString('utf8')), null, `--output ${output}`);
    }
  });
});

describe('on a terminal', { skip: skipNoPty }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'haystack-terminal-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Terminal output without the closing summary (stderr shares the terminal). */
  const withoutSummary = (out: string): string => out.replace(/^haystack: \d+ lines? skipped: .*\n/m, '');

  it('filter raw output: each text line shown with its controls escaped, nothing else changed', () => {
    const paths = ['text/controls.log', 'json/escapes.log', 'json/raw-controls.log'];
    const r = cliOnTerminal(['filter', '', ...paths.map(file)]);
    assert.equal(r.status, 0);
    assert.equal(unsafeAt(r.out), null);
    const want = paths.flatMap((p) => eventLines(p)).map((l) => escapedByHand(l.toString('utf8')) + '\n').join('');
    assert.equal(withoutSummary(r.out), want);
  });

  it('filter raw output of export and tail lines: the whole line, escaped (time and stream kept, as through a pipe)', () => {
    const paths = ['formats/export.log', 'formats/tail.log'];
    const r = cliOnTerminal(['filter', '', ...paths.map(file)]);
    assert.equal(r.status, 0);
    assert.equal(unsafeAt(r.out), null);
    const want = paths.flatMap((p) => eventLines(p)).map((l) => escapedByHand(l.toString('utf8')) + '\n').join('');
    assert.equal(withoutSummary(r.out), want);
  });

  it('filter ndjson and json output: escaped, and still the same messages when read back', () => {
    const paths = ['text/controls.log', 'json/escapes.log', 'formats/events.ndjson', 'formats/tail.log'];
    const ndjsonMessage = (l: Buffer): string => (JSON.parse(l.toString('utf8')) as { message: string }).message;
    const tailMessage = (l: Buffer): string => l.toString('utf8').replace(/^\S+ \S+ /, ''); // <time> <stream> <message>
    const messages = paths.flatMap((p) => eventLines(p).map(p.endsWith('.ndjson') ? ndjsonMessage : p.startsWith('formats/tail') ? tailMessage : (l: Buffer) => l.toString('utf8')));
    for (const output of ['ndjson', 'json']) {
      const r = cliOnTerminal(['filter', '', ...paths.map(file), '--output', output]);
      assert.equal(unsafeAt(r.out), null, `--output ${output}`);
      const body = withoutSummary(r.out);
      const records = (output === 'json' ? JSON.parse(body) : body.trim().split('\n').map((l) => JSON.parse(l))) as { message: string }[];
      assert.deepEqual(records.map((x) => x.message), messages, `--output ${output}: the messages, read back`);
    }
  });

  it('query table output: cells escaped, the grid intact', () => {
    const r = cliOnTerminal(['query', 'stats count(*) as n by dhost, http_user_agent | sort dhost asc', ESCAPES]);
    assert.equal(r.status, 0);
    assert.equal(unsafeAt(r.out), null);
    assert.match(r.out, /evil\\x1b\]0;pwned\\x07\.example/);
    assert.match(r.out, /\\u202egpj\.exe/);
    assert.match(r.out, /csi\\x9b31m\.example/);
    // every row of the grid is one terminal line
    const rows = r.out.trimEnd().split('\n');
    assert.ok(rows.every((l) => /^[┌│├└]/.test(l)), r.out);
    const text = cliOnTerminal(['query', 'parse @message "dhost=* " as dhost | stats count(*) by dhost', CONTROLS]);
    assert.equal(unsafeAt(text.out), null);
    assert.match(text.out, /evil\\x1b\]0;pwned\\x07\.example/);
  });

  it('query json and ndjson output: escaped on a terminal too', () => {
    for (const output of ['json', 'ndjson']) {
      const r = cliOnTerminal(['query', 'stats count(*) as n by dhost, http_user_agent', ESCAPES, '--output', output]);
      assert.equal(r.status, 0);
      assert.equal(unsafeAt(r.out), null, `--output ${output}`);
    }
  });

  it('query csv and markdown output: escaped on a terminal', () => {
    for (const output of ['csv', 'markdown']) {
      const r = cliOnTerminal(['query', 'stats count(*) as n by dhost, http_user_agent', ESCAPES, '--output', output]);
      assert.equal(r.status, 0);
      assert.equal(unsafeAt(r.out), null, `--output ${output}`);
    }
  });

  it('messages that quote input: file names, the scan summary, pattern and query diagnostics', () => {
    const evil = `evil${'\u001b'}]0;pwned${'\u0007'}${'\u202e'}gol.log`;
    const path = join(dir, evil);
    writeFileSync(path, '{"a":1}\nnot json\n');
    const checks: [string, string[], RegExp][] = [
      ['a summary that names the file', ['filter', '{ $.a = 1 }', path], /haystack: 1 line skipped: 1 not JSON \(first at .*evil\\x1b\]0;pwned\\x07\\u202egol\.log:2\)/],
      ['an error that names a missing file', ['filter', '', join(dir, `no${'\u001b'}[2Jsuch${'\u202e'}.log`)], /no\\x1b\[2Jsuch\\u202e\.log/],
      ['a pattern diagnostic', ['filter', `{ $.a = "${'\u001b'}[31m${'\u202e'}" `, path], /\\x1b\[31m\\u202e/],
      ['a query diagnostic', ['query', `filter x = "${'\u001b'}[31m${'\u202e'}" | nosuchcommand`, path], /\\x1b\[31m\\u202e/],
      ['a query file name', ['query', '-f', join(dir, `q${'\u001b'}[2J.insights`), path], /q\\x1b\[2J\.insights/],
      ['an aws-json issue that quotes JSON.parse', ['filter', '', AWS], /haystack: .* skipped/],
      ['an NDJSON stream name in the summary', ['filter', '', NDJSON], /haystack: .* skipped/],
    ];
    for (const [what, args, shows] of checks) {
      const r = cliOnTerminal(args);
      assert.equal(unsafeAt(r.out), null, what);
      assert.match(r.out, shows, `${what}: ${JSON.stringify(r.out.slice(0, 400))}`);
    }
  });
});

/** An RFC 4180 reader, enough for csv-stringify's output. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += c;
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row);
  return rows;
}

/** Markdown table cells, split at pipes that are not escaped; `\|` read back as `|`. */
function readMarkdown(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => l.slice(2, -2).split(/ (?<!\\)\| /).map((c) => c.replace(/\\\|/g, '|')));
}

describe('spreadsheet formulas in csv and markdown output', () => {
  const values = eventLines('json/formulas.log').map((l) => JSON.parse(l.toString('utf8')) as { dhost: string; http_user_agent: string });
  const FORMULA = /^[=+\-@\t\r]/; // OWASP: cells that start with these run as formulas
  const neutral = (v: string): string => (FORMULA.test(v) ? `'${v}` : v);
  const query = 'fields dhost, http_user_agent';

  it('csv: every cell that would run as a formula starts with a quote; --raw-csv keeps the values', () => {
    const r = cli(['query', query, FORMULAS, '--output', 'csv']);
    assert.equal(r.status, 0);
    const rows = readCsv(r.stdout.toString('utf8'));
    assert.deepEqual(rows[0], ['dhost', 'http_user_agent']);
    assert.deepEqual(new Set(rows.slice(1).map((x) => x.join('\u0000'))), new Set(values.map((v) => [neutral(v.dhost), neutral(v.http_user_agent)].join('\u0000'))));
    for (const cell of rows.slice(1).flat()) assert.doesNotMatch(cell, FORMULA, cell);
    const raw = readCsv(cli(['query', query, FORMULAS, '--output', 'csv', '--raw-csv']).stdout.toString('utf8'));
    assert.deepEqual(new Set(raw.slice(1).map((x) => x.join('\u0000'))), new Set(values.map((v) => [v.dhost, v.http_user_agent].join('\u0000'))));
  });

  it('markdown: cells neutralised (and their controls escaped); --raw-csv keeps the values', () => {
    const r = cli(['query', query, FORMULAS, '--output', 'markdown']);
    assert.equal(r.status, 0);
    const rows = readMarkdown(r.stdout.toString('utf8'));
    assert.deepEqual(rows[0], ['dhost', 'http_user_agent']);
    const cells = rows.slice(2).flat();
    assert.equal(cells.length, values.length * 2);
    for (const cell of cells) assert.doesNotMatch(cell, FORMULA, cell);
    assert.equal(unsafeAt(r.stdout.toString('utf8'), UNSAFE_EXCEPT_NEWLINE), null);
    const want = new Set(values.map((v) => [neutral(escapedByHand(v.dhost)), neutral(escapedByHand(v.http_user_agent))].join('\u0000')));
    assert.deepEqual(new Set(rows.slice(2).map((x) => x.join('\u0000'))), want);
    const raw = readMarkdown(cli(['query', query, FORMULAS, '--output', 'markdown', '--raw-csv']).stdout.toString('utf8'));
    assert.deepEqual(new Set(raw.slice(2).map((x) => x.join('\u0000'))), new Set(values.map((v) => [escapedByHand(v.dhost), escapedByHand(v.http_user_agent)].join('\u0000'))));
  });

  it('on a terminal, csv cells are escaped and still neutralised', { skip: skipNoPty }, () => {
    const r = cliOnTerminal(['query', query, FORMULAS, '--output', 'csv']);
    assert.equal(r.status, 0);
    assert.equal(unsafeAt(r.out), null);
    for (const cell of readCsv(r.out).slice(1).flat()) assert.doesNotMatch(cell, FORMULA, cell);
  });

  it('json output keeps the values as they are (it is not a spreadsheet format)', () => {
    const r = cli(['query', query, FORMULAS, '--output', 'json']);
    const rows = JSON.parse(r.stdout.toString('utf8')) as { dhost: string; http_user_agent: string }[];
    assert.deepEqual(new Set(rows.map((x) => x.dhost)), new Set(values.map((v) => v.dhost)));
  });
});
