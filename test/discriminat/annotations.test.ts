// Rule annotations (spec D4): grammar, every diagnostic code with its span and severity, the
// D4.7 exposure table, D4.6 wildcard matching, normalisation, dates, G1, AWS limits and
// printing. Expected values are written from the spec text, never computed by the code under
// test. Properties use a fixed seed; set HAYSTACK_FC_SEED to try another.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import {
  type AnnotationOptions,
  type WildcardExposure,
  normaliseAddr,
  parseAnnotation,
  parseThruDate,
  printAnnotation,
  printAnnotations,
} from '../../src/discriminat/annotations.js';
import { publicSuffixTail, TLDTS_VERSION } from '../../src/discriminat/psl.js';
import { compileAddrMatcher } from '../../src/discriminat/wildcards.js';
import { fcSeed, propertyRunner } from '../support/property.js';

const SEED = fcSeed(20260329);

const holds = propertyRunner(SEED);

/** code, severity, [start, end) of each diagnostic: the shape D4.3 specifies. */
function shape(ds: readonly Diagnostic[]): [string, string, number, number][] {
  return ds.map((d) => [d.code, d.severity, d.span.start, d.span.end]);
}

function protocolOf(description: string, options?: AnnotationOptions) {
  const r = parseAnnotation(description, options);
  assert.equal(r.annotation.kind, 'protocol', `${description}: ${JSON.stringify(r)}`);
  if (r.annotation.kind !== 'protocol') throw new Error('unreachable');
  return { ...r.annotation, diagnostics: r.diagnostics };
}

const TLS = 'discriminat:tls:'; // 16 characters (spec D4.5)
const SEE_THRU = 'discriminat:see-thru:'; // 21 characters
const PSL_TEXT = (suffix: string) => `publicsuffix[.]org list matched with \`${suffix}\``; // spec D3.3

describe('grammar (D4.1, D4.2)', () => {
  it('descriptions without the prefix are ignored silently', () => {
    for (const d of ['', 'Allow HTTPS out', 'discriminat', 'discriminatory', 'discriminat-tls:a.com', 'tls:api.github.com',
      ' discriminat:tls:a.com', // D9 #45: nothing trimmed before the prefix
      'DISCRİMİNAT:tls:a.com', // dotted capital I is not ASCII: no case folding onto `i`
    ]) {
      const r = parseAnnotation(d, { checkAwsLimits: false });
      assert.deepEqual(r, { annotation: { kind: 'none' }, diagnostics: [] }, d);
    }
  });

  it('reads tls, ssh and see-thru rules', () => {
    const tls = protocolOf('discriminat:tls:api.github.com,ssm.eu-west-2.amazonaws.com');
    assert.equal(tls.protocol, 'tls');
    assert.deepEqual(tls.accepted, [
      { raw: 'api.github.com', addr: 'api.github.com', span: { start: 16, end: 30 }, wildcard: false },
      { raw: 'ssm.eu-west-2.amazonaws.com', addr: 'ssm.eu-west-2.amazonaws.com', span: { start: 31, end: 58 }, wildcard: false },
    ]);
    assert.deepEqual(tls.refused, []);
    assert.deepEqual(tls.diagnostics, []);
    const ssh = protocolOf('discriminat:ssh:sftp.bank1.com');
    assert.equal(ssh.protocol, 'ssh');
    assert.deepEqual(ssh.accepted.map((e) => e.addr), ['sftp.bank1.com']);
    assert.deepEqual(parseAnnotation('discriminat:see-thru:2026-03-31'), {
      annotation: { kind: 'see-thru', date: '2026-03-31', dateSpan: { start: 21, end: 31 } },
      diagnostics: [],
    });
  });

  it('keywords match in any case (D9 #14)', () => {
    const r = protocolOf('DiscrimiNAT:TLS:Api.GitHub.com');
    assert.equal(r.protocol, 'tls');
    assert.deepEqual(r.accepted, [{ raw: 'Api.GitHub.com', addr: 'api.github.com', span: { start: 16, end: 30 }, wildcard: false }]);
    assert.equal(protocolOf('discriminat:Ssh:a.example.com').protocol, 'ssh');
    assert.deepEqual(parseAnnotation('DISCRIMINAT:SEE-THRU:2026-03-31').annotation,
      { kind: 'see-thru', date: '2026-03-31', dateSpan: { start: 21, end: 31 } });
  });

  it('a `-` may stand anywhere in a label, `_` is a label character (D9 #39, D4.2)', () => {
    assert.deepEqual(protocolOf(`${TLS}-a-.example.com,_dmarc.example.com,x-y_z.co.uk`).accepted.map((e) => e.addr),
      ['-a-.example.com', '_dmarc.example.com', 'x-y_z.co.uk']);
  });
});

