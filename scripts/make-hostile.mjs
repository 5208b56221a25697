#!/usr/bin/env node
// Builds test/hostile/: a corpus of log files an attacker could have written (issue 7), and
// test/hostile/MANIFEST.json, which says for every file and every line what haystack must do
// with it. Deterministic: re-running it writes the same bytes (gzip members are built by hand
// from stored blocks, except the one that must be small, which zlib compresses).
//
// Cases that must not be committed are written at test time by `--runtime DIR`: lines over
// 1 MiB in a plain file, and a directory with a symlink loop, a dangling symlink, a file with
// mode 000 and a FIFO. The manifest describes them too (its `runtime` list).
//
//   node scripts/make-hostile.mjs              write test/hostile/
//   node scripts/make-hostile.mjs --check      exit 1 when test/hostile/ differs from what it would write
//   node scripts/make-hostile.mjs --out DIR    write the corpus into DIR instead
//   node scripts/make-hostile.mjs --runtime DIR   write the test-time cases into DIR

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as zc, gunzipSync, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = join(root, 'test', 'hostile');

const MIB = 1024 * 1024;
const ESC = '\u001b';
const BEL = '\u0007';
const NUL = '\u0000';

// ---- bytes -----------------------------------------------------------------------------------

/** A line's bytes: strings are UTF-8, numbers are raw bytes, arrays are concatenated. */
function bytes(...parts) {
  return Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.of(p) : Array.isArray(p) ? Buffer.from(p) : Buffer.isBuffer(p) ? p : Buffer.from(p, 'utf8'))));
}

/** A line: its bytes (no line ending), what it is, and what haystack must do with it. */
function line(b, content, expect, expectParsed) {
  const buf = Buffer.isBuffer(b) ? b : bytes(b);
  if (buf.includes(0x0a)) throw new Error(`a line may not hold a newline: ${content}`);
  return { bytes: buf, content, expect, ...(expectParsed !== undefined && expectParsed !== expect ? { expectParsed } : {}) };
}

/** Joins lines; `eol` per line (a string, or a function of the index); no ending after the last when `final` is false. */
function joinLines(lines, { eol = '\n', final = true, bom = false } = {}) {
  const parts = bom ? [Buffer.of(0xef, 0xbb, 0xbf)] : [];
  lines.forEach((l, i) => {
    parts.push(l.bytes);
    const last = i === lines.length - 1;
    if (!last || final) parts.push(Buffer.from(typeof eol === 'function' ? eol(i) : eol, 'latin1'));
  });
  return Buffer.concat(parts);
}

/** CRC-32 (IEEE), for gzip trailers; written here so the script needs no particular Node. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The 10-byte gzip header: deflate, no flags, mtime 0, OS unknown. */
const GZIP_HEADER = Buffer.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff);

/**
 * A gzip member of stored (uncompressed) deflate blocks, built by hand: the bytes are fixed
 * whatever zlib is installed, and a cut at a known offset leaves a known prefix inflatable.
 */
function gzipStored(content, blockSize = 4096) {
  const blocks = [];
  for (let at = 0; at < content.length || at === 0; at += blockSize) {
    const part = content.subarray(at, at + blockSize);
    const final = at + blockSize >= content.length;
    const head = Buffer.alloc(5);
    head[0] = final ? 1 : 0;
    head.writeUInt16LE(part.length, 1);
    head.writeUInt16LE(~part.length & 0xffff, 3);
    blocks.push(head, part);
    if (final) break;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(content), 0);
  trailer.writeUInt32LE(content.length >>> 0, 4);
  return Buffer.concat([GZIP_HEADER, ...blocks, trailer]);
}

/** Where content byte `offset` lies in a stored member (header and block heads before it). */
function storedOffset(offset, blockSize) {
  return GZIP_HEADER.length + 5 * (Math.floor(offset / blockSize) + 1) + offset;
}

/** A deterministic PRNG (mulberry32), for the random binary file. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- the corpus ----------------------------------------------------------------------------------

const ok = (n) => line(`{"n":${n}}`, 'an ordinary JSON message', 'event');
const nested = (depth) => '{"a":'.repeat(depth - 1) + '{"deepest":1}' + '}'.repeat(depth - 1);
const arrays = (depth) => '{"a":' + '['.repeat(depth) + ']'.repeat(depth) + '}';

/** Files: path, format haystack must detect, what the file is about, its lines, its bytes. */
const files = [];
function file(path, format, about, lines, opts = {}) {
  files.push({ path, format, about, lines, data: opts.data ?? joinLines(lines, opts), ...(opts.extra ?? {}) });
}

