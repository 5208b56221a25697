/**
 * Field discovery from JSON messages (insights spec 6): a message that is one JSON object
 * gives its members as fields, nested names joined with dots, array elements by index,
 * booleans as 1/0, null as absent, at most 200 leaves.
 */
import { JsonNumber, type JsonValue, parseJsonObject } from '../events/json.js';
import { MAX_DISCOVERED_FIELDS } from './codes.js';
import type { Value } from './values.js';

/**
 * Adds the discovered fields of `message` to `into`. `wanted`, when given, limits the work
 * to the top-level members a query reads (their nested fields included); the 200-leaf cap
 * still counts every leaf in document order.
 */
export function discoverFields(message: string, into: Map<string, Value>, wanted: ReadonlySet<string> | null = null): void {
  // Only whole-message objects (D19); surrounding whitespace is allowed (6.1).
  const root = parseJsonObject(message, null);
  if (root === undefined) return;
  let leaves = 0;
  const visit = (name: string, v: JsonValue, keep: boolean): void => {
    if (leaves >= MAX_DISCOVERED_FIELDS) return;
    if (v instanceof Map) {
      for (const [k, x] of v) visit(`${name}.${k}`, x, keep);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => visit(`${name}.${i}`, x, keep));
      return;
    }
    leaves++; // D22: a leaf counts against the cap even when null
    if (!keep) return;
    if (v === null) {
      into.delete(name); // D1: null is absent; a later duplicate still wins (D21)
      return;
    }
    into.set(name, typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof JsonNumber ? v.value : v);
  };
  for (const [k, v] of root) {
    // 6.2: a member whose name starts with @ gets one more @.
    const name = k.startsWith('@') ? `@${k}` : k;
    visit(name, v, wanted === null || wanted.has(name));
  }
}
