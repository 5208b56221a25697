/**
 * recipes/see-thru.ts on generated flow logs (scripts/generate-flow.mjs, export format) and a
 * hand-written config trail (spec D3.2, D7). Expected answers come from plain loops over the
 * JSON.parse'd lines and, for the trail, from what the fixture was written to say.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { expiringRules, seeThruRules, type SeeThruRule } from '../../src/recipes/see-thru.js';
import type { Input } from '../../src/sources/inputs.js';
import { repoRoot } from '../paths.js';

const { generateFlowLines, START_MS }: typeof import('../../scripts/generate-flow.mjs') = await import(pathToFileURL(join(repoRoot, 'scripts', 'generate-flow.mjs')).href);

const dir = mkdtempSync(join(tmpdir(), 'haystack-see-thru-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const input = (name: string, text: string): Input => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return { name, path };
};

type Line = Record<string, unknown>;
const DAY = 86_400_000;
const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const plusDays = (ms: number, days: number): string => dateOf(Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), new Date(ms).getUTCDate()) + days * DAY);
const daysBetween = (from: number, thru: string): number => {
  const [y, m, d] = thru.split('-').map(Number) as [number, number, number];
  const f = new Date(from);
  return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(f.getUTCFullYear(), f.getUTCMonth(), f.getUTCDate())) / DAY);
};

// Two runs of the generator, the second a day later. Its synthetic estate is laid out from its
// start, so there every see-thru date is a day later: the dates "move", as when a rule is edited.
const AS_OF = START_MS + 2 * DAY;
const exportLines = [...generateFlowLines({ lines: 30_000, seed: 'see-thru', format: 'export' })];
const later = [...generateFlowLines({ lines: 3_000, seed: 'see-thru', format: 'export', start: START_MS + DAY })];
const all = [...exportLines, ...later];
const parsed = all.map((l) => {
  const sp = l.indexOf(' ');
  return { at: Date.parse(l.slice(0, sp)), o: JSON.parse(l.slice(sp + 1)) as Line };
});
const FLOW = input('flow.log', all.join('\n') + '\n');
const lastFlowAt = Math.max(...parsed.map((p) => p.at));

/** Per gid, from a plain loop: what the flow lines say. */
function flowExpectation() {
  const m = new Map<string, { lines: number; exerted: number; clients: Set<string>; lastAt: number; lastDays: number; dates: Set<string> }>();
  for (const { at, o } of parsed) {
    const gid = o.see_thru_gid;
    if (typeof gid !== 'string') continue;
    const e = m.get(gid) ?? { lines: 0, exerted: 0, clients: new Set<string>(), lastAt: -Infinity, lastDays: 0, dates: new Set<string>() };
    e.lines++;
    if (o.see_thru_exerted === true) e.exerted++;
    e.clients.add((o.cat === 'client' ? o.src : o.dst) as string);
    const days = o.see_thru_days_remaining as number;
    e.dates.add(plusDays(at, days));
    if (at >= e.lastAt) {
      e.lastAt = at;
      e.lastDays = days;
    }
    m.set(gid, e);
  }
  return m;
}
const flows = flowExpectation();
const gids = [...flows.keys()].sort();

// The trail: written to say, per gid, one thing the merge must get right.
const [movedGid, removedGid, olderConfigGid] = gids as [string, string, string];
const impliedOf = (gid: string): string => plusDays(flows.get(gid)!.lastAt, flows.get(gid)!.lastDays);
const cfg = (at: number, outcome: string, gid: string, thru: string): string =>
  `${new Date(at).toISOString()} {"cat":"see-thru","outcome":"${outcome}","gid":"${gid}","thru_date":"${thru}","instance":"i-0f1e2d3c4b5a69788"}`;
const trail = [
  cfg(START_MS - 10 * DAY, 'accepted', olderConfigGid, '2026-03-01'), // flows are newer: the flows' date wins
  cfg(START_MS - 10 * DAY, 'accepted', movedGid, impliedOf(movedGid)),
  cfg(START_MS - 10 * DAY, 'accepted', removedGid, impliedOf(removedGid)),
  cfg(START_MS - 9 * DAY, 'accepted', '%default', '2026-04-02'),
  cfg(START_MS - 9 * DAY, 'accepted', 'sg-0000dead', '2026-05-01'),
  // After the last flow line: a date moved (removed old, accepted new at one moment, D7), a removal.
  cfg(lastFlowAt + 3_600_000, 'removed', movedGid, impliedOf(movedGid)),
  cfg(lastFlowAt + 3_600_000, 'accepted', movedGid, '2026-06-30'),
  cfg(lastFlowAt + 7_200_000, 'removed', removedGid, impliedOf(removedGid)),
  cfg(lastFlowAt + 7_200_000, 'removed', 'sg-0000dead', '2026-05-01'),
  // Not see-thru lines: ignored.
  `${new Date(START_MS).toISOString()} {"cat":"fqdn","outcome":"accepted","gid":"${movedGid}","fqdn":"api.github.com","proto":"tls"}`,
];
const CONFIG = input('config.log', trail.join('\n') + '\n');

