/**
 * The Insights conformance cases (README of the suite gives the format), and how a result is
 * compared with a case's expectation.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../paths.js';

export type Cell = string | number | null;

export interface InsightsCase {
  id: string;
  query: string;
  events: { timestamp: number; message: string; logStream?: string; logGroup?: string; ingestionTime?: number }[];
  expect: { fields: string[]; rows: Cell[][]; ordered: boolean } | { error: 'syntax' | 'semantic' | 'unsupported' };
  tolerance?: Record<string, number>;
}

/** Every case of test/conformance/insights.jsonl, in file order. */
export function insightsCases(): InsightsCase[] {
  return readFileSync(join(repoRoot, 'test', 'conformance', 'insights.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as InsightsCase);
}

export function cellEqual(a: Cell, b: Cell, tol: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return true;
    return Math.abs(a - b) <= Math.max(tol, 1e-9) * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

export function rowEqual(a: Cell[], b: Cell[], tols: number[]): boolean {
  return a.length === b.length && a.every((x, i) => cellEqual(x, b[i]!, tols[i]!));
}

export function assertRows(got: { fields: string[]; rows: Cell[][] }, exp: { fields: string[]; rows: Cell[][]; ordered: boolean }, tolerance?: Record<string, number>): void {
  assert.deepEqual(got.fields, exp.fields);
  const tols = exp.fields.map((f) => tolerance?.[f] ?? 0);
  const message = `rows ${JSON.stringify(got.rows)} != expected ${JSON.stringify(exp.rows)}`;
  assert.equal(got.rows.length, exp.rows.length, message);
  if (exp.ordered) {
    got.rows.forEach((r, i) => assert.ok(rowEqual(r, exp.rows[i]!, tols), message));
  } else {
    const left = [...exp.rows];
    for (const r of got.rows) {
      const k = left.findIndex((e) => rowEqual(r, e, tols));
      assert.ok(k >= 0, message);
      left.splice(k, 1);
    }
  }
}
