import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AwsJsonExtractor, type AwsJsonIssue, type AwsLogEvent } from '../../src/sources/awsjson.js';

const SEED = 20261125;

interface RawEvent {
  logStreamName?: string;
  timestamp: number;
  message: string;
  ingestionTime?: number;
  eventId?: string;
}
type Style = 'compact' | 'pretty' | 'ascii';

/** What the extractor should deliver for an input event, written out by hand. */
function expected(e: RawEvent): AwsLogEvent {
  const out: AwsLogEvent = { timestamp: e.timestamp, message: e.message };
  if (e.logStreamName !== undefined) out.logStream = e.logStreamName;
  if (e.ingestionTime !== undefined) out.ingestionTime = e.ingestionTime;
  return out;
}

/** Python's ensure_ascii: every non-ASCII UTF-16 unit as \uXXXX (surrogate pairs as two). */
const asciiOnly = (s: string): string => s.replace(/[^\x00-\x7f]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

/**
 * Renders a document piece by piece, so each event's byte offset and byte length are known
 * without asking the code under test. `before`/`after` are top-level members around `events`.
 */
function render(before: [string, unknown][], events: RawEvent[], after: [string, unknown][], style: Style): { text: string; spans: [number, number][] } {
  const pretty = style !== 'compact';
  const enc = (v: unknown, indent: string): string => {
    const s = pretty ? JSON.stringify(v, null, 4).replace(/\n/g, '\n' + indent) : JSON.stringify(v);
    return style === 'ascii' ? asciiOnly(s) : s;
  };
  let text = '';
  const spans: [number, number][] = [];
  const add = (s: string): void => void (text += s);
  const member = ([k, v]: [string, unknown], last: boolean): void =>
    add(pretty ? `    ${enc(k, '')}: ${enc(v, '    ')}${last ? '' : ','}\n` : `${enc(k, '')}:${enc(v, '')}${last ? '' : ','}`);
  add(pretty ? '{\n' : '{');
  before.forEach((m) => member(m, false));
  add(pretty ? '    "events": [' : '"events":[');
  events.forEach((e, i) => {
    add(pretty ? '\n        ' : '');
    const s = enc(e, '        ');
    const start = Buffer.byteLength(text);
    add(s);
    spans.push([start, Buffer.byteLength(s)]);
    if (i < events.length - 1) add(',');
  });
  add(pretty ? (events.length ? '\n    ]' : ']') : ']');
  add(after.length ? ',' : '');
  add(pretty ? '\n' : '');
  after.forEach((m, i) => member(m, i === after.length - 1));
  add('}');
  return { text, spans };
}

const special = [...'ab "\\{}[],:/\n\t\r', 'é', '中', '😀', '\u2028', '\u0000', '\u007f', '\\"', '"events"'];
const message = fc.oneof(
  fc.string({ unit: fc.constantFrom(...special), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue().map((v) => JSON.stringify(v)), // JSON-in-JSON, as flow logs are
);
const rawEvent: fc.Arbitrary<RawEvent> = fc.record(
  {
    logStreamName: fc.constantFrom('flow', 'i-0abc/eth0', 'stream "q"', 'é'),
    timestamp: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    message,
    ingestionTime: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    eventId: fc.stringMatching(/^[0-9]{10,56}$/),
  },
  { requiredKeys: ['timestamp', 'message'] },
).map((e) => ({ ...e })); // fc.record gives null-prototype objects; JSON.parse gives plain ones
// Top-level members besides `events`, including a decoy `events` one level down.
const otherMember = fc.constantFrom<[string, unknown]>(
  ['searchedLogStreams', [{ logStreamName: 'flow', searchedCompletely: true }]],
  ['nextToken', 'Bxkq6kVGFtq2y_Moigeqscg"events":[{'],
  ['nextForwardToken', 'f/3920'],
  ['nextBackwardToken', 'b/3919'],
  ['meta', { events: [{ message: 'decoy', timestamp: 1 }], n: -1.5e3, ok: true, none: null }],
  ['Events', [{ message: 'decoy' }]],
  ['count', 42],
);
interface Doc {
  before: [string, unknown][];
  events: RawEvent[];
  after: [string, unknown][];
  style: Style;
}
const doc: fc.Arbitrary<Doc> = fc.record({
  before: fc.array(otherMember, { maxLength: 2 }),
  events: fc.array(rawEvent, { maxLength: 6 }),
  after: fc.array(otherMember, { maxLength: 2 }),
  style: fc.constantFrom<Style>('compact', 'pretty', 'ascii'),
});
const separator = fc.constantFrom('', '\n', '\r\n', ' \n\n');
// Garbage pieces are chosen so that no two of them, side by side, form a JSON object.
// Chunk sizes, cycled over the input; [1] feeds one byte at a time.
const chunking: fc.Arbitrary<number[]> = fc.oneof(fc.constant([1] as number[]), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 12 }));

interface Run {
  events: [AwsLogEvent, number][];
  issues: AwsJsonIssue[];
}

/**
 * Feeds `input` in chunks through a scratch buffer that is overwritten after each push, so an
 * extractor that kept a view instead of a copy would deliver garbage.
 */
function extract(input: Buffer, sizes: number[], maxEventBytes?: number): Run {
  const out: Run = { events: [], issues: [] };
  const x = new AwsJsonExtractor((e, at) => out.events.push([e, at]), (i) => out.issues.push(i), maxEventBytes);
  const scratch = Buffer.alloc(Math.max(...sizes));
  for (let at = 0, k = 0; at < input.length; k++) {
    const n = Math.min(sizes[k % sizes.length], input.length - at);
    input.copy(scratch, 0, at, at + n);
    x.push(scratch.subarray(0, n));
    scratch.fill(0x7b);
    at += n;
  }
  x.end();
  return out;
}

/** Concatenates rendered documents; returns the text and each event's expected [offset, bytes]. */
function concat(docs: Doc[], seps: string[]) {
  let text = '';
  const want: { event: RawEvent; at: number; bytes: number }[] = [];
  docs.forEach((d, i) => {
    const r = render(d.before, d.events, d.after, d.style);
    const base = Buffer.byteLength(text);
    r.spans.forEach(([at, bytes], j) => want.push({ event: d.events[j], at: base + at, bytes }));
    text += r.text + seps[i % seps.length];
  });
  return { text, want };
}

test('the rendered documents are valid JSON and hold the events (checks the test itself)', () => {
  fc.assert(
    fc.property(doc, (d) => {
      const r = render(d.before, d.events, d.after, d.style);
      const parsed = JSON.parse(r.text) as { events: RawEvent[] };
      assert.deepEqual(parsed.events, d.events);
      const buf = Buffer.from(r.text);
      r.spans.forEach(([at, n], j) => assert.deepEqual(JSON.parse(buf.subarray(at, at + n).toString()), d.events[j]));
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('delivers every event with its offset, across concatenated documents and any chunking', () => {
  fc.assert(
    fc.property(fc.array(doc, { minLength: 1, maxLength: 4 }), fc.array(separator, { minLength: 1, maxLength: 3 }), chunking, (docs, seps, sizes) => {
      const { text, want } = concat(docs, seps);
      const got = extract(Buffer.from(text), sizes);
      assert.deepEqual(got.issues, []);
      assert.deepEqual(got.events, want.map((w) => [expected(w.event), w.at]));
    }),
    { seed: SEED, numRuns: 400 },
  );
});

test('the real AWS CLI layouts: JSON.stringify with 4-space indent, and compact', () => {
  fc.assert(
    fc.property(fc.array(rawEvent, { maxLength: 8 }), fc.boolean(), chunking, (events, pretty, sizes) => {
      const page = { events, searchedLogStreams: [], nextToken: 'x' };
      const text = [page, { nextForwardToken: 'f', events, nextBackwardToken: 'b' }].map((p) => JSON.stringify(p, null, pretty ? 4 : undefined)).join('\n');
      const got = extract(Buffer.from(text), sizes);
      assert.deepEqual(got.issues, []);
      assert.deepEqual(got.events.map(([e]) => e), [...events, ...events].map(expected));
      // Each offset points at the `{` that starts an event.
      for (const [, at] of got.events) assert.equal(text[Buffer.from(text).subarray(0, at).toString().length], '{');
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('an event over maxEventBytes is reported too-long at its offset and scanning continues', () => {
  const max = 300;
  const bigEvent = fc.record({ timestamp: fc.nat(), message: fc.string({ unit: fc.constantFrom('x', 'é', '"', '😀'), maxLength: 250 }) }).map((e) => ({ ...e }));
  fc.assert(
    fc.property(fc.array(fc.record({ before: fc.constant<[string, unknown][]>([]), events: fc.array(bigEvent, { maxLength: 5 }), after: fc.constant<[string, unknown][]>([]), style: fc.constantFrom<Style>('compact', 'pretty') }), { minLength: 1, maxLength: 3 }), chunking, (docs, sizes) => {
      const { text, want } = concat(docs, ['\n']);
      const got = extract(Buffer.from(text), sizes, max);
      assert.deepEqual(got.events, want.filter((w) => w.bytes <= max).map((w) => [expected(w.event), w.at]));
      assert.deepEqual(
        got.issues.map((i) => [i.kind, i.byteOffset]),
        want.filter((w) => w.bytes > max).map((w) => ['too-long', w.at]),
      );
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('a multi-megabyte event is skipped under the default limit and the next one delivered', () => {
  const huge = { timestamp: 1, message: 'x'.repeat(3 << 20) };
  const text = JSON.stringify({ events: [{ timestamp: 0, message: 'a' }, huge, { timestamp: 2, message: 'b' }] });
  const got = extract(Buffer.from(text), [65536]);
  assert.deepEqual(got.events.map(([e]) => e.message), ['a', 'b']);
  assert.deepEqual(got.issues.map((i) => [i.kind, i.byteOffset]), [['too-long', text.indexOf('{"timestamp":1')]]);
});

test('garbage between documents is reported once per run, at its first byte', () => {
  const garbage = fc.constantFrom('hello world', 'x {y', ']}[', '{bad', 'unterminated"', '[1,2]', 'x {\n', '2026-11-25 {\n', 'a\nb\nc', '\u00e9t\u00e9');
  const piece = fc.oneof(doc.map((d) => ({ d })), garbage.map((g) => ({ g })));
  fc.assert(
    fc.property(fc.array(piece, { minLength: 1, maxLength: 6 }), chunking, (pieces, sizes) => {
      let text = '';
      const want: [AwsLogEvent, number][] = [];
      const runs: number[] = [];
      let inRun = false;
      for (const p of pieces) {
        const base = Buffer.byteLength(text);
        if ('g' in p) {
          if (!inRun) runs.push(base); // adjacent garbage (only whitespace between) is one run
          inRun = true;
          text += p.g + '\n';
        } else {
          const r = render(p.d.before, p.d.events, p.d.after, p.d.style);
          r.spans.forEach(([at], j) => want.push([expected(p.d.events[j]), base + at]));
          inRun = false;
          text += r.text + '\n';
        }
      }
      const got = extract(Buffer.from(text), sizes);
      assert.deepEqual(got.events, want);
      assert.deepEqual(got.issues.map((i) => [i.kind, i.byteOffset]), runs.map((at) => ['not-json', at]));
    }),
    { seed: SEED, numRuns: 400 },
  );
});

test('non-object elements, missing message, and bad timestamps', () => {
  const text =
    '{"events": [42, "s,]", [1, {"message": "x"}], null, {"timestamp": 1}, {"message": 5}, ' +
    '{"message": "ok", "timestamp": "1"}, {"message": "ok2"}, {"message": "ok3", "timestamp": 3, "logStreamName": 7, "ingestionTime": "4"}], ' +
    '"nextToken": "a"}{"events": null}{"events": {"message": "no"}, "x": 1}';
  const at = (s: string, from = 0): number => text.indexOf(s, from);
  const got = extract(Buffer.from(text), [1]);
  assert.deepEqual(got.events, [
    [{ timestamp: null, message: 'ok' }, at('{"message": "ok"')],
    [{ timestamp: null, message: 'ok2' }, at('{"message": "ok2"')],
    [{ timestamp: 3, message: 'ok3' }, at('{"message": "ok3"')],
  ]);
  assert.deepEqual(
    got.issues.map((i) => [i.kind, i.byteOffset]),
    [
      ['bad-event', at('42')],
      ['bad-event', at('"s,]"')],
      ['bad-event', at('[1, {')],
      ['bad-event', at('null')],
      ['bad-event', at('{"timestamp": 1}')],
      ['bad-event', at('{"message": 5}')],
      ['bad-event', at('{"message": "ok"')],
      ['bad-event', at('{"message": "ok2"')],
      ['bad-event', at('null}')],
      ['bad-event', at('{"message": "no"}')],
    ],
  );
  assert.match(got.issues[4].message, /message/);
  assert.match(got.issues[6].message, /timestamp/);
  assert.match(got.issues[8].message, /not an array/);
});

test('keys: an escaped spelling of events counts; other keys and deeper events do not', () => {
  const text = '{"ev\\u0065nts": [{"message": "a"}], "events2": [{"message": "no"}], "x": {"events": [{"message": "no"}]}}';
  const got = extract(Buffer.from(text), [1]);
  assert.deepEqual(got.events.map(([e]) => e.message), ['a']);
});

test('a UTF-8 byte order mark at the start is not garbage', () => {
  const got = extract(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"events":[{"message":"m","timestamp":1}]}')]), [1]);
  assert.deepEqual(got.issues, []);
  assert.deepEqual(got.events, [[{ timestamp: 1, message: 'm' }, 3 + '{"events":['.length]]);
});

test('truncated input: the cut event and document are reported; a following page still reads', () => {
  const page = '{"events":[{"message":"b","timestamp":2}]}';
  const cut = '{"events":[{"message":"a","timestamp":1},{"message":"cut sh';
  let got = extract(Buffer.from(cut + '\n' + page), [3]);
  assert.deepEqual(got.events.map(([e]) => e.message), ['a', 'b']);
  assert.deepEqual(got.issues.map((i) => [i.kind, i.byteOffset]), [
    ['bad-event', cut.indexOf('{"message":"cut')],
    ['not-json', cut.length],
  ]);

  got = extract(Buffer.from(cut), [5]);
  assert.deepEqual(got.issues.map((i) => [i.kind, i.byteOffset]), [['bad-event', cut.indexOf('{"message":"cut')]]);
  got = extract(Buffer.from('{"events":[{"message":"a"}], "next'), [5]);
  assert.deepEqual(got.issues.map((i) => i.kind), ['bad-event', 'not-json']); // no timestamp; unfinished document
  got = extract(Buffer.from('{"nextToken": "a"}'), [5]);
  assert.deepEqual(got, { events: [], issues: [] });
});
