/**
 * Issue 5, end to end: the allowlist loop closes. A generated estate whose new service runs under
 * a see-thru group -> `haystack allowlist` for that group -> the rules applied to the estate file
 * -> a fresh day of the same applications against the new estate -> `haystack verify` finds
 * nothing that still needed the see-thru, and replaying the first week against the estate without
 * the see-thru finds nothing newly disallowed. The negative control applies half the hosts: then
 * verify exits 1 and replay finds newly disallowed flows, each to a host left out.
 *
 * The traffic is generated without anomalies (connections no protocol rule could allow: unknown
 * protocols, TLS without SNI, ...): verify and replay rightly count those as still needing the
 * see-thru, whatever the rules, so with them the gates' exit codes would say nothing about the
 * allowlist (test/e2e/demo.test.ts runs the loop on realistic traffic). The monitored service's
 * telemetry (ec2-instance-connect) is allowlisted with the rest, not --exclude'd: an excluded host
 * still needs the see-thru, so replay without it would rightly flag it.
 *
 * `haystack replay` is called through the library: the CLI refuses an estate holding annotation
 * errors, and every generated estate holds some in its history (the batch team's refused
 * wildcards), which the firewall reads past and `replay()` decides as it does.
 *
 * Expected answers come from plain loops over the JSON.parse'd lines and estate files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { estateFromTexts, loadEstate } from '../../src/discriminat/estate.js';
import { writeGenerated } from '../../src/discriminat/generator-files.js';
import { cidrForRule, packAllowlist } from '../../src/recipes/allowlist.js';
import { applyAllowlist, type ApplyRule } from '../../src/recipes/apply.js';
import { anyNewlyDisallowed, replay, type ReplayResult } from '../../src/recipes/replay.js';
import { resolveInputs } from '../../src/sources/inputs.js';
import { runCli } from '../cli/run.js';

type Json = Record<string, unknown>;
interface Line {
  at: number;
  o: Json;
}

const dir = mkdtempSync(join(tmpdir(), 'haystack-e2e-loop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SEED = 'allowlist-loop';
const BEFORE = join(dir, 'before');
const before = await writeGenerated({ out: BEFORE, seed: SEED, anomalies: false });
const LOGS = join(BEFORE, 'DiscrimiNAT');
const ESTATE = join(BEFORE, 'estate.json');
const estateText = readFileSync(ESTATE, 'utf8');

// The monitored application: the new service (no allowlist, a see-thru group to learn one).
const app = before.estate.applications.find((a) => a.kind === 'new-service')!;
const GID = before.seeThru.find((s) => s.app === app.name && s.gid !== '%default')!.gid;
const SINCE = before.end; // the fresh day starts where the week ends

function readExport(path: string): Line[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => ({ at: Date.parse(l.slice(0, l.indexOf(' '))), o: JSON.parse(l.slice(l.indexOf(' ') + 1)) as Json }));
}
const week = readExport(join(LOGS, 'flow.log'));

/** Plain reading of the native file: the addresses of the interfaces that carry `gid` in some view. */
function clientsOf(text: string, gid: string): Set<string> {
  const file = JSON.parse(text) as { views: { interfaces?: { addresses: string[]; groups: string[] }[] }[] };
  const out = new Set<string>();
  for (const v of file.views) for (const ni of v.interfaces ?? []) if (ni.groups.includes(gid)) for (const ip of ni.addresses) out.add(ip);
  return out;
}
const CLIENTS = clientsOf(estateText, GID);

// What the see-thru of the group had to let through in the week: client lines, by host.
const exertedLines = week.filter((l) => l.o.cat === 'client' && l.o.see_thru_gid === GID && l.o.see_thru_exerted === true);
const HOSTS = [...new Set(exertedLines.map((l) => l.o.dhost as string))].sort();

async function inputs(path: string) {
  return (await resolveInputs([path], true)).inputs;
}

