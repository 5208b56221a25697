/**
 * Queries on scan workers. Where workers can run a query's first stats, they aggregate their
 * parts and the main thread merges them (QueryRun). Else a query's leading `filter` commands
 * are a line plan, so workers drop the lines those filters reject before anything crosses a
 * thread; the main thread still runs the whole query on what comes back (the leading filters
 * again included), so results are those of a one-thread run by construction.
 */
import type { LinePlan } from '../engine/scan.js';
import type { Command } from './ast.js';
import { compileExpr, type QueryEvent, eventRecord } from './compile.js';
import { FieldDiscovery } from './discovery.js';
import { type CompiledQuery, compileQuery, type PartQuerySpec, QueryRun } from './index.js';
import type { PartAggregator } from '../engine/parallel.js';
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

/**
 * The line plan of a query whose stats workers run (QueryRun.partSpec): the query's literal
 * prefilter, and every other line passed on whole, as the one-thread scan passes them.
 */
export function queryLinePlan(q: CompiledQuery): LinePlan {
  return { literals: bestClause(queryClauses(q.ast.commands)) ?? [], decodesJson: true, test: () => true, testBytes: () => true };
}

/** A worker's aggregator of parts for a query whose stats it runs (engine/parallel.ts). */
export function partAggregatorFromSpec(spec: PartQuerySpec): PartAggregator {
  const run = QueryRun.forParts(spec);
  return {
    push: (e) => run.push(e, e.messageBytes),
    take: () => run.takePart(),
  };
}

/**
 * How a scan worker rebuilds the plan (engine/parallel.ts): a query's stats (the spec of
 * QueryRun.partSpec), or only its leading filters (a spec of the query alone).
 */
export function linePlanFromSpec(spec: { query: string } | PartQuerySpec): LinePlan {
  const q = compileQuery(spec.query);
  if ('now' in spec) return queryLinePlan(q);
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
