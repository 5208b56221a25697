/**
 * The line validator (spec D2.7): the example lines of D2.5, D3.3 and D8 are valid; each rule,
 * broken once, gives its code with a span on the right text; generations are told as D2.7's
 * table says; the committed sample and 20k generated lines are valid. Expected spans are found
 * in the test's own line text, never taken from the code under test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { JsonNumber } from '../../src/events/json.js';
import { type LineVerdict, validateLine } from '../../src/discriminat/schema.js';
import { readMembers } from '../../src/discriminat/schema-members.js';
import { repoRoot } from '../paths.js';

const script = join(repoRoot, 'scripts', 'generate-flow.mjs');
const { generateFlowLines }: typeof import('../../scripts/generate-flow.mjs') = await import(pathToFileURL(script).href);

const INSTANCE = 'i-0f1e2d3c4b5a69788';

// ---- The spec's lines, verbatim -----------------------------------------------------------------

/** Spec D2.5 (G3, with instance). */
const D2_5 = [
  '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","instance":"i-0f1e2d3c4b5a69788","pqc":true}',
  '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","instance":"i-0f1e2d3c4b5a69788","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
];

/** Spec D3.3: the one verbatim line (as raw JSON). */
const D3_3 = '{"addr":"*.github.io","cat":"addr","outcome":"publicsuffix[.]org list matched with `github.io`"}';

