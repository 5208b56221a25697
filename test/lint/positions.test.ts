/**
 * Every diagnostic lint reports on the fixture repositories points at the character a person
 * would point at. The expected places are found here from the fixture text alone (the
 * offending token searched for in the file, its line and column counted by hand), never from
 * the code under test; and every reported diagnostic must be one of the expected ones.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../cli/run.js';
import { repoRoot } from '../paths.js';

interface Expected {
  readonly code: string;
  /** The text at the reported place. */
  readonly token: string;
  /** Text that comes before the token on its line (when the token alone is not unique). */
  readonly after?: string;
}

const FIXTURES: Record<string, readonly Expected[]> = {
  'terraform/main.tf': [
    { code: 'HS5201', token: '$.proto != \\"tls\\"' },
    { code: 'HS1208', token: '\\"2\\"', after: 'see_thru_days_remaining <= ' },
    { code: 'HS1106', token: 'ORDER-ITEM-1' },
    { code: 'HS1101', token: '\\u00e9tat' },
    { code: 'HS5101', token: '${var.client_ip}' },
    { code: 'HS2007', token: 'sort', after: 'stats count(*) by dhost ' },
    { code: 'HS5102', token: 'var.client_ip', after: 'query_string    = ' },
    { code: 'HS2007', token: 'bye' },
  ],
  'terraform-json/main.tf.json': [
    { code: 'HS1208', token: '44x3' },
    { code: 'HS5101', token: '${var.client}' },
    { code: 'HS2112', token: '-1"' },
    { code: 'HS2005', token: '|\\"}}]}' },
  ],
  'cloudformation-yaml/template.yaml': [
    { code: 'HS5101', token: '${ClientIp}' },
    { code: 'HS5102', token: "!Join ['', ['{ $.dhost" },
    { code: 'HS1304', token: 'bytes > 1000' },
    { code: 'HS2101', token: 'counts(*)' },
    { code: 'HS2104', token: 'counts(*)' },
    { code: 'HS2114', token: '*) by dhost"' },
  ],
  'cloudformation-json/template.json': [
    { code: 'HS1005', token: '%time.*out%' },
    { code: 'HS5101', token: '${Gid}' },
    { code: 'HS2112', token: '0"', after: '| limit ' },
    { code: 'HS2002', token: '\\"}}]}' },
  ],
  'broken/main.tf': [{ code: 'HS5001', token: '"{ $.outcome', after: 'pattern = ' }],
  'broken/template.json': [{ code: 'HS5001', token: '} } } }' }],
  'broken/template.yaml': [{ code: 'HS5001', token: '', after: 'LogGroupName: x\n' }],
};

/** 1-based line and column (in code points) of the first `after + token`, plus after's length. */
function place(text: string, e: Expected): { line: number; column: number } {
  const needle = (e.after ?? '') + e.token;
  const at = text.indexOf(needle);
  assert.notEqual(at, -1, `fixture has no ${JSON.stringify(needle)}`);
  const offset = at + (e.after ?? '').length;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
  return { line, column };
}

interface Reported {
  file: string;
  line: number;
  column: number;
  code: string;
}

for (const repo of ['terraform', 'terraform-json', 'cloudformation-yaml', 'cloudformation-json', 'broken']) {
  test(`lint positions: every diagnostic in ${repo} is at its token`, () => {
    const r = runCli(['lint', `test/fixtures/lint/${repo}`, '--format', 'json'], { cwd: repoRoot });
    const reported = (JSON.parse(r.stdout) as { diagnostics: Reported[] }).diagnostics;
    const expected = Object.entries(FIXTURES).filter(([f]) => f.startsWith(`${repo}/`));
    let count = 0;
    for (const [file, list] of expected) {
      const text = readFileSync(join(repoRoot, 'test', 'fixtures', 'lint', file), 'utf8');
      for (const e of list) {
        const want = place(text, e);
        const hit = reported.find((d) => d.file === `test/fixtures/lint/${file}` && d.code === e.code && d.line === want.line && d.column === want.column);
        assert.ok(hit, `${e.code} expected at ${file}:${want.line}:${want.column} (${JSON.stringify(e.token)}); reported: ${JSON.stringify(reported.filter((d) => d.code === e.code))}`);
        count++;
      }
    }
    assert.equal(reported.length, count, `unexpected diagnostics: ${JSON.stringify(reported)}`);
  });
}
