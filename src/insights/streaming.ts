/**
 * Queries that can run on a stream of events (haystack tail): each event's rows depend on that
 * event alone. filter, fields, display and parse qualify; stats, sort, limit, dedup and unnest
 * (which count, order or join events) need the whole input first.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Command } from './ast.js';
import { InsightsCode } from './codes.js';
import type { CompiledQuery } from './index.js';

function streams(c: Command): boolean {
  switch (c.kind) {
    case 'filter':
    case 'fields':
    case 'display':
    case 'parseGlob':
    case 'parseRegex':
      return true;
    case 'stats':
    case 'sort':
    case 'limit':
    case 'dedup':
    case 'unnest':
      return false;
    default: {
      const never: never = c;
      throw new Error(`unknown command ${String((never as Command).kind)}`);
    }
  }
}

/** One error per command that cannot run event by event; none: the query streams. */
export function streamingDiagnostics(query: CompiledQuery): Diagnostic[] {
  return query.ast.commands
    .filter((c) => !streams(c))
    .map((c) => ({
      code: InsightsCode.NotStreaming,
      severity: 'error' as const,
      message: `${c.kind} needs every event before it can answer, so it cannot run on a live tail`,
      span: c.span,
      hint: 'tail runs filter, fields, display and parse; for the rest, haystack query --remote, or haystack pull and then haystack query',
    }));
}
