import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatIso, parseIsoTimestamp, parseTimeArg } from '../../src/sources/time.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';

const SEED = 20261125;
const run = <T>(p: fc.IPropertyWithHooks<T>, numRuns = 2000): void => fc.assert(p, { seed: SEED, numRuns });

/** Independent oracle: epoch ms of the fields via Date's own calendar, NaN if any field overflowed. */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  const same =
    t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d &&
    t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
  return same ? t.getTime() : NaN;
}

/** Independent oracle for the whole grammar: a regex, then the fields through `utc`. */
const GRAMMAR = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
function oracle(text: string): number {
  const m = GRAMMAR.exec(text);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, frac = '', sign, oh = '0', om = '0'] = m;
  if (Number(oh) > 23 || Number(om) > 59) return NaN;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const ms = Number(frac.slice(0, 3).padEnd(3, '0'));
  return utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms) - offset * 60_000;
}

const parse = (text: string): number => parseIsoTimestamp(Buffer.from(text), 0, Buffer.byteLength(text));
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

// Fields slightly past their ranges so that invalid dates are generated too.
const stamp = fc
  .record({
    y: fc.integer({ min: 0, max: 9999 }),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 24 }),
    mi: fc.integer({ min: 0, max: 60 }),
    s: fc.integer({ min: 0, max: 60 }),
    frac: fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 10 }),
    zone: fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 })).map(
        ([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`,
      ),
    ),
  })
  .map(
    (f) =>
      `${pad(f.y, 4)}-${pad(f.mo, 2)}-${pad(f.d, 2)}T${pad(f.h, 2)}:${pad(f.mi, 2)}:${pad(f.s, 2)}` +
      `${f.frac ? '.' + f.frac : ''}${f.zone}`,
  );

test('parseIsoTimestamp matches the oracle on generated timestamps, valid and out of range', () => {
  run(fc.property(stamp, (text) => Object.is(parse(text), oracle(text))), 5000);
});

test('parseIsoTimestamp matches the oracle on mutated timestamps', () => {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('del', 'ins', 'set'), fc.constantFrom(...'0123456789-:T.Z+ tz\u00e9'));
  run(
    fc.property(stamp, fc.array(edit, { minLength: 1, maxLength: 3 }), (base, edits) => {
      let text = base;
      for (const [at, op, ch] of edits) {
        const k = at % (text.length + 1);
        text = op === 'del' ? text.slice(0, k) + text.slice(k + 1) : op === 'ins' ? text.slice(0, k) + ch + text.slice(k) : text.slice(0, k) + ch + text.slice(k + 1);
      }
      return Object.is(parse(text), oracle(text));
    }),
    5000,
  );
});

test('parseIsoTimestamp agrees with Date.parse where Date.parse is exact', () => {
  const valid = fc
    .record({
      y: fc.integer({ min: 1970, max: 9999 }),
      mo: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
      h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 59 }),
      frac: fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 3 }),
      zone: fc.constantFrom('Z', '+00:00', '+01:00', '-05:30', '+14:00', '-12:00'),
    })
    .map((f) => `${pad(f.y, 4)}-${pad(f.mo, 2)}-${pad(f.d, 2)}T${pad(f.h, 2)}:${pad(f.mi, 2)}:${pad(f.s, 2)}${f.frac ? '.' + f.frac : ''}${f.zone}`);
  run(fc.property(valid, (text) => parse(text) === Date.parse(text)));
});

test('parseIsoTimestamp reads a range inside a larger buffer and nothing outside it', () => {
  run(
    fc.property(stamp, fc.string(), fc.string(), (text, before, after) => {
      const buf = Buffer.from(before + text + after);
      const start = Buffer.byteLength(before);
      return Object.is(parseIsoTimestamp(buf, start, start + text.length), oracle(text));
    }),
  );
  const line = Buffer.from('2026-11-25T13:00:00Z 2026-11-25T13:00:00.5Z');
  assert.equal(parseIsoTimestamp(line, 0, 20), Date.UTC(2026, 10, 25, 13));
  assert.equal(parseIsoTimestamp(line, 21, line.length), Date.UTC(2026, 10, 25, 13, 0, 0, 500));
  assert.ok(Number.isNaN(parseIsoTimestamp(line, 0, 21)), 'trailing space is not part of a timestamp');
  assert.ok(Number.isNaN(parseIsoTimestamp(line, 0, 100)), 'end past the buffer');
});

test('parseIsoTimestamp: the forms logs use, and the edges', () => {
  const base = Date.UTC(2026, 10, 25, 13, 0, 0);
  assert.equal(parse('2026-11-25T13:00:00Z'), base);
  assert.equal(parse('2026-11-25T13:00:00.123Z'), base + 123);
  assert.equal(parse('2026-11-25T13:00:00.123456+00:00'), base + 123, 'aws logs tail');
  assert.equal(parse('2026-11-25T13:00:00.999999999Z'), base + 999, 'truncated, not rounded');
  assert.equal(parse('2026-11-25T14:30:00+01:30'), base);
  assert.equal(parse('2026-11-25T08:00:00-05:00'), base);
  assert.equal(parse('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
  assert.equal(parse('2000-02-29T00:00:00Z'), Date.UTC(2000, 1, 29));
  assert.equal(parse('1969-12-31T23:59:59.999Z'), -1);
  assert.equal(parse('0000-01-01T00:00:00Z'), -62167219200000);
  for (const bad of [
    '',
    '2026-11-25',
    '2026-11-25T13:00:00',
    '2026-11-25 13:00:00Z',
    '2026-11-25t13:00:00Z',
    '2026-11-25T13:00:00z',
    '2026-11-25T13:00Z',
    '2026-11-25T13:00:00.Z',
    '2026-11-25T13:00:00.1234567890Z',
    '2026-11-25T13:00:00+0100',
    '2026-11-25T13:00:00+01',
    '2026-11-25T13:00:00+24:00',
    '2026-11-25T13:00:00Z ',
    '2026-13-01T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-11-00T00:00:00Z',
    '2026-11-31T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-11-25T24:00:00Z',
    '2026-11-25T13:60:00Z',
    '2026-12-31T23:59:60Z',
    '2026-1-25T13:00:00Z',
    '+2026-11-25T13:00:00Z',
    '2026-11-25T13:00:0aZ',
  ]) {
    assert.ok(Number.isNaN(parse(bad)), `should reject ${JSON.stringify(bad)}`);
  }
});

test('formatIso prints UTC with milliseconds and round-trips through parseIsoTimestamp', () => {
  assert.equal(formatIso(Date.UTC(2026, 10, 25, 13)), '2026-11-25T13:00:00.000Z');
  run(
    fc.property(fc.integer({ min: -62167219200000, max: 253402300799999 }), (ms) => {
      const text = formatIso(ms);
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text) && parse(text) === ms;
    }),
  );
});

test('parseTimeArg: ISO date-times, zone-less meaning UTC', () => {
  const now = Date.UTC(2030, 0, 1);
  const base = Date.UTC(2026, 10, 25, 13);
  assert.equal(parseTimeArg('2026-11-25T13:00:00Z', now), base);
  assert.equal(parseTimeArg('2026-11-25T13:00:00.250Z', now), base + 250);
  assert.equal(parseTimeArg('2026-11-25T13:00:00.123456+00:00', now), base + 123);
  assert.equal(parseTimeArg('2026-11-25T14:00:00+01:00', now), base);
  assert.equal(parseTimeArg('2026-11-25T14:00:00+0100', now), base);
  assert.equal(parseTimeArg('2026-11-25T08:00-05', now), base);
  assert.equal(parseTimeArg('2026-11-25T13:00:00', now), base);
  assert.equal(parseTimeArg('2026-11-25 13:00', now), base);
  assert.equal(parseTimeArg('2026-11-25', now), Date.UTC(2026, 10, 25));
  assert.equal(parseTimeArg('  2026-11-25  ', now), Date.UTC(2026, 10, 25));
});

test('parseTimeArg: epoch milliseconds and durations before now', () => {
  const now = 1_795_611_600_000;
  assert.equal(parseTimeArg('1795611600000', now), 1795611600000);
  assert.equal(parseTimeArg('100000000000', now), 100000000000);
  assert.equal(parseTimeArg('90s', now), now - 90_000);
  assert.equal(parseTimeArg('15m', now), now - 15 * 60_000);
  assert.equal(parseTimeArg('2h', now), now - 2 * 3_600_000);
  assert.equal(parseTimeArg('7d', now), now - 7 * 86_400_000);
  assert.equal(parseTimeArg('1w', now), now - 7 * 86_400_000);
  assert.equal(parseTimeArg('1h30m', now), now - 90 * 60_000);
  assert.equal(parseTimeArg('1w2d3h4m5s', now), now - (((9 * 24 + 3) * 60 + 4) * 60 + 5) * 1000);
  assert.equal(parseTimeArg('0s', now), now);
});

test('parseTimeArg: invalid text throws HS4101 over the whole text, with a hint', () => {
  for (const bad of [
    '',
    'yesterday',
    '1795611600',
    '12345',
    '123456789012345',
    '2026-13-01',
    '2026-02-30T00:00:00Z',
    '2026-11-25T25:00',
    '2026-11-25T13:00:00+25:00',
    '2026-11-25Z',
    '2026/11/25',
    '1h 30m',
    '1H',
    '1y',
    '-1h',
    'h',
    '99999999999999999999w',
  ]) {
    assert.throws(
      () => parseTimeArg(bad, 0),
      (err: unknown) => {
        assert.ok(err instanceof DiagnosticError, `${JSON.stringify(bad)} throws DiagnosticError`);
        const [d] = err.diagnostics;
        assert.equal(d.code, 'HS4101');
        assert.equal(d.severity, 'error');
        assert.deepEqual(d.span, { start: 0, end: bad.length });
        assert.ok(d.hint && d.hint.includes('1h30m'), 'hint lists the accepted forms');
        assert.equal(err.source, bad);
        return true;
      },
      `should reject ${JSON.stringify(bad)}`,
    );
  }
  assert.throws(() => parseTimeArg('1795611600', 0), (e: DiagnosticError) => /epoch seconds/.test(e.diagnostics[0].message));
});
