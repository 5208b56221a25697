/**
 * Every case of the shared filter-pattern suite, through the public API
 * (shared/conformance/README.md gives the format).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileFilterPattern, DiagnosticError } from '../../src/index.js';
import { repoRoot } from '../paths.js';
import { expectedFailures } from './expected-failures.js';

interface Case {
  id: string;
  pattern: string;
  message?: string;
  expect: 'match' | 'no-match' | 'invalid';
  warn?: boolean;
}

const cases: Case[] = readFileSync(join(repoRoot, 'test', 'conformance', 'filter-patterns.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Case);

function check(c: Case): void {
  if (c.expect === 'invalid') {
    assert.throws(
      () => compileFilterPattern(c.pattern),
      (e: unknown) => e instanceof DiagnosticError && e.diagnostics.some((d) => d.severity === 'error'),
      `expected the pattern to be rejected: ${c.pattern}`,
    );
    return;
  }
  const compiled = compileFilterPattern(c.pattern);
  assert.equal(compiled.matches(c.message!), c.expect === 'match', `pattern ${c.pattern} on ${JSON.stringify(c.message)}`);
  const warnings = compiled.diagnostics.filter((d) => d.severity === 'warning');
  if (c.warn === true) assert.ok(warnings.length > 0, 'expected a warning');
  if (c.warn === false) assert.equal(warnings.length, 0, 'expected no warning');
}

test('the suite has cases', () => assert.ok(cases.length > 400));

for (const c of cases) {
  const reason = expectedFailures.get(c.id);
  test(`filter-patterns ${c.id}`, () => {
    if (reason === undefined) return check(c);
    assert.throws(() => check(c), `${c.id} is listed as expected to fail (${reason}) but passes: remove it from the list`);
  });
}
