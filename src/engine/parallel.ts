/**
 * Scanning one big file on every core: the file is cut into parts at line starts, each part
 * is scanned by a worker thread with the same plan, and the parts' results are handed on in
 * file order, so output and line numbers are exactly those of a one-thread scan.
 *
 * The engine knows no language: a plan reaches a worker as a module URL and a spec; the
 * worker imports the module and asks its `linePlanFromSpec(spec)` for the plan.
 */
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { IssueCount, IssueKind } from '../sources/issues.js';
import type { Format } from '../sources/formats.js';

export interface ParallelPlan {
  /** URL of a module that exports `linePlanFromSpec(spec)`. */
  readonly module: string;
  /** Plain data (structured-cloneable) the module builds the plan from. */
  readonly spec: unknown;
}

/** Parts are about this big: large enough to amortise a message, small enough to bound memory. */
export const PART_BYTES = 8 << 20;
/**
 * Files smaller than this are scanned on one thread: starting workers and sharing two cores with
 * them cost more than they give (measured on 2-core machines: two threads are slower on 267 MB
 * and faster on 2.7 GB, by 1.1-1.5x for filters; see the README).
 */
export const MIN_PARALLEL_BYTES = 1 << 30;

export interface PartJob {
  readonly plan: ParallelPlan;
  readonly name: string;
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly format: Format;
  readonly timeStart?: number;
  readonly timeEnd?: number;
  readonly maxLineBytes?: number;
  readonly countOnly: boolean;
}

/** Matched events of a part, packed for transfer: line bytes back to back. */
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
  readonly bytes: number;
}

/** Cuts [0, size) into parts that start at line starts. */
export async function fileParts(path: string, size: number, partBytes = PART_BYTES): Promise<{ start: number; end: number }[]> {
  const fh = await open(path, 'r');
  try {
    const cuts = [0];
    const probe = Buffer.alloc(64 * 1024);
    let at = partBytes;
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
      at = found + partBytes;
    }
    cuts.push(size);
    const parts: { start: number; end: number }[] = [];
    for (let i = 0; i + 1 < cuts.length; i++) if (cuts[i + 1]! > cuts[i]!) parts.push({ start: cuts[i]!, end: cuts[i + 1]! });
    return parts;
  } finally {
    await fh.close();
  }
}

/** A fixed set of workers taking part jobs; results come back per job. */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: { job: PartJob; resolve: (r: PartResult) => void; reject: (e: Error) => void }[] = [];
  private readonly running = new Map<Worker, { resolve: (r: PartResult) => void; reject: (e: Error) => void }>();

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./worker.js', import.meta.url));
      w.on('message', (r: PartResult) => this.done(w, null, r));
      w.on('error', (e) => this.done(w, e, null));
      w.unref(); // an idle worker does not keep the process alive; a busy one is ref'd
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  run(job: PartJob): Promise<PartResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const w = this.idle.pop()!;
      const { job, resolve, reject } = this.waiting.shift()!;
      this.running.set(w, { resolve, reject });
      w.ref();
      w.postMessage(job);
    }
  }

  private done(w: Worker, err: Error | null, r: PartResult | null): void {
    const cb = this.running.get(w);
    this.running.delete(w);
    w.unref();
    this.idle.push(w);
    if (cb) {
      if (err) cb.reject(err);
      else cb.resolve(r!);
    }
    this.pump();
  }

  async close(): Promise<void> {
    pools.delete(this.workers.length);
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
