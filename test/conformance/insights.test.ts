/**
 * Every case of the shared Logs Insights suite, through runQuery
 * (shared/conformance/README.md gives the format).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryError, runQuery } from '../../src/index.js';
import { expectedFailures } from './expected-failures.js';
import { assertRows, type InsightsCase as Case, insightsCases } from './insights-compare.js';

const cases: Case[] = insightsCases();

function check(c: Case): void {
  if ('error' in c.expect) {
    const want = c.expect.error;
    let read = false;
    const events = (function* () {
      read = true;
      yield* c.events;
    })();
    assert.throws(
      () => runQuery(c.query, events),
      (e: unknown) => e instanceof QueryError && e.kind === want,
      `expected a ${want} error`,
    );
    assert.equal(read, false, 'the query must be rejected before any event is read');
    return;
  }
  assertRows(runQuery(c.query, c.events), c.expect, c.tolerance);
}

test('the suite has cases', () => assert.ok(cases.length > 250));

for (const c of cases) {
  const reason = expectedFailures.get(c.id);
  test(`insights ${c.id}`, () => {
    if (reason === undefined) return check(c);
    assert.throws(() => check(c), `${c.id} is listed as expected to fail (${reason}) but passes: remove it from the list`);
  });
}
