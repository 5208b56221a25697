/**
 * Insights conformance cases through the scan: events written to an NDJSON file and queried
 * with one thread and with worker threads on tiny parts. Cases whose events carry a log
 * group or ingestion time (which NDJSON input does not hold) stay with the in-memory suite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compileQuery, QueryRun } from '../../src/index.js';
import { queryInputs } from '../../src/insights/scan.js';
import { assertRows, type Cell, insightsCases } from '../conformance/insights-compare.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-insights-scan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const cases = insightsCases()
  .filter((c) => !('error' in c.expect) && c.events.every((e) => e.logGroup === undefined && e.ingestionTime === undefined) && !/@log\b|@ingestionTime|@ptr|now\(\)|query(Start|End)Time|queryTimeRange/.test(c.query));

test('answer cases give the same rows through the scan, on one thread and on workers', async () => {
  assert.ok(cases.length > 180, `${cases.length} cases`);
  // Many of them run their stats on the workers, whose parts are merged (the rest have only
  // their leading filters run there): both ways are exercised.
  const aggregated = cases.filter((c) => new QueryRun(compileQuery(c.query)).partSpec() !== null).length;
  assert.ok(aggregated > 30 && aggregated < cases.length - 30, `${aggregated} of ${cases.length} cases aggregated by workers`);
  let i = 0;
  for (const c of cases) {
    const file = join(dir, `case-${i++}.ndjson`);
    writeFileSync(file, c.events.map((e) => JSON.stringify({ timestamp: e.timestamp, message: e.message, logStreamName: e.logStream ?? 'flow' })).join('\n') + '\n');
    const q = compileQuery(c.query);
    for (const threads of [1, 2]) {
      const { result } = await queryInputs(q, [{ name: file, path: file }], { threads, queryWorkers: true, parallelMinBytes: 1, partBytes: 64, format: 'ndjson' });
      const exp = c.expect as { fields: string[]; rows: Cell[][]; ordered: boolean };
      try {
        assertRows(result, exp, c.tolerance);
      } catch (e) {
        throw new Error(`${c.id} (${threads} threads): ${(e as Error).message}`);
      }
    }
  }
});
