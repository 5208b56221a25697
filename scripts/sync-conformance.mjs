#!/usr/bin/env node
// Copies the shared conformance suites into test/conformance/ so that a fresh clone of the
// project can test itself. Run when ../shared/conformance changes: `npm run sync-conformance`.
// A test (test/conformance/copy.test.ts) fails when the copy differs from ../shared/.
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, '..', 'shared', 'conformance');
const to = join(root, 'test', 'conformance');
if (!existsSync(from)) {
  console.error(`sync-conformance: ${from} not found; nothing copied`);
  process.exit(2);
}
for (const name of readdirSync(from)) {
  if (!name.endsWith('.jsonl') && name !== 'README.md') continue;
  copyFileSync(join(from, name), join(to, name));
  console.log(`copied ${name}`);
}
