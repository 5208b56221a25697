/**
 * A query's leading `filter` commands as a line plan, so scan workers can drop the lines
 * those filters reject before anything crosses a thread. The main thread still runs the
 * whole query on what comes back (the leading filters again included), so results are those
 * of a one-thread run by construction.
 */
import type { LinePlan } from '../engine/scan.js';
import type { Command } from './ast.js';
import { compileExpr, type QueryEvent, eventRecord } from './compile.js';
import { FieldDiscovery } from './discovery.js';
import { compileQuery } from './index.js';
import { bestClause } from '../engine/literals.js';
import { queryClauses, referencedFields } from './prefilter.js';
import { truthy } from './values.js';

/** The leading filters, when there are some and they read nothing but the message. */
export function leadingFilters(commands: readonly Command[]): Extract<Command, { kind: 'filter' }>[] | null {
  const out: Extract<Command, { kind: 'filter' }>[] = [];
  for (const c of commands) {
    if (c.kind !== 'filter') break;
    out.push(c);
  }
  if (out.length === 0) return null;
  // A worker sees only the message: @timestamp, @logStream and the like are not known there.
  for (const n of referencedFields(out, [])) if (n.startsWith('@') && !n.startsWith('@@') && n !== '@message') return null;
  return out;
}

/** How a scan worker rebuilds the plan (engine/parallel.ts). */
export function linePlanFromSpec(spec: { query: string }): LinePlan {
  const q = compileQuery(spec.query);
  const filters = leadingFilters(q.ast.commands);
  if (filters === null) throw new Error('the query has no leading filter a worker can run');
  const conditions = filters.map((f) => compileExpr(f.condition));
  const discovery = new FieldDiscovery(referencedFields(filters, []));
  const ctx = { now: Date.now(), window: { start: 0, end: 0 } };
  const pass = (e: QueryEvent, bytes: Buffer | null): boolean => {
    const r = eventRecord(e, 0, '000000000000', discovery, bytes);
    return conditions.every((c) => truthy(c(r, ctx)));
  };
  return {
    literals: bestClause(queryClauses(q.ast.commands)) ?? [],
    decodesJson: true,
    test: (message) => pass({ timestamp: null, message }, null),
    testBytes: (buf, start, end) => {
      const bytes = buf.subarray(start, end);
      let text: string | undefined;
      const event = {
        timestamp: null,
        get message(): string {
          return (text ??= bytes.toString('utf8'));
        },
      };
      return pass(event, bytes);
    },
  };
}
