/**
 * Golden files pin every output of `haystack allowlist` on the committed fixture
 * test/golden/allowlist/flow.log (one see-thru group; tls 443 and 8443, ssh 22, IP-only hosts,
 * an unknown protocol, plain HTTP and a CRL fetch, old TLS, a DNS mismatch, a single-label SNI,
 * telemetry to exclude, hosts that fold and `*.github.io` hosts that must not; and lines the
 * recipe must skip). `npm run golden:update` rewrites them; review the diff.
 *
 * Beyond the bytes, each rule output is read back with a real parser (Terraform with HashiCorp's
 * HCL parser, CloudFormation with `yaml`, the aws-cli JSON with JSON.parse) and checked against
 * what plain loops over the fixture expect.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseAnnotation } from '../../src/discriminat/annotations.js';
import { type Allowlist, type AllowlistOptions, allowlistInputs } from '../../src/recipes/allowlist.js';
import { emitAwsCli } from '../../src/recipes/emit-aws-cli.js';
import { emitCloudFormation } from '../../src/recipes/emit-cloudformation.js';
import { emitJson } from '../../src/recipes/emit-json.js';
import { emitTerraform } from '../../src/recipes/emit-terraform.js';
import { emitText } from '../../src/recipes/emit-text.js';
import { repoRoot } from '../paths.js';
import { parseHcl } from '../support/hcl.js';

const update = process.env.HAYSTACK_UPDATE_GOLDEN === '1';
const goldenDir = join(repoRoot, 'test', 'golden', 'allowlist');
const FIXTURE = join(goldenDir, 'flow.log');
const GID = 'sg-0ccc3333';
const EXCLUDE = ['ec2-instance-connect.*.amazonaws.com', 'collector.telemetry.example.org'];
const OPTIONS: AllowlistOptions = { gid: GID, wildcards: true, exclude: EXCLUDE };

function check(name: string, actual: string): void {
  const file = join(goldenDir, name);
  if (update) writeFileSync(file, actual);
  assert.ok(existsSync(file), `missing golden file ${file}: run npm run golden:update`);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

async function allowlistOf(options: AllowlistOptions): Promise<Allowlist> {
  return (await allowlistInputs([{ name: 'flow.log', path: FIXTURE }], options)).allowlist;
}

// ---- What the fixture holds, by plain loops ---------------------------------------------------

interface Line {
  ts: number;
  o: Record<string, unknown>;
}

const lines: Line[] = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => ({ ts: Date.parse(l.slice(0, l.indexOf(' '))), o: JSON.parse(l.slice(l.indexOf(' ') + 1)) as Record<string, unknown> }));
const group = lines.filter((l) => l.o.cat === 'client' && l.o.see_thru_exerted === true && l.o.see_thru_gid === GID);
const hostOf = (l: Line): string => String(l.o.dhost).toLowerCase().replace(/\.$/, '');
const EXCLUDED = [/^ec2-instance-connect\.[^.]*\.amazonaws\.com$/, /^collector\.telemetry\.example\.org$/];
const REFUSED_WHATEVER = ['tls version below 1.2', 'ssh version below 2', 'dns mismatch'];

function ruleable(l: Line, exclude: boolean): boolean {
  const h = hostOf(l);
  return (l.o.proto === 'tls' || l.o.proto === 'ssh')
    && !REFUSED_WHATEVER.includes(String(l.o.reason))
    && /^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(h)
    && !/^[0-9]+(\.[0-9]+){3}$/.test(h)
    && !(exclude && EXCLUDED.some((re) => re.test(h)));
}

/** "proto port" -> hosts a rule must let through. */
function expectedHosts(exclude: boolean): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const l of group) {
    if (!ruleable(l, exclude)) continue;
    const k = `${String(l.o.proto)} ${String(l.o.dpt)}`;
    if (!m.has(k)) m.set(k, new Set());
    m.get(k)!.add(hostOf(l));
  }
  return m;
}

interface WrittenRule {
  port: number;
  cidr: string;
  description: string;
}

const AWS_CHARS = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;

/**
 * The rules as written must let through exactly the expected hosts: each host matched by one
 * entry of its protocol and port, no entry that matches none, descriptions AWS can store, and
 * distinct CIDRs per port starting with 0.0.0.0/0. Returns the wildcard entries.
 */
