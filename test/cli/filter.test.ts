/**
 * The filter command end to end: formats, sources, outputs, time ranges, scan issues and exit
 * codes. Expected answers are computed here from the input text, not by haystack.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '../paths.js';
import { runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sample = join(repoRoot, 'examples', 'flow.log');
const sampleLines = readFileSync(sample, 'utf8').split('\n').filter((l) => l !== '');
const disallowed = sampleLines.filter((l) => (JSON.parse(l) as { outcome?: unknown }).outcome === 'disallowed');

const T0 = Date.UTC(2026, 2, 29, 8, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

test('an invalid pattern prints a caret diagnostic and exits 2', () => {
  const r = runCli(['filter', '{ $.outcome = "disallowed" && }', sample]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /error HS1203: a condition is missing here/);
  assert.match(r.stderr, /\n1 \| \{ \$\.outcome = "disallowed" && \}\n {2}\| {31}\^\n/);
  assert.match(r.stderr, /hint:/);
});

test('--diagnostics json prints machine-readable diagnostics', () => {
  const r = runCli(['filter', '{ $.a == 1 }', sample, '--diagnostics', 'json']);
  assert.equal(r.status, 2);
  const ds = JSON.parse(r.stderr) as { code: string; line: number; column: number }[];
  assert.equal(ds[0]!.code, 'HS1217');
  assert.equal(ds[0]!.column, 7);
});

test('prints matching lines as they were, and --count their number', () => {
  const r = runCli(['filter', '{ $.outcome = "disallowed" }', sample]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter((l) => l !== ''), disallowed);
  const c = runCli(['filter', '{ $.outcome = "disallowed" }', sample, '--count']);
  assert.equal(c.stdout, `${disallowed.length}\n`);
  assert.ok(disallowed.length > 0 && disallowed.length < sampleLines.length);
});

test('--output ndjson and json give {timestamp, logStream, message}', () => {
  const nd = runCli(['filter', '{ $.outcome = "disallowed" }', sample, '--output', 'ndjson']);
  const rows = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(rows.map((r) => r.message), disallowed);
  assert.deepEqual(Object.keys(rows[0]!), ['timestamp', 'logStream', 'message']);
  const js = runCli(['filter', '{ $.outcome = "disallowed" }', sample, '--output', 'json']);
  assert.deepEqual(JSON.parse(js.stdout), rows);
  const none = runCli(['filter', '{ $.outcome = "nothing-like-this" }', sample, '--output', 'json']);
  assert.deepEqual(JSON.parse(none.stdout), []);
});

test('reads directories recursively, gzip (concatenated members too) and stdin', () => {
  const d = join(dir, 'tree');
  mkdirSync(join(d, 'sub'), { recursive: true });
  const half = Math.floor(sampleLines.length / 2);
  const a = sampleLines.slice(0, half).join('\n') + '\n';
  const b = sampleLines.slice(half).join('\n') + '\n';
  writeFileSync(join(d, 'a.log'), a);
  writeFileSync(join(d, 'sub', 'b.log.gz'), Buffer.concat([gzipSync(b.slice(0, 100)), gzipSync(b.slice(100))]));
  const r = runCli(['filter', '{ $.outcome = "disallowed" }', d, '--count']);
  assert.equal(r.stdout, `${disallowed.length}\n`, r.stderr);
  const s = runCli(['filter', '{ $.outcome = "disallowed" }', '--count'], { input: a + b });
  assert.equal(s.stdout, `${disallowed.length}\n`);
  const dash = runCli(['filter', '{ $.outcome = "disallowed" }', '-', '--count'], { input: gzipSync(a + b) });
  assert.equal(dash.stdout, `${disallowed.length}\n`);
});

test('export format: times are read, --start/--end select, the message excludes the time', () => {
  const lines = sampleLines.map((l, i) => `${iso(T0 + i * 60_000)} ${l}`);
  const f = join(dir, 'export.log');
  writeFileSync(f, lines.join('\n') + '\n');
  const from = T0 + 10 * 60_000;
  const to = T0 + 100 * 60_000;
  const expected = sampleLines.filter((l, i) => {
    const t = T0 + i * 60_000;
    return t >= from && t < to && (JSON.parse(l) as { outcome?: unknown }).outcome === 'disallowed';
  });
  const r = runCli(['filter', '{ $.outcome = "disallowed" }', f, '--start', iso(from), '--end', String(to), '--output', 'ndjson']);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { timestamp: number; message: string });
  assert.deepEqual(rows.map((x) => x.message), expected);
  assert.ok(rows.every((x) => x.timestamp >= from && x.timestamp < to));
  // A term that occurs only in the timestamps must not match: the message is after the time.
  const t = runCli(['filter', '"2026-03-29T"', f, '--count']);
  assert.equal(t.stdout, '0\n');
});

test('tail format: the stream name is read', () => {
  const lines = sampleLines.slice(0, 20).map((l, i) => `${iso(T0 + i).replace('Z', '000+00:00')} flow ${l}`);
  const f = join(dir, 'tail.log');
  writeFileSync(f, lines.join('\n'));
  const r = runCli(['filter', '', f, '--output', 'ndjson']);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { logStream: string; message: string; timestamp: number });
  assert.equal(rows.length, 20);
  assert.ok(rows.every((x) => x.logStream === 'flow'));
  assert.deepEqual(rows.map((x) => x.message), sampleLines.slice(0, 20));
  assert.equal(rows[3]!.timestamp, T0 + 3);
});

test('ndjson events and aws-json pages are read as events', () => {
  const events = sampleLines.map((l, i) => ({ timestamp: T0 + i, message: l, logStreamName: i % 2 ? 'flow' : 'config' }));
  const nd = join(dir, 'events.ndjson');
  writeFileSync(nd, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const aws = join(dir, 'page.json');
  writeFileSync(aws, JSON.stringify({ events: events.slice(0, 100), searchedLogStreams: [] }, null, 4) + '\n' + JSON.stringify({ events: events.slice(100) }, null, 4));
  for (const f of [nd, aws]) {
    const r = runCli(['filter', '{ $.outcome = "disallowed" }', f, '--output', 'ndjson']);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { message: string; logStream: string });
    assert.deepEqual(rows.map((x) => x.message), disallowed, f);
    const streams = events.filter((e) => disallowed.includes(e.message)).map((e) => e.logStreamName);
    assert.deepEqual(rows.map((x) => x.logStream), streams);
  }
});

test('bad lines are counted and reported, never fatal; --strict exits 3', () => {
  const long = '{"outcome":"disallowed","pad":"' + 'x'.repeat(1 << 20) + '"}';
  const content = Buffer.concat([
    Buffer.from('\uFEFF{"outcome":"disallowed"}\r\n'),
    Buffer.from('not json at all\n'),
    Buffer.from(long + '\n'),
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a]), // {"a":"\xff"}
    Buffer.from('{"outcome":"disallowed", broken}\n'),
    Buffer.from('\n'),
    Buffer.from('{"outcome":"disallowed"}'), // no final newline
  ]);
  const f = join(dir, 'bad.log');
  writeFileSync(f, content);
  const r = runCli(['filter', '{ $.outcome = "disallowed" }', f]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, '{"outcome":"disallowed"}\n{"outcome":"disallowed"}\n');
  assert.match(r.stderr, /4 lines skipped: 2 not JSON \(first at .*bad\.log:2\), 1 over 1 MiB \(first at .*bad\.log:3\), 1 not valid UTF-8 \(first at .*bad\.log:4\)/);
  const s = runCli(['filter', '{ $.outcome = "disallowed" }', f, '--strict', '--count']);
  assert.equal(s.status, 3);
  assert.equal(s.stdout, '2\n');
});

test('a truncated gzip file reports a read error and keeps what was read', () => {
  const body = sampleLines.join('\n') + '\n';
  const gz = gzipSync(body);
  const f = join(dir, 'cut.log.gz');
  writeFileSync(f, gz.subarray(0, gz.length - 20));
  const r = runCli(['filter', '', f, '--count']);
  assert.equal(r.status, 0);
  assert.match(r.stderr, /read error/);
  const n = Number(r.stdout.trim());
  assert.ok(n > 0 && n <= sampleLines.length, `counted ${n}`);
});

test('usage errors exit 2 with a reason', () => {
  const time = runCli(['filter', 'x', sample, '--start', '2h']);
  assert.equal(time.status, 2);
  assert.match(time.stderr, /carry no time/);
  const badTime = runCli(['filter', 'x', sample, '--start', 'yesterday']);
  assert.equal(badTime.status, 2);
  assert.match(badTime.stderr, /HS4101/);
  const missing = runCli(['filter', 'x', join(dir, 'nope.log')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such file/);
  const flag = runCli(['filter', 'x', sample, '--output', 'xml']);
  assert.equal(flag.status, 2);
});

test('--help shows examples', () => {
  const r = runCli(['filter', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Examples:/);
  assert.match(r.stdout, /haystack filter '\{ \$\.outcome = "disallowed" \}'/);
});

test('a split-terms warning is printed but the scan runs', () => {
  const r = runCli(['filter', 'api.github.com', sample, '--count']);
  assert.equal(r.status, 0);
  assert.match(r.stderr, /warning HS1106/);
  const expected = sampleLines.filter((l) => l.includes('api') && l.includes('github') && l.includes('com')).length;
  assert.equal(r.stdout, `${expected}\n`);
});
