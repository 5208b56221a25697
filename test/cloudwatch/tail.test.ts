/**
 * tail against the fake server: overlapping polls with duplicates dropped, Live Tail falling
 * back to polling, a filter pattern and a streaming query applied locally, refusals.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { noCredentialsEnv } from './env.js';
import { awsEvent, FakeCloudWatch, fakeEnv, withServer } from './fake-server.js';
import { runCliAsync } from './run-async.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-cw-tail-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const env = (url: string): NodeJS.ProcessEnv => fakeEnv(url, { HAYSTACK_CLOUDWATCH_POLL_MS: '5' });

/** Events a minute old (inside --start 10m), messages as the firewall writes them. */
function recent(n: number): Record<string, unknown>[] {
  const t = Date.now() - 60_000;
  return Array.from({ length: n }, (_, i) => awsEvent(i, t + i * 100, JSON.stringify({ dhost: `h${i}.example.com`, outcome: i % 2 === 0 ? 'disallowed' : 'allowed' }), i % 2 === 0 ? 'flow' : 'config'));
}

const tailLine = (e: Record<string, unknown>): string => `${new Date(e.timestamp as number).toISOString()} ${e.logStreamName as string} ${e.message as string}`;

test('polling with overlapping windows prints each event once', async () => {
  const ev = recent(5);
  // Each poll returns the tail of the last one again, as overlapping windows do.
  const s = await new FakeCloudWatch({
    FilterLogEvents: [{ body: { events: [ev[0], ev[1]] } }, { body: { events: [ev[1], ev[2], ev[3]] } }, { body: { events: [ev[2], ev[3], ev[4]] } }],
  }).start();
  try {
    const r = await runCliAsync(['tail', '--log-group', 'DiscrimiNAT', '--no-live', '--start', '10m', '--max-polls', '3'], env(s.url));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ev.map(tailLine));
    const calls = s.ops('FilterLogEvents');
    assert.equal(calls.length, 3);
    // Every poll starts at or before the first event still in play; none asks for an end.
    for (const c of calls) {
      assert.ok((c.body.startTime as number) <= (ev[0]!.timestamp as number));
      assert.equal(c.body.endTime, undefined);
    }
    assert.equal(s.ops('StartLiveTail').length, 0);
  } finally {
    await s.close();
  }
});

test('Live Tail is tried first; when it fails, tail says so and polls', async () => {
  const ev = recent(2);
  const arn = 'arn:aws:logs:eu-west-2:123456789012:log-group:DiscrimiNAT';
  const s = await new FakeCloudWatch({
    DescribeLogGroups: [{ body: { logGroups: [{ logGroupName: 'DiscrimiNAT-old', logGroupArn: `${arn}-old` }, { logGroupName: 'DiscrimiNAT', logGroupArn: arn, arn: `${arn}:*` }] } }],
    StartLiveTail: [{ error: { type: 'AccessDeniedException', message: 'User is not authorized to perform: logs:StartLiveTail' } }],
    FilterLogEvents: [{ body: { events: ev } }],
  }).start();
  try {
    const r = await runCliAsync(['tail', '--log-group', 'DiscrimiNAT', '--start', '10m', '--max-polls', '1'], env(s.url));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Live Tail unavailable \(.*\); polling FilterLogEvents every/);
    assert.deepEqual(r.stdout.trim().split('\n'), ev.map(tailLine));
    assert.equal(s.ops('DescribeLogGroups')[0]!.body.logGroupNamePrefix, 'DiscrimiNAT');
    assert.deepEqual(s.ops('StartLiveTail').map((c) => c.body.logGroupIdentifiers), [[arn]]);
    assert.match(r.stderr, /Live Tail unavailable \(StartLiveTail: access denied \(AccessDeniedException\): User is not authorized/);
  } finally {
    await s.close();
  }
});

