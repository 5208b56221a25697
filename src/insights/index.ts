/**
 * Logs Insights queries: text in, a checked and compiled query out (or diagnostics), run
 * over any iterable or async iterable of events.
 */
import { type Diagnostic, DiagnosticError } from '../diagnostics/diagnostic.js';
import type { Query } from './ast.js';
import { checkQuery } from './checker.js';
import { DEFAULT_ACCOUNT_ID, type ErrorKind, kindOfCode } from './codes.js';
import { buildPipeline, eventRecord, type QueryEvent, readField, type Rec, type StatsPartial, workerStatsIndex } from './compile.js';
import { FieldDiscovery } from './discovery.js';
import { referencedFields } from './prefilter.js';
import { parseQuery } from './parser.js';
import { renderTimestamp, Timestamp, jsonText, type Value } from './values.js';
import type { QueryLimits } from './functions.js';
export { DEFAULT_LIMITS, ResourceLimitError, type QueryLimits } from './functions.js';

export type { QueryEvent } from './compile.js';

/** Thrown for a query AWS would reject; `kind` is the class of the first error (spec 9). */
export class QueryError extends DiagnosticError {
  readonly kind: ErrorKind;
  constructor(diagnostics: readonly Diagnostic[], source: string) {
    super(diagnostics, source);
    this.name = 'QueryError';
    const codes = diagnostics.filter((d) => d.severity === 'error').map((d) => kindOfCode(d.code));
    // Unsupported commands dominate: the query cannot run here whatever else is wrong.
    this.kind = codes.includes('unsupported') ? 'unsupported' : codes.includes('syntax') ? 'syntax' : 'semantic';
  }
}

/** A cell of a result row: what the harness and JSON output show (spec 1.2). */
export type Cell = string | number | null;

export interface QueryResult {
  readonly fields: string[];
  readonly rows: Cell[][];
  readonly stats: { recordsScanned: number; recordsMatched: number; bytesScanned: number };
  /** Rows the query produced before the default cap of 10,000 (spec 5.4); more than rows.length when capped. */
  readonly rowsBeforeCap: number;
}

export interface CompiledQuery {
  readonly source: string;
  readonly ast: Query;
  /** Output columns in order (spec 5.1). */
  readonly columns: readonly string[];
  readonly hasLimit: boolean;
}

export interface RunOptions {
  /** Query start time, epoch ms (now()); default Date.now(). */
  readonly now?: number;
  /** Time window for queryStartTime() etc. (D26); default: from the events when they are an array. */
  readonly window?: { start: number; end: number };
  /** Account id for @log (D17). */
  readonly accountId?: string;
  /** Memory caps; a query that needs more throws ResourceLimitError. */
  readonly limits?: QueryLimits;
  /**
   * queryInputs, with `threads` > 1: a query whose first stats workers can run (row-wise
   * commands before it, mergeable aggregates: see workerStatsIndex) is aggregated by worker
   * threads over parts of big files, and the parts merged. With `queryWorkers`, any other
   * query with leading filters also has them run by workers; off unless asked, because every
   * line that passes comes back to be read again on the main thread, which on 2 cores made
   * queries slower (10M lines: 7.2 s against 4.7 s on one thread, and 293 MB against 85 MB).
   */
  readonly queryWorkers?: boolean;
}

/** How a scan worker rebuilds a query to aggregate parts (QueryRun.partSpec). */
export interface PartQuerySpec {
  readonly query: string;
  readonly now: number;
  readonly window: { readonly start: number; readonly end: number };
  readonly accountId: string;
}

/** A worker's aggregate of one part: its records counted, and the stats' groups. */
export interface QueryPart {
  readonly scanned: number;
  readonly bytes: number;
  readonly stats: StatsPartial;
}

/** A worker runs no caps: a part holds few records; the merge on the main thread checks them. */
const NO_LIMITS: QueryLimits = { maxGroups: Infinity, maxValues: Infinity };


export function compileQuery(text: string): CompiledQuery {
  const parsed = parseQuery(text);
  if (!parsed.query) throw new QueryError(parsed.diagnostics, text);
  const checked = checkQuery(parsed.query);
  if (checked.diagnostics.length > 0) throw new QueryError(checked.diagnostics, text);
  return { source: text, ast: parsed.query, columns: checked.columns, hasLimit: checked.hasLimit };
}