file('json/nesting.log', 'json', 'JSON nesting below, at and beyond the 512 limit (objects and arrays count alike); very deep nesting must not exhaust the stack', [
  line('{"depth":1,"dhost":"before.example"}', 'depth 1', 'event'),
  line(nested(64), 'objects nested 64 deep', 'event'),
  line(nested(512), 'objects nested 512 deep (the limit)', 'event'),
  line(nested(513), 'objects nested 513 deep', 'event', 'issue:not-json'),
  line(arrays(511), 'an object holding arrays nested 511 deep (512 in all)', 'event'),
  line(arrays(512), 'an object holding arrays nested 512 deep (513 in all)', 'event', 'issue:not-json'),
  line(arrays(20000), 'an object holding arrays nested 20,000 deep', 'event', 'issue:not-json'),
  line(nested(5000), 'objects nested 5,000 deep', 'event', 'issue:not-json'),
  line('{"a":' + '['.repeat(20000), 'arrays opened 20,000 deep and never closed', 'issue:not-json'),
  line('{"depth":1,"dhost":"after.example"}', 'depth 1, after the deep lines', 'event'),
]);

file('json/numbers.log', 'json', 'numbers beyond double precision and range, and numbers JSON does not allow', [
  line('{"n":1e400}', '1e400 (beyond the largest double)', 'event'),
  line('{"n":-1e400}', '-1e400', 'event'),
  line('{"n":12345678901234567890123}', 'an integer of 23 digits', 'event'),
  line('{"n":1e-400}', '1e-400 (below the smallest double)', 'event'),
  line('{"n":9007199254740993}', '2^53 + 1', 'event'),
  line('{"n":0.1000000000000000055511151231257827}', 'more digits than a double holds', 'event'),
  line('{"n":-0}', 'minus zero', 'event'),
  line('{"n":1.7976931348623157e308}', 'the largest double', 'event'),
  line('{"n":1.7976931348623159e308}', 'just beyond the largest double', 'event'),
  line(`{"n":${'9'.repeat(1000)}}`, 'an integer of 1,000 digits', 'event'),
  line('{"n":01}', 'a leading zero (not JSON)', 'event', 'issue:not-json'),
  line('{"n":1.}', 'a dot with no digits (not JSON)', 'event', 'issue:not-json'),
  line('{"n":+1}', 'a plus sign (not JSON)', 'event', 'issue:not-json'),
  line('{"n":NaN}', 'NaN (not JSON)', 'event', 'issue:not-json'),
  line('{"n":Infinity}', 'Infinity (not JSON)', 'event', 'issue:not-json'),
  line('{"n":.5}', 'no digit before the dot (not JSON)', 'event', 'issue:not-json'),
  line('{"n":1e}', 'an exponent with no digits (not JSON)', 'event', 'issue:not-json'),
  line('{"n":2,"dhost":"after.example"}', 'an ordinary number, after the odd ones', 'event'),
]);

file('json/keys.log', 'json', 'duplicate keys (the last wins) and keys and values that name Object.prototype members', [
  line('{"dup":"first","dup":"last"}', 'a duplicate key', 'event'),
  line('{"__proto__":"p","constructor":"c","prototype":"t","hasOwnProperty":"h","toString":"s"}', 'keys __proto__, constructor, prototype, hasOwnProperty, toString', 'event'),
  line('{"__proto__":{"polluted":"yes"},"a":{"__proto__":{"polluted":"yes"}}}', '__proto__ objects (a pollution attempt)', 'event'),
  line('{"constructor":{"prototype":{"polluted":"yes"}}}', 'constructor.prototype (a pollution attempt)', 'event'),
  line('{"__proto__":1,"__proto__":2}', 'a duplicate __proto__ key', 'event'),
  line('{"dhost":"__proto__"}', 'dhost is "__proto__"', 'event'),
  line('{"dhost":"constructor"}', 'dhost is "constructor"', 'event'),
  line('{"dhost":"hasOwnProperty"}', 'dhost is "hasOwnProperty"', 'event'),
  line('{"dhost":"__proto__"}', 'dhost is "__proto__" again', 'event'),
  line('{"dhost":"toString"}', 'dhost is "toString"', 'event'),
  line('{"dhost":"valueOf","dup":"first","dup":"middle","dup":"last"}', 'dhost is "valueOf"; a key three times', 'event'),
]);

