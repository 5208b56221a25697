/**
 * recipes/audit.ts on a config trail written by `estateConfigLines` (spec D7) from a small
 * hand-written estate with three views. The expected states and changes are written out by hand
 * from the estate (what each view holds), not computed by the code under test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { estateConfigLines, toJsonLine } from '../../src/discriminat/decision.js';
import { estateFromTexts } from '../../src/discriminat/estate.js';
import { diffStates, readTrail, stateAt } from '../../src/recipes/audit.js';
import { InputError, type Input } from '../../src/sources/inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-audit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const input = (name: string, text: string): Input => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return { name, path };
};

const tcp = (port: number, description: string): string => `{ ipProtocol: tcp, fromPort: ${port}, toPort: ${port}, cidr: 0.0.0.0/0, description: "${description}" }`;
const ESTATE = `firewall: { instance: i-0f1e2d3c4b5a69788 }
views:
  - at: 2026-03-29T00:00:00Z          # start-up
    groups:
      - { gid: sg-0aaa1111, egress: [${tcp(443, 'discriminat:tls:api.github.com,ssm.eu-west-2.amazonaws.com')}] }
      - { gid: sg-0bbb2222, egress: [${tcp(22, 'discriminat:ssh:sftp.bank1.com')}] }
      - { gid: sg-0ccc3333, egress: [{ ipProtocol: "-1", cidr: 0.0.0.0/0, description: "discriminat:see-thru:2026-03-31" }] }
    interfaces:
      - { eni: eni-1, addresses: [10.10.1.5], groups: [sg-0aaa1111, sg-0bbb2222] }
      - { eni: eni-2, addresses: [10.10.1.9, 10.10.1.10], groups: [sg-0aaa1111, sg-0ccc3333] }
  - at: 2026-03-30T06:00:00Z          # rule edit, a refused wildcard, see-thru moved, %default set
    groups:
      - { gid: sg-0aaa1111, egress: [${tcp(443, 'discriminat:tls:api.github.com,ec2.eu-west-2.amazonaws.com,*.github.io')}] }
      - { gid: sg-0bbb2222, egress: [${tcp(22, 'discriminat:ssh:sftp.bank1.com')}] }
      - { gid: sg-0ccc3333, egress: [{ ipProtocol: "-1", cidr: 0.0.0.0/0, description: "discriminat:see-thru:2026-04-30" }] }
    preferences: { "%default": { see_thru: "2026-04-02" } }
  - at: 2026-03-31T12:00:00Z          # the see-thru group detached from eni-2
    interfaces:
      - { eni: eni-1, addresses: [10.10.1.5], groups: [sg-0aaa1111, sg-0bbb2222] }
      - { eni: eni-2, addresses: [10.10.1.9, 10.10.1.10], groups: [sg-0aaa1111] }
`;
const T1 = Date.parse('2026-03-29T00:00:00Z');
const T2 = Date.parse('2026-03-30T06:00:00Z');
const T3 = Date.parse('2026-03-31T12:00:00Z');

const { estate } = estateFromTexts([{ file: 'estate.yaml', text: ESTATE }]);
const written = estateConfigLines(estate).map(({ at, line }) => `${new Date(at).toISOString()} ${toJsonLine(line)}`);
// A flow line and a line that is no discrimiNAT line sit in the same stream: both are left out.
const noise = [
  `${new Date(T2 + 1000).toISOString()} {"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":1,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched"}`,
  `${new Date(T2 + 2000).toISOString()} {"cat":"accepted","note":"removed"}`,
];
const CONFIG = input('config.log', [...written.slice(0, 12), ...noise, ...written.slice(12)].join('\n') + '\n');

const START_STATE = {
  groups: [
    { gid: 'sg-0aaa1111', clients: ['10.10.1.5', '10.10.1.9', '10.10.1.10'], allowed: [{ proto: 'tls', fqdn: 'api.github.com' }, { proto: 'tls', fqdn: 'ssm.eu-west-2.amazonaws.com' }], thruDate: null },
    { gid: 'sg-0bbb2222', clients: ['10.10.1.5'], allowed: [{ proto: 'ssh', fqdn: 'sftp.bank1.com' }], thruDate: null },
    { gid: 'sg-0ccc3333', clients: ['10.10.1.9', '10.10.1.10'], allowed: [], thruDate: '2026-03-31' },
  ],
  refused: [] as unknown[],
};
const EDITED_GROUPS = [
  { gid: '%default', clients: [], allowed: [], thruDate: '2026-04-02' },
  { gid: 'sg-0aaa1111', clients: ['10.10.1.5', '10.10.1.9', '10.10.1.10'], allowed: [{ proto: 'tls', fqdn: 'api.github.com' }, { proto: 'tls', fqdn: 'ec2.eu-west-2.amazonaws.com' }], thruDate: null },
  { gid: 'sg-0bbb2222', clients: ['10.10.1.5'], allowed: [{ proto: 'ssh', fqdn: 'sftp.bank1.com' }], thruDate: null },
  { gid: 'sg-0ccc3333', clients: ['10.10.1.9', '10.10.1.10'], allowed: [], thruDate: '2026-04-30' },
];
const REFUSED = [{ addr: '*.github.io', outcome: 'publicsuffix[.]org list matched with `github.io`', at: T2 }];

describe('audit: the config trail', () => {
  it('the timeline holds every config line, in time order, with its fields (plain loop over the file)', async () => {
    const { events } = await readTrail([CONFIG]);
    assert.equal(events.length, written.length);
    written.forEach((text, i) => {
      const sp = text.indexOf(' ');
      const o = JSON.parse(text.slice(sp + 1)) as Record<string, string>;
      const e = events[i]!;
      assert.equal(e.at, Date.parse(text.slice(0, sp)));
      assert.equal(e.cat, o.cat);
      assert.equal(e.outcome, o.outcome);
      assert.equal(e.gid, o.gid);
      assert.equal(e.client, o.client);
      assert.equal(e.fqdn, o.fqdn);
      assert.equal(e.proto, o.proto);
      assert.equal(e.thruDate, o.thru_date);
      assert.equal(e.addr, o.addr);
      assert.equal(e.instance, 'i-0f1e2d3c4b5a69788');
    });
  });

  it('--gid keeps the lines of one group', async () => {
    const { events } = await readTrail([CONFIG], { gid: 'sg-0ccc3333' });
    const want = written.filter((t) => t.includes('"gid":"sg-0ccc3333"'));
    assert.equal(events.length, want.length);
    assert.ok(events.every((e) => e.gid === 'sg-0ccc3333'));
  });

  it('--at: the state after start-up, after the edit, after the detach', async () => {
    const { events } = await readTrail([CONFIG]);
    const before = stateAt(events, T1 - 1);
    assert.deepEqual({ lines: before.lines, groups: before.groups, refused: before.refused }, { lines: 0, groups: [], refused: [] });

    const s1 = stateAt(events, T1);
    assert.deepEqual({ groups: s1.groups, refused: s1.refused }, START_STATE);
    assert.equal(s1.lines, 10);
    // Just before the edit the state is still the start-up one.
    assert.deepEqual(stateAt(events, T2 - 1).groups, START_STATE.groups);

    const s2 = stateAt(events, T2);
    assert.deepEqual(s2.groups, EDITED_GROUPS);
    assert.deepEqual(s2.refused, REFUSED);

    const s3 = stateAt(events, T3);
    assert.deepEqual(s3.groups, EDITED_GROUPS.map((g) => (g.gid === 'sg-0ccc3333' ? { ...g, clients: [] } : g)));
    assert.deepEqual(s3.refused, REFUSED);
    assert.equal(s3.lines, written.length);
  });

  it('--diff: what changed from start-up to after the detach', async () => {
    const { events } = await readTrail([CONFIG]);
    const d = diffStates(stateAt(events, T1), stateAt(events, T3));
    assert.equal(d.linesBetween, written.length - 10);
    assert.deepEqual(d.changes, [
      { change: 'added', kind: 'see-thru', gid: '%default', value: '2026-04-02' },
      { change: 'changed', kind: 'see-thru', gid: 'sg-0ccc3333', value: '2026-04-30', from: '2026-03-31' },
      { change: 'removed', kind: 'fqdn', gid: 'sg-0aaa1111', value: 'tls:ssm.eu-west-2.amazonaws.com' },
      { change: 'added', kind: 'fqdn', gid: 'sg-0aaa1111', value: 'tls:ec2.eu-west-2.amazonaws.com' },
      { change: 'removed', kind: 'client', gid: 'sg-0ccc3333', value: '10.10.1.9' },
      { change: 'removed', kind: 'client', gid: 'sg-0ccc3333', value: '10.10.1.10' },
      { change: 'added', kind: 'refused', gid: null, value: '*.github.io' },
    ]);
    assert.deepEqual(diffStates(stateAt(events, T3), stateAt(events, T3)).changes, []);
  });

  it('a refused addr that a later line accepts is no longer refused', async () => {
    const lines = [
      '2026-03-29T00:00:00Z {"addr":"*.Example.COM.","cat":"addr","outcome":"wildcard_exposure none prohibits wildcards"}',
      '2026-03-29T01:00:00Z {"cat":"fqdn","outcome":"accepted","gid":"sg-0aaa1111","fqdn":"*.example.com","proto":"tls"}',
    ];
    const { events } = await readTrail([input('refusal.log', lines.join('\n') + '\n')]);
    assert.equal(stateAt(events, Date.parse('2026-03-29T00:30:00Z')).refused.length, 1);
    assert.equal(stateAt(events, Date.parse('2026-03-29T01:00:00Z')).refused.length, 0);
  });

  it('an HA pair writes the trail twice: the state is the same, --instance keeps one', async () => {
    const other = written.map((t) => t.replace('i-0f1e2d3c4b5a69788', 'i-0123456789abcdef0'));
    const both = input('both.log', [...written, ...other].join('\n') + '\n');
    const { events } = await readTrail([both]);
    assert.equal(events.length, written.length * 2);
    assert.deepEqual(stateAt(events, T3).groups, stateAt((await readTrail([CONFIG])).events, T3).groups);
    assert.equal((await readTrail([both], { instance: 'i-0123456789abcdef0' })).events.length, written.length);
  });

  it('--at/--diff need times: inputs without them are refused; the timeline reads them', async () => {
    const bare = input('bare.log', written.map((t) => t.slice(t.indexOf(' ') + 1)).join('\n') + '\n');
    await assert.rejects(readTrail([bare], { timesNeededFor: '--at cannot place its lines in time' }), (e: unknown) => e instanceof InputError && /carry no time, so --at cannot/.test(e.message));
    const { events } = await readTrail([bare]);
    assert.equal(events.length, written.length);
    assert.ok(events.every((e) => e.at === null));
  });
});
