// The strict JSON parser against JSON.parse: same values (numbers keep their text, objects are
// Maps), same verdict on random mutations of valid JSON, number text kept exactly, keys such
// as __proto__ kept as data, and parseJsonObject's member selection. Fixed seed; set
// HAYSTACK_FC_SEED to try another.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { JsonNumber, MAX_JSON_DEPTH, parseJson, parseJsonObject, type JsonValue } from '../../src/events/json.js';
import { fcSeed, propertyRunner } from '../support/property.js';

const SEED = fcSeed(20261125);

const holds = propertyRunner(SEED);

/** JSON.parse's answer, or NOT_JSON when it throws. */
const NOT_JSON = Symbol('not JSON');
function reference(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/**
 * Where parseJson's value differs from JSON.parse's (null when they agree): JsonNumber against
 * number (same double, and the text reads as that double), Map against a plain object (same
 * own keys, same values), arrays element by element.
 */
function difference(mine: JsonValue | undefined, theirs: unknown, path = '$'): string | null {
  if (mine instanceof JsonNumber) {
    if (typeof theirs !== 'number') return `${path}: number ${mine.text} vs ${JSON.stringify(theirs)}`;
    if (!Object.is(mine.value, theirs)) return `${path}: ${mine.text} reads as ${mine.value}, JSON.parse gives ${theirs}`;
    return null;
  }
  if (mine instanceof Map) {
    if (theirs === null || typeof theirs !== 'object' || Array.isArray(theirs)) return `${path}: object vs ${JSON.stringify(theirs)}`;
    const keys = Object.keys(theirs);
    if (keys.length !== mine.size) return `${path}: keys ${JSON.stringify([...mine.keys()])} vs ${JSON.stringify(keys)}`;
    for (const k of keys) {
      if (!mine.has(k)) return `${path}: missing key ${JSON.stringify(k)}`;
      const d = difference(mine.get(k), (theirs as Record<string, unknown>)[k], `${path}[${JSON.stringify(k)}]`);
      if (d) return d;
    }
    return null;
  }
  if (Array.isArray(mine)) {
    if (!Array.isArray(theirs) || theirs.length !== mine.length) return `${path}: array of ${mine.length} vs ${JSON.stringify(theirs)}`;
    for (let i = 0; i < mine.length; i++) {
      const d = difference(mine[i], theirs[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(mine, theirs) ? null : `${path}: ${JSON.stringify(mine)} vs ${JSON.stringify(theirs)}`;
}

function agrees(text: string): void {
  const theirs = reference(text);
  const mine = parseJson(text);
  if (theirs === NOT_JSON) {
    assert.equal(mine, undefined, `parseJson accepts what JSON.parse rejects: ${JSON.stringify(text)}`);
    return;
  }
  assert.notEqual(mine, undefined, `parseJson rejects what JSON.parse accepts: ${JSON.stringify(text)}`);
  const d = difference(mine, theirs);
  assert.equal(d, null, `on ${JSON.stringify(text)}: ${d}`);
}

// ---- texts ------------------------------------------------------------------------------------

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A JSON text for a value, written in one of several equivalent ways (whitespace, escapes). */
function write(v: unknown, style: { ws: readonly string[]; escape: number }, k = { i: 0 }): string {
  const w = (): string => style.ws[k.i++ % style.ws.length]!;
  const str = (s: string): string => {
    let out = '"';
    for (let i = 0; i < s.length; i++) {
      const ch = s[i]!;
      const c = s.charCodeAt(i);
      const mode = (style.escape >> ((i * 2) % 30)) & 3;
      const hex = c.toString(16).padStart(4, '0');
      if (mode === 1) out += `\\u${i % 2 ? hex.toUpperCase() : hex}`;
      else if (mode === 2 && ch in SHORT_ESCAPES) out += SHORT_ESCAPES[ch];
      else if (mode === 3 && c >= 0x20 && ch !== '"' && ch !== '\\') out += ch; // raw, lone surrogates too
      else out += JSON.stringify(ch).slice(1, -1);
    }
    return out + '"';
  };
  if (typeof v === 'string') return str(v);
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${w()}${v.map((x) => write(x, style, k)).join(`${w()},${w()}`)}${w()}]`;
  return `{${w()}${Object.entries(v).map(([key, x]) => `${str(key)}${w()}:${w()}${write(x, style, k)}`).join(`${w()},${w()}`)}${w()}}`;
}

const style = fc.record({
  ws: fc.array(fc.constantFrom('', '', ' ', '\n', '\t', '\r\n', '  '), { minLength: 1, maxLength: 5 }),
  escape: fc.nat(),
});
const unicodeJson = fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 });
// Strings with lone surrogates, escapes and the characters JSON must escape.
const nastyString = fc.string({ unit: fc.constantFrom('a', '"', '\\', '/', '\b', '\f', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udc00', '😀', 'é', '\uFEFF'), maxLength: 8 });
const nastyValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, nastyString, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(nastyString, tie('value'), { maxKeys: 3 })),
})).value;

/** An object text whose keys repeat (JSON.parse and parseJson: the last one wins, D3b). */
const duplicateKeysText = fc.array(
  fc.tuple(fc.constantFrom('a', 'b', '__proto__', 'constructor', 'toString', '0', ''), fc.jsonValue({ maxDepth: 2 })),
  { minLength: 1, maxLength: 8 },
).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);

/** Edits that keep or break JSON: insert, delete, replace, truncate, duplicate a slice. */
const MUTATION_CHARS = ['{', '}', '[', ']', '"', ',', ':', '0', '1', '9', '-', '+', '.', 'e', 'E', ' ', '\t', '\n', '\r', '\\', '/',
  'u', 't', 'f', 'n', 'r', 'l', 'a', 's', '\u0000', '\u001f', '\u2028', '\uFEFF', '\v', '\u00a0', '\ud800', 'x', '\'', 'N', 'I'];
type Mutation = { at: number; kind: 'insert' | 'delete' | 'replace' | 'truncate' | 'dup'; ch: string; len: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('insert', 'insert', 'delete', 'delete', 'replace', 'replace', 'truncate', 'dup'),
  ch: fc.constantFrom(...MUTATION_CHARS),
  len: fc.integer({ min: 1, max: 6 }),
});
function mutate(text: string, ms: readonly Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const at = t.length === 0 ? 0 : m.at % (t.length + 1);
    switch (m.kind) {
      case 'insert': t = t.slice(0, at) + m.ch + t.slice(at); break;
      case 'delete': t = t.slice(0, at) + t.slice(at + 1); break;
      case 'replace': t = t.slice(0, at) + m.ch + t.slice(at + 1); break;
      case 'truncate': t = t.slice(0, at); break;
      case 'dup': t = t.slice(0, at + m.len) + t.slice(at, at + m.len) + t.slice(at + m.len); break;
    }
  }
  return t;
}
const validText = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.tuple(nastyValue, style).map(([v, s]) => write(v, s)),
  duplicateKeysText,
  fc.constantFrom('0', '-0', '1.50', '1e3', '-1E-3', '12345678901234567890', 'true', 'false', 'null', '""', '"\\u00e9"', '[]', '{}'),
);
const mutated = fc.tuple(validText, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([t, ms]) => mutate(t, ms));

// ---- the properties ----------------------------------------------------------------------------

describe('parseJson agrees with JSON.parse', () => {
  it('on fc.json() texts', () => {
    holds('fc.json', fc.property(fc.json(), (t) => agrees(t)), 3000);
  });

  it('on fc.jsonValue() values with any code point, written with random whitespace and escapes', () => {
    holds('jsonValue', fc.property(unicodeJson, style, (v, s) => agrees(write(v, s))), 3000);
  });

  it('on strings with lone surrogates, control characters and every escape form', () => {
    holds('nasty', fc.property(nastyValue, style, (v, s) => agrees(write(v, s))), 5000);
  });

  it('on objects with duplicate keys: the last one wins', () => {
    holds('duplicates', fc.property(duplicateKeysText, (t) => agrees(t)), 2000);
    const m = parseJson('{"a":1,"b":2,"a":{"c":3}}') as Map<string, JsonValue>;
    assert.deepEqual([...m.keys()].sort(), ['a', 'b']);
    assert.ok(m.get('a') instanceof Map);
  });

  it('on random mutations of valid JSON: the same verdict, and the same value when valid', () => {
    let valid = 0;
    let total = 0;
    holds('mutations', fc.property(mutated, (t) => {
      total++;
      if (reference(t) !== NOT_JSON) valid++;
      agrees(t);
    }), 20000);
    // the mutations are not vacuous: both verdicts are common
    assert.ok(valid > total * 0.1 && valid < total * 0.9, `${valid} of ${total} mutated texts are valid JSON`);
  });

  it('on hand-picked texts near the edges of the grammar', () => {
    const texts = ['', ' ', '01', '1.', '.5', '+1', '1e', '1e+', '-', '--1', '0x10', 'Infinity', 'NaN', '-Infinity', '1_000',
      'tru', 'truE', 'nul', 'True', '[1,]', '[,1]', '{"a":1,}', '{,}', '{"a"}', '{"a":}', '{a:1}', "{'a':1}", '["a\\x41"]',
      '"\\u12"', '"\\u12G4"', '"\\U0041"', '"\\a"', '"\t"', '"\u007f"', '"\u2028"', '\uFEFF{}', '{}\uFEFF', '\u00a0[]', '\v1',
      '[1]]', '[[1]', '{"a":1}}', '1 2', '"a" "b"', '"\\"', '"\\\\"', '"\\/"', '[-0]', '[-0.0e-0]', '1E400', '-1e-400',
      '{"__proto__":[]}', '[\r\n\t 1 ]', '"\ud800"', '"\\ud800"', '"\\uDBFF\\uDFFF"', '{"":""}', '[[[[[]]]]]', 'null null'];
    for (const t of texts) agrees(t);
  });
});

describe('parseJson keeps the text of numbers', () => {
  it('as written, for hand-picked numbers', () => {
    for (const text of ['1.50', '1e3', '1E+3', '-0', '0', '-0.0', '12345678901234567890', '1e-7', '10.000', '0.1e-01']) {
      for (const [wrapped, get] of [
        [text, (v: JsonValue | undefined) => v],
        [`[ ${text} ]`, (v: JsonValue | undefined) => (v as JsonValue[])[0]],
        [`{"n":${text}}`, (v: JsonValue | undefined) => (v as Map<string, JsonValue>).get('n')],
      ] as const) {
        const n = get(parseJson(wrapped));
        assert.ok(n instanceof JsonNumber, `${wrapped}: a JsonNumber`);
        assert.equal(n.text, text);
        assert.ok(Object.is(n.value, JSON.parse(text)), `${text}: value ${n.value}`);
      }
    }
    assert.ok(Object.is((parseJson('-0') as JsonNumber).value, -0));
    assert.equal((parseJson('12345678901234567890') as JsonNumber).value, 12345678901234567890);
  });

  it('as written, for numbers generated from the JSON grammar', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: 1, maxLength: 25 });
    const number = fc.tuple(
      fc.constantFrom('', '-'),
      fc.oneof(fc.constant('0'), fc.tuple(fc.constantFrom('1', '7', '9'), digits).map(([a, b]) => a + b)),
      fc.option(digits, { nil: '' }).map((d) => (d ? `.${d}` : '')),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits), { nil: null }).map((e) => (e ? e.join('') : '')),
    ).map((parts) => parts.join(''));
    holds('number text', fc.property(number, (text) => {
      const v = parseJsonObject(`{"n": ${text}}`, new Set(['n']))?.get('n');
      assert.ok(v instanceof JsonNumber, text);
      assert.equal(v.text, text);
      assert.ok(Object.is(v.value, JSON.parse(text)), `${text}: ${v.value} vs ${JSON.parse(text)}`);
    }), 3000);
  });
});

describe('keys that name Object.prototype members are plain data', () => {
  it('__proto__, constructor, toString and prototype become Map keys and pollute nothing', () => {
    const text = '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"toString":"x","hasOwnProperty":null}';
    const all = parseJsonObject(text, null)!;
    const parsed = parseJson(text) as Map<string, JsonValue>;
    for (const m of [all, parsed]) {
      assert.ok(m instanceof Map);
      assert.deepEqual([...m.keys()], ['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
      assert.ok((m.get('__proto__') as Map<string, JsonValue>).get('polluted') instanceof JsonNumber);
      assert.equal(m.get('toString'), 'x');
      assert.equal(m.get('hasOwnProperty'), null);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    const some = parseJsonObject(text, new Set(['__proto__', 'constructor']))!;
    assert.deepEqual([...some.keys()], ['__proto__', 'constructor']);
    assert.equal(parseJsonObject('{"a":1}', new Set(['__proto__']))!.size, 0);
    assert.equal(parseJsonObject('{"a":1}', new Set(['toString']))!.get('toString'), undefined);
  });
});

describe('parseJsonObject', () => {
  const objectText = fc.oneof(
    fc.tuple(fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor', 'x y', 'é', ''), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), style)
      .map(([o, s]) => write(o, s)),
    duplicateKeysText,
  );
  const wanted = fc.oneof(fc.constant(null), fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c', '__proto__', 'constructor', 'x y', 'é', '', 'zz'), { maxLength: 4 }).map((a) => new Set(a)));

  it('keeps exactly the wanted top-level members, each whole', () => {
    holds('wanted', fc.property(objectText, wanted, (text, want) => {
      const theirs = JSON.parse(text) as Record<string, unknown>;
      const got = parseJsonObject(text, want);
      assert.ok(got instanceof Map, text);
      const expected = Object.keys(theirs).filter((k) => want === null || want.has(k));
      assert.deepEqual([...got.keys()].sort(), expected.sort(), `${text} with ${JSON.stringify(want && [...want])}`);
      for (const k of expected) {
        const d = difference(got.get(k), theirs[k], k);
        assert.equal(d, null, `${text}: ${d}`);
      }
    }), 3000);
  });

  it('rejects invalid JSON anywhere in the object, wanted or not, and anything but an object', () => {
    let accepted = 0;
    holds('object mutations', fc.property(fc.tuple(objectText, fc.array(mutation, { minLength: 1, maxLength: 2 })), wanted, ([t, ms], want) => {
      const text = mutate(t, ms);
      const theirs = reference(text);
      const isObject = theirs !== NOT_JSON && theirs !== null && typeof theirs === 'object' && !Array.isArray(theirs);
      const got = parseJsonObject(text, want);
      assert.equal(got !== undefined, isObject, `${JSON.stringify(text)} with ${JSON.stringify(want && [...want])}: JSON.parse says ${isObject ? '' : 'not '}an object`);
      if (got) accepted++;
    }), 10000);
    assert.ok(accepted > 200, `some mutated texts are still objects (${accepted})`);
    const onlyA = new Set(['a']);
    for (const text of ['{"a":1,"b":[1,2,}', '{"a":1,"b":"\u0001"}', '{"a":1,"b":tru}', '{"a":1,"b":01}', '{"a":1,"b":"\\u12"}',
      '{"a":1,"b":{"c":[{"d":-}]}}', '{"a":1,"b":"\\x"}', '{"a":1} x', '{"a":1}{"b":2}', '{"a":1,"b":1.}', '{"b":[1 2],"a":1}',
      '{"a":1,"b":"unterminated}', '{"a":1,"b":NaN}', '{"a":1,"b"}', '{"a":1,"b":{"c":1,}}']) {
      assert.equal(reference(text), NOT_JSON, `JSON.parse rejects ${text}`);
      assert.equal(parseJsonObject(text, onlyA), undefined, `invalid ${JSON.stringify(text)} is rejected although only a is wanted`);
      assert.equal(parseJsonObject(text, new Set()), undefined);
    }
    for (const text of ['[1]', '"a"', '1', 'null', 'true', '[]', '']) assert.equal(parseJsonObject(text, null), undefined, text);
    assert.deepEqual([...parseJsonObject(' \r\n\t{"a":1} \n', onlyA)!.keys()], ['a']);
  });
});

describe('nesting depth', () => {
  const arrays = (n: number, inner = ''): string => '['.repeat(n) + inner + ']'.repeat(n);
  const objects = (n: number, inner = ''): string => '{"a":'.repeat(n - 1) + `{${inner}}` + '}'.repeat(n - 1);

  it(`accepts nesting up to MAX_JSON_DEPTH (${MAX_JSON_DEPTH})`, () => {
    for (const t of [arrays(MAX_JSON_DEPTH), arrays(MAX_JSON_DEPTH, '1'), objects(MAX_JSON_DEPTH), objects(MAX_JSON_DEPTH, '"b":1')]) {
      agrees(t);
    }
    assert.ok(parseJsonObject(objects(MAX_JSON_DEPTH, '"b":1'), new Set(['a'])));
  });

  it('rejects nesting deeper than MAX_JSON_DEPTH around a value, and hostile nesting, without throwing', () => {
    const deeper = MAX_JSON_DEPTH + 1;
    assert.equal(parseJson(arrays(deeper, '1')), undefined);
    assert.equal(parseJson(objects(deeper, '"b":1')), undefined);
    assert.equal(parseJsonObject(objects(deeper, '"b":1'), new Set(['b'])), undefined);
    assert.equal(parseJson(arrays(200_000)), undefined);
    assert.equal(parseJson('['.repeat(200_000)), undefined);
    assert.equal(parseJsonObject('{"a":' + '['.repeat(200_000), new Set(['b'])), undefined);
  });

  // Bug (json.ts): the depth check is in value(), which an empty array or object never calls
  // for its contents, so MAX_JSON_DEPTH + 1 levels are accepted when the innermost is empty.
  it('rejects MAX_JSON_DEPTH + 1 levels of nesting when the innermost array or object is empty', () => {
    const deeper = MAX_JSON_DEPTH + 1;
    const cases = {
      'arrays around a number': arrays(deeper, '1'),
      'empty arrays': arrays(deeper),
      'objects around a member': objects(deeper, '"b":1'),
      'empty objects': objects(deeper),
    };
    const wrongly = Object.entries(cases).filter(([, t]) => parseJson(t) !== undefined).map(([name]) => name);
    assert.deepEqual(wrongly, [], `parseJson accepts ${deeper} levels of nesting for: ${wrongly.join(', ')}`);
    assert.equal(parseJsonObject(objects(deeper), null), undefined, `parseJsonObject accepts ${deeper} levels of empty objects`);
  });
});
