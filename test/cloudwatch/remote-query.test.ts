/**
 * query --remote against the fake server: the local check before any call, every status of
 * StartQuery/GetQueryResults, the 10,000-row cap, Ctrl-C sending StopQuery, output formats,
 * and --compare over files. AWS's answers are scripted; expected local answers are counted here.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { noCredentialsEnv } from './env.js';
import { FakeCloudWatch, fakeEnv, type Reply, withServer } from './fake-server.js';
import { runCliAsync, startCli, waitFor } from './run-async.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-cw-query-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const START = Date.UTC(2026, 2, 29, 8, 0, 0);
const END = START + 3_600_000;
const window = ['--start', new Date(START).toISOString(), '--end', new Date(END).toISOString()];
const env = (url: string): NodeJS.ProcessEnv => fakeEnv(url, { HAYSTACK_CLOUDWATCH_POLL_MS: '5' });

const row = (cells: Record<string, string>): { field: string; value: string }[] => [...Object.entries(cells).map(([field, value]) => ({ field, value })), { field: '@ptr', value: 'CmAKJgoi...' }];

function script(results: Reply[]): FakeCloudWatch {
  return new FakeCloudWatch({ StartQuery: [{ body: { queryId: 'q-123' } }], GetQueryResults: results, StopQuery: [{ body: { success: true } }] });
}


test('an invalid query exits 2 before any call to AWS', async () => {
  await withServer(script([]), async (s) => {
    const r = await runCliAsync(['query', '--remote', '--log-group', 'DiscrimiNAT', 'stats count(*) by', ...window], env(s.url));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error HS2/);
    assert.equal(s.calls.length, 0);
  });
});

test('Scheduled, Running, then Complete: the rows print in every output format, @ptr left out', async () => {
  const rows = [row({ dhost: 'a.example.com', n: '3' }), row({ dhost: 'b.example.org', n: '1' })];
  const replies: Reply[] = [
    { body: { status: 'Scheduled', results: [] } },
    { body: { status: 'Running', results: [], statistics: { recordsScanned: 10, bytesScanned: 100 } } },
    { body: { status: 'Complete', results: rows, statistics: { recordsScanned: 20, recordsMatched: 4, bytesScanned: 200 } } },
  ];
  for (const [format, want] of [
    ['json', JSON.stringify([{ dhost: 'a.example.com', n: '3' }, { dhost: 'b.example.org', n: '1' }])],
    ['csv', 'dhost,n\na.example.com,3\nb.example.org,1'],
  ] as const) {
    await withServer(script(replies), async (s) => {
      const q = 'filter outcome = "disallowed" | stats count(*) as n by dhost';
      const r = await runCliAsync(['query', '--remote', '--log-group', 'DiscrimiNAT', q, ...window, '--output', format], env(s.url));
      assert.equal(r.status, 0, r.stderr);
      if (format === 'json') assert.deepEqual(JSON.parse(r.stdout), JSON.parse(want));
      else assert.equal(r.stdout.trim().replace(/\r/g, ''), want);
      const start = s.ops('StartQuery')[0]!.body;
      assert.deepEqual(start, { logGroupNames: ['DiscrimiNAT'], startTime: START / 1000, endTime: END / 1000 - 1, queryString: q });
      assert.equal(s.ops('GetQueryResults').length, 3);
      assert.equal(s.ops('GetQueryResults')[0]!.body.queryId, 'q-123');
    });
  }
});

for (const status of ['Failed', 'Timeout', 'Cancelled', 'Unknown']) {
  test(`a query that ends ${status} exits 2 with one line`, async () => {
    await withServer(script([{ body: { status: 'Running' } }, { body: { status } }]), async (s) => {
      const r = await runCliAsync(['query', '--remote', 'fields @message', 'cloudwatch://DiscrimiNAT', ...window], env(s.url));
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      const words = { Failed: 'failed', Timeout: 'timed out', Cancelled: 'was cancelled', Unknown: 'ended with status Unknown' }[status]!;
      assert.match(r.stderr, new RegExp(`CloudWatch: the query ${words} in CloudWatch \\(query id q-123\\)`));
    });
  });
}

test('10,000 rows back without limit: the cap is said', async () => {
  const rows = Array.from({ length: 10_000 }, (_, i) => row({ '@message': `m${i}` }));
  await withServer(script([{ body: { status: 'Complete', results: rows } }]), async (s) => {
    const r = await runCliAsync(['query', '--remote', '--log-group', 'DiscrimiNAT', 'fields @message', ...window, '--output', 'ndjson'], env(s.url));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 10_000);
    assert.match(r.stderr, /CloudWatch returned 10,000 rows, the most Logs Insights returns: there may be more/);
  });
  await withServer(script([{ body: { status: 'Complete', results: rows.slice(0, 9_999) } }]), async (s) => {
    const r = await runCliAsync(['query', '--remote', '--log-group', 'DiscrimiNAT', 'fields @message', ...window, '--output', 'ndjson'], env(s.url));
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /10,000 rows/);
  });
});

test('Ctrl-C while the query runs sends StopQuery and exits 130', async () => {
  await withServer(script([{ body: { status: 'Running' } }]), async (s) => {
    const run = startCli(['query', '--remote', '--log-group', 'DiscrimiNAT', 'fields @message', ...window], env(s.url));
    await waitFor(() => s.ops('GetQueryResults').length >= 2, 10000, 'polls');
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.status, 130, r.stderr);
    assert.deepEqual(s.ops('StopQuery').map((c) => c.body), [{ queryId: 'q-123' }]);
    assert.match(r.stderr, /query q-123 stopped in CloudWatch/);
  });
});

test('--compare runs the query over pulled files and reports each difference', async () => {
  // Pulled files (export format) and the answer counted here.
  const pulled = join(dir, 'pulled');
  mkdirSync(join(pulled, 'flow'), { recursive: true });
  const hosts = ['a.example.com', 'b.example.org', 'a.example.com', 'c.example.net', 'a.example.com'];
  const lines = hosts.map((h, i) => `${new Date(START + i * 1000).toISOString()} ${JSON.stringify({ dhost: h })}`);
  lines.push(`${new Date(END).toISOString()} ${JSON.stringify({ dhost: 'late.example.com' })}`); // outside the window
  writeFileSync(join(pulled, 'flow', '2026-03-29.log'), lines.join('\n') + '\n');
  const counts = new Map<string, number>();
  for (const h of hosts) counts.set(h, (counts.get(h) ?? 0) + 1);
  const agree = [...counts].map(([h, n]) => row({ dhost: h, n: String(n) }));
  const q = 'stats count(*) as n by dhost';
  await withServer(script([{ body: { status: 'Complete', results: agree } }]), async (s) => {
    const r = await runCliAsync(['query', '--remote', '--log-group', 'DiscrimiNAT', q, ...window, '--compare', pulled, '--output', 'json'], env(s.url));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /CloudWatch and haystack over .* agree \(3 rows on 2 columns\)/);
  });
  const differ = [row({ dhost: 'a.example.com', n: '4' }), row({ dhost: 'b.example.org', n: '1' }), row({ dhost: 'c.example.net', n: '1' })];
  await withServer(script([{ body: { status: 'Complete', results: differ } }]), async (s) => {
    const r = await runCliAsync(['query', '--remote', '--log-group', 'DiscrimiNAT', q, ...window, '--compare', pulled, '--output', 'json'], env(s.url));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /1 row only in CloudWatch:\n {2}\["a\.example\.com","4"\]/);
    assert.match(r.stderr, new RegExp(`1 row only in haystack over .*:\\n  \\["a\\.example\\.com","${counts.get('a.example.com')}"\\]`));
  });
});

test('--remote needs a log group; --compare needs --remote; files are refused', async () => {
  const a = await runCliAsync(['query', '--remote', 'fields @message'], env('http://127.0.0.1:9'));
  assert.equal(a.status, 2);
  assert.match(a.stderr, /--remote needs a log group/);
  const b = await runCliAsync(['query', 'fields @message', join(dir, 'x'), '--compare', dir], env('http://127.0.0.1:9'));
  assert.equal(b.status, 2);
  assert.match(b.stderr, /--compare needs --remote/);
  const c = await runCliAsync(['query', '--remote', 'fields @message', 'flow.log'], env('http://127.0.0.1:9'));
  assert.equal(c.status, 2);
  assert.match(c.stderr, /with --remote, give log groups/);
});

test('query --remote with no credentials fails fast with one line and exit 2', async () => {
  const r = await runCliAsync(['query', '--remote', '--log-group', 'DiscrimiNAT', 'fields @message'], noCredentialsEnv(dir, 'http://127.0.0.1:9'));
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /no AWS credentials found/);
  assert.ok(r.ms < 5000);
});
