// Config lines from estate changes (spec D7). The D8 examples X13-X16 and X22(d) are the core:
// expected lines are copied from the spec text. The other cases follow the D7 rules written
// out by hand: row order (removals before acceptances), sorting within a row, refused-addr
// lines, exposure changes, `%default`, G1 and the G3 `instance`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configLines, estateConfigLines, toJsonLine } from '../../src/discriminat/decision.js';
import { estateFromTexts, type EstateView } from '../../src/discriminat/estate.js';
import type { Generation } from '../../src/discriminat/annotations.js';

const INSTANCE = 'i-0f1e2d3c4b5a69788';
/** D8: lines omit the instance, "last in config lines". */
const g3 = (line: string): string => line.replace(/}$/, `,"instance":"${INSTANCE}"}`);

type Json = Record<string, unknown>;
const tcp443 = (description: string, cidr = '0.0.0.0/0'): Json => ({ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidr, description });

function e0(): { groups: Json[]; interfaces: Json[]; preferences?: Json } {
  return {
    groups: [
      { gid: 'sg-0aaa1111', egress: [tcp443('discriminat:tls:api.github.com,ssm.eu-west-2.amazonaws.com')] },
      { gid: 'sg-0bbb2222', egress: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0', description: 'discriminat:ssh:sftp.bank1.com' }] },
      { gid: 'sg-0ccc3333', egress: [{ ipProtocol: '-1', cidr: '0.0.0.0/0', description: 'discriminat:see-thru:2026-03-31' }] },
      { gid: 'sg-0ddd4444', egress: [tcp443('discriminat:tls:*.github.com')] },
    ],
    interfaces: [
      { eni: 'eni-1', addresses: ['10.10.1.5'], groups: ['sg-0aaa1111', 'sg-0bbb2222'] },
      { eni: 'eni-2', addresses: ['10.10.1.9'], groups: ['sg-0aaa1111', 'sg-0ccc3333'] },
      { eni: 'eni-3', addresses: ['10.10.1.7'], groups: ['sg-0ddd4444'] },
    ],
  };
}

function view(doc: Json): EstateView {
  const { estate, diagnostics } = estateFromTexts([{ file: 'estate.json', text: JSON.stringify(doc) }]);
  assert.deepEqual(diagnostics.filter((d) => d.code.startsWith('HS32')).map((d) => d.message), []);
  assert.equal(estate.views.length, 1);
  return estate.views[0]!;
}

const diff = (a: Json | null, b: Json, generation: Generation = 'G2'): string[] =>
  configLines(a === null ? null : view(a), view(b), { generation, instance: INSTANCE }).map(toJsonLine);

/** A change to E0, applied to a fresh copy. */
function e0With(change: (d: ReturnType<typeof e0>) => void): Json {
  const d = e0();
  change(d);
  return d as unknown as Json;
}

const X13 = [
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
];

describe('D8 worked examples (config lines)', () => {
  it('X13 start-up lines for E0 (G2 shape)', () => {
    assert.deepEqual(diff(null, e0() as unknown as Json), X13);
  });

  it('X13 in G1: no *.github.com fqdn line and no 10.10.1.7 client line', () => {
    assert.deepEqual(
      diff(null, e0() as unknown as Json, 'G1'),
      X13.filter((l) => !l.includes('*.github.com') && !l.includes('10.10.1.7')),
    );
  });

  it('X13 in G3: instance last on every line', () => {
    assert.deepEqual(diff(null, e0() as unknown as Json, 'G3'), X13.map(g3));
  });

  it('X14 rule edit: ssm removed, ec2 accepted, api unchanged', () => {
    const edited = e0With((d) => {
      d.groups[0]!.egress = [tcp443('discriminat:tls:API.GitHub.com,ec2.eu-west-2.amazonaws.com,api.github.com')];
    });
    assert.deepEqual(diff(e0() as unknown as Json, edited, 'G3'), [
      g3('{"cat":"fqdn","outcome":"removed","gid":"sg-0aaa1111","fqdn":"ssm.eu-west-2.amazonaws.com","proto":"tls"}'),
      g3('{"cat":"fqdn","outcome":"accepted","gid":"sg-0aaa1111","fqdn":"ec2.eu-west-2.amazonaws.com","proto":"tls"}'),
    ]);
  });

  const addFff = (d: ReturnType<typeof e0>): void => {
    d.groups.push({ gid: 'sg-0fff6666', egress: [tcp443('discriminat:tls:*.github.io,docs.example.com')] });
    d.interfaces[2]!.groups = ['sg-0ddd4444', 'sg-0fff6666'];
  };

  it('X15 public-suffix refusal', () => {
    assert.deepEqual(diff(e0() as unknown as Json, e0With(addFff)), [
      '{"cat":"fqdn","outcome":"accepted","gid":"sg-0fff6666","fqdn":"docs.example.com","proto":"tls"}',
      '{"addr":"*.github.io","cat":"addr","outcome":"publicsuffix[.]org list matched with `github.io`"}',
      '{"cat":"client","outcome":"accepted","client":"10.10.1.7","gid":"sg-0fff6666"}',
    ]);
  });

  it('X15 with nuclear in both views: the wildcard comes first, no refusal', () => {
    const nuclear = { '%default': { wildcard_exposure: 'nuclear' } };
    const before = e0With((d) => (d.preferences = nuclear));
    const after = e0With((d) => {
      d.preferences = nuclear;
      addFff(d);
    });
    assert.deepEqual(diff(before, after), [
      '{"cat":"fqdn","outcome":"accepted","gid":"sg-0fff6666","fqdn":"*.github.io","proto":"tls"}',
      '{"cat":"fqdn","outcome":"accepted","gid":"sg-0fff6666","fqdn":"docs.example.com","proto":"tls"}',
      '{"cat":"client","outcome":"accepted","client":"10.10.1.7","gid":"sg-0fff6666"}',
    ]);
  });

  it('X15 with prohibit_asterisk in both views: NO_ASTERISK text; *.github.com was already refused', () => {
    const pa = { '%default': { wildcard_exposure: 'prohibit_asterisk' } };
    const before = e0With((d) => (d.preferences = pa));
    const after = e0With((d) => {
      d.preferences = pa;
      addFff(d);
    });
    assert.deepEqual(diff(before, after), [
      '{"cat":"fqdn","outcome":"accepted","gid":"sg-0fff6666","fqdn":"docs.example.com","proto":"tls"}',
      '{"addr":"*.github.io","cat":"addr","outcome":"wildcard_exposure prohibit_asterisk prohibits *"}',
      '{"cat":"client","outcome":"accepted","client":"10.10.1.7","gid":"sg-0fff6666"}',
    ]);
  });

  it('X16 detach, then the see-thru date moves on a group attached to nobody', () => {
    const detached = e0With((d) => (d.interfaces[1]!.groups = ['sg-0aaa1111']));
    assert.deepEqual(diff(e0() as unknown as Json, detached), ['{"cat":"client","outcome":"removed","client":"10.10.1.9","gid":"sg-0ccc3333"}']);
    const moved = e0With((d) => {
      d.interfaces[1]!.groups = ['sg-0aaa1111'];
      d.groups[2]!.egress = [{ ipProtocol: '-1', cidr: '0.0.0.0/0', description: 'discriminat:see-thru:2026-06-30' }];
    });
    assert.deepEqual(diff(detached, moved), [
      '{"cat":"see-thru","outcome":"removed","gid":"sg-0ccc3333","thru_date":"2026-03-31"}',
      '{"cat":"see-thru","outcome":"accepted","gid":"sg-0ccc3333","thru_date":"2026-06-30"}',
    ]);
  });

  it('X22(d) an IP as an allowlist entry: only the addr line', () => {
    const withIp = e0With((d) => {
      d.groups[0]!.egress = [tcp443('discriminat:tls:api.github.com,ssm.eu-west-2.amazonaws.com,140.82.121.6')];
    });
    assert.deepEqual(diff(e0() as unknown as Json, withIp), ['{"addr":"140.82.121.6","cat":"addr","outcome":"invalid address"}']);
  });
});

describe('D7 rules', () => {
  it('removals come before acceptances, rows in table order, sorted by gid then key', () => {
    const before = {
      groups: [
        { gid: 'sg-0b000000', egress: [tcp443('discriminat:tls:old.example.com,z.example.com')] },
        { gid: 'sg-0a000000', egress: [tcp443('discriminat:tls:gone.example.com'), { ipProtocol: '-1', cidr: '0.0.0.0/0', description: 'discriminat:see-thru:2026-04-01' }] },
      ],
      interfaces: [
        { eni: 'eni-1', addresses: ['10.0.0.10', '10.0.0.9'], groups: ['sg-0b000000', 'sg-0a000000'] },
      ],
    };
    const after = {
      preferences: { '%default': { see_thru: '2026-05-01' } },
      groups: [
        { gid: 'sg-0b000000', egress: [tcp443('discriminat:tls:z.example.com,new.example.com,a b.example.com'), { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0', description: 'discriminat:ssh:new.example.com' }] },
        { gid: 'sg-0c000000', egress: [tcp443('discriminat:tls:c.example.com')] },
      ],
      interfaces: [
        { eni: 'eni-1', addresses: ['10.0.0.10', '10.0.0.9'], groups: ['sg-0b000000', 'sg-0c000000'] },
        { eni: 'eni-2', addresses: ['10.0.0.100'], groups: ['sg-0c000000'] },
      ],
    };
    assert.deepEqual(diff(before, after), [
      '{"cat":"fqdn","outcome":"removed","gid":"sg-0a000000","fqdn":"gone.example.com","proto":"tls"}',
      '{"cat":"fqdn","outcome":"removed","gid":"sg-0b000000","fqdn":"old.example.com","proto":"tls"}',
      '{"cat":"client","outcome":"removed","client":"10.0.0.9","gid":"sg-0a000000"}',
      '{"cat":"client","outcome":"removed","client":"10.0.0.10","gid":"sg-0a000000"}',
      '{"cat":"see-thru","outcome":"removed","gid":"sg-0a000000","thru_date":"2026-04-01"}',
      '{"cat":"see-thru","outcome":"accepted","gid":"%default","thru_date":"2026-05-01"}',
      '{"cat":"fqdn","outcome":"accepted","gid":"sg-0b000000","fqdn":"new.example.com","proto":"ssh"}',
      '{"cat":"fqdn","outcome":"accepted","gid":"sg-0b000000","fqdn":"new.example.com","proto":"tls"}',
      '{"cat":"fqdn","outcome":"accepted","gid":"sg-0c000000","fqdn":"c.example.com","proto":"tls"}',
      '{"addr":"a b.example.com","cat":"addr","outcome":"invalid address"}',
      '{"cat":"client","outcome":"accepted","client":"10.0.0.9","gid":"sg-0c000000"}',
      '{"cat":"client","outcome":"accepted","client":"10.0.0.10","gid":"sg-0c000000"}',
      '{"cat":"client","outcome":"accepted","client":"10.0.0.100","gid":"sg-0c000000"}',
    ]);
  });

  it('a wildcard_exposure change re-judges every addr', () => {
    const none = e0With((d) => (d.preferences = { '%default': { wildcard_exposure: 'none' } }));
    // *.github.com becomes refused: fqdn removed, and sg-0ddd4444 loses its last annotation.
    assert.deepEqual(diff(e0() as unknown as Json, none), [
      '{"cat":"fqdn","outcome":"removed","gid":"sg-0ddd4444","fqdn":"*.github.com","proto":"tls"}',
      '{"cat":"client","outcome":"removed","client":"10.10.1.7","gid":"sg-0ddd4444"}',
      '{"addr":"*.github.com","cat":"addr","outcome":"wildcard_exposure none prohibits wildcards"}',
    ]);
    assert.deepEqual(diff(none, e0() as unknown as Json), [
      '{"cat":"fqdn","outcome":"accepted","gid":"sg-0ddd4444","fqdn":"*.github.com","proto":"tls"}',
      '{"cat":"client","outcome":"accepted","client":"10.10.1.7","gid":"sg-0ddd4444"}',
    ]);
  });

  it('a refused addr writes one line per group, by its first spelling, and nothing while it stays refused', () => {
    const doc = {
      groups: [
        { gid: 'sg-0b000000', egress: [tcp443('discriminat:tls: *.COM ,*.com'), { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0', description: 'discriminat:ssh:*.com,ok.example.com' }] },
        { gid: 'sg-0a000000', egress: [tcp443('discriminat:tls:*.com')] },
      ],
      interfaces: [],
    };
    assert.deepEqual(diff(null, doc), [
      '{"cat":"fqdn","outcome":"accepted","gid":"sg-0b000000","fqdn":"ok.example.com","proto":"ssh"}',
      '{"addr":"*.com","cat":"addr","outcome":"publicsuffix[.]org list matched with `com`"}',
      '{"addr":"*.COM","cat":"addr","outcome":"publicsuffix[.]org list matched with `com`"}',
    ]);
    assert.deepEqual(diff(doc, doc), []);
    assert.deepEqual(diff(null, doc, 'G1').filter((l) => l.includes('"addr"')), [], 'G1 writes no addr lines');
  });

  it('an addr that moves between rules of a group writes nothing; a group attached to nobody is still diffed', () => {
    const a = { groups: [{ gid: 'sg-0a000000', egress: [tcp443('discriminat:tls:x.example.com')] }], interfaces: [] };
    const b = { groups: [{ gid: 'sg-0a000000', egress: [tcp443('other'), tcp443('discriminat:tls:x.example.com', '0.0.0.0/1')] }], interfaces: [] };
    assert.deepEqual(diff(a, b), []);
    assert.deepEqual(diff(null, a), ['{"cat":"fqdn","outcome":"accepted","gid":"sg-0a000000","fqdn":"x.example.com","proto":"tls"}']);
    assert.deepEqual(diff(a, { groups: [], interfaces: [] }), ['{"cat":"fqdn","outcome":"removed","gid":"sg-0a000000","fqdn":"x.example.com","proto":"tls"}']);
  });

  it('%default see-thru lines, and none in G1; G3 puts instance last on addr lines too', () => {
    const a = { groups: [], interfaces: [], preferences: { '%default': { see_thru: '2026-04-10' } } };
    const b = { groups: [{ gid: 'sg-0a000000', egress: [tcp443('discriminat:tls:*.github.io')] }], interfaces: [], preferences: { '%default': { see_thru: null } } };
    assert.deepEqual(diff(null, a), ['{"cat":"see-thru","outcome":"accepted","gid":"%default","thru_date":"2026-04-10"}']);
    assert.deepEqual(diff(null, a, 'G1'), []);
    assert.deepEqual(diff(a, b, 'G3'), [
      g3('{"cat":"see-thru","outcome":"removed","gid":"%default","thru_date":"2026-04-10"}'),
      g3('{"addr":"*.github.io","cat":"addr","outcome":"publicsuffix[.]org list matched with `github.io`"}'),
    ]);
  });

  it('a see-thru passing its date writes nothing; estateConfigLines walks the views', () => {
    const { estate } = estateFromTexts([{
      file: 'views.yaml',
      text: [
        'firewall: { instance: i-0f1e2d3c4b5a69788 }',
        'groups:',
        '  - gid: sg-0a000000',
        '    egress: [{ ipProtocol: "-1", cidr: 0.0.0.0/0, description: "discriminat:see-thru:2026-03-31" }]',
        'interfaces: []',
        'views:',
        '  - at: 2026-04-02T00:00:00Z',
        '    interfaces: [{ eni: eni-1, addresses: [10.0.0.1], groups: [sg-0a000000] }]',
        '  - at: 2026-04-03T00:00:00Z',
        '    preferences: { "%default": { see_thru: 2026-4-9 } }',
      ].join('\n'),
    }]);
    assert.deepEqual(estateConfigLines(estate).map(({ at, line }) => `${new Date(at).toISOString()} ${toJsonLine(line)}`), [
      `1970-01-01T00:00:00.000Z ${g3('{"cat":"see-thru","outcome":"accepted","gid":"sg-0a000000","thru_date":"2026-03-31"}')}`,
      `2026-04-02T00:00:00.000Z ${g3('{"cat":"client","outcome":"accepted","client":"10.0.0.1","gid":"sg-0a000000"}')}`,
      `2026-04-03T00:00:00.000Z ${g3('{"cat":"see-thru","outcome":"accepted","gid":"%default","thru_date":"2026-04-09"}')}`,
    ]);
  });
});
