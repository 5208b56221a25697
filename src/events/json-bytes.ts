/**
 * The hot-path JSON reader: validates one JSON object straight from the bytes of a line and
 * materialises only the top-level members a plan wants, without building a string for the
 * line or for members it skips. It gives exactly what `parseJsonObject` (json.ts) gives for
 * the same text; json.ts stays the obvious version, and tests hold the two together.
 *
 * The bytes must be valid UTF-8 (the scan checks every chunk before it gets here).
 */
import { type JsonObject, JsonNumber, type JsonValue, MAX_JSON_DEPTH } from './json.js';

class Invalid extends Error {}
const INVALID = new Invalid('invalid JSON');

/** Top-level member names, pre-encoded for byte comparison. */
export class WantedKeys {
  readonly names: readonly string[];
  private readonly bytes: Buffer[];
  /** Wanted names by their byte length, for a quick first test (an array: this runs per key). */
  private readonly byLength: (number[] | undefined)[] = [];

  constructor(names: Iterable<string>) {
    this.names = [...new Set(names)];
    this.bytes = this.names.map((n) => Buffer.from(n, 'utf8'));
    this.bytes.forEach((b, i) => {
      const list = (this.byLength[b.length] ??= []);
      list.push(i);
    });
  }

  /** Index of the wanted name whose bytes are buf[start, end), or -1. */
  match(buf: Uint8Array, start: number, end: number): number {
    const candidates = this.byLength[end - start];
    if (candidates === undefined) return -1;
    outer: for (const i of candidates) {
      const b = this.bytes[i]!;
      for (let k = 0; k < b.length; k++) if (buf[start + k] !== b[k]) continue outer;
      return i;
    }
    return -1;
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }
}

// Byte classes, so the hot loops do one table load per byte instead of several compares.
/** Bytes that end a plain run inside a string: controls (invalid there), `"` and `\`. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 32; c++) STRING_STOP[c] = 1;
STRING_STOP[34] = 1;
STRING_STOP[92] = 1;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
/** JSON whitespace: space, tab, LF, CR. */
const WS = new Uint8Array(256);
WS[32] = WS[9] = WS[10] = WS[13] = 1;

// The skipping functions below return the position after what they skipped, or -1 when the
// bytes are not JSON. They are free functions over (bytes, position, end) so that V8 keeps
// everything in registers: this is the loop every scanned byte of a JSON line goes through.

/** Whether the last string `skipString` passed held an escape. */
let lastStringEscaped = false;
/** Scalars skipped or read since the last reset (for the Insights 200-field cap). */
let leafCount = 0;

function skipWs(b: Buffer, p: number, e: number): number {
  while (p < e && WS[b[p]!] === 1) p++;
  return p;
}

/** From an opening quote to just past the closing one. */
function skipString(b: Buffer, p: number, e: number): number {
  p++;
  let escaped = false;
  for (;;) {
    while (p < e && STRING_STOP[b[p]!] === 0) p++;
    if (p >= e) return -1;
    const c = b[p]!;
    if (c === 34) {
      lastStringEscaped = escaped;
      return p + 1;
    }
    if (c !== 92) return -1; // a raw control character
    escaped = true;
    const x = b[p + 1];
    if (x === 117) {
      if (p + 5 >= e || HEX[b[p + 2]!] === 0 || HEX[b[p + 3]!] === 0 || HEX[b[p + 4]!] === 0 || HEX[b[p + 5]!] === 0) return -1;
      p += 6;
    } else if (x === 34 || x === 92 || x === 47 || x === 98 || x === 102 || x === 110 || x === 114 || x === 116) p += 2;
    else return -1;
  }
}

function skipDigits(b: Buffer, p: number, e: number): number {
  let c: number;
  while (p < e && (c = b[p]!) >= 48 && c <= 57) p++;
  return p;
}

function skipNumber(b: Buffer, p: number, e: number): number {
  if (b[p] === 45) p++;
  let c = p < e ? b[p]! : -1;
  if (c === 48) p++;
  else if (c >= 49 && c <= 57) p = skipDigits(b, p + 1, e);
  else return -1;
  if (p < e && b[p] === 46) {
    p++;
    c = p < e ? b[p]! : -1;
    if (!(c >= 48 && c <= 57)) return -1;
    p = skipDigits(b, p, e);
  }
  if (p < e && (b[p] === 101 || b[p] === 69)) {
    p++;
    if (p < e && (b[p] === 43 || b[p] === 45)) p++;
    c = p < e ? b[p]! : -1;
    if (!(c >= 48 && c <= 57)) return -1;
    p = skipDigits(b, p, e);
  }
  return p;
}

