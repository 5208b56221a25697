// The estate (spec D5): the committed `aws ec2 describe-*` fixtures read into groups, rules and
// clients (expected values computed here by plain loops over the parsed JSON); the native JSON
// and YAML shapes; views over time; and the HS32xx / HS3021 / HS3022 diagnostics with their
// spans and JSON paths.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decide, toJsonLine } from '../../src/discriminat/decision.js';
import {
  analyseView,
  canonicalCidr,
  estateFromTexts,
  loadEstate,
  viewIndexAt,
  type Estate,
  type EstateDiagnostic,
  type SecurityGroup,
} from '../../src/discriminat/estate.js';
import { repoRoot } from '../paths.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'aws');
const SG_FILE = join(fixtures, 'describe-security-groups.json');
const ENI_FILE = join(fixtures, 'describe-network-interfaces.json');

interface AwsRange { CidrIp?: string; CidrIpv6?: string; PrefixListId?: string; GroupId?: string; Description?: string }
interface AwsPermission { IpProtocol: string; FromPort?: number; ToPort?: number; IpRanges?: AwsRange[]; Ipv6Ranges?: AwsRange[]; PrefixListIds?: AwsRange[]; UserIdGroupPairs?: AwsRange[] }
interface AwsGroup { GroupId: string; GroupName: string; IpPermissionsEgress: AwsPermission[]; IpPermissions: AwsPermission[] }
interface AwsInterface { NetworkInterfaceId: string; PrivateIpAddresses: { PrivateIpAddress: string }[]; Groups: { GroupId: string }[] }

const sgJson = JSON.parse(readFileSync(SG_FILE, 'utf8')) as { SecurityGroups: AwsGroup[] };
const eniJson = JSON.parse(readFileSync(ENI_FILE, 'utf8')) as { NetworkInterfaces: AwsInterface[] };

const TODAY = Date.parse('2026-03-29T12:00:00Z');
const codes = (ds: readonly EstateDiagnostic[]): string[] => ds.map((d) => `${d.code} ${d.severity} ${d.path}`);

/** The plain fields of a group, without where it was read. */
function plain(g: SecurityGroup): unknown {
  return {
    gid: g.gid,
    name: g.name,
    egress: g.egress.map((r) => ({ ipProtocol: r.ipProtocol, fromPort: r.fromPort, toPort: r.toPort, target: r.target, destination: r.destination, description: r.description })),
  };
}

