// Fuzzing: (a) random pattern text never makes compileFilterPattern fail in any way but a
// DiagnosticError with well-formed diagnostics, and compiled patterns never throw on messages;
// (b) random bytes as log files never make the scan throw, in any format, and for plain text
// the matches are counted again here by hand. Fixed seed; set HAYSTACK_FC_SEED to try another.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { MAX_LINE_BYTES, type ScanReport } from '../../src/engine/scan.js';
import { compileFilterPattern, type CompiledFilterPattern } from '../../src/filter/index.js';
import { filterInputs } from '../../src/filter/plan.js';
import type { Format } from '../../src/sources/formats.js';
import { fcSeed, asyncPropertyRunner } from '../support/property.js';

const SEED = fcSeed(20261125);

const holds = asyncPropertyRunner(SEED);

// ---- (a) random pattern text ---------------------------------------------------------------

// Single characters rich in pattern punctuation, and a few tokens that reach deeper into the grammar.
const PATTERN_CHARS = [...'{}[]()$.*%"\'\\-?&|=!<>, ', ...'aZ_09eE+:/@#', ' ', '\t', '\n', '\r', 'é', '😀', '\ud800', '\u00a0', '\u0000'];
const PATTERN_TOKENS = ['$.a', '$.*', '[*]', "['a.b']", ' IS ', 'NOT EXISTS', 'TRUE', 'null', '&&', '||', '...', '%a%', '"x"', '1e3', '-1', 'w1=', '\\x41', '[0-9]'];
const patternUnit = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PATTERN_CHARS) }, { weight: 1, arbitrary: fc.constantFrom(...PATTERN_TOKENS) });
const VALID_PATTERNS = ['{ $.a = 1 && ($.b[0] != "x*" || $.c IS NULL) }', '[w1 = ERROR || w1 = WARN, ..., bytes > 1000]', 'ERROR -DEBUG ?"bad gateway"',
  '%^[hc]at|\\d{2,3}$%', '{ $.* = %111\\.1[0-9]{1,2}% && $.[\'a.b\'] NOT EXISTS }', '[ip=%127\\.0\\.0\\.[1-9]%, user, ..., status = 4*]', '""', ''];
const editedPattern = fc.tuple(fc.constantFrom(...VALID_PATTERNS), fc.array(fc.tuple(fc.nat(), fc.nat(3), patternUnit), { minLength: 1, maxLength: 4 }))
  .map(([p, edits]) => edits.reduce((t, [at, kind, s]) => {
    const i = at % (t.length + 1);
    return kind === 0 ? t.slice(0, i) + t.slice(i + 1) : kind === 1 ? t.slice(0, i) + s + t.slice(i + 1) : t.slice(0, i) + s + t.slice(i);
  }, p));
const randomPattern = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: patternUnit, maxLength: 40 }) },
  { weight: 3, arbitrary: editedPattern },
  // brace- or bracket-led, so the JSON and space-delimited parsers see most of them
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('{', '{ $.', '[', '%', '-', '?"'), fc.string({ unit: patternUnit, maxLength: 40 })).map(([a, b]) => a + b) },
  { weight: 1, arbitrary: fc.string({ unit: patternUnit, minLength: 900, maxLength: 1100 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1000, maxLength: 1100 }) },
  // UTF-16 code units, lone surrogates included
  { weight: 1, arbitrary: fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)), maxLength: 60 }) },
);
const randomMessage = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(...PATTERN_CHARS), maxLength: 80 }),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom('{"a":1,"b":["x",null],"c":null}', 'ERROR 404 GET "a b" [x y]', '{"a":' + '['.repeat(5000), '[[[' + ']'.repeat(3)),
);

function checkDiagnostics(pattern: string, diagnostics: DiagnosticError['diagnostics'], thrown: boolean): void {
  if (thrown) assert.ok(diagnostics.some((d) => d.severity === 'error'), `thrown without an error diagnostic for ${JSON.stringify(pattern)}`);
  for (const d of diagnostics) {
    const where = `${JSON.stringify(d)} for pattern ${JSON.stringify(pattern)}`;
    assert.match(d.code, /^HS1\d{3}$/, `code: ${where}`);
    assert.ok(d.severity === 'error' || d.severity === 'warning', `severity: ${where}`);
    if (!thrown) assert.equal(d.severity, 'warning', `a compiled pattern carries only warnings: ${where}`);
    assert.ok(typeof d.message === 'string' && d.message.trim() !== '', `message: ${where}`);
    const { start, end } = d.span;
    assert.ok(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= pattern.length, `span: ${where}`);
  }
}

