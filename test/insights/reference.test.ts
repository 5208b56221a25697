/**
 * The reference evaluator answers every conformance case that is not an error case
 * (shared/conformance/README.md gives the format), so it can serve as the differential oracle.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globMatch, referenceRunQuery } from '../../src/insights/reference.js';
import { assertRows, type Cell, type InsightsCase as Case, insightsCases } from '../conformance/insights-compare.js';

const cases: Case[] = insightsCases();


const answered = cases.filter((c) => !('error' in c.expect));

test('the suite has answer cases', () => assert.ok(answered.length > 150, `only ${answered.length}`));

for (const c of answered) {
  test(`reference ${c.id}`, () => {
    const exp = c.expect as { fields: string[]; rows: Cell[][]; ordered: boolean };
    assertRows(referenceRunQuery(c.query, c.events), exp, c.tolerance);
  });
}

// The glob matcher is the reference's own (D14); pin its rule on small cases besides the suite.
test('reference glob: searched, lazy stars, a trailing star takes the rest', () => {
  assert.deepEqual(globMatch('[*] * The error was: *', '25 May [ERROR] {a=1} The error was: X Y'), ['ERROR', '{a=1}', 'X Y']);
  assert.deepEqual(globMatch('a*b', 'xxaXbYb'), ['X']);
  assert.deepEqual(globMatch('*,*', 'p,q,r'), ['p', 'q,r']);
  assert.deepEqual(globMatch('**', 'abc'), ['', 'abc']);
  assert.deepEqual(globMatch('=*;', 'k=v'), null);
  assert.deepEqual(globMatch('*', ''), ['']);
  assert.deepEqual(globMatch('x*', 'axbxc'), ['bxc']);
});
