// The sort stage compares prepared keys (values.ts naturalKey / compareNaturalKeys) instead of
// values; they must order exactly as the documented comparator, naturalCompare (3.6.1, D7, D37).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareNaturalKeys, naturalCompare, naturalKey, Timestamp, type Value } from '../../src/insights/values.js';
import { fcSeed } from '../support/property.js';

const SEED = fcSeed(20261125);

// Texts mixing digit runs (with leading zeros), letters, signs, dots and a non-BMP character,
// so every branch of the comparison is reached: numbers, number-looking strings, chunked text.
const text = fc.array(fc.constantFrom('0', '00', '1', '9', '10', '007', 'a', 'B', '-', '.', ' ', 'é', '\u{1F600}', 'x1', '2e3'), { maxLength: 5 }).map((xs) => xs.join(''));
const value: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -50, max: 50 }),
  fc.double({ noNaN: true, min: -100, max: 100 }),
  fc.integer({ min: 0, max: 2e12 }).map((ms) => new Timestamp(ms)),
  text,
);

describe('insights: prepared sort keys', () => {
  it('compareNaturalKeys orders every pair of values as naturalCompare does', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const want = Math.sign(naturalCompare(a, b));
        const ka = naturalKey(a);
        const kb = naturalKey(b);
        assert.equal(Math.sign(compareNaturalKeys(ka, kb)), want);
        // Keys cache their text chunks on first use: comparing again gives the same answer.
        assert.equal(Math.sign(compareNaturalKeys(ka, kb)), want);
        assert.equal(Math.sign(compareNaturalKeys(kb, ka)), -want || 0);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });
});
