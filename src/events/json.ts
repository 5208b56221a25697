/**
 * A strict JSON (RFC 8259) parser for log messages that keeps what JSON.parse throws away:
 * the text of each number as written (`1.50`, `1e3`), which filter patterns compare against
 * (filter spec 4.5, D11). Objects are Maps, so keys such as `__proto__` are plain data.
 * Duplicate keys: the last one wins (filter spec D3b), as with JSON.parse.
 *
 * `parseJsonObject(text, wanted)` materialises only the top-level members a plan needs and
 * skips the rest after validating them, so a flow line costs one pass and few allocations.
 */

export class JsonNumber {
  constructor(readonly text: string) {}
  get value(): number {
    return Number(this.text);
  }
}

export type JsonValue = string | JsonNumber | boolean | null | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

/** Nesting deeper than this is treated as not JSON, so hostile input cannot exhaust the stack. */
export const MAX_JSON_DEPTH = 512;

class Invalid extends Error {}
const INVALID = new Invalid('invalid JSON');

/** A value that was validated but not kept (its member was not wanted). */
const SKIPPED = Symbol('skipped');

class Parser {
  pos = 0;
  constructor(readonly s: string) {}

  ws(): void {
    const s = this.s;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else break;
    }
    this.pos = p;
  }

  value(depth: number, keep: boolean): JsonValue | typeof SKIPPED {
    if (depth > MAX_JSON_DEPTH) throw INVALID;
    this.ws();
    const c = this.s.charCodeAt(this.pos);
    switch (c) {
      case 34: // "
        return keep ? this.string() : (this.skipString(), SKIPPED);
      case 123: // {
        return this.object(depth + 1, keep ? null : undefined);
      case 91: // [
        return this.array(depth + 1, keep);
      case 116: // t
        return this.word('true', true);
      case 102: // f
        return this.word('false', false);
      case 110: // n
        return this.word('null', null);
      default:
        if (c === 45 || (c >= 48 && c <= 57)) {
          const start = this.pos;
          this.number();
          return keep ? new JsonNumber(this.s.slice(start, this.pos)) : SKIPPED;
        }
        throw INVALID;
    }
  }

  word<T>(w: string, v: T): T {
    if (!this.s.startsWith(w, this.pos)) throw INVALID;
    this.pos += w.length;
    return v;
  }

  number(): void {
    const s = this.s;
    let p = this.pos;
    if (s.charCodeAt(p) === 45) p++;
    let c = s.charCodeAt(p);
    if (c === 48) p++;
    else if (c >= 49 && c <= 57) {
      while ((c = s.charCodeAt(++p)) >= 48 && c <= 57);
    } else throw INVALID;
    if (s.charCodeAt(p) === 46) {
      c = s.charCodeAt(++p);
      if (!(c >= 48 && c <= 57)) throw INVALID;
      while ((c = s.charCodeAt(++p)) >= 48 && c <= 57);
    }
    c = s.charCodeAt(p);
    if (c === 101 || c === 69) {
      c = s.charCodeAt(++p);
      if (c === 43 || c === 45) c = s.charCodeAt(++p);
      if (!(c >= 48 && c <= 57)) throw INVALID;
      while ((c = s.charCodeAt(++p)) >= 48 && c <= 57);
    }
    this.pos = p;
  }

  /** Validates a string and moves past it without building it. */
  skipString(): void {
    const s = this.s;
    let p = this.pos + 1;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 34) break;
      if (c === 92) {
        p = this.escapeEnd(p);
        continue;
      }
      if (c < 32 || Number.isNaN(c)) throw INVALID;
      p++;
    }
    this.pos = p + 1;
  }

  /** Position after the escape sequence that starts at backslash `p`. */
  escapeEnd(p: number): number {
    const e = this.s.charCodeAt(p + 1);
    if (e === 117) {
      for (let i = 2; i < 6; i++) if (!isHex(this.s.charCodeAt(p + i))) throw INVALID;
      return p + 6;
    }
    if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) return p + 2;
    throw INVALID;
  }

  string(): string {
    const s = this.s;
    const start = this.pos + 1;
    let p = start;
    // Fast path: no escapes.
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 34) {
        this.pos = p + 1;
        return s.slice(start, p);
      }
      if (c === 92) break;
      if (c < 32 || Number.isNaN(c)) throw INVALID;
      p++;
    }
    let out = s.slice(start, p);
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 34) break;
      if (c === 92) {
        const e = s.charCodeAt(p + 1);
        const end = this.escapeEnd(p);
        out += e === 117 ? String.fromCharCode(parseInt(s.slice(p + 2, p + 6), 16)) : ESCAPES[e]!;
        p = end;
        continue;
      }
      if (c < 32 || Number.isNaN(c)) throw INVALID;
      const run = p;
      while (p < s.length) {
        const d = s.charCodeAt(p);
        if (d === 34 || d === 92 || d < 32) break;
        p++;
      }
      out += s.slice(run, p);
    }
    this.pos = p + 1;
    return out;
  }

  /**
   * `wanted`: undefined = validate only; null = keep every member; a set = keep those
   * members only (top level of a message).
   */
  object(depth: number, wanted: ReadonlySet<string> | null | undefined): JsonObject | typeof SKIPPED {
    if (depth > MAX_JSON_DEPTH) throw INVALID;
    const out: JsonObject | undefined = wanted === undefined ? undefined : new Map();
    this.pos++; // {
    this.ws();
    if (this.s.charCodeAt(this.pos) === 125) {
      this.pos++;
      return out ?? SKIPPED;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.pos) !== 34) throw INVALID;
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.pos) !== 58) throw INVALID;
      this.pos++;
      const keep = out !== undefined && (wanted === null || wanted!.has(key));
      const v = this.value(depth, keep);
      if (keep) out!.set(key, v as JsonValue);
      this.ws();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 44) continue;
      if (c === 125) return out ?? SKIPPED;
      throw INVALID;
    }
  }

  array(depth: number, keep: boolean): JsonValue[] | typeof SKIPPED {
    if (depth > MAX_JSON_DEPTH) throw INVALID;
    const out: JsonValue[] | undefined = keep ? [] : undefined;
    this.pos++; // [
    this.ws();
    if (this.s.charCodeAt(this.pos) === 93) {
      this.pos++;
      return out ?? SKIPPED;
    }
    for (;;) {
      const v = this.value(depth, keep);
      if (out) out.push(v as JsonValue);
      this.ws();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 44) continue;
      if (c === 93) return out ?? SKIPPED;
      throw INVALID;
    }
  }
}

