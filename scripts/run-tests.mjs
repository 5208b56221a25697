#!/usr/bin/env node
// Runs every compiled test file under .build/test/ with node's test runner (TAP on stdout),
// then prints one plain closing line, "N passed, N failed", and exits with the runner's status.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testDir = join(root, '.build', 'test');
if (!existsSync(testDir)) {
  console.error('run-tests: .build/test/ is missing; run npm test');
  process.exit(2);
}
const args = ['--test', '--test-reporter=tap', ...process.argv.slice(2), testDir];
const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
let pass = 0;
let fail = 0;
let cancelled = 0; // a cancelled test did not pass: it counts as failed
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const text = tail + chunk.toString('utf8');
  const lines = text.split('\n');
  tail = lines.pop() ?? '';
  for (const l of lines) {
    const m = /^# (pass|fail|cancelled) (\d+)$/.exec(l);
    if (m) m[1] === 'pass' ? (pass = Number(m[2])) : m[1] === 'fail' ? (fail = Number(m[2])) : (cancelled = Number(m[2]));
  }
});
child.on('close', (code) => {
  const m = /^# (pass|fail|cancelled) (\d+)$/.exec(tail);
  if (m) m[1] === 'pass' ? (pass = Number(m[2])) : m[1] === 'fail' ? (fail = Number(m[2])) : (cancelled = Number(m[2]));
  console.log(`\n${pass} passed, ${fail + cancelled} failed`);
  process.exit(code ?? 1);
});