file('json/escapes.log', 'json', 'JSON escapes of NUL, lone surrogates, terminal escape sequences, C1 controls and bidi overrides in dhost and http_user_agent (the file is ASCII)', [
  line('{"dhost":"nul\\u0000byte.example","http_user_agent":"curl/8.0"}', 'an escaped NUL in dhost', 'event'),
  line('{"dhost":"lone\\ud800high.example"}', 'a lone high surrogate escape', 'event'),
  line('{"dhost":"lone\\udc00low.example"}', 'a lone low surrogate escape', 'event'),
  line('{"dhost":"reversed\\udc00\\ud800pair.example"}', 'a surrogate pair in the wrong order', 'event'),
  line('{"dhost":"pair\\ud83d\\ude00ok.example"}', 'a surrogate pair (an emoji)', 'event'),
  line('{"dhost":"evil\\u001b]0;pwned\\u0007.example","http_user_agent":"\\u001b[2J\\u001b[31mred\\u001b[0m"}', 'terminal escapes: OSC set-title, clear screen, colour', 'event'),
  line('{"dhost":"csi\\u009b31m.example","http_user_agent":"osc\\u009d0;x\\u009c"}', 'C1 controls (CSI, OSC, ST)', 'event'),
  line('{"dhost":"\\u202egpj.exe","http_user_agent":"bidi \\u2066isolate\\u2069 \\u202aLRE\\u202c \\u202bRLE \\u202dLRO"}', 'bidi overrides and isolates', 'event'),
  line('{"dhost":"del\\u007f.example","http_user_agent":"bell\\u0007 backspace\\u0008 cr\\r lf\\n tab\\t"}', 'DEL, BEL, BS, CR, LF, tab', 'event'),
  line('{"dhost":"\\\\u001b[31m not an escape"}', 'a backslash-u in the text (an escaped backslash)', 'event'),
  line('{"dhost":"zero\\u200bwidth\\u200d\\ufeff.example"}', 'zero-width characters and a BOM inside a value', 'event'),
  line('{"a":"\\x41"}', 'an invalid escape \\x (not JSON)', 'event', 'issue:not-json'),
  line('{"a":"\\u12"}', 'a short \\u escape (not JSON)', 'event', 'issue:not-json'),
  line('{"a":"\\uZZZZ"}', 'a \\u escape with no hex digits (not JSON)', 'event', 'issue:not-json'),
  line('{"dhost":"after.example"}', 'an ordinary line, after the escapes', 'event'),
]);

file('json/raw-controls.log', 'json', 'raw control characters inside JSON strings: C0 controls make the line invalid JSON (RFC 8259 7); C1, DEL and bidi characters are allowed raw', [
  line('{"dhost":"before.example"}', 'an ordinary line', 'event'),
  line(`{"dhost":"raw${ESC}[31m.example"}`, 'a raw ESC in a string', 'event', 'issue:not-json'),
  line(`{"dhost":"raw${NUL}.example"}`, 'a raw NUL in a string', 'event', 'issue:not-json'),
  line('{"dhost":"raw\ttab"}', 'a raw tab in a string', 'event', 'issue:not-json'),
  line(`{"dhost":"raw${ESC}]0;pwned${BEL}.example"}`, 'a raw OSC set-title sequence in a string', 'event', 'issue:not-json'),
  line('{"dhost":"raw\u009b31m.example"}', 'a raw C1 CSI (U+009B) in a string', 'event'),
  line('{"dhost":"raw\u202egpj.exe"}', 'a raw bidi override in a string', 'event'),
  line('{"dhost":"raw\u007f.example"}', 'a raw DEL in a string', 'event'),
  line(`{"dhost":"ok.example"}${NUL}`, 'a raw NUL after the object', 'issue:not-json'),
  line('{"dhost":"after.example"}', 'an ordinary line, after the raw controls', 'event'),
]);

file('json/formulas.log', 'json', 'values a spreadsheet would run as formulas (CSV injection)', [
  line('{"dhost":"=cmd|\' /C calc\'!A0","http_user_agent":"=HYPERLINK(\\"http://evil.example\\",\\"click\\")"}', '=cmd|...', 'event'),
  line('{"dhost":"+1","http_user_agent":"+cmd"}', '+1', 'event'),
  line('{"dhost":"-1","http_user_agent":"-2+3"}', '-1', 'event'),
  line('{"dhost":"@SUM(1)","http_user_agent":"@SUM(1+1)*cmd|\' /C calc\'!A0"}', '@SUM(1)', 'event'),
  line('{"dhost":"\\tTAB","http_user_agent":"\\t=1"}', 'a tab start', 'event'),
  line('{"dhost":"\\rCR","http_user_agent":"\\r=1"}', 'a CR start', 'event'),
  line('{"dhost":"safe.example","http_user_agent":"curl/8.0"}', 'an ordinary value', 'event'),
]);

file('text/controls.log', 'text', 'raw NUL, terminal escape sequences, C1 controls and bidi overrides in plain-text lines that carry dhost= and http_user_agent=', [
  line('dhost=plain.example http_user_agent=curl/8.0', 'an ordinary line', 'event'),
  line(`dhost=nul${NUL}byte.example http_user_agent=x`, 'a raw NUL', 'event'),
  line(`dhost=evil${ESC}]0;pwned${BEL}.example http_user_agent=${ESC}[2J${ESC}[31mred${ESC}[0m`, 'raw OSC set-title, clear screen, colour', 'event'),
  line('dhost=csi\u009b31m.example http_user_agent=osc\u009d0;x\u009c', 'raw C1 controls (UTF-8 encoded)', 'event'),
  line('dhost=\u202egpj.exe http_user_agent=bidi \u2066isolate\u2069 \u202aLRE\u202c \u202bRLE \u202dLRO', 'raw bidi overrides and isolates', 'event'),
  line('dhost=del\u007f.example http_user_agent=bs\u0008bell\u0007', 'raw DEL, BS, BEL', 'event'),
  line('vertical\u000btab and form\u000cfeed', 'raw VT and FF', 'event'),
  line('lone\rcarriage return inside', 'a CR inside the line', 'event'),
  line('ends with two CRs\r\r', 'two CRs before the LF: one is the line ending, one stays in the message', 'event'),
  line(NUL, 'a NUL alone (not blank)', 'event'),
  line(' \t  ', 'spaces and a tab', 'blank'),
  line('dhost=after.example', 'an ordinary line, after the controls', 'event'),
]);

