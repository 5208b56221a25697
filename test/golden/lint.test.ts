/**
 * Golden files pin `haystack lint` output for each fixture repository in every format:
 * messages, carets under the source file's own lines, annotations, JSON and SARIF.
 * `npm run golden:update` rewrites them; review the diff.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../cli/run.js';
import { repoRoot } from '../paths.js';

const REPOS = ['terraform', 'terraform-json', 'cloudformation-yaml', 'cloudformation-json', 'broken'];
const FORMATS = ['text', 'json', 'github', 'sarif'];
const update = process.env.HAYSTACK_UPDATE_GOLDEN === '1';
const dir = join(repoRoot, 'test', 'golden', 'lint');

function check(name: string, args: string[], expectedStatus: number): void {
  const r = runCli(['lint', ...args], { cwd: repoRoot });
  assert.equal(r.stderr, '');
  assert.equal(r.status, expectedStatus, r.stdout);
  const file = join(dir, `${name}.txt`);
  const actual = `$ haystack lint ${args.join(' ')}\n${r.stdout}`;
  if (update) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
  }
  assert.ok(existsSync(file), `missing golden file ${file}: run npm run golden:update`);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

for (const repo of REPOS) {
  for (const format of FORMATS) {
    test(`golden lint: ${repo} as ${format}`, () => check(`${repo}.${format}`, [`test/fixtures/lint/${repo}`, '--format', format], 1));
  }
}

test('golden lint: --explain over the Terraform and CloudFormation fixtures', () =>
  check('explain', ['test/fixtures/lint/terraform', 'test/fixtures/lint/cloudformation-yaml', 'test/fixtures/lint/cloudformation-json', '--explain'], 1));

test('golden lint: plain pattern and query files', () =>
  check('plain', ['--pattern-file', 'test/fixtures/lint/plain/disallowed.pattern', '--query-file', 'test/fixtures/lint/plain/by-host.query'], 0));
