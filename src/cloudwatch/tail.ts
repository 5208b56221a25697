/**
 * `tail`: new events of a log group as they arrive. CloudWatch's Live Tail (StartLiveTail) is
 * tried first; where the account or network does not allow it, FilterLogEvents is polled with
 * overlapping windows (events can be ingested after later ones) and duplicates are dropped by
 * event id. The ids kept are only those still inside the overlap: memory stays bounded.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type CloudWatchLogs, describeAwsError } from './client.js';
import { type CloudWatchEvent, filterPages } from './source.js';

export interface TailOptions {
  readonly logGroup: string;
  readonly logStreams?: readonly string[];
  /** Sent to AWS (FilterLogEvents filterPattern, Live Tail logEventFilterPattern). */
  readonly filterPattern?: string;
  /** The earliest event time to show (epoch ms); default: when the tail starts. */
  readonly since?: number;
  /** Between polls (default 1 s). */
  readonly pollMs?: number;
  /** How far back each poll looks again, for events ingested late (default 5 min). */
  readonly overlapMs?: number;
  /** Try Live Tail first (default true). */
  readonly live?: boolean;
  /** Most event ids kept for dedupe; past it, polls look back less far (SeenIds). */
  readonly maxIds?: number;
  readonly signal?: AbortSignal;
  readonly onEvents: (events: readonly CloudWatchEvent[]) => void | Promise<void>;
  /** Said once on stderr: which way the tail runs, and why. */
  readonly onNote?: (text: string) => void;
  /** Test hook: the number of polls after which polling ends. */
  readonly maxPolls?: number;
}

/** Waits `ms`, or less when the signal aborts (the caller then sees it aborted). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

export async function tail(client: CloudWatchLogs, o: TailOptions): Promise<void> {
  let since = o.since ?? Date.now();
  if (o.live !== false) {
    const r = await liveTail(client, o, since);
    if (r.ended) return;
    o.onNote?.(`Live Tail unavailable (${r.reason}); polling FilterLogEvents every ${(o.pollMs ?? 1000) / 1000} s instead`);
    // Live Tail gives no event ids: polling starts just after its last event.
    if (r.lastTimestamp !== null) since = Math.max(since, r.lastTimestamp + 1);
  }
  await poll(client, o, since);
}

/**
 * Ids seen, by event time; those older than the window's start can never come back. An id is
 * never dropped while its time is still inside the window asked for: a dropped id would be
 * fetched again and printed twice on every poll. Past `max`, the poll narrows its window instead
 * (`cutoff`).
 */
export class SeenIds {
  private readonly ids = new Map<string, number>();
  constructor(private readonly max: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string, ts: number): void {
    this.ids.set(id, ts);
  }
  /** With more than `max` ids: the time from which the newest `max` are kept; else null. */
  cutoff(): number | null {
    if (this.ids.size <= this.max) return null;
    const times = [...this.ids.values()].sort((a, b) => b - a);
    return times[this.max - 1]!;
  }
  forgetBefore(ts: number): void {
    for (const [id, t] of this.ids) if (t < ts) this.ids.delete(id);
  }
  get size(): number {
    return this.ids.size;
  }
}

async function poll(client: CloudWatchLogs, o: TailOptions, since: number): Promise<void> {
  const overlap = o.overlapMs ?? 300_000;
  const seen = new SeenIds(o.maxIds ?? 200_000);
  let lower = since;
  let narrowed = false;
  for (let n = 0; o.maxPolls === undefined || n < o.maxPolls; n++) {
    if (o.signal?.aborted) return;
    const startedAt = Date.now();
    const from = lower;
    for await (const page of filterPages(client, {
      logGroup: o.logGroup,
      ...(o.logStreams && o.logStreams.length > 0 ? { logStreams: o.logStreams } : {}),
      start: from,
      ...(o.filterPattern !== undefined ? { filterPattern: o.filterPattern } : {}),
    })) {
      const fresh: CloudWatchEvent[] = [];
      for (const e of page.events) {
        // AWS returns nothing before startTime; ids older than it were forgotten.
        if (e.timestamp < from || seen.has(e.eventId)) continue;
        seen.add(e.eventId, e.timestamp);
        fresh.push(e);
      }
      if (fresh.length > 0) await o.onEvents(fresh);
      if (o.signal?.aborted) return;
    }
    // The next poll looks back `overlap` from now, never before where the tail started.
    lower = Math.max(lower, startedAt - overlap);
    // Too many ids to keep: look back less far, so what is forgotten is never asked for again.
    const cut = seen.cutoff();
    if (cut !== null && cut > lower) {
      if (!narrowed) o.onNote?.(`more than ${seen.size - 1} events in the look-back window: it is shortened to keep memory bounded, so events ingested late may be missed`);
      narrowed = true;
      lower = cut;
    }
    seen.forgetBefore(lower);
    if (o.maxPolls !== undefined && n + 1 >= o.maxPolls) return;
    await sleep(o.pollMs ?? 1000, o.signal);
  }
}