describe('fuzz: random pattern text', () => {
  it('compiles, or throws a DiagnosticError with well-formed diagnostics; compiled patterns never throw on messages', async () => {
    const seen = { compiled: 0, rejected: 0, long: 0 };
    await holds('pattern text', fc.property(randomPattern, fc.array(randomMessage, { minLength: 1, maxLength: 3 }), (pattern, messages) => {
      if (pattern.length > 1024) seen.long++;
      let c: CompiledFilterPattern;
      try {
        c = compileFilterPattern(pattern);
      } catch (e) {
        assert.ok(e instanceof DiagnosticError, `not a DiagnosticError for ${JSON.stringify(pattern)}: ${(e as Error)?.stack ?? e}`);
        checkDiagnostics(pattern, e.diagnostics, true);
        seen.rejected++;
        return;
      }
      seen.compiled++;
      checkDiagnostics(pattern, c.diagnostics, false);
      for (const m of messages) {
        const r = c.matches(m);
        assert.equal(typeof r, 'boolean', `matches(${JSON.stringify(m)}) for ${JSON.stringify(pattern)}`);
        const k = c.classify(m);
        assert.ok(k === true || k === false || k === undefined);
      }
    }), 25000);
    // not vacuous: both outcomes, and patterns over the length limit
    assert.ok(seen.compiled > 1000 && seen.rejected > 1000 && seen.long > 500, JSON.stringify(seen));
  });

  // Bug (parser.ts, selector() and bracketName()): when the pattern ends inside a selector,
  // four diagnostics put their span end one or two characters past the end of the pattern.
  it('diagnostic spans stay inside the pattern when it ends inside a selector', () => {
    const outside: string[] = [];
    for (const pattern of ['{$.', '{$.a.', '{ $.[', "{$.[''", "{$.['a'", "{$['a'"]) {
      try {
        compileFilterPattern(pattern);
        assert.fail(`${pattern} compiles`);
      } catch (e) {
        assert.ok(e instanceof DiagnosticError);
        for (const d of e.diagnostics)
          if (d.span.end > pattern.length) outside.push(`${JSON.stringify(pattern)} (length ${pattern.length}): ${d.code} span ${d.span.start}-${d.span.end}`);
      }
    }
    assert.deepEqual(outside, []);
  });
});

// ---- (b) random bytes as log files ---------------------------------------------------------------

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const TEXT_PIECES: Uint8Array[] = ['ERROR', 'WARN', '404', ' ', '\t', '{"a":1}', '{"message":"ERROR x","timestamp":1}', '2024-01-02T03:04:05Z ',
  '2024-01-02T03:04:05.000+00:00 stream ', '{"events":[{"timestamp":1,"message":"ERROR"}]}', '{', '}', '"', '\\', 'é', '😀', '\r', '\uFEFF',
  '[w1 x]', '\u0000', 'x\rERROR'].map(utf8);
const BAD_PIECES: Uint8Array[] = [Uint8Array.of(0xff), Uint8Array.of(0xc3), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xc0, 0xaf),
  Uint8Array.of(0xf0, 0x9f, 0x98), Uint8Array.of(0x80), Uint8Array.of(0x1f, 0x8b, 0x08, 0x00), Uint8Array.of(0xef, 0xbb, 0xbf)];