describe('aws ec2 describe-security-groups + describe-network-interfaces', async () => {
  const { estate, diagnostics, files } = await loadEstate([SG_FILE, ENI_FILE], { instance: 'i-0f1e2d3c4b5a69788' });
  const view = estate.views[0]!;

  it('recognises both files; the only finding is the group the interfaces name but the output lacks', () => {
    assert.deepEqual(files.map((f) => f.kind), ['describe-security-groups', 'describe-network-interfaces']);
    assert.deepEqual(codes(diagnostics), ['HS3203 warning $.NetworkInterfaces[2].Groups[1].GroupId']);
    const d = diagnostics[0]!;
    assert.equal(d.source.slice(d.span.start, d.span.end), '"sg-0999888877776666f"');
    assert.match(diagnostics[0]!.message, /sg-0999888877776666f/);
    assert.equal(estate.views.length, 1);
    assert.equal(estate.firewall.instance, 'i-0f1e2d3c4b5a69788');
  });

  it('reads every egress rule of every group, of all four kinds, and no inbound rule', () => {
    const expected = sgJson.SecurityGroups.map((g) => {
      const egress: unknown[] = [];
      for (const p of g.IpPermissionsEgress) {
        const ports = p.IpProtocol === '-1' ? {} : { fromPort: p.FromPort, toPort: p.ToPort };
        const kinds: [AwsRange[] | undefined, string, keyof AwsRange][] = [
          [p.IpRanges, 'cidr', 'CidrIp'], [p.Ipv6Ranges, 'cidrIpv6', 'CidrIpv6'], [p.PrefixListIds, 'prefixListId', 'PrefixListId'], [p.UserIdGroupPairs, 'groupId', 'GroupId'],
        ];
        for (const [list, target, key] of kinds) {
          for (const r of list ?? []) {
            egress.push({ ipProtocol: p.IpProtocol, fromPort: undefined, toPort: undefined, ...ports, target, destination: r[key], description: r.Description });
          }
        }
      }
      return { gid: g.GroupId, name: g.GroupName, egress };
    });
    assert.deepEqual(view.groups.map(plain), expected);
    const inbound = new Set(sgJson.SecurityGroups.flatMap((g) => g.IpPermissions.flatMap((p) => (p.UserIdGroupPairs ?? []).map((u) => u.Description))));
    for (const g of view.groups) for (const r of g.egress) assert.ok(!inbound.has(r.description) || r.description === undefined);
  });

  it('every private IP, primary and secondary, is a client with its interface\'s groups', () => {
    const expected = new Map<string, string[]>();
    for (const ni of eniJson.NetworkInterfaces) {
      for (const a of ni.PrivateIpAddresses) expected.set(a.PrivateIpAddress, ni.Groups.map((g) => g.GroupId).sort());
    }
    const clients = analyseView(view).clients;
    assert.deepEqual(new Map([...clients].map(([ip, c]) => [ip, [...c.gids]])), expected);
    assert.deepEqual(clients.get('10.20.1.16')!.enis, ['eni-0a1a2b3c4d5e6f708']);
  });

  it('judges the annotations: allowlists with their ports, see-thru, annotated groups', () => {
    const vm = analyseView(view);
    const app = vm.groups.get('sg-0a1b2c3d4e5f60718')!;
    assert.deepEqual(app.entries.map((e) => `${e.proto}:${e.addr} ${e.ports.map((p) => `${p.ipProtocol} ${p.fromPort}-${p.toPort}`).join(',')}`), [
      'tls:api.github.com tcp 443-443',
      'tls:ssm.eu-west-2.amazonaws.com tcp 443-443',
      'tls:*.github.com tcp 443-443',
      'tls:pypi.org tcp 443-443',
      'tls:files.pythonhosted.org tcp 443-443',
      'tls:ipv6.example.com tcp 443-443',
      'ssh:sftp.bank1.com tcp 22-22',
    ]);
    assert.equal(vm.groups.get('sg-0ccc3333aaaa44445')!.seeThru, '2026-03-31');
    assert.deepEqual([...vm.groups.values()].filter((g) => g.annotated).map((g) => g.gid), ['sg-0a1b2c3d4e5f60718', 'sg-0ccc3333aaaa44445', 'sg-0fedcba9876543210']);
    assert.equal(vm.groups.get('sg-0123456789abcdef0')!.annotated, false);
  });

  it('decides on it: secondary IP allowed, lambda ENI under see-thru, CIDR-limited rule (D6.2)', () => {
    assert.equal(
      toJsonLine(decide(estate, TODAY, { src: '10.20.1.16', spt: 40000, dst: '140.82.121.6', dpt: 443, proto: 'tls', proto_v: '1.3', dhost: 'api.github.com' }).lines[0]!),
      '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.20.1.16","spt":40000,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0a1b2c3d4e5f60718","instance":"i-0f1e2d3c4b5a69788","pqc":false}',
    );
    const lambda = decide(estate, TODAY, { src: '10.20.2.40', spt: 40000, dst: '93.184.216.34', dpt: 443, proto: 'tls', proto_v: '1.3', dhost: 'example.org' });
    assert.deepEqual(lambda.lines.map((l) => [l.reason, l.see_thru_gid, l.see_thru_days_remaining, l.see_thru_exerted]), [
      ['no protocol rule matched', 'sg-0ccc3333aaaa44445', 2, true],
      ['no protocol rule matched', 'sg-0ccc3333aaaa44445', 2, true],
    ]);
    const partner = (dst: string) => decide(estate, TODAY, { src: '10.20.1.80', spt: 40000, dst, dpt: 8443, proto: 'tls', proto_v: '1.3', dhost: 'partner-api.example.net' });
    assert.equal(partner('198.51.100.10').lines[0]!.reason, 'sg-0fedcba9876543210');
    assert.deepEqual(partner('203.0.113.10').lines, [], 'outside the rule\'s CIDR, AWS drops it');
  });
});