/**
 * A Live Tail session (restarted when AWS ends one, at most every 3 hours). `ended` false:
 * it could not start or broke, and polling should go on from `lastTimestamp`.
 */
async function liveTail(client: CloudWatchLogs, o: TailOptions, since: number): Promise<{ ended: true } | { ended: false; reason: string; lastTimestamp: number | null }> {
  let last: number | null = null;
  let arn: string;
  try {
    arn = o.logGroup.startsWith('arn:') ? o.logGroup : await logGroupArn(client, o.logGroup);
  } catch (e) {
    const err = describeAwsError(e, 'DescribeLogGroups');
    if (err.network) throw err; // no network: polling would fail the same way
    return { ended: false, reason: err.message.replace(/^CloudWatch: /, ''), lastTimestamp: null };
  }
  let sampledSaid = false;
  for (;;) {
    if (o.signal?.aborted) return { ended: true };
    try {
      const r = await client.startLiveTail(
        {
          logGroupIdentifiers: [arn],
          ...(o.logStreams && o.logStreams.length > 0 ? { logStreamNames: [...o.logStreams] } : {}),
          ...(o.filterPattern !== undefined && o.filterPattern !== '' ? { logEventFilterPattern: o.filterPattern } : {}),
        },
        o.signal ? { abortSignal: o.signal } : {},
      );
      if (!r.responseStream) throw new Error('no response stream');
      o.onNote?.('following with Live Tail');
      for await (const part of r.responseStream) {
        if (o.signal?.aborted) return { ended: true };
        if (part.sessionUpdate) {
          // AWS sends a sample (500 events) of an update that matched more: say so, once.
          if (part.sessionUpdate.sessionMetadata?.sampled === true && !sampledSaid) {
            sampledSaid = true;
            o.onNote?.('Live Tail is sending a sample: more events matched than it delivers (500 an update); narrow --filter, or pull the window for all of them');
          }
          const events: CloudWatchEvent[] = [];
          for (const e of part.sessionUpdate.sessionResults ?? []) {
            if (typeof e.timestamp !== 'number' || typeof e.message !== 'string' || e.timestamp < since) continue;
            events.push({ timestamp: e.timestamp, ingestionTime: e.ingestionTime ?? e.timestamp, logStreamName: e.logStreamName ?? '', message: e.message, eventId: '' });
            last = Math.max(last ?? e.timestamp, e.timestamp);
          }
          if (events.length > 0) await o.onEvents(events);
        }
      }
      // The session ended (AWS closes them after 3 hours): start another, not in a tight loop.
      await sleep(o.pollMs ?? 1000, o.signal);
    } catch (e) {
      if (o.signal?.aborted) return { ended: true };
      const name = (e as { name?: string }).name ?? '';
      if (name === 'SessionTimeoutException') continue;
      const err = describeAwsError(e, 'StartLiveTail');
      if (err.network && last === null) throw err;
      return { ended: false, reason: err.message.replace(/^CloudWatch: /, ''), lastTimestamp: last };
    }
  }
}

/** Live Tail names log groups by ARN: the group's, from DescribeLogGroups. */
async function logGroupArn(client: CloudWatchLogs, name: string): Promise<string> {
  let token: string | undefined;
  do {
    const r = await client.describeLogGroups({ logGroupNamePrefix: name, ...(token ? { nextToken: token } : {}) });
    for (const g of r.logGroups ?? []) {
      if (g.logGroupName === name) {
        const arn = g.logGroupArn ?? g.arn?.replace(/:\*$/, '');
        if (arn) return arn;
      }
    }
    token = r.nextToken;
  } while (token);
  throw Object.assign(new Error(`log group ${name} not found`), { name: 'ResourceNotFoundException' });
}