function skipWord(b: Buffer, p: number, e: number, w: readonly number[]): number {
  if (p + w.length > e) return -1;
  for (let i = 0; i < w.length; i++) if (b[p + i] !== w[i]) return -1;
  return p + w.length;
}

/** Any JSON value (leading whitespace allowed). */
function skipValue(b: Buffer, p: number, e: number, depth: number): number {
  p = skipWs(b, p, e);
  if (p >= e) return -1;
  const c = b[p]!;
  if (c === 123) return skipObject(b, p, e, depth + 1);
  if (c === 91) return skipArray(b, p, e, depth + 1);
  leafCount++;
  if (c === 34) return skipString(b, p, e);
  if (c === 116) return skipWord(b, p, e, TRUE);
  if (c === 102) return skipWord(b, p, e, FALSE);
  if (c === 110) return skipWord(b, p, e, NULL);
  return skipNumber(b, p, e);
}

function skipObject(b: Buffer, p: number, e: number, depth: number): number {
  if (depth > MAX_JSON_DEPTH) return -1;
  p = skipWs(b, p + 1, e);
  if (p < e && b[p] === 125) return p + 1;
  for (;;) {
    p = skipWs(b, p, e);
    if (p >= e || b[p] !== 34) return -1;
    p = skipString(b, p, e);
    if (p < 0) return -1;
    p = skipWs(b, p, e);
    if (p >= e || b[p] !== 58) return -1;
    p = skipValue(b, p + 1, e, depth);
    if (p < 0) return -1;
    p = skipWs(b, p, e);
    const c = p < e ? b[p++] : -1;
    if (c === 44) continue;
    return c === 125 ? p : -1;
  }
}

function skipArray(b: Buffer, p: number, e: number, depth: number): number {
  if (depth > MAX_JSON_DEPTH) return -1;
  p = skipWs(b, p + 1, e);
  if (p < e && b[p] === 93) return p + 1;
  for (;;) {
    p = skipValue(b, p, e, depth);
    if (p < 0) return -1;
    p = skipWs(b, p, e);
    const c = p < e ? b[p++] : -1;
    if (c === 44) continue;
    return c === 93 ? p : -1;
  }
}

/** Materialises wanted values; skipping goes through the free functions above. */
class ByteParser {
  pos: number;
  constructor(
    readonly b: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  ws(): void {
    this.pos = skipWs(this.b, this.pos, this.end);
  }

  /** Moves past a string starting at its opening quote; returns whether it held an escape. */
  skipString(): boolean {
    const p = skipString(this.b, this.pos, this.end);
    if (p < 0) throw INVALID;
    this.pos = p;
    return lastStringEscaped;
  }

  /** The decoded string whose opening quote is at `start` and closing quote at `this.pos - 1`. */
  stringValue(start: number, escaped: boolean): string {
    return decodeString(this.b, start, this.pos, escaped);
  }

  /** Validates a value and moves past it; with `keep`, returns it decoded. */
  value(depth: number, keep: boolean): JsonValue | undefined {
    if (!keep) {
      const p = skipValue(this.b, this.pos, this.end, depth);
      if (p < 0) throw INVALID;
      this.pos = p;
      return undefined;
    }
    this.ws();
    if (this.pos >= this.end) throw INVALID;
    const c = this.b[this.pos]!;
    switch (c) {
      case 34: {
        const start = this.pos;
        const escaped = this.skipString();
        leafCount++;
        return this.stringValue(start, escaped);
      }
      case 123:
        return this.object(depth + 1);
      case 91:
        return this.array(depth + 1);
      default: {
        const start = this.pos;
        const p = skipValue(this.b, start, this.end, depth);
        if (p < 0) throw INVALID;
        this.pos = p;
        if (c === 116) return true;
        if (c === 102) return false;
        if (c === 110) return null;
        return new JsonNumber(this.b.toString('latin1', start, p));
      }
    }
  }

  object(depth: number): JsonObject {
    if (depth > MAX_JSON_DEPTH) throw INVALID;
    const out: JsonObject = new Map();
    this.pos++;
    this.ws();
    if (this.pos < this.end && this.b[this.pos] === 125) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.pos >= this.end || this.b[this.pos] !== 34) throw INVALID;
      const ks = this.pos;
      const escaped = this.skipString();
      const key = this.stringValue(ks, escaped);
      this.ws();
      if (this.pos >= this.end || this.b[this.pos] !== 58) throw INVALID;
      this.pos++;
      out.set(key, this.value(depth, true) as JsonValue);
      this.ws();
      const c = this.pos < this.end ? this.b[this.pos++] : -1;
      if (c === 44) continue;
      if (c === 125) return out;
      throw INVALID;
    }
  }

  array(depth: number): JsonValue[] {
    if (depth > MAX_JSON_DEPTH) throw INVALID;
    const out: JsonValue[] = [];
    this.pos++;
    this.ws();
    if (this.pos < this.end && this.b[this.pos] === 93) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth, true) as JsonValue);
      this.ws();
      const c = this.pos < this.end ? this.b[this.pos++] : -1;
      if (c === 44) continue;
      if (c === 93) return out;
      throw INVALID;
    }
  }
}