/** Spec D8 flow lines as printed: `instance` left out "to save space". */
const D8_FLOW = [
  '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","pqc":true}',
  '{"dhost":"api.github.com","cat":"server","outcome":"allowed","src":"140.82.121.6","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.10.1.5","dpt":40001,"reason":"sg-0aaa1111","pqc":true}',
  '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40002,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false}',
  '{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40003,"proto":"tls","proto_v":"1.1","dst":"140.82.121.6","dpt":443,"reason":"tls version below 1.2","pqc":false}',
  '{"dhost":"sftp.bank1.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":50022,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":22,"reason":"sg-0bbb2222"}',
  '{"dhost":"sftp.bank1.com","cat":"server","outcome":"allowed","src":"203.0.113.22","spt":22,"proto":"ssh","proto_v":"2.0","dst":"10.10.1.5","dpt":50022,"reason":"sg-0bbb2222"}',
  '{"dhost":"sftp.bank1.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":50023,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":443,"reason":"no protocol rule matched"}',
  '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  '{"dhost":"pypi.org","cat":"server","outcome":"disallowed","src":"151.101.0.223","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.10.1.9","dpt":51514,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.9","spt":51515,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}',
  '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":0,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":-1,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}',
  '{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.30","spt":33000,"proto":"tls","proto_v":"1.2","dst":"140.82.121.6","dpt":443,"reason":"no rules for client","pqc":false,"see_thru_days_remaining":12,"see_thru_gid":"%default","see_thru_exerted":true}',
  '{"dhost":"api.github.com","cat":"server","outcome":"disallowed","src":"140.82.121.6","spt":443,"proto":"tls","proto_v":"1.2","dst":"10.10.1.30","dpt":33000,"reason":"no rules for client","pqc":false,"see_thru_days_remaining":12,"see_thru_gid":"%default","see_thru_exerted":true}',
  '{"dhost":"codeload.github.com","cat":"client","outcome":"allowed","src":"10.10.1.7","spt":41000,"proto":"tls","proto_v":"1.3","dst":"140.82.121.9","dpt":443,"reason":"sg-0ddd4444","pqc":false}',
  '{"dhost":"objects.githubusercontent.com","cat":"client","outcome":"disallowed","src":"10.10.1.7","spt":41001,"proto":"tls","proto_v":"1.3","dst":"185.199.108.133","dpt":443,"reason":"no protocol rule matched","pqc":false}',
  '{"dhost":"203.0.113.22","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":50022,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":22,"reason":"cache not ready"}',
  '{"dhost":"crl.example.net","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":42000,"proto":"http","proto_v":"1.1","dst":"93.184.216.34","dpt":80,"reason":"x509 crl","http_method":"GET","http_path":"/ca.crl","http_user_agent":"curl/8.5.0"}',
  '{"dhost":"crl.example.net","cat":"server","outcome":"allowed","src":"93.184.216.34","spt":80,"proto":"http","proto_v":"1.1","dst":"10.10.1.5","dpt":42000,"reason":"x509 crl","http_code":200}',
  '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"172.16.1.9","spt":50412,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}',
  '{"dhost":"ec2-instance-connect.eu-west-2.amazonaws.com","cat":"client","outcome":"disallowed","src":"172.16.1.9","spt":50413,"proto":"tls","proto_v":"1.3","dst":"203.0.113.80","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  '{"dhost":"198.51.100.7","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":52000,"proto":"unknown","dst":"198.51.100.7","dpt":443,"reason":"protocol unknown","see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  '{"dhost":"198.51.100.7","cat":"server","outcome":"disallowed","src":"198.51.100.7","spt":443,"proto":"unknown","dst":"10.10.1.9","dpt":52000,"reason":"protocol unknown","see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  '{"dhost":"140.82.121.6","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40010,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sni missing","pqc":false}',
  '{"dhost":"198.51.100.9","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":50030,"proto":"ssh","proto_v":"2.0","dst":"198.51.100.9","dpt":22,"reason":"no protocol rule matched"}',
];

/** Spec D8 config lines (X13 is G2 shape; the rest are printed without `instance` too). */
const D8_CONFIG = [
  '{"cat":"see-thru","outcome":"accepted","gid":"sg-0ccc3333","thru_date":"2026-03-31"}',
  '{"cat":"fqdn","outcome":"accepted","gid":"sg-0aaa1111","fqdn":"api.github.com","proto":"tls"}',
  '{"cat":"fqdn","outcome":"accepted","gid":"sg-0aaa1111","fqdn":"ssm.eu-west-2.amazonaws.com","proto":"tls"}',
  '{"cat":"fqdn","outcome":"accepted","gid":"sg-0bbb2222","fqdn":"sftp.bank1.com","proto":"ssh"}',
  '{"cat":"fqdn","outcome":"accepted","gid":"sg-0ddd4444","fqdn":"*.github.com","proto":"tls"}',
  '{"cat":"client","outcome":"accepted","client":"10.10.1.5","gid":"sg-0aaa1111"}',
  '{"cat":"client","outcome":"accepted","client":"10.10.1.9","gid":"sg-0aaa1111"}',
  '{"cat":"client","outcome":"accepted","client":"10.10.1.5","gid":"sg-0bbb2222"}',
  '{"cat":"client","outcome":"accepted","client":"10.10.1.9","gid":"sg-0ccc3333"}',
  '{"cat":"client","outcome":"accepted","client":"10.10.1.7","gid":"sg-0ddd4444"}',
  '{"cat":"fqdn","outcome":"removed","gid":"sg-0aaa1111","fqdn":"ssm.eu-west-2.amazonaws.com","proto":"tls"}',
  '{"cat":"fqdn","outcome":"accepted","gid":"sg-0aaa1111","fqdn":"ec2.eu-west-2.amazonaws.com","proto":"tls"}',
  '{"cat":"fqdn","outcome":"accepted","gid":"sg-0fff6666","fqdn":"docs.example.com","proto":"tls"}',
  '{"addr":"*.github.io","cat":"addr","outcome":"publicsuffix[.]org list matched with `github.io`"}',
  '{"cat":"client","outcome":"accepted","client":"10.10.1.7","gid":"sg-0fff6666"}',
  '{"cat":"fqdn","outcome":"accepted","gid":"sg-0fff6666","fqdn":"*.github.io","proto":"tls"}',
  '{"cat":"client","outcome":"removed","client":"10.10.1.9","gid":"sg-0ccc3333"}',
  '{"cat":"see-thru","outcome":"removed","gid":"sg-0ccc3333","thru_date":"2026-03-31"}',
  '{"cat":"see-thru","outcome":"accepted","gid":"sg-0ccc3333","thru_date":"2026-06-30"}',
  '{"addr":"140.82.121.6","cat":"addr","outcome":"invalid address"}',
];

/** D8's note: `instance` goes right after `reason` in flow lines and last in config lines. */
const flowWithInstance = (l: string): string => l.replace(/("reason":"[^"]*")/, `$1,"instance":"${INSTANCE}"`);
const configWithInstance = (l: string): string => `${l.slice(0, -1)},"instance":"${INSTANCE}"}`;

// ---- Helpers ------------------------------------------------------------------------------------

type Raw = Record<string, string | undefined>;

/** A line from a base line with some members replaced by raw JSON text (undefined drops it; new keys go last). */
function build(base: string, raw: Raw): string {
  const o = JSON.parse(base) as Record<string, unknown>;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (k in raw) {
      if (raw[k] !== undefined) parts.push(`${JSON.stringify(k)}:${raw[k]}`);
    } else parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  }
  for (const [k, v] of Object.entries(raw)) if (!(k in o) && v !== undefined) parts.push(`${JSON.stringify(k)}:${v}`);
  return `{${parts.join(',')}}`;
}

/** Codes of errors and warnings, sorted. */
const problems = (v: LineVerdict): string[] => v.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code).sort();

function assertValid(line: string, kind: 'flow' | 'config'): LineVerdict {
  const v = validateLine(line);
  assert.equal(v.kind, kind, line);
  assert.deepEqual(v.diagnostics.map((d) => `${d.code} ${d.message}`), [], line);
  assert.equal(v.valid, true);
  assert.ok(v.line !== null);
  return v;
}

const G3_TLS = D2_5[0]!;
const G3_SSH = flowWithInstance(D8_FLOW[4]!);
const G3_HTTP_CLIENT = flowWithInstance(D8_FLOW[17]!);
const G3_HTTP_SERVER = flowWithInstance(D8_FLOW[18]!);
const G3_UNKNOWN = flowWithInstance(D8_FLOW[21]!);
const G1_TLS = '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111"}';
const CONFIG_FQDN = D8_CONFIG[1]!;
const CONFIG_CLIENT = D8_CONFIG[5]!;
const CONFIG_SEE_THRU = D8_CONFIG[0]!;

// ---- Valid lines --------------------------------------------------------------------------------

test('the D2.5 example lines are valid G3 flow lines', () => {
  for (const line of D2_5) {
    const v = assertValid(line, 'flow');
    assert.deepEqual(v.generation.fits, ['G3']);
    assert.equal(v.generation.looksLike, 'G3');
  }
});

test('every D8 flow line, with its instance restored, is a valid G3 flow line', () => {
  for (const printed of D8_FLOW) {
    const v = assertValid(flowWithInstance(printed), 'flow');
    assert.equal(v.generation.looksLike, 'G3', printed);
  }
});

test('D8 flow lines as printed (instance left out): those with a G3-only field fit no generation, the rest look G1', () => {
  for (const printed of D8_FLOW) {
    const o = JSON.parse(printed) as Record<string, unknown>;
    const g3Only = 'pqc' in o || o.proto === 'http' || o.reason === 'cache not ready' || (o.see_thru_days_remaining as number) < 0;
    const v = validateLine(printed);
    if (g3Only) {
      assert.deepEqual(problems(v), ['HS3111'], printed);
      assert.deepEqual(v.generation.fits, []);
    } else {
      assert.deepEqual(problems(v), [], printed);
      assert.equal(v.generation.looksLike, 'G1', printed);
    }
  }
});

test('the D3.3 verbatim line and every D8 config line are valid config lines', () => {
  const d3 = assertValid(D3_3, 'config');
  assert.deepEqual(d3.generation.fits, ['G2'], 'an addr line without instance is G2');
  for (const line of D8_CONFIG) {
    assertValid(line, 'config');
    const g3 = assertValid(configWithInstance(line), 'config');
    assert.deepEqual(g3.generation.fits, ['G3']);
  }
});

test('the typed line holds the JSON values, and extra fields in their place', () => {
  for (const line of [...D2_5, G3_HTTP_CLIENT, G3_HTTP_SERVER, G3_UNKNOWN, D3_3, CONFIG_FQDN]) {
    const v = validateLine(line);
    const expected = JSON.parse(line) as Record<string, unknown>;
    const { kind, extra, order, ...fields } = v.line as unknown as Record<string, unknown> & { extra: Map<string, unknown>; order: string[] };
    assert.equal(kind, v.kind);
    assert.deepEqual(fields, expected);
    assert.deepEqual(order, Object.keys(expected));
    assert.equal(extra.size, 0);
  }
  const withExtra = build(G3_TLS, { note: '{"a":[1,"}"]}', ratio: '1.50' }).replace('"dhost"', '"zone":"eu","dhost"');
  const v = validateLine(withExtra);
  assert.equal(v.valid, true);
  assert.deepEqual(v.diagnostics.map((d) => [d.code, d.severity, withExtra.slice(d.span.start, d.span.end)]), [
    ['HS3110', 'info', '"zone"'],
    ['HS3110', 'info', '"note"'],
    ['HS3110', 'info', '"ratio"'],
  ]);
  assert.ok(v.line !== null && v.line.kind === 'flow');
  assert.deepEqual([...v.line.extra.keys()], ['zone', 'note', 'ratio']);
  assert.deepEqual(v.line.order, Object.keys(JSON.parse(withExtra) as object));
  const ratio = v.line.extra.get('ratio');
  assert.ok(ratio instanceof JsonNumber && ratio.text === '1.50', 'numbers keep their text');
  assert.equal(validateLine(withExtra, { typed: false }).line, null, 'typed: false skips the typed line');
});

// ---- Each rule broken once ------------------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly line: string;
  /** Expected error/warning codes, sorted. */
  readonly codes: readonly string[];
  /** The code whose span is checked, the text it must cover ('' = the empty span at the closing brace) and its field. */
  readonly at: readonly [code: string, text: string, field: string | null];
  readonly kind?: 'flow' | 'config' | 'unknown';
  readonly hint?: RegExp;
}

