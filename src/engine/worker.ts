/**
 * A scan worker: scans one part of a file with a plan built from its spec (parallel.ts) and
 * posts back what matched, packed for transfer.
 */
import { parentPort } from 'node:worker_threads';
import type { PartEvents, PartJob, PartResult } from './parallel.js';
import { type LinePlan, scan } from './scan.js';

const plans = new Map<string, LinePlan>();

async function planFor(job: PartJob): Promise<LinePlan> {
  const key = `${job.plan.module}\u0000${JSON.stringify(job.plan.spec)}`;
  let plan = plans.get(key);
  if (!plan) {
    const mod = (await import(job.plan.module)) as { linePlanFromSpec(spec: unknown): LinePlan };
    plan = mod.linePlanFromSpec(job.plan.spec);
    plans.set(key, plan);
  }
  return plan;
}

parentPort!.on('message', (job: PartJob) => {
  void (async () => {
    const plan = await planFor(job);
    const parts: Buffer[] = [];
    const ev: PartEvents = { data: new Uint8Array(0), ends: [], messageOffsets: [], messages: [], timestamps: [], streams: [], groups: [], lines: [] };
    let total = 0;
    const report = await scan(
      [{ name: job.name, path: job.path, range: { start: job.start, end: job.end } }],
      plan,
      (e) => {
        if (job.countOnly) return;
        // A copy: the scan reuses its read buffer for the next chunk.
        const raw = Buffer.from(e.raw ?? Buffer.from(e.message, 'utf8'));
        parts.push(raw);
        total += raw.length;
        ev.ends.push(total);
        const mb = e.messageBytes;
        // The message is a suffix of the line in every line format that has message bytes.
        ev.messageOffsets.push(mb !== null && e.raw !== null ? raw.length - mb.length : -1);
        ev.messages.push(mb !== null && e.raw !== null ? null : e.message);
        ev.timestamps.push(e.timestamp);
        ev.streams.push(e.logStream);
        ev.groups.push(e.logGroup);
        ev.lines.push(e.line ?? 0);
      },
      {
        format: job.format,
        ...(job.timeStart !== undefined ? { start: job.timeStart } : {}),
        ...(job.timeEnd !== undefined ? { end: job.timeEnd } : {}),
        ...(job.maxLineBytes !== undefined ? { maxLineBytes: job.maxLineBytes } : {}),
        partOfFile: true,
      },
    );
    // A buffer of its own (not Node's shared pool), so its memory can be transferred.
    const data = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (const p of parts) at += p.copy(data, at);
    const result: PartResult = {
      lines: report.lines,
      matched: report.matched,
      issues: [...report.issues.byKind],
      events: { ...ev, data },
      bytes: job.end - job.start,
    };
    parentPort!.postMessage(result, [data.buffer as ArrayBuffer]);
  })();
});