const line: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.constantFrom(...TEXT_PIECES), { maxLength: 8 }).map((ps) => Buffer.concat(ps)) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...TEXT_PIECES, ...BAD_PIECES), { maxLength: 8 }).map((ps) => Buffer.concat(ps)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 120 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => utf8('{"a":'.repeat(n) + (n % 2 ? '1' : '') + '}'.repeat(n % 3 ? n : 0))) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => utf8('['.repeat(n))) },
);
const SEPARATORS = ['\n', '\n', '\n', '\r\n', '\r', '\n\n', ''].map(utf8);
const fileBytes: fc.Arbitrary<Buffer> = fc.tuple(
  fc.constantFrom(...[[], [0xef, 0xbb, 0xbf], [0x1f, 0x8b], [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]].map((b) => Uint8Array.from(b)), Uint8Array.of(), Uint8Array.of()),
  fc.array(fc.tuple(line, fc.constantFrom(...SEPARATORS)), { maxLength: 12 }),
  fc.boolean(),
).map(([head, lines, gzip]) => {
  const raw = Buffer.concat([head, ...lines.flatMap(([l, s]) => [l, s])]);
  return gzip && head.length === 0 ? gzipSync(raw) : raw; // a valid gzip file now and then
});

const FORMATS: (Format | undefined)[] = ['json', 'text', 'export', 'tail', 'ndjson', 'aws-json', undefined];
const SCAN_PATTERNS = ['ERROR', '-ERROR', '?WARN ?404', '"\u0000"', '"\uFEFF"', '', '{ $.a = 1 }', '{ $.* IS NULL || $.b NOT EXISTS }',
  '{ $.message = "*ERROR*" }', '[w1, w2]', '[..., status = 4*]', '[w1 = %ERROR%, ...]', '%ERR.R|\\x00%'].map((p) => compileFilterPattern(p));

/** Term patterns whose meaning is written out again here (spec 3.2, 3.3), for the independent count. */
const BY_HAND: [string, (m: string) => boolean][] = [
  ['ERROR', (m) => m.includes('ERROR')],
  ['-ERROR', (m) => !m.includes('ERROR')],
  ['?WARN ?404', (m) => m.includes('WARN') || m.includes('404')],
  ['"\u0000"', (m) => m.includes('\u0000')],
  ['"\uFEFF"', (m) => m.includes('\uFEFF')],
  ['"\rERROR" -WARN', (m) => m.includes('\rERROR') && !m.includes('WARN')],
];

/**
 * What a scan of plain-text bytes should report, counted without the scan code: lines end at
 * \n, one trailing \r is dropped, a leading BOM of the file is dropped; lines over 1 MiB, blank
 * lines and lines that are not UTF-8 hold no event.
 */
function countByHand(bytes: Buffer, test: (m: string) => boolean): { lines: number; matched: number; tooLong: number; badUtf8: number } {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let b = bytes;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
  const out = { lines: 0, matched: 0, tooLong: 0, badUtf8: 0 };
  let start = 0;
  while (start < b.length) {
    let end = b.indexOf(0x0a, start);
    const next = end === -1 ? b.length : end + 1;
    if (end === -1) end = b.length;
    let lineBytes = b.subarray(start, end);
    start = next;
    out.lines++;
    if (lineBytes.length > 0 && lineBytes[lineBytes.length - 1] === 0x0d) lineBytes = lineBytes.subarray(0, lineBytes.length - 1);
    if (lineBytes.length > 1024 * 1024) {
      out.tooLong++;
      continue;
    }
    let text: string;
    try {
      text = decoder.decode(lineBytes);
    } catch {
      out.badUtf8++; // (a blank line is ASCII, so always valid)
      continue;
    }
    if (/^[ \t\r]*$/.test(text)) continue;
    if (test(text)) out.matched++;
  }
  return out;
}

let dir = '';
let fileNo = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'haystack-fuzz-'));
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function fileWith(bytes: Uint8Array): Promise<{ name: string; path: string }> {
  const name = `input-${fileNo++}.log`;
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { name, path };
}

