/**
 * Field discovery from JSON messages (insights spec 6): a message that is one JSON object
 * gives its members as fields, nested names joined with dots, array elements by index,
 * booleans as 1/0, null as absent, at most 200 leaves.
 *
 * `discoverFields` is the obvious, whole-message version. `FieldDiscovery` is what the scan
 * uses: it reads only the top-level members a query names, from the line's bytes when it has
 * them, and falls back to the whole-message version when the 200-leaf cap could matter.
 */
import { JsonNumber, type JsonObject, type JsonValue, parseJsonObject } from '../events/json.js';
import { parseJsonObjectBytes, WantedKeys } from '../events/json-bytes.js';
import { MAX_DISCOVERED_FIELDS } from './codes.js';
import type { Value } from './values.js';

/** 6.2: a member whose name starts with @ gets one more @. */
function fieldNameOf(key: string): string {
  return key.startsWith('@') ? `@${key}` : key;
}

function scalarValue(v: JsonValue): Value {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof JsonNumber ? v.value : (v as string);
}

/** Flattens members into `into`; returns false when the leaf cap was reached. */
function flatten(root: JsonObject, into: Map<string, Value>, keep: (topName: string) => boolean): void {
  let leaves = 0;
  const visit = (name: string, v: JsonValue, kept: boolean): void => {
    if (leaves >= MAX_DISCOVERED_FIELDS) return;
    if (v instanceof Map) {
      for (const [k, x] of v) visit(`${name}.${k}`, x, kept);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => visit(`${name}.${i}`, x, kept));
      return;
    }
    leaves++; // D22: a leaf counts against the cap even when null
    if (!kept) return;
    if (v === null) into.delete(name); // D1: null is absent; a later duplicate still wins (D21)
    else into.set(name, scalarValue(v));
  };
  for (const [k, v] of root) {
    const name = fieldNameOf(k);
    visit(name, v, keep(name));
  }
}

/** Adds every discovered field of `message` to `into` (spec 6). */
export function discoverFields(message: string, into: Map<string, Value>): void {
  // Only whole-message objects (D19); surrounding whitespace is allowed (6.1).
  const root = parseJsonObject(message, null);
  if (root !== undefined) flatten(root, into, () => true);
}

/**
 * Discovery limited to the fields a query reads. `names` are field names as the query writes
 * them; null means the query may read any field (then everything is discovered).
 */
export class FieldDiscovery {
  private readonly wanted: WantedKeys | null;

  constructor(names: Iterable<string> | null) {
    if (names === null) {
      this.wanted = null;
      return;
    }
    // A name `a.b.c` may come from the member `a`, `a.b` or `a.b.c` (6.2, D21).
    const keys = new Set<string>();
    for (const n of names) {
      if (n.startsWith('@') && !n.startsWith('@@')) continue; // system fields
      const key = n.startsWith('@@') ? n.slice(1) : n;
      let dot = key.indexOf('.');
      while (dot !== -1) {
        keys.add(key.slice(0, dot));
        dot = key.indexOf('.', dot + 1);
      }
      keys.add(key);
    }
    this.wanted = new WantedKeys(keys);
  }

  /**
   * Discovers the wanted fields of an event's message; `bytes`, when given, are its UTF-8
   * bytes (then the message string is only built if the slow path needs it).
   */
  discover(event: { readonly message: string }, bytes: Buffer | null, into: Map<string, Value>): void {
    if (this.wanted === null || bytes === null) return discoverFields(event.message, into);
    if (this.wanted.names.length === 0) return;
    const parsed = parseJsonObjectBytes(bytes, 0, bytes.length, this.wanted);
    if (parsed === undefined) return; // not a JSON object: no fields (D19)
    // Past the cap, which members survive depends on all of them: do it the whole way.
    if (parsed.leaves > MAX_DISCOVERED_FIELDS) return discoverFields(event.message, into);
    flatten(parsed.members, into, () => true);
  }
}
