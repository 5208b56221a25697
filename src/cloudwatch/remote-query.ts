/**
 * A Logs Insights query run by CloudWatch itself: StartQuery, GetQueryResults until the query
 * ends, StopQuery when stopped. The caller has already checked the query with haystack's own
 * checker, so a typo never reaches AWS. The answer comes back in haystack's QueryResult shape,
 * so every output format of `query` prints it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { CompiledQuery, QueryResult } from '../insights/index.js';
import { type CloudWatchLogs, CloudWatchError, describeAwsError } from './client.js';

export const QUERY_STATUSES = ['Scheduled', 'Running', 'Complete', 'Failed', 'Timeout', 'Cancelled', 'Unknown'] as const;
export type QueryStatus = (typeof QUERY_STATUSES)[number];

/** The most rows Logs Insights returns (its `limit` may not exceed it either). */
export const AWS_ROW_CAP = 10_000;

export interface RemoteQueryOptions {
  readonly logGroups: readonly string[];
  /** Epoch ms, [start, end); sent as whole seconds (see `secondsWindow`). */
  readonly start: number;
  readonly end: number;
  readonly pollMs?: number;
  /** Aborting stops the query in CloudWatch (StopQuery) and rejects with QueryStopped. */
  readonly signal?: AbortSignal;
  readonly onStatus?: (status: QueryStatus, stats: { recordsScanned: number; bytesScanned: number }) => void;
}

export interface RemoteResult {
  readonly result: QueryResult;
  readonly queryId: string;
  /** AWS returned as many rows as it ever does: there may have been more. */
  readonly capped: boolean;
  /** The window CloudWatch searched, as epoch ms [start, end). */
  readonly window: { start: number; end: number };
}

export class QueryStopped extends Error {
  constructor(readonly queryId: string, readonly stopped: boolean) {
    super(`query ${queryId} ${stopped ? 'stopped in CloudWatch' : 'was not running any more'}`);
    this.name = 'QueryStopped';
  }
}

/**
 * StartQuery takes whole seconds and its end is inclusive; haystack's window is [start, end)
 * in ms. Asked: from the second holding `start` to the second holding `end - 1`; so the window
 * CloudWatch searches is [startSec * 1000, (endSec + 1) * 1000).
 */
export function secondsWindow(start: number, end: number): { startTime: number; endTime: number; window: { start: number; end: number } } {
  const startTime = Math.floor(start / 1000);
  const endTime = Math.max(startTime, Math.floor((end - 1) / 1000));
  return { startTime, endTime, window: { start: startTime * 1000, end: (endTime + 1) * 1000 } };
}

/** Waits `ms`, or less when the signal aborts (the caller then sees it aborted). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

export async function runRemoteQuery(client: CloudWatchLogs, query: CompiledQuery, o: RemoteQueryOptions): Promise<RemoteResult> {
  const { startTime, endTime, window } = secondsWindow(o.start, o.end);
  let queryId: string;
  try {
    const started = await client.startQuery({ logGroupNames: [...o.logGroups], startTime, endTime, queryString: query.source });
    if (!started.queryId) throw new CloudWatchError('StartQuery returned no query id');
    queryId = started.queryId;
  } catch (e) {
    throw describeAwsError(e, 'StartQuery');
  }
  for (;;) {
    if (o.signal?.aborted) throw await stop(client, queryId);
    let out;
    try {
      out = await client.getQueryResults({ queryId });
    } catch (e) {
      if (o.signal?.aborted) throw await stop(client, queryId);
      throw describeAwsError(e, 'GetQueryResults');
    }
    const status = (QUERY_STATUSES as readonly string[]).includes(out.status ?? '') ? (out.status as QueryStatus) : 'Unknown';
    o.onStatus?.(status, { recordsScanned: out.statistics?.recordsScanned ?? 0, bytesScanned: out.statistics?.bytesScanned ?? 0 });
    switch (status) {
      case 'Scheduled':
      case 'Running':
        await sleep(o.pollMs ?? 1000, o.signal);
        continue;
      case 'Complete': {
        const result = toQueryResult(query, out.results ?? [], out.statistics ?? {});
        return { result, queryId, capped: !query.hasLimit && result.rows.length >= AWS_ROW_CAP, window };
      }
      case 'Failed':
        throw new CloudWatchError(`the query failed in CloudWatch (query id ${queryId})`);
      case 'Timeout':
        throw new CloudWatchError(`the query timed out in CloudWatch (query id ${queryId}); narrow the time window or the log groups`);
      case 'Cancelled':
        throw new CloudWatchError(`the query was cancelled in CloudWatch (query id ${queryId})`);
      case 'Unknown':
        throw new CloudWatchError(`the query ended with status ${out.status ?? '(none)'} in CloudWatch (query id ${queryId})`);
      default: {
        const never: never = status;
        throw new Error(`unknown status ${String(never)}`);
      }
    }
  }
}

/** StopQuery, on Ctrl-C: a query left running keeps costing the account until it ends. */
async function stop(client: CloudWatchLogs, queryId: string): Promise<QueryStopped> {
  try {
    const r = await client.stopQuery({ queryId });
    return new QueryStopped(queryId, r.success !== false);
  } catch {
    return new QueryStopped(queryId, false); // it had already ended, or the network is gone
  }
}

