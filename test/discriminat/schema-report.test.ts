/**
 * validateInputs (the library behind `haystack validate`): counts, first locations as real line
 * numbers in every line-based format (blank and unreadable lines in between), gzip, streams and
 * their generation (spec D2.7, HS3112). Expected values come from how the inputs were built.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { formatLocation, validateInputs } from '../../src/discriminat/schema-report.js';
import type { Input } from '../../src/sources/inputs.js';
import { repoRoot } from '../paths.js';

const script = join(repoRoot, 'scripts', 'generate-flow.mjs');
const { generateFlowLines }: typeof import('../../scripts/generate-flow.mjs') = await import(pathToFileURL(script).href);

const dir = mkdtempSync(join(tmpdir(), 'haystack-validate-lib-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const input = (name: string, content: string | Buffer): Input => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return { name, path };
};

type Obj = Record<string, unknown>;

/** A mutation of a generated G3 line, with what it breaks (code, field; severity error unless info). */
const MUTATIONS: Record<string, { apply: (o: Obj) => void; code: string; field: string; error: boolean }> = {
  'spt-string': { apply: (o) => void (o.spt = String(o.spt)), code: 'HS3103', field: 'spt', error: true },
  'dpt-range': { apply: (o) => void (o.dpt = 70000), code: 'HS3105', field: 'dpt', error: true },
  extra: { apply: (o) => void (o.zz = 1), code: 'HS3110', field: 'zz', error: false },
};

interface Built {
  /** Physical lines (messages, blank lines, garbage). */
  readonly lines: string[];
  readonly blank: number;
  readonly garbage: number;
  /** Per mutated line: its 1-based physical line and mutation name. */
  readonly mutated: { line: number; mutation: string }[];
}

/** 200 generated lines; at fixed places a mutation, a blank line, or a line that is not JSON. */
function buildFile(): Built {
  const plan: Record<number, string> = { 7: 'spt-string', 12: 'blank', 13: 'blank', 30: 'garbage', 41: 'dpt-range', 55: 'extra', 80: 'spt-string', 99: 'garbage', 150: 'dpt-range' };
  const lines: string[] = [];
  const mutated: { line: number; mutation: string }[] = [];
  let blank = 0;
  let garbage = 0;
  let i = 0;
  for (const message of generateFlowLines({ lines: 200, seed: 'report' })) {
    i++;
    const what = plan[i];
    if (what === 'blank') {
      lines.push('');
      blank++;
    } else if (what === 'garbage') {
      lines.push('connection reset by peer');
      garbage++;
    }
    if (what !== undefined && what in MUTATIONS) {
      const o = JSON.parse(message) as Obj;
      MUTATIONS[what]!.apply(o);
      lines.push(JSON.stringify(o));
      mutated.push({ line: lines.length, mutation: what });
    } else lines.push(message);
  }
  return { lines, blank, garbage, mutated };
}

const built = buildFile();
const messages = built.lines.filter((l) => l !== '' && l.startsWith('{'));

/** Expected code and field tallies, by plain loops over the construction. */
function expected(): { codes: Map<string, { count: number; first: number }>; fields: Map<string, { count: number; first: number }>; invalid: number } {
  const codes = new Map<string, { count: number; first: number }>();
  const fields = new Map<string, { count: number; first: number }>();
  let invalid = 0;
  for (const { line, mutation } of built.mutated) {
    const m = MUTATIONS[mutation]!;
    if (m.error) invalid++;
    for (const [map, key] of [[codes, m.code], [fields, m.field]] as const) {
      const seen = map.get(key);
      if (seen) seen.count++;
      else map.set(key, { count: 1, first: line });
    }
  }
  return { codes, fields, invalid };
}

test('counts and first locations on a JSON-lines file with blank and unreadable lines', async () => {
  const exp = expected();
  const r = await validateInputs([input('mixed.log', `${built.lines.join('\n')}\n`)], { maxExamples: 2 });
  assert.equal(r.lines, built.lines.length);
  assert.equal(r.checked, messages.length);
  assert.equal(r.checked, built.lines.length - built.blank - built.garbage);
  assert.equal(r.invalid, exp.invalid);
  assert.equal(r.valid, messages.length - exp.invalid);
  assert.deepEqual(r.kinds, { flow: { lines: messages.length, valid: messages.length - exp.invalid, invalid: exp.invalid }, config: { lines: 0, valid: 0, invalid: 0 }, unknown: { lines: 0, valid: 0, invalid: 0 } });
  assert.deepEqual(r.codes.map((c) => [c.code, c.count, formatLocation(c.first)]), [...exp.codes].sort().map(([code, e]) => [code, e.count, `mixed.log:${e.first}`]));
  assert.deepEqual(r.fields.map((f) => [f.field, f.count, formatLocation(f.first)]), [...exp.fields].sort().map(([field, e]) => [field, e.count, `mixed.log:${e.first}`]));
  assert.equal(r.issues.total, built.garbage);
  assert.deepEqual(r.issues.kinds.map((k) => [k.code, k.count]), [['HS4001', built.garbage]]);
  // The first two problem lines (errors or warnings; HS3110 alone is info).
  const firstErrors = built.mutated.filter((m) => MUTATIONS[m.mutation]!.error).slice(0, 2);
  assert.deepEqual(r.examples.map((x) => x.location.line), firstErrors.map((m) => m.line));
  assert.deepEqual(r.examples.map((x) => x.message), firstErrors.map((m) => built.lines[m.line - 1]));
  assert.equal(r.generation.verdict, 'G3');
  assert.equal(r.generation.releases, 'newest');
  assert.deepEqual(r.generation.warnings, []);
  const instance = r.generation.evidence.find((c) => c.id === 'instance')!;
  assert.equal(instance.lines, messages.length);
  assert.equal(formatLocation(instance.first), 'mixed.log:1');
});

