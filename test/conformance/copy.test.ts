import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, sharedDir } from '../paths.js';

const shared = join(sharedDir, 'conformance');
const copy = join(repoRoot, 'test', 'conformance');

test('the conformance suites are in the project', () => {
  for (const name of ['filter-patterns.jsonl', 'insights.jsonl', 'README.md'])
    assert.ok(existsSync(join(copy, name)), `${name} is missing: run npm run sync-conformance`);
});

test('the copy matches ../shared/conformance when it is present', { skip: !existsSync(shared) && 'no ../shared here' }, () => {
  for (const name of readdirSync(shared)) {
    if (!name.endsWith('.jsonl') && name !== 'README.md') continue;
    const a = readFileSync(join(shared, name));
    const b = existsSync(join(copy, name)) ? readFileSync(join(copy, name)) : Buffer.alloc(0);
    assert.ok(a.equals(b), `test/conformance/${name} differs from ../shared: run npm run sync-conformance`);
  }
});
