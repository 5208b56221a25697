/**
 * The worker pool: each job gets its own answer although a worker holds two at a time, and a
 * failed pool fails every scan that holds it instead of leaving one waiting for ever.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { WorkerPool } from '../../src/engine/parallel.js';
import { scan } from '../../src/engine/scan.js';
import { compileFilterPattern } from '../../src/filter/index.js';
import { filterInputs } from '../../src/filter/plan.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-pool-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const lines = join(dir, 'lines.log');
writeFileSync(lines, Array.from({ length: 200 }, (_, i) => `line ${i} GET`).join('\n') + '\n');

test('a job whose plan module is still loading is not overtaken by the next job on its worker', async () => {
  const filter = { module: new URL('../../src/filter/plan.js', import.meta.url).href, spec: { pattern: 'GET' } };
  const insights = { module: new URL('../../src/insights/line-plan.js', import.meta.url).href, spec: { query: 'filter @message like "GET"' } };
  const pool = new WorkerPool(1);
  const fd = openSync(lines, 'r');
  try {
    await pool.run({ plan: filter, name: 'warm', fd, start: 0, end: 100, format: 'text', countOnly: true });
    // The first job's module is not loaded in the worker yet; the second's is.
    const first = pool.run({ plan: insights, name: 'a', fd, start: 0, end: 1000, format: 'text', countOnly: true });
    const second = pool.run({ plan: filter, name: 'b', fd, start: 1000, end: 1500, format: 'text', countOnly: true });
    const [r1, r2] = await Promise.all([first, second]);
    assert.equal(r1.bytes, 1000);
    assert.equal(r2.bytes, 500);
  } finally {
    await pool.close();
    closeSync(fd);
  }
});

test('when a worker fails, a scan still holding the pool gets the error, not a wait without end', async () => {
  const bad = join(dir, 'bad-plan.mjs');
  writeFileSync(bad, "export function linePlanFromSpec(spec) {\n  if (spec.fail) throw new Error('plan failed in worker');\n  return { literals: [], decodesJson: false, test: () => true };\n}\n");
  const big = join(dir, 'big.log');
  const small = join(dir, 'small.log');
  writeFileSync(big, Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n');
  writeFileSync(small, 'a\nb\n');
  const plan = { literals: [], decodesJson: false, test: () => true };
  const options = { threads: 2, parallelMinBytes: 1000, partBytes: 500, countOnly: true };
  const module = pathToFileURL(bad).href;
  let failedA: Error | null = null;
  // B reads a big file in parts, a small one on this thread, then a big one in parts again;
  // while it is on the small file, scan A meets a worker error on the same shared pool.
  const b = scan(
    [
      { name: 'big1', path: big },
      { name: 'small', path: small },
      { name: 'big2', path: big },
    ],
    plan,
    async (e) => {
      if (e.input !== 'small' || e.line !== 1) return;
      await scan([{ name: 'a', path: big }], plan, () => undefined, { ...options, parallel: { module, spec: { fail: true } } }).catch((err: Error) => {
        failedA = err;
      });
    },
    { ...options, parallel: { module, spec: { fail: false } } },
  );
  await assert.rejects(b, /plan failed in worker/);
  assert.match(String(failedA), /plan failed in worker/);
});

test('a file renamed and replaced during a scan in parts is read whole, as one thread reads it', async () => {
  const path = join(dir, 'rotating.log');
  const original = Array.from({ length: 3000 }, (_, i) => `line ${i} GET`);
  writeFileSync(path, original.join('\n') + '\n');
  const seen: string[] = [];
  const report = await filterInputs(
    compileFilterPattern('GET'),
    [{ name: 'rotating', path }],
    (e) => {
      if (seen.length === 0) {
        // Log rotation: the file moves away and a new one takes its name.
        renameSync(path, `${path}.1`);
        writeFileSync(path, 'new GET\n'.repeat(5000));
      }
      seen.push(e.message);
    },
    { threads: 2, parallelMinBytes: 1, partBytes: 512 },
  );
  assert.equal(report.lines, original.length);
  assert.deepEqual(seen, original);
});
