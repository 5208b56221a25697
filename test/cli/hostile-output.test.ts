/**
 * Attacker-chosen bytes in log lines never reach a terminal as control sequences: --escape
 * (on by default on a terminal) shows them; plain output to a pipe is the input as it was.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const line = `{"dhost":"evil\u001b]0;pwned\u0007.example\u202e","http_user_agent":"\u009b31m"}`;
const file = join(dir, 'h.log');
writeFileSync(file, line + '\n');

test('to a pipe, matching lines are written as they were', () => {
  const r = runCli(['filter', '', file]);
  assert.equal(r.stdout, line + '\n');
});

test('--escape shows every control character and bidi override as an escape', () => {
  const r = runCli(['filter', '', file, '--escape']);
  assert.equal(r.stdout, '{"dhost":"evil\\x1b]0;pwned\\x07.example\\u202e","http_user_agent":"\\x9b31m"}\n');
  assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  const nd = runCli(['filter', '', file, '--escape', '--output', 'ndjson']);
  assert.doesNotMatch(nd.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  assert.equal((JSON.parse(nd.stdout) as { message: string }).message, line);
});

test('file names in messages are escaped too', () => {
  const r = runCli(['filter', 'x', join(dir, 'no\u001b[2Jsuch.log')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no\\x1b\[2Jsuch\.log/);
});