function checkRules(rules: readonly WrittenRule[], expected: Map<string, Set<string>>): string[] {
  const entries = new Map<string, string[]>();
  const cidrs = new Map<number, string[]>();
  for (const r of rules) {
    assert.ok(r.description.length <= 255, `${r.description.length} characters`);
    assert.match(r.description, AWS_CHARS);
    const parsed = parseAnnotation(r.description);
    assert.deepEqual(parsed.diagnostics, [], r.description);
    assert.equal(parsed.annotation.kind, 'protocol');
    if (parsed.annotation.kind !== 'protocol') continue;
    const k = `${parsed.annotation.protocol} ${r.port}`;
    entries.set(k, [...(entries.get(k) ?? []), ...parsed.annotation.accepted.map((e) => e.addr)]);
    cidrs.set(r.port, [...(cidrs.get(r.port) ?? []), r.cidr]);
  }
  for (const [port, list] of cidrs) {
    assert.equal(list[0], '0.0.0.0/0', `first rule of port ${port}`);
    assert.equal(new Set(list).size, list.length, `CIDRs of port ${port}: ${list.join(' ')}`);
  }
  assert.deepEqual([...entries.keys()].sort(), [...expected.keys()].sort());
  const covers = (entry: string, host: string): boolean => entry === host || (entry.startsWith('*.') && host.slice(host.indexOf('.') + 1) === entry.slice(2));
  const wild: string[] = [];
  for (const [k, list] of entries) {
    assert.equal(new Set(list).size, list.length, `an entry twice in ${k}`);
    const hosts = expected.get(k)!;
    for (const h of hosts) assert.equal(list.filter((e) => covers(e, h)).length, 1, `${k} ${h}`);
    for (const e of list) {
      assert.ok([...hosts].some((h) => covers(e, h)), `${k} ${e} covers no host seen`);
      if (e.startsWith('*.')) wild.push(`${k} ${e}`);
    }
  }
  return wild.sort();
}

/** With OPTIONS: the folds the fixture calls for, and not *.github.io nor *.eu-west-2.amazonaws.com. */
const EXPECTED_FOLDS = ['tls 443 *.debian.org', 'tls 443 *.github.com'];

// ---- The tests --------------------------------------------------------------------------------

