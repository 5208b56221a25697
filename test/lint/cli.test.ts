/** `haystack lint` exit codes: 0 clean or warnings only, 1 errors (or warnings as errors), 2 bad usage. */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../cli/run.js';
import { repoRoot } from '../paths.js';

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'haystack-lint-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const GOOD = 'resource "aws_cloudwatch_log_metric_filter" "d" {\n  pattern = "{ $.outcome = \\"disallowed\\" }"\n}\n';
const WARN = 'resource "aws_cloudwatch_log_metric_filter" "d" {\n  pattern = "ORDER-ITEM-1"\n}\n';
const BAD = 'resource "aws_cloudwatch_log_metric_filter" "d" {\n  pattern = "{ $.outcome = }"\n}\n';

test('lint exit 0: a clean repository, from its own directory by default', (t) => {
  const dir = repo({ 'main.tf': GOOD });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = runCli(['lint'], { cwd: dir });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /1 file, 1 pattern, 0 queries: 0 errors, 0 warnings, 0 not checked/);
});

test('lint exit 0 with a warning; 1 with --warnings-as-errors', (t) => {
  const dir = repo({ 'main.tf': WARN });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = runCli(['lint', '.'], { cwd: dir });
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /warning HS1106/);
  assert.equal(runCli(['lint', '.', '--warnings-as-errors'], { cwd: dir }).status, 1);
});

test('lint exit 1 on an error, and the other files are still linted', (t) => {
  const dir = repo({ 'a/main.tf': BAD, 'b/broken.tf': 'resource "x" {', 'c/main.tf': WARN });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = runCli(['lint', '--format', 'json'], { cwd: dir });
  assert.equal(r.status, 1);
  const codes = (JSON.parse(r.stdout) as { diagnostics: { file: string; code: string }[] }).diagnostics.map((d) => `${d.file} ${d.code}`);
  assert.deepEqual(codes, ['a/main.tf HS1206', 'b/broken.tf HS5001', 'c/main.tf HS1106']);
});

test('lint exit 2: a path that does not exist, a pattern file that does not exist, a directory as a query file, a bad format', () => {
  for (const args of [['lint', 'no/such/dir'], ['lint', '--pattern-file', 'nope.pattern'], ['lint', '--query-file', 'test/fixtures/lint'], ['lint', '--format', 'xml']]) {
    const r = runCli(args, { cwd: repoRoot });
    assert.equal(r.status, 2, args.join(' '));
    assert.notEqual(r.stderr, '');
  }
});

test('lint honours .gitignore: ignored directories and files are not read', (t) => {
  const dir = repo({ '.gitignore': 'gen/\n*.generated.tf\n', 'gen/main.tf': BAD, 'x.generated.tf': BAD, 'sub/.gitignore': 'local.tf\n', 'sub/local.tf': BAD, 'sub/main.tf': GOOD });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = runCli(['lint'], { cwd: dir });
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /1 file, 1 pattern/);
  // Given by name, an ignored file is read.
  assert.equal(runCli(['lint', 'gen/main.tf'], { cwd: dir }).status, 1);
});

test('lint reads .yaml/.json only when they name a CloudFormation resource lint knows', (t) => {
  const dir = repo({ 'package.json': '{"name": "x", }', 'config.yaml': 'a: [', 'cfn.yml': 'Resources:\n  A:\n    Type: AWS::Logs::MetricFilter\n    Properties:\n      FilterPattern: "{ $.a = }"\n' });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = runCli(['lint', '--format', 'json'], { cwd: dir });
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout) as { summary: { files: number }; diagnostics: { file: string; code: string }[] };
  assert.equal(out.summary.files, 1);
  assert.deepEqual(out.diagnostics.map((d) => `${d.file} ${d.code}`), ['cfn.yml HS1206']);
});

test('absolute paths are read as themselves, for files, directories and --pattern-file', (t) => {
  const dir = repo({ 'main.tf': BAD, 'p.pattern': '{ $.outcome = }' });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const args of [['lint', join(dir, 'main.tf')], ['lint', dir], ['lint', '--pattern-file', join(dir, 'p.pattern')]]) {
    const r = runCli(args, { cwd: repoRoot });
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /1 error/);
  }
});

test('a link to a file is linted as the file; a link to a directory is not followed', (t) => {
  const dir = repo({ 'real/main.tf': BAD });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'repo'));
  symlinkSync(join(dir, 'real', 'main.tf'), join(dir, 'repo', 'linked.tf'));
  symlinkSync(join(dir, 'repo'), join(dir, 'repo', 'loop'));
  const r = runCli(['lint', '--format', 'json', 'repo'], { cwd: dir });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const files = (JSON.parse(r.stdout) as { diagnostics: { file: string }[] }).diagnostics.map((d) => d.file);
  assert.deepEqual(files, ['repo/linked.tf']);
});
