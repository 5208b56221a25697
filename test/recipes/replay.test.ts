/**
 * recipes/replay.ts: flow lines made by `decide` (spec D6) from seeded random connections over a
 * hand-written estate, replayed against (a) the same estate, (b) the estate without its see-thru
 * rule, (c) the estate with one more allowlist entry, (d) the estate with one entry fewer. The
 * expected changes are picked out of the JSON.parse'd lines by plain loops.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decide, toJsonLine, type ConnectionSummary } from '../../src/discriminat/decision.js';
import { estateFromTexts, type Estate } from '../../src/discriminat/estate.js';
import { anyNewlyDisallowed, AWS_DROPPED, replay, type ChangeRow, type ReplayResult } from '../../src/recipes/replay.js';
import { InputError, type Input } from '../../src/sources/inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-replay-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const input = (name: string, text: string): Input => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return { name, path };
};

type Json = Record<string, unknown>;
const tcp = (port: number, description: string): Json => ({ ipProtocol: 'tcp', fromPort: port, toPort: port, cidr: '0.0.0.0/0', description });
const ALLOWLIST = 'discriminat:tls:api.github.com,*.github.com,ssm.eu-west-2.amazonaws.com';

/** The estate (spec D5.1a native shape), with a change applied to a fresh copy. */
function estateDoc(change: (groups: Json[]) => void = () => undefined): Json {
  const groups: Json[] = [
    { gid: 'sg-0aaa1111', egress: [tcp(443, ALLOWLIST), tcp(80, 'plain http egress')] },
    { gid: 'sg-0bbb2222', egress: [tcp(22, 'discriminat:ssh:sftp.bank1.com')] },
    { gid: 'sg-0ccc3333', egress: [{ ipProtocol: '-1', cidr: '0.0.0.0/0', description: 'discriminat:see-thru:2026-04-30' }] },
    { gid: 'sg-0ddd4444', egress: [tcp(443, 'egress, no annotation')] },
  ];
  change(groups);
  return {
    firewall: { instance: 'i-0f1e2d3c4b5a69788' },
    groups,
    interfaces: [
      { eni: 'eni-1', addresses: ['10.10.1.5'], groups: ['sg-0aaa1111', 'sg-0bbb2222'] }, // rules, no see-thru
      { eni: 'eni-2', addresses: ['10.10.1.9', '10.10.1.10'], groups: ['sg-0aaa1111', 'sg-0ccc3333'] }, // rules and see-thru
      { eni: 'eni-3', addresses: ['10.10.1.20'], groups: ['sg-0ccc3333'] }, // see-thru only: a new application
      { eni: 'eni-4', addresses: ['10.10.1.30'], groups: ['sg-0ddd4444'] }, // no rules at all
    ],
  };
}

function load(doc: Json): Estate {
  const { estate, diagnostics } = estateFromTexts([{ file: 'estate.json', text: JSON.stringify(doc) }]);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return estate;
}

// ---- Seeded traffic -------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(20260329);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const CLIENTS = ['10.10.1.5', '10.10.1.9', '10.10.1.10', '10.10.1.20', '10.10.1.30', '10.99.0.1'];
const HOSTS = ['api.github.com', 'codeload.github.com', 'ssm.eu-west-2.amazonaws.com', 'pypi.org', 'files.pythonhosted.org', 'telemetry.example.net'];
const START = Date.parse('2026-03-29T08:00:00Z');

function connection(): ConnectionSummary {
  const src = pick(CLIENTS);
  const spt = 32768 + Math.floor(rnd() * 28000);
  const dst = `151.101.${Math.floor(rnd() * 4) * 64}.${1 + Math.floor(rnd() * 250)}`;
  const r = rnd();
  if (r < 0.72) {
    const sni = rnd() < 0.03 ? {} : { dhost: pick(HOSTS) };
    return { src, spt, dst, dpt: rnd() < 0.97 ? 443 : 8443, proto: 'tls', proto_v: rnd() < 0.05 ? '1.1' : pick(['1.2', '1.3', '1.3']), pqc: rnd() < 0.4, ...sni };
  }
  if (r < 0.82) return { src, spt, dst, dpt: 22, proto: 'ssh', proto_v: rnd() < 0.05 ? '1.99' : '2.0', ...(rnd() < 0.8 ? { dhost: 'sftp.bank1.com' } : {}) };
  if (r < 0.9) {
    return { src, spt, dst, dpt: 80, proto: 'http', proto_v: '1.1', dhost: pick(['crl.example.net', 'archive.ubuntu.com']), http: { method: 'GET', path: pick(['/ca.crl', '/dists/InRelease']), userAgent: 'curl/8.5.0' } };
  }
  return { src, spt, dst, dpt: pick([443, 5432]), proto: 'unknown' };
}

