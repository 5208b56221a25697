/**
 * `haystack audit` end to end on a config trail written by `estateConfigLines` (spec D7) from a
 * two-view estate: timeline, --at, --diff, JSON, and the exit codes. Expected values are written
 * out from the estate by hand.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { estateConfigLines, toJsonLine } from '../../src/discriminat/decision.js';
import { estateFromTexts } from '../../src/discriminat/estate.js';
import { runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-cli-audit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ESTATE = `views:
  - at: 2026-03-29T00:00:00Z
    groups:
      - { gid: sg-0aaa1111, egress: [{ ipProtocol: tcp, fromPort: 443, toPort: 443, cidr: 0.0.0.0/0, description: "discriminat:tls:api.github.com" }] }
      - { gid: sg-0ccc3333, egress: [{ ipProtocol: "-1", cidr: 0.0.0.0/0, description: "discriminat:see-thru:2026-03-31" }] }
    interfaces:
      - { eni: eni-2, addresses: [10.10.1.9], groups: [sg-0aaa1111, sg-0ccc3333] }
  - at: 2026-03-30T00:00:00Z
    groups:
      - { gid: sg-0aaa1111, egress: [{ ipProtocol: tcp, fromPort: 443, toPort: 443, cidr: 0.0.0.0/0, description: "discriminat:tls:api.github.com,pypi.org" }] }
      - { gid: sg-0ccc3333, egress: [{ ipProtocol: "-1", cidr: 0.0.0.0/0, description: "discriminat:see-thru:2026-03-31" }] }
    interfaces:
      - { eni: eni-2, addresses: [10.10.1.9], groups: [sg-0aaa1111] }
`;
const { estate } = estateFromTexts([{ file: 'estate.yaml', text: ESTATE }]);
const written = estateConfigLines(estate).map(({ at, line }) => `${new Date(at).toISOString()} ${toJsonLine(line)}`);
const CONFIG = join(dir, 'config.log');
writeFileSync(CONFIG, written.join('\n') + '\n');
const BARE = join(dir, 'bare.log');
writeFileSync(BARE, written.map((t) => t.slice(t.indexOf(' ') + 1)).join('\n') + '\n');

test('the timeline: one row per config line', () => {
  const r = runCli(['audit', CONFIG]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^${written.length} config lines:$`, 'm'));
  const j = JSON.parse(runCli(['audit', CONFIG, '--output', 'json']).stdout) as { at: string; cat: string; outcome: string; gid: string }[];
  assert.equal(j.length, written.length);
  assert.deepEqual(j.map((e) => `${e.at} ${e.cat} ${e.outcome} ${e.gid}`), written.map((t) => {
    const o = JSON.parse(t.slice(t.indexOf(' ') + 1)) as Record<string, string>;
    return `${t.slice(0, t.indexOf(' '))} ${o.cat} ${o.outcome} ${o.gid}`;
  }));
});

test('--at: the state at a moment', () => {
  const r = runCli(['audit', CONFIG, '--at', '2026-03-29T12:00:00Z', '--output', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { groups: unknown[]; refused: unknown[] };
  assert.deepEqual(j.groups, [
    { gid: 'sg-0aaa1111', clients: ['10.10.1.9'], allowed: [{ proto: 'tls', fqdn: 'api.github.com' }], thruDate: null },
    { gid: 'sg-0ccc3333', clients: ['10.10.1.9'], allowed: [], thruDate: '2026-03-31' },
  ]);
  const text = runCli(['audit', CONFIG, '--at', '2026-03-30']);
  assert.match(text.stdout, /│ sg-0aaa1111 │ allows +│ tls:pypi\.org +│/);
  assert.match(text.stdout, /│ sg-0ccc3333 │ see-thru │ 2026-03-31 +│/);
  assert.doesNotMatch(text.stdout, /│ sg-0ccc3333 │ client/);
});

test('--diff T1 T2 (paths may follow)', () => {
  const r = runCli(['audit', '--diff', '2026-03-29', '2026-03-30', CONFIG, '--output', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { linesBetween: number; changes: unknown[] };
  assert.deepEqual(j.changes, [
    { change: 'added', kind: 'fqdn', gid: 'sg-0aaa1111', value: 'tls:pypi.org' },
    { change: 'removed', kind: 'client', gid: 'sg-0ccc3333', value: '10.10.1.9' },
  ]);
  assert.equal(j.linesBetween, 2);
});

test('exit 2: --at/--diff on inputs without times, both at once, one moment, a bad time', () => {
  const r = runCli(['audit', BARE, '--at', '2026-03-30']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /carry no time, so --at cannot place its lines in time/);
  assert.equal(runCli(['audit', BARE]).status, 0);
  assert.equal(runCli(['audit', CONFIG, '--at', '2026-03-30', '--diff', '2026-03-29', '2026-03-30']).status, 2);
  assert.equal(runCli(['audit', CONFIG, '--diff', '2026-03-29']).status, 2);
  assert.equal(runCli(['audit', '--diff', '2026-03-30', '2026-03-29', CONFIG]).status, 2);
  assert.equal(runCli(['audit', CONFIG, '--at', 'noon']).status, 2);
});

test('--help shows an example and the exit codes', () => {
  const r = runCli(['audit', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /\$ haystack audit logs\/ --diff 2026-03-01 2026-03-29/);
  assert.match(r.stdout, /Exit status: 0 done, 2 usage/);
});
