/**
 * `haystack lint --format sarif` validates against the SARIF 2.1.0 JSON schema (draft-04;
 * origin in test/fixtures/sarif/README.md), and its results say what the JSON format says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import { runCli } from '../cli/run.js';
import { repoRoot } from '../paths.js';

interface Validator {
  (data: unknown): boolean;
  errors?: unknown[] | null;
}
interface AjvLike {
  addFormat(name: string, f: (s: string) => boolean): AjvLike;
  compile(schema: unknown): Validator;
}
// ajv-draft-04 is CommonJS with a default export; require keeps its typings out of the way.
const Ajv = (createRequire(import.meta.url)('ajv-draft-04') as { default: new (o: object) => AjvLike }).default;

function validator(): Validator {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'sarif', 'sarif-2.1.0-rtm.5.json'), 'utf8')) as unknown;
  // The schema's `language` pattern is not valid with the u flag (a stray ]): compile without it.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  const uri = (s: string): boolean => {
    try {
      new URL(s, 'file:///');
      return true;
    } catch {
      return false;
    }
  };
  ajv.addFormat('uri', uri).addFormat('uri-reference', uri).addFormat('date-time', (s) => !Number.isNaN(Date.parse(s)));
  return ajv.compile(schema);
}

const validate = validator();

for (const repo of ['terraform', 'terraform-json', 'cloudformation-yaml', 'cloudformation-json', 'broken', 'plain']) {
  test(`lint sarif: ${repo} validates against the SARIF 2.1.0 schema`, () => {
    const r = runCli(['lint', `test/fixtures/lint/${repo}`, '--format', 'sarif'], { cwd: repoRoot });
    const log = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { region: { startLine: number; startColumn: number } } }[] }[] }[] };
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    const json = JSON.parse(runCli(['lint', `test/fixtures/lint/${repo}`, '--format', 'json'], { cwd: repoRoot }).stdout) as { diagnostics: { code: string; severity: string; line: number; column: number }[] };
    const results = log.runs[0]!.results;
    assert.equal(results.length, json.diagnostics.length);
    const level: Record<string, string> = { error: 'error', warning: 'warning', info: 'note' };
    json.diagnostics.forEach((d, i) => {
      const res = results[i]!;
      assert.equal(res.ruleId, d.code);
      assert.equal(res.level, level[d.severity]);
      assert.deepEqual([res.locations[0]!.physicalLocation.region.startLine, res.locations[0]!.physicalLocation.region.startColumn], [d.line, d.column]);
    });
  });
}

test('lint sarif: the schema check can fail (a result without a message is rejected)', () => {
  const r = runCli(['lint', 'test/fixtures/lint/terraform', '--format', 'sarif'], { cwd: repoRoot });
  const log = JSON.parse(r.stdout) as { runs: { results: Record<string, unknown>[] }[] };
  delete log.runs[0]!.results[0]!.message;
  assert.equal(validate(log), false);
});
