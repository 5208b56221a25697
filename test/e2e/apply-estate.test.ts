/**
 * applyAllowlist (src/recipes/apply.ts) on small hand-written estate files: where the rules go
 * (a new group on the see-thru group's interfaces, or an existing group), CIDRs moved off ones a
 * group already uses on the port, idempotence, removing the see-thru, YAML comments kept, and the
 * files and requests it refuses. Expected results are read from the output with JSON.parse / the
 * yaml package, not from apply's own report.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { estateFromTexts } from '../../src/discriminat/estate.js';
import { AWS_GROUPS_PER_INTERFACE, ApplyError, applyAllowlist, type ApplyRule } from '../../src/recipes/apply.js';

const SEE_THRU = 'sg-0ccc3333';
const APP = 'sg-0aaa1111';

const ESTATE = {
  firewall: { instance: 'i-0123456789abcdef0' },
  preferences: { '%default': { see_thru: '2026-05-01' } },
  groups: [
    { gid: APP, name: 'app-egress', egress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: 'HTTPS egress' }] },
    { gid: SEE_THRU, name: 'app-see-thru', egress: [{ ipProtocol: '-1', cidr: '0.0.0.0/0', description: 'discriminat:see-thru:2026-04-30' }] },
    { gid: 'sg-0ddd4444', name: 'other', egress: [] },
  ],
  interfaces: [
    { eni: 'eni-01', addresses: ['10.0.0.5'], groups: [APP, SEE_THRU] },
    { eni: 'eni-02', addresses: ['10.0.0.6'], groups: ['sg-0ddd4444'] },
  ],
  views: [
    {
      at: '2026-04-01T00:00:00Z',
      interfaces: [
        { eni: 'eni-01', addresses: ['10.0.0.5'], groups: [APP, SEE_THRU] },
        { eni: 'eni-03', addresses: ['10.0.0.7'], groups: [APP, SEE_THRU] },
      ],
    },
  ],
};
const TEXT = `${JSON.stringify(ESTATE, null, 2)}\n`;

const RULES: ApplyRule[] = [
  { protocol: 'tls', port: 443, cidr: '0.0.0.0/0', description: 'discriminat:tls:api.example.com,sts.us-east-1.amazonaws.com' },
  { protocol: 'tls', port: 443, cidr: '0.0.0.0/1', description: 'discriminat:tls:hooks.slack.com' },
  { protocol: 'ssh', port: 22, cidr: '0.0.0.0/0', description: 'discriminat:ssh:github.com' },
];

interface Rule { ipProtocol: string; fromPort?: number; toPort?: number; cidr: string; description?: string }
interface Group { gid: string; name?: string; egress: Rule[] }
interface Iface { eni: string; addresses: string[]; groups: string[] }
interface File { groups: Group[]; interfaces: Iface[]; preferences: { '%default': { see_thru: string | null } }; views: { interfaces: Iface[] }[] }

const read = (text: string): File => JSON.parse(text) as File;
const group = (f: File, gid: string): Group | undefined => f.groups.find((g) => g.gid === gid);
const codes = (text: string): string[] => estateFromTexts([{ file: 'estate.json', text }]).diagnostics.map((d) => `${d.code} ${d.message}`).sort();

describe('applyAllowlist', () => {
  it('by default: a new group holding the rules, attached wherever the see-thru group is, in every view', () => {
    const r = applyAllowlist('estate.json', TEXT, { gid: SEE_THRU, rules: RULES });
    const f = read(r.text);
    const added = f.groups.filter((g) => !ESTATE.groups.some((o) => o.gid === g.gid));
    assert.equal(added.length, 1);
    const g = added[0]!;
    assert.match(g.gid, /^sg-0[0-9a-f]{16}$/);
    assert.equal(g.name, 'app-allowlist');
    assert.deepEqual(g.egress, RULES.map((x) => ({ ipProtocol: 'tcp', fromPort: x.port, toPort: x.port, cidr: x.cidr, description: x.description })));
    for (const ni of [...f.interfaces, ...f.views[0]!.interfaces]) {
      assert.equal(ni.groups.includes(g.gid), ni.groups.includes(SEE_THRU), ni.eni);
    }
    assert.deepEqual(r.attached, ['eni-01', 'eni-03']);
    assert.equal(group(f, SEE_THRU)!.egress.length, 1, 'the see-thru stays');
    assert.deepEqual(codes(r.text), codes(TEXT), 'no new diagnostic');
    assert.equal(applyAllowlist('estate.json', TEXT, { gid: SEE_THRU, rules: RULES }).text, r.text, 'the same input gives the same file');
  });

  it('into an existing group: a CIDR the group already uses on the port moves to the next free one', () => {
    const r = applyAllowlist('estate.json', TEXT, { gid: SEE_THRU, rules: RULES }, { into: APP });
    const egress = group(read(r.text), APP)!.egress;
    assert.deepEqual(egress.map((x) => [x.fromPort, x.cidr, x.description]), [
      [443, '0.0.0.0/0', 'HTTPS egress'],
      [443, '0.0.0.0/1', RULES[0]!.description],
      [443, '128.0.0.0/1', RULES[1]!.description],
      [22, '0.0.0.0/0', RULES[2]!.description],
    ]);
    assert.deepEqual(r.attached, []);
    assert.equal(r.target?.created, false);
    assert.ok(!codes(r.text).some((c) => c.startsWith('HS3021')), 'AWS would accept every rule');
    const again = applyAllowlist('estate.json', r.text, { gid: SEE_THRU, rules: RULES }, { into: APP });
    assert.deepEqual(again.rules.map((x) => x.status), ['present', 'present', 'present']);
    assert.equal(again.text, r.text);
  });

  it('into the see-thru group itself, removing its see-thru rule (step 7)', () => {
    const r = applyAllowlist('estate.json', TEXT, { gid: SEE_THRU, rules: RULES }, { into: SEE_THRU, removeSeeThru: true });
    const g = group(read(r.text), SEE_THRU)!;
    assert.deepEqual(g.egress.map((x) => x.description), RULES.map((x) => x.description));
    assert.equal(r.removedSeeThru, 1);
    assert.deepEqual(read(r.text).interfaces, ESTATE.interfaces);
  });

  it('removing the see-thru alone leaves every other rule', () => {
    const r = applyAllowlist('estate.json', TEXT, { gid: SEE_THRU, rules: [] }, { removeSeeThru: true });
    const f = read(r.text);
    assert.deepEqual(group(f, SEE_THRU)!.egress, []);
    assert.deepEqual(f.groups.filter((g) => g.gid !== SEE_THRU), ESTATE.groups.filter((g) => g.gid !== SEE_THRU));
    assert.equal(r.target, null);
  });

  it('%default: the rules need a group to go in; removing the see-thru clears the preference', () => {
    assert.throws(() => applyAllowlist('estate.json', TEXT, { gid: '%default', rules: RULES }), ApplyError);
    const r = applyAllowlist('estate.json', TEXT, { gid: '%default', rules: RULES }, { into: APP, removeSeeThru: true });
    assert.equal(read(r.text).preferences['%default'].see_thru, null);
    assert.equal(group(read(r.text), SEE_THRU)!.egress.length, 1);
  });

  it('keeps a YAML file YAML, comments included', () => {
    const yaml = [
      '# the estate, by hand',
      'groups:',
      `  - gid: ${SEE_THRU}   # learning what the app needs`,
      '    name: app-see-thru',
      '    egress:',
      "      - { ipProtocol: '-1', cidr: 0.0.0.0/0, description: 'discriminat:see-thru:2026-04-30' }",
      'interfaces:',
      `  - { eni: eni-01, addresses: [10.0.0.5], groups: [${SEE_THRU}] }`,
      '',
    ].join('\n');
    const r = applyAllowlist('estate.yaml', yaml, { gid: SEE_THRU, rules: RULES.slice(0, 1) });
    assert.equal(r.format, 'yaml');
    assert.match(r.text, /^# the estate, by hand$/m);
    assert.match(r.text, /# learning what the app needs/);
    const f = parse(r.text) as File;
    assert.equal(f.groups.length, 2);
    assert.equal(f.groups[1]!.egress[0]!.description, RULES[0]!.description);
    assert.deepEqual(f.interfaces[0]!.groups, [SEE_THRU, f.groups[1]!.gid]);
    assert.deepEqual(r.newDiagnostics, []);
  });

  it('warns when an interface would hold more groups than AWS allows by default', () => {
    const many = { groups: [...ESTATE.groups, ...['sg-0eee5555', 'sg-0fff6666', 'sg-0aaa7777'].map((gid) => ({ gid, egress: [] }))], interfaces: [{ eni: 'eni-09', addresses: ['10.0.0.9'], groups: [APP, SEE_THRU, 'sg-0eee5555', 'sg-0fff6666', 'sg-0aaa7777'] }] };
    const r = applyAllowlist('estate.json', JSON.stringify(many), { gid: SEE_THRU, rules: RULES });
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, new RegExp(`eni-09 now has ${AWS_GROUPS_PER_INTERFACE + 1} groups`));
  });

  it('refuses what it cannot change', () => {
    const refuse = (text: string, gid: string, options: Parameters<typeof applyAllowlist>[3], pattern: RegExp): void => {
      assert.throws(() => applyAllowlist('estate.json', text, { gid, rules: RULES }, options), (e: unknown) => e instanceof ApplyError && pattern.test(e.message));
    };
    refuse(JSON.stringify({ SecurityGroups: [] }), SEE_THRU, {}, /describe-\* output/);
    refuse('{ "groups": [', SEE_THRU, {}, /not valid JSON or YAML/);
    refuse(TEXT, 'sg-0bbb2222', {}, /see-thru group sg-0bbb2222 is not in estate\.json/);
    refuse(TEXT, SEE_THRU, { into: 'sg-0bbb2222' }, /group sg-0bbb2222 \(into\) is not in/);
    refuse(TEXT, SEE_THRU, { newGid: APP }, /already in/);
    refuse(TEXT, 'not-a-gid', {}, /not a security group id/);
  });
});