/** `"key":raw` in the line: the span of the value (or of the key when `key` is true). */
function spanText(line: string, key: string, raw: string, onKey = false): string {
  const member = `${JSON.stringify(key)}:${raw}`;
  assert.ok(line.includes(member), `${member} not in ${line}`);
  return onKey ? JSON.stringify(key) : raw;
}

const CASES: Case[] = [
  // HS3103 wrong type
  { name: 'port as a string', line: build(G3_TLS, { spt: '"40001"' }), codes: ['HS3103'], at: ['HS3103', '"40001"', 'spt'], hint: /no quotes: 40001/ },
  { name: 'port with a fraction', line: build(G3_TLS, { dpt: '443.0' }), codes: ['HS3103'], at: ['HS3103', '443.0', 'dpt'], hint: /write 443/ },
  { name: 'port with an exponent', line: build(G3_TLS, { dpt: '4.43e2' }), codes: ['HS3103'], at: ['HS3103', '4.43e2', 'dpt'] },
  { name: 'null field', line: build(G3_TLS, { reason: 'null' }), codes: ['HS3103'], at: ['HS3103', 'null', 'reason'], hint: /never written as null/ },
  { name: 'boolean as a string', line: build(G3_TLS, { pqc: '"true"' }), codes: ['HS3103'], at: ['HS3103', '"true"', 'pqc'] },
  { name: 'days with a fraction', line: build(D2_5[1]!, { see_thru_days_remaining: '2.5' }), codes: ['HS3103'], at: ['HS3103', '2.5', 'see_thru_days_remaining'] },
  { name: 'http_code as a string', line: build(G3_HTTP_SERVER, { http_code: '"200"' }), codes: ['HS3103'], at: ['HS3103', '"200"', 'http_code'] },
  { name: 'dhost as a number', line: build(G3_TLS, { dhost: '5' }), codes: ['HS3103'], at: ['HS3103', '5', 'dhost'] },
  { name: 'config gid as an array', line: build(CONFIG_FQDN, { gid: '["sg-0aaa1111"]' }), codes: ['HS3103'], at: ['HS3103', '["sg-0aaa1111"]', 'gid'], kind: 'config' },
  // HS3104 enums
  { name: 'outcome upper-case', line: build(G3_TLS, { outcome: '"ALLOWED"' }), codes: ['HS3104'], at: ['HS3104', '"ALLOWED"', 'outcome'], hint: /lower-case: `allowed`/ },
  { name: 'proto upper-case', line: build(G3_TLS, { proto: '"TLS"' }), codes: ['HS3104'], at: ['HS3104', '"TLS"', 'proto'] },
  { name: 'proto not known', line: build(G3_TLS, { proto: '"quic"' }), codes: ['HS3104'], at: ['HS3104', '"quic"', 'proto'] },
  { name: 'proto_v spelled TLSv1.3', line: build(G3_TLS, { proto_v: '"TLSv1.3"' }), codes: ['HS3104'], at: ['HS3104', '"TLSv1.3"', 'proto_v'] },
  { name: 'an SSH version on tls', line: build(G3_TLS, { proto_v: '"2.0"' }), codes: ['HS3104'], at: ['HS3104', '"2.0"', 'proto_v'] },
  { name: 'ssh version 2', line: build(G3_SSH, { proto_v: '"2"' }), codes: ['HS3104'], at: ['HS3104', '"2"', 'proto_v'] },
  { name: 'http version 2', line: build(G3_HTTP_CLIENT, { proto_v: '"2"' }), codes: ['HS3104'], at: ['HS3104', '"2"', 'proto_v'] },
  { name: 'config outcome', line: build(CONFIG_FQDN, { outcome: '"added"' }), codes: ['HS3104'], at: ['HS3104', '"added"', 'outcome'], kind: 'config' },
  { name: 'config proto', line: build(CONFIG_FQDN, { proto: '"http"' }), codes: ['HS3104'], at: ['HS3104', '"http"', 'proto'], kind: 'config' },
  { name: 'cat neither flow nor config', line: build(G3_TLS, { cat: '"Client"' }), codes: ['HS3104'], at: ['HS3104', '"Client"', 'cat'], kind: 'unknown' },
  // HS3105 ranges
  { name: 'port above 65535', line: build(G3_TLS, { spt: '70000' }), codes: ['HS3105'], at: ['HS3105', '70000', 'spt'] },
  { name: 'negative port', line: build(G3_TLS, { dpt: '-1' }), codes: ['HS3105'], at: ['HS3105', '-1', 'dpt'] },
  { name: 'http_code 600', line: build(G3_HTTP_SERVER, { http_code: '600' }), codes: ['HS3105'], at: ['HS3105', '600', 'http_code'] },
  { name: 'http_code 99', line: build(G3_HTTP_SERVER, { http_code: '99' }), codes: ['HS3105'], at: ['HS3105', '99', 'http_code'] },
  // HS3106 malformed
  { name: 'src with a leading zero', line: build(G3_TLS, { src: '"10.10.1.05"' }), codes: ['HS3106'], at: ['HS3106', '"10.10.1.05"', 'src'] },
  { name: 'dst with three octets', line: build(G3_TLS, { dst: '"140.82.121"' }), codes: ['HS3106'], at: ['HS3106', '"140.82.121"', 'dst'] },
  { name: 'dst octet 256', line: build(G3_TLS, { dst: '"256.82.121.6"' }), codes: ['HS3106'], at: ['HS3106', '"256.82.121.6"', 'dst'] },
  { name: 'dhost with a space', line: build(G3_TLS, { dhost: '"api github.com"' }), codes: ['HS3106'], at: ['HS3106', '"api github.com"', 'dhost'] },
  { name: 'dhost with a wildcard', line: build(G3_TLS, { dhost: '"*.github.com"' }), codes: ['HS3106'], at: ['HS3106', '"*.github.com"', 'dhost'] },
  { name: 'dhost with an empty label', line: build(G3_TLS, { dhost: '"api..github.com"' }), codes: ['HS3106'], at: ['HS3106', '"api..github.com"', 'dhost'] },
  { name: 'instance too short', line: build(G3_TLS, { instance: '"i-0f1e2d3"' }), codes: ['HS3106'], at: ['HS3106', '"i-0f1e2d3"', 'instance'] },
  { name: 'instance upper-case', line: build(G3_TLS, { instance: '"i-0F1E2D3C4B5A69788"' }), codes: ['HS3106'], at: ['HS3106', '"i-0F1E2D3C4B5A69788"', 'instance'] },
  { name: 'see_thru_gid not a gid', line: build(D2_5[1]!, { see_thru_gid: '"default"' }), codes: ['HS3106'], at: ['HS3106', '"default"', 'see_thru_gid'] },
  { name: 'see_thru_gid upper-case', line: build(D2_5[1]!, { see_thru_gid: '"sg-0CCC3333"' }), codes: ['HS3106'], at: ['HS3106', '"sg-0CCC3333"', 'see_thru_gid'] },
  { name: 'empty reason', line: build(G3_TLS, { reason: '""' }), codes: ['HS3106'], at: ['HS3106', '""', 'reason'] },
  { name: 'config client not IPv4', line: build(CONFIG_CLIENT, { client: '"10.10.1"' }), codes: ['HS3106'], at: ['HS3106', '"10.10.1"', 'client'], kind: 'config' },
  { name: 'config gid malformed', line: build(CONFIG_CLIENT, { gid: '"sg_0aaa1111"' }), codes: ['HS3106'], at: ['HS3106', '"sg_0aaa1111"', 'gid'], kind: 'config' },
  { name: 'thru_date not padded', line: build(CONFIG_SEE_THRU, { thru_date: '"2026-3-31"' }), codes: ['HS3106'], at: ['HS3106', '"2026-3-31"', 'thru_date'], kind: 'config' },
  { name: 'thru_date not a date', line: build(CONFIG_SEE_THRU, { thru_date: '"2026-02-29"' }), codes: ['HS3106'], at: ['HS3106', '"2026-02-29"', 'thru_date'], kind: 'config' },
  { name: 'empty addr outcome', line: build(D3_3, { outcome: '""' }), codes: ['HS3106'], at: ['HS3106', '""', 'outcome'], kind: 'config' },
  // HS3102 missing
  { name: 'src missing', line: build(G3_TLS, { src: undefined }), codes: ['HS3102'], at: ['HS3102', '', 'src'] },
  { name: 'proto_v missing on tls', line: build(G3_TLS, { proto_v: undefined }), codes: ['HS3102'], at: ['HS3102', '', 'proto_v'] },
  { name: 'reason missing', line: build(G3_SSH, { reason: undefined }), codes: ['HS3102'], at: ['HS3102', '', 'reason'] },
  { name: 'config fqdn without proto', line: build(CONFIG_FQDN, { proto: undefined }), codes: ['HS3102'], at: ['HS3102', '', 'proto'], kind: 'config' },
  { name: 'config see-thru without thru_date', line: build(CONFIG_SEE_THRU, { thru_date: undefined }), codes: ['HS3102'], at: ['HS3102', '', 'thru_date'], kind: 'config' },
  { name: 'config addr without addr', line: build(D3_3, { addr: undefined }), codes: ['HS3102'], at: ['HS3102', '', 'addr'], kind: 'config' },
  { name: 'config without outcome', line: build(CONFIG_CLIENT, { outcome: undefined }), codes: ['HS3102'], at: ['HS3102', '', 'outcome'], kind: 'config' },
  { name: 'no cat at all', line: build(G3_TLS, { cat: undefined }), codes: ['HS3102'], at: ['HS3102', '', 'cat'], kind: 'unknown' },
  { name: 'server line without dhost', line: build(G3_HTTP_SERVER, { dhost: undefined }), codes: ['HS3102'], at: ['HS3102', '', 'dhost'], kind: 'unknown' },
  // HS3107 the trio
  { name: 'see_thru_gid alone', line: build(G3_TLS, { see_thru_gid: '"sg-0ccc3333"' }), codes: ['HS3107'], at: ['HS3107', spanText(build(G3_TLS, { see_thru_gid: '"sg-0ccc3333"' }), 'see_thru_gid', '"sg-0ccc3333"', true), 'see_thru_gid'] },
  { name: 'see_thru_exerted missing', line: build(D2_5[1]!, { see_thru_exerted: undefined }), codes: ['HS3107'], at: ['HS3107', '"see_thru_days_remaining"', 'see_thru_days_remaining'] },
  // HS3108 wrong protocol or side
  { name: 'pqc on ssh', line: build(G3_SSH, { pqc: 'false' }), codes: ['HS3108'], at: ['HS3108', '"pqc"', 'pqc'] },
  { name: 'pqc on http', line: build(G3_HTTP_CLIENT, { pqc: 'false' }), codes: ['HS3108'], at: ['HS3108', '"pqc"', 'pqc'] },
  { name: 'pqc on unknown', line: build(G3_UNKNOWN, { pqc: 'false' }), codes: ['HS3108'], at: ['HS3108', '"pqc"', 'pqc'] },
  { name: 'http_method on tls', line: build(G3_TLS, { http_method: '"GET"' }), codes: ['HS3108'], at: ['HS3108', '"http_method"', 'http_method'] },
  { name: 'http_code on ssh', line: build(G3_SSH, { http_code: '200' }), codes: ['HS3108'], at: ['HS3108', '"http_code"', 'http_code'] },
  { name: 'proto_v on unknown', line: build(G3_UNKNOWN, { proto_v: '"1.0"' }), codes: ['HS3108'], at: ['HS3108', '"proto_v"', 'proto_v'] },
  { name: 'http_code on a client line', line: build(G3_HTTP_CLIENT, { http_code: '200' }), codes: ['HS3108'], at: ['HS3108', '"http_code"', 'http_code'] },
  { name: 'http_path on a server line', line: build(G3_HTTP_SERVER, { http_path: '"/ca.crl"' }), codes: ['HS3108'], at: ['HS3108', '"http_path"', 'http_path'] },
  // HS3109 field of another config cat
  { name: 'fqdn on a client line', line: build(CONFIG_CLIENT, { fqdn: '"api.github.com"' }), codes: ['HS3109'], at: ['HS3109', '"fqdn"', 'fqdn'], kind: 'config' },
  { name: 'thru_date on an fqdn line', line: build(CONFIG_FQDN, { thru_date: '"2026-03-31"' }), codes: ['HS3109'], at: ['HS3109', '"thru_date"', 'thru_date'], kind: 'config' },
  { name: 'client on an addr line (tolerated: warning)', line: build(D3_3, { client: '"10.10.1.7"' }), codes: ['HS3109'], at: ['HS3109', '"client"', 'client'], kind: 'config' },
  // HS3111 no generation
  { name: 'pqc without instance', line: D8_FLOW[0]!, codes: ['HS3111'], at: ['HS3111', '"pqc"', null] },
  { name: 'instance on a tls line without pqc', line: build(G3_TLS, { pqc: undefined }), codes: ['HS3111'], at: ['HS3111', '"instance"', null] },
  { name: 'http without instance', line: D8_FLOW[17]!, codes: ['HS3111'], at: ['HS3111', '"http_method"', null] },
  { name: 'expired see-thru without instance', line: build(G1_TLS, { see_thru_days_remaining: '-3', see_thru_gid: '"sg-0ccc3333"', see_thru_exerted: 'false' }), codes: ['HS3111'], at: ['HS3111', '-3', null] },
  // HS3101 not one JSON object
  { name: 'not JSON', line: 'connection refused', codes: ['HS3101'], at: ['HS3101', 'connection refused', null], kind: 'unknown' },
  { name: 'a JSON array', line: '[1,2]', codes: ['HS3101'], at: ['HS3101', '[1,2]', null], kind: 'unknown' },
  { name: 'text after the object', line: `${G3_TLS} x`, codes: ['HS3101'], at: ['HS3101', `${G3_TLS} x`, null], kind: 'unknown' },
  { name: 'a cut line', line: G3_TLS.slice(0, 80), codes: ['HS3101'], at: ['HS3101', G3_TLS.slice(0, 80), null], kind: 'unknown' },
];