describe('HS3001: not tls:, ssh: or see-thru: (span: end of prefix to next `:` or end)', () => {
  const cases: [string, number, number][] = [
    ['discriminat:http:a.com', 12, 16],
    ['discriminat: tls:a.com', 12, 16], // D9 #45: no trimming between keywords
    ['discriminat:tls :a.com', 12, 16],
    ['discriminat:tls', 12, 15], // no `:` after the keyword
    ['discriminat:see-thru', 12, 20],
    ['discriminat:', 12, 12],
    ['discriminat::a.com', 12, 12],
    ['discriminat:see_thru:2026-03-31', 12, 20],
    ['discriminat:tlsv1.3:a.com', 12, 19],
  ];
  for (const [d, start, end] of cases) {
    it(JSON.stringify(d), () => {
      const r = parseAnnotation(d);
      assert.deepEqual(r.annotation, { kind: 'invalid' });
      assert.deepEqual(shape(r.diagnostics), [['HS3001', 'error', start, end]]);
      assert.ok(r.diagnostics[0].hint);
    });
  }
});

describe('HS3002: see-thru dates (D4.2; span: the date text)', () => {
  const bad = ['2026-02-30', '2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00',
    '2026-1-32', '26-03-31', '2026-003-01', '2026-03-031', '2026/03/31', '2026-03-31 ', ' 2026-03-31', '2026-03',
    '', '2026-03-31:x', 'tomorrow', '20260331'];
  for (const date of bad) {
    it(`refuses ${JSON.stringify(date)}`, () => {
      const r = parseAnnotation(SEE_THRU + date);
      assert.deepEqual(r.annotation, { kind: 'invalid' });
      assert.deepEqual(shape(r.diagnostics), [['HS3002', 'error', 21, 21 + date.length]]);
    });
  }
  const good: [string, string][] = [
    ['2026-03-31', '2026-03-31'],
    ['2022-1-1', '2022-01-01'], // the 2021 page's own example
    ['2026-3-09', '2026-03-09'],
    ['2026-12-31', '2026-12-31'],
    ['2024-02-29', '2024-02-29'], // leap year
    ['2000-02-29', '2000-02-29'], // divisible by 400
    ['2028-2-29', '2028-02-29'],
  ];
  for (const [date, padded] of good) {
    it(`accepts ${date} as ${padded}`, () => {
      assert.deepEqual(parseAnnotation(SEE_THRU + date), {
        annotation: { kind: 'see-thru', date: padded, dateSpan: { start: 21, end: 21 + date.length } },
        diagnostics: [],
      });
    });
  }
});

it('parseThruDate follows the same rules', () => {
  assert.equal(parseThruDate('2022-1-1'), '2022-01-01');
  assert.equal(parseThruDate('2024-02-29'), '2024-02-29');
  assert.equal(parseThruDate('2026-02-30'), null);
  assert.equal(parseThruDate('2026-03-31 '), null);
});

describe('HS3003: empty addr list (warning, empty span at the end)', () => {
  for (const p of ['tls', 'ssh'] as const) {
    it(p, () => {
      const r = protocolOf(`discriminat:${p}:`);
      assert.equal(r.protocol, p);
      assert.deepEqual([r.accepted, r.refused], [[], []]);
      assert.deepEqual(shape(r.diagnostics), [['HS3003', 'warning', 16, 16]]);
    });
  }
});

describe('HS3010: empty entries (warning, skipped, empty span where the entry is)', () => {
  const cases: [string, [number, number][], string[]][] = [
    [`${TLS}a.com,,b.com`, [[22, 22]], ['a.com', 'b.com']],
    [`${TLS}a.com,`, [[22, 22]], ['a.com']],
    [`${TLS},a.com`, [[16, 16]], ['a.com']],
    [`${TLS},`, [[16, 16], [17, 17]], []],
  ];
  for (const [d, spans, accepted] of cases) {
    it(JSON.stringify(d), () => {
      const r = protocolOf(d);
      assert.deepEqual(shape(r.diagnostics), spans.map(([s, e]) => ['HS3010', 'warning', s, e]));
      assert.deepEqual(r.accepted.map((e) => e.addr), accepted);
      assert.deepEqual(r.refused, []);
    });
  }
});

