/**
 * check-aws against the fake server. AWS's scripted answers come from each case's `expect`
 * (the suite's AWS-documented truth), never from haystack; a flipped answer must be reported.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../paths.js';
import { noCredentialsEnv } from './env.js';
import { FakeCloudWatch, fakeEnv, type Reply, withServer } from './fake-server.js';
import { runCliAsync } from './run-async.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-cw-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  id: string;
  pattern: string;
  message?: string;
  expect: 'match' | 'no-match' | 'invalid';
}
const suite = readFileSync(join(repoRoot, 'test', 'conformance', 'filter-patterns.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Case);

/** An AWS that answers as the cases say; `flip` ids get the other answer. */
function awsFromCases(cases: readonly Case[], flip: ReadonlySet<string> = new Set()): (body: Record<string, unknown>) => Reply {
  return (body) => {
    const pattern = body.filterPattern as string;
    const messages = body.logEventMessages as string[];
    const mine = cases.filter((c) => c.pattern === pattern);
    const invalid = mine.some((c) => (c.expect === 'invalid') !== flip.has(c.id));
    if (invalid && mine.every((c) => c.expect === 'invalid' || flip.has(c.id))) return { error: { type: 'InvalidParameterException', message: 'Invalid metric filter pattern' } };
    const matches = messages.flatMap((m, i) => {
      const c = mine.find((x) => x.message === m);
      if (!c) return [];
      const yes = (c.expect === 'match') !== flip.has(c.id);
      return yes ? [{ eventNumber: i + 1, eventMessage: m, extractedValues: {} }] : [];
    });
    return { body: { matches } };
  };
}

test('the whole conformance suite through a TestMetricFilter that answers as the cases say: all agree', async () => {
  await withServer(new FakeCloudWatch({ TestMetricFilter: awsFromCases(suite) }), async (s) => {
    const r = await runCliAsync(['check-aws', '--output', 'json'], fakeEnv(s.url));
    assert.equal(r.status, 0, r.stderr + r.stdout.slice(0, 2000));
    const report = JSON.parse(r.stdout) as { cases: number; calls: number; differences: unknown[]; untestable: string[] };
    assert.equal(report.cases, suite.length);
    assert.deepEqual(report.differences, []);
    assert.deepEqual(report.untestable, suite.filter((c) => c.message === '').map((c) => c.id));
    for (const c of s.ops('TestMetricFilter')) {
      const m = c.body.logEventMessages as string[];
      assert.ok(m.length >= 1 && m.length <= 50);
    }
    assert.equal(report.calls, s.ops('TestMetricFilter').length);
  });
});

test('each case where AWS answers otherwise is reported, with exit 1', async () => {
  const matchCase = suite.find((c) => c.expect === 'match')!;
  const invalidCase = suite.find((c) => c.expect === 'invalid' && suite.filter((x) => x.pattern === c.pattern).length === 1)!;
  const cases = [matchCase, invalidCase, ...suite.filter((c) => c.expect === 'no-match').slice(0, 3)];
  const file = join(dir, 'some.jsonl');
  writeFileSync(file, cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  await withServer(new FakeCloudWatch({ TestMetricFilter: awsFromCases(cases, new Set([matchCase.id, invalidCase.id])) }), async (s) => {
    const r = await runCliAsync(['check-aws', '--cases', file], fakeEnv(s.url));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`^${matchCase.id}: AWS says no-match, haystack says match \\(the case expects match\\)$`, 'm'));
    assert.match(r.stdout, new RegExp(`^${invalidCase.id}: AWS says valid, haystack says invalid \\(the case expects invalid\\)$`, 'm'));
    assert.match(r.stdout, /5 cases in \d+ TestMetricFilter calls: 3 agree, 2 differ$/m);
  });
});

test('up to 50 messages a call; throttling is retried', async () => {
  const cases: Case[] = Array.from({ length: 60 }, (_, i) => ({ id: `b-${i}`, pattern: 'ERROR', message: i % 2 === 0 ? `ERROR ${i}` : `INFO ${i}`, expect: i % 2 === 0 ? 'match' : 'no-match' }));
  const file = join(dir, 'batch.jsonl');
  writeFileSync(file, cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const answer = awsFromCases(cases);
  await withServer(new FakeCloudWatch({ TestMetricFilter: (body, nth) => (nth === 0 ? { error: { type: 'ThrottlingException', message: 'Rate exceeded' } } : answer(body)) }), async (s) => {
    const r = await runCliAsync(['check-aws', '--cases', file], fakeEnv(s.url));
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const sizes = s.ops('TestMetricFilter').map((c) => (c.body.logEventMessages as string[]).length);
    assert.deepEqual(sizes, [50, 50, 10]); // the first was throttled and sent again
    assert.match(r.stdout, /60 cases in 2 TestMetricFilter calls: 60 agree, 0 differ/);
  });
});

test('check-aws: --only filters by id; bad case files and no credentials exit 2', async () => {
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, '{"id": "x"}\n');
  const r1 = await runCliAsync(['check-aws', '--cases', bad], fakeEnv('http://127.0.0.1:9'));
  assert.equal(r1.status, 2);
  assert.match(r1.stderr, /bad\.jsonl:1: not a filter-pattern case/);
  const r2 = await runCliAsync(['check-aws', '--only', 'no-such-prefix-'], fakeEnv('http://127.0.0.1:9'));
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /no case to run/);
  const r3 = await runCliAsync(['check-aws'], noCredentialsEnv(dir, 'http://127.0.0.1:9'));
  assert.equal(r3.status, 2);
  assert.equal(r3.stderr.trim().split('\n').length, 1, r3.stderr);
  assert.match(r3.stderr, /no AWS credentials found/);
  assert.ok(r3.ms < 5000);
});