file('text/many-fields.log', 'text', 'a line of 20,001 space-separated words (space-delimited patterns with ... must not recurse per word)', [
  line('first line', 'an ordinary line', 'event'),
  line('w '.repeat(20000) + 'end', '20,001 words', 'event'),
  line('last line', 'an ordinary line, after the long one', 'event'),
]);

const BAD_UTF8 = [
  [[0xc0, 0xaf], 'an overlong 2-byte "/" (C0 AF)'],
  [[0xe0, 0x80, 0xaf], 'an overlong 3-byte "/" (E0 80 AF)'],
  [[0x80], 'a lone continuation byte (80)'],
  [[0xe2, 0x82], 'a truncated 3-byte sequence (E2 82)'],
  [[0xed, 0xa0, 0x80], 'a surrogate code point in UTF-8 (ED A0 80, U+D800)'],
  [[0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], 'a surrogate pair encoded as two 3-byte sequences (CESU-8)'],
  [[0xf4, 0x90, 0x80, 0x80], 'a code point beyond U+10FFFF (F4 90 80 80)'],
  [[0xff, 0xfe], 'bytes never valid in UTF-8 (FF FE)'],
];
file('utf8/bad-json.log', 'json', 'invalid UTF-8 inside JSON strings, between valid lines', [
  line('{"dhost":"before.example"}', 'an ordinary line', 'event'),
  ...BAD_UTF8.map(([b, what]) => line(bytes('{"dhost":"x', b, 'y"}'), what, 'issue:bad-utf8')),
  line(bytes('{"dhost":"x"}', [0xf0, 0x9f, 0x98]), 'a 4-byte sequence cut at the end of the line', 'issue:bad-utf8'),
  line(bytes([0xc0, 0xaf], ' not JSON either'), 'invalid UTF-8 in a line that is not JSON (bad UTF-8 is what counts)', 'issue:bad-utf8'),
  line('{"dhost":"caf\u00e9 \u{1f600}.example"}', 'valid multi-byte UTF-8', 'event'),
  line('{"dhost":"after.example"}', 'an ordinary line, after the bad ones', 'event'),
]);
file('utf8/bad-text.log', 'text', 'invalid UTF-8 in plain-text lines', [
  line('dhost=before.example', 'an ordinary line', 'event'),
  ...BAD_UTF8.map(([b, what]) => line(bytes('dhost=x', b, 'y'), what, 'issue:bad-utf8')),
  line(bytes('dhost=x', [0xf0, 0x9f, 0x98]), 'a 4-byte sequence cut at the end of the line', 'issue:bad-utf8'),
  line('dhost=caf\u00e9 \u{1f600}', 'valid multi-byte UTF-8', 'event'),
  line('dhost=after.example', 'an ordinary line, after the bad ones', 'event'),
]);

const crlfLines = [
  ok(1),
  ok(2),
  line('', 'an empty CRLF line', 'blank'),
  line('{"n":3}\r', 'an extra CR before the CRLF', 'event'),
  line('{"n":5}\r{"n":6}', 'two objects joined by a lone CR (one line)', 'event', 'issue:not-json'),
  line('{"n":4}', 'the last line, with no line ending', 'event'),
];
file('endings/crlf.log', 'json', 'CRLF line endings in a JSON file; the last line has none', crlfLines, { eol: '\r\n', final: false });
file('endings/crlf-text.log', 'text', 'CRLF, LF and lone CR in one text file', [
  line('hello', 'an ordinary line (CRLF)', 'event'),
  line('', 'an empty line (CRLF)', 'blank'),
  line('mixed', 'an ordinary line (LF)', 'event'),
  line('cr only\rstill the same line', 'a lone CR inside (CRLF)', 'event'),
], { eol: (i) => (i === 2 ? '\n' : '\r\n') });
file('endings/bom-json.log', 'json', 'a byte-order mark at the start of a JSON file (dropped), and one at the start of a later line (not JSON)', [
  ok(1),
  ok(2),
  line(bytes([0xef, 0xbb, 0xbf], '{"n":3}'), 'a BOM at the start of a later line', 'issue:not-json'),
  ok(4),
], { bom: true });
file('endings/bom-text.log', 'text', 'a byte-order mark at the start of a text file', [
  line('hello', 'an ordinary line after the BOM', 'event'),
  line('world', 'an ordinary line', 'event'),
], { bom: true });
file('endings/bom-export.log', 'export', 'a byte-order mark before a CloudWatch export line (the format is still detected)', [
  line('2024-01-02T03:04:05.000Z hello', 'an export line after the BOM', 'event'),
  line('2024-01-02T03:04:06.000Z world', 'an export line', 'event'),
], { bom: true });
file('endings/blank.log', 'text', 'only blank lines (spaces, tabs, CRs)', [
  line('', 'empty', 'blank'),
  line(' ', 'a space', 'blank'),
  line('\t', 'a tab', 'blank'),
  line('\r', 'a CR (CRLF ending)', 'blank'),
  line('  \r', 'spaces and a CRLF ending', 'blank'),
]);
file('endings/no-final-newline.log', 'json', 'no newline after the last line', [ok(1), ok(2)], { final: false });