test('the same locations from gzip, CloudWatch export and NDJSON inputs', async () => {
  const exp = expected();
  const t0 = Date.UTC(2026, 2, 29, 8);
  const iso = (i: number): string => new Date(t0 + i * 1000).toISOString();
  const exported = built.lines.map((l, i) => (l === '' || !l.startsWith('{') ? l : `${iso(i)} ${l}`)); // garbage: no time, a scan issue
  const ndjson = built.lines.map((l, i) => (l === '' || !l.startsWith('{') ? l : JSON.stringify({ timestamp: t0 + i, message: l })));
  const inputs = [
    input('mixed.log.gz', gzipSync(`${built.lines.join('\n')}\n`)),
    input('export.log', `${exported.join('\n')}\n`),
    input('events.ndjson', `${ndjson.join('\r\n')}\r\n`),
  ];
  for (const i of inputs) {
    const r = await validateInputs([i]);
    assert.equal(r.checked, messages.length, i.name);
    assert.equal(r.invalid, exp.invalid, i.name);
    assert.deepEqual(r.codes.map((c) => [c.code, formatLocation(c.first)]), [...exp.codes].sort().map(([code, e]) => [code, `${i.name}:${e.first}`]), i.name);
    assert.equal(r.issues.total, built.garbage, i.name);
  }
});

test('two inputs: locations name their own input; event numbers where lines are unknown', async () => {
  const a = input('a.log', `${messages[0]}\n${messages[1]}\n`);
  const bad = JSON.stringify({ ...(JSON.parse(messages[0]!) as Obj), dpt: -5 });
  const b = input('b.log', `\n\n${bad}\n`);
  const r = await validateInputs([a, b]);
  assert.deepEqual(r.codes.map((c) => [c.code, c.first]), [['HS3105', { input: 'b.log', event: 1, line: 3 }]]);
  assert.equal(formatLocation({ input: 'stdin', event: 4, line: null }), 'stdin event 4');
});

test('generation: a stream mixing G3 with G1 lines is mixed (HS3112); G1 and G2 streams agree on G2', async () => {
  const g3 = messages.slice(0, 5);
  const older = g3.map((l) => {
    const o = JSON.parse(l) as Obj;
    delete o.instance;
    delete o.pqc;
    delete o.http_code;
    delete o.http_method;
    delete o.http_path;
    delete o.http_user_agent;
    if (o.proto === 'http') {
      o.proto = 'unknown';
      delete o.proto_v;
    }
    if (typeof o.see_thru_days_remaining === 'number' && o.see_thru_days_remaining < 0) o.see_thru_days_remaining = 0;
    if (o.reason === 'cache not ready') o.reason = 'no protocol rule matched';
    if (o.see_thru_gid === '%default') o.see_thru_gid = 'sg-0ccc3333';
    return JSON.stringify(o);
  });
  const mixed = await validateInputs([input('mixed-gen.log', `${[...g3, ...older].join('\n')}\n`)]);
  assert.equal(mixed.invalid, 0);
  assert.equal(mixed.generation.verdict, 'mixed');
  assert.equal(mixed.generation.releases, null);
  assert.deepEqual(mixed.generation.streams.map((s) => [s.stream, s.generation, s.looksLike]), [['mixed-gen.log', 'G3', { G1: 5, G2: 0, G3: 5, none: 0 }]]);
  assert.equal(mixed.generation.warnings.length, 1);
  const w = mixed.generation.warnings[0]!;
  assert.equal(w.code, 'HS3112');
  assert.deepEqual([w.firstG3.line, w.firstOther.line], [1, 6]);

  const g1 = input('g1.log', `${older.join('\n')}\n`);
  const g2 = input('g2.log', '{"addr":"*.github.io","cat":"addr","outcome":"publicsuffix[.]org list matched with `github.io`"}\n');
  const agree = await validateInputs([g1, g2]);
  assert.deepEqual(agree.generation.streams.map((s) => s.generation), ['G1', 'G2']);
  assert.equal(agree.generation.verdict, 'G2');
  assert.equal(agree.generation.releases, 'v2.9+');

  const apart = await validateInputs([g1, input('g3.log', `${g3.join('\n')}\n`)]);
  assert.equal(apart.generation.verdict, 'mixed', 'a G3 stream beside a G1 stream');
  assert.deepEqual(apart.generation.warnings, [], 'no stream mixes by itself');

  const none = await validateInputs([input('none.log', '{"hello":"world"}\n')]);
  assert.equal(none.generation.verdict, 'undecidable');
  assert.deepEqual(none.kinds.unknown, { lines: 1, valid: 0, invalid: 1 });
});

test('NDJSON events name their log stream: each stream is judged on its own', async () => {
  const config = '{"cat":"fqdn","outcome":"accepted","gid":"sg-0aaa1111","fqdn":"api.github.com","proto":"tls"}';
  const rows = [
    { timestamp: 1, message: messages[0], logStreamName: 'flow' },
    { timestamp: 2, message: config, logStreamName: 'config' },
  ];
  const r = await validateInputs([input('two-streams.ndjson', `${rows.map((x) => JSON.stringify(x)).join('\n')}\n`)]);
  assert.deepEqual(r.generation.streams.map((s) => [s.stream, s.generation]), [['two-streams.ndjson [flow]', 'G3'], ['two-streams.ndjson [config]', 'G1']]);
  assert.equal(r.generation.verdict, 'mixed');
  assert.deepEqual(r.kinds.config, { lines: 1, valid: 1, invalid: 0 });
});
