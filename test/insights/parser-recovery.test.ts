// A character the lexer cannot read right after a `|` is a diagnostic with its place, like
// anywhere else in a query, never an internal error (found by review: lint, the web console's
// live check and haystack query all crashed on `fields @message | é`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileQuery, QueryError } from '../../src/index.js';

function errorsOf(text: string): { code: string; start: number }[] {
  try {
    compileQuery(text);
  } catch (e) {
    assert.ok(e instanceof QueryError, `not a QueryError: ${String(e)}`);
    return e.diagnostics.map((d) => ({ code: d.code, start: d.span.start }));
  }
  assert.fail(`${text} compiled`);
}

test('unreadable text after a | is reported where it is, and every stage after it is still read', () => {
  const at = (text: string, needle: string, from = 0): number => text.indexOf(needle, from);
  const one = 'fields @message | é';
  assert.deepEqual(errorsOf(one), [{ code: 'HS2001', start: at(one, 'é') }]);
  const two = 'fields x | é | é2 | fields y';
  assert.deepEqual(errorsOf(two), [{ code: 'HS2001', start: at(two, 'é') }, { code: 'HS2001', start: at(two, 'é2') }]);
  // A later stage with its own syntax error is still read.
  const later = 'fields x | é | sort';
  const got = errorsOf(later);
  assert.deepEqual(got.map((d) => d.code), ['HS2001', 'HS2002']);
  assert.equal(got[1]!.start, later.length);
});