/**
 * The top-level object at buf[p, e), keeping only wanted members (all of them when `wanted`
 * is null) in `out`; returns false when the bytes are not exactly one JSON object.
 */
function readRoot(b: Buffer, p: number, e: number, wanted: WantedKeys | null, out: JsonObject): boolean {
  p = skipWs(b, p, e);
  if (p >= e || b[p] !== 123) return false;
  p = skipWs(b, p + 1, e);
  if (p < e && b[p] === 125) return skipWs(b, p + 1, e) === e;
  let reader: ByteParser | null = null;
  for (;;) {
    p = skipWs(b, p, e);
    if (p >= e || b[p] !== 34) return false;
    const ks = p;
    p = skipString(b, p, e);
    if (p < 0) return false;
    let name: string | null;
    if (wanted === null) name = decodeString(b, ks, p, lastStringEscaped);
    else if (!lastStringEscaped) {
      const i = wanted.match(b, ks + 1, p - 1);
      name = i === -1 ? null : wanted.names[i]!;
    } else {
      const decoded = decodeString(b, ks, p, true);
      name = wanted.has(decoded) ? decoded : null;
    }
    p = skipWs(b, p, e);
    if (p >= e || b[p] !== 58) return false;
    p++;
    if (name === null) {
      p = skipValue(b, p, e, 1);
      if (p < 0) return false;
    } else {
      reader ??= new ByteParser(b, p, e);
      reader.pos = p;
      out.set(name, reader.value(1, true) as JsonValue);
      p = reader.pos;
    }
    p = skipWs(b, p, e);
    const c = p < e ? b[p++] : -1;
    if (c === 44) continue;
    if (c !== 125) return false;
    return skipWs(b, p, e) === e;
  }
}

/** The string whose opening quote is at `start` and that ends just before `end`. */
function decodeString(b: Buffer, start: number, end: number, escaped: boolean): string {
  if (!escaped) return b.toString('utf8', start + 1, end - 1);
  return JSON.parse(b.toString('utf8', start, end)) as string;
}

const TRUE = [116, 114, 117, 101];
const FALSE = [102, 97, 108, 115, 101];
const NULL = [110, 117, 108, 108];

export interface BytesObject {
  readonly members: JsonObject;
  /** Scalars in the whole object (for the Insights field cap). */
  readonly leaves: number;
}

/**
 * Reads buf[start, end) as exactly one JSON object (JSON whitespace around it allowed);
 * undefined when it is anything else. Only `wanted` top-level members are kept.
 */
export function parseJsonObjectBytes(buf: Buffer, start: number, end: number, wanted: WantedKeys | null): BytesObject | undefined {
  const members: JsonObject = new Map();
  leafCount = 0;
  try {
    if (!readRoot(buf, start, end, wanted, members)) return undefined;
    return { members, leaves: leafCount };
  } catch (e) {
    if (e === INVALID || e instanceof RangeError || e instanceof SyntaxError) return undefined;
    throw e;
  }
}