// ---------------------------------------------------------------------------------------------

const NATIVE_JSON = `{
  "firewall": { "instance": "i-0f1e2d3c4b5a69788" },
  "preferences": { "%default": { "wildcard_exposure": "nuclear", "see_thru": "2026-4-10", "x509_crls": "allow", "flow_log_verbosity": "only_disallowed" } },
  "groups": [
    { "gid": "sg-0aaa1111", "name": "app", "egress": [
      { "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidr": "100.68.0.18/18", "description": "discriminat:tls:api.github.com" },
      { "ipProtocol": "-1", "cidrIpv6": "::/0" },
      { "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "prefixListId": "pl-0123", "description": "discriminat:ssh:sftp.bank1.com" },
      { "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "groupId": "sg-0bbb2222" }
    ] },
    { "gid": "sg-0bbb2222", "egress": [] }
  ],
  "interfaces": [ { "eni": "eni-1", "addresses": ["10.10.1.5", "10.10.1.6"], "groups": ["sg-0aaa1111", "sg-0bbb2222"] } ]
}
`;

const NATIVE_YAML = `# the same estate as NATIVE_JSON
firewall:
  instance: i-0f1e2d3c4b5a69788
preferences:
  "%default":
    wildcard_exposure: nuclear
    see_thru: 2026-4-10
    x509_crls: allow
    flow_log_verbosity: only_disallowed
groups:
  - gid: sg-0aaa1111
    name: app
    egress:
      - { ipProtocol: tcp, fromPort: 443, toPort: 443, cidr: 100.68.0.18/18, description: "discriminat:tls:api.github.com" }
      - ipProtocol: -1
        cidrIpv6: "::/0"
      - ipProtocol: tcp
        fromPort: 22
        toPort: 22
        prefixListId: pl-0123
        description: discriminat:ssh:sftp.bank1.com
      - { ipProtocol: tcp, fromPort: 5432, toPort: 5432, groupId: sg-0bbb2222 }
  - gid: sg-0bbb2222
    egress: []
interfaces:
  - eni: eni-1
    addresses: [10.10.1.5, 10.10.1.6]
    groups: [sg-0aaa1111, sg-0bbb2222]
`;

