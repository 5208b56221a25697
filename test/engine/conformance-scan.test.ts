/**
 * The scan's fast paths (byte prefilter, byte JSON reader) give the conformance answers too:
 * every filter case whose message fits on one line is written to a file and scanned.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compileFilterPattern } from '../../src/index.js';
import { filterInputs } from '../../src/filter/plan.js';
import { repoRoot } from '../paths.js';

interface Case {
  id: string;
  pattern: string;
  message?: string;
  expect: 'match' | 'no-match' | 'invalid';
}

const dir = mkdtempSync(join(tmpdir(), 'haystack-conf-scan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const cases = readFileSync(join(repoRoot, 'test', 'conformance', 'filter-patterns.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Case)
  .filter((c) => c.expect !== 'invalid' && !/[\n\r]/.test(c.message!) && c.message!.trim() !== '');

test('every one-line filter case gives its answer through the scan', async () => {
  assert.ok(cases.length > 300);
  let i = 0;
  for (const c of cases) {
    const file = join(dir, `case-${i++}.log`);
    writeFileSync(file, c.message + '\n');
    const t = c.message!.trim();
    const format = t.startsWith('{') && t.endsWith('}') ? 'json' : 'text';
    let matched = 0;
    const report = await filterInputs(compileFilterPattern(c.pattern), [{ name: file, path: file }], () => void matched++, { format });
    // A line the json format cannot read is reported, and a JSON pattern could not match it anyway.
    assert.equal(matched, c.expect === 'match' ? 1 : 0, `${c.id}: ${c.pattern} on ${c.message} (${format}, ${report.issues.summary() ?? 'no issues'})`);
  }
});
