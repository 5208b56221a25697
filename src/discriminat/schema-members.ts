/**
 * The top-level members of one log line with where each key and value sits in the text, so the
 * schema checks (schema.ts) can point a diagnostic at the value or the key it is about.
 *
 * Values come from events/json.ts (`parseJsonObject`), which validates the whole text and keeps
 * numbers as written (`443` vs `443.0`, spec D2.7 HS3103). This module only walks the already
 * validated text to find the spans; it never decides what JSON is.
 */
import type { Span } from '../diagnostics/diagnostic.js';
import { type JsonObject, type JsonValue, parseJsonObject } from '../events/json.js';

export interface Member {
  readonly name: string;
  readonly value: JsonValue;
  /** The key with its quotes: [keyStart, keyEnd). */
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

export function keySpan(m: Member): Span {
  return { start: m.keyStart, end: m.keyEnd };
}

export function valueSpan(m: Member): Span {
  return { start: m.valueStart, end: m.valueEnd };
}

export interface Members {
  /** Every member by name; for a repeated key, the last one (as JSON.parse and filter patterns read it). */
  readonly byName: ReadonlyMap<string, Member>;
  /** Names in the order they first appear in the line. */
  readonly order: readonly string[];
  /** The parsed object (last value wins for a repeated key). */
  readonly object: JsonObject;
  /** Offset of the closing `}`: where a missing field would go. */
  readonly close: number;
}

/** The members of `text`, or undefined when it is not exactly one JSON object. */
export function readMembers(text: string): Members | undefined {
  const object = parseJsonObject(text, null);
  if (object === undefined) return undefined;
  const byName = new Map<string, Member>();
  const order: string[] = [];
  let p = skipWs(text, 0) + 1; // past `{`
  for (;;) {
    p = skipWs(text, p);
    if (text.charCodeAt(p) === 125) break; // `}` of an empty object
    const keyStart = p;
    escaped = false;
    const keyEnd = stringEnd(text, p);
    const name = escaped ? (JSON.parse(text.slice(keyStart, keyEnd)) as string) : text.slice(keyStart + 1, keyEnd - 1);
    p = skipWs(text, keyEnd) + 1; // past `:`
    const valueStart = skipWs(text, p);
    p = valueEnd(text, valueStart);
    if (!byName.has(name)) order.push(name);
    byName.set(name, { name, value: object.get(name) as JsonValue, keyStart, keyEnd, valueStart, valueEnd: p });
    p = skipWs(text, p);
    if (text.charCodeAt(p) === 44) p++; // `,`
    else break; // `}`
  }
  return { byName, order, object, close: skipWs(text, p) };
}

function skipWs(s: string, p: number): number {
  for (;;) {
    const c = s.charCodeAt(p);
    if (c === 32 || c === 10 || c === 13 || c === 9) p++;
    else return p;
  }
}

/** Set by stringEnd when the string held an escape. */
let escaped = false;

/** Offset just past the string that starts (with its `"`) at `p`. */
function stringEnd(s: string, p: number): number {
  p++;
  for (;;) {
    const c = s.charCodeAt(p);
    if (c === 34) return p + 1;
    if (c === 92) {
      escaped = true;
      p += 2; // `\"` must not end the string; `\uXXXX` is plain text after its first two
    } else p++;
  }
}

/** Offset just past the (valid) JSON value that starts at `p`. */
function valueEnd(s: string, p: number): number {
  const c = s.charCodeAt(p);
  if (c === 34) return stringEnd(s, p);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (;;) {
      const d = s.charCodeAt(p);
      if (d === 34) {
        p = stringEnd(s, p);
        continue;
      }
      if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        depth--;
        if (depth === 0) return p + 1;
      }
      p++;
    }
  }
  // A number or a literal: runs to the next separator or space.
  for (;;) {
    const d = s.charCodeAt(p);
    if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9 || Number.isNaN(d)) return p;
    p++;
  }
}