/**
 * AWS rows (lists of {field, value}) as haystack rows: haystack's columns first (from its
 * checker), then any other field AWS returned, in order of first appearance; `@ptr` (a
 * pointer for GetLogRecord) is left out. AWS gives every value as a string.
 */
export function toQueryResult(
  query: CompiledQuery,
  rows: readonly (readonly { field?: string; value?: string }[])[],
  stats: { recordsScanned?: number; recordsMatched?: number; bytesScanned?: number },
): QueryResult {
  const fields = [...query.columns];
  const index = new Map(fields.map((f, i) => [f, i]));
  for (const row of rows)
    for (const c of row) {
      if (c.field === undefined || c.field === '@ptr' || index.has(c.field)) continue;
      index.set(c.field, fields.length);
      fields.push(c.field);
    }
  const out = rows.map((row) => {
    const r: (string | null)[] = fields.map(() => null);
    for (const c of row) {
      const i = c.field === undefined ? undefined : index.get(c.field);
      if (i !== undefined) r[i] = c.value ?? null;
    }
    return r;
  });
  return {
    fields,
    rows: out,
    stats: { recordsScanned: stats.recordsScanned ?? 0, recordsMatched: stats.recordsMatched ?? out.length, bytesScanned: stats.bytesScanned ?? 0 },
    rowsBeforeCap: out.length,
  };
}

/** A cell as text, so AWS's strings and haystack's numbers compare: null stays null. */
function cellText(c: string | number | null): string | null {
  if (c === null) return null;
  if (typeof c === 'number') return Object.is(c, -0) ? '0' : String(c);
  return c;
}

export interface ResultDifference {
  readonly onlyRemote: (string | null)[][];
  readonly onlyLocal: (string | null)[][];
  /** Same rows, another order (only said when the query sorts). */
  readonly orderDiffers: boolean;
  readonly fieldsDiffer: boolean;
}

/** Rows compared as multisets of their text, on the columns both have. */
export function compareResults(remote: QueryResult, local: QueryResult, ordered: boolean): ResultDifference {
  const cols = remote.fields.filter((f) => local.fields.includes(f));
  const pick = (r: QueryResult): (string | null)[][] => {
    const idx = cols.map((c) => r.fields.indexOf(c));
    return r.rows.map((row) => idx.map((i) => cellText(row[i] ?? null)));
  };
  const a = pick(remote);
  const b = pick(local);
  const counts = new Map<string, number>();
  for (const r of b) counts.set(JSON.stringify(r), (counts.get(JSON.stringify(r)) ?? 0) + 1);
  const onlyRemote: (string | null)[][] = [];
  for (const r of a) {
    const k = JSON.stringify(r);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else onlyRemote.push(r);
  }
  const left = new Map(counts);
  const onlyLocal = b.filter((r) => {
    const k = JSON.stringify(r);
    const n = left.get(k) ?? 0;
    if (n > 0) {
      left.set(k, n - 1);
      return true;
    }
    return false;
  });
  const orderDiffers = ordered && onlyRemote.length === 0 && onlyLocal.length === 0 && a.some((r, i) => JSON.stringify(r) !== JSON.stringify(b[i]));
  const fieldsDiffer = remote.fields.length !== local.fields.length || remote.fields.some((f, i) => local.fields[i] !== f);
  return { onlyRemote, onlyLocal, orderDiffers, fieldsDiffer };
}