file('empty/empty.log', 'text', 'an empty file: no lines', [], { data: Buffer.alloc(0) });
file('empty/only-newline.log', 'text', 'one newline and nothing else', [line('', 'empty', 'blank')]);

// A random binary file: its lines are decided here by the rules of the scan (issues.ts): a line
// of only spaces, tabs and CRs is blank, one that is not UTF-8 is bad-utf8, any other an event.
{
  const rand = mulberry32(0x6a7c5e1d);
  const data = Buffer.alloc(4096);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  // Keep it a text file for detection: its first byte neither starts gzip, JSON, a BOM nor a date.
  data[0] = 0x80;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const lines = [];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    const next = end === -1 ? data.length : end + 1;
    if (end === -1) end = data.length;
    let b = data.subarray(start, end);
    start = next;
    if (b.length > 0 && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
    let valid = true;
    try {
      decoder.decode(b);
    } catch {
      valid = false;
    }
    const blank = [...b].every((c) => c === 0x20 || c === 0x09 || c === 0x0d);
    lines.push({ bytes: b, content: `${b.length} random bytes`, expect: blank ? 'blank' : valid ? 'event' : 'issue:bad-utf8' });
  }
  file('binary/random.bin', 'text', 'random bytes (mulberry32, seed 0x6a7c5e1d), read as text', lines, { data });
}

// ---- gzip ----------------------------------------------------------------------------------------

{
  const m1 = joinLines([ok(1), line('{"n":2', 'the first half of a line; its end is in the next member', 'event')], { final: false });
  const m2 = joinLines([line('}', '(the rest of the line above)', 'event'), ok(3), ok(4)]);
  const m4 = joinLines([ok(5)]);
  const data = Buffer.concat([gzipStored(m1), gzipStored(Buffer.concat([Buffer.from(',"m":2'), m2])), gzipStored(Buffer.alloc(0)), gzipStored(m4)]);
  file('gzip/concatenated.log.gz', 'json', 'four gzip members back to back (one empty); a line begins in one member and ends in the next', [
    ok(1),
    line('{"n":2,"m":2}', 'a line split across two members', 'event'),
    ok(3),
    ok(4),
    ok(5),
  ], { data, extra: { compressed: 'gzip' } });
}
{
  const first = joinLines([ok(1), ok(2)]);
  const lines = Array.from({ length: 40 }, (_, i) => line(`{"n":${i + 3},"pad":"${'x'.repeat(i % 7)}"}`, 'an ordinary line', 'event'));
  const content = joinLines(lines);
  // Cut the second member inside line 21 of its content: the 20 lines before the cut can be read.
  const kept = 20;
  const cutAt = joinLines(lines.slice(0, kept)).length + 5;
  const m2 = gzipStored(content, 256);
  const data = Buffer.concat([gzipStored(first), m2.subarray(0, storedOffset(cutAt, 256))]);
  file('gzip/truncated-member.log.gz', 'json', 'a complete member, then a member cut in the middle of its data (inside a line): what was read before the cut counts, the cut line does not, and the cut is a read error', [ok(1), ok(2), ...lines.slice(0, kept)], { data, extra: { compressed: 'gzip', fileIssues: ['read-error'], lost: 'the rest of the second member (the cut line and 19 more)' } });
}
{
  const lines = [ok(1), ok(2), ok(3)];
  const m = gzipStored(joinLines(lines));
  file('gzip/truncated-trailer.log.gz', 'json', 'one member whose 8-byte trailer (CRC and size) is cut to 4 bytes: all data was read, the cut is a read error', lines, { data: m.subarray(0, m.length - 4), extra: { compressed: 'gzip', fileIssues: ['read-error'] } });
  const bad = Buffer.from(m);
  bad[bad.length - 8] ^= 0xff;
  file('gzip/bad-crc.log.gz', 'json', 'one complete member with a wrong CRC: its data was read (it counts), the check failure is a read error', lines, { data: bad, extra: { compressed: 'gzip', fileIssues: ['read-error'] } });
  file('gzip/trailing-garbage.log.gz', 'json', 'one complete member followed by bytes that are not gzip: the member counts, the garbage is a read error', lines, { data: Buffer.concat([m, Buffer.from('garbage\n')]), extra: { compressed: 'gzip', fileIssues: ['read-error'] } });
  file('gzip/trailing-zeros.log.gz', 'json', 'one complete member followed by zero bytes (padding, as node:zlib allows): no issue', lines, { data: Buffer.concat([m, Buffer.alloc(512)]), extra: { compressed: 'gzip' } });
  file('gzip/no-suffix.log', 'json', 'a gzip file whose name does not end in .gz (recognised by its bytes)', lines, { data: m, extra: { compressed: 'gzip' } });
}
file('gzip/header-only.log.gz', 'text', 'a file that is only a 10-byte gzip header: no lines, a read error', [], { data: GZIP_HEADER, extra: { compressed: 'gzip', fileIssues: ['read-error'] } });
file('gzip/magic-only.log.gz', 'text', 'a file that is only the two gzip magic bytes: no lines, a read error', [], { data: GZIP_HEADER.subarray(0, 2), extra: { compressed: 'gzip', fileIssues: ['read-error'] } });