for (const c of CASES) {
  test(`rule: ${c.name} -> ${c.codes.join(', ')}`, () => {
    const v = validateLine(c.line);
    assert.equal(v.kind, c.kind ?? 'flow', 'kind');
    assert.deepEqual(problems(v), c.codes, c.line);
    const [code, text, field] = c.at;
    const d = v.diagnostics.find((x) => x.code === code)!;
    if (text === '') {
      assert.deepEqual(d.span, { start: c.line.lastIndexOf('}'), end: c.line.lastIndexOf('}') }, 'a missing field points at the closing brace');
    } else {
      assert.equal(c.line.slice(d.span.start, d.span.end), text);
      assert.equal(d.span.start, c.line.indexOf(text), 'the first occurrence of the text');
    }
    assert.equal(d.field, field);
    if (c.hint) assert.match(d.hint ?? '', c.hint);
    const warningsOnly = v.diagnostics.every((x) => x.severity !== 'error');
    assert.equal(v.valid, warningsOnly);
    assert.equal(v.line === null, !warningsOnly);
  });
}

test('HS3109 on an addr line is a warning for gid/proto/client (spec D3.3) and an error for the others', () => {
  for (const [field, raw] of [['gid', '"sg-0fff6666"'], ['proto', '"tls"'], ['client', '"10.10.1.7"']] as const) {
    const v = validateLine(build(D3_3, { [field]: raw }));
    assert.deepEqual(v.diagnostics.map((d) => [d.code, d.severity]), [['HS3109', 'warning']], field);
    assert.equal(v.valid, true);
  }
  const v = validateLine(build(D3_3, { thru_date: '"2026-03-31"' }));
  assert.deepEqual(v.diagnostics.map((d) => [d.code, d.severity]), [['HS3109', 'error']]);
  const badGid = validateLine(build(D3_3, { gid: '"nope"' }));
  assert.deepEqual(problems(badGid), ['HS3106', 'HS3109'], 'a tolerated field is still checked');
});

