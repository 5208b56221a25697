/**
 * The vendor's five flow-log filter patterns (spec D2.6) over the committed sample
 * examples/flow.log. Each expected answer is computed here by hand, from the meaning the filter
 * spec gives the pattern (filter-patterns.md 4.4-4.9), then compared with the compiled pattern.
 * The D2.6 table is checked on the worked-example lines (spec D8), found by their exact text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileFilterPattern } from '../../src/index.js';
import { repoRoot } from '../paths.js';

const sampleText = readFileSync(join(repoRoot, 'examples', 'flow.log'), 'utf8');
const lines = sampleText.split('\n');
assert.equal(lines.pop(), '', 'examples/flow.log ends with a newline');

// ---------------------------------------------------------------------------------------------
// The independent evaluator: only what these five patterns need.

type Fields = Record<string, unknown>;

/** Spec 4.2: a JSON pattern sees only a message that is one JSON object; else nothing matches. */
function parseObject(message: string): Fields | undefined {
  try {
    const v: unknown = JSON.parse(message.trim());
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Fields) : undefined;
  } catch {
    return undefined;
  }
}

function field(o: Fields, name: string): unknown {
  return Object.hasOwn(o, name) ? o[name] : undefined; // absent
}

/**
 * Spec 4.5: strings, numbers and booleans compare through their text; absent, null, objects and
 * arrays never compare (not even with `!=`). String(n) is the message's own text for the
 * integers of this sample.
 */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
const eq = (v: unknown, s: string): boolean => text(v) === s;
const ne = (v: unknown, s: string): boolean => text(v) !== undefined && text(v) !== s;