describe('golden allowlist outputs', () => {
  let a: Allowlist;
  before(async () => {
    a = await allowlistOf(OPTIONS);
  });

  it('text report', () => check('text.txt', emitText(a)));

  it('text report without options', async () => {
    const plain = await allowlistOf({ gid: GID });
    check('text-plain.txt', emitText(plain));
    const wild = checkRules(plain.rules, expectedHosts(false));
    assert.deepEqual(wild, []);
  });

  it('needs two descriptions on tcp 443', () => {
    assert.equal(a.rules.filter((r) => r.port === 443).length, 2);
  });

  it('terraform: parses as HCL and holds the expected resources', async () => {
    const text = emitTerraform(a);
    check('terraform.txt', text);
    const hcl = await parseHcl(text);
    const variable = (hcl.variable as Record<string, { type: string }[]>).security_group_id;
    assert.ok(variable !== undefined, 'the security_group_id variable');
    const resources = (hcl.resource as Record<string, Record<string, Record<string, unknown>[]>>).aws_vpc_security_group_egress_rule!;
    const written: WrittenRule[] = [];
    for (const [name, bodies] of Object.entries(resources)) {
      assert.equal(bodies.length, 1, name);
      const b = bodies[0]!;
      assert.deepEqual(Object.keys(b).sort(), ['cidr_ipv4', 'description', 'from_port', 'ip_protocol', 'security_group_id', 'to_port']);
      assert.equal(b.security_group_id, '${var.security_group_id}');
      assert.equal(b.ip_protocol, 'tcp');
      assert.equal(b.from_port, b.to_port);
      assert.match(name, new RegExp(`^(tls|ssh)_${String(b.from_port)}_[0-9]+$`));
      written.push({ port: b.from_port as number, cidr: b.cidr_ipv4 as string, description: b.description as string });
    }
    assert.equal(written.length, a.rules.length);
    assert.deepEqual(checkRules(written, expectedHosts(true)), EXPECTED_FOLDS);
  });

  it('terraform for a named group: no variable, the group written in', async () => {
    const text = emitTerraform(a, { targetGid: 'sg-0aaa1111' });
    check('terraform-target.txt', text);
    const hcl = await parseHcl(text);
    assert.equal(hcl.variable, undefined);
    const resources = (hcl.resource as Record<string, Record<string, Record<string, unknown>[]>>).aws_vpc_security_group_egress_rule!;
    for (const [, [b]] of Object.entries(resources)) assert.equal(b!.security_group_id, 'sg-0aaa1111');
  });

  it('cloudformation: parses as YAML and holds the expected resources', () => {
    const text = emitCloudFormation(a);
    check('cloudformation.txt', text);
    const doc = parseYaml(text, { customTags: [{ tag: '!Ref', resolve: (s: string) => ({ Ref: s }) }] }) as Record<string, unknown>;
    assert.equal(doc.AWSTemplateFormatVersion, '2010-09-09');
    assert.deepEqual(doc.Parameters, { SecurityGroupId: { Type: 'AWS::EC2::SecurityGroup::Id', Description: 'The security group the discrimiNAT allowlist rules go in' } });
    const written: WrittenRule[] = [];
    for (const [id, r] of Object.entries(doc.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>)) {
      assert.match(id, /^[A-Za-z0-9]+$/);
      assert.equal(r.Type, 'AWS::EC2::SecurityGroupEgress');
      const p = r.Properties;
      assert.deepEqual(p.GroupId, { Ref: 'SecurityGroupId' });
      assert.equal(p.IpProtocol, 'tcp');
      assert.equal(p.FromPort, p.ToPort);
      written.push({ port: p.FromPort as number, cidr: p.CidrIp as string, description: p.Description as string });
    }
    assert.deepEqual(checkRules(written, expectedHosts(true)), EXPECTED_FOLDS);
    const named = parseYaml(emitCloudFormation(a, { targetGid: 'sg-0aaa1111' })) as { Parameters?: unknown; Resources: Record<string, { Properties: { GroupId: unknown } }> };
    assert.equal(named.Parameters, undefined);
    for (const r of Object.values(named.Resources)) assert.equal(r.Properties.GroupId, 'sg-0aaa1111');
  });

  it('aws-cli: an IpPermissions list whose descriptions re-parse to the hosts', () => {
    const text = emitAwsCli(a);
    check('aws-cli.txt', text);
    const perms = JSON.parse(text) as { IpProtocol: string; FromPort: number; ToPort: number; IpRanges: { CidrIp: string; Description: string }[] }[];
    assert.ok(Array.isArray(perms));
    const written: WrittenRule[] = [];
    for (const p of perms) {
      assert.deepEqual(Object.keys(p), ['IpProtocol', 'FromPort', 'ToPort', 'IpRanges']);
      assert.equal(p.IpProtocol, 'tcp');
      assert.equal(p.FromPort, p.ToPort);
      for (const r of p.IpRanges) {
        assert.deepEqual(Object.keys(r), ['CidrIp', 'Description']);
        written.push({ port: p.FromPort, cidr: r.CidrIp, description: r.Description });
      }
    }
    assert.equal(new Set(perms.map((p) => p.FromPort)).size, perms.length, 'one permission per port');
    assert.deepEqual(checkRules(written, expectedHosts(true)), EXPECTED_FOLDS);
  });

  it('json: counts per host as plain loops count them, and what was left out and why', () => {
    const text = emitJson(a);
    check('json.txt', text);
    const j = JSON.parse(text) as {
      totals: { connections: number; clients: number; first_seen: string; last_seen: string };
      rules: { protocol: string; port: number; entries: { hosts: { host: string; connections: number; clients: number; first_seen: string; last_seen: string }[] }[] }[];
      left_out: { host: string; reason: string }[];
      excluded: { host: string; pattern: string }[];
    };
    assert.equal(j.totals.connections, group.length);
    assert.equal(j.totals.clients, new Set(group.map((l) => l.o.src)).size);
    assert.equal(j.totals.first_seen, new Date(Math.min(...group.map((l) => l.ts))).toISOString());
    assert.equal(j.totals.last_seen, new Date(Math.max(...group.map((l) => l.ts))).toISOString());
    let hosts = 0;
    for (const r of j.rules) {
      for (const e of r.entries) {
        for (const h of e.hosts) {
          hosts++;
          const mine = group.filter((l) => l.o.proto === r.protocol && l.o.dpt === r.port && hostOf(l) === h.host && ruleable(l, true));
          assert.equal(h.connections, mine.length, h.host);
          assert.equal(h.clients, new Set(mine.map((l) => l.o.src)).size, h.host);
          assert.equal(h.first_seen, new Date(Math.min(...mine.map((l) => l.ts))).toISOString(), h.host);
          assert.equal(h.last_seen, new Date(Math.max(...mine.map((l) => l.ts))).toISOString(), h.host);
        }
      }
    }
    assert.equal(hosts, [...expectedHosts(true).values()].reduce((n, s) => n + s.size, 0));
    assert.deepEqual(Object.fromEntries(j.left_out.map((l) => [l.host, l.reason])), {
      '203.0.113.50': 'no-hostname',
      '198.51.100.7': 'no-hostname',
      '192.0.2.10': 'unknown-protocol',
      'example.com': 'http',
      'crl.r2m01.amazontrust.com': 'http-crl',
      'legacy.partner.example.com': 'old-version',
      'cdn.example.net': 'dns-mismatch',
      intranet: 'invalid',
    });
    assert.deepEqual(j.excluded.map((e) => `${e.pattern} ${e.host}`), [
      'ec2-instance-connect.*.amazonaws.com ec2-instance-connect.eu-west-2.amazonaws.com',
      'collector.telemetry.example.org collector.telemetry.example.org',
    ]);
  });
});