test('--filter is sent to AWS and applied here too; --output ndjson', async () => {
  const ev = recent(6);
  const pattern = '{ $.outcome = "disallowed" }';
  const s = await new FakeCloudWatch({ FilterLogEvents: [{ body: { events: ev } }] }).start(); // a server that did not filter
  try {
    const r = await runCliAsync(['tail', '--log-group', 'DiscrimiNAT', '--no-live', '--start', '10m', '--max-polls', '1', '--filter', pattern, '--output', 'ndjson'], env(s.url));
    assert.equal(r.status, 0, r.stderr);
    const want = ev.filter((e) => (JSON.parse(e.message as string) as { outcome: string }).outcome === 'disallowed');
    assert.deepEqual(
      r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown),
      want.map((e) => ({ timestamp: e.timestamp, logStream: e.logStreamName, message: e.message })),
    );
    assert.equal(s.ops('FilterLogEvents')[0]!.body.filterPattern, pattern);
  } finally {
    await s.close();
  }
});

test('--query runs a streaming query event by event', async () => {
  const ev = recent(6);
  await withServer(new FakeCloudWatch({ FilterLogEvents: [{ body: { events: ev.slice(0, 3) } }, { body: { events: ev.slice(3) } }] }), async (s) => {
    const q = 'filter outcome = "disallowed" | fields dhost, @logStream';
    const r = await runCliAsync(['tail', '--log-group', 'DiscrimiNAT', '--no-live', '--start', '10m', '--max-polls', '2', '--query', q, '--output', 'ndjson'], env(s.url));
    assert.equal(r.status, 0, r.stderr);
    const want = ev
      .map((e) => ({ m: JSON.parse(e.message as string) as { dhost: string; outcome: string }, stream: e.logStreamName }))
      .filter((x) => x.m.outcome === 'disallowed')
      .map((x) => ({ dhost: x.m.dhost, '@logStream': x.stream }));
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown), want);
    assert.equal(s.ops('FilterLogEvents')[0]!.body.filterPattern, undefined);
  });
});

test('a query that needs every event is refused with HS2202 before any call', async () => {
  await withServer(new FakeCloudWatch({ FilterLogEvents: [{ body: { events: [] } }] }), async (s) => {
    const r = await runCliAsync(['tail', '--log-group', 'DiscrimiNAT', '--query', 'filter outcome = "disallowed" | stats count(*) by dhost'], env(s.url));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error HS2202: stats needs every event before it can answer, so it cannot run on a live tail/);
    assert.equal(s.calls.length, 0);
    const both = await runCliAsync(['tail', '--log-group', 'DiscrimiNAT', '--query', 'fields @message', '--filter', 'x'], env(s.url));
    assert.equal(both.status, 2);
    assert.match(both.stderr, /give --filter or --query, not both/);
  });
});

test('tail with no credentials fails fast with one line and exit 2', async () => {
  const r = await runCliAsync(['tail', '--log-group', 'DiscrimiNAT'], noCredentialsEnv(dir, 'http://127.0.0.1:9'));
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /no AWS credentials found/);
  assert.ok(r.ms < 5000);
});

test('the ids kept for dedupe are bounded: by the window, then by a cap that narrows the window', async () => {
  const { SeenIds } = await import('../../src/cloudwatch/tail.js');
  const seen = new SeenIds(3);
  for (let i = 0; i < 5; i++) seen.add(`e${i}`, 1000 + i);
  assert.equal(seen.size, 5); // nothing inside the window is dropped by itself
  assert.equal(seen.cutoff(), 1002); // keeping the newest 3 means asking from 1002 on
  seen.forgetBefore(1002);
  assert.ok(!seen.has('e1') && seen.has('e2') && seen.has('e4'));
  assert.equal(seen.cutoff(), null);
  seen.forgetBefore(1004);
  assert.ok(!seen.has('e3') && seen.has('e4'));
  assert.equal(seen.size, 1);
});

