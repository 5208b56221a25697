/**
 * `haystack replay` end to end: flow lines made by `decide` from an estate file, replayed
 * against the same estate (exit 0) and against it without its see-thru rule (exit 1, exactly
 * the exerted flows newly disallowed). Expected counts come from a plain loop over the lines.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decide, toJsonLine } from '../../src/discriminat/decision.js';
import { estateFromTexts } from '../../src/discriminat/estate.js';
import { runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-cli-replay-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const doc = (seeThru: boolean): string => JSON.stringify({
  firewall: { instance: 'i-0f1e2d3c4b5a69788' },
  groups: [
    { gid: 'sg-0aaa1111', egress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: 'discriminat:tls:api.github.com' }] },
    { gid: 'sg-0ccc3333', egress: seeThru ? [{ ipProtocol: '-1', cidr: '0.0.0.0/0', description: 'discriminat:see-thru:2026-04-30' }] : [] },
  ],
  interfaces: [{ eni: 'eni-2', addresses: ['10.10.1.9', '10.10.1.10'], groups: ['sg-0aaa1111', 'sg-0ccc3333'] }],
});
const SAME = join(dir, 'estate.json');
writeFileSync(SAME, doc(true));
const WITHOUT = join(dir, 'without-see-thru.json');
writeFileSync(WITHOUT, doc(false));

const { estate } = estateFromTexts([{ file: SAME, text: doc(true) }]);
const hosts = ['api.github.com', 'pypi.org', 'api.github.com', 'telemetry.example.net'];
const written: string[] = [];
for (let i = 0; i < 400; i++) {
  const at = Date.parse('2026-03-29T08:00:00Z') + i * 90_000;
  const conn = { src: i % 3 === 0 ? '10.10.1.10' : '10.10.1.9', spt: 40_000 + i, dst: '140.82.121.6', dpt: 443, proto: 'tls' as const, proto_v: '1.3', dhost: hosts[i % hosts.length]! };
  for (const l of decide(estate, at, conn).lines) written.push(`${new Date(at).toISOString()} ${toJsonLine(l)}`);
}
const FLOW = join(dir, 'flow.log');
writeFileSync(FLOW, written.join('\n') + '\n');
const BARE = join(dir, 'bare.log');
writeFileSync(BARE, written.map((t) => t.slice(t.indexOf(' ') + 1)).join('\n') + '\n');
const objects = written.map((t) => JSON.parse(t.slice(t.indexOf(' ') + 1)) as Record<string, unknown>);
const clients = objects.filter((o) => o.cat === 'client');
const exerted = clients.filter((o) => o.see_thru_exerted === true);

test('the same estate: nothing changes, exit 0', () => {
  const r = runCli(['replay', '--estate', SAME, FLOW]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^replayed ${clients.length} lines \\(client flow lines\\)`, 'm'));
  assert.match(r.stdout, /^ {2}newly disallowed: 0 lines$/m);
  assert.match(r.stdout, /^ {2}newly allowed: {4}0 lines$/m);
});

test('without the see-thru rule: exactly the exerted flows, exit 1', () => {
  const r = runCli(['replay', '--estate', WITHOUT, FLOW, '--output', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const j = JSON.parse(r.stdout) as { replayed: number; newlyDisallowedLines: number; newlyDisallowed: { client: string; dhost: string; from: string; to: string; count: number }[]; byGroup: unknown[] };
  assert.equal(j.replayed, clients.length);
  assert.equal(j.newlyDisallowedLines, exerted.length);
  const want = new Map<string, number>();
  for (const o of exerted) want.set(`${o.src} ${o.dhost}`, (want.get(`${o.src} ${o.dhost}`) ?? 0) + 1);
  assert.deepEqual(new Map(j.newlyDisallowed.map((x) => [`${x.client} ${x.dhost}`, x.count])), want);
  assert.ok(j.newlyDisallowed.every((x) => x.from === 'see-thru' && x.to === 'blocked'));
  assert.deepEqual(j.byGroup, [{ key: 'sg-0ccc3333', disallowed: exerted.length, allowed: 0 }]);
  const text = runCli(['replay', '--estate', WITHOUT, FLOW]);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /│ 10\.10\.1\.9 +│ sg-0ccc3333 │ pypi\.org +│ tls +│ 443 │ see-thru │ blocked │ no protocol rule matched │/);
});

test('inputs without times need --at', () => {
  const r = runCli(['replay', '--estate', WITHOUT, BARE]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /replay needs a time for each line \(give --at T/);
  assert.equal(runCli(['replay', '--estate', WITHOUT, BARE, '--at', '2026-03-29T12:00:00Z']).status, 1);
  assert.equal(runCli(['replay', '--estate', SAME, BARE, '--at', '2026-03-29T12:00:00Z']).status, 0);
});

test('exit 2: no estate, an invalid estate', () => {
  assert.equal(runCli(['replay', FLOW]).status, 2);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"groups": [{"gid": "sg-0aaa1111", "egress": [{"ipProtocol": "tcp", "fromPort": "443", "toPort": 443, "cidr": "0.0.0.0/0"}]}]}');
  const r = runCli(['replay', '--estate', bad, FLOW]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /error HS3202: `fromPort` must be an integer/);
  assert.equal(r.stdout, '');
});

test('--help shows an example and the exit codes', () => {
  const r = runCli(['replay', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /\$ haystack replay --estate proposed\.yaml flow-export\.log/);
  assert.match(r.stdout, /Exit status: 0 nothing would become less open, 1 something would/);
});