describe('see-thru: every rule, from flow and config logs', () => {
  it('flow logs alone: per gid lines, exerted, clients, the newest days and the date they imply', async () => {
    const r = await seeThruRules([FLOW], { asOf: AS_OF });
    assert.deepEqual(r.rules.map((x) => x.gid), gids);
    for (const rule of r.rules) {
      const e = flows.get(rule.gid)!;
      const f = rule.flow!;
      assert.equal(f.lines, e.lines, rule.gid);
      assert.equal(f.exerted, e.exerted, rule.gid);
      assert.deepEqual([...f.clients].sort(), [...e.clients].sort());
      assert.equal(f.lastSeen, e.lastAt);
      assert.equal(f.lastDays, e.lastDays);
      assert.equal(f.thruDate, plusDays(e.lastAt, e.lastDays));
      assert.deepEqual(f.datesSeen, [...e.dates].sort());
      assert.equal(rule.config, null);
      assert.equal(rule.source, 'flow');
      assert.equal(rule.thruDate, f.thruDate);
      assert.equal(rule.daysRemaining, daysBetween(AS_OF, f.thruDate!));
      assert.equal(rule.status, rule.daysRemaining < 0 ? 'expired' : 'active');
    }
    assert.ok(r.rules.some((x) => x.flow!.datesSeen.length === 2), 'some dates moved between the runs');
  });

  it('--warn-days: rules in force with that many days or fewer, expired ones included', async () => {
    const r = await seeThruRules([FLOW], { asOf: AS_OF });
    for (const n of [0, 1, 2, 7, 100]) {
      const want = gids.filter((g) => daysBetween(AS_OF, impliedOf(g)) <= n);
      assert.deepEqual(expiringRules(r, n).map((x) => x.gid), want, `n=${n}`);
    }
    assert.ok(expiringRules(r, 2).some((x) => x.status === 'expired'), 'the sample has an expired rule');
  });

  it('flow and config merged: the newer view decides', async () => {
    const r = await seeThruRules([FLOW, CONFIG], { asOf: START_MS });
    const byGid = new Map<string, SeeThruRule>(r.rules.map((x) => [x.gid, x]));
    assert.equal(r.rules[0]!.gid, '%default', '%default first');
    const moved = byGid.get(movedGid)!;
    assert.equal(moved.source, 'config');
    assert.equal(moved.thruDate, '2026-06-30');
    assert.equal(moved.status, 'active');
    assert.equal(moved.daysRemaining, daysBetween(START_MS, '2026-06-30'));
    assert.deepEqual(moved.config!.history.map((h) => `${h.outcome} ${h.thruDate}`), [`accepted ${impliedOf(movedGid)}`, `removed ${impliedOf(movedGid)}`, 'accepted 2026-06-30']);
    assert.equal(moved.flow!.thruDate, impliedOf(movedGid));

    const removed = byGid.get(removedGid)!;
    assert.equal(removed.status, 'removed');
    assert.equal(removed.source, 'config');

    const older = byGid.get(olderConfigGid)!;
    assert.equal(older.source, 'flow');
    assert.equal(older.thruDate, impliedOf(olderConfigGid));
    assert.equal(older.config!.thruDate, '2026-03-01');

    const def = byGid.get('%default')!;
    assert.equal(def.flow, null);
    assert.equal(def.thruDate, '2026-04-02');
    assert.equal(def.daysRemaining, daysBetween(START_MS, '2026-04-02'));
    assert.equal(byGid.get('sg-0000dead')!.status, 'removed');

    // Removed rules never warn, however old their date.
    const warned = expiringRules(r, 10_000).map((x) => x.gid);
    assert.ok(!warned.includes(removedGid) && !warned.includes('sg-0000dead'));
    assert.ok(warned.includes(movedGid) && warned.includes('%default'));
  });

  it('--gid keeps one group', async () => {
    const r = await seeThruRules([FLOW, CONFIG], { asOf: START_MS, gid: movedGid });
    assert.deepEqual(r.rules.map((x) => x.gid), [movedGid]);
    assert.equal(r.rules[0]!.flow!.lines, flows.get(movedGid)!.lines);
  });

  it('inputs without times: the days last logged, no date', async () => {
    const bare = parsed.slice(0, 5_000).map((p) => p.o);
    const r = await seeThruRules([input('bare.log', bare.map((o) => JSON.stringify(o)).join('\n') + '\n')], { asOf: START_MS });
    const last = new Map<string, number>();
    for (const o of bare) if (typeof o.see_thru_gid === 'string') last.set(o.see_thru_gid, o.see_thru_days_remaining as number);
    assert.deepEqual(r.rules.map((x) => x.gid), [...last.keys()].sort());
    for (const rule of r.rules) {
      assert.equal(rule.thruDate, null);
      assert.equal(rule.daysAsLogged, true);
      assert.equal(rule.daysRemaining, last.get(rule.gid));
      assert.equal(rule.flow!.lastSeen, null);
    }
  });
});
