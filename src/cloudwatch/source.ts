/**
 * CloudWatch Logs as a source: FilterLogEvents, page by page, as an async stream of events; and
 * as an `Input` the scan reads like any file. Each event becomes one NDJSON line (timestamp,
 * stream, group, message: the JSON escapes keep multi-line messages one line), so a CloudWatch
 * source gives exactly the answers the same events give from an NDJSON file.
 */
import type { Input } from '../sources/inputs.js';
import { type CloudWatchLogs, describeAwsError } from './client.js';

export interface CloudWatchEvent {
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly logStreamName: string;
  readonly message: string;
  readonly eventId: string;
}

export interface EventQuery {
  readonly logGroup: string;
  /** Only these streams (FilterLogEvents takes up to 100). */
  readonly logStreams?: readonly string[];
  /** Keep events with start <= timestamp < end (epoch ms), as every haystack window. */
  readonly start?: number;
  readonly end?: number;
  /** Sent to AWS so less is transferred; callers still apply their own match. */
  readonly filterPattern?: string;
}

export interface EventPage {
  readonly events: CloudWatchEvent[];
  /** The token for the page after this one; null on the last page. */
  readonly nextToken: string | null;
}

/** Where a CloudWatch source reads from, as a path: `cloudwatch://GROUP[/STREAM]`. */
export const SCHEME = 'cloudwatch://';

/**
 * `cloudwatch://GROUP[/STREAM]`: the group runs to the first `/`, the rest is the stream.
 * Both are percent-decoded, so a group with slashes (`/aws/lambda/x`) is written with %2F.
 */
export function parseCloudWatchPath(path: string): { logGroup: string; logStream?: string } | null {
  if (!path.startsWith(SCHEME)) return null;
  const rest = path.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const group = slash === -1 ? rest : rest.slice(0, slash);
  const stream = slash === -1 ? '' : rest.slice(slash + 1);
  try {
    const logGroup = decodeURIComponent(group);
    if (logGroup === '') return null;
    return stream === '' ? { logGroup } : { logGroup, logStream: decodeURIComponent(stream) };
  } catch {
    return null;
  }
}

/**
 * The request window. AWS's endTime is inclusive ("events with a timestamp later than this
 * time are not returned"), haystack's end exclusive: end - 1 asks AWS for the same events.
 */
export function requestOf(q: EventQuery, nextToken?: string): {
  logGroupName: string;
  logStreamNames?: string[];
  startTime?: number;
  endTime?: number;
  filterPattern?: string;
  nextToken?: string;
} {
  return {
    logGroupName: q.logGroup,
    ...(q.logStreams && q.logStreams.length > 0 ? { logStreamNames: [...q.logStreams] } : {}),
    ...(q.start !== undefined ? { startTime: Math.max(0, Math.ceil(q.start)) } : {}),
    ...(q.end !== undefined ? { endTime: Math.max(0, Math.ceil(q.end) - 1) } : {}),
    ...(q.filterPattern !== undefined && q.filterPattern !== '' ? { filterPattern: q.filterPattern } : {}),
    ...(nextToken ? { nextToken } : {}),
  };
}

/** FilterLogEvents pages from `nextToken` (or the start) to the last. */
export async function* filterPages(client: CloudWatchLogs, q: EventQuery, nextToken?: string): AsyncGenerator<EventPage> {
  let token = nextToken;
  for (;;) {
    let out;
    try {
      out = await client.filterLogEvents(requestOf(q, token));
    } catch (e) {
      throw describeAwsError(e, `FilterLogEvents on ${q.logGroup}`);
    }
    const events: CloudWatchEvent[] = [];
    for (const e of out.events ?? []) {
      if (typeof e.timestamp !== 'number' || typeof e.message !== 'string') continue;
      events.push({
        timestamp: e.timestamp,
        ingestionTime: e.ingestionTime ?? e.timestamp,
        logStreamName: e.logStreamName ?? '',
        message: e.message,
        eventId: e.eventId ?? '',
      });
    }
    const next = out.nextToken && out.nextToken !== token ? out.nextToken : null;
    yield { events, nextToken: next };
    if (next === null) return;
    token = next;
  }
}

/** One event as a line of haystack's `ndjson` format. */
export function ndjsonLine(e: CloudWatchEvent, logGroup: string): string {
  return JSON.stringify({ timestamp: e.timestamp, logStreamName: e.logStreamName, logGroupName: logGroup, message: e.message }) + '\n';
}

/** The name a CloudWatch source has in messages: the path form. */
export function sourceName(q: EventQuery): string {
  const g = encodeURIComponent(q.logGroup);
  return q.logStreams && q.logStreams.length === 1 ? `${SCHEME}${g}/${encodeURIComponent(q.logStreams[0]!)}` : `${SCHEME}${g}`;
}

/** A CloudWatch source as an input of the scan: one NDJSON chunk per page. */
export function cloudWatchInput(client: CloudWatchLogs, q: EventQuery): Input {
  return {
    name: sourceName(q),
    path: null,
    format: 'ndjson',
    open: async function* () {
      for await (const page of filterPages(client, q)) {
        if (page.events.length === 0) continue;
        yield Buffer.from(page.events.map((e) => ndjsonLine(e, q.logGroup)).join(''), 'utf8');
      }
    },
  };
}