describe('HS3011: whitespace (D9 #38)', () => {
  it('around an entry: trimmed, warning spanning the entry as written', () => {
    const r = protocolOf(`${TLS} a.com ,b.com`);
    assert.deepEqual(shape(r.diagnostics), [['HS3011', 'warning', 16, 23]]);
    assert.deepEqual(r.accepted, [
      { raw: 'a.com', addr: 'a.com', span: { start: 17, end: 22 }, wildcard: false },
      { raw: 'b.com', addr: 'b.com', span: { start: 24, end: 29 }, wildcard: false },
    ]);
  });
  it('inside an entry: refused (INVALID), error spanning the entry as written', () => {
    const r = protocolOf(`${TLS}a .com,b.com`);
    assert.deepEqual(shape(r.diagnostics), [['HS3011', 'error', 16, 22]]);
    assert.deepEqual(r.refused, [
      { raw: 'a .com', addr: 'a .com', span: { start: 16, end: 22 }, key: 'INVALID', code: 'HS3011', outcome: 'invalid address' },
    ]);
    assert.deepEqual(r.accepted.map((e) => e.addr), ['b.com']);
  });
  it('inside and around: one error, the refused entry trimmed', () => {
    const r = protocolOf(`${TLS} a b ,c.com`);
    assert.deepEqual(shape(r.diagnostics), [['HS3011', 'error', 16, 21]]);
    assert.equal(r.refused[0].raw, 'a b');
    assert.deepEqual(r.refused[0].span, { start: 17, end: 20 });
  });
});

describe('HS3012: not a hostname (D4.3, D9 #39; error, span: the trimmed entry)', () => {
  const a63 = 'a'.repeat(63);
  const name253 = `${a63}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`; // 63*3 + 61 + 3 dots
  const bad = [
    'a!b.com', 'api.github.com/path', 'a:443.com', 'a..com', '.a.com', '.', 'a.com..', 'localhost', 'localhost.',
    `${'a'.repeat(64)}.com`, `${name253.slice(0, -1)}dd`, 'a@b.com', 'a;b.com',
  ];
  for (const e of bad) {
    it(`refuses ${JSON.stringify(e.length > 40 ? `${e.slice(0, 20)}…(${e.length})` : e)}`, () => {
      const r = protocolOf(TLS + e, { checkAwsLimits: false });
      assert.deepEqual(shape(r.diagnostics), [['HS3012', 'error', 16, 16 + e.length]]);
      assert.deepEqual(r.accepted, []);
      assert.equal(r.refused.length, 1);
      assert.deepEqual([r.refused[0].raw, r.refused[0].key, r.refused[0].code, r.refused[0].outcome], [e, 'INVALID', 'HS3012', 'invalid address']);
    });
  }
  it('a non-ASCII letter is outside label-char (and outside AWS\'s set)', () => {
    const r = protocolOf(`${TLS}café.com`);
    assert.deepEqual(shape(r.diagnostics), [['HS3012', 'error', 16, 24], ['HS3020', 'warning', 19, 20]]);
  });
  const good: [string, string][] = [
    [`${a63}.com`, `${a63}.com`],
    [name253, name253],
    [`${name253}.`, name253], // 253 once the trailing dot is gone
    ['a.com.', 'a.com'],
    ['A.B', 'a.b'],
  ];
  for (const [e, addr] of good) {
    it(`accepts ${JSON.stringify(e.length > 40 ? `${e.slice(0, 20)}…(${e.length})` : e)}`, () => {
      const r = protocolOf(TLS + e, { checkAwsLimits: false });
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.accepted.map((x) => x.addr), [addr]);
    });
  }
});

describe('HS3013: IPv4 literals are refused (D9 #16)', () => {
  for (const e of ['140.82.121.6', '140.82.121.6.', '10.0.0.1', '010.000.000.001']) {
    it(e, () => {
      const r = protocolOf(`${TLS}api.github.com,${e}`);
      assert.deepEqual(shape(r.diagnostics), [['HS3013', 'error', 31, 31 + e.length]]);
      assert.deepEqual(r.refused.map((x) => [x.raw, x.key, x.outcome]), [[e, 'INVALID', 'invalid address']]); // X22 (d)
      assert.deepEqual(r.accepted.map((x) => x.addr), ['api.github.com']);
    });
  }
});

