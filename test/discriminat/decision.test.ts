// The decision procedure (spec D6) as table tests. The core is the worked examples of D8: their
// estate E0 is built here and each expected line is copied from the spec text (D8 leaves out the
// G3 `instance` field, which `g3` puts back where D8 says: right after `reason`). The other
// tables cover what D8 does not: port ranges, `-1` rules, the four wildcard exposures, see-thru
// ordering and expiry per generation, server anomalies, unknown clients, DNS, CRLs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilterPattern } from '../../src/filter/index.js';
import { decide, toJsonLine, type ConnectionSummary, type DecideOptions } from '../../src/discriminat/decision.js';
import { estateFromTexts, type Estate } from '../../src/discriminat/estate.js';

const INSTANCE = 'i-0f1e2d3c4b5a69788';
/** D8: lines omit the instance, "right after `reason` in flow lines". */
const g3 = (line: string): string => line.replace(/("reason":"[^"]*")/, `$1,"instance":"${INSTANCE}"`);

// ---------------------------------------------------------------------------------------------
// E0 (spec D8), as a native estate file

type Json = Record<string, unknown>;
const rule = (ipProtocol: string, ports: [number, number] | null, cidr: string, description?: string): Json => ({
  ipProtocol,
  ...(ports ? { fromPort: ports[0], toPort: ports[1] } : {}),
  cidr,
  ...(description !== undefined ? { description } : {}),
});

function e0Groups(): Json[] {
  return [
    { gid: 'sg-0aaa1111', egress: [rule('tcp', [443, 443], '0.0.0.0/0', 'discriminat:tls:api.github.com,ssm.eu-west-2.amazonaws.com')] },
    { gid: 'sg-0bbb2222', egress: [rule('tcp', [22, 22], '0.0.0.0/0', 'discriminat:ssh:sftp.bank1.com')] },
    { gid: 'sg-0ccc3333', egress: [rule('-1', null, '0.0.0.0/0', 'discriminat:see-thru:2026-03-31')] },
    { gid: 'sg-0ddd4444', egress: [rule('tcp', [443, 443], '0.0.0.0/0', 'discriminat:tls:*.github.com')] },
  ];
}
function e0Interfaces(): Json[] {
  return [
    { eni: 'eni-1', addresses: ['10.10.1.5'], groups: ['sg-0aaa1111', 'sg-0bbb2222'] },
    { eni: 'eni-2', addresses: ['10.10.1.9'], groups: ['sg-0aaa1111', 'sg-0ccc3333'] },
    { eni: 'eni-3', addresses: ['10.10.1.7'], groups: ['sg-0ddd4444'] },
  ];
}
function e0(): Json {
  return { firewall: { instance: INSTANCE }, groups: e0Groups(), interfaces: e0Interfaces() };
}

function load(doc: Json): Estate {
  const { estate, diagnostics } = estateFromTexts([{ file: 'estate.json', text: JSON.stringify(doc) }]);
  // Refused entries (HS3011-HS3016) are part of what some tests set up; anything else is a slip.
  const refusals = new Set(['HS3011', 'HS3012', 'HS3013', 'HS3014', 'HS3015', 'HS3016']);
  const errors = diagnostics.filter((d) => d.code.startsWith('HS32') || (d.severity === 'error' && !refusals.has(d.code)));
  assert.deepEqual(errors.map((d) => `${d.code} ${d.path} ${d.message}`), []);
  return estate;
}

const DNS: Record<string, string[]> = {
  'api.github.com': ['140.82.121.6'],
  'sftp.bank1.com': ['203.0.113.22'],
  'codeload.github.com': ['140.82.121.9'],
  'pypi.org': ['151.101.0.223'],
};
const resolver = (name: string): string[] => DNS[name] ?? [];

const day = (d: string, time = '12:00:00'): number => Date.parse(`${d}T${time}Z`);
const TODAY = day('2026-03-29');

function run(estate: Estate, conn: ConnectionSummary, at = TODAY, options: DecideOptions = { resolver }): string[] {
  return decide(estate, at, conn, options).lines.map(toJsonLine);
}

const tls = (src: string, spt: number, dst: string, sni: string | undefined, extra: Partial<ConnectionSummary> = {}): ConnectionSummary => ({
  src, spt, dst, dpt: 443, proto: 'tls', proto_v: '1.3', ...(sni !== undefined ? { dhost: sni } : {}), ...extra,
});

const E0 = load(e0());

// ---------------------------------------------------------------------------------------------

describe('D8 worked examples (flow lines)', () => {
  it('X1 allowed TLS, both sides, pqc', () => {
    assert.deepEqual(run(E0, tls('10.10.1.5', 40001, '140.82.121.6', 'api.github.com', { pqc: true })), [
      g3('{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","pqc":true}'),
      g3('{"dhost":"api.github.com","cat":"server","outcome":"allowed","src":"140.82.121.6","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.10.1.5","dpt":40001,"reason":"sg-0aaa1111","pqc":true}'),
    ]);
  });

  it('X2 host not allowlisted: no server line', () => {
    assert.deepEqual(run(E0, tls('10.10.1.5', 40002, '151.101.0.223', 'pypi.org')), [
      g3('{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40002,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false}'),
    ]);
  });

  it('X3 old TLS', () => {
    assert.deepEqual(run(E0, tls('10.10.1.5', 40003, '140.82.121.6', 'api.github.com', { proto_v: '1.1' })), [
      g3('{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40003,"proto":"tls","proto_v":"1.1","dst":"140.82.121.6","dpt":443,"reason":"tls version below 1.2","pqc":false}'),
    ]);
  });

  it('X4 SSH allowed, dhost from the DNS cache', () => {
    assert.deepEqual(run(E0, { src: '10.10.1.5', spt: 50022, dst: '203.0.113.22', dpt: 22, proto: 'ssh', proto_v: '2.0' }), [
      g3('{"dhost":"sftp.bank1.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":50022,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":22,"reason":"sg-0bbb2222"}'),
      g3('{"dhost":"sftp.bank1.com","cat":"server","outcome":"allowed","src":"203.0.113.22","spt":22,"proto":"ssh","proto_v":"2.0","dst":"10.10.1.5","dpt":50022,"reason":"sg-0bbb2222"}'),
    ]);
  });

  it('X5 SSH on the wrong port', () => {
    assert.deepEqual(run(E0, { src: '10.10.1.5', spt: 50023, dst: '203.0.113.22', dpt: 443, proto: 'ssh', proto_v: '2.0' }), [
      g3('{"dhost":"sftp.bank1.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":50023,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":443,"reason":"no protocol rule matched"}'),
    ]);
  });

  const X6 = [
    g3('{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}'),
    g3('{"dhost":"pypi.org","cat":"server","outcome":"disallowed","src":"151.101.0.223","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.10.1.9","dpt":51514,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}'),
  ];
  const x6 = tls('10.10.1.9', 51514, '151.101.0.223', 'pypi.org');

  it('X6 see-thru exerted (2 days left)', () => {
    assert.deepEqual(run(E0, x6), X6);
  });

  const X7 = g3('{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.9","spt":51515,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}');
  it('X7 see-thru present, not needed; the server line mirrors the client line', () => {
    const lines = run(E0, tls('10.10.1.9', 51515, '140.82.121.6', 'api.github.com'));
    assert.equal(lines[0], X7);
    assert.equal(lines.length, 2);
    assert.equal(
      lines[1],
      g3('{"dhost":"api.github.com","cat":"server","outcome":"allowed","src":"140.82.121.6","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.10.1.9","dpt":51515,"reason":"sg-0aaa1111","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}'),
    );
  });

  it('X8 on the thru date (days 0) still passes, at both ends of the day', () => {
    const expected = g3('{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":0,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}');
    for (const time of ['00:00:00', '23:59:59']) {
      const lines = run(E0, x6, day('2026-03-31', time));
      assert.equal(lines[0], expected);
      assert.equal(lines.length, 2, 'it passed, so the server answers');
    }
  });

  it('X9 expired see-thru (days -1): blocked, G3 keeps the fields, G1/G2 drop them', () => {
    const at = day('2026-04-01', '00:00:00');
    assert.deepEqual(run(E0, x6, at), [
      g3('{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":-1,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}'),
    ]);
    const plain = '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched"}';
    for (const generation of ['G1', 'G2'] as const) assert.deepEqual(run(E0, x6, at, { resolver, generation }), [plain]);
  });

  it('X9 boundary: 2026-03-29T23:59:59Z is still 2 days before the date', () => {
    assert.deepEqual(run(E0, x6, day('2026-03-29', '23:59:59')), X6);
  });

  describe('X10 %default see-thru on a client without rules', () => {
    const doc = e0();
    doc.preferences = { '%default': { see_thru: '2026-04-10' } };
    (doc.groups as Json[]).push({ gid: 'sg-0eee5555', egress: [rule('tcp', [443, 443], '0.0.0.0/0', 'https to anywhere')] });
    (doc.interfaces as Json[]).push({ eni: 'eni-4', addresses: ['10.10.1.30'], groups: ['sg-0eee5555'] });
    const estate = load(doc);
    const conn = tls('10.10.1.30', 33000, '140.82.121.6', 'api.github.com', { proto_v: '1.2' });
    it('G3: exerted on both lines, 12 days left', () => {
      assert.deepEqual(run(estate, conn), [
        g3('{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.30","spt":33000,"proto":"tls","proto_v":"1.2","dst":"140.82.121.6","dpt":443,"reason":"no rules for client","pqc":false,"see_thru_days_remaining":12,"see_thru_gid":"%default","see_thru_exerted":true}'),
        g3('{"dhost":"api.github.com","cat":"server","outcome":"disallowed","src":"140.82.121.6","spt":443,"proto":"tls","proto_v":"1.2","dst":"10.10.1.30","dpt":33000,"reason":"no rules for client","pqc":false,"see_thru_days_remaining":12,"see_thru_gid":"%default","see_thru_exerted":true}'),
      ]);
    });
    it('G1: no %default see-thru, one disallowed line and nothing passes', () => {
      assert.deepEqual(run(estate, conn, TODAY, { resolver, generation: 'G1' }), [
        '{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.30","spt":33000,"proto":"tls","proto_v":"1.2","dst":"140.82.121.6","dpt":443,"reason":"no rules for client"}',
      ]);
    });
    it('G2: the %default see-thru exists, without the G3 fields', () => {
      assert.deepEqual(run(estate, conn, TODAY, { resolver, generation: 'G2' }), [
        '{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.30","spt":33000,"proto":"tls","proto_v":"1.2","dst":"140.82.121.6","dpt":443,"reason":"no rules for client","see_thru_days_remaining":12,"see_thru_gid":"%default","see_thru_exerted":true}',
        '{"dhost":"api.github.com","cat":"server","outcome":"disallowed","src":"140.82.121.6","spt":443,"proto":"tls","proto_v":"1.2","dst":"10.10.1.30","dpt":33000,"reason":"no rules for client","see_thru_days_remaining":12,"see_thru_gid":"%default","see_thru_exerted":true}',
      ]);
    });
  });

  it('X11 wildcard match and miss (a wildcard never crosses a dot)', () => {
    const hit = run(E0, tls('10.10.1.7', 41000, '140.82.121.9', 'codeload.github.com'));
    assert.equal(hit[0], g3('{"dhost":"codeload.github.com","cat":"client","outcome":"allowed","src":"10.10.1.7","spt":41000,"proto":"tls","proto_v":"1.3","dst":"140.82.121.9","dpt":443,"reason":"sg-0ddd4444","pqc":false}'));
    assert.equal(hit.length, 2);
    assert.deepEqual(run(E0, tls('10.10.1.7', 41001, '185.199.108.133', 'objects.githubusercontent.com')), [
      g3('{"dhost":"objects.githubusercontent.com","cat":"client","outcome":"disallowed","src":"10.10.1.7","spt":41001,"proto":"tls","proto_v":"1.3","dst":"185.199.108.133","dpt":443,"reason":"no protocol rule matched","pqc":false}'),
    ]);
    const deep = decide(E0, TODAY, tls('10.10.1.7', 41002, '140.82.121.9', 'a.b.github.com'));
    assert.equal(deep.trace.reason, 'no protocol rule matched');
  });

  it('X12 same host in two groups: the lowest gid is reported', () => {
    const doc = e0();
    (doc.groups as Json[]).push({ gid: 'sg-0999aaaa', egress: [rule('tcp', [443, 443], '0.0.0.0/1', 'discriminat:tls:api.github.com')] });
    (doc.interfaces as Json[])[0]!.groups = ['sg-0aaa1111', 'sg-0bbb2222', 'sg-0999aaaa'];
    const lines = run(load(doc), tls('10.10.1.5', 40001, '140.82.121.6', 'api.github.com', { pqc: true }));
    assert.equal(lines[0], g3('{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0999aaaa","pqc":true}'));
  });

  describe('X17 cache not ready (G3)', () => {
    const before = e0();
    (before.groups as Json[])[1] = { gid: 'sg-0bbb2222', egress: [rule('tcp', [22, 22], '0.0.0.0/0', 'sftp, annotation pending')] };
    const T1 = day('2026-03-29', '10:00:00');
    const estate = load({
      firewall: { instance: INSTANCE },
      views: [
        { at: '2026-03-29T09:00:00Z', groups: before.groups, interfaces: e0Interfaces() },
        { at: '2026-03-29T10:00:00Z', groups: e0Groups() },
      ],
    });
    const conn: ConnectionSummary = { src: '10.10.1.5', spt: 50022, dst: '203.0.113.22', dpt: 22, proto: 'ssh', proto_v: '2.0' };
    it('2 s after acceptance: the name cannot be mapped back, reason cache not ready', () => {
      assert.deepEqual(run(estate, conn, T1 + 2000), [
        g3('{"dhost":"203.0.113.22","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":50022,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":22,"reason":"cache not ready"}'),
      ]);
    });
    it('a name given for SSH is matched, but a warming addr is ignored: still cache not ready', () => {
      const d = decide(estate, T1 + 2000, { ...conn, dhost: 'sftp.bank1.com' }, { resolver });
      assert.equal(d.trace.reason, 'cache not ready');
      assert.equal(d.lines[0]!.dhost, 'sftp.bank1.com');
    });
    it('5 s after acceptance it is warm', () => {
      assert.equal(decide(estate, T1 + 5000, conn, { resolver }).trace.reason, 'sg-0bbb2222');
      assert.equal(decide(estate, T1 + 4999, conn, { resolver }).trace.reason, 'cache not ready');
    });
    it('G1/G2 have no cache-not-ready refusal: the new addr works at once (D9 #27)', () => {
      assert.equal(decide(estate, T1 + 2000, conn, { resolver, generation: 'G2' }).trace.reason, 'sg-0bbb2222');
    });
    it('a connection before any warm-up, in the first view, finds every name warm', () => {
      const first = load(e0());
      assert.equal(decide(first, 0, conn, { resolver }).trace.reason, 'sg-0bbb2222');
    });
  });

  describe('X18 flow_log_verbosity', () => {
    const withVerbosity = (v: string): Estate => {
      const doc = e0();
      doc.preferences = { '%default': { flow_log_verbosity: v } };
      return load(doc);
    };
    const x1 = tls('10.10.1.5', 40001, '140.82.121.6', 'api.github.com', { pqc: true });
    const x2 = tls('10.10.1.5', 40002, '151.101.0.223', 'pypi.org');
    const x7 = tls('10.10.1.9', 51515, '140.82.121.6', 'api.github.com');
    it('only_disallowed: X1 nothing, X2 its line, X7 nothing, X6 both lines', () => {
      const e = withVerbosity('only_disallowed');
      assert.deepEqual(run(e, x1), []);
      assert.equal(run(e, x2).length, 1);
      assert.deepEqual(run(e, x7), []);
      assert.deepEqual(run(e, x6), X6);
    });
    it('none: nothing at all', () => {
      const e = withVerbosity('none');
      for (const c of [x1, x2, x7, x6]) assert.deepEqual(run(e, c), []);
    });
    it('G1 ignores the preference (full)', () => {
      assert.equal(run(withVerbosity('none'), x1, TODAY, { resolver, generation: 'G1' }).length, 2);
    });
  });

  describe('X19 CRL fetch over plain HTTP', () => {
    const withCrls = (value: string): Estate => {
      const doc = e0();
      doc.preferences = { '%default': { x509_crls: value } };
      ((doc.groups as Json[])[0]!.egress as Json[]).push(rule('tcp', [80, 80], '0.0.0.0/0', 'plain http out'));
      return load(doc);
    };
    const conn: ConnectionSummary = {
      src: '10.10.1.5', spt: 42000, dst: '93.184.216.34', dpt: 80, proto: 'http', proto_v: '1.1', dhost: 'crl.example.net',
      http: { method: 'GET', path: '/ca.crl', userAgent: 'curl/8.5.0' },
    };
    it('x509_crls allow: allowed both ways, request fields on the client line, http_code on the server line', () => {
      assert.deepEqual(run(withCrls('allow'), conn), [
        g3('{"dhost":"crl.example.net","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":42000,"proto":"http","proto_v":"1.1","dst":"93.184.216.34","dpt":80,"reason":"x509 crl","http_method":"GET","http_path":"/ca.crl","http_user_agent":"curl/8.5.0"}'),
        g3('{"dhost":"crl.example.net","cat":"server","outcome":"allowed","src":"93.184.216.34","spt":80,"proto":"http","proto_v":"1.1","dst":"10.10.1.5","dpt":42000,"reason":"x509 crl","http_code":200}'),
      ]);
    });
    it('x509_crls ignore: disallowed, http not allowed, no server line', () => {
      assert.deepEqual(run(withCrls('ignore'), conn), [
        g3('{"dhost":"crl.example.net","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":42000,"proto":"http","proto_v":"1.1","dst":"93.184.216.34","dpt":80,"reason":"http not allowed","http_method":"GET","http_path":"/ca.crl","http_user_agent":"curl/8.5.0"}'),
      ]);
    });
    it('allow, but not a CRL (POST, or another path): http not allowed; no User-Agent: field omitted', () => {
      const e = withCrls('allow');
      assert.equal(decide(e, TODAY, { ...conn, http: { method: 'POST', path: '/ca.crl' } }).trace.reason, 'http not allowed');
      assert.deepEqual(run(e, { ...conn, http: { method: 'GET', path: '/ocsp' } }), [
        g3('{"dhost":"crl.example.net","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":42000,"proto":"http","proto_v":"1.1","dst":"93.184.216.34","dpt":80,"reason":"http not allowed","http_method":"GET","http_path":"/ocsp"}'),
      ]);
    });
    it('the server code is taken from the scenario', () => {
      const lines = run(withCrls('allow'), { ...conn, server: { code: 404 } });
      assert.match(lines[1]!, /"http_code":404}$/);
    });
    it('before G3 plain HTTP is reported as unknown (no proto_v, dhost the IP)', () => {
      assert.deepEqual(run(withCrls('allow'), conn, TODAY, { resolver, generation: 'G2' }), [
        '{"dhost":"93.184.216.34","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":42000,"proto":"unknown","dst":"93.184.216.34","dpt":80,"reason":"protocol unknown"}',
      ]);
    });
  });

  it('X20 blocked before the firewall: no line at all', () => {
    const d = decide(E0, TODAY, { ...tls('10.10.1.7', 41010, '140.82.121.9', 'codeload.github.com'), dpt: 8443 }, { resolver });
    assert.deepEqual(d.lines, []);
    assert.equal(d.trace.aws.passed, false);
    assert.match(d.steps.join('\n'), /AWS drops the packet/);
  });

  describe('X21 the vendor\'s client filter (server never answers)', () => {
    const doc = e0();
    (doc.interfaces as Json[]).push({ eni: 'eni-5', addresses: ['172.16.1.9'], groups: ['sg-0aaa1111', 'sg-0ccc3333'] });
    const estate = load(doc);
    it('(a) and (b)', () => {
      assert.deepEqual(run(estate, tls('172.16.1.9', 50412, '140.82.121.6', 'api.github.com', { server: null })), [
        g3('{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"172.16.1.9","spt":50412,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}'),
      ]);
      assert.deepEqual(run(estate, tls('172.16.1.9', 50413, '203.0.113.80', 'ec2-instance-connect.eu-west-2.amazonaws.com', { server: null })), [
        g3('{"dhost":"ec2-instance-connect.eu-west-2.amazonaws.com","cat":"client","outcome":"disallowed","src":"172.16.1.9","spt":50413,"proto":"tls","proto_v":"1.3","dst":"203.0.113.80","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}'),
      ]);
    });
  });

  it('X22 unknown protocol and IP-only destinations', () => {
    assert.deepEqual(run(E0, { src: '10.10.1.9', spt: 52000, dst: '198.51.100.7', dpt: 443, proto: 'unknown' }), [
      g3('{"dhost":"198.51.100.7","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":52000,"proto":"unknown","dst":"198.51.100.7","dpt":443,"reason":"protocol unknown","see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}'),
      g3('{"dhost":"198.51.100.7","cat":"server","outcome":"disallowed","src":"198.51.100.7","spt":443,"proto":"unknown","dst":"10.10.1.9","dpt":52000,"reason":"protocol unknown","see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}'),
    ]);
    assert.deepEqual(run(E0, tls('10.10.1.5', 40010, '140.82.121.6', undefined)), [
      g3('{"dhost":"140.82.121.6","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40010,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sni missing","pqc":false}'),
    ]);
    assert.deepEqual(run(E0, { src: '10.10.1.5', spt: 50030, dst: '198.51.100.9', dpt: 22, proto: 'ssh', proto_v: '2.0' }), [
      g3('{"dhost":"198.51.100.9","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":50030,"proto":"ssh","proto_v":"2.0","dst":"198.51.100.9","dpt":22,"reason":"no protocol rule matched"}'),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('D2.6: the vendor\'s filter patterns find the D8 lines they should', () => {
  const doc = e0();
  doc.preferences = { '%default': { see_thru: '2026-04-10', x509_crls: 'allow' } };
  (doc.groups as Json[]).push({ gid: 'sg-0eee5555', egress: [rule('tcp', [443, 443], '0.0.0.0/0', 'https to anywhere')] });
  (doc.interfaces as Json[]).push({ eni: 'eni-4', addresses: ['10.10.1.30'], groups: ['sg-0eee5555'] });
  (doc.interfaces as Json[]).push({ eni: 'eni-5', addresses: ['172.16.1.9'], groups: ['sg-0aaa1111', 'sg-0ccc3333'] });
  ((doc.groups as Json[])[0]!.egress as Json[]).push(rule('tcp', [80, 80], '0.0.0.0/0', 'plain http out'));
  const estate = load(doc);
  const x6 = tls('10.10.1.9', 51514, '151.101.0.223', 'pypi.org');
  // %default (2026-04-10) is later than sg-0ccc3333 (2026-03-31) and would win for 10.10.1.9,
  // so X6-X9 and X21 are run on E0 itself, X10 and X19 on this estate.
  const lines: Record<string, string[]> = {
    X1: run(E0, tls('10.10.1.5', 40001, '140.82.121.6', 'api.github.com', { pqc: true })),
    X2: run(E0, tls('10.10.1.5', 40002, '151.101.0.223', 'pypi.org')),
    X3: run(E0, tls('10.10.1.5', 40003, '140.82.121.6', 'api.github.com', { proto_v: '1.1' })),
    X4: run(E0, { src: '10.10.1.5', spt: 50022, dst: '203.0.113.22', dpt: 22, proto: 'ssh', proto_v: '2.0' }),
    X5: run(E0, { src: '10.10.1.5', spt: 50023, dst: '203.0.113.22', dpt: 443, proto: 'ssh', proto_v: '2.0' }),
    X6: run(E0, x6),
    X7: run(E0, tls('10.10.1.9', 51515, '140.82.121.6', 'api.github.com')),
    X8: run(E0, x6, day('2026-03-31')),
    X9: run(E0, x6, day('2026-04-01')),
    X10: run(estate, tls('10.10.1.30', 33000, '140.82.121.6', 'api.github.com', { proto_v: '1.2' })),
    X19: run(estate, { src: '10.10.1.5', spt: 42000, dst: '93.184.216.34', dpt: 80, proto: 'http', proto_v: '1.1', dhost: 'crl.example.net', http: { method: 'GET', path: '/ca.crl', userAgent: 'curl/8.5.0' } }),
  };
  const x21 = load({ ...e0(), interfaces: [...e0Interfaces(), { eni: 'eni-5', addresses: ['172.16.1.9'], groups: ['sg-0aaa1111', 'sg-0ccc3333'] }] });
  lines.X21a = run(x21, tls('172.16.1.9', 50412, '140.82.121.6', 'api.github.com', { server: null }));
  lines.X21b = run(x21, tls('172.16.1.9', 50413, '203.0.113.80', 'ec2-instance-connect.eu-west-2.amazonaws.com', { server: null }));

  const finds = (pattern: string): Set<string> => {
    const p = compileFilterPattern(pattern);
    const out = new Set<string>();
    for (const [name, ls] of Object.entries(lines)) ls.forEach((l, i) => p.matches(l) && out.add(ls.length > 1 ? `${name}.${i}` : name));
    return out;
  };
  const has = (found: Set<string>, names: string[]): void => {
    for (const n of names) assert.ok(found.has(n) || [...found].some((f) => f.startsWith(`${n}.`)), `${n} should be found`);
  };
  const hasNot = (found: Set<string>, names: string[]): void => {
    for (const n of names) assert.ok(!found.has(n) && ![...found].some((f) => f.startsWith(`${n}.`)), `${n} should not be found`);
  };

  it('{ $.outcome = "disallowed" }', () => {
    const f = finds('{ $.outcome = "disallowed" }');
    has(f, ['X2', 'X3', 'X5', 'X6.0', 'X6.1', 'X9', 'X21b']);
    hasNot(f, ['X1', 'X4', 'X7']);
  });
  it('{ $.outcome = "allowed" && $.proto != "tls" }', () => {
    const f = finds('{ $.outcome = "allowed" && $.proto != "tls" }');
    has(f, ['X4.0', 'X4.1', 'X19']);
    hasNot(f, ['X1', 'X7']);
  });
  it('{ $.cat = "client" && $.src = "172.16.1.9" && $.dhost != "api.github.com" }', () => {
    const f = finds('{ $.cat = "client" && $.src = "172.16.1.9" && $.dhost != "api.github.com" }');
    has(f, ['X21b']);
    hasNot(f, ['X21a']);
  });
  it('{ $.see_thru_days_remaining <= 2 }', () => {
    const f = finds('{ $.see_thru_days_remaining <= 2 }');
    has(f, ['X6', 'X7', 'X8', 'X9', 'X21a', 'X21b']);
    hasNot(f, ['X10', 'X1', 'X2', 'X3', 'X4', 'X5']);
  });
  it('{ $.see_thru_exerted is true && $.dhost != "ec2-instance-connect.*" }', () => {
    const f = finds('{ $.see_thru_exerted is true && $.dhost != "ec2-instance-connect.*" }');
    has(f, ['X6', 'X8', 'X10']);
    hasNot(f, ['X7', 'X9', 'X21a', 'X21b']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('rule kinds (D6.4)', () => {
  const estate = load({
    firewall: { instance: INSTANCE },
    groups: [
      {
        gid: 'sg-01111111',
        egress: [
          rule('tcp', [8000, 8999], '0.0.0.0/0', 'discriminat:tls:range.example.com'),
          rule('-1', null, '0.0.0.0/0', 'discriminat:tls:any-port.example.com'),
          rule('udp', [443, 443], '0.0.0.0/0', 'discriminat:tls:udp-only.example.com'),
          rule('6', [443, 443], '0.0.0.0/0', 'discriminat:tls:numeric.example.com'),
          rule('tcp', [2222, 2222], '0.0.0.0/0', 'discriminat:ssh:git.example.com'),
        ],
      },
    ],
    interfaces: [{ eni: 'eni-a', addresses: ['10.0.0.10'], groups: ['sg-01111111'] }],
  });
  const at = (dpt: number, sni: string): string => decide(estate, TODAY, { ...tls('10.0.0.10', 40000, '203.0.113.5', sni), dpt }).trace.reason!;
  const table: [number, string, string][] = [
    [8000, 'range.example.com', 'sg-01111111'],
    [8443, 'range.example.com', 'sg-01111111'],
    [8999, 'range.example.com', 'sg-01111111'],
    [9000, 'range.example.com', 'no protocol rule matched'],
    [7999, 'range.example.com', 'no protocol rule matched'],
    [443, 'any-port.example.com', 'sg-01111111'],
    [65535, 'any-port.example.com', 'sg-01111111'],
    [443, 'udp-only.example.com', 'no protocol rule matched'],
    [443, 'numeric.example.com', 'sg-01111111'],
    [444, 'numeric.example.com', 'no protocol rule matched'],
    [2222, 'git.example.com', 'no protocol rule matched'],
  ];
  for (const [dpt, sni, reason] of table) {
    it(`tls ${sni}:${dpt} -> ${reason}`, () => assert.equal(at(dpt, sni), reason));
  }
  it('ssh on a port range rule, named by the caller', () => {
    const d = decide(estate, TODAY, { src: '10.0.0.10', spt: 40000, dst: '203.0.113.6', dpt: 2222, proto: 'ssh', proto_v: '2.0', dhost: 'GIT.example.com.' });
    assert.equal(d.trace.reason, 'sg-01111111');
    assert.equal(d.lines[0]!.dhost, 'git.example.com');
  });
  it('the trace says why each candidate did or did not match', () => {
    const d = decide(estate, TODAY, { ...tls('10.0.0.10', 40000, '203.0.113.5', 'range.example.com'), dpt: 9000 });
    const range = d.trace.candidates.find((c) => c.addr === 'range.example.com')!;
    assert.equal(range.covers, false);
    assert.match(range.why, /no rule carrying it covers TCP port 9000/);
    const any = d.trace.candidates.find((c) => c.addr === 'any-port.example.com')!;
    assert.equal(any.covers, true);
    assert.match(any.why, /does not match/);
  });
});

describe('several groups on one client', () => {
  const estate = load({
    groups: [
      { gid: 'sg-0c000000', egress: [rule('tcp', [443, 443], '0.0.0.0/0', 'discriminat:tls:shared.example.com')] },
      { gid: 'sg-0b000000', egress: [rule('tcp', [443, 443], '0.0.0.0/0', 'discriminat:tls:*.example.com')] },
      { gid: 'sg-0a000000', egress: [rule('tcp', [80, 80], '0.0.0.0/0', 'discriminat:tls:shared.example.com')] },
    ],
    interfaces: [{ eni: 'eni-a', addresses: ['10.0.0.10', '10.0.0.11'], groups: ['sg-0c000000', 'sg-0b000000', 'sg-0a000000'] }],
  });
  it('the lowest gid among those whose rule covers the port wins', () => {
    // sg-0a000000 carries the name on port 80 only, so it is no candidate on 443.
    assert.equal(decide(estate, TODAY, tls('10.0.0.10', 40000, '203.0.113.5', 'shared.example.com')).trace.reason, 'sg-0b000000');
  });
  it('a secondary private IP is a client with the interface\'s groups (D9 #19)', () => {
    assert.equal(decide(estate, TODAY, tls('10.0.0.11', 40000, '203.0.113.5', 'other.example.com')).trace.reason, 'sg-0b000000');
  });
});

describe('wildcards under the four exposure settings (D4.7, D6.4)', () => {
  const addrs = ['*.github.com', '*.github.io', '*.cloudflare.net', '*.com', 'api.*.example.com', 'api?.example.com', '*.git?ub.io'];
  const hosts = ['api.github.com', 'pages.github.io', 'x.cloudflare.net', 'example.com', 'api.eu.example.com', 'api1.example.com', 'x.github.io'];
  // From the D4.7 table: which addrs each exposure accepts.
  const accepted: Record<string, string[]> = {
    none: [],
    prohibit_asterisk: ['api?.example.com'],
    prohibit_public_suffix: ['*.github.com', 'api.*.example.com', 'api?.example.com'],
    nuclear: addrs,
  };
  for (const exposure of Object.keys(accepted)) {
    it(exposure, () => {
      const estate = load({
        preferences: { '%default': { wildcard_exposure: exposure } },
        groups: addrs.map((a, i) => ({ gid: `sg-0${i}000000`, egress: [rule('tcp', [443, 443], '0.0.0.0/0', `discriminat:tls:${a}`)] })),
        interfaces: [{ eni: 'eni-a', addresses: ['10.0.0.10'], groups: addrs.map((_, i) => `sg-0${i}000000`) }],
      });
      addrs.forEach((a, i) => {
        const reason = decide(estate, TODAY, tls('10.0.0.10', 40000, '203.0.113.5', hosts[i])).trace.reason;
        const ok = accepted[exposure]!.includes(a);
        // `*.git?ub.io` also matches x.github.io's sibling pattern `*.github.io` under nuclear:
        // the lowest gid wins, and sg-01 (`*.github.io`) sorts before sg-06.
        const none = accepted[exposure]!.length === 0 ? 'no rules for client' : 'no protocol rule matched';
        const expected = ok ? (a === '*.git?ub.io' ? 'sg-01000000' : `sg-0${i}000000`) : none;
        assert.equal(reason, expected, `${a} with ${hosts[i]}`);
      });
    });
  }
  it('G1 treats wildcards as invalid: no rule, whatever the exposure', () => {
    const estate = load({
      preferences: { '%default': { wildcard_exposure: 'nuclear' } },
      groups: [{ gid: 'sg-00000001', egress: [rule('tcp', [443, 443], '0.0.0.0/0', 'discriminat:tls:*.github.com')] }],
      interfaces: [{ eni: 'eni-a', addresses: ['10.0.0.10'], groups: ['sg-00000001'] }],
    });
    assert.equal(decide(estate, TODAY, tls('10.0.0.10', 1, '203.0.113.5', 'api.github.com'), { generation: 'G1' }).trace.reason, 'no rules for client');
    assert.equal(decide(estate, TODAY, tls('10.0.0.10', 1, '203.0.113.5', 'api.github.com'), { generation: 'G2' }).trace.reason, 'sg-00000001');
  });
});

describe('see-thru choice (D6.6)', () => {
  const mk = (groupDate: string, defaultDate: string | null, gids = ['sg-0b000000']): Estate => load({
    firewall: { instance: INSTANCE },
    preferences: { '%default': { see_thru: defaultDate } },
    groups: gids.map((g, i) => ({ gid: g, egress: [rule('-1', null, '0.0.0.0/0', `discriminat:see-thru:${i === 0 ? groupDate : '2026-03-30'}`)] })),
    interfaces: [{ eni: 'eni-a', addresses: ['10.0.0.10'], groups: gids }],
  });
  const st = (e: Estate) => decide(e, TODAY, tls('10.0.0.10', 1, '203.0.113.5', 'x.example.com')).trace.seeThru;
  it('the latest date wins, %default included', () => {
    assert.deepEqual(st(mk('2026-03-31', '2026-04-02')), { gid: '%default', date: '2026-04-02', days: 4, active: true });
    assert.deepEqual(st(mk('2026-04-05', '2026-04-02')), { gid: 'sg-0b000000', date: '2026-04-05', days: 7, active: true });
  });
  it('on a tie a group beats %default, then the lowest gid', () => {
    assert.equal(st(mk('2026-04-02', '2026-04-02'))!.gid, 'sg-0b000000');
    assert.equal(st(mk('2026-03-30', null, ['sg-0b000000', 'sg-0a000000']))!.gid, 'sg-0a000000');
  });
  it('a one-digit see-thru date works and is reported zero-padded', () => {
    assert.deepEqual(st(mk('2026-4-1', null)), { gid: 'sg-0b000000', date: '2026-04-01', days: 3, active: true });
  });
  it('%default applies to an unknown client too (D9 #22); the AWS check is skipped for it', () => {
    const e = mk('2026-03-31', '2026-04-02');
    assert.deepEqual(run(e, tls('10.99.0.1', 40000, '203.0.113.5', 'x.example.com', { server: null })), [
      g3('{"dhost":"x.example.com","cat":"client","outcome":"disallowed","src":"10.99.0.1","spt":40000,"proto":"tls","proto_v":"1.3","dst":"203.0.113.5","dpt":443,"reason":"no rules for client","pqc":false,"see_thru_days_remaining":4,"see_thru_gid":"%default","see_thru_exerted":true}'),
    ]);
  });
  it('an active see-thru lets anomalies through too (D9 #31)', () => {
    const e = mk('2026-03-31', null);
    for (const c of [tls('10.0.0.10', 1, '203.0.113.5', 'x.example.com', { proto_v: '1.0' }), tls('10.0.0.10', 1, '203.0.113.5', undefined)]) {
      const d = decide(e, TODAY, c);
      assert.equal(d.trace.passes, true);
      assert.equal(d.lines.length, 2);
      assert.equal(d.lines[0]!.see_thru_exerted, true);
    }
  });
});

describe('anomalies and versions', () => {
  it('TLS 1.0 and 1.1 are refused, 1.2 is judged; pqc is false below 1.3', () => {
    assert.equal(decide(E0, TODAY, tls('10.10.1.5', 1, '140.82.121.6', 'api.github.com', { proto_v: '1.0' })).trace.reason, 'tls version below 1.2');
    const d = decide(E0, TODAY, tls('10.10.1.5', 1, '140.82.121.6', 'api.github.com', { proto_v: '1.2', pqc: true }), { resolver });
    assert.equal(d.trace.reason, 'sg-0aaa1111');
    assert.equal(d.lines[0]!.pqc, false);
  });
  it('SSH 1.99 is refused (D9 #29)', () => {
    assert.deepEqual(run(E0, { src: '10.10.1.5', spt: 50022, dst: '203.0.113.22', dpt: 22, proto: 'ssh', proto_v: '1.99' }), [
      g3('{"dhost":"sftp.bank1.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":50022,"proto":"ssh","proto_v":"1.99","dst":"203.0.113.22","dpt":22,"reason":"ssh version below 2"}'),
    ]);
  });
  it('dns mismatch: the SNI does not resolve to dst', () => {
    assert.deepEqual(run(E0, tls('10.10.1.5', 40005, '192.0.2.50', 'api.github.com')), [
      g3('{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40005,"proto":"tls","proto_v":"1.3","dst":"192.0.2.50","dpt":443,"reason":"dns mismatch","pqc":false}'),
    ]);
    assert.equal(decide(E0, TODAY, tls('10.10.1.5', 40005, '192.0.2.50', 'api.github.com')).trace.reason, 'sg-0aaa1111', 'no resolver: the check passes');
  });
  it('a wildcard match resolves the SNI itself at connection time', () => {
    assert.equal(decide(E0, TODAY, tls('10.10.1.7', 1, '140.82.121.9', 'unknown-name.github.com'), { resolver }).trace.reason, 'dns mismatch');
  });
  it('unknown client: no rules for client, AWS check skipped, no see-thru', () => {
    assert.deepEqual(run(E0, tls('10.10.9.9', 40000, '140.82.121.6', 'api.github.com')), [
      g3('{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.9.9","spt":40000,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"no rules for client","pqc":false}'),
    ]);
  });
  it('the SNI is lower-cased and loses one trailing dot', () => {
    assert.equal(decide(E0, TODAY, tls('10.10.1.5', 1, '140.82.121.6', 'API.GitHub.com.'), { resolver }).lines[0]!.dhost, 'api.github.com');
  });
  it('a malformed connection is refused with every problem named', () => {
    assert.throws(() => decide(E0, TODAY, { src: '10.10.1', spt: 70000, dst: '1.2.3.4', dpt: 443, proto: 'tls' }), /src .* not an IPv4.*spt 70000.*proto_v is required/);
  });
});

describe('server lines (D6.8)', () => {
  it('a server reply below TLS 1.2 on an allowed connection: server line disallowed and the connection ends', () => {
    assert.deepEqual(run(E0, tls('10.10.1.5', 40001, '140.82.121.6', 'api.github.com', { server: { proto_v: '1.1' } })), [
      g3('{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","pqc":false}'),
      g3('{"dhost":"api.github.com","cat":"server","outcome":"disallowed","src":"140.82.121.6","spt":443,"proto":"tls","proto_v":"1.1","dst":"10.10.1.5","dpt":40001,"reason":"tls version below 1.2","pqc":false}'),
    ]);
  });
  it('with an active see-thru: client exerted false, server exerted true', () => {
    const lines = decide(E0, TODAY, tls('10.10.1.9', 51515, '140.82.121.6', 'api.github.com', { server: { proto_v: '1.1' } }), { resolver }).lines;
    assert.equal(lines[0]!.see_thru_exerted, false);
    assert.equal(lines[1]!.see_thru_exerted, true);
    assert.equal(lines[1]!.reason, 'tls version below 1.2');
  });
  it('an SSH server banner other than 2.0', () => {
    const lines = run(E0, { src: '10.10.1.5', spt: 50022, dst: '203.0.113.22', dpt: 22, proto: 'ssh', proto_v: '2.0', server: { proto_v: '1.99' } });
    assert.equal(lines[1], g3('{"dhost":"sftp.bank1.com","cat":"server","outcome":"disallowed","src":"203.0.113.22","spt":22,"proto":"ssh","proto_v":"1.99","dst":"10.10.1.5","dpt":50022,"reason":"ssh version below 2"}'));
  });
  it('the server\'s pqc is its own; null server: no server line', () => {
    const lines = run(E0, tls('10.10.1.5', 40001, '140.82.121.6', 'api.github.com', { pqc: true, server: { pqc: false } }));
    assert.match(lines[0]!, /"pqc":true}$/);
    assert.match(lines[1]!, /"pqc":false}$/);
    assert.equal(run(E0, tls('10.10.1.5', 40001, '140.82.121.6', 'api.github.com', { server: null })).length, 1);
  });
});

describe('steps', () => {
  it('name the client, groups, see-thru, candidates, verdict and server line in order', () => {
    const d = decide(E0, TODAY, tls('10.10.1.9', 51514, '151.101.0.223', 'pypi.org'), { resolver });
    const text = d.steps.join('\n');
    const order = [/client 10\.10\.1\.9: interface eni-2; groups sg-0aaa1111/, /AWS egress check/, /see-thru \(D6\.6\): group sg-0ccc3333, through 2026-03-31: 2 days left/,
      /protocol \(D6\.3\): TLS 1\.3, SNI pypi\.org/, /candidates \(D6\.4\): 2 tls addrs/, /sg-0aaa1111 tls:api\.github\.com \[tcp 443-443\]: pypi\.org does not match/,
      /verdict: disallowed, reason "no protocol rule matched"/, /see-thru: lets the connection through anyway/, /server line \(D6\.8\)/];
    let from = 0;
    for (const re of order) {
      const m = re.exec(text.slice(from));
      assert.ok(m, `${re} after offset ${from} in:\n${text}`);
      from += m.index + m[0].length;
    }
  });
});