/** Scans and checks what must hold for any input: no exception, and counts that add up. */
async function scanChecked(c: CompiledFilterPattern, input: { name: string; path: string }, format: Format | undefined): Promise<ScanReport> {
  let calls = 0;
  const report = await filterInputs(c, [input], (e) => {
    calls++;
    assert.equal(typeof e.message, 'string');
    assert.equal(e.input, input.name);
    assert.ok(c.matches(e.message), `a reported event does not match ${JSON.stringify(c.source)}: ${JSON.stringify(e.message.slice(0, 200))}`);
  }, format === undefined ? {} : { format });
  const where = `pattern ${JSON.stringify(c.source)}, format ${format ?? 'auto'}`;
  assert.equal(report.matched, calls, `matched count vs events handed over: ${where}`);
  assert.ok(report.lines >= report.matched, `lines ${report.lines} < matched ${report.matched}: ${where}`);
  assert.equal(report.inputs, 1);
  assert.ok(report.issues.total >= 0 && [...report.issues.byKind.values()].every((v) => v.count > 0), where);
  return report;
}

describe('fuzz: random bytes as log files', () => {
  it('never throws, in any format, and the counts add up', async () => {
    let matchedSome = 0;
    await holds('random files', fc.asyncProperty(fileBytes, async (bytes) => {
      const input = await fileWith(bytes);
      for (const format of FORMATS)
        for (const c of SCAN_PATTERNS) {
          const r = await scanChecked(c, input, format);
          if (r.matched > 0) matchedSome++;
        }
    }), 100);
    assert.ok(matchedSome > 200, `some scans found matches (${matchedSome})`);
  });

  it('plain text: the matches, lines and issues are what a count by hand gives', async () => {
    const total = { lines: 0, matched: 0, tooLong: 0, badUtf8: 0 };
    const matchedBy = new Map<string, number>();
    await holds('text by hand', fc.asyncProperty(fileBytes.filter((b) => !(b[0] === 0x1f && b[1] === 0x8b)), async (bytes) => {
      const input = await fileWith(bytes);
      const gz = await fileWith(gzipSync(bytes));
      for (const [pattern, test] of BY_HAND) {
        const want = countByHand(bytes, test);
        for (const k of ['lines', 'matched', 'tooLong', 'badUtf8'] as const) total[k] += want[k];
        matchedBy.set(pattern, (matchedBy.get(pattern) ?? 0) + want.matched);
        for (const file of [input, gz]) {
          const r = await scanChecked(compileFilterPattern(pattern), file, 'text');
          const got = { lines: r.lines, matched: r.matched, tooLong: r.issues.byKind.get('too-long')?.count ?? 0, badUtf8: r.issues.byKind.get('bad-utf8')?.count ?? 0 };
          assert.deepEqual(got, want, `pattern ${JSON.stringify(pattern)} on ${file === gz ? 'gzip of ' : ''}${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`);
        }
      }
    }), 150);
    // not vacuous: many lines, many of them matching, and unreadable lines too
    assert.ok(total.matched > 0.1 * total.lines && total.badUtf8 > 100, JSON.stringify(total));
    assert.ok([...matchedBy.values()].every((n) => n >= 20), JSON.stringify([...matchedBy]));
  });

  it('an empty file, a gzip header alone and a truncated gzip file: no events, no exception', async () => {
    const full = gzipSync(Buffer.from('ERROR one\nERROR two\n'));
    for (const bytes of [Buffer.alloc(0), Buffer.of(0x1f, 0x8b), full.subarray(0, full.length - 6), Buffer.of(0xef, 0xbb, 0xbf)]) {
      const input = await fileWith(bytes);
      for (const format of FORMATS)
        for (const c of SCAN_PATTERNS) {
          const r = await scanChecked(c, input, format);
          if (bytes.length <= 3) assert.equal(r.lines, 0, `${format}: no lines in ${bytes.length} bytes`);
        }
    }
  });

  it('lines over 1 MiB, and lines across the 1 MiB read chunks, are counted as a count by hand says', async () => {
    assert.equal(MAX_LINE_BYTES, 1024 * 1024);
    const mib = 1024 * 1024;
    const parts = [
      'ERROR first\n',
      'x'.repeat(mib - 100) + ' ERROR ' + 'y'.repeat(200) + '\n', // over the limit, across the first chunk boundary
      'ERROR' + 'z'.repeat(mib - 5) + '\n', // exactly 1 MiB: kept
      'ERROR' + 'z'.repeat(mib - 4) + '\n', // 1 MiB and one byte: too long
      'WARN 404\n',
      'ERROR\u00e9'.repeat(300_000) + '\r\n', // multi-byte characters across a chunk boundary, too long
      'q'.repeat(3 * mib) + '\n', // several chunks with no newline
      'ERROR last, with no newline',
    ];
    const bytes = Buffer.from(parts.join(''), 'utf8');
    const input = await fileWith(bytes);
    const gz = await fileWith(gzipSync(bytes));
    for (const [pattern, test] of BY_HAND) {
      const want = countByHand(bytes, test);
      for (const file of [input, gz]) {
        const r = await scanChecked(compileFilterPattern(pattern), file, 'text');
        assert.deepEqual({ lines: r.lines, matched: r.matched, tooLong: r.issues.byKind.get('too-long')?.count ?? 0 },
          { lines: want.lines, matched: want.matched, tooLong: want.tooLong }, `${pattern} on ${file.name}`);
      }
    }
    for (const format of FORMATS) for (const c of SCAN_PATTERNS) await scanChecked(c, input, format);
  });

  it('a line whose UTF-8 character straddles a 1 MiB read boundary is read whole', async () => {
    const mib = 1024 * 1024;
    // 'a' * (mib - 3) + \n ends at mib - 2; then X at mib - 2, and é's two bytes at mib - 1 and mib.
    const first = 'a'.repeat(mib - 3) + '\n' + 'Xé ERROR 404\n';
    const second = 'b'.repeat(mib - Buffer.byteLength(first) % mib - 2) + '\n' + '😀WARN\n'; // 😀 straddles 2 MiB
    const bytes = Buffer.from(first + second + 'tail ERROR\n', 'utf8');
    assert.equal(bytes.subarray(mib - 1, mib + 1).toString('utf8'), 'é');
    assert.equal(bytes.subarray(2 * mib - 1, 2 * mib + 3).toString('utf8'), '😀');
    for (const file of [await fileWith(bytes), await fileWith(gzipSync(bytes))])
      for (const [pattern, test] of BY_HAND) {
        const want = countByHand(bytes, test);
        const r = await scanChecked(compileFilterPattern(pattern), file, 'text');
        assert.deepEqual({ lines: r.lines, matched: r.matched, issues: r.issues.total }, { lines: want.lines, matched: want.matched, issues: 0 }, `${pattern} on ${file.name}`);
      }
  });

  // Bug (scan.ts): the 1 MiB limit is checked before the \r of a CRLF ending is removed, so a
  // line whose message is exactly 1 MiB is an event in an LF file but "over 1 MiB" in a CRLF file.
  it('a line of exactly 1 MiB is an event whether it ends in LF or CRLF', async () => {
    const message = 'ERROR' + 'z'.repeat(MAX_LINE_BYTES - 5);
    const got: Record<string, unknown> = {};
    for (const [label, ending] of [['LF', '\n'], ['CRLF', '\r\n']]) {
      const r = await scanChecked(compileFilterPattern('ERROR'), await fileWith(Buffer.from(`${message}${ending}short ERROR${ending}`)), 'text');
      got[label] = { matched: r.matched, issues: r.issues.summary() };
    }
    assert.deepEqual(got, { LF: { matched: 2, issues: null }, CRLF: { matched: 2, issues: null } });
  });

  // Bug (scan.ts, looksLikeObject): in json format a line is "not JSON" unless it starts with {
  // and ends with } once spaces and tabs are removed; but JSON whitespace, which the message
  // parser skips (filter spec 4.2), also includes \r. So a line holding a JSON object with a
  // \r before it, or a second \r before the \n, is skipped although matches() says it matches.
  it('json format: a line that is a JSON object with \\r around it is tested, not skipped as not JSON', async () => {
    const c = compileFilterPattern('{ $.a = 1 }');
    const lines = ['{"a":1}', '\r{"a":1}', '{"a":1}\r', ' \r {"a":1}\t'];
    assert.ok(lines.every((l) => c.matches(l)), 'each line is a matching message');
    const r = await scanChecked(c, await fileWith(Buffer.from(lines.map((l) => `${l}\r\n`).join(''))), 'json');
    assert.deepEqual({ matched: r.matched, issues: r.issues.summary() }, { matched: lines.length, issues: null });
  });
});