test('every check runs: one line with many problems reports each, in position order', () => {
  const line = build(G3_TLS, { spt: '"1"', proto_v: '"9"', dst: '"x"', dpt: '99999', pqc: 'null', see_thru_gid: '"sg-0ccc3333"' });
  const v = validateLine(line);
  assert.deepEqual(v.diagnostics.map((d) => d.code), ['HS3103', 'HS3104', 'HS3106', 'HS3105', 'HS3103', 'HS3107']);
  const starts = v.diagnostics.map((d) => d.span.start);
  assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
});

test('kinds: a client line with `client` and no dhost is config; with dhost it is flow', () => {
  assert.equal(validateLine(CONFIG_CLIENT).kind, 'config');
  const both = build(G3_TLS, { client: '"10.10.1.5"' });
  const v = validateLine(both);
  assert.equal(v.kind, 'flow');
  assert.deepEqual(v.diagnostics.map((d) => [d.code, d.severity]), [['HS3110', 'info']], '`client` is unknown on a flow line');
  const noDhost = validateLine(build(G3_TLS, { dhost: undefined }));
  assert.equal(noDhost.kind, 'config');
  const client = noDhost.diagnostics.find((d) => d.code === 'HS3102' && d.field === 'client');
  assert.match(client?.hint ?? '', /`dhost` is missing/, 'a flow-looking line without dhost says so');
  assert.equal(validateLine(build(G3_TLS, { cat: '5' })).diagnostics[0]!.code, 'HS3103');
});

