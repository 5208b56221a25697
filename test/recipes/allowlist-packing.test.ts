/**
 * Properties of packing allowlists into rule descriptions (spec D4.4a, D4.5): never over 255
 * characters, never a host lost or doubled, never more descriptions than a greedy split in
 * order, and the CIDRs of a port's rules always distinct. Expected values come from plain
 * loops and from parsing the descriptions back, not from the packer. Fixed seed; set
 * HAYSTACK_FC_SEED to try another.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAnnotation } from '../../src/discriminat/annotations.js';
import { AllowlistTally, buildAllowlist, cidrForRule, packAllowlist } from '../../src/recipes/allowlist.js';
import { fcSeed, propertyRunner } from '../support/property.js';

const SEED = fcSeed(20260329);

const holds = propertyRunner(SEED);

const labelArb = fc.stringMatching(/^[a-z0-9_-]{1,40}$/);
/** Hostnames of 2-5 labels (no IPv4 literals), some with a leading `*` label (a fold). */
const hostArb = fc
  .tuple(fc.boolean(), fc.array(labelArb, { minLength: 2, maxLength: 5 }))
  .map(([fold, labels]) => (fold ? ['*', ...labels.slice(1)] : labels).join('.'))
  .filter((h) => !/^[0-9]+(\.[0-9]+){3}$/.test(h));
const hostsArb = fc.uniqueArray(hostArb, { maxLength: 60 });
const BUDGET = 255 - 'discriminat:tls:'.length;

/** Right-to-left labels, as the report orders hosts. */
function key(h: string): string {
  return h.split('.').reverse().join('.');
}

function greedyCount(hosts: readonly string[]): number {
  const sorted = [...hosts].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  let count = 0;
  let used = -1;
  for (const h of sorted) {
    if (used < 0 || used + 1 + h.length > BUDGET) {
      count++;
      used = h.length;
    } else used += 1 + h.length;
  }
  return count;
}

describe('packing descriptions', () => {
  it('never exceeds 255, never loses or doubles a host, never needs more than greedy', () => {
    holds('pack', fc.property(fc.constantFrom('tls' as const, 'ssh' as const), hostsArb, (protocol, hosts) => {
      const packed = packAllowlist(protocol, hosts);
      const seen: string[] = [];
      for (const p of packed) {
        assert.ok(p.description.length <= 255, p.description);
        const parsed = parseAnnotation(p.description, { exposure: 'nuclear' });
        assert.deepEqual(parsed.diagnostics, [], p.description);
        assert.equal(parsed.annotation.kind, 'protocol');
        if (parsed.annotation.kind !== 'protocol') return;
        assert.equal(parsed.annotation.protocol, protocol);
        const entries = parsed.annotation.accepted.map((e) => e.addr);
        assert.deepEqual(entries, p.addrs);
        seen.push(...entries);
      }
      assert.deepEqual([...seen].sort(), [...hosts].sort());
      assert.ok(packed.length <= greedyCount(hosts));
      const total = hosts.reduce((n, h) => n + h.length + 1, 0);
      assert.ok(packed.length >= Math.ceil(total / (BUDGET + 1)));
    }), 400);
  });

  it('does not depend on the order hosts come in', () => {
    holds('order', fc.property(hostsArb.chain((hosts) => fc.tuple(fc.constant(hosts), fc.shuffledSubarray(hosts, { minLength: hosts.length }))), ([hosts, shuffled]) => {
      assert.deepEqual(packAllowlist('tls', shuffled), packAllowlist('tls', hosts));
    }), 200);
  });

  it('builds allowlists that hold every host exactly once, folded or not', () => {
    // Parents from a small pool, so that hosts share them and fold (github.io never does).
    const parentArb = fc.array(fc.constantFrom('example', 'com', 'github', 'io'), { minLength: 1, maxLength: 2 });
    const plainHostArb = fc.tuple(labelArb, parentArb).map(([l, p]) => [l, ...p].join('.'));
    const flowArb = fc.record({ host: plainHostArb, port: fc.constantFrom(22, 443, 8443), proto: fc.constantFrom('tls', 'ssh') });
    let folds = 0;
    holds('allowlist', fc.property(fc.array(flowArb, { maxLength: 80, size: 'max' }), fc.boolean(), (flows, wildcards) => {
      const tally = new AllowlistTally();
      for (const f of flows) tally.add({ dhost: f.host, proto: f.proto, dpt: f.port, src: '10.0.0.1', variant: null }, null);
      const a = buildAllowlist(tally, { gid: 'sg-0ccc3333', wildcards, exposure: 'nuclear' });
      const expected = [...new Set(flows.map((f) => `${f.proto} ${f.port} ${f.host}`))].sort();
      const got: string[] = [];
      const cidrs = new Set<string>();
      for (const r of a.rules) {
        assert.ok(r.description.length <= 255);
        assert.equal(r.description, `discriminat:${r.protocol}:${r.entries.map((e) => e.addr).join(',')}`);
        const cidr = `${r.port} ${r.cidr}`;
        assert.ok(!cidrs.has(cidr), `two rules on ${cidr}`);
        cidrs.add(cidr);
        for (const e of r.entries) {
          for (const h of e.hosts) {
            got.push(`${r.protocol} ${r.port} ${h.host}`);
            // A fold covers exactly the hosts one label under its parent.
            if (e.fold) assert.equal(`*.${h.host.slice(h.host.indexOf('.') + 1)}`, e.addr);
            else assert.equal(h.host, e.addr);
          }
        }
      }
      assert.deepEqual(got.sort(), expected);
      folds += a.folds.length;
    }), 300);
    assert.ok(folds > 0, 'the hosts generated never folded');
  });
});

describe('CIDRs of further rules', () => {
  it('are distinct, canonical IPv4 CIDRs, the first one 0.0.0.0/0', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 5000; n++) {
      const c = cidrForRule(n);
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(c);
      assert.ok(m, c);
      const octets = m.slice(1, 5).map(Number);
      const prefix = Number(m[5]);
      assert.ok(octets.every((o) => o <= 255) && prefix <= 32, c);
      const address = ((octets[0]! * 256 + octets[1]!) * 256 + octets[2]!) * 256 + octets[3]!;
      assert.equal(address % 2 ** (32 - prefix), 0, `${c} is not canonical`);
      assert.ok(!seen.has(c), `${c} twice`);
      seen.add(c);
    }
    assert.equal(cidrForRule(0), '0.0.0.0/0');
  });
});
