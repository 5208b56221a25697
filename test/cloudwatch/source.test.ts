/**
 * CloudWatch as a source of the scanning commands, against the fake server: pagination,
 * retries, time-window edges, the pattern sent server-side, and fast failures with exit 2.
 * Expected answers are computed here from the scripted events with plain loops.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { awsEvent, FakeCloudWatch, fakeEnv, pagedByToken, withServer } from './fake-server.js';
import { closedPortUrl, noCredentialsEnv } from './env.js';
import { runCliAsync } from './run-async.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-cw-source-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 2, 29, 8, 0, 0);
const hosts = ['a.example.com', 'b.example.org', 'c.example.net'];
const outcomes = ['allowed', 'disallowed'];

/** 3 pages of flow events, some with a message spanning lines. */
function makePages(): Record<string, unknown>[][] {
  const pages: Record<string, unknown>[][] = [];
  let id = 0;
  for (let p = 0; p < 3; p++) {
    const page: Record<string, unknown>[] = [];
    for (let i = 0; i < 7; i++) {
      const n = id++;
      page.push(awsEvent(n, T0 + n * 1000, JSON.stringify({ dhost: hosts[n % 3], outcome: outcomes[(n >> 1) % 2], n }), n % 4 === 0 ? 'config' : 'flow'));
    }
    pages.push(page);
  }
  return pages;
}


test('filter --log-group reads every page and sends the pattern to AWS', async () => {
  const pages = makePages();
  const all = pages.flat();
  const want = all.filter((e) => (JSON.parse(e.message as string) as { outcome: string }).outcome === 'disallowed');
  await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(pages) }), async (s) => {
    const pattern = '{ $.outcome = "disallowed" }';
    const r = await runCliAsync(['filter', pattern, '--log-group', 'DiscrimiNAT', '--output', 'ndjson'], fakeEnv(s.url));
    assert.equal(r.status, 0, r.stderr);
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { timestamp: number; logStream: string; message: string });
    assert.deepEqual(got, want.map((e) => ({ timestamp: e.timestamp, logStream: e.logStreamName, message: e.message })));
    const calls = s.ops('FilterLogEvents');
    assert.equal(calls.length, 3);
    assert.deepEqual(calls.map((c) => c.body.nextToken), [undefined, 't1', 't2']);
    for (const c of calls) {
      assert.equal(c.body.logGroupName, 'DiscrimiNAT');
      assert.equal(c.body.filterPattern, pattern);
    }
  });
});

