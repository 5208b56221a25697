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

test('the same cases through worker threads, with files cut into tiny parts', async () => {
  // All cases' messages in one file, several times over, scanned in parts of ~256 bytes.
  const oneLine = cases.filter((c) => {
    const t = c.message!.trim();
    return !(t.startsWith('{') && t.endsWith('}')) || true;
  });
  const byPattern = new Map<string, Case[]>();
  for (const c of oneLine) byPattern.set(c.pattern, [...(byPattern.get(c.pattern) ?? []), c]);
  let k = 0;
  for (const [pattern, group] of byPattern) {
    const file = join(dir, `parts-${k++}.log`);
    const lines = Array.from({ length: 40 }, () => group.map((c) => c.message!)).flat();
    writeFileSync(file, lines.join('\n') + '\n');
    const expected = 40 * group.filter((c) => c.expect === 'match').length;
    for (const format of ['text'] as const) {
      let matched = 0;
      const seen: number[] = [];
      await filterInputs(compileFilterPattern(pattern), [{ name: file, path: file }], (e) => {
        matched++;
        seen.push(e.line ?? -1);
      }, { format, threads: 2, parallelMinBytes: 1, partBytes: 256 });
      assert.equal(matched, expected, `${pattern} (${group.map((c) => c.id).join(', ')})`);
      // Lines come back in file order with their true numbers.
      const want = lines.flatMap((_, i) => (group[i % group.length]!.expect === 'match' ? [i + 1] : []));
      assert.deepEqual(seen, want, pattern);
    }
  }
});
