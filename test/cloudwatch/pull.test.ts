/**
 * pull against the fake server: files per stream and day read back here with zlib, a process
 * killed at several moments and rerun, a connection dropped mid-pull and rerun, a repeated
 * boundary event. The expected files are built here from the server's fixed event list.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { awsEvent, FakeCloudWatch, fakeEnv, pagedByToken, withServer } from './fake-server.js';
import { noCredentialsEnv } from './env.js';
import { runCliAsync, startCli } from './run-async.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-cw-pull-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 29, 22, 0, 0); // two hours before a UTC day ends

/** 6 pages of 5 events over two streams, crossing midnight, one message with a space run. */
function makePages(): Record<string, unknown>[][] {
  const pages: Record<string, unknown>[][] = [];
  let id = 0;
  for (let p = 0; p < 6; p++) {
    const page = [];
    for (let i = 0; i < 5; i++, id++) page.push(awsEvent(id, T0 + id * 10 * 60_000, JSON.stringify({ n: id, dhost: `h${id % 3}.example.com`, note: 'a  b' }), id % 3 === 0 ? 'config' : 'flow'));
    pages.push(page);
  }
  return pages;
}

/** What the folder must hold: relative path -> lines, in server order. */
function expectedFiles(events: readonly Record<string, unknown>[]): Map<string, string[]> {
  const files = new Map<string, string[]>();
  for (const e of events) {
    const ts = e.timestamp as number;
    const d = new Date(ts);
    const day = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
    const rel = `${e.logStreamName as string}/${day}.log.gz`;
    const lines = files.get(rel) ?? [];
    lines.push(`${d.toISOString()} ${e.message as string}`);
    files.set(rel, lines);
  }
  return files;
}

function walk(d: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** The folder's data files, each gunzipped independently (concatenated members included). */
function readPulled(out: string): Map<string, string[]> {
  const files = new Map<string, string[]>();
  for (const p of walk(out).sort()) {
    const rel = relative(out, p).split('\\').join('/');
    if (!rel.endsWith('.gz')) continue;
    files.set(rel, gunzipSync(readFileSync(p)).toString('utf8').split('\n').filter((l) => l !== ''));
  }
  return files;
}

function assertExact(out: string, events: readonly Record<string, unknown>[]): void {
  const want = expectedFiles(events);
  const got = readPulled(out);
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
  for (const [rel, lines] of want) assert.deepEqual(got.get(rel), lines, rel);
  const manifest = JSON.parse(readFileSync(join(out, 'haystack-pull.json'), 'utf8')) as { complete: boolean; events: number; files: Record<string, { bytes: number; events: number }> };
  assert.equal(manifest.complete, true);
  assert.equal(manifest.events, events.length);
  for (const [rel, f] of Object.entries(manifest.files)) {
    assert.equal(statSync(join(out, rel)).size, f.bytes, rel);
    assert.equal(f.events, want.get(rel)!.length, rel);
  }
}

test('pull writes one export-format gzip file per stream and UTC day, and a manifest', async () => {
  const pages = makePages();
  await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(pages) }), async (s) => {
    const out = join(dir, 'basic');
    const r = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out], fakeEnv(s.url));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /pull complete: 30 events in 4 files/);
    assert.doesNotMatch(r.stderr, /\r/); // no progress line when stderr is not a terminal
    assertExact(out, pages.flat());
    // Days cross midnight UTC: both days exist for both streams.
    assert.ok(existsSync(join(out, 'flow', '2026-03-29.log.gz')) && existsSync(join(out, 'flow', '2026-03-30.log.gz')));
    const again = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out], fakeEnv(s.url));
    assert.equal(again.status, 0);
    assert.match(again.stderr, /already complete/);
    assert.equal(s.ops('FilterLogEvents').length, 6); // the rerun asked nothing
    const other = await runCliAsync(['pull', '--log-group', 'Other', '--out', out], fakeEnv(s.url));
    assert.equal(other.status, 2);
    assert.match(other.stderr, /holds a pull of another request \(log group DiscrimiNAT\)/);
    const otherEnd = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out, '--end', '2026-01-01T00:00:00Z'], fakeEnv(s.url));
    assert.equal(otherEnd.status, 2);
    assert.match(otherEnd.stderr, /holds a pull of another request \(end /);
    // The files read back through haystack as export format, with every event.
    // (the manifest beside them is passed over: not a scan issue, even under --strict).
    const count = await runCliAsync(['filter', '', out, '--count', '--strict'], fakeEnv(s.url));
    assert.equal(count.status, 0, count.stderr);
    assert.equal(count.stderr, '');
    assert.equal(count.stdout, '30\n');
  });
});

