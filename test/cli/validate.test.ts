/**
 * `haystack validate` end to end: exit codes, the counts of a file that mixes valid and invalid
 * lines (expected values from how the file was built), the JSON report's shape, examples with
 * carets, stdin, and --format.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../paths.js';
import { runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sample = join(repoRoot, 'examples', 'flow.log');
const sampleLines = readFileSync(sample, 'utf8').split('\n').filter((l) => l !== '');

type Obj = Record<string, unknown>;

/**
 * A file of the sample's lines where every 10th line is broken in one of four ways, every 25th
 * is followed by a blank line, and line 3 gets an unknown extra field (info only).
 */
function mixedFile(): { path: string; lines: string[]; broken: { line: number; code: string; field: string }[] } {
  const breakers: [string, string, (o: Obj) => void][] = [
    ['HS3105', 'dpt', (o) => void (o.dpt = 65536)],
    ['HS3104', 'outcome', (o) => void (o.outcome = 'Allowed')],
    ['HS3106', 'src', (o) => void (o.src = '10.0.0.256')],
    ['HS3103', 'spt', (o) => void (o.spt = `${String(o.spt)}`)],
  ];
  const lines: string[] = [];
  const broken: { line: number; code: string; field: string }[] = [];
  sampleLines.forEach((message, i) => {
    const n = i + 1;
    if (n % 10 === 0) {
      const [code, field, apply] = breakers[(n / 10) % breakers.length]!;
      const o = JSON.parse(message) as Obj;
      apply(o);
      lines.push(JSON.stringify(o));
      broken.push({ line: lines.length, code, field });
    } else if (n === 3) lines.push(JSON.stringify({ ...(JSON.parse(message) as Obj), note: 'x' }));
    else lines.push(message);
    if (n % 25 === 0) lines.push('');
  });
  const path = join(dir, 'mixed.log');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, lines, broken };
}

interface JsonReport {
  lines: number;
  checked: number;
  valid: number;
  invalid: number;
  kinds: Record<string, { lines: number; valid: number; invalid: number }>;
  codes: { code: string; severity: string; count: number; lines: number; first: { input: string; event: number; line: number | null } }[];
  fields: { field: string; count: number; codes: string[]; first: { line: number | null } }[];
  generation: { verdict: string; releases: string | null; streams: unknown[]; evidence: { id: string; lines: number }[]; warnings: unknown[] };
  examples: { location: { line: number | null }; message: string; diagnostics: { code: string; span: { start: number; end: number } }[] }[];
  issues: { total: number; kinds: unknown[]; summary: string | null };
  inputs: { name: string; format: string }[];
}