// ---- Generations --------------------------------------------------------------------------------

test('generation: typical G1, G2 and G3 lines', () => {
  const table: [string, string[], string | null][] = [
    [G3_TLS, ['G3'], 'G3'],
    [G3_SSH, ['G3'], 'G3'],
    [G3_HTTP_SERVER, ['G3'], 'G3'],
    [flowWithInstance(D8_FLOW[11]!), ['G3'], 'G3'], // expired see-thru
    [G1_TLS, ['G1', 'G2'], 'G1'],
    [D8_FLOW[4]!, ['G1', 'G2'], 'G1'], // ssh without instance
    [D8_FLOW[21]!, ['G1', 'G2'], 'G1'], // unknown protocol, IP dhost (D9 #43: not a marker)
    [build(G1_TLS, { see_thru_days_remaining: '3', see_thru_gid: '"%default"', see_thru_exerted: 'false' }), ['G2'], 'G2'],
    [CONFIG_FQDN, ['G1', 'G2'], 'G1'],
    [D8_CONFIG[4]!, ['G2'], 'G2'], // wildcard fqdn
    [build(CONFIG_SEE_THRU, { gid: '"%default"' }), ['G2'], 'G2'],
    [D3_3, ['G2'], 'G2'],
    [configWithInstance(D3_3), ['G3'], 'G3'],
    [D8_FLOW[16]!, [], null], // cache not ready without instance
  ];
  for (const [line, fits, looksLike] of table) {
    const g = validateLine(line).generation;
    assert.deepEqual(g.fits, fits, line);
    assert.equal(g.looksLike, looksLike, line);
  }
});