const ESCAPES: Record<number, string> = { 34: '"', 92: '\\', 47: '/', 98: '\b', 102: '\f', 110: '\n', 114: '\r', 116: '\t' };

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Parses any JSON text (surrounding JSON whitespace allowed); undefined when it is not JSON. */
export function parseJson(text: string): JsonValue | undefined {
  const p = new Parser(text);
  try {
    const v = p.value(0, true);
    p.ws();
    if (p.pos !== text.length) return undefined;
    return v as JsonValue;
  } catch (e) {
    if (e === INVALID || e instanceof RangeError) return undefined;
    throw e;
  }
}

/**
 * Parses a message that must be exactly one JSON object (surrounding JSON whitespace allowed);
 * undefined otherwise. `wanted`: the top-level member names to keep (null: all). Every member
 * is validated either way.
 */
export function parseJsonObject(text: string, wanted: ReadonlySet<string> | null): JsonObject | undefined {
  const p = new Parser(text);
  try {
    p.ws();
    if (text.charCodeAt(p.pos) !== 123) return undefined;
    const v = p.object(1, wanted);
    p.ws();
    if (p.pos !== text.length) return undefined;
    return v as JsonObject;
  } catch (e) {
    if (e === INVALID || e instanceof RangeError) return undefined;
    throw e;
  }
}
