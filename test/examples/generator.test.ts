/**
 * scripts/generate-flow.mjs: line counts, determinism, the three output forms, the CLI, and that
 * every line is a valid G3 flow line by the rules of spec D2.1/D2.3 (checked here by hand).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { repoRoot } from '../paths.js';

// Plain JS outside the TypeScript build: loaded from the repo, typed by generate-flow.d.mts.
const script = join(repoRoot, 'scripts', 'generate-flow.mjs');
const { generateFlowLines, FLOW_FIELD_ORDER, START_MS }: typeof import('../../scripts/generate-flow.mjs') =
  await import(pathToFileURL(script).href);

const take = (lines: number, seed: string | number, format?: 'json' | 'export' | 'ndjson'): string[] =>
  [...generateFlowLines({ lines, seed, ...(format === undefined ? {} : { format }) })];

// ---------------------------------------------------------------------------------------------
// Spec D2.1/D2.3, written out independently of the generator.

const ORDER = ['dhost', 'cat', 'outcome', 'src', 'spt', 'proto', 'proto_v', 'dst', 'dpt', 'reason', 'instance', 'pqc',
  'http_code', 'http_method', 'http_path', 'http_user_agent', 'see_thru_days_remaining', 'see_thru_gid', 'see_thru_exerted'];
const PROTO_V: Record<string, string[]> = { tls: ['1.0', '1.1', '1.2', '1.3'], ssh: ['1.5', '1.99', '2.0'], http: ['1.0', '1.1'] };
const REASONS = ['no rules for client', 'no protocol rule matched', 'cache not ready', 'dns mismatch', 'tls version below 1.2',
  'sni missing', 'ssh version below 2', 'protocol unknown', 'http not allowed', 'x509 crl'];
const IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const GID = /^sg-[0-9a-z]{1,17}$/;
const INSTANCE = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const isPort = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;

type Line = Record<string, unknown>;

/** Problems with one line; empty when it is a valid G3 flow line. */
function problems(text: string): string[] {
  const out: string[] = [];
  let o: Line;
  try {
    o = JSON.parse(text) as Line;
  } catch {
    return ['not JSON'];
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return ['not an object'];
  // D2.1: exactly the text JSON.stringify gives, keys in the listed order, no null.
  if (JSON.stringify(o) !== text) out.push('not in JSON.stringify form');
  const keys = Object.keys(o);
  const positions = keys.map((k) => ORDER.indexOf(k));
  if (positions.includes(-1)) out.push(`unknown field in ${keys.join(',')}`);
  if (positions.some((p, i) => i > 0 && p <= positions[i - 1]!)) out.push(`fields out of order: ${keys.join(',')}`);
  if (Object.values(o).includes(null)) out.push('null value');

  const { dhost, cat, outcome, src, spt, proto, proto_v, dst, dpt, reason, instance } = o;
  for (const k of ['dhost', 'cat', 'outcome', 'src', 'spt', 'proto', 'dst', 'dpt', 'reason', 'instance']) {
    if (!(k in o)) out.push(`${k} missing`);
  }
  if (cat !== 'client' && cat !== 'server') out.push(`cat ${String(cat)}`);
  if (outcome !== 'allowed' && outcome !== 'disallowed') out.push(`outcome ${String(outcome)}`);
  if (typeof src !== 'string' || !IPV4.test(src)) out.push(`src ${String(src)}`);
  if (typeof dst !== 'string' || !IPV4.test(dst)) out.push(`dst ${String(dst)}`);
  if (!isPort(spt)) out.push(`spt ${String(spt)}`);
  if (!isPort(dpt)) out.push(`dpt ${String(dpt)}`);
  if (typeof instance !== 'string' || !INSTANCE.test(instance)) out.push(`instance ${String(instance)}`);
  if (typeof reason !== 'string' || !(GID.test(reason) || REASONS.includes(reason))) out.push(`reason ${String(reason)}`);
  // An allowed line names the matching group, or is a CRL fetch; a disallowed one says why.
  if (outcome === 'allowed' && typeof reason === 'string' && !GID.test(reason) && reason !== 'x509 crl') out.push(`allowed with ${reason}`);
  if (outcome === 'disallowed' && typeof reason === 'string' && (GID.test(reason) || reason === 'x509 crl')) out.push(`disallowed with ${reason}`);

  // dhost: a lower-case hostname, or the destination IP when no hostname is known (D2.3). On a
  // server line the destination is the server, i.e. `src` (D6.8: dhost as on the client line).
  if (typeof dhost !== 'string') out.push('dhost not a string');
  else if (IPV4.test(dhost)) {
    if (dhost !== (cat === 'client' ? dst : src)) out.push(`dhost IP ${dhost} is not the destination`);
  } else if (!HOSTNAME.test(dhost)) out.push(`dhost ${dhost}`);

  if (proto === 'unknown') {
    if ('proto_v' in o) out.push('proto_v on unknown');
    if (dhost !== (cat === 'client' ? dst : src)) out.push('unknown protocol with a hostname');
    if (reason !== 'protocol unknown') out.push(`unknown protocol with reason ${String(reason)}`);
  } else if (typeof proto === 'string' && proto in PROTO_V) {
    if (!PROTO_V[proto]!.includes(proto_v as string)) out.push(`proto_v ${String(proto_v)} for ${proto}`);
  } else out.push(`proto ${String(proto)}`);

  // pqc only, and always (G3), on tls lines; below TLS 1.3 it is false (D2.4).
  if (proto === 'tls') {
    if (typeof o.pqc !== 'boolean') out.push('tls line without boolean pqc');
    else if (o.pqc && proto_v !== '1.3') out.push(`pqc true on TLS ${String(proto_v)}`);
  } else if ('pqc' in o) out.push(`pqc on ${String(proto)}`);

  // http_*: only on http lines; request fields on client lines, the status on server lines.
  const httpKeys = keys.filter((k) => k.startsWith('http_'));
  if (proto !== 'http' && httpKeys.length > 0) out.push(`${httpKeys.join(',')} on ${String(proto)}`);
  if (proto === 'http') {
    if (cat === 'client') {
      if (typeof o.http_method !== 'string' || typeof o.http_path !== 'string' || !o.http_path.startsWith('/')) out.push('http request fields');
      if ('http_user_agent' in o && typeof o.http_user_agent !== 'string') out.push('http_user_agent');
      if ('http_code' in o) out.push('http_code on a client line');
    } else {
      if (!Number.isInteger(o.http_code) || (o.http_code as number) < 100 || (o.http_code as number) > 599) out.push('http_code');
      if (httpKeys.some((k) => k !== 'http_code')) out.push('request fields on a server line');
    }
  }

  // The see-thru trio: all or none; exerted only when the see-thru was active and needed (D6.7).
  const trio = ['see_thru_days_remaining', 'see_thru_gid', 'see_thru_exerted'].filter((k) => k in o);
  if (trio.length !== 0 && trio.length !== 3) out.push(`incomplete see-thru trio ${trio.join(',')}`);
  if (trio.length === 3) {
    const days = o.see_thru_days_remaining;
    if (!Number.isInteger(days)) out.push('see_thru_days_remaining not an integer');
    if (typeof o.see_thru_gid !== 'string' || !(GID.test(o.see_thru_gid) || o.see_thru_gid === '%default')) out.push('see_thru_gid');
    if (typeof o.see_thru_exerted !== 'boolean') out.push('see_thru_exerted not boolean');
    if (o.see_thru_exerted === true && (outcome !== 'disallowed' || (days as number) < 0)) out.push('exerted without need or when expired');
    if (o.see_thru_exerted === false && outcome === 'disallowed' && (days as number) >= 0) out.push('active see-thru not exerted');
  }
  return out;
}

/** Problems between lines: a server line follows its own client line, which must have passed. */
function pairProblems(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const s = JSON.parse(lines[i]!) as Line;
    if (s.cat !== 'server') continue;
    const c = i > 0 ? (JSON.parse(lines[i - 1]!) as Line) : undefined;
    if (c === undefined || c.cat !== 'client') {
      out.push(`line ${i + 1}: server line without its client line before it`);
      continue;
    }
    const same = c.src === s.dst && c.spt === s.dpt && c.dst === s.src && c.dpt === s.spt && c.dhost === s.dhost &&
      c.proto === s.proto && c.instance === s.instance && c.see_thru_gid === s.see_thru_gid &&
      c.see_thru_days_remaining === s.see_thru_days_remaining;
    if (!same) out.push(`line ${i + 1}: server line does not mirror the client line`);
    if (c.outcome !== 'allowed' && c.see_thru_exerted !== true) out.push(`line ${i + 1}: server line after a blocked connection`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

test('yields exactly the number of lines asked for', () => {
  for (const n of [0, 1, 2, 3, 17, 1000, 4099]) assert.equal(take(n, 5).length, n, `lines: ${n}`);
  assert.throws(() => take(-1, 5), RangeError);
  assert.throws(() => take(1.5, 5), RangeError);
  assert.throws(() => [...generateFlowLines({ lines: 1, format: 'xml' as 'json' })], RangeError);
});

test('the same seed gives the same lines; another seed other lines', () => {
  const a = take(3000, 'alpha');
  assert.deepEqual(take(3000, 'alpha'), a);
  assert.deepEqual(take(1000, 'alpha'), a.slice(0, 1000), 'a shorter run is a prefix');
  assert.deepEqual(take(500, 42), take(500, '42'), 'a number seed is its decimal text');
  const b = take(3000, 'beta');
  assert.notDeepEqual(b, a);
  assert.ok(b.filter((l, i) => l === a[i]).length < 30);
});

test('every line is a valid G3 flow line (spec D2.1, D2.3)', () => {
  assert.deepEqual([...FLOW_FIELD_ORDER], ORDER);
  for (const seed of [1, 'two', 20260329]) {
    const lines = take(20_000, seed);
    const bad: string[] = [];
    lines.forEach((line, i) => {
      const p = problems(line);
      if (p.length > 0 && bad.length < 10) bad.push(`seed ${seed} line ${i + 1}: ${p.join('; ')}\n  ${line}`);
    });
    bad.push(...pairProblems(lines).slice(0, 10));
    assert.deepEqual(bad, []);
  }
});

test('the validator above rejects what it should', () => {
  const good = '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","instance":"i-0f1e2d3c4b5a69788","pqc":true}';
  assert.deepEqual(problems(good), []);
  const bad = [
    good.replace('"spt":40001', '"spt":"40001"'),
    good.replace('"dhost":"api.github.com","cat":"client"', '"cat":"client","dhost":"api.github.com"'),
    good.replace(',"pqc":true', ''),
    good.replace('"proto":"tls","proto_v":"1.3"', '"proto":"ssh","proto_v":"2.0"'),
    good.replace('}', ',"see_thru_gid":"sg-0ccc3333"}'),
    good.replace('}', ',"http_code":200}'),
    good.replace('"dhost":"api.github.com"', '"dhost":"140.82.121.9"'),
    good.replace(':443,', ': 443,'),
    good.replace('"instance":"i-0f1e2d3c4b5a69788",', ''),
  ];
  for (const line of bad) assert.notDeepEqual(problems(line), [], line);
});

test('the traffic is a realistic mix', () => {
  const lines = take(50_000, 'mix').map((l) => JSON.parse(l) as Line);
  const share = (f: (o: Line) => boolean): number => lines.filter(f).length / lines.length;
  assert.ok(share((o) => o.proto === 'tls' && o.outcome === 'allowed') > 0.6, 'mostly allowed tls');
  assert.ok(share((o) => o.outcome === 'disallowed') > 0.05, 'some disallowed');
  for (const proto of ['ssh', 'unknown', 'http']) {
    const s = share((o) => o.proto === proto);
    assert.ok(s > 0.002 && s < 0.1, `some ${proto}: ${s}`);
  }
  assert.ok(share((o) => o.proto === 'http' && o.reason === 'x509 crl') > 0.01, 'CRL fetches');
  assert.ok(share((o) => o.cat === 'server') > 0.3, 'server lines');
  assert.ok(share((o) => o.src === '172.16.1.9') > 0.005, '172.16.1.9 is a client');
  assert.ok(lines.some((o) => o.src === '172.16.1.9' && o.dhost === 'api.github.com'));
  assert.ok(lines.some((o) => o.src === '172.16.1.9' && o.dhost !== 'api.github.com'));

  const clients = new Set(lines.filter((o) => o.cat === 'client').map((o) => o.src as string));
  assert.ok(clients.size >= 100 && clients.size <= 400, `${clients.size} clients`);
  for (const ip of clients) assert.match(ip, /^(?:10\.|172\.16\.)/);
  const hosts = new Set(lines.filter((o) => o.proto === 'tls' && !IPV4.test(o.dhost as string)).map((o) => o.dhost));
  assert.ok(hosts.size >= 24, `${hosts.size} tls hosts`);
  for (const h of ['ec2.us-west-2.amazonaws.com', 'ssm.us-west-2.amazonaws.com', 'api.github.com', 'pypi.org',
    'ec2-instance-connect.us-west-2.amazonaws.com']) assert.ok(hosts.has(h), h);

  const days = new Set(lines.filter((o) => 'see_thru_gid' in o).map((o) => o.see_thru_days_remaining as number));
  for (const d of [-1, 0, 2, 30]) assert.ok(days.has(d), `see-thru with ${d} days`);
  assert.ok(Math.min(...days) >= -1 && Math.max(...days) <= 30);
  const gids = new Set(lines.filter((o) => 'see_thru_gid' in o).map((o) => o.see_thru_gid));
  assert.ok(gids.size >= 3 && gids.size <= 10, `${gids.size} see-thru groups`);
  assert.ok(lines.some((o) => o.see_thru_exerted === true && (o.dhost as string).startsWith('ec2-instance-connect.')));
  assert.ok(lines.some((o) => o.see_thru_exerted === true && !(o.dhost as string).startsWith('ec2-instance-connect.')));
});

test('export and ndjson wrap the same messages with increasing timestamps', () => {
  const json = take(2000, 9);
  const exported = take(2000, 9, 'export');
  const ndjson = take(2000, 9, 'ndjson');
  assert.equal(exported[0]!.slice(0, 25), '2026-03-29T08:00:00.000Z ');
  assert.equal(START_MS, Date.parse('2026-03-29T08:00:00.000Z'));
  let previous = -Infinity;
  for (let i = 0; i < json.length; i++) {
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (.*)$/.exec(exported[i]!);
    assert.ok(m !== null, exported[i]);
    assert.equal(m[2], json[i]);
    const t = Date.parse(m[1]!);
    assert.ok(t > previous, `timestamps increase at line ${i + 1}`);
    previous = t;
    const event = JSON.parse(ndjson[i]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(event), ['timestamp', 'message', 'logStreamName']);
    assert.deepEqual(event, { timestamp: t, message: json[i], logStreamName: 'flow' });
  }
});

const tmp = mkdtempSync(join(tmpdir(), 'haystack-generate-flow-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('the CLI writes the same lines, plain or gzipped, and one summary line on stderr', () => {
  const expected = `${take(5000, 'cli', 'export').join('\n')}\n`;
  const plain = join(tmp, 'flow.log');
  const run = spawnSync(process.execPath, [script, '--lines', '5000', '--seed', 'cli', '--format', 'export', '--out', plain], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^generate-flow: 5000 lines [^\n]*\n$/);
  assert.equal(readFileSync(plain, 'utf8'), expected);

  const gz = join(tmp, 'flow.log.gz');
  const zipped = spawnSync(process.execPath, [script, '--lines', '5000', '--seed', 'cli', '--format', 'export', '--gzip', '--out', gz], { encoding: 'utf8' });
  assert.equal(zipped.status, 0, zipped.stderr);
  assert.equal(gunzipSync(readFileSync(gz)).toString('utf8'), expected);
});

test('the CLI refuses bad arguments with exit code 2', () => {
  for (const args of [['--seed', '1', '--out', join(tmp, 'x')], ['--lines', 'ten', '--out', join(tmp, 'x')],
    ['--lines', '5', '--format', 'xml', '--out', join(tmp, 'x')], ['--lines', '5'], ['--lines', '5', '--out', join(tmp, 'x'), '--bogus']]) {
    const run = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
    assert.equal(run.status, 2, args.join(' '));
    assert.match(run.stderr, /usage:/);
  }
});
