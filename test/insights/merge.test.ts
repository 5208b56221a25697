// Merging aggregates across threads: scan workers aggregate parts of a file and the main thread
// merges their states in input order. Checked here: every mergeable aggregate, fed values cut
// into random parts (states cloned as a worker's are), answers what one accumulator fed every
// value answers; the exact sum against a BigInt computation of its own; and whole queries on
// worker threads against one thread, with the group order and the ties that order decides.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { compileQuery, QueryRun } from '../../src/index.js';
import { DEFAULT_LIMITS, ExactSum, lookupFunction, ResourceLimitError } from '../../src/insights/functions.js';
import { queryInputs } from '../../src/insights/scan.js';
import { Timestamp, type Value } from '../../src/insights/values.js';
import { fcSeed, propertyRunner } from '../support/property.js';

const holds = propertyRunner(fcSeed(20261126));

const MERGEABLE = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'pct', 'earliest', 'latest', 'sortsFirst', 'sortsLast'];

const value: fc.Arbitrary<Value> = fc.oneof(
  fc.integer({ min: -50, max: 50 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.constantFrom('7', '-3.5', '10', 'abc', 'Abc', 'b10', 'b9', ''),
  fc.integer({ min: 0, max: 5 }).map((n) => new Timestamp(1_700_000_000_000 + n * 1000)),
  fc.constant(undefined),
);

/** One record's value, time and place: few distinct times, so earliest/latest meet ties. */
const entry = fc.record({ v: value, ts: fc.integer({ min: 0, max: 3 }) });

function resultOf(name: string, entries: readonly { v: Value; ts: number }[], cuts: readonly number[]): { one: Value; merged: Value } {
  const spec = lookupFunction(name);
  if (spec?.kind !== 'aggregate') throw new Error(name);
  const constants = name === 'pct' ? [50] : [];
  const one = spec.create(constants, DEFAULT_LIMITS);
  entries.forEach((e, i) => one.add(e.v, e.ts, i));
  // Parts in order: the first is fed here (as the main thread's own records), each later part
  // in an accumulator of its own whose state crosses a structured clone, as from a worker;
  // the last part is fed here again after the merges.
  const bounds = [...new Set(cuts.map((c) => Math.min(c, entries.length)))].sort((a, b) => a - b);
  const edges = [0, ...bounds, entries.length];
  const main = spec.create(constants, DEFAULT_LIMITS);
  for (let p = 0; p + 1 < edges.length; p++) {
    const part = entries.slice(edges[p], edges[p + 1]);
    const ownSeq = (k: number): number => edges[p]! + k;
    if (p === 0 || p === edges.length - 2) part.forEach((e, k) => main.add(e.v, e.ts, ownSeq(k)));
    else {
      const worker = spec.create(constants, DEFAULT_LIMITS);
      part.forEach((e, k) => worker.add(e.v, e.ts, k)); // a worker numbers its part from 0
      main.merge!(structuredClone(worker.state!()));
    }
  }
  return { one: one.result(), merged: main.result() };
}

describe('aggregates merged from parts', () => {
  for (const name of MERGEABLE) {
    it(`${name}: parts merged in order answer as one pass`, () => {
      holds(
        name,
        fc.property(fc.array(entry, { maxLength: 40 }), fc.array(fc.nat(40), { maxLength: 5 }), (entries, cuts) => {
          const { one, merged } = resultOf(name, entries, cuts);
          assert.deepEqual(merged, one);
        }),
        300,
      );
    });
  }

  it('stddev has no state: a query using it is not given to workers', () => {
    const spec = lookupFunction('stddev');
    assert.ok(spec?.kind === 'aggregate');
    assert.equal(spec.create([], DEFAULT_LIMITS).state, undefined);
    assert.equal(new QueryRun(compileQuery('stats stddev(bytes) by dhost')).partSpec(), null);
    assert.notEqual(new QueryRun(compileQuery('stats avg(bytes) by dhost')).partSpec(), null);
  });

  it('which queries workers aggregate: row-wise commands before the first stats, and no @ptr', () => {
    const can = (q: string): boolean => new QueryRun(compileQuery(q)).partSpec() !== null;
    assert.ok(can('filter outcome = "disallowed" | parse dhost /(?<tld>[a-z]+)$/ | fields tolower(tld) as t | stats count() by t | sort t'));
    assert.ok(!can('sort dhost | stats count() by dhost'));
    assert.ok(!can('limit 5 | stats count()'));
    assert.ok(!can('stats count_distinct(@ptr)'));
    assert.ok(!can('fields dhost'));
  });
});

// ---- the exact sum against its own BigInt oracle ----------------------------------------------

/** A finite double as an integer count of 2^-1074 (the smallest subnormal). */
function scaled(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = exp === 0 ? frac : frac | (1n << 52n);
  const shift = exp === 0 ? 0 : exp - 1;
  return sign * (mant << BigInt(shift));
}

/** The next double up or down from a finite x. */
function step(x: number, up: boolean): number {
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, (x > 0) === up ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const MAX_HALF = Number.MAX_VALUE / 2;

describe('ExactSum', () => {
  it('is the double nearest the exact sum, whatever the order and the parts (against BigInt arithmetic)', () => {
    const MAX = Number.MAX_VALUE;
    const magnitude = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(MAX, -MAX, 1e308, -1e308, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** -1000),
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.integer().map((n) => n * 0.1),
    );
    // At or past this many 2^-1074 (MAX plus half its last place), a sum rounds to Infinity.
    const overflow = (1n << 2098n) - (1n << 2044n);
    holds(
      'exact sum',
      fc.property(fc.array(magnitude, { maxLength: 30 }), fc.nat(30), (xs, cut) => {
        const s = new ExactSum();
        for (const x of xs) s.add(x);
        const r = s.value();
        const reversed = new ExactSum();
        for (const x of [...xs].reverse()) reversed.add(x);
        // In two parts, the second summed apart and merged after a structured clone.
        const first = new ExactSum();
        const second = new ExactSum();
        xs.forEach((x, i) => (i < cut ? first : second).add(x));
        first.merge(structuredClone(second.state()));
        for (const other of [reversed.value(), first.value()]) assert.ok(Object.is(other, r), `${other} against ${r}: the order or the parts changed the sum`);
        const exact = xs.reduce((a, x) => a + scaled(x), 0n);
        if (abs(exact) >= overflow) {
          assert.equal(r, exact > 0n ? Infinity : -Infinity);
          return;
        }
        assert.ok(Number.isFinite(r), `${r} for a sum within range`);
        const d = abs(exact - scaled(r));
        for (const n of [step(r, true), step(r, false)]) {
          if (!Number.isFinite(n)) continue;
          const dn = abs(exact - scaled(n));
          assert.ok(d <= dn, `${r} is not the nearest double to the sum of ${JSON.stringify(xs)}`);
        }
      }),
      3000,
    );
  });

  it('values that are not finite add as IEEE adds them, in parts too', () => {
    const sum = (parts: number[][]): number => {
      const [head, ...rest] = parts.map((xs) => {
        const s = new ExactSum();
        for (const x of xs) s.add(x);
        return s;
      });
      for (const r of rest) head!.merge(structuredClone(r.state()));
      return head!.value();
    };
    assert.equal(sum([[Infinity, 1], [2]]), Infinity);
    assert.equal(sum([[1], [Infinity, 2]]), Infinity);
    assert.ok(Number.isNaN(sum([[Infinity], [-Infinity]])));
    assert.equal(sum([[1e308, 1e308], [-1e308]]), 1e308);
    assert.equal(sum([[1e308], [1e308, -1e308]]), 1e308);
    assert.equal(sum([[MAX_HALF, MAX_HALF], [MAX_HALF]]), Infinity);
  });

  it('adds 0.1 ten times to 1 exactly rounded, where a running sum gives 0.9999999999999999', () => {
    const s = new ExactSum();
    let naive = 0;
    for (let i = 0; i < 10; i++) {
      s.add(0.1);
      naive += 0.1;
    }
    assert.equal(naive, 0.9999999999999999);
    assert.equal(s.value(), 1);
  });
});

// ---- whole queries on workers -------------------------------------------------------------------

describe('queries aggregated by workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haystack-merge-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const hosts = ['a.example', 'b.example', 'c.example', 'd.example'];
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const msg: Record<string, unknown> = { dhost: hosts[(i * 7) % 4], bytes: (i % 13) * 1.1, outcome: i % 3 === 0 ? 'disallowed' : 'allowed' };
    if (i % 17 === 0) delete msg.dhost; // the absent group
    // Times repeat, so earliest/latest meet ties that only input order decides.
    lines.push(`2024-05-01T00:0${i % 5}:00.000Z ${JSON.stringify(msg)}`);
  }
  const big = join(dir, 'big.log');
  const small = join(dir, 'small.log');
  writeFileSync(big, lines.join('\n') + '\n');
  writeFileSync(small, lines.slice(0, 40).join('\n') + '\n');

  const queries = [
    'stats count() as n, sum(bytes) as s, avg(bytes) as a, min(bytes) as lo, max(bytes) as hi by dhost',
    'filter outcome = "disallowed" | stats earliest(bytes) as e, latest(bytes) as l, count_distinct(bytes) as d, pct(bytes, 90) as p by dhost',
    'stats sortsFirst(dhost) as f, sortsLast(dhost) as l, count(dhost) as n by bin(2m) as t | sort t',
    'parse dhost /^(?<first>[a-z])/ | stats count() by first, outcome | sort first, outcome | limit 5',
    'stats count() as n',
  ];
  for (const text of queries) {
    it(text, async () => {
      const q = compileQuery(text);
      assert.notEqual(new QueryRun(q).partSpec(), null, 'not a query workers aggregate');
      // The small file is read on this thread (under the floor) between parts of the big one.
      const inputs = [
        { name: 'big', path: big },
        { name: 'small', path: small },
        { name: 'big2', path: big },
      ];
      const one = await queryInputs(q, inputs, { threads: 1, now: 0 });
      assert.ok(one.result.rows.length > 0 && one.report.issues.byKind.size === 0, 'the lines are read as JSON events');
      for (const partBytes of [200, 3000]) {
        const many = await queryInputs(q, inputs, { threads: 2, parallelMinBytes: 10_000, partBytes, now: 0 });
        assert.deepEqual(many.result.rows, one.result.rows, `parts of ${partBytes} bytes`);
        assert.deepEqual(many.result.stats, one.result.stats);
        assert.equal(many.report.lines, one.report.lines);
      }
    });
  }

  it('a cap the merge breaks is the ResourceLimitError of one thread, and the scan stops', async () => {
    const q = compileQuery('stats count() by bytes'); // 13 groups
    const limits = { maxGroups: 5, maxValues: 1000 };
    const inputs = [{ name: 'big', path: big }];
    await assert.rejects(queryInputs(q, inputs, { threads: 1, limits }), ResourceLimitError);
    await assert.rejects(queryInputs(q, inputs, { threads: 2, parallelMinBytes: 10_000, partBytes: 200, limits }), ResourceLimitError);
    // The pool is still usable: the parts left running were not waited for, nor lost.
    const again = await queryInputs(q, inputs, { threads: 2, parallelMinBytes: 10_000, partBytes: 200 });
    assert.equal(again.result.rows.length, 13);
  });
});