describe('wildcard_exposure (D4.7 decision table, G2/G3)', () => {
  type Cell = 'accepted' | ['HS3014' | 'HS3015'] | ['HS3016', string];
  const EXPOSURES: WildcardExposure[] = ['none', 'prohibit_asterisk', 'prohibit_public_suffix', 'nuclear'];
  const TABLE: [string, Cell, Cell, Cell, Cell][] = [
    ['*.github.com', ['HS3014'], ['HS3015'], 'accepted', 'accepted'],
    ['*.github.io', ['HS3014'], ['HS3015'], ['HS3016', 'github.io'], 'accepted'],
    ['*.cloudflare.net', ['HS3014'], ['HS3015'], ['HS3016', 'cloudflare.net'], 'accepted'],
    ['*.com', ['HS3014'], ['HS3015'], ['HS3016', 'com'], 'accepted'],
    ['api.*.example.com', ['HS3014'], ['HS3015'], 'accepted', 'accepted'],
    ['api?.example.com', ['HS3014'], 'accepted', 'accepted', 'accepted'],
    ['*.git?ub.io', ['HS3014'], ['HS3015'], ['HS3016', 'io'], 'accepted'],
    // Beyond the table, from D4.7's text: an empty tail is reported as `*`; D4.7 step 2 names
    // s3.amazonaws.com a suffix; the rightmost `*` label decides the tail.
    ['*.*', ['HS3014'], ['HS3015'], ['HS3016', '*'], 'accepted'],
    ['*.example.*', ['HS3014'], ['HS3015'], ['HS3016', '*'], 'accepted'],
    ['*.s3.amazonaws.com', ['HS3014'], ['HS3015'], ['HS3016', 's3.amazonaws.com'], 'accepted'],
    ['api*.github.io', ['HS3014'], ['HS3015'], ['HS3016', 'github.io'], 'accepted'],
    ['*.example.com', ['HS3014'], ['HS3015'], 'accepted', 'accepted'],
  ];
  const OUTCOME = { HS3014: 'wildcard_exposure none prohibits wildcards', HS3015: 'wildcard_exposure prohibit_asterisk prohibits *' };
  const KEY = { HS3014: 'NO_WILDCARDS', HS3015: 'NO_ASTERISK', HS3016: 'PSL' };
  for (const [addr, ...cells] of TABLE) {
    for (let i = 0; i < EXPOSURES.length; i++) {
      const exposure = EXPOSURES[i];
      const cell = cells[i];
      for (const generation of ['G2', 'G3'] as const) {
        it(`${addr} under ${exposure} (${generation})`, () => {
          const r = protocolOf(TLS + addr, { exposure, generation, checkAwsLimits: false });
          if (cell === 'accepted') {
            assert.deepEqual(r.diagnostics, []);
            assert.deepEqual(r.accepted, [{ raw: addr, addr, span: { start: 16, end: 16 + addr.length }, wildcard: true }]);
            assert.deepEqual(r.refused, []);
            return;
          }
          const code = cell[0];
          assert.deepEqual(shape(r.diagnostics), [[code, 'error', 16, 16 + addr.length]]);
          assert.deepEqual(r.accepted, []);
          const outcome = code === 'HS3016' ? PSL_TEXT(cell[1] as string) : OUTCOME[code];
          assert.deepEqual(r.refused, [{ raw: addr, addr, span: { start: 16, end: 16 + addr.length }, key: KEY[code], code, outcome }]);
          if (code === 'HS3016' && cell[1] !== '*') assert.ok(r.diagnostics[0].hint?.includes(cell[1] as string), 'the hint names the suffix');
        });
      }
    }
  }

  it('the default exposure is prohibit_public_suffix (D5.4)', () => {
    const r = protocolOf(`${TLS}*.github.io,docs.example.com`); // X15
    assert.deepEqual(r.refused.map((x) => [x.raw, x.outcome]), [['*.github.io', PSL_TEXT('github.io')]]);
    assert.deepEqual(r.accepted.map((x) => x.addr), ['docs.example.com']);
    assert.deepEqual(protocolOf(`${TLS}*.github.com`).accepted.map((x) => x.addr), ['*.github.com']);
  });

  it('the PSL check runs on the normalised addr and reports the normalised tail', () => {
    const r = protocolOf(`${TLS}*.GitHub.IO.`);
    assert.deepEqual(r.refused.map((x) => [x.raw, x.addr, x.outcome]), [['*.GitHub.IO.', '*.github.io', PSL_TEXT('github.io')]]);
  });

  it('publicSuffixTail (D4.7 steps 1-2)', () => {
    assert.deepEqual(publicSuffixTail('*.github.com'), { tail: 'github.com', isPublicSuffix: false });
    assert.deepEqual(publicSuffixTail('*.github.io'), { tail: 'github.io', isPublicSuffix: true });
    assert.deepEqual(publicSuffixTail('*.cloudflare.net'), { tail: 'cloudflare.net', isPublicSuffix: true });
    assert.deepEqual(publicSuffixTail('*.com'), { tail: 'com', isPublicSuffix: true });
    assert.deepEqual(publicSuffixTail('api.*.example.com'), { tail: 'example.com', isPublicSuffix: false });
    assert.deepEqual(publicSuffixTail('*.git?ub.io'), { tail: 'io', isPublicSuffix: true });
    assert.deepEqual(publicSuffixTail('*.*'), { tail: '', isPublicSuffix: true });
    assert.deepEqual(publicSuffixTail('a.*.b?.example.com'), { tail: 'example.com', isPublicSuffix: false });
    assert.deepEqual(publicSuffixTail('*.s3.amazonaws.com'), { tail: 's3.amazonaws.com', isPublicSuffix: true });
  });

  it('names the tldts version (for --version)', () => {
    assert.equal(TLDTS_VERSION, '7.5.5');
  });
});