describe('native estate files (D5.1a)', () => {
  const fromJson = estateFromTexts([{ file: 'estate.json', text: NATIVE_JSON }]);
  const fromYaml = estateFromTexts([{ file: 'estate.yaml', text: NATIVE_YAML }]);

  it('JSON and YAML give the same estate, without findings', () => {
    assert.deepEqual(codes(fromJson.diagnostics), []);
    assert.deepEqual(codes(fromYaml.diagnostics), []);
    const strip = (e: Estate) => e.views.map((v) => ({ at: v.at, preferences: v.preferences, groups: v.groups.map(plain), interfaces: v.interfaces.map((i) => [i.eni, i.addresses, i.groups]) }));
    assert.deepEqual(strip(fromYaml.estate), strip(fromJson.estate));
  });

  it('reads preferences, canonicalises CIDRs, keeps all four rule targets', () => {
    const v = fromJson.estate.views[0]!;
    assert.deepEqual(v.preferences, { wildcardExposure: 'nuclear', flowLogVerbosity: 'only_disallowed', seeThru: '2026-04-10', x509Crls: 'allow' });
    assert.deepEqual(v.groups[0]!.egress.map((r) => `${r.target} ${r.destination}`), ['cidr 100.68.0.0/18', 'cidrIpv6 ::/0', 'prefixListId pl-0123', 'groupId sg-0bbb2222']);
    assert.equal(v.groups[0]!.egress[1]!.fromPort, undefined);
    assert.equal(v.groups[0]!.name, 'app');
    assert.equal(v.groups[1]!.name, undefined);
  });

  it('G1 ignores the preferences (D9 #50)', () => {
    const v = fromJson.estate.views[0]!;
    assert.equal(analyseView(v, 'G1').preferences.seeThru, null);
    assert.equal(analyseView(v, 'G3').preferences.seeThru, '2026-04-10');
  });

  it('only cidr rules let a packet out (D6.2): prefix-list and group rules never cover the Internet', () => {
    const d = decide(fromJson.estate, TODAY, { src: '10.10.1.6', spt: 1, dst: '203.0.113.22', dpt: 22, proto: 'ssh', proto_v: '2.0', dhost: 'sftp.bank1.com' });
    assert.deepEqual(d.lines, []);
    const inCidr = decide(fromJson.estate, TODAY, { src: '10.10.1.6', spt: 1, dst: '100.68.1.1', dpt: 443, proto: 'tls', proto_v: '1.3', dhost: 'api.github.com' });
    assert.equal(inCidr.trace.reason, 'sg-0aaa1111');
    assert.deepEqual(inCidr.lines, [], 'allowed, and only_disallowed writes nothing');
  });

  it('views: each entry replaces what it names from its at on; the rest carries over', () => {
    const text = JSON.stringify({
      groups: [{ gid: 'sg-0aaa1111', egress: [] }],
      interfaces: [{ eni: 'eni-1', addresses: ['10.0.0.1'], groups: ['sg-0aaa1111'] }],
      views: [
        { at: '2026-03-29T10:00:00Z', interfaces: [] },
        { at: Date.parse('2026-03-29T09:00:00Z'), preferences: { '%default': { see_thru: '2026-04-01' } } },
      ],
    });
    const { estate, diagnostics } = estateFromTexts([{ file: 'v.json', text }]);
    assert.deepEqual(codes(diagnostics), []);
    assert.deepEqual(estate.views.map((v) => [new Date(v.at).toISOString(), v.groups.length, v.interfaces.length, v.preferences.seeThru]), [
      ['1970-01-01T00:00:00.000Z', 1, 1, null],
      ['2026-03-29T09:00:00.000Z', 1, 1, '2026-04-01'],
      ['2026-03-29T10:00:00.000Z', 1, 0, '2026-04-01'],
    ]);
    assert.equal(viewIndexAt(estate, Date.parse('2026-03-29T09:59:59Z')), 1);
    assert.equal(viewIndexAt(estate, Date.parse('2026-03-29T10:00:00Z')), 2);
    const only = estateFromTexts([{ file: 'w.json', text: JSON.stringify({ views: [{ at: 1000, groups: [], interfaces: [] }] }) }]).estate;
    assert.deepEqual(only.views.map((v) => v.at), [1000], 'without top-level parts the first views entry is the first view');
    assert.equal(viewIndexAt(only, 0), 0);
  });

  it('a gid as in the vendor\'s recipe (sg-00replaceme00) is read, with an HS3204 warning', () => {
    const r = estateFromTexts([{ file: 'r.json', text: '{"groups":[{"gid":"sg-00replaceme00","egress":[]}],"interfaces":[]}' }]);
    assert.deepEqual(codes(r.diagnostics), ['HS3204 warning $.groups[0].gid']);
    assert.equal(r.estate.views[0]!.groups[0]!.gid, 'sg-00replaceme00');
  });
});

