/**
 * `haystack explain` end to end: the D8 X6 connection (see-thru exerted) explained from a YAML
 * estate, the JSON output, the committed AWS fixtures, and the exit codes. Expected flow lines
 * are copied from spec D8 (plus the G3 `instance` field after `reason`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../paths.js';
import { runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-explain-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const E0 = join(dir, 'e0.yaml');
writeFileSync(E0, `# spec D8, estate E0
firewall: { instance: i-0f1e2d3c4b5a69788 }
groups:
  - gid: sg-0aaa1111
    egress:
      - { ipProtocol: tcp, fromPort: 443, toPort: 443, cidr: 0.0.0.0/0, description: "discriminat:tls:api.github.com,ssm.eu-west-2.amazonaws.com" }
  - gid: sg-0bbb2222
    egress:
      - { ipProtocol: tcp, fromPort: 22, toPort: 22, cidr: 0.0.0.0/0, description: "discriminat:ssh:sftp.bank1.com" }
  - gid: sg-0ccc3333
    egress:
      - { ipProtocol: "-1", cidr: 0.0.0.0/0, description: "discriminat:see-thru:2026-03-31" }
  - gid: sg-0ddd4444
    egress:
      - { ipProtocol: tcp, fromPort: 443, toPort: 443, cidr: 0.0.0.0/0, description: "discriminat:tls:*.github.com" }
interfaces:
  - { eni: eni-1, addresses: [10.10.1.5], groups: [sg-0aaa1111, sg-0bbb2222] }
  - { eni: eni-2, addresses: [10.10.1.9], groups: [sg-0aaa1111, sg-0ccc3333] }
  - { eni: eni-3, addresses: [10.10.1.7], groups: [sg-0ddd4444] }
`);

const g3 = (line: string): string => line.replace(/("reason":"[^"]*")/, '$1,"instance":"i-0f1e2d3c4b5a69788"');
const X6 = [
  g3('{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}'),
  g3('{"dhost":"pypi.org","cat":"server","outcome":"disallowed","src":"151.101.0.223","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.10.1.9","dpt":51514,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}'),
];
const X6_ARGS = ['explain', '--estate', E0, '--src', '10.10.1.9', '--spt', '51514', '--dhost', 'pypi.org', '--dst', '151.101.0.223', '--at', '2026-03-29T12:00:00Z'];

test('explains X6 step by step and prints the exact flow lines', () => {
  const r = runCli(X6_ARGS);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const out = r.stdout;
  assert.match(out, /^verdict: disallowed \("no protocol rule matched"\), but let through by the see-thru of sg-0ccc3333 \(through 2026-03-31, 2 days left\)$/m);
  const order = [/client 10\.10\.1\.9: interface eni-2; groups sg-0aaa1111 \(2 allowlist entries\), sg-0ccc3333/, /see-thru \(D6\.6\): group sg-0ccc3333, through 2026-03-31: 2 days left/,
    /sg-0aaa1111 tls:api\.github\.com \[tcp 443-443\]: pypi\.org does not match/, /verdict: disallowed, reason "no protocol rule matched"/,
    /see-thru: lets the connection through anyway/, /^flow lines \(G3\):$/m];
  let from = 0;
  for (const re of order) {
    const m = re.exec(out.slice(from));
    assert.ok(m, `${re} in:\n${out}`);
    from += m.index + m[0].length;
  }
  assert.deepEqual(out.trimEnd().split('\n').slice(-2), X6);
});

test('--output json: verdict, steps, the lines as objects in D2.1 key order', () => {
  const r = runCli([...X6_ARGS, '--output', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { verdict: string; reason: string; passes: boolean; seeThru: unknown; steps: string[]; lines: unknown[] };
  assert.equal(j.verdict, 'let-through-by-see-thru');
  assert.equal(j.reason, 'no protocol rule matched');
  assert.equal(j.passes, true);
  assert.deepEqual(j.seeThru, { gid: 'sg-0ccc3333', date: '2026-03-31', days: 2, active: true });
  assert.ok(j.steps.length > 5);
  assert.deepEqual(j.lines.map((l) => JSON.stringify(l)), X6);
});

test('reads the committed aws describe-* fixtures; warnings go to stderr, exit 0', () => {
  const fixtures = join(repoRoot, 'test', 'fixtures', 'aws');
  const r = runCli(['explain', '--estate', join(fixtures, 'describe-security-groups.json'), '--estate', join(fixtures, 'describe-network-interfaces.json'),
    '--instance', 'i-0f1e2d3c4b5a69788', '--src', '10.20.1.16', '--dhost', 'api.github.com', '--dst', '140.82.121.6', '--server-proto-v', '1.2', '--at', '2026-03-29T12:00:00Z']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^verdict: allowed \(by sg-0a1b2c3d4e5f60718\)$/m);
  assert.match(r.stdout, /"cat":"server","outcome":"allowed","src":"140\.82\.121\.6","spt":443,"proto":"tls","proto_v":"1\.2"/);
  assert.match(r.stderr, /warning HS3203: interface eni-0c3d4e5f6a7b8c901 names group sg-0999888877776666f/);
});

test('dropped by AWS: no flow line; ssh mapped back with --resolve', () => {
  const dropped = runCli(['explain', '--estate', E0, '--src', '10.10.1.7', '--dhost', 'codeload.github.com', '--dst', '140.82.121.9', '--dpt', '8443']);
  assert.equal(dropped.status, 0);
  assert.match(dropped.stdout, /verdict: dropped by AWS/);
  assert.match(dropped.stdout, /^flow lines: none$/m);
  const ssh = runCli(['explain', '--estate', E0, '--src', '10.10.1.5', '--proto', 'ssh', '--dst', '203.0.113.22', '--dpt', '22', '--spt', '50022', '--resolve', 'sftp.bank1.com=203.0.113.22']);
  assert.match(ssh.stdout, /the DNS cache maps 203\.0\.113\.22 back to sftp\.bank1\.com/);
  assert.ok(ssh.stdout.includes(g3('{"dhost":"sftp.bank1.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":50022,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":22,"reason":"sg-0bbb2222"}')));
});

test('exit 2: invalid estate (with a caret diagnostic), missing flags, bad values', () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"groups": [{"gid": "sg-0aaa1111", "egress": [{"ipProtocol": "tcp", "fromPort": "443", "toPort": 443, "cidr": "0.0.0.0/0"}]}]}');
  const r = runCli(['explain', '--estate', bad, '--src', '10.0.0.1', '--dhost', 'a.example.com']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /error HS3202: `fromPort` must be an integer, not a string\n\s+--> .*bad\.json:1:\d+/);
  assert.match(r.stderr, /\^\^\^\^\^/);
  assert.equal(runCli(['explain', '--src', '10.0.0.1']).status, 2);
  assert.equal(runCli(['explain', '--estate', E0]).status, 2);
  assert.equal(runCli(['explain', '--estate', E0, '--src', '10.0.0.1', '--dpt', '70000']).status, 2);
  const v = runCli(['explain', '--estate', E0, '--src', '10.0.0.1', '--proto-v', '1.4']);
  assert.equal(v.status, 2);
  assert.match(v.stderr, /proto_v `1\.4` is not a tls version/);
  assert.equal(runCli(['explain', '--estate', join(dir, 'missing.yaml'), '--src', '10.0.0.1']).status, 2);
});
