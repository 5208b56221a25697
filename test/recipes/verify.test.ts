/**
 * recipes/verify.ts on generated flow logs (scripts/generate-flow.mjs, export format) and on
 * hand-written lines. Expected answers come from plain loops over the JSON.parse'd lines.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { verifySeeThru, stillNeeded } from '../../src/recipes/verify.js';
import { InputError, type Input } from '../../src/sources/inputs.js';
import { repoRoot } from '../paths.js';

const { generateFlowLines }: typeof import('../../scripts/generate-flow.mjs') = await import(pathToFileURL(join(repoRoot, 'scripts', 'generate-flow.mjs')).href);

const dir = mkdtempSync(join(tmpdir(), 'haystack-verify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const input = (name: string, text: string): Input => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return { name, path };
};

type Line = Record<string, unknown>;
interface Timed {
  at: number;
  o: Line;
}

const exportLines = [...generateFlowLines({ lines: 40_000, seed: 'verify', format: 'export' })];
const FLOW = input('flow.log', exportLines.join('\n') + '\n');
const parsed: Timed[] = exportLines.map((l) => {
  const sp = l.indexOf(' ');
  return { at: Date.parse(l.slice(0, sp)), o: JSON.parse(l.slice(sp + 1)) as Line };
});

/** The recipe's question, answered by a plain loop: destination key -> expected tallies. */
function expected(gid: string, since: number, exclude: (host: string) => boolean = () => false) {
  const byDest = new Map<string, { clients: Set<string>; count: number; exerted: number; blockedExpired: number; first: number; last: number }>();
  let withGid = 0;
  let allowed = 0;
  for (const { at, o } of parsed) {
    if (o.cat !== 'client' || o.see_thru_gid !== gid || at < since) continue;
    withGid++;
    const exerted = o.see_thru_exerted === true;
    const expiredBlock = o.see_thru_exerted === false && (o.see_thru_days_remaining as number) < 0 && o.outcome === 'disallowed';
    if (!exerted && !expiredBlock) {
      if (o.outcome === 'allowed') allowed++;
      continue;
    }
    if (exclude(o.dhost as string)) continue;
    const key = `${o.dhost} ${o.proto} ${o.dpt}`;
    const d = byDest.get(key) ?? { clients: new Set<string>(), count: 0, exerted: 0, blockedExpired: 0, first: Infinity, last: -Infinity };
    d.clients.add(o.src as string);
    d.count++;
    if (exerted) d.exerted++;
    else d.blockedExpired++;
    d.first = Math.min(d.first, at);
    d.last = Math.max(d.last, at);
    byDest.set(key, d);
  }
  return { byDest, withGid, allowed };
}

/** The see-thru gids of the sample with their exerted and expired-blocked client lines. */
function gidStats(): Map<string, { exerted: number; expired: number }> {
  const m = new Map<string, { exerted: number; expired: number }>();
  for (const { o } of parsed) {
    if (o.cat !== 'client' || typeof o.see_thru_gid !== 'string') continue;
    const s = m.get(o.see_thru_gid) ?? { exerted: 0, expired: 0 };
    if (o.see_thru_exerted === true) s.exerted++;
    if ((o.see_thru_days_remaining as number) < 0 && o.outcome === 'disallowed') s.expired++;
    m.set(o.see_thru_gid, s);
  }
  return m;
}

const stats = gidStats();
const busiest = [...stats].filter(([, s]) => s.exerted > 0).sort((a, b) => b[1].exerted - a[1].exerted)[0]![0];
const expiredGid = [...stats].find(([, s]) => s.expired > 0)?.[0];
const mid = parsed[Math.floor(parsed.length / 2)]!.at;