describe('estate diagnostics', () => {
  const read = (text: string, file = 'e.json') => estateFromTexts([{ file, text }]);
  const at = (text: string, needle: string) => ({ start: text.indexOf(needle), end: text.indexOf(needle) + needle.length });

  it('HS3205 not JSON/YAML, with the position', () => {
    const r = read('{"groups": [}');
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['HS3205']);
    assert.equal(r.diagnostics[0]!.severity, 'error');
    assert.ok(r.diagnostics[0]!.span.start >= 11 && r.diagnostics[0]!.span.start <= 13, JSON.stringify(r.diagnostics[0]!.span));
  });

  it('HS3205 for a file that cannot be read', async () => {
    const r = await loadEstate([join(fixtures, 'no-such-file.json')]);
    assert.deepEqual(codes(r.diagnostics), ['HS3205 error $']);
    assert.match(r.diagnostics[0]!.message, /no such file/);
  });

  it('HS3201 an unknown key, spanning the key; the rest is read', () => {
    const text = '{"groups": [{"gid": "sg-0aaa1111", "egres": []}], "interfaces": [], "extra": 1}';
    const r = read(text);
    assert.deepEqual(codes(r.diagnostics), ['HS3201 warning $.groups[0].egres', 'HS3201 warning $.extra'], 'in the order of the text');
    assert.deepEqual(r.diagnostics[0]!.span, at(text, '"egres"'));
    assert.deepEqual(r.diagnostics[1]!.span, at(text, '"extra"'));
    assert.equal(r.estate.views[0]!.groups.length, 1);
  });

  it('HS3202 wrong types and malformed values point at the value', () => {
    const text = JSON.stringify({
      groups: [{ gid: 'sg-0aaa1111', egress: [
        { ipProtocol: 'tcp', fromPort: '443', toPort: 443, cidr: '0.0.0.0/0' },
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/33' },
        { ipProtocol: 'tcp', cidr: '0.0.0.0/0' },
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', groupId: 'sg-0bbb2222' },
        { ipProtocol: 'tcp', fromPort: 500, toPort: 400, cidr: '0.0.0.0/0' },
      ] }],
      interfaces: [{ eni: 'eni-1', addresses: ['10.0.0.256'], groups: ['SG-1'] }],
      preferences: { '%default': { wildcard_exposure: 'everything', see_thru: '2026-02-30' } },
      views: [{ at: 'yesterday' }],
    });
    const r = read(text);
    assert.deepEqual(codes(r.diagnostics), [
      'HS3202 error $.groups[0].egress[0].fromPort',
      'HS3202 error $.groups[0].egress[1]',
      'HS3202 error $.groups[0].egress[2]',
      'HS3202 error $.groups[0].egress[3]',
      'HS3202 error $.groups[0].egress[4]',
      'HS3202 error $.interfaces[0].addresses[0]',
      'HS3202 error $.interfaces[0].groups[0]',
      'HS3202 error $.preferences["%default"].wildcard_exposure',
      'HS3202 error $.preferences["%default"].see_thru',
      'HS3202 error $.views[0].at',
    ]);
    const byPath = new Map(r.diagnostics.map((d) => [d.path, d]));
    assert.deepEqual(byPath.get('$.groups[0].egress[0].fromPort')!.span, at(text, '"443"'));
    assert.deepEqual(byPath.get('$.interfaces[0].addresses[0]')!.span, at(text, '"10.0.0.256"'));
    assert.deepEqual(byPath.get('$.preferences["%default"].wildcard_exposure')!.span, at(text, '"everything"'));
    assert.match(byPath.get('$.preferences["%default"].wildcard_exposure')!.hint!, /prohibit_public_suffix/);
    assert.match(byPath.get('$.groups[0].egress[2]')!.message, /needs fromPort and toPort/);
    assert.match(byPath.get('$.groups[0].egress[3]')!.message, /one destination, not 2/);
  });

  it('HS3202 a missing required key, and a file that is not one object', () => {
    assert.deepEqual(codes(read('{"groups": [{"egress": []}]}').diagnostics), ['HS3202 error $.groups[0]']);
    assert.deepEqual(codes(read('{"interfaces": [{"eni": "eni-1", "groups": []}]}').diagnostics), ['HS3202 error $.interfaces[0]']);
    assert.deepEqual(codes(read('[]').diagnostics), ['HS3202 error $']);
    assert.deepEqual(codes(read('{"SecurityGroups": [{"GroupName": "x"}]}').diagnostics), ['HS3202 error $.SecurityGroups[0]']);
  });

  it('HS3203 an interface naming a group the estate lacks (native file too); HS3202 a group defined twice', () => {
    const r = read(JSON.stringify({ groups: [{ gid: 'sg-0aaa1111' }, { gid: 'sg-0aaa1111' }], interfaces: [{ eni: 'eni-9', addresses: ['10.0.0.1'], groups: ['sg-0aaa1111', 'sg-0ccc3333'] }] }));
    assert.deepEqual(codes(r.diagnostics), ['HS3202 error $.groups[1]', 'HS3203 warning $.interfaces[0].groups[1]']);
    assert.match(r.diagnostics[1]!.message, /eni-9 names group sg-0ccc3333/);
  });

  it('HS3021 a rule AWS would refuse as a duplicate (after CIDR canonicalisation)', () => {
    const r = read(JSON.stringify({
      groups: [{ gid: 'sg-0aaa1111', egress: [
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidr: '100.68.0.0/18', description: 'discriminat:tls:a.example.com' },
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidr: '100.68.0.18/18', description: 'discriminat:tls:b.example.com' },
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/1', description: 'discriminat:tls:c.example.com' },
        { ipProtocol: '-1', cidr: '0.0.0.0/0' },
        { ipProtocol: '-1', fromPort: 1, toPort: 2, cidr: '0.0.0.0/0' },
      ] }],
      interfaces: [],
    }));
    assert.deepEqual(codes(r.diagnostics), ['HS3021 warning $.groups[0].egress[1]', 'HS3021 warning $.groups[0].egress[4]']);
    assert.match(r.diagnostics[0]!.message, /same protocol, ports and destination/);
    assert.equal(r.diagnostics[0]!.source, 'tcp 443-443 100.68.0.0/18 "discriminat:tls:b.example.com"');
  });

  it('HS3022 (G1 only) a see-thru rule that is not all protocols, all ports, 0.0.0.0/n', () => {
    const text = JSON.stringify({
      groups: [{ gid: 'sg-0aaa1111', egress: [
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: 'discriminat:see-thru:2026-03-31' },
        { ipProtocol: '-1', cidr: '0.0.0.0/2', description: 'discriminat:see-thru:2026-03-30' },
      ] }],
      interfaces: [],
    });
    assert.deepEqual(codes(estateFromTexts([{ file: 'e.json', text }], { generation: 'G1' }).diagnostics), ['HS3022 warning $.groups[0].egress[0].description']);
    assert.deepEqual(codes(read(text).diagnostics), []);
  });

  it('annotation diagnostics carry the rule\'s path and the description as their source', () => {
    const r = read(JSON.stringify({ groups: [{ gid: 'sg-0aaa1111', egress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: 'discriminat:tls:ok.example.com,,*.github.io' }] }], interfaces: [] }));
    assert.deepEqual(codes(r.diagnostics), ['HS3010 warning $.groups[0].egress[0].description', 'HS3016 error $.groups[0].egress[0].description']);
    const d = r.diagnostics[1]!;
    assert.equal(d.source.slice(d.span.start, d.span.end), '*.github.io');
    const aws = estateFromTexts([{ file: 'sg.json', text: JSON.stringify({ SecurityGroups: [{ GroupId: 'sg-0aaa1111', IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'discriminat:tl:x.com' }] }] }] }) }]);
    assert.deepEqual(codes(aws.diagnostics), ['HS3001 error $.SecurityGroups[0].IpPermissionsEgress[0].IpRanges[0].Description']);
  });

  it('canonical CIDRs (D4.5)', () => {
    const table: [string, string | null][] = [
      ['100.68.0.18/18', '100.68.0.0/18'], ['0.0.0.0/0', '0.0.0.0/0'], ['10.1.2.3/32', '10.1.2.3/32'], ['255.255.255.255/1', '128.0.0.0/1'],
      ['10.0.0.0/33', null], ['10.0.0/8', null], ['10.0.0.0/08', null], ['::/0', null],
    ];
    for (const [cidr, want] of table) assert.equal(canonicalCidr(cidr), want, cidr);
  });
});