test('ThrottlingException and 5xx answers are retried; nothing is lost or repeated', async () => {
  const pages = makePages();
  const script = pagedByToken(pages, (page, nth) => {
    // page 1: throttled, then a 503, then served; page 2: a 500 once.
    if (page === 1 && nth === 1) return { error: { type: 'ThrottlingException', message: 'Rate exceeded' } };
    if (page === 1 && nth === 2) return { error: { type: 'ServiceUnavailableException', status: 503 } };
    if (page === 2 && nth === 4) return { error: { type: 'InternalFailure', status: 500 } };
    return null;
  });
  await withServer(new FakeCloudWatch({ FilterLogEvents: script }), async (s) => {
    const r = await runCliAsync(['filter', '', '--log-group', 'DiscrimiNAT', '--count'], fakeEnv(s.url));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${pages.flat().length}\n`);
    assert.equal(s.ops('FilterLogEvents').length, 6);
  });
});

test('an error AWS does not retry ends the command with one line and exit 2', async () => {
  await withServer(new FakeCloudWatch({ FilterLogEvents: [{ error: { type: 'ResourceNotFoundException', message: 'The specified log group does not exist.' } }] }), async (s) => {
    const r = await runCliAsync(['filter', 'ERROR', '--log-group', 'Nope'], fakeEnv(s.url));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /CloudWatch: FilterLogEvents on Nope: not found: The specified log group does not exist\./);
    assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack trace
    assert.equal(s.ops('FilterLogEvents').length, 1);
  });
});

test('time-window edges: start inclusive, end exclusive, asked of AWS as endTime = end - 1', async () => {
  const start = T0 + 10_000;
  const end = T0 + 20_000;
  // A server that also returns events just outside the window: the local window still holds.
  const events = [start - 1, start, start + 1, end - 1, end, end + 1].map((t, i) => awsEvent(i, t, `m${i}`));
  await withServer(new FakeCloudWatch({ FilterLogEvents: [{ body: { events } }] }), async (s) => {
    const r = await runCliAsync(
      ['filter', '', '--log-group', 'DiscrimiNAT', '--start', new Date(start).toISOString(), '--end', new Date(end).toISOString(), '--output', 'ndjson'],
      fakeEnv(s.url),
    );
    assert.equal(r.status, 0, r.stderr);
    const got = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { timestamp: number }).timestamp);
    assert.deepEqual(got, [start, start + 1, end - 1]);
    const body = s.ops('FilterLogEvents')[0]!.body;
    assert.equal(body.startTime, start);
    assert.equal(body.endTime, end - 1);
    assert.equal(body.filterPattern, undefined); // an empty pattern matches everything: not sent
  });
});

test('a cloudwatch://GROUP/STREAM path and --log-stream name the streams', async () => {
  await withServer(new FakeCloudWatch({ FilterLogEvents: [{ body: { events: [awsEvent(1, T0, 'x')] } }] }), async (s) => {
    const r1 = await runCliAsync(['filter', '', 'cloudwatch://DiscrimiNAT/flow', '--count'], fakeEnv(s.url));
    assert.equal(r1.status, 0, r1.stderr);
    const r2 = await runCliAsync(['filter', '', '--log-group', '%2Faws%2Fx', '--log-stream', 'flow', '--log-stream', 'config', '--count'], fakeEnv(s.url));
    assert.equal(r2.status, 0, r2.stderr);
    const r3 = await runCliAsync(['filter', '', 'cloudwatch://%2Faws%2Fnat', '--count'], fakeEnv(s.url));
    assert.equal(r3.status, 0, r3.stderr);
    const bodies = s.ops('FilterLogEvents').map((c) => c.body);
    assert.equal(bodies[0]!.logGroupName, 'DiscrimiNAT');
    assert.deepEqual(bodies[0]!.logStreamNames, ['flow']);
    assert.equal(bodies[1]!.logGroupName, '%2Faws%2Fx'); // --log-group is taken as written
    assert.deepEqual(bodies[1]!.logStreamNames, ['flow', 'config']);
    assert.equal(bodies[2]!.logGroupName, '/aws/nat');
  });
});

test('a query over --log-group gives the answer the same events give from an NDJSON file', async () => {
  const pages = makePages();
  const all = pages.flat();
  // The answer, counted here: events per dhost among disallowed ones.
  const counts = new Map<string, number>();
  for (const e of all) {
    const m = JSON.parse(e.message as string) as { dhost: string; outcome: string };
    if (m.outcome === 'disallowed') counts.set(m.dhost, (counts.get(m.dhost) ?? 0) + 1);
  }
  const file = join(dir, 'same.ndjson');
  writeFileSync(file, all.map((e) => JSON.stringify({ timestamp: e.timestamp, logStreamName: e.logStreamName, message: e.message }) + '\n').join(''));
  const q = 'filter outcome = "disallowed" | stats count(*) as n by dhost | sort dhost';
  await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(pages) }), async (s) => {
    const remote = await runCliAsync(['query', q, '--log-group', 'DiscrimiNAT', '--output', 'json'], fakeEnv(s.url));
    assert.equal(remote.status, 0, remote.stderr);
    const rows = JSON.parse(remote.stdout) as { dhost: string; n: number }[];
    assert.deepEqual(rows.map((r) => [r.dhost, Number(r.n)]), [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    const local = await runCliAsync(['query', q, file, '--output', 'json'], fakeEnv(s.url));
    assert.equal(local.stdout, remote.stdout);
    assert.equal(s.ops('FilterLogEvents')[0]!.body.filterPattern, undefined); // query: nothing sent server-side
  });
});

test('with no credentials, a CloudWatch source fails fast with one line and exit 2', async () => {
  await withServer(new FakeCloudWatch({ FilterLogEvents: [{ body: { events: [] } }] }), async (s) => {
    const r = await runCliAsync(['filter', 'ERROR', '--log-group', 'DiscrimiNAT'], noCredentialsEnv(dir, s.url));
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /CloudWatch: no AWS credentials found \(set AWS_PROFILE/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    assert.equal(s.calls.length, 0);
  });
});

test('with no network, a CloudWatch source fails fast with one line and exit 2, never a secret', async () => {
  const url = await closedPortUrl();
  const r = await runCliAsync(['filter', 'ERROR', '--log-group', 'DiscrimiNAT'], fakeEnv(url, { HAYSTACK_CLOUDWATCH_RETRY_DELAY_MS: '' }));
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /CloudWatch: FilterLogEvents on DiscrimiNAT: cannot reach CloudWatch Logs \(ECONNREFUSED/);
  assert.doesNotMatch(r.stderr + r.stdout, /dummy-secret-not-real|AKIDEXAMPLE/);
  assert.ok(r.ms < 8000, `took ${r.ms} ms`);
});

test('--log-stream without --log-group is a usage error', async () => {
  const r = await runCliAsync(['filter', 'ERROR', '--log-stream', 'flow'], fakeEnv('http://127.0.0.1:9'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--log-stream needs --log-group/);
});

test('other scanning commands read CloudWatch too: recipes run over --log-group', async () => {
  const pages = makePages();
  const want = pages.flat().filter((e) => (JSON.parse(e.message as string) as { outcome: string }).outcome === 'disallowed');
  await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(pages) }), async (s) => {
    const r = await runCliAsync(['recipes', 'run', 'disallowed', '--log-group', 'DiscrimiNAT'], fakeEnv(s.url));
    assert.equal(r.status, 0, r.stderr);
    const got = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { message: string }).message);
    assert.deepEqual(got, want.map((e) => e.message));
    assert.equal(s.ops('FilterLogEvents').length, 3);
    assert.equal(s.ops('FilterLogEvents')[0]!.body.filterPattern, '{ $.outcome = "disallowed" }'); // the recipe's text
  });
});

test('--profile picks credentials and region from the AWS config files', async () => {
  const config = join(dir, 'aws-config');
  const creds = join(dir, 'aws-credentials');
  writeFileSync(config, '[profile audit]\nregion = eu-central-1\n');
  writeFileSync(creds, '[audit]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret-not-real\n');
  await withServer(new FakeCloudWatch({ FilterLogEvents: [{ body: { events: [awsEvent(1, T0, 'x')] } }] }), async (s) => {
    const env = fakeEnv(s.url, { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: creds });
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    delete env.AWS_REGION;
    const r = await runCliAsync(['filter', '', '--log-group', 'DiscrimiNAT', '--profile', 'audit', '--count'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '1\n');
    const none = await runCliAsync(['filter', '', '--log-group', 'DiscrimiNAT', '--profile', 'missing', '--count'], env);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no AWS credentials found for profile missing/);
    assert.doesNotMatch(none.stderr + none.stdout, /profile-secret-not-real|AKIDPROFILE/);
  });
});

test('plain file scans never load the AWS SDK', async () => {
  const { runCli } = await import('../cli/run.js');
  const { repoRoot } = await import('../paths.js');
  // A module-resolution hook that refuses any @aws-sdk import.
  const hook = 'export async function resolve(s, c, next) { if (s.startsWith("@aws-sdk/")) throw new Error("AWS SDK loaded: " + s); return next(s, c); }';
  const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  const nodeArgs = ['--import', `data:text/javascript,${encodeURIComponent(register)}`];
  const plain = runCli(['filter', '{ $.outcome = "disallowed" }', join(repoRoot, 'examples', 'flow.log'), '--count'], { nodeArgs });
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /^\d+\n$/);
  // The hook does catch a load: a CloudWatch source trips it.
  const cloud = runCli(['filter', 'x', '--log-group', 'DiscrimiNAT'], { nodeArgs });
  assert.notEqual(cloud.status, 0);
  assert.match(cloud.stderr, /AWS SDK loaded: @aws-sdk\/client-cloudwatch-logs/);
});

test('no network at all: every command fails at once with one line and exit 2', async () => {
  const url = await closedPortUrl();
  const e = fakeEnv(url, { HAYSTACK_CLOUDWATCH_RETRY_DELAY_MS: '' }); // the SDK's own backoff
  const commands = [
    ['pull', '--log-group', 'DiscrimiNAT', '--out', join(dir, 'no-network')],
    ['tail', '--log-group', 'DiscrimiNAT', '--no-live'],
    ['tail', '--log-group', 'DiscrimiNAT'],
    ['query', '--remote', '--log-group', 'DiscrimiNAT', 'fields @message'],
    ['check-aws', '--only', 'term-'],
    ['query', 'stats count(*)', 'cloudwatch://DiscrimiNAT'],
  ];
  for (const args of commands) {
    const r = await runCliAsync(args, e);
    assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^error: CloudWatch: .*cannot reach CloudWatch Logs \(ECONNREFUSED/);
    assert.ok(r.ms < 5000, `${args[0]} took ${r.ms} ms`);
  }
});

test('a connection that fails before any call went through is not retried', async () => {
  await withServer(new FakeCloudWatch({ FilterLogEvents: [{ destroy: true }] }), async (s) => {
    const r = await runCliAsync(['filter', '', '--log-group', 'DiscrimiNAT'], fakeEnv(s.url));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot reach CloudWatch Logs/);
    assert.equal(s.ops('FilterLogEvents').length, 1);
  });
});

test('haystack ui takes --log-group as its input: with no credentials it fails fast like every other command', async () => {
  await withServer(new FakeCloudWatch({ FilterLogEvents: [{ body: { events: [] } }] }), async (s) => {
    const r = await runCliAsync(['ui', '--log-group', 'DiscrimiNAT'], noCredentialsEnv(dir, s.url));
    assert.equal(r.status, 2);
    assert.doesNotMatch(r.stderr, /no input given/);
    assert.match(r.stderr, /CloudWatch: no AWS credentials found/);
    assert.equal(s.calls.length, 0);
  });
});