describe('verify: what still needed a see-thru rule', () => {
  it('the sample has what the tests need', () => {
    assert.ok(stats.size >= 3, 'several see-thru groups');
    assert.ok(expiredGid !== undefined, 'a group whose see-thru has expired');
  });

  for (const [label, gidOf, since] of [
    ['the busiest group, since the middle of the logs', () => busiest, mid],
    ['the busiest group, over all the logs', () => busiest, -Infinity],
    ['a group whose see-thru expired (blocked lines count)', () => expiredGid!, -Infinity],
  ] as const) {
    it(label, async () => {
      const gid = gidOf();
      const r = await verifySeeThru([FLOW], { gid, ...(since === -Infinity ? {} : { since }) });
      const want = expected(gid, since);
      assert.equal(r.linesWithGid, want.withGid);
      assert.equal(r.allowedByRules, want.allowed);
      assert.equal(r.needed.length, want.byDest.size);
      let total = 0;
      for (const d of r.needed) {
        const w = want.byDest.get(`${d.dhost} ${d.proto} ${d.dpt}`);
        assert.ok(w, `unexpected destination ${d.dhost} ${d.proto} ${d.dpt}`);
        assert.equal(d.count, w.count);
        assert.equal(d.exerted, w.exerted);
        assert.equal(d.blockedExpired, w.blockedExpired);
        assert.deepEqual([...d.clients].sort(), [...w.clients].sort());
        assert.equal(d.firstSeen, w.first);
        assert.equal(d.lastSeen, w.last);
        total += d.count;
      }
      assert.equal(r.neededLines, total);
      assert.equal(stillNeeded(r), want.byDest.size > 0);
      // Most lines first.
      for (let i = 1; i < r.needed.length; i++) assert.ok(r.needed[i - 1]!.count >= r.needed[i]!.count);
    });
  }

  it('--exclude patterns take hosts out of the gate (D4.6: * within one label)', async () => {
    const pattern = '*.us-west-2.amazonaws.com';
    const oneLabel = (h: string): boolean => h.endsWith('.us-west-2.amazonaws.com') && !h.slice(0, -'.us-west-2.amazonaws.com'.length).includes('.');
    const r = await verifySeeThru([FLOW], { gid: busiest, exclude: [pattern] });
    const want = expected(busiest, -Infinity, oneLabel);
    assert.deepEqual(r.needed.map((d) => `${d.dhost} ${d.proto} ${d.dpt}`).sort(), [...want.byDest.keys()].sort());
    assert.ok(r.excluded.length > 0);
    for (const d of r.excluded) assert.ok(oneLabel(d.dhost), d.dhost);
    // A host two labels deeper is not excluded: the wildcard never crosses a dot.
    assert.ok(!r.excluded.some((d) => d.dhost === 'prod-us-west-2-starport-layer-bucket.s3.us-west-2.amazonaws.com'));
  });

  it('a moment after the last line: nothing needed it, and no line carried the group', async () => {
    const r = await verifySeeThru([FLOW], { gid: busiest, since: parsed[parsed.length - 1]!.at + 1 });
    assert.equal(stillNeeded(r), false);
    assert.equal(r.linesWithGid, 0);
  });

  it('inputs without times cannot honour --since', async () => {
    const bare = input('bare.log', parsed.slice(0, 100).map((p) => JSON.stringify(p.o)).join('\n') + '\n');
    await assert.rejects(verifySeeThru([bare], { gid: busiest, since: 0 }), (e: unknown) => e instanceof InputError && /carry no time, so --since/.test(e.message));
    // Without --since they are fine.
    const r = await verifySeeThru([bare], { gid: busiest });
    assert.equal(r.linesWithGid, parsed.slice(0, 100).filter((p) => p.o.cat === 'client' && p.o.see_thru_gid === busiest).length);
  });

  it('hand-written lines: escapes, spacing, server lines, other groups', async () => {
    const lines = [
      // Counted: exerted client lines, however the JSON is spelled.
      '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":1,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
      '{ "dhost": "pypi.org", "cat": "client", "outcome": "disallowed", "src": "10.10.1.10", "spt": 2, "proto": "tls", "proto_v": "1.3", "dst": "151.101.0.223", "dpt": 443, "reason": "no protocol rule matched", "see_thru_days_remaining": 2, "see_thru_gid": "sg-0ccc3333", "see_thru_exerted": true }',
      '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":3,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","see_thru_days_remaining":2,"see_thru_gid":"sg\\u002d0ccc3333","see_thru_exerted":true}',
      // Not counted: server line, allowed anyway, another group, not JSON.
      '{"dhost":"pypi.org","cat":"server","outcome":"disallowed","src":"151.101.0.223","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.10.1.9","dpt":1,"reason":"no protocol rule matched","see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
      '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.9","spt":4,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}',
      '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":5,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc33334","see_thru_exerted":true}',
      'sg-0ccc3333 not json',
    ];
    const r = await verifySeeThru([input('hand.log', lines.join('\n') + '\n')], { gid: 'sg-0ccc3333' });
    assert.equal(r.needed.length, 1);
    assert.deepEqual({ ...r.needed[0], clients: [...r.needed[0]!.clients] }, {
      dhost: 'pypi.org', proto: 'tls', dpt: 443, clients: ['10.10.1.9', '10.10.1.10'], count: 3, exerted: 3, blockedExpired: 0, firstSeen: null, lastSeen: null,
    });
    assert.equal(r.linesWithGid, 4);
    assert.equal(r.allowedByRules, 1);
    assert.equal(r.report.issues.total, 1, 'the line that is not JSON is a scan issue');
  });
});