for (const k of [1, 2, 3, 5]) {
  test(`pull killed after page ${k} is served, then rerun: no event missing, none twice`, async () => {
    const pages = makePages();
    await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(pages) }), async (s) => {
      const out = join(dir, `killed-${k}`);
      const run = startCli(['pull', '--log-group', 'DiscrimiNAT', '--out', out], fakeEnv(s.url));
      let served = 0;
      s.onCall = (c) => {
        if (c.op !== 'FilterLogEvents') return;
        served++;
        if (served === k) run.child.kill('SIGKILL'); // at once: the answer may be half read or half written
      };
      const first = await run.done;
      s.onCall = null;
      if (first.signal !== 'SIGKILL') assert.equal(first.status, 0, first.stderr); // it may have finished first
      const second = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out], fakeEnv(s.url));
      assert.equal(second.status, 0, second.stderr);
      assertExact(out, pages.flat());
    });
  });
}

test('a connection dropped mid-pull fails with exit 2; the rerun completes with no gap and no duplicate', async () => {
  const pages = makePages();
  let dropping = true;
  await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(pages, (page) => (dropping && page === 3 ? { destroy: true } : null)) }), async (s) => {
    const out = join(dir, 'dropped');
    const first = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out], fakeEnv(s.url));
    assert.equal(first.status, 2);
    assert.match(first.stderr, /CloudWatch: FilterLogEvents on DiscrimiNAT: cannot reach CloudWatch Logs/);
    // After calls went through, a dropped connection is retried: 5 attempts at page 3.
    assert.equal(s.ops('FilterLogEvents').filter((c) => c.body.nextToken === 't3').length, 5);
    // As if killed between writing a page and its checkpoint: bytes past the recorded length
    // and a file the manifest does not know. The rerun must cut both away.
    appendFileSync(join(out, 'flow', '2026-03-29.log.gz'), gzipSync('2026-03-29T23:59:00.000Z half-written page\n'));
    writeFileSync(join(out, 'config', '2026-03-31.log.gz'), gzipSync('2026-03-31T00:00:00.000Z not checkpointed\n'));
    // Pages 0-2 were kept: the rerun starts at page 3.
    const before = s.ops('FilterLogEvents').length;
    dropping = false;
    const second = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out], fakeEnv(s.url));
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /resumed and complete/);
    assert.equal(s.ops('FilterLogEvents')[before]!.body.nextToken, 't3');
    assertExact(out, pages.flat());
  });
});

test('an event AWS returns again at a page boundary is written once', async () => {
  const pages = makePages();
  // Page 2 starts with the last event of page 1 again (same event id).
  const repeated = pages.map((p, i) => (i === 2 ? [pages[1]![4]!, ...p] : p));
  await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(repeated) }), async (s) => {
    const out = join(dir, 'boundary');
    const r = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out], fakeEnv(s.url));
    assert.equal(r.status, 0, r.stderr);
    assertExact(out, pages.flat());
  });
});

test('pull sends the window and streams, and keeps the window fixed across reruns', async () => {
  const pages = makePages();
  await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(pages) }), async (s) => {
    const out = join(dir, 'window');
    const start = T0;
    const end = T0 + DAY;
    const r = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--log-stream', 'flow', '--out', out, '--start', String(start), '--end', String(end)], fakeEnv(s.url));
    assert.equal(r.status, 0, r.stderr);
    const b = s.ops('FilterLogEvents')[0]!.body;
    assert.deepEqual([b.startTime, b.endTime, b.logStreamNames], [start, end - 1, ['flow']]);
  });
});

test('pull with no credentials fails fast with one line and exit 2', async () => {
  const r = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', join(dir, 'nocreds')], noCredentialsEnv(dir, 'http://127.0.0.1:9'));
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /no AWS credentials found/);
  assert.ok(r.ms < 5000);
});

test('stream names become one safe path segment each', async () => {
  const { segment } = await import('../../src/cloudwatch/pull.js');
  assert.equal(segment('flow'), 'flow');
  assert.equal(segment('2026/03/29/[$LATEST]ab'), '2026%2F03%2F29%2F%5B%24LATEST%5Dab');
  assert.equal(segment('..'), '%2E%2E');
  assert.equal(segment('.'), '%2E');
  assert.equal(segment(''), '%00');
});

test('--no-gzip writes plain export-format files', async () => {
  const pages = makePages().slice(0, 2);
  await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(pages) }), async (s) => {
    const out = join(dir, 'plain');
    const r = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out, '--no-gzip'], fakeEnv(s.url));
    assert.equal(r.status, 0, r.stderr);
    const want = expectedFiles(pages.flat());
    for (const [rel, lines] of want) {
      const plain = rel.replace(/\.gz$/, '');
      assert.deepEqual(readFileSync(join(out, plain), 'utf8').split('\n').filter((l) => l !== ''), lines, plain);
    }
  });
});

