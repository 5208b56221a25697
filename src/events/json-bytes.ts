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
  /** Wanted names by their byte length, for a quick first test. */
  private readonly byLength = new Map<number, number[]>();

  constructor(names: Iterable<string>) {
    this.names = [...new Set(names)];
    this.bytes = this.names.map((n) => Buffer.from(n, 'utf8'));
    this.bytes.forEach((b, i) => {
      const list = this.byLength.get(b.length) ?? [];
      list.push(i);
      this.byLength.set(b.length, list);
    });
  }

  /** Index of the wanted name whose bytes are buf[start, end), or -1. */
  match(buf: Uint8Array, start: number, end: number): number {
    const candidates = this.byLength.get(end - start);
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

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

class ByteParser {
  pos: number;
  /** Leaves seen (scalars, wherever they are), for the Insights 200-field cap. */
  leaves = 0;
  constructor(
    readonly b: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  ws(): void {
    const b = this.b;
    let p = this.pos;
    const e = this.end;
    while (p < e) {
      const c = b[p]!;
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else break;
    }
    this.pos = p;
  }

  /** Moves past a string starting at its opening quote; returns whether it held an escape. */
  skipString(): boolean {
    const b = this.b;
    const e = this.end;
    let p = this.pos + 1;
    let escaped = false;
    for (;;) {
      if (p >= e) throw INVALID;
      const c = b[p]!;
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        const x = b[p + 1];
        if (x === 117) {
          if (p + 5 >= e || !isHex(b[p + 2]!) || !isHex(b[p + 3]!) || !isHex(b[p + 4]!) || !isHex(b[p + 5]!)) throw INVALID;
          p += 6;
        } else if (x === 34 || x === 92 || x === 47 || x === 98 || x === 102 || x === 110 || x === 114 || x === 116) p += 2;
        else throw INVALID;
        continue;
      }
      if (c < 32) throw INVALID;
      p++;
    }
    this.pos = p + 1;
    return escaped;
  }

  /** The decoded string whose opening quote is at `start` and closing quote at `this.pos - 1`. */
  stringValue(start: number, escaped: boolean): string {
    if (!escaped) return this.b.toString('utf8', start + 1, this.pos - 1);
    return JSON.parse(this.b.toString('utf8', start, this.pos)) as string;
  }

  skipNumber(): void {
    const b = this.b;
    const e = this.end;
    let p = this.pos;
    if (b[p] === 45) p++;
    let c = p < e ? b[p]! : -1;
    if (c === 48) p++;
    else if (c >= 49 && c <= 57) {
      p++;
      while (p < e && (c = b[p]!) >= 48 && c <= 57) p++;
    } else throw INVALID;
    if (p < e && b[p] === 46) {
      p++;
      c = p < e ? b[p]! : -1;
      if (!(c >= 48 && c <= 57)) throw INVALID;
      while (p < e && (c = b[p]!) >= 48 && c <= 57) p++;
    }
    if (p < e && (b[p] === 101 || b[p] === 69)) {
      p++;
      if (p < e && (b[p] === 43 || b[p] === 45)) p++;
      c = p < e ? b[p]! : -1;
      if (!(c >= 48 && c <= 57)) throw INVALID;
      while (p < e && (c = b[p]!) >= 48 && c <= 57) p++;
    }
    this.pos = p;
  }

  word(w: readonly number[]): void {
    const b = this.b;
    const p = this.pos;
    if (p + w.length > this.end) throw INVALID;
    for (let i = 0; i < w.length; i++) if (b[p + i] !== w[i]) throw INVALID;
    this.pos = p + w.length;
  }

  /** Validates a value and moves past it; with `keep`, returns it decoded. */
  value(depth: number, keep: boolean): JsonValue | undefined {
    this.ws();
    if (this.pos >= this.end) throw INVALID;
    const c = this.b[this.pos]!;
    switch (c) {
      case 34: {
        const start = this.pos;
        const escaped = this.skipString();
        this.leaves++;
        return keep ? this.stringValue(start, escaped) : undefined;
      }
      case 123:
        return this.object(depth + 1, keep);
      case 91:
        return this.array(depth + 1, keep);
      case 116:
        this.word(TRUE);
        this.leaves++;
        return true;
      case 102:
        this.word(FALSE);
        this.leaves++;
        return false;
      case 110:
        this.word(NULL);
        this.leaves++;
        return null;
      default: {
        const start = this.pos;
        this.skipNumber();
        this.leaves++;
        return keep ? new JsonNumber(this.b.toString('latin1', start, this.pos)) : undefined;
      }
    }
  }

  object(depth: number, keep: boolean): JsonObject | undefined {
    if (depth > MAX_JSON_DEPTH) throw INVALID;
    const out: JsonObject | undefined = keep ? new Map() : undefined;
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
      const key = keep ? this.stringValue(ks, escaped) : '';
      this.ws();
      if (this.pos >= this.end || this.b[this.pos] !== 58) throw INVALID;
      this.pos++;
      const v = this.value(depth, keep);
      if (out) out.set(key, v as JsonValue);
      this.ws();
      const c = this.pos < this.end ? this.b[this.pos++] : -1;
      if (c === 44) continue;
      if (c === 125) return out;
      throw INVALID;
    }
  }

  array(depth: number, keep: boolean): JsonValue[] | undefined {
    if (depth > MAX_JSON_DEPTH) throw INVALID;
    const out: JsonValue[] | undefined = keep ? [] : undefined;
    this.pos++;
    this.ws();
    if (this.pos < this.end && this.b[this.pos] === 93) {
      this.pos++;
      return out;
    }
    for (;;) {
      const v = this.value(depth, keep);
      if (out) out.push(v as JsonValue);
      this.ws();
      const c = this.pos < this.end ? this.b[this.pos++] : -1;
      if (c === 44) continue;
      if (c === 93) return out;
      throw INVALID;
    }
  }

  /** The top-level object, keeping only wanted members (all of them when `wanted` is null). */
  root(wanted: WantedKeys | null): JsonObject {
    this.ws();
    if (this.pos >= this.end || this.b[this.pos] !== 123) throw INVALID;
    const out: JsonObject = new Map();
    this.pos++;
    this.ws();
    const empty = this.pos < this.end && this.b[this.pos] === 125;
    if (empty) this.pos++;
    while (!empty) {
      this.ws();
      if (this.pos >= this.end || this.b[this.pos] !== 34) throw INVALID;
      const ks = this.pos;
      const escaped = this.skipString();
      let name: string | null;
      if (wanted === null) name = this.stringValue(ks, escaped);
      else if (!escaped) {
        const i = wanted.match(this.b, ks + 1, this.pos - 1);
        name = i === -1 ? null : wanted.names[i]!;
      } else {
        const decoded = this.stringValue(ks, true);
        name = wanted.has(decoded) ? decoded : null;
      }
      this.ws();
      if (this.pos >= this.end || this.b[this.pos] !== 58) throw INVALID;
      this.pos++;
      const v = this.value(1, name !== null);
      if (name !== null) out.set(name, v as JsonValue);
      this.ws();
      const c = this.pos < this.end ? this.b[this.pos++] : -1;
      if (c === 44) continue;
      if (c === 125) break;
      throw INVALID;
    }
    this.ws();
    if (this.pos !== this.end) throw INVALID;
    return out;
  }
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
  const p = new ByteParser(buf, start, end);
  try {
    const members = p.root(wanted);
    return { members, leaves: p.leaves };
  } catch (e) {
    if (e === INVALID || e instanceof RangeError || e instanceof SyntaxError) return undefined;
    throw e;
  }
}
