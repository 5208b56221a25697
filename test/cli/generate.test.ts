/**
 * `haystack generate` through the built CLI: the files it writes (export and NDJSON forms,
 * gzip), byte-for-byte determinism, the summary, usage errors, and streaming with a 64 MB heap.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { runCli } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'haystack-generate-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const ARGS = ['--flows', '3000', '--days', '2', '--seed', 'cli-test', '--apps', '12'];
const EXPORT_LINE = /^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z) (\{.*\})$/;

function files(dir: string): string[] {
  return [...readdirSync(dir).map((f) => f), ...readdirSync(join(dir, 'DiscrimiNAT')).map((f) => `DiscrimiNAT/${f}`)].filter((f) => f !== 'DiscrimiNAT').sort();
}
const lines = (buf: Buffer): string[] => buf.toString('utf8').split('\n').slice(0, -1);

describe('haystack generate', () => {
  const a = join(tmp, 'a');
  const b = join(tmp, 'b');
  const ra = runCli(['generate', '--out', a, ...ARGS, '--format', 'both', '--gzip', '--output', 'json']);
  const rb = runCli(['generate', '--out', b, ...ARGS, '--format', 'both', '--gzip', '--output', 'json']);

  it('writes estate.json and the DiscrimiNAT group, byte for byte the same for a seed', () => {
    assert.equal(ra.status, 0, ra.stderr);
    assert.equal(rb.status, 0, rb.stderr);
    assert.deepEqual(files(a), ['DiscrimiNAT/config.log.gz', 'DiscrimiNAT/events.ndjson.gz', 'DiscrimiNAT/flow.log.gz', 'estate.json']);
    for (const f of files(a)) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f);
  });

  it('writes CloudWatch export lines in time order, and NDJSON with both streams merged', () => {
    const flow = lines(gunzipSync(readFileSync(join(a, 'DiscrimiNAT', 'flow.log.gz'))));
    const config = lines(gunzipSync(readFileSync(join(a, 'DiscrimiNAT', 'config.log.gz'))));
    assert.equal(flow.length, 3000);
    assert.ok(config.length > 50);
    const parse = (l: string): { t: number; message: string } => {
      const m = EXPORT_LINE.exec(l);
      assert.ok(m, l);
      JSON.parse(m[2]!);
      return { t: Date.parse(m[1]!), message: m[2]! };
    };
    const f = flow.map(parse);
    const c = config.map(parse);
    for (const list of [f, c]) for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]!.t <= list[i]!.t);
    const nd = lines(gunzipSync(readFileSync(join(a, 'DiscrimiNAT', 'events.ndjson.gz')))).map((l) => JSON.parse(l) as { timestamp: number; message: string; logStreamName: string });
    assert.equal(nd.length, flow.length + config.length);
    for (let i = 1; i < nd.length; i++) assert.ok(nd[i - 1]!.timestamp <= nd[i]!.timestamp);
    assert.deepEqual(Object.keys(nd[0]!), ['timestamp', 'message', 'logStreamName']);
    const pick = (stream: string): { t: number; message: string }[] => nd.filter((e) => e.logStreamName === stream).map((e) => ({ t: e.timestamp, message: e.message }));
    assert.deepEqual(pick('flow'), f);
    assert.deepEqual(pick('config'), c);
  });

  it('prints a JSON summary that agrees with the files', () => {
    const s = JSON.parse(ra.stdout) as {
      flow: { lines: number; allowed: number; disallowed: number };
      config: { lines: number };
      files: { path: string; bytes: number }[];
      seeThru: { gid: string; app: string; thruDate: string }[];
      estate: { applications: unknown[] };
    };
    assert.equal(s.flow.lines, 3000);
    assert.equal(s.flow.allowed + s.flow.disallowed, 3000);
    assert.equal(s.estate.applications.length, 12);
    for (const file of s.files) assert.equal(statSync(file.path).size, file.bytes, file.path);
    const estate = readFileSync(join(a, 'estate.json'), 'utf8');
    const gids = s.seeThru.map((x) => x.gid).filter((g) => g !== '%default');
    assert.ok(gids.length >= 4);
    // Each listed see-thru gid holds a see-thru rule with the listed date in estate.json.
    const file = JSON.parse(estate) as { views: { groups?: { gid: string; egress: { description?: string }[] }[] }[] };
    for (const x of s.seeThru.filter((y) => y.gid !== '%default')) {
      const found = file.views.some((v) => (v.groups ?? []).some((g) => g.gid === x.gid && g.egress.some((r) => r.description === `discriminat:see-thru:${x.thruDate}`)));
      assert.ok(found, `${x.gid} ${x.thruDate}`);
    }
    assert.ok(s.seeThru.some((x) => x.gid === '%default'));
  });

  it('prints a text summary on stderr by default, naming the see-thru gids', () => {
    const dir = join(tmp, 'text');
    const r = runCli(['generate', '--out', dir, '--flows', '200', '--days', '1', '--apps', '9']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^generated 200 flow and [0-9]+ config lines/);
    assert.match(r.stderr, /see-thru:\n {2}sg-0[0-9a-f]{16} /);
    assert.match(r.stderr, /%default/);
    assert.deepEqual(files(dir), ['DiscrimiNAT/config.log', 'DiscrimiNAT/flow.log', 'estate.json']);
  });

  it('--format ndjson writes only events.ndjson', () => {
    const dir = join(tmp, 'nd');
    const r = runCli(['generate', '--out', dir, '--flows', '100', '--days', '1', '--format', 'ndjson']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(files(dir), ['DiscrimiNAT/events.ndjson', 'estate.json']);
    const nd = lines(readFileSync(join(dir, 'DiscrimiNAT', 'events.ndjson')));
    assert.equal(nd.filter((l) => l.endsWith('"logStreamName":"flow"}')).length, 100);
  });

  it('refuses bad usage with exit 2', () => {
    for (const args of [
      ['--flows', 'many'],
      ['--days', '0'],
      ['--apps', '3'],
      ['--format', 'xml'],
      ['--generation', 'G4'],
      ['--start', 'last tuesday'],
    ]) {
      const r = runCli(['generate', '--out', join(tmp, 'bad'), ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.length > 0);
    }
    assert.equal(runCli(['generate']).status, 2, 'missing --out');
    assert.equal(existsSync(join(tmp, 'bad')), false);
  });

  it('streams: 200,000 flow lines with a 64 MB heap', async () => {
    const dir = join(tmp, 'big');
    const r = runCli(['generate', '--out', dir, '--flows', '200000', '--days', '3'], { nodeArgs: ['--max-old-space-size=64'] });
    assert.equal(r.status, 0, r.stderr);
    let n = 0;
    let last = '';
    const rl = createInterface({ input: createReadStream(join(dir, 'DiscrimiNAT', 'flow.log')), crlfDelay: Infinity });
    rl.on('line', (l) => {
      n++;
      const t = l.slice(0, 24);
      assert.ok(t >= last, `line ${n} goes back in time`);
      last = t;
    });
    await once(rl, 'close');
    assert.equal(n, 200_000);
  });
});
