/** HS5201 (filter spec 4.4, D6): which `!=` conditions lint warns about, and where. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilterPattern } from '../../src/index.js';
import { patternWarnings } from '../../src/lint/pattern-rules.js';

/** pattern -> the text of each condition warned about, in order. */
const CASES: [string, string[]][] = [
  ['{ $.outcome = "allowed" && $.proto != "tls" }', ['$.proto != "tls"']],
  ['{ $.cat = "client" && $.src = "172.16.1.9" && $.dhost != "api.github.com" }', ['$.dhost != "api.github.com"']],
  ['{ $.see_thru_exerted is true && $.dhost != "ec2-instance-connect.*" }', ['$.dhost != "ec2-instance-connect.*"']],
  ['{ $.dpt != 443 || $.dhost != %github% }', ['$.dpt != 443', '$.dhost != %github%']],
  ['{ $.items[*] != "x" }', ['$.items[*] != "x"']],
  // absence already handled
  ['{ $.proto != "tls" || $.proto NOT EXISTS }', []],
  ['{ $.dhost = "*.github.com" && $.dhost != "api.github.com" }', []],
  // presence in another OR branch does not protect this one
  ['{ $.dhost = "x" || $.dhost != "y" }', ['$.dhost != "y"']],
  // no != at all, or forms where fields always exist
  ['{ $.outcome = "disallowed" }', []],
  ['[w1 != ERROR, w2]', []],
  ['ERROR -DEBUG', []],
];

for (const [pattern, warned] of CASES) {
  test(`HS5201: ${pattern}`, () => {
    const ds = patternWarnings(compileFilterPattern(pattern).ast, pattern);
    assert.deepEqual(ds.map((d) => pattern.slice(d.span.start, d.span.end)), warned);
    for (const d of ds) assert.equal(d.code, 'HS5201');
  });
}
