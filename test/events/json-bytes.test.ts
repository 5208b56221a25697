/**
 * The byte reader (json-bytes.ts) gives exactly what the string reader (json.ts) gives, on
 * valid and broken JSON alike, with and without a wanted-member set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JsonNumber, type JsonValue, parseJsonObject } from '../../src/events/json.js';
import { parseJsonObjectBytes, WantedKeys } from '../../src/events/json-bytes.js';

const seed = Number(process.env.HAYSTACK_FC_SEED ?? 20261125);

function plain(v: JsonValue | undefined): unknown {
  if (v instanceof JsonNumber) return { n: v.text };
  if (v instanceof Map) return [...v].map(([k, x]) => [k, plain(x)]);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

function agree(text: string, wanted: string[] | null): void {
  const a = parseJsonObject(text, wanted === null ? null : new Set(wanted));
  const buf = Buffer.from(`xx${text}yy`); // an offset inside a larger buffer
  const b = parseJsonObjectBytes(buf, 2, buf.length - 2, wanted === null ? null : new WantedKeys(wanted));
  assert.deepEqual(b === undefined ? undefined : plain(b.members), a === undefined ? undefined : plain(a), `text ${JSON.stringify(text)} wanted ${JSON.stringify(wanted)}`);
}

const keys = fc.constantFrom('a', 'b', 'dhost', 'outcome', '__proto__', 'é', 'a.b', '\u00e9\u0301', '"q"');

test('agrees with the string reader on generated objects (seed printed on failure)', () => {
  fc.assert(
    fc.property(fc.dictionary(keys, fc.jsonValue(), { maxKeys: 6 }), fc.option(fc.subarray(['a', 'b', 'dhost', 'outcome', '__proto__', 'é', 'a.b', '"q"']), { nil: null }), fc.boolean(), (obj, wanted, pretty) => {
      agree(JSON.stringify(obj, null, pretty ? 2 : undefined), wanted);
    }),
    { seed, numRuns: 3000 },
  );
});

test('agrees on mutated (mostly broken) text', () => {
  const base = '{"dhost":"api.github.com","dpt":443,"ok":true,"n":null,"x":[1,{"y":"\\u00e9\\n"}],"f":-1.50e+3}';
  fc.assert(
    fc.property(fc.nat(base.length - 1), fc.constantFrom('', '"', '\\', '{', '}', ',', ':', ' ', '\u0001', 'x', '0', '\\u12', ']'), fc.nat(3), (at, insert, cut) => {
      agree(base.slice(0, at) + insert + base.slice(at + cut), ['dhost', 'x']);
    }),
    { seed, numRuns: 5000 },
  );
});

test('edge texts', () => {
  for (const t of ['{}', ' {"a":1} ', '{"a":1}x', '[1]', '"s"', '', '{', '{"a":01}', '{"a":1.}', '{"a":"\\ud800"}', '{"\\u0061":2,"a":3}', '{"a":1,"a":2}', '\r{"a":1}\r', `${'['.repeat(600)}${']'.repeat(600)}`, `{"a":${'['.repeat(600)}${']'.repeat(600)}}`])
    for (const w of [null, ['a']]) agree(t, w);
});