/** Lines of 1 MiB and over (the limit is on the line without its ending; a CR of CRLF does not count). */
function longLines() {
  const pad = (total) => `{"pad":"${'a'.repeat(total - 10)}"}`; // a JSON line of exactly `total` bytes
  return [
    ok(1),
    line(pad(MIB), 'exactly 1 MiB', 'event'),
    line(pad(MIB + 1), '1 MiB and one byte', 'issue:too-long'),
    line(pad(MIB) + '\r', 'exactly 1 MiB and a CRLF ending', 'event'),
    line(pad(MIB + 1) + '\r', '1 MiB and one byte, and a CRLF ending', 'issue:too-long'),
    line(pad(3 * MIB + 17), 'over 3 MiB (several read chunks)', 'issue:too-long'),
    ok(2),
    line(pad(MIB + 1), '1 MiB and one byte, the last line, with no line ending', 'issue:too-long'),
  ];
}
{
  const lines = longLines();
  // zlib compresses this (stored blocks would be 6 MiB); level and header fixed for stable bytes.
  const gz = gzipSync(joinLines(lines, { final: false }), { level: 9 });
  gz[9] = 0xff;
  file('long/long-lines.log.gz', 'json', 'lines of exactly 1 MiB (kept) and longer (too long), gzip-compressed so the corpus stays small', lines, { data: gz, extra: { compressed: 'gzip' } });
}

// ---- aws logs formats ---------------------------------------------------------------------------

