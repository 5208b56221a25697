/** --explain in words, one case per filter-pattern form and operator; expected texts written by hand from the spec. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilterPattern } from '../../src/index.js';
import { explainPattern } from '../../src/lint/explain.js';

const CASES: [string, string][] = [
  ['', 'every event (an empty pattern matches everything, spec 2.3)'],
  ['ERROR', 'events containing "ERROR" (case-sensitive, anywhere in the message)'],
  ['ERROR "bad gateway" -DEBUG', 'events containing "ERROR" and "bad gateway" and not containing "DEBUG" (case-sensitive, anywhere in the message)'],
  ['-DEBUG', 'events not containing "DEBUG" (case-sensitive, anywhere in the message)'],
  ['?WARN ?ERROR', 'events containing "WARN" or "ERROR" (case-sensitive, anywhere in the message)'],
  ['?WARN REQUEST', 'events containing "REQUEST" (case-sensitive, anywhere in the message); the ?-terms "WARN" are ignored next to other terms (spec 3.3)'],
  ['" "', 'events containing any text (a blank phrase is always present, spec 2.3) (case-sensitive, anywhere in the message)'],
  ['%time.*out%', 'events whose message matches the regular expression %time.*out% somewhere (spec 6.3)'],
  ['{ $.outcome = "disallowed" }', 'JSON events whose outcome is exactly "disallowed"'],
  ['{ $.outcome = "allowed" && $.proto != "tls" }', 'JSON events whose outcome is exactly "allowed" and whose proto is present and not "tls"'],
  ['{ $.see_thru_exerted is true && $.dhost != "ec2-instance-connect.*" }', 'JSON events whose see_thru_exerted is the boolean true and whose dhost is present and does not start with "ec2-instance-connect."'],
  ['{ $.see_thru_days_remaining <= 2 }', 'JSON events whose see_thru_days_remaining is a number at most 2'],
  ['{ $.a = 1 || $.b > 2 && $.c < 3 }', 'JSON events whose a is the number 1, or whose b is a number greater than 2 and whose c is a number less than 3'],
  ['{ ($.a = 1 || $.b >= 2) && $.c != 3 }', 'JSON events whose (a is the number 1, or whose b is a number at least 2) and whose c is a number other than 3'],
  ['{ $.dhost = *github.com }', 'JSON events whose dhost ends with "github.com"'],
  ['{ $.dhost = *github* }', 'JSON events whose dhost contains "github"'],
  ['{ $.dhost != *github* }', 'JSON events whose dhost is present and does not contain "github"'],
  ['{ $.latency = * }', 'JSON events whose latency is present with any string, number or boolean value (spec D17)'],
  ['{ $.latency != * }', 'JSON events whose latency never (!= * matches nothing, spec D17)'],
  ['{ $.dhost = %github% && $.src != %^10\\.% }', 'JSON events whose dhost matches %github% and whose src is present and does not match %^10\\.%'],
  ['{ $.gid IS NULL && $.x NOT EXISTS && $.y IS FALSE }', 'JSON events whose gid is null (explicitly, not absent; spec 4.4) and whose x is absent and whose y is the boolean false'],
  ['{ $.items[*].id = 7 }', 'JSON events whose some items[*].id is the number 7'],
  ['[ip, user, ..., status_code = 4* && status_code != 403, bytes]', 'space-delimited events with at least 4 fields [ip, user, ..., status_code, bytes] where status_code starts with "4" and status_code is a number other than 403'],
  ['[level != INFO, msg]', 'space-delimited events with 2 fields [level, msg] (msg takes the rest of the line) where level is not "INFO"'],
  ['[w1=ERROR || w1=WARN, w2]', 'space-delimited events with 2 fields [w1, w2] (w2 takes the rest of the line) where (w1 is exactly "ERROR" or w1 is exactly "WARN")'],
  ['[]', 'every event (an empty [] tests nothing, spec D19)'],
];

for (const [pattern, words] of CASES) {
  test(`explain: ${pattern || '(empty)'}`, () => {
    assert.equal(explainPattern(compileFilterPattern(pattern).ast), words);
  });
}