/** Spec 4.7: a JSON number, or a string that is entirely a JSON number (optional leading `+`). */
function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\+?-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(v)) {
    return Number(v.replace(/^\+/, ''));
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Worked-example lines (spec D8) as they appear in the sample: G3, so with `instance` after `reason`.

const X: Record<string, string> = {
  X1c: '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","instance":"i-0f1e2d3c4b5a69788","pqc":true}',
  X1s: '{"dhost":"api.github.com","cat":"server","outcome":"allowed","src":"140.82.121.6","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.10.1.5","dpt":40001,"reason":"sg-0aaa1111","instance":"i-0f1e2d3c4b5a69788","pqc":true}',
  X2: '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40002,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","instance":"i-0f1e2d3c4b5a69788","pqc":false}',
  X3: '{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40003,"proto":"tls","proto_v":"1.1","dst":"140.82.121.6","dpt":443,"reason":"tls version below 1.2","instance":"i-0f1e2d3c4b5a69788","pqc":false}',
  X4c: '{"dhost":"sftp.bank1.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":50022,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":22,"reason":"sg-0bbb2222","instance":"i-0f1e2d3c4b5a69788"}',
  X4s: '{"dhost":"sftp.bank1.com","cat":"server","outcome":"allowed","src":"203.0.113.22","spt":22,"proto":"ssh","proto_v":"2.0","dst":"10.10.1.5","dpt":50022,"reason":"sg-0bbb2222","instance":"i-0f1e2d3c4b5a69788"}',
  X5: '{"dhost":"sftp.bank1.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":50023,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":443,"reason":"no protocol rule matched","instance":"i-0f1e2d3c4b5a69788"}',
  X6c: '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","instance":"i-0f1e2d3c4b5a69788","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  X6s: '{"dhost":"pypi.org","cat":"server","outcome":"disallowed","src":"151.101.0.223","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.10.1.9","dpt":51514,"reason":"no protocol rule matched","instance":"i-0f1e2d3c4b5a69788","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  X7: '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.9","spt":51515,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","instance":"i-0f1e2d3c4b5a69788","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}',
  X8: '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","instance":"i-0f1e2d3c4b5a69788","pqc":false,"see_thru_days_remaining":0,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  X9: '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","instance":"i-0f1e2d3c4b5a69788","pqc":false,"see_thru_days_remaining":-1,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}',
  X10c: '{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.30","spt":33000,"proto":"tls","proto_v":"1.2","dst":"140.82.121.6","dpt":443,"reason":"no rules for client","instance":"i-0f1e2d3c4b5a69788","pqc":false,"see_thru_days_remaining":12,"see_thru_gid":"%default","see_thru_exerted":true}',
  X10s: '{"dhost":"api.github.com","cat":"server","outcome":"disallowed","src":"140.82.121.6","spt":443,"proto":"tls","proto_v":"1.2","dst":"10.10.1.30","dpt":33000,"reason":"no rules for client","instance":"i-0f1e2d3c4b5a69788","pqc":false,"see_thru_days_remaining":12,"see_thru_gid":"%default","see_thru_exerted":true}',
  X19c: '{"dhost":"crl.example.net","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":42000,"proto":"http","proto_v":"1.1","dst":"93.184.216.34","dpt":80,"reason":"x509 crl","instance":"i-0f1e2d3c4b5a69788","http_method":"GET","http_path":"/ca.crl","http_user_agent":"curl/8.5.0"}',
  X19s: '{"dhost":"crl.example.net","cat":"server","outcome":"allowed","src":"93.184.216.34","spt":80,"proto":"http","proto_v":"1.1","dst":"10.10.1.5","dpt":42000,"reason":"x509 crl","instance":"i-0f1e2d3c4b5a69788","http_code":200}',
  X21a: '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"172.16.1.9","spt":50412,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","instance":"i-0f1e2d3c4b5a69788","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}',
  X21b: '{"dhost":"ec2-instance-connect.eu-west-2.amazonaws.com","cat":"client","outcome":"disallowed","src":"172.16.1.9","spt":50413,"proto":"tls","proto_v":"1.3","dst":"203.0.113.80","dpt":443,"reason":"no protocol rule matched","instance":"i-0f1e2d3c4b5a69788","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
};

interface Case {
  pattern: string;
  /** The pattern's meaning, by hand (filter-patterns.md 4.9). */
  holds: (o: Fields) => boolean;
  /** D2.6: lines it must find and must not find. */
  finds: string[];
  misses: string[];
}

const CASES: Case[] = [
  {
    pattern: '{ $.outcome = "disallowed" }',
    holds: (o) => eq(field(o, 'outcome'), 'disallowed'),
    finds: ['X2', 'X3', 'X5', 'X6c', 'X6s', 'X9', 'X21b'],
    misses: ['X1c', 'X1s', 'X4c', 'X4s', 'X7'],
  },
  {
    pattern: '{ $.outcome = "allowed" && $.proto != "tls" }',
    holds: (o) => eq(field(o, 'outcome'), 'allowed') && ne(field(o, 'proto'), 'tls'),
    finds: ['X4c', 'X4s', 'X19c', 'X19s'],
    misses: ['X1c', 'X1s', 'X7'],
  },
  {
    pattern: '{ $.cat = "client" && $.src = "172.16.1.9" && $.dhost != "api.github.com" }',
    holds: (o) => eq(field(o, 'cat'), 'client') && eq(field(o, 'src'), '172.16.1.9') && ne(field(o, 'dhost'), 'api.github.com'),
    finds: ['X21b'],
    misses: ['X21a'],
  },
  {
    pattern: '{ $.see_thru_days_remaining <= 2 }',
    holds: (o) => {
      const n = numberOf(field(o, 'see_thru_days_remaining'));
      return n !== undefined && n <= 2;
    },
    finds: ['X6c', 'X6s', 'X7', 'X8', 'X9', 'X21a', 'X21b'],
    misses: ['X10c', 'X10s', 'X1c', 'X2', 'X4c', 'X19c'],
  },
  {
    pattern: '{ $.see_thru_exerted is true && $.dhost != "ec2-instance-connect.*" }',
    holds: (o) => {
      // `is true` needs the boolean; a trailing `*` makes the value a prefix (spec 4.6).
      const dhost = text(field(o, 'dhost'));
      return field(o, 'see_thru_exerted') === true && dhost !== undefined && !dhost.startsWith('ec2-instance-connect.');
    },
    finds: ['X6c', 'X6s', 'X8', 'X10c', 'X10s'],
    misses: ['X7', 'X9', 'X21a', 'X21b'],
  },
];

/** 1-based line numbers of the sample lines the hand-written meaning selects. */
function expectedLines(c: Case): number[] {
  const out: number[] = [];
  lines.forEach((line, i) => {
    const o = parseObject(line);
    if (o !== undefined && c.holds(o)) out.push(i + 1);
  });
  return out;
}

function lineOf(name: string): number {
  const text = X[name];
  assert.ok(text !== undefined, `no worked example named ${name}`);
  return lines.indexOf(text) + 1;
}

// ---------------------------------------------------------------------------------------------

test('the sample is a few hundred flow messages, one JSON object per line, and current', () => {
  assert.ok(lines.length >= 150 && lines.length <= 400, `${lines.length} lines`);
  lines.forEach((line, i) => assert.ok(parseObject(line) !== undefined, `line ${i + 1} is not a JSON object`));
  const check = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'make-example.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, `examples/flow.log differs from what scripts/make-example.mjs builds: ${check.stderr}`);
});

test('every named worked-example line is in the sample exactly once', () => {
  for (const [name, text] of Object.entries(X)) {
    assert.equal(lines.filter((l) => l === text).length, 1, `${name} should occur once`);
  }
});

for (const c of CASES) {
  test(`expected lines for ${c.pattern}: some but not all, and the D2.6 table holds`, () => {
    const expected = new Set(expectedLines(c));
    assert.ok(expected.size > 0, 'no line of the sample matches');
    assert.ok(expected.size < lines.length, 'every line of the sample matches');
    for (const name of c.finds) assert.ok(expected.has(lineOf(name)), `should find ${name}`);
    for (const name of c.misses) assert.ok(!expected.has(lineOf(name)), `should not find ${name}`);
  });

  test(`compileFilterPattern(${c.pattern}) matches exactly the expected lines`, () => {
    const compiled = compileFilterPattern(c.pattern);
    const got: number[] = [];
    lines.forEach((line, i) => {
      if (compiled.matches(line)) got.push(i + 1);
    });
    const expected = expectedLines(c);
    const show = (ns: number[]): string => ns.map((n) => `\n  ${n}: ${lines[n - 1]}`).join('');
    const extra = got.filter((n) => !expected.includes(n));
    const missing = expected.filter((n) => !got.includes(n));
    assert.deepEqual(got, expected, `matched but should not:${show(extra)}\nmissed:${show(missing)}`);
    for (const name of c.finds) assert.ok(compiled.matches(X[name]), `should find ${name}`);
    for (const name of c.misses) assert.ok(!compiled.matches(X[name]), `should not find ${name}`);
  });
}

test('{ $.see_thru_days_remaining <= 2 } finds no line without see-thru fields (D2.6)', () => {
  const compiled = compileFilterPattern('{ $.see_thru_days_remaining <= 2 }');
  const without = lines.filter((l) => !Object.hasOwn(parseObject(l)!, 'see_thru_days_remaining'));
  assert.ok(without.length > 0);
  for (const line of without) assert.equal(compiled.matches(line), false, line);
});