test('a valid file: exit 0 and a report that says so', () => {
  const r = runCli(['validate', sample]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^lines +${sampleLines.length} read, ${sampleLines.length} checked: ${sampleLines.length} valid, 0 invalid$`, 'm'));
  assert.match(r.stdout, /^generation +G3 \(newest\)$/m);
  assert.match(r.stdout, /^problems +none$/m);
  assert.match(r.stdout, /^unreadable +none$/m);
});

test('a file mixing valid and invalid lines: exit 1, counts per code and field with first lines', () => {
  const { path, lines, broken } = mixedFile();
  const r = runCli(['validate', path, '--output', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  const messages = lines.filter((l) => l !== '');
  assert.equal(report.lines, lines.length);
  assert.equal(report.checked, messages.length);
  assert.equal(report.invalid, broken.length);
  assert.equal(report.valid, messages.length - broken.length);
  assert.deepEqual(report.kinds.flow, { lines: messages.length, valid: messages.length - broken.length, invalid: broken.length });

  // Expected by plain loops over the construction (HS3110 from line 3 counted too).
  const byCode = new Map<string, { count: number; first: number }>([['HS3110', { count: 1, first: 3 }]]);
  const byField = new Map<string, { count: number; first: number }>([['note', { count: 1, first: 3 }]]);
  for (const b of broken) {
    for (const [map, key] of [[byCode, b.code], [byField, b.field]] as const) {
      const seen = map.get(key);
      if (seen) seen.count++;
      else map.set(key, { count: 1, first: b.line });
    }
  }
  const sorted = <T>(m: Map<string, T>): [string, T][] => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  assert.deepEqual(report.codes.map((c) => [c.code, { count: c.count, first: c.first.line }]), sorted(byCode));
  assert.deepEqual(report.fields.map((f) => [f.field, { count: f.count, first: f.first.line }]), sorted(byField));
  assert.equal(report.generation.verdict, 'G3');
  assert.equal(report.issues.total, 0);
});

test('the JSON report has a stable shape', () => {
  const r = runCli(['validate', sample, '--output', 'json']);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(Object.keys(report), ['inputs', 'lines', 'checked', 'valid', 'invalid', 'kinds', 'codes', 'fields', 'generation', 'examples', 'issues']);
  assert.deepEqual(Object.keys(report.kinds), ['flow', 'config', 'unknown']);
  assert.deepEqual(Object.keys(report.generation), ['verdict', 'releases', 'streams', 'evidence', 'warnings']);
  assert.deepEqual(report.inputs, [{ name: sample, format: 'json' }]);
  assert.deepEqual(Object.keys(report.issues), ['total', 'kinds', 'summary']);
  assert.equal(report.generation.evidence.find((e) => e.id === 'instance')?.lines, sampleLines.length);
});

test('--max-examples prints the first problem lines with carets, named file:line', () => {
  const { path, lines, broken } = mixedFile();
  const r = runCli(['validate', path, '--max-examples', '2']);
  assert.equal(r.status, 1);
  const [first, second] = broken;
  assert.match(r.stdout, new RegExp(`--> ${escape(path)}:${first!.line}:1:\\d+\\n`));
  assert.match(r.stdout, new RegExp(`--> ${escape(path)}:${second!.line}:1:\\d+\\n`));
  assert.ok(r.stdout.includes(`1 | ${lines[first!.line - 1]}\n`));
  assert.equal((r.stdout.match(/^error HS31/gm) ?? []).length, 2);
  const json = JSON.parse(runCli(['validate', path, '--max-examples', '3', '--output', 'json']).stdout) as JsonReport;
  assert.deepEqual(json.examples.map((x) => x.location.line), broken.slice(0, 3).map((b) => b.line));
  const ex = json.examples[0]!;
  const o = JSON.parse(ex.message) as Obj;
  assert.equal(ex.message.slice(ex.diagnostics[0]!.span.start, ex.diagnostics[0]!.span.end), JSON.stringify(o[first!.field]), 'the span covers the bad value');
});

test('unreadable lines: listed, exit 0, or 3 under --strict', () => {
  const path = join(dir, 'garbage.log');
  writeFileSync(path, `${sampleLines[0]}\nnot a log line\n${sampleLines[1]}\n`);
  const plain = runCli(['validate', path]);
  assert.equal(plain.status, 0, plain.stdout);
  assert.match(plain.stdout, /^unreadable +1 line skipped: 1 not JSON \(first at .*garbage\.log:2\)$/m);
  assert.equal(runCli(['validate', path, '--strict']).status, 3);
  const bad = join(dir, 'garbage-and-invalid.log');
  writeFileSync(bad, `${sampleLines[0]!.replace('"dpt":', '"dpt":"x","was":')}\nnot a log line\n`);
  assert.equal(runCli(['validate', bad]).status, 1);
  assert.equal(runCli(['validate', bad, '--strict']).status, 3, '--strict reports the unreadable line first');
});

test('usage errors exit 2', () => {
  const missing = runCli(['validate', join(dir, 'no-such.log')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such file or directory/);
  assert.equal(runCli(['validate', sample, '--max-examples', 'many']).status, 2);
  assert.equal(runCli(['validate', sample, '--output', 'xml']).status, 2);
  assert.equal(runCli(['validate', sample, '--format', 'csv']).status, 2);
  const partly = runCli(['validate', sample, join(dir, 'no-such.log')]);
  assert.equal(partly.status, 2, 'a missing input is a usage error even when the rest is valid');
  assert.match(partly.stdout, /^lines +\d+ read/m, 'the inputs that exist are still reported');
});

test('stdin: read when piped; locations are its line numbers', () => {
  const bad = sampleLines[1]!.replace('"proto":"tls"', '"proto":"TLS"');
  const r = runCli(['validate'], { input: `${sampleLines[0]}\n\n${bad}\n` });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /HS3104 +error +1 +in 1 line +value outside its enum +first at stdin:3$/m);
});

test('--format forces the input format; config lines are told apart from flow lines', () => {
  const path = join(dir, 'config.export');
  const config = [
    '{"cat":"fqdn","outcome":"accepted","gid":"sg-0aaa1111","fqdn":"api.github.com","proto":"tls"}',
    '{"addr":"*.github.io","cat":"addr","outcome":"publicsuffix[.]org list matched with `github.io`"}',
  ];
  writeFileSync(path, config.map((l, i) => `2026-03-29T08:00:0${i}.000Z ${l}`).join('\n') + '\n');
  const r = JSON.parse(runCli(['validate', path, '--output', 'json']).stdout) as JsonReport;
  assert.deepEqual(r.inputs, [{ name: path, format: 'export' }]);
  assert.deepEqual(r.kinds.config, { lines: 2, valid: 2, invalid: 0 });
  assert.equal(r.generation.verdict, 'G2');
  const forced = runCli(['validate', path, '--format', 'text', '--output', 'json']);
  assert.equal(forced.status, 1, 'read as text, each message starts with a time: not JSON');
  const f = JSON.parse(forced.stdout) as JsonReport;
  assert.deepEqual(f.codes.map((c) => [c.code, c.count]), [['HS3101', 2]]);
});

test('--help shows examples and exit codes', () => {
  const r = runCli(['validate', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Examples:/);
  assert.match(r.stdout, /Exit status: 0 every line valid, 1 some line invalid/);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