function errorKeys(ds: readonly { severity: string; code: string; message: string }[]): string[] {
  return ds.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`).sort();
}

/** The estate with `rules` applied, written next to the logs; and the same without the see-thru. */
function applied(name: string, rules: readonly ApplyRule[]): { path: string; text: string; step7: string } {
  const r = applyAllowlist(ESTATE, estateText, { gid: GID, rules });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, r.text);
  const step7 = applyAllowlist(path, r.text, { gid: GID, rules: [] }, { removeSeeThru: true });
  assert.ok(step7.removedSeeThru > 0, 'the see-thru rule was there to remove');
  return { path, text: r.text, step7: step7.text };
}

/** A fresh day of the same applications against `estate` (the CLI's `generate --estate`). */
function freshDay(name: string, estate: string): Line[] {
  const out = join(dir, name);
  const r = runCli(['generate', '--out', out, '--seed', SEED, '--estate', estate, '--traffic-seed', `${SEED}-fresh`, '--start', SINCE, '--days', '1', '--flows', '15000', '--no-anomalies']);
  assert.equal(r.status, 0, r.stderr);
  return readExport(join(out, 'DiscrimiNAT', 'flow.log'));
}

async function replayWeek(step7: string): Promise<ReplayResult> {
  const { estate, diagnostics } = estateFromTexts([{ file: 'step7.json', text: step7 }]);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error' && d.sourceKind === 'file'), []);
  return replay(await inputs(LOGS), { estate, threads: 1 });
}

let full: { path: string; text: string; step7: string };

describe('the allowlist loop closes (issue 5)', () => {
  it('starts from a see-thru that had to let the new service through', () => {
    assert.ok(exertedLines.length >= 20, `the see-thru of ${GID} exerted ${exertedLines.length} times`);
    assert.ok(HOSTS.length >= 4, `${HOSTS.length} hosts`);
    assert.ok(exertedLines.every((l) => CLIENTS.has(l.o.src as string)));
  });

  // Step 5: the allowlist, from the CLI as a user runs it.
  const al = runCli(['allowlist', '--gid', GID, LOGS, '--output', 'json']);
  const allowlist = JSON.parse(al.stdout) as { gid: string; rules: { protocol: 'tls' | 'ssh'; port: number; cidr: string; description: string; entries: { addr: string }[] }[]; left_out: unknown[] };
  const rules: ApplyRule[] = allowlist.rules.map((r) => ({ protocol: r.protocol, port: r.port, cidr: r.cidr, description: r.description }));

  it('haystack allowlist proposes one entry per host the see-thru let through, on tls 443', () => {
    assert.equal(al.status, 0, al.stderr);
    assert.deepEqual(allowlist.rules.flatMap((r) => r.entries.map((e) => e.addr)).sort(), HOSTS);
    assert.ok(allowlist.rules.every((r) => r.protocol === 'tls' && r.port === 443));
    assert.deepEqual(allowlist.left_out, []);
  });

  full = applied('proposed', rules);

  it('applies the rules as a new group on the see-thru group\'s interfaces; the estate loads with no new error', async () => {
    const file = JSON.parse(full.text) as { views: { groups?: { gid: string; egress: { description?: string; fromPort?: number; ipProtocol: string }[] }[]; interfaces?: { addresses: string[]; groups: string[] }[] }[] };
    const seeThruGids = new Set<string>();
    for (const v of file.views) {
      for (const ni of v.interfaces ?? []) {
        const extra = ni.groups.filter((g) => !(JSON.parse(estateText) as typeof file).views.some((ov) => (ov.groups ?? []).some((og) => og.gid === g)));
        if (ni.groups.includes(GID)) assert.equal(extra.length, 1, `interface ${ni.addresses[0]} gets the new group`);
        else assert.deepEqual(extra, [], 'no other interface changes');
        for (const g of extra) seeThruGids.add(g);
      }
    }
    assert.equal(seeThruGids.size, 1);
    const newGid = [...seeThruGids][0]!;
    assert.match(newGid, /^sg-[0-9a-f]{17}$/);
    for (const v of file.views) {
      const g = (v.groups ?? []).find((x) => x.gid === newGid);
      if (g) assert.deepEqual(g.egress.map((r) => [r.ipProtocol, r.fromPort, r.description]), rules.map((r) => ['tcp', r.port, r.description]));
    }
    const [was, now] = await Promise.all([loadEstate([ESTATE]), loadEstate([full.path])]);
    assert.deepEqual(errorKeys(now.diagnostics), errorKeys(was.diagnostics));
    assert.equal(now.diagnostics.length, was.diagnostics.length, 'no new warning either');
  });

  const day = freshDay('after', full.path);

  it('a fresh day against the new estate: every line of the group is allowed by a protocol rule', () => {
    const mine = day.filter((l) => l.o.cat === 'client' && l.o.see_thru_gid === GID);
    assert.ok(mine.length >= 5, `${mine.length} client lines of the group in the fresh day`);
    assert.ok(day[0]!.at >= Date.parse(SINCE));
    assert.deepEqual(mine.filter((l) => l.o.outcome !== 'allowed').map((l) => l.o.dhost), []);
  });

  it('haystack verify --since the fresh day: nothing needed the see-thru (exit 0)', () => {
    const r = runCli(['verify', '--gid', GID, '--since', SINCE, join(dir, 'after', 'DiscrimiNAT')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^see-thru ${GID} since .*: nothing needed it \\(\\d+ client lines carried the group; protocol rules allowed \\d+\\)$`, 'm'));
  });

  it('replay of the first week against the estate without the see-thru: nothing newly disallowed', async () => {
    const r = await replayWeek(full.step7);
    assert.equal(anyNewlyDisallowed(r), false, JSON.stringify(r.newlyDisallowed.slice(0, 3)));
    // What the see-thru let through, the rules now allow: exactly the exerted lines of its clients.
    const exertedOfClients = week.filter((l) => l.o.cat === 'client' && CLIENTS.has(l.o.src as string) && l.o.see_thru_exerted === true).length;
    const seeThruToAllowed = r.newlyAllowed.filter((x) => x.from === 'see-thru' && x.to === 'allowed' && CLIENTS.has(x.client)).reduce((n, x) => n + x.count, 0);
    assert.equal(seeThruToAllowed, exertedOfClients);
  });
});