const E = load(estateDoc());
const written: string[] = [];
for (let i = 0, at = START; i < 6_000; i++, at += 60_000 + Math.floor(rnd() * 120_000)) {
  const lines = decide(E, at, connection()).lines;
  lines.forEach((l, k) => written.push(`${new Date(at + k * 7).toISOString()} ${toJsonLine(l)}`));
}
const FLOW = input('flow.log', written.join('\n') + '\n');
const clientLines = written.map((t) => JSON.parse(t.slice(t.indexOf(' ') + 1)) as Json).filter((o) => o.cat === 'client');
const stateOf = (o: Json): string => (o.see_thru_exerted === true ? 'see-thru' : o.outcome === 'allowed' ? 'allowed' : 'blocked');

/** Change rows summed per (client, group, dhost, proto, dpt, from, to), whatever the reason. */
function tally(rows: readonly ChangeRow[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    const k = [r.client, r.group, r.dhost, r.proto, r.dpt, r.from, r.to].join(' ');
    m.set(k, (m.get(k) ?? 0) + r.count);
  }
  return m;
}
function expectTally(lines: readonly Json[], group: (o: Json) => string, to: (o: Json) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const o of lines) {
    const k = [o.src, group(o), o.dhost, o.proto, o.dpt, stateOf(o), to(o)].join(' ');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}
const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));

function unchangedTotal(r: ReplayResult): number {
  return r.unchanged.allowed + r.unchanged.seeThru + r.unchanged.blocked;
}