describe('G1: wildcards are invalid characters (D4.6, D9 #41, D9 #50)', () => {
  for (const exposure of ['none', 'prohibit_asterisk', 'prohibit_public_suffix', 'nuclear'] as const) {
    for (const addr of ['*.github.com', 'api?.example.com', '*.github.io']) {
      it(`${addr} under ${exposure}`, () => {
        const r = protocolOf(TLS + addr, { generation: 'G1', exposure, checkAwsLimits: false });
        assert.deepEqual(shape(r.diagnostics), [['HS3012', 'error', 16, 16 + addr.length]]);
        assert.deepEqual(r.refused.map((x) => [x.key, x.outcome]), [['INVALID', 'invalid address']]);
      });
    }
  }
  it('plain names are accepted in G1', () => {
    const r = protocolOf(`${TLS}api.github.com`, { generation: 'G1' });
    assert.deepEqual([r.diagnostics, r.accepted.map((x) => x.addr)], [[], ['api.github.com']]);
  });
});

describe('normalisation and de-duplication (D4.4)', () => {
  it('X14: case and duplicates', () => {
    const r = protocolOf(`${TLS}API.GitHub.com,ec2.eu-west-2.amazonaws.com,api.github.com`);
    assert.deepEqual(r.accepted, [
      { raw: 'API.GitHub.com', addr: 'api.github.com', span: { start: 16, end: 30 }, wildcard: false },
      { raw: 'ec2.eu-west-2.amazonaws.com', addr: 'ec2.eu-west-2.amazonaws.com', span: { start: 31, end: 58 }, wildcard: false },
    ]);
    assert.deepEqual(r.diagnostics, []);
  });
  it('one trailing dot is dropped before comparing', () => {
    const r = protocolOf(`${TLS}a.com.,A.COM,b.com,a.com`);
    assert.deepEqual(r.accepted.map((x) => [x.raw, x.addr]), [['a.com.', 'a.com'], ['b.com', 'b.com']]);
  });
  it('refused entries are all kept, each with its span', () => {
    const r = protocolOf(`${TLS}1.2.3.4,1.2.3.4`);
    assert.deepEqual(r.refused.map((x) => x.span), [{ start: 16, end: 23 }, { start: 24, end: 31 }]);
  });
  it('normaliseAddr: ASCII lower-case, one trailing dot', () => {
    assert.equal(normaliseAddr('Api.GitHub.COM.'), 'api.github.com');
    assert.equal(normaliseAddr('a.com..'), 'a.com.');
    assert.equal(normaliseAddr('*.GitHub.io'), '*.github.io');
    assert.equal(normaliseAddr('\u212A.com'), '\u212A.com'); // KELVIN SIGN is not folded to `k`
  });
});