test('generation evidence names the fields that decided it', () => {
  const g = validateLine(flowWithInstance(D8_FLOW[11]!)).generation;
  const line = flowWithInstance(D8_FLOW[11]!);
  const ids = g.clues.map((c) => [c.id, line.slice(c.span.start, c.span.end)]);
  assert.deepEqual(ids, [['instance', '"instance"'], ['pqc', '"pqc"'], ['expired-see-thru', '-1']]);
  const none = validateLine(D8_FLOW[0]!);
  const d = none.diagnostics.find((x) => x.code === 'HS3111')!;
  assert.match(d.message, /`pqc`.*but.*`instance`/);
  assert.equal(validateLine('[]').generation.fits.length, 0);
});

// ---- Spans with escapes -------------------------------------------------------------------------

test('spans are right around escaped keys and values', () => {
  const line = '{"d\\u0068ost":"a\\"}.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":1,"proto":"unknown","dst":"1.2.3.4","dpt":"2","reason":"x"}';
  const m = readMembers(line)!;
  assert.deepEqual(m.order, ['dhost', 'cat', 'outcome', 'src', 'spt', 'proto', 'dst', 'dpt', 'reason']);
  const v = validateLine(line);
  assert.deepEqual(v.diagnostics.map((d) => [d.code, line.slice(d.span.start, d.span.end)]), [
    ['HS3106', '"a\\"}.com"'],
    ['HS3103', '"2"'],
  ]);
});

