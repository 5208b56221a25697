/**
 * Scanning one big file on every core: the file is cut into parts at line starts, each part
 * is scanned by a worker thread with the same plan, and the parts' results are handed on in
 * file order, so output and line numbers are exactly those of a one-thread scan.
 *
 * The engine knows no language: a plan reaches a worker as a module URL and a spec; the
 * worker imports the module and asks its `linePlanFromSpec(spec)` for the plan.
 */
import type { FileHandle } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { IssueCount, IssueKind } from '../sources/issues.js';
import type { Format } from '../sources/formats.js';
import type { ScannedEvent } from './scan.js';

export interface ParallelPlan {
  /** URL of a module that exports `linePlanFromSpec(spec)`. */
  readonly module: string;
  /** Plain data (structured-cloneable) the module builds the plan from. */
  readonly spec: unknown;
  /**
   * The module also exports `partAggregatorFromSpec(spec)`: a worker hands it each matched
   * event and sends back its summary of each part in place of the events (for the scan's
   * `onPartSummary`).
   */
  readonly aggregate?: boolean;
}

/** Sums up a worker's matched events, part by part. */
export interface PartAggregator {
  push(e: ScannedEvent): void;
  /** The part's summary (structured-cloneable), and a fresh start for the next part. */
  take(): unknown;
}

/** Parts are about this big: large enough to amortise a message, small enough to bound memory. */
export const PART_BYTES = 8 << 20;

/**
 * Parts that send back no events (counts, aggregates) hold no memory, so they can be big, and
 * are cut guided: each a quarter of the rest's share per thread, down to PART_BYTES, so the
 * threads start on big parts and finish on small ones together.
 */
export function guidedPartBytes(threads: number): (rest: number) => number {
  return (rest) => Math.max(PART_BYTES, Math.ceil(rest / (threads * 4)));
}
/**
 * Files smaller than this are scanned on one thread: starting workers and sharing two cores with
 * them cost more than they give (measured on 2-core machines: two threads are slower on 267 MB
 * and faster on 2.7 GB, by 1.1-1.5x for filters; see the README).
 */
export const MIN_PARALLEL_BYTES = 1 << 30;

export interface PartJob {
  readonly plan: ParallelPlan;
  readonly name: string;
  /** The file, open on the main thread (descriptors are the process's, shared by its threads). */
  readonly fd: number;
  readonly start: number;
  readonly end: number;
  readonly format: Format;
  readonly timeStart?: number;
  readonly timeEnd?: number;
  readonly maxLineBytes?: number;
  readonly countOnly: boolean;
}

/** Matched events of a part, packed for the trip: line bytes back to back. */
export interface PartEvents {
  readonly data: Uint8Array;
  readonly ends: number[];
  /** Offset of the message in its line, or -1 when the message is in `messages`. */
  readonly messageOffsets: number[];
  readonly messages: (string | null)[];
  readonly timestamps: (number | null)[];
  readonly streams: (string | null)[];
  readonly groups: (string | null)[];
  readonly lines: number[];
}

export interface PartResult {
  readonly lines: number;
  readonly matched: number;
  readonly issues: [IssueKind, IssueCount][];
  readonly events: PartEvents;
  /** The aggregator's summary of the part, with an aggregating plan. */
  readonly summary?: unknown;
  readonly bytes: number;
}

/**
 * Cuts [0, size) into parts that start at line starts. `partBytes`: a size, or the size of the
 * next part given the bytes not yet cut.
 */
export async function fileParts(fh: FileHandle, size: number, partBytes: number | ((rest: number) => number) = PART_BYTES): Promise<{ start: number; end: number }[]> {
  const sizeOf = typeof partBytes === 'number' ? () => partBytes : partBytes;
  const cuts = [0];
  const probe = Buffer.alloc(64 * 1024);
  let at = sizeOf(size);
  while (at < size) {
    // The next part starts after the first newline at or after `at`.
    let pos = at;
    let found = -1;
    while (pos < size && found === -1) {
      const { bytesRead } = await fh.read(probe, 0, probe.length, pos);
      if (bytesRead === 0) break;
      const nl = probe.subarray(0, bytesRead).indexOf(10);
      if (nl !== -1) found = pos + nl + 1;
      else pos += bytesRead;
    }
    if (found === -1 || found >= size) break;
    cuts.push(found);
    at = found + sizeOf(size - found);
  }
  cuts.push(size);
  const parts: { start: number; end: number }[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) if (cuts[i + 1]! > cuts[i]!) parts.push({ start: cuts[i]!, end: cuts[i + 1]! });
  return parts;
}

/**
 * Jobs a worker holds at once: the one it scans and the next, already in its message queue, so
 * it never waits for this thread (busy or descheduled while every core scans) between parts.
 */
export const JOBS_PER_WORKER = 2;

interface Pending {
  readonly resolve: (r: PartResult) => void;
  readonly reject: (e: Error) => void;
}

/** A fixed set of workers taking part jobs; results come back per job. */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly waiting: { job: PartJob; pending: Pending }[] = [];
  /** Each worker's jobs in the order posted, which is the order it answers them (worker.ts). */
  private readonly posted = new Map<Worker, Pending[]>();
  /** Why the pool takes no more jobs (a worker failed, or it was closed); null while it does. */
  private broken: Error | null = null;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./worker.js', import.meta.url));
      w.on('message', (r: PartResult) => this.done(w, r));
      w.on('error', (e) => this.failed(e));
      w.unref(); // an idle worker does not keep the process alive; a busy one is ref'd
      this.workers.push(w);
      this.posted.set(w, []);
    }
  }

  run(job: PartJob): Promise<PartResult> {
    return new Promise((resolve, reject) => {
      // A scan that still holds a failed or closed pool gets the error, not a promise that never settles.
      if (this.broken !== null) return reject(this.broken);
      this.waiting.push({ job, pending: { resolve, reject } });
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      // The worker holding fewest jobs takes the next one.
      let best: Worker | null = null;
      for (const w of this.workers) {
        const n = this.posted.get(w)!.length;
        if (n < JOBS_PER_WORKER && (best === null || n < this.posted.get(best)!.length)) best = w;
      }
      if (best === null) return;
      const { job, pending } = this.waiting.shift()!;
      const queue = this.posted.get(best)!;
      if (queue.length === 0) best.ref();
      queue.push(pending);
      best.postMessage(job);
    }
  }

  private done(w: Worker, r: PartResult): void {
    const queue = this.posted.get(w)!;
    const cb = queue.shift();
    if (queue.length === 0) w.unref();
    cb?.resolve(r);
    this.pump();
  }

  /** A worker died (its thread threw): every job fails, and the pool is not used again. */
  private failed(e: Error): void {
    this.broken ??= e;
    const all = [...this.posted.values()].flat().concat(this.waiting.map((x) => x.pending));
    this.waiting.length = 0;
    for (const q of this.posted.values()) q.length = 0;
    for (const p of all) p.reject(e);
    void this.close();
  }

  async close(): Promise<void> {
    this.broken ??= new Error('the worker pool is closed');
    if (pools.get(this.workers.length) === this) pools.delete(this.workers.length);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const pools = new Map<number, WorkerPool>();

/** One pool per size, kept for later scans (starting workers costs more than most parts). */
export function sharedPool(size: number): WorkerPool {
  let p = pools.get(size);
  if (!p) {
    p = new WorkerPool(size);
    pools.set(size, p);
  }
  return p;
}