describe('wildcard matching (D4.6)', () => {
  const cases: [string, string, boolean][] = [
    ['*.github.com', 'api.github.com', true],
    ['*.github.com', 'a.b.github.com', false],
    ['*.github.com', 'github.com', false],
    ['*.github.com', 'api.github.com.evil.com', false],
    ['*.github.com', 'apigithub.com', false],
    ['api*.example.com', 'api.example.com', true], // `*` matches zero characters (D9 #17)
    ['api*.example.com', 'api-eu.example.com', true],
    ['api*.example.com', 'xapi.example.com', false],
    ['api?.example.com', 'api1.example.com', true],
    ['api?.example.com', 'api.example.com', false],
    ['api?.example.com', 'api12.example.com', false],
    ['api.*.example.com', 'api.eu.example.com', true],
    ['api.*.example.com', 'api.eu.west.example.com', false],
    ['a*b*c.com', 'abc.com', true],
    ['a*b*c.com', 'axxbyyc.com', true],
    ['a*b*c.com', 'acb.com', false],
    ['a*b*c.com', 'abcbc.com', true],
    ['*a*a*a.com', 'aaaa.com', true],
    ['*a*a*a.com', 'aaba.com', true],
    ['*a*a*a.com', 'aab.com', false],
    ['?*?.com', 'ab.com', true],
    ['?*?.com', 'a.com', false],
    ['*.*', 'a.b', true],
    ['*.*', 'a', false],
    ['*.*', 'a.b.c', false],
    ['*.*', '.b', true], // zero-length `*`
    ['api.github.com', 'api.github.com', true],
    ['api.github.com', 'api.github.co', false],
    ['api.github.com', 'www.api.github.com', false],
  ];
  for (const [addr, host, expected] of cases) {
    it(`${addr} ${expected ? 'matches' : 'does not match'} ${host}`, () => {
      assert.equal(compileAddrMatcher(addr)(host), expected);
    });
  }

  it('agrees with the regular expression of D4.6 (property)', () => {
    // The oracle is the spec's own definition, built here: `*` -> [^.]*, `?` -> [^.], else literal.
    const oracle = (addr: string): RegExp =>
      new RegExp(`^${[...addr].map((c) => (c === '*' ? '[^.]*' : c === '?' ? '[^.]' : c.replace(/[.\\^$+()[\]{}|-]/g, '\\$&'))).join('')}$`);
    const addrArb = fc.string({ unit: fc.constantFrom('a', 'b', '.', '*', '?', '-'), maxLength: 10 });
    const hostArb = fc.string({ unit: fc.constantFrom('a', 'b', '.', '-'), maxLength: 12 });
    holds('matcher vs regex', fc.property(addrArb, fc.array(hostArb, { maxLength: 8 }), (addr, hosts) => {
      const m = compileAddrMatcher(addr);
      const re = oracle(addr);
      for (const h of hosts) assert.equal(m(h), re.test(h), `${addr} vs ${h}`);
      // also a host built from the addr, so that matches are common
      const built = addr.replace(/\*/g, 'ab').replace(/\?/g, 'b');
      assert.equal(m(built), re.test(built), `${addr} vs ${built}`);
    }), 3000);
  });
});

