#!/usr/bin/env node
// Removes build output folders (given as arguments, relative to the repository root) so that
// stale files from renamed sources never run.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const d of process.argv.slice(2)) {
  if (!['dist', '.build'].includes(d)) throw new Error(`clean: refusing to remove ${d}`);
  rmSync(join(root, d), { recursive: true, force: true });
}