test('past the id cap, polling narrows its window and prints no event twice', async () => {
  const { tail } = await import('../../src/cloudwatch/tail.js');
  type Options = Parameters<typeof tail>[1];
  const now = Date.now();
  const events = Array.from({ length: 5 }, (_, i) => ({ eventId: `e${i}`, timestamp: now - 60_000 + i, logStreamName: 'flow', message: `m${i}`, ingestionTime: now }));
  const asked: number[] = [];
  // A client double: every poll gets the events at or after the start it asks for.
  const client = {
    filterLogEvents: async (input: { startTime?: number }) => {
      asked.push(input.startTime ?? 0);
      return { events: events.filter((e) => e.timestamp >= (input.startTime ?? 0)), searchedLogStreams: [] };
    },
  };
  const printed: string[] = [];
  const notes: string[] = [];
  const options: Options = {
    logGroup: 'G', live: false, since: now - 120_000, maxIds: 3, maxPolls: 3, pollMs: 1,
    onEvents: (es) => void printed.push(...es.map((e) => e.eventId)),
    onNote: (n) => void notes.push(n),
  };
  await tail(client as unknown as Parameters<typeof tail>[0], options);
  assert.deepEqual(printed, ['e0', 'e1', 'e2', 'e3', 'e4']);
  assert.equal(asked[1], events[2]!.timestamp); // the window now starts at the oldest id kept
  assert.equal(notes.filter((n) => /shortened/.test(n)).length, 1);
});

test('Live Tail: session events print, the pattern is sent, and a failed restart falls back to polling', async () => {
  const { eventStream } = await import('./fake-server.js');
  const ev = recent(4);
  const arn = 'arn:aws:logs:eu-west-2:123456789012:log-group:DiscrimiNAT';
  const live = (e: Record<string, unknown>): Record<string, unknown> => ({ logStreamName: e.logStreamName, logGroupIdentifier: arn, message: e.message, timestamp: e.timestamp, ingestionTime: e.ingestionTime });
  const pattern = '{ $.outcome = "disallowed" }';
  await withServer(
    new FakeCloudWatch({
      StartLiveTail: [
        eventStream([
          { type: 'sessionStart', body: { requestId: 'r1', sessionId: 's1', logGroupIdentifiers: [arn] } },
          { type: 'sessionUpdate', body: { sessionMetadata: { sampled: false }, sessionResults: [live(ev[0]!), live(ev[1]!)] } },
          // A sampled update: its events still print, and the sampling is said once.
          { type: 'sessionUpdate', body: { sessionMetadata: { sampled: true }, sessionResults: [live(ev[2]!)] } },
        ]),
        { error: { type: 'ServiceUnavailableException', status: 503 } },
      ],
      FilterLogEvents: [{ body: { events: [ev[2], ev[3]] } }],
    }),
    async (s) => {
      const r = await runCliAsync(['tail', '--log-group', arn, '--start', '10m', '--max-polls', '1', '--filter', pattern], env(s.url));
      assert.equal(r.status, 0, r.stderr);
      const want = ev.filter((e) => (JSON.parse(e.message as string) as { outcome: string }).outcome === 'disallowed');
      assert.deepEqual(r.stdout.trim().split('\n'), want.map(tailLine));
      assert.match(r.stderr, /following with Live Tail/);
      assert.match(r.stderr, /Live Tail unavailable/);
      assert.equal(r.stderr.match(/Live Tail is sending a sample/g)?.length, 1);
      const calls = s.ops('StartLiveTail');
      assert.ok(calls.length >= 2);
      assert.deepEqual(calls[0]!.body, { logGroupIdentifiers: [arn], logEventFilterPattern: pattern });
      assert.equal(s.ops('DescribeLogGroups').length, 0); // an ARN needs no lookup
      // Polling starts just after the last Live Tail event.
      assert.equal(s.ops('FilterLogEvents')[0]!.body.startTime, (ev[2]!.timestamp as number) + 1);
    },
  );
});

test('Ctrl-C ends tail with exit 0 and what was shown kept', async () => {
  const { startCli, waitFor } = await import('./run-async.js');
  const ev = recent(2);
  await withServer(new FakeCloudWatch({ FilterLogEvents: [{ body: { events: ev } }] }), async (s) => {
    const run = startCli(['tail', '--log-group', 'DiscrimiNAT', '--no-live', '--start', '10m'], env(s.url));
    await waitFor(() => run.stdout().split('\n').length > ev.length && s.ops('FilterLogEvents').length >= 3, 10000, 'output and polls');
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ev.map(tailLine)); // each once, however many polls saw them
  });
});