describe('HS3020: AWS limits (D4.5)', () => {
  it('length over 255: one warning spanning [255, length)', () => {
    assert.deepEqual(shape(parseAnnotation('x'.repeat(256)).diagnostics), [['HS3020', 'warning', 255, 256]]);
    assert.deepEqual(shape(parseAnnotation('x'.repeat(300)).diagnostics), [['HS3020', 'warning', 255, 300]]);
    assert.deepEqual(parseAnnotation('x'.repeat(255)).diagnostics, []);
  });

  it('an annotation over 255 characters is still read', () => {
    const names = Array.from({ length: 20 }, (_, i) => `host${String(i).padStart(2, '0')}.example.com`); // 18 chars each
    const d = TLS + names.join(','); // 16 + 20*18 + 19 = 395
    const r = protocolOf(d);
    assert.equal(r.accepted.length, 20);
    assert.deepEqual(shape(r.diagnostics), [['HS3020', 'warning', 255, 395]]);
  });

  it('`?` is not in the set: the wildcard is honoured and flagged', () => {
    const r = protocolOf(`${TLS}api?.example.com`);
    assert.deepEqual(r.accepted.map((x) => x.addr), ['api?.example.com']);
    assert.deepEqual(shape(r.diagnostics), [['HS3020', 'warning', 19, 20]]);
  });

  it('every character of the IpRange set is allowed', () => {
    const all = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-:/()#,@[]+=&;{}!$*';
    for (const target of ['cidr', 'cidrIpv6'] as const) assert.deepEqual(parseAnnotation(all, { target }).diagnostics, []);
  });

  it('`&` is allowed on range rules only', () => {
    const d = 'R&D egress';
    assert.deepEqual(parseAnnotation(d).diagnostics, []);
    assert.deepEqual(parseAnnotation(d, { target: 'cidrIpv6' }).diagnostics, []);
    for (const target of ['groupId', 'prefixListId'] as const) {
      const r = parseAnnotation(d, { target });
      assert.deepEqual(r.annotation, { kind: 'none' });
      assert.deepEqual(shape(r.diagnostics), [['HS3020', 'warning', 1, 2]]);
    }
  });

  it('each other character outside the set is flagged (surrogate pairs as one)', () => {
    for (const c of ['?', "'", '"', '%', '^', '~', '|', '\\', '<', '>', '`', '\t', '\n', 'é', '\u00a0']) {
      assert.deepEqual(shape(parseAnnotation(`a${c}b`).diagnostics), [['HS3020', 'warning', 1, 2]], JSON.stringify(c));
    }
    assert.deepEqual(shape(parseAnnotation('a\u{1F600}b').diagnostics), [['HS3020', 'warning', 1, 3]]);
    assert.deepEqual(shape(parseAnnotation('a??').diagnostics), [['HS3020', 'warning', 1, 2], ['HS3020', 'warning', 2, 3]]);
  });

  it('checkAwsLimits: false turns it off', () => {
    assert.deepEqual(parseAnnotation(`${TLS}api?.example.com`, { checkAwsLimits: false }).diagnostics, []);
    assert.deepEqual(parseAnnotation('y'.repeat(400), { checkAwsLimits: false }).diagnostics, []);
  });

  it('runs after the annotation steps, on invalid annotations too', () => {
    const r = parseAnnotation('discriminat:tls?:a.com');
    assert.deepEqual(shape(r.diagnostics), [['HS3001', 'error', 12, 16], ['HS3020', 'warning', 15, 16]]);
  });
});