file('formats/events.ndjson', 'ndjson', 'NDJSON events: hostile messages and stream names, bad timestamps, events with no message, pollution keys', [
  line('{"timestamp":1700000000000,"message":"ok","logStreamName":"s1"}', 'an ordinary event', 'event'),
  line('{"timestamp":1700000000001,"message":"\\u001b]0;pwned\\u0007 \\u202egpj.exe \\u009b31m","logStreamName":"stream\\u001b[2J"}', 'terminal escapes and a bidi override in the message and stream name', 'event'),
  line('{"timestamp":"not a time","message":"x"}', 'a timestamp that is not a time', 'issue:bad-timestamp'),
  line('{"timestamp":1e400,"message":"x"}', 'a timestamp of 1e400', 'issue:bad-timestamp'),
  line('{"timestamp":1700000000002}', 'no message', 'issue:bad-event'),
  line('{"timestamp":1700000000003,"message":42}', 'a message that is a number', 'issue:bad-event'),
  line('{"__proto__":{"message":"polluted"},"timestamp":1700000000004}', 'a message only under __proto__', 'issue:bad-event'),
  line('[1,2,3]', 'a JSON array', 'issue:not-json'),
  line('{"timestamp":1700000000005,"message":"x",}', 'a trailing comma (not JSON)', 'issue:not-json'),
  line('{"timestamp":1700000000006,"message":"first","message":"last"}', 'a duplicate message key (the last wins)', 'event'),
  line('{"timestamp":1700000000007,"message":"{\\"dhost\\":\\"nested.example\\"}"}', 'a JSON message inside the event', 'event'),
  line(`{"timestamp":1700000000008,"message":"deep","x":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'arrays nested 5,000 deep beside the message', 'event'),
  line(bytes('{"timestamp":1700000000009,"message":"bad ', [0xff], '"}'), 'invalid UTF-8 in the message', 'issue:bad-utf8'),
  line('{"timestamp":1700000000010,"message":"after"}', 'an ordinary event, after the bad ones', 'event'),
]);
file('formats/export.log', 'export', 'CloudWatch export lines with hostile messages and bad times', [
  line('2024-01-02T03:04:05.000Z dhost=ok.example', 'an ordinary line', 'event'),
  line(`2024-01-02T03:04:06.000Z dhost=evil${ESC}]0;pwned${BEL}.example ua=\u202egpj.exe`, 'terminal escapes and a bidi override in the message', 'event'),
  line('not-a-time message', 'no time', 'issue:bad-timestamp'),
  line('2024-13-45T99:99:99Z an impossible date', 'an impossible date', 'issue:bad-timestamp'),
  line(`${ESC}[2J2024-01-02T03:04:07Z x`, 'an escape sequence before the time', 'issue:bad-timestamp'),
  line('2024-01-02T03:04:08Z', 'a time and no message', 'event'),
  line('2024-01-02T03:04:09Z {"dhost":"json.example"}', 'a JSON message', 'event'),
]);
file('formats/tail.log', 'tail', '`aws logs tail` lines with a hostile stream name', [
  line('2024-01-02T03:04:05.000000+00:00 stream-1 {"dhost":"ok.example"}', 'an ordinary line', 'event'),
  line(`2024-01-02T03:04:06.000000+00:00 stream${ESC}]0;x${BEL} dhost=evil${ESC}[2J.example`, 'terminal escapes in the stream name and message', 'event'),
  line('garbage', 'no time', 'issue:bad-timestamp'),
  line('2024-01-02T03:04:07.000000+00:00 stream-1 after', 'an ordinary line, after the bad one', 'event'),
]);
file('formats/aws.json', 'aws-json', 'what `aws logs filter-log-events` prints, one event per line, with hostile and broken events, and a second page', [
  line('{"events":[', 'the start of the document', 'structure'),
  line('{"timestamp":1700000000000,"message":"ok","logStreamName":"s1"},', 'an ordinary event', 'event'),
  line('{"timestamp":1700000000001,"message":"\\u001b]0;pwned\\u0007\\u202egpj.exe","logStreamName":"s\\u001b[2J"},', 'terminal escapes and a bidi override', 'event'),
  line('{"timestamp":1700000000002},', 'no message', 'issue:bad-event'),
  line('{"message":"no time"},', 'no timestamp (kept, and reported)', 'event+issue:bad-event'),
  line('{"timestamp":"x","message":"a string time"},', 'a timestamp that is a string (kept, and reported)', 'event+issue:bad-event'),
  line(`{"timestamp":1700000000003,"message":"raw ${ESC}[31m escape"},`, 'a raw ESC in a string (not JSON; reported with what JSON.parse said)', 'issue:bad-event'),
  line('{"timestamp":1700000000004,"message":"\\ud800 lone surrogate"},', 'a lone surrogate escape', 'event'),
  line(`{"timestamp":1700000000005,"message":"deep","x":${'['.repeat(3000)}${']'.repeat(3000)}},`, 'arrays nested 3,000 deep beside the message', 'event'),
  line('{"timestamp":1700000000006,"message":"last of page 1"}', 'an ordinary event', 'event'),
  line(']}', 'the end of the document', 'structure'),
  line('{"events":[{"timestamp":1700000000007,"message":"page 2"}]}', 'a second page with one event', 'event'),
]);

// ---- the manifest --------------------------------------------------------------------------------

const MANIFEST_ABOUT = {
  about:
    'Hostile log files (issue 7). Every line of every file is listed with what haystack must do with it. Written by scripts/make-hostile.mjs; do not edit by hand.',
  outcomes: {
    event: 'the line is an event: a pattern or query that takes every event sees it',
    blank: 'no event and no issue (a blank line)',
    structure: 'no event and no issue (aws-json framing around the events)',
    'event+issue:bad-event': 'an aws-json event kept without a timestamp, and counted as an issue too',
    'issue:not-json': 'skipped and counted as HS4001 not JSON',
    'issue:bad-utf8': 'skipped and counted as HS4002 not valid UTF-8',
    'issue:too-long': 'skipped and counted as HS4003 over 1 MiB',
    'issue:bad-timestamp': 'skipped and counted as HS4004 bad timestamp',
    'issue:bad-event': 'skipped and counted as HS4005 not a log event',
    'issue:read-error': 'counted as HS4006 read error (a file-level issue: see fileIssues)',
  },
  scans: {
    every: {
      about: '`expect`: the outcome when every event is taken (the empty filter pattern, a query such as stats count(*)). In a json file such a scan checks only the shape of a line ({ ... }).',
      filterPattern: '',
      query: 'stats count(*)',
    },
    parsed: {
      about: '`expectParsed` (json files only; when absent it equals `expect`): the outcome under a JSON pattern, which parses each line in full. This pattern matches every JSON object that parses.',
      filterPattern: '{ $.haystack_absent NOT EXISTS }',
    },
  },
  format: 'the format haystack must detect for the file',
  fileIssues: 'issues that belong to the file rather than a line (read errors); each counts once',
};

const RUNTIME = [
  {
    path: 'long/long-lines.log',
    format: 'json',
    about: 'the lines of long/long-lines.log.gz, uncompressed, so they cross the 1 MiB read chunks of a plain file',
  },
  {
    path: 'fs/tree',
    kind: 'directory',
    about: 'a directory with a symlink loop, a dangling symlink and a file of mode 000',
    entries: [
      { path: 'fs/tree/a.log', expect: 'one event' },
      { path: 'fs/tree/dangling.log', kind: 'symlink to missing.log', expect: 'problem: no such file or directory' },
      { path: 'fs/tree/self', kind: 'symlink to .', expect: 'problem: directory already visited (symlink loop)' },
      { path: 'fs/tree/sub/b.log', expect: 'one event' },
      { path: 'fs/tree/sub/up', kind: 'symlink to ..', expect: 'problem: directory already visited (symlink loop)' },
      { path: 'fs/tree/unreadable.log', kind: 'mode 000', expect: 'issue:read-error, or one event when the tests run as root (mode 000 does not stop root)' },
    ],
    exit: 2,
    exitAbout: 'paths that could not be read make the exit status 2 (cli/scan-options.ts), after the scan of the rest',
  },
  {
    path: 'fifo',
    kind: 'directory',
    about: 'a directory holding a FIFO that no one writes to: the walk must not hang on it (it is skipped with a message, as sockets are)',
    entries: [
      { path: 'fifo/a.log', expect: 'one event' },
      { path: 'fifo/pipe', kind: 'FIFO', expect: 'skipped with a message that names it; never opened' },
    ],
  },
];

function manifest() {
  return {
    ...MANIFEST_ABOUT,
    files: files.map((f) => ({
      path: f.path,
      format: f.format,
      about: f.about,
      bytes: f.data.length,
      ...(f.compressed ? { compressed: f.compressed } : {}),
      ...(f.fileIssues ? { fileIssues: f.fileIssues } : {}),
      ...(f.lost ? { lost: f.lost } : {}),
      lines: f.lines.map((l, i) => ({ line: i + 1, content: l.content, expect: l.expect, ...(l.expectParsed ? { expectParsed: l.expectParsed } : {}) })),
    })),
    runtime: RUNTIME.map((r) => (r.path === 'long/long-lines.log' ? { ...r, lines: longLines().map((l, i) => ({ line: i + 1, content: l.content, expect: l.expect })) } : r)),
  };
}

// ---- writing -------------------------------------------------------------------------------------

function corpusFiles() {
  const out = new Map();
  for (const f of files) out.set(f.path, f.data);
  out.set('MANIFEST.json', Buffer.from(JSON.stringify(manifest(), null, 2) + '\n'));
  return out;
}

function writeCorpus(dir) {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, data] of corpusFiles()) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
}

function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)).split('\\').join('/'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** Same bytes; for zlib-compressed files (whose bytes depend on the zlib built in), the same content. */
function sameFile(path, want, got) {
  if (want.equals(got)) return true;
  if (!path.endsWith('.gz') || files.find((f) => f.path === path)?.fileIssues) return false;
  try {
    return gunzipSync(want, { finishFlush: zc.Z_SYNC_FLUSH }).equals(gunzipSync(got, { finishFlush: zc.Z_SYNC_FLUSH }));
  } catch {
    return false;
  }
}

function check(dir) {
  const want = corpusFiles();
  const problems = [];
  const have = listFiles(dir);
  for (const p of have) if (!want.has(p)) problems.push(`${p}: not written by the script`);
  for (const [p, data] of want) {
    if (!have.includes(p)) problems.push(`${p}: missing`);
    else if (!sameFile(p, data, readFileSync(join(dir, p)))) problems.push(`${p}: differs`);
  }
  return problems;
}

function writeRuntime(dir) {
  mkdirSync(dir, { recursive: true });
  const at = (p) => join(dir, p);
  mkdirSync(at('long'), { recursive: true });
  writeFileSync(at('long/long-lines.log'), joinLines(longLines(), { final: false }));

  mkdirSync(at('fs/tree/sub'), { recursive: true });
  writeFileSync(at('fs/tree/a.log'), '{"tree":"a"}\n');
  writeFileSync(at('fs/tree/sub/b.log'), '{"tree":"b"}\n');
  symlinkSync('missing.log', at('fs/tree/dangling.log'));
  symlinkSync('.', at('fs/tree/self'));
  symlinkSync('..', at('fs/tree/sub/up'));
  writeFileSync(at('fs/tree/unreadable.log'), '{"tree":"unreadable"}\n');
  chmodSync(at('fs/tree/unreadable.log'), 0o000);

  mkdirSync(at('fifo'), { recursive: true });
  writeFileSync(at('fifo/a.log'), '{"fifo":"a"}\n');
  execFileSync('mkfifo', [at('fifo/pipe')]);
  if (!statSync(at('fifo/pipe')).isFIFO()) throw new Error('mkfifo made no FIFO');
}

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a directory`);
  return v;
};
const runtime = opt('--runtime');
const out = opt('--out');
if (runtime !== undefined) {
  writeRuntime(runtime);
} else if (args.includes('--check')) {
  const problems = check(corpusDir);
  if (problems.length > 0) {
    console.error(`make-hostile: test/hostile/ is stale (run node scripts/make-hostile.mjs):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
} else {
  writeCorpus(out ?? corpusDir);
}
