// The shared conformance cases for stand-alone regex patterns (`regex-*` ids whose pattern is one
// `%...%` after trimming), run through this module alone: parse, compile, match. The full suite
// runs through the public API elsewhere; this pins the regex module to the same answers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileAwsRegex, parseAwsRegex, referenceRegexMatch } from '../../src/regex/index.js';

/** The repository root: the nearest folder above this file holding package.json (works from .build/ too). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the test file');
    dir = up;
  }
  return dir;
}

interface Case { id: string; pattern: string; message?: string; expect: 'match' | 'no-match' | 'invalid' }

const cases = readFileSync(join(repoRoot(), 'test', 'conformance', 'filter-patterns.jsonl'), 'utf8')
  .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Case)
  .filter((c) => c.id.startsWith('regex-'));

// Spec 1: whitespace around a pattern is space, tab, CR, LF; 6.1: the regex ends at the next `%`.
const standAlone = cases.flatMap((c) => {
  const m = /^[ \t\r\n]*%([^%]*)%[ \t\r\n]*$/.exec(c.pattern);
  return m ? [{ ...c, body: m[1], bodyOffset: c.pattern.indexOf('%') + 1 }] : [];
});

describe('conformance: stand-alone regex cases', () => {
  it('finds the cases', () => {
    assert.ok(standAlone.length >= 80, `only ${standAlone.length} stand-alone regex cases found`);
  });
  for (const c of standAlone) {
    it(c.id, () => {
      const { regex, diagnostics } = parseAwsRegex(c.body, c.bodyOffset);
      if (c.expect === 'invalid') {
        assert.equal(regex, null);
        assert.ok(diagnostics.length > 0);
        for (const d of diagnostics) assert.ok(d.span.start >= c.bodyOffset - 1 && d.span.end <= c.bodyOffset + c.body.length + 1);
        return;
      }
      assert.deepEqual(diagnostics, []);
      const want = c.expect === 'match';
      assert.equal(compileAwsRegex(regex!)(c.message!), want, 'compiled');
      assert.equal(referenceRegexMatch(regex!, c.message!), want, 'reference');
    });
  }
});