test('on a terminal, pull shows a progress line (events, MB, rate, window done)', async () => {
  const { spawn } = await import('node:child_process');
  const { cliPath } = await import('../paths.js');
  const pages = makePages();
  await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(pages) }), async (s) => {
    const out = join(dir, 'tty');
    const q = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
    const cmd = [process.execPath, cliPath, 'pull', '--log-group', 'DiscrimiNAT', '--out', out, '--start', String(T0), '--end', String(T0 + DAY)].map(q).join(' ');
    // script(1) runs the command on a pseudo-terminal, so stderr is a TTY.
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: fakeEnv(s.url), stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const status = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(status, 0, text);
    assert.match(text, /\r\x1b\[K\d+ events, \d+\.\d MB, \d+ events\/s, \d+% of the window/);
    assert.match(text, /pull complete: 30 events/);
  });
});

test('a checkpoint whose page token expired: the rerun starts over and still ends exact', async () => {
  const pages = makePages();
  let run = 1;
  let refused = false;
  const script = pagedByToken(pages, (page) => {
    if (run === 1 && page === 3) return { destroy: true };
    // The first request of the second run carries the day-old token: refused. A token AWS
    // hands out afresh (the same text here) is good again.
    if (run === 2 && page === 3 && !refused) {
      refused = true;
      return { error: { type: 'InvalidParameterException', message: 'The specified nextToken has expired.' } };
    }
    return null;
  });
  await withServer(new FakeCloudWatch({ FilterLogEvents: script }), async (s) => {
    const out = join(dir, 'expired');
    const first = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out], fakeEnv(s.url));
    assert.equal(first.status, 2);
    run = 2;
    const before = s.ops('FilterLogEvents').length;
    const second = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out], fakeEnv(s.url));
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /the saved page token was refused \(FilterLogEvents on DiscrimiNAT: InvalidParameterException: The specified nextToken has expired\.\); tokens last 24 hours, so the pull starts over/);
    const calls = s.ops('FilterLogEvents').slice(before).map((c) => c.body.nextToken);
    assert.deepEqual(calls, ['t3', undefined, 't1', 't2', 't3', 't4', 't5']);
    assertExact(out, pages.flat());
  });
});

test('one pull at a time per folder; a lock left by a killed pull is taken over', async () => {
  const pages = makePages();
  await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(pages) }), async (s) => {
    const out = join(dir, 'locked');
    mkdirSync(out, { recursive: true });
    // A live process holds the lock: this test's own.
    writeFileSync(join(out, 'haystack-pull.json.lock'), String(process.pid));
    const busy = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out], fakeEnv(s.url));
    assert.equal(busy.status, 2);
    assert.match(busy.stderr, new RegExp(`another pull \\(process ${process.pid}\\) is writing`));
    assert.equal(s.calls.length, 0);
    // A pid that is not running (a pull that was killed): taken over.
    writeFileSync(join(out, 'haystack-pull.json.lock'), '2147483646');
    const r = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out], fakeEnv(s.url));
    assert.equal(r.status, 0, r.stderr);
    assertExact(out, pages.flat());
    assert.ok(!existsSync(join(out, 'haystack-pull.json.lock')));
  });
});

test('a pull with a relative --start resumes when the same command is run again, on the window of the first run', async () => {
  const pages = makePages();
  let dropping = true;
  await withServer(new FakeCloudWatch({ FilterLogEvents: pagedByToken(pages, (page) => (dropping && page === 2 ? { destroy: true } : null)) }), async (s) => {
    const out = join(dir, 'relative');
    const args = ['pull', '--log-group', 'DiscrimiNAT', '--out', out, '--start', '3650d'];
    const first = await runCliAsync(args, fakeEnv(s.url));
    assert.equal(first.status, 2);
    const firstStart = s.ops('FilterLogEvents')[0]!.body.startTime;
    dropping = false;
    await new Promise((r) => setTimeout(r, 20)); // "3650d ago" is now another moment
    const second = await runCliAsync(args, fakeEnv(s.url));
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /resumed and complete/);
    const asked = s.ops('FilterLogEvents');
    assert.equal(asked[asked.length - 1]!.body.startTime, firstStart);
    assertExact(out, pages.flat());
    // Other words are another request.
    const other = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', out, '--start', '30d'], fakeEnv(s.url));
    assert.equal(other.status, 2);
    assert.match(other.stderr, /holds a pull of another request \(start 3650d\)/);
  });
});

test('an --out that cannot be written is one line and exit 2, not an internal error', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a folder');
  await withServer(new FakeCloudWatch({ FilterLogEvents: [{ body: { events: [] } }] }), async (s) => {
    const r = await runCliAsync(['pull', '--log-group', 'DiscrimiNAT', '--out', file], fakeEnv(s.url));
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('  = hint')).length, 1, r.stderr);
    assert.match(r.stderr, /cannot write the pull in/);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  });
});