describe('negative control: half the hosts', () => {
  const kept = HOSTS.filter((_, i) => i % 2 === 0);
  const dropped = HOSTS.filter((_, i) => i % 2 === 1);
  const half: ApplyRule[] = packAllowlist('tls', kept).map((p, i) => ({ protocol: 'tls', port: 443, cidr: cidrForRule(i), description: p.description }));
  const partial = applied('half', half);
  const day = freshDay('after-half', partial.path);

  it('haystack verify exits 1 and names the hosts left out that the fresh day needed', () => {
    const expected = [...new Set(day.filter((l) => l.o.cat === 'client' && l.o.see_thru_gid === GID && l.o.outcome === 'disallowed').map((l) => l.o.dhost as string))].sort();
    assert.ok(expected.length > 0, 'the fresh day needed a dropped host');
    assert.ok(expected.every((h) => dropped.includes(h)));
    const r = runCli(['verify', '--gid', GID, '--since', SINCE, join(dir, 'after-half', 'DiscrimiNAT'), '--output', 'json']);
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { needed: { dhost: string }[] };
    assert.deepEqual(out.needed.map((d) => d.dhost).sort(), expected);
  });

  it('replay without the see-thru finds newly disallowed flows, each to a host left out', async () => {
    const r = await replayWeek(partial.step7);
    assert.equal(anyNewlyDisallowed(r), true);
    const expected = [...new Set(exertedLines.map((l) => l.o.dhost as string))].filter((h) => dropped.includes(h)).sort();
    assert.deepEqual([...new Set(r.newlyDisallowed.map((x) => x.dhost))].sort(), expected);
    assert.ok(r.newlyDisallowed.every((x) => x.from === 'see-thru' && x.to === 'blocked' && CLIENTS.has(x.client)));
  });
});

describe('the generator options the loop uses', () => {
  it('--no-anomalies: no client line is refused for a reason no protocol rule could change', () => {
    const unallowable = new Set(['protocol unknown', 'sni missing', 'tls version below 1.2', 'ssh version below 2', 'http not allowed', 'dns mismatch']);
    assert.deepEqual(week.filter((l) => l.o.cat === 'client' && unallowable.has(l.o.reason as string)).map((l) => l.o.reason), []);
    assert.ok(week.some((l) => l.o.proto === 'http' && l.o.reason === 'x509 crl'), 'CRL fetches stay');
  });

  it('--estate: the config stream opens with what the view in force writes, the new group included', () => {
    const config = readExport(join(dir, 'after', 'DiscrimiNAT', 'config.log'));
    assert.ok(config.length > 0 && config.every((l) => l.at >= Date.parse(SINCE)));
    const newGid = (JSON.parse(full.text) as { views: { groups?: { gid: string }[] }[] }).views[0]!.groups!.map((g) => g.gid).find((g) => !estateText.includes(g))!;
    const fqdns = config.filter((l) => l.o.cat === 'fqdn' && l.o.gid === newGid).map((l) => l.o.fqdn as string).sort();
    assert.deepEqual(fqdns, HOSTS);
    assert.equal(readFileSync(join(dir, 'after', 'estate.json'), 'utf8'), full.text, 'the estate decided against is written beside the logs');
  });

  it('--estate with another seed is refused: its addresses are not that seed\'s clients', () => {
    const r = runCli(['generate', '--out', join(dir, 'wrong'), '--seed', 'another', '--estate', full.path, '--days', '1', '--flows', '10']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /are not clients of the applications of seed another/);
  });
});