describe('replay: past flows against a proposed estate', () => {
  it('the traffic has every state', () => {
    const states = new Set(clientLines.map(stateOf));
    assert.deepEqual([...states].sort(), ['allowed', 'blocked', 'see-thru']);
    assert.ok(clientLines.length > 4_000);
  });

  it('(a) the same estate: nothing changes', async () => {
    const r = await replay([FLOW], { estate: E });
    assert.equal(r.replayed, clientLines.length);
    assert.deepEqual(r.newlyDisallowed, []);
    assert.deepEqual(r.newlyAllowed, []);
    assert.equal(r.skippedLines, 0);
    assert.equal(r.unchanged.total, clientLines.length);
    assert.equal(unchangedTotal(r), r.unchanged.total);
    assert.equal(r.unchanged.allowed, clientLines.filter((o) => stateOf(o) === 'allowed').length);
    assert.equal(r.unchanged.seeThru, clientLines.filter((o) => stateOf(o) === 'see-thru').length);
    assert.equal(r.unchanged.reasonChanged, 0);
    assert.equal(r.serverLines, written.length - clientLines.length);
    assert.equal(anyNewlyDisallowed(r), false);
  });

  it('(b) without the see-thru rule: exactly the exerted flows become disallowed', async () => {
    const r = await replay([FLOW], { estate: load(estateDoc((gs) => (gs[2] = { gid: 'sg-0ccc3333', egress: [] }))) });
    const exerted = clientLines.filter((o) => o.see_thru_exerted === true);
    assert.ok(exerted.length > 100);
    assert.deepEqual(sorted(tally(r.newlyDisallowed)), sorted(expectTally(exerted, (o) => o.see_thru_gid as string, () => 'blocked')));
    assert.equal(r.disallowedLines, exerted.length);
    assert.deepEqual(r.newlyAllowed, []);
    assert.equal(r.unchanged.total, clientLines.length - exerted.length);
    assert.equal(anyNewlyDisallowed(r), true);
    // The see-thru-only client has no egress rule left: AWS drops its packets (spec D6.2).
    assert.ok(r.newlyDisallowed.filter((x) => x.client === '10.10.1.20').every((x) => x.reason === AWS_DROPPED));
    // Others keep the firewall's own refusal.
    const kept = r.newlyDisallowed.filter((x) => x.client === '10.10.1.9' && x.proto === 'tls' && x.dpt === 443);
    assert.ok(kept.length > 0 && kept.every((x) => x.reason !== AWS_DROPPED));
    // Totals by group: all of it is the see-thru group's.
    assert.deepEqual(r.byGroup, [{ key: 'sg-0ccc3333', disallowed: exerted.length, allowed: 0 }]);
    const byHost = new Map<string, number>();
    for (const o of exerted) byHost.set(o.dhost as string, (byHost.get(o.dhost as string) ?? 0) + 1);
    assert.deepEqual(new Map(r.byHost.map((t) => [t.key, t.disallowed])), byHost);
  });

  it('(c) with pypi.org allowlisted: exactly those flows become allowed', async () => {
    const r = await replay([FLOW], { estate: load(estateDoc((gs) => (gs[0] = { gid: 'sg-0aaa1111', egress: [tcp(443, `${ALLOWLIST},pypi.org`), tcp(80, 'plain http egress')] }))) });
    const withRules = new Set(['10.10.1.5', '10.10.1.9', '10.10.1.10']);
    const want = clientLines.filter(
      (o) => o.dhost === 'pypi.org' && o.proto === 'tls' && o.dpt === 443 && (o.proto_v === '1.2' || o.proto_v === '1.3') && withRules.has(o.src as string) && stateOf(o) !== 'allowed',
    );
    assert.ok(want.length > 20);
    assert.deepEqual(sorted(tally(r.newlyAllowed)), sorted(expectTally(want, () => 'sg-0aaa1111', () => 'allowed')));
    assert.ok(r.newlyAllowed.every((x) => x.reason === 'sg-0aaa1111'));
    assert.deepEqual(r.newlyDisallowed, []);
    assert.equal(anyNewlyDisallowed(r), false);
    // Both ways in: through the see-thru before (10.10.1.9/10) and blocked before (10.10.1.5).
    assert.deepEqual([...new Set(r.newlyAllowed.map((x) => x.from))].sort(), ['blocked', 'see-thru']);
  });

  it('(d) with an entry removed: allowed flows now rely on the see-thru, or are blocked', async () => {
    const r = await replay([FLOW], { estate: load(estateDoc((gs) => (gs[0] = { gid: 'sg-0aaa1111', egress: [tcp(443, 'discriminat:tls:api.github.com,*.github.com'), tcp(80, 'plain http egress')] }))) });
    const want = clientLines.filter((o) => o.dhost === 'ssm.eu-west-2.amazonaws.com' && o.outcome === 'allowed');
    assert.ok(want.length > 20);
    const covered = new Set(['10.10.1.9', '10.10.1.10']);
    assert.deepEqual(sorted(tally(r.newlyDisallowed)), sorted(expectTally(want, () => 'sg-0aaa1111', (o) => (covered.has(o.src as string) ? 'see-thru' : 'blocked'))));
    assert.ok(r.newlyDisallowed.every((x) => x.reason === 'no protocol rule matched'));
    assert.equal(anyNewlyDisallowed(r), true);
  });

  it('lines that cannot be replayed are counted with why; server lines are left out', async () => {
    const ok = '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","instance":"i-0f1e2d3c4b5a69788","pqc":true}';
    const lines = [
      ok,
      ok.replace(',"dpt":443', ''),
      ok.replace(',"dpt":443', '').replace(',"src":"10.10.1.5"', ''),
      ok.replace('"proto_v":"1.3"', '"proto_v":"1.4"'),
      ok.replace('"spt":40001', '"spt":"40001"'),
      '{"dhost":"crl.example.net","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":42000,"proto":"http","proto_v":"1.1","dst":"93.184.216.34","dpt":80,"reason":"http not allowed"}',
      ok.replace('"cat":"client"', '"cat":"server"'),
    ].map((l) => `2026-03-29T12:00:00Z ${l}`);
    const r = await replay([input('odd.log', lines.join('\n') + '\n')], { estate: E });
    assert.equal(r.replayed, 1);
    assert.equal(r.serverLines, 1);
    assert.equal(r.skippedLines, 5);
    assert.deepEqual(new Map(r.skipped.map((s) => [s.why, s.count])), new Map([
      ['missing dpt', 1],
      ['missing src, dpt', 1],
      ['invalid: proto_v is not a tls version (one of 1.0, 1.1, 1.2, 1.3)', 1],
      ['wrong type: spt', 1],
      ['missing http_method, http_path', 1],
    ]));
    assert.deepEqual(r.skipped.find((s) => s.why === 'missing dpt')!.examples, ['odd.log:2']);
  });

  it('inputs without times: refused unless --at gives the moment', async () => {
    const bare = input('bare.log', written.slice(0, 200).map((t) => t.slice(t.indexOf(' ') + 1)).join('\n') + '\n');
    await assert.rejects(replay([bare], { estate: E }), (e: unknown) => e instanceof InputError && /give --at/.test(e.message));
    const r = await replay([bare], { estate: E, at: START });
    assert.equal(r.replayed, written.slice(0, 200).filter((t) => t.includes('"cat":"client"')).length);
    assert.equal(r.replayed + r.serverLines, 200);
    // The see-thru is still active at START, so nothing changes for these lines.
    assert.deepEqual(r.newlyDisallowed, []);
  });

  it('a DNS mismatch stays refused: the log does not say what DNS answered', async () => {
    const line = '2026-03-29T12:00:00Z {"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"203.0.113.9","dpt":443,"reason":"dns mismatch","instance":"i-0f1e2d3c4b5a69788","pqc":false}';
    const r = await replay([input('dns.log', line + '\n')], { estate: E });
    assert.deepEqual(r.newlyAllowed, []);
    assert.equal(r.unchanged.blocked, 1);
    assert.equal(r.outOfBandKept, 1);
  });
});