export function cellOf(v: Value): Cell {
  if (v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? (v === 0 ? 0 : v) : null; // -0 shows as 0
  if (typeof v === 'string') return v;
  if (v instanceof Timestamp) return renderTimestamp(v.ms);
  return jsonText(v);
}

/**
 * A running query: push events, then finish for the result. Scan workers may aggregate parts
 * of the input for it (partSpec, forParts, takePart), merged here in input order (mergePart).
 */
export class QueryRun {
  private readonly pipeline;
  private seq = 0;
  private scanned = 0;
  private bytes = 0;
  private readonly accountId: string;
  private readonly discovery: FieldDiscovery;
  private readonly now: number;
  private readonly window: { start: number; end: number };
  /** The stats command workers can run (workerStatsIndex), or null. */
  private readonly statsAt: number | null;

  /** `partOnly`: a worker's run, of the commands up to that stats command, for takePart. */
  constructor(readonly query: CompiledQuery, options: RunOptions = {}, partOnly = false) {
    this.discovery = new FieldDiscovery(referencedFields(query.ast.commands, query.columns));
    this.now = options.now ?? Date.now();
    this.window = options.window ?? { start: 0, end: 0 };
    this.accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.statsAt = workerStatsIndex(query.ast.commands);
    if (partOnly && this.statsAt === null) throw new Error('this query has no stats that workers can run');
    const commands = partOnly ? query.ast.commands.slice(0, this.statsAt! + 1) : query.ast.commands;
    const limits = partOnly ? NO_LIMITS : options.limits;
    this.pipeline = buildPipeline(commands, query.hasLimit, { now: this.now, window: this.window, ...(limits ? { limits } : {}) }, this.statsAt);
  }

  /** A worker's run of the query from the spec of partSpec(). */
  static forParts(spec: PartQuerySpec): QueryRun {
    return new QueryRun(compileQuery(spec.query), { now: spec.now, window: spec.window, accountId: spec.accountId }, true);
  }

  /** What a scan worker needs to aggregate parts for this run; null when workers cannot. */
  partSpec(): PartQuerySpec | null {
    return this.statsAt === null ? null : { query: this.query.source, now: this.now, window: this.window, accountId: this.accountId };
  }

  /** In a worker: the part pushed since the last take, and a fresh start for the next. */
  takePart(): QueryPart {
    const part = { scanned: this.scanned, bytes: this.bytes, stats: this.pipeline.stats!.take() };
    this.scanned = 0;
    this.bytes = 0;
    this.seq = 0;
    return part;
  }

  /** A worker's part, which came after every event pushed or merged so far. */
  mergePart(part: QueryPart): void {
    this.scanned += part.scanned;
    this.bytes += part.bytes;
    this.pipeline.stats!.merge(part.stats);
  }

  /** `bytes`: the message's UTF-8 bytes when the caller has them (saves building fields from the string). */
  push(e: QueryEvent, bytes: Buffer | null = null): void {
    this.scanned++;
    if (bytes !== null) this.bytes += bytes.length;
    else this.bytes += Buffer.byteLength(e.message, 'utf8');
    this.pipeline.head.push(eventRecord(e, this.seq++, this.accountId, this.discovery, bytes));
  }

  finish(): QueryResult {
    this.pipeline.head.end();
    const cols = this.query.columns;
    const rows = this.pipeline.rows.map((r: Rec) => cols.map((c) => cellOf(readField(r, c))));
    return {
      fields: [...cols],
      rows,
      stats: { recordsScanned: this.scanned, recordsMatched: rows.length, bytesScanned: this.bytes },
      rowsBeforeCap: this.pipeline.total(),
    };
  }
}

function windowOf(events: readonly QueryEvent[]): { start: number; end: number } {
  if (events.length === 0) return { start: 0, end: 0 };
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of events) {
    if (e.timestamp === null) continue;
    lo = Math.min(lo, e.timestamp);
    hi = Math.max(hi, e.timestamp);
  }
  return lo === Infinity ? { start: 0, end: 0 } : { start: lo, end: hi + 1 };
}

/**
 * Runs a Logs Insights query over events. Throws QueryError (with `kind` syntax, semantic or
 * unsupported, and every diagnostic) before reading any event when the query is invalid.
 */
export function runQuery(text: string, events: Iterable<QueryEvent>, options?: RunOptions): QueryResult;
export function runQuery(text: string, events: AsyncIterable<QueryEvent>, options?: RunOptions): Promise<QueryResult>;
export function runQuery(text: string, events: Iterable<QueryEvent> | AsyncIterable<QueryEvent>, options: RunOptions = {}): QueryResult | Promise<QueryResult> {
  const q = compileQuery(text);
  const window = options.window ?? (Array.isArray(events) ? windowOf(events) : undefined);
  const run = new QueryRun(q, { ...options, ...(window ? { window } : {}) });
  if (Symbol.asyncIterator in events) {
    return (async () => {
      for await (const e of events as AsyncIterable<QueryEvent>) run.push(e);
      return run.finish();
    })();
  }
  for (const e of events as Iterable<QueryEvent>) run.push(e);
  return run.finish();
}