test('a repeated key: the last value counts (as JSON.parse reads it)', () => {
  const line = build(G3_TLS, {}).replace('"spt":40001', '"spt":"x","spt":40001');
  assert.equal(validateLine(line).valid, true);
  const bad = build(G3_TLS, {}).replace('"spt":40001', '"spt":40001,"spt":"x"');
  const v = validateLine(bad);
  assert.deepEqual(problems(v), ['HS3103']);
  assert.equal(bad.slice(v.diagnostics[0]!.span.start, v.diagnostics[0]!.span.end), '"x"');
});

// ---- Whole samples ------------------------------------------------------------------------------

test('every line of examples/flow.log is a valid G3 flow line', () => {
  const lines = readFileSync(join(repoRoot, 'examples', 'flow.log'), 'utf8').split('\n').filter((l) => l !== '');
  assert.ok(lines.length > 200);
  lines.forEach((line, i) => {
    const v = validateLine(line);
    assert.deepEqual(v.diagnostics.map((d) => `${d.code} ${d.message}`), [], `line ${i + 1}: ${line}`);
    assert.equal(v.kind, 'flow');
    assert.equal(v.generation.looksLike, 'G3');
  });
});

test('20k generated lines (two seeds) are valid G3 flow lines', () => {
  for (const seed of [1, 'validate']) {
    let n = 0;
    for (const line of generateFlowLines({ lines: 10_000, seed })) {
      const v = validateLine(line, { typed: false });
      if (v.diagnostics.length > 0 || v.generation.looksLike !== 'G3') assert.fail(`seed ${seed} line ${n + 1}: ${v.diagnostics.map((d) => d.message).join('; ')}\n${line}`);
      n++;
    }
    assert.equal(n, 10_000);
  }
});