describe('printing (D4.4a)', () => {
  it('canonical text: lower-case keyword, normalised de-duplicated accepted entries, no refused ones', () => {
    const a = parseAnnotation('DISCRIMINAT:TLS:A.com, b.com,1.2.3.4,a.com.,,Sub.*.Example.org').annotation;
    assert.equal(printAnnotation(a), 'discriminat:tls:a.com,b.com,sub.*.example.org');
    assert.equal(printAnnotation(parseAnnotation('discriminat:SSH:Sftp.Bank1.com').annotation), 'discriminat:ssh:sftp.bank1.com');
  });
  it('see-thru dates are zero-padded', () => {
    assert.equal(printAnnotation(parseAnnotation('discriminat:See-Thru:2022-1-1').annotation), 'discriminat:see-thru:2022-01-01');
  });
  it('none and invalid print as null', () => {
    assert.equal(printAnnotation({ kind: 'none' }), null);
    assert.equal(printAnnotation({ kind: 'invalid' }), null);
  });

  const host79 = (i: number) => `${String.fromCharCode(97 + i).repeat(37)}.${'x'.repeat(37)}.com`; // 79 characters
  it('greedy split: 16 + 79 + 80 + 80 = 255, so three entries per description', () => {
    const addrs = Array.from({ length: 7 }, (_, i) => host79(i));
    const { descriptions, diagnostics } = printAnnotations('tls', addrs);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(descriptions, [
      `${TLS}${addrs[0]},${addrs[1]},${addrs[2]}`,
      `${TLS}${addrs[3]},${addrs[4]},${addrs[5]}`,
      `${TLS}${addrs[6]}`,
    ]);
    assert.deepEqual(addrs.map((a) => a.length), [79, 79, 79, 79, 79, 79, 79]);
    assert.deepEqual(descriptions.map((d) => d.length), [255, 255, 95]);
  });
  it('one character more per entry: two per description', () => {
    const addrs = Array.from({ length: 3 }, (_, i) => `${String.fromCharCode(97 + i).repeat(38)}.${'x'.repeat(37)}.com`); // 80
    assert.deepEqual(printAnnotations('ssh', addrs).descriptions, [
      `discriminat:ssh:${addrs[0]},${addrs[1]}`,
      `discriminat:ssh:${addrs[2]}`,
    ]);
  });
  it('entries are normalised and de-duplicated first', () => {
    assert.deepEqual(printAnnotations('tls', ['A.com', 'a.com.', 'b.com', 'A.COM']),
      { descriptions: ['discriminat:tls:a.com,b.com'], diagnostics: [] });
    assert.deepEqual(printAnnotations('tls', []), { descriptions: [], diagnostics: [] });
  });
  const long = (n: number) => `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(n - 196)}.com`;
  it('an entry of 239 characters fills a description', () => {
    const e = long(239);
    assert.equal(e.length, 239);
    const { descriptions, diagnostics } = printAnnotations('tls', [e]);
    assert.deepEqual([descriptions, diagnostics], [[TLS + e], []]);
    assert.equal(descriptions[0].length, 255);
  });
  it('an entry of 240 characters cannot be printed: HS3020 (span into the comma-joined list)', () => {
    const e = long(240);
    assert.equal(e.length, 240);
    const { descriptions, diagnostics } = printAnnotations('tls', ['a.com', e, 'b.com']);
    assert.deepEqual(descriptions, ['discriminat:tls:a.com,b.com']);
    assert.deepEqual(shape(diagnostics), [['HS3020', 'warning', 6, 246]]);
  });
  it('entries that are not hostnames are left out with their diagnostic', () => {
    const { descriptions, diagnostics } = printAnnotations('tls', ['a.com', 'localhost', '1.2.3.4', '', 'x,y.com']);
    assert.deepEqual(descriptions, ['discriminat:tls:a.com']);
    // joined: "a.com,localhost,1.2.3.4,,x,y.com"
    assert.deepEqual(shape(diagnostics), [
      ['HS3012', 'error', 6, 15], ['HS3013', 'error', 16, 23], ['HS3010', 'warning', 24, 24], ['HS3012', 'error', 25, 32],
    ]);
  });

  it('print then parse gives back the same entries (property)', () => {
    const labelArb = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_*?'), minLength: 1, maxLength: 20 });
    const addrArb = fc.tuple(fc.array(labelArb, { minLength: 2, maxLength: 6 }), fc.boolean())
      .map(([labels, dot]) => labels.join('.') + (dot ? '.' : ''))
      .filter((a) => a.replace(/\.$/, '').length <= 239 && !/^[0-9]{1,3}(\.[0-9]{1,3}){3}\.?$/.test(a));
    holds('round trip', fc.property(fc.constantFrom('tls', 'ssh'), fc.array(addrArb, { maxLength: 40 }), (protocol, addrs) => {
      // Expected, from D4.4: lower-case, one trailing dot dropped, first appearance kept.
      const expected: string[] = [];
      for (const a of addrs) {
        const n = a.toLowerCase().replace(/\.$/, '');
        if (!expected.includes(n)) expected.push(n);
      }
      const { descriptions, diagnostics } = printAnnotations(protocol, addrs);
      assert.deepEqual(diagnostics, []);
      const got: string[] = [];
      for (let i = 0; i < descriptions.length; i++) {
        const d = descriptions[i];
        assert.ok(d.length <= 255 && d.startsWith(`discriminat:${protocol}:`), d);
        const r = parseAnnotation(d, { exposure: 'nuclear' });
        assert.ok(r.diagnostics.every((x) => x.code === 'HS3020' && x.severity === 'warning'), JSON.stringify(r.diagnostics));
        assert.ok(r.annotation.kind === 'protocol' && r.annotation.refused.length === 0);
        const entries = r.annotation.accepted.map((e) => e.addr);
        assert.equal(printAnnotation(r.annotation), d, 'printing a printed annotation changes nothing');
        // greedy: the next description's first entry would not have fitted
        const next = descriptions[i + 1];
        if (next !== undefined) assert.ok(d.length + 1 + next.slice(16).split(',')[0].length > 255);
        got.push(...entries);
      }
      assert.deepEqual(got, expected);
    }), 500);
  });
});
