/** Paths for tests, which run compiled from .build/test/. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = join(repoRoot, '..', 'shared');
export const cliPath = join(repoRoot, 'dist', 'cli', 'main.js');
