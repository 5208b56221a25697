/**
 * `pull`: a log group downloaded to local files in CloudWatch's export format
 * (`<ISO time> <message>`), one file per stream and UTC day, gzip by default, with a manifest.
 *
 * Resumable at any moment: after each page, the manifest (written whole to a temporary file,
 * then renamed over the old one) records the token of the next page, the byte length of every
 * file, and the event ids of the page just written. A rerun first cuts each file back to its
 * recorded length and removes files the manifest does not know (both written after the last
 * checkpoint), then asks for the recorded page again and drops events of the boundary page. So
 * no event is missing and none is written twice, wherever the process was stopped.
 */
import { promises as fsp } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type CloudWatchLogs, CloudWatchError } from './client.js';
import { PULL_MANIFEST } from '../sources/inputs.js';
import { type CloudWatchEvent, type EventQuery, filterPages } from './source.js';

export const MANIFEST = PULL_MANIFEST;

export interface PullFile {
  readonly stream: string;
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  events: number;
  /** Length of the file at the last checkpoint. */
  bytes: number;
  first: number;
  last: number;
}

export interface PullManifest {
  readonly version: 1;
  readonly logGroup: string;
  readonly logStreams: readonly string[];
  /** Epoch ms; null: from the group's oldest event. */
  readonly start: number | null;
  /** Epoch ms, exclusive; fixed at the first run so a rerun asks for the same window. */
  readonly end: number;
  readonly gzip: boolean;
  /** --start and --end as written at the first run (absent in manifests of older pulls). */
  readonly windowText?: { readonly start: string | null; readonly end: string | null };
  complete: boolean;
  /** The next page to ask for; null with complete false: the first page. */
  nextToken: string | null;
  /** Ids of the events of the last page written: dropped if AWS returns them again. */
  boundaryEventIds: string[];
  pages: number;
  events: number;
  /** Events whose message holds a line break: in the export format they read back as several lines. */
  multiLine: number;
  /** By path relative to the output folder, with / separators. */
  files: Record<string, PullFile>;
}

export interface PullProgress {
  readonly events: number;
  readonly bytes: number;
  readonly pages: number;
  /** The latest event time written so far. */
  readonly reached: number | null;
  /** The pull's window (the recorded one on a rerun). */
  readonly start: number | null;
  readonly end: number;
}

export interface PullOptions {
  readonly logGroup: string;
  readonly logStreams?: readonly string[];
  readonly start?: number;
  /** Default: now, at the first run (a rerun keeps the recorded end). */
  readonly end?: number;
  readonly out: string;
  readonly gzip?: boolean;
  /**
   * --start and --end as the user wrote them. A rerun of the same command resumes even when
   * they are relative (`7d` means another moment each run): the recorded window is kept.
   */
  readonly windowText?: { readonly start?: string; readonly end?: string };
  readonly onPage?: (p: PullProgress) => void;
  /** Called when the pull starts over (why: the page token of its checkpoint expired). */
  readonly onRestart?: (why: string) => void;
}

export class PullError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'PullError';
  }
}

/** A name safe as one path segment: percent-encoded, and never `.` or `..`. */
export function segment(name: string): string {
  const e = encodeURIComponent(name);
  if (e === '') return '%00';
  return /^\.+$/.test(e) ? e.replace(/\./g, '%2E') : e;
}

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The export format's line: ISO time, a space, the message. */
export function exportLine(e: CloudWatchEvent): string {
  return `${new Date(e.timestamp).toISOString()} ${e.message}\n`;
}

async function readManifest(out: string): Promise<PullManifest | null> {
  let text: string;
  try {
    text = await fsp.readFile(join(out, MANIFEST), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new PullError(`cannot read ${join(out, MANIFEST)}: ${(e as Error).message}`);
  }
  try {
    const m = JSON.parse(text) as PullManifest;
    if (m.version !== 1 || typeof m.logGroup !== 'string' || typeof m.files !== 'object') throw new Error('not a haystack pull manifest');
    return m;
  } catch (e) {
    throw new PullError(`${join(out, MANIFEST)} is not a haystack pull manifest (${(e as Error).message})`, 'pull into an empty folder');
  }
}

/** Whole-file replace: a crash leaves the old manifest or the new one, never half of either. */
async function writeManifest(out: string, m: PullManifest): Promise<void> {
  const tmp = join(out, `${MANIFEST}.tmp`);
  await fsp.writeFile(tmp, JSON.stringify(m, null, 2) + '\n');
  await fsp.rename(tmp, join(out, MANIFEST));
}

async function* walkFiles(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walkFiles(p);
    else yield p;
  }
}

const DATA_FILE = /\.log(\.gz)?$/;

/** Back to the last checkpoint: files cut to their recorded length, unknown data files removed. */
async function rollBack(out: string, m: PullManifest): Promise<void> {
  for (const [rel, f] of Object.entries(m.files)) {
    const p = join(out, ...rel.split('/'));
    let size: number;
    try {
      size = (await fsp.stat(p)).size;
    } catch {
      size = -1;
    }
    if (size < f.bytes)
      throw new PullError(`${p} is shorter than the manifest records (${size < 0 ? 'missing' : `${size} bytes`}, expected ${f.bytes}); the pull cannot resume safely`, 'pull again into an empty folder');
    if (size > f.bytes) await fsp.truncate(p, f.bytes);
  }
  for await (const p of walkFiles(out)) {
    const rel = relative(out, p).split(sep).join('/');
    if (DATA_FILE.test(rel) && !(rel in m.files)) await fsp.rm(p);
  }
}

function sameRequest(m: PullManifest, o: PullOptions): string | null {
  if (m.logGroup !== o.logGroup) return `log group ${m.logGroup}`;
  const streams = [...(o.logStreams ?? [])];
  if (JSON.stringify([...m.logStreams].sort()) !== JSON.stringify(streams.sort())) return `streams ${m.logStreams.join(', ') || '(all)'}`;
  const written = m.windowText;
  if (written !== undefined && o.windowText !== undefined) {
    // The same words mean the same request, and the window recorded at the first run stands.
    if ((o.windowText.start ?? null) !== written.start) return `start ${written.start ?? '(none)'}`;
    if (o.windowText.end !== undefined && o.windowText.end !== written.end) return `end ${written.end ?? new Date(m.end).toISOString()}`;
  } else {
    if (o.start !== undefined && m.start !== o.start) return `start ${m.start === null ? '(none)' : new Date(m.start).toISOString()}`;
    if (o.end !== undefined && m.end !== o.end) return `end ${new Date(m.end).toISOString()}`;
  }
  if (m.gzip !== (o.gzip ?? true)) return m.gzip ? 'gzip' : '--no-gzip';
  return null;
}

export interface PullResult {
  readonly manifest: PullManifest;
  /** The pull was complete before this run: nothing was asked of AWS. */
  readonly alreadyComplete: boolean;
  readonly resumed: boolean;
  /** The checkpoint's page token had expired: the pull started over. */
  readonly restarted?: boolean;
}

export async function pull(client: CloudWatchLogs, o: PullOptions): Promise<PullResult> {
  try {
    await fsp.mkdir(o.out, { recursive: true });
    const unlock = await lock(o.out);
    try {
      return await pullLocked(client, o);
    } finally {
      await unlock();
    }
  } catch (e) {
    // A file that cannot be written (not a folder, no space, a name too long) is the user's to
    // fix: one line, not an internal error.
    // A file system error names a path (a network one does not).
    const fsError = e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string' && typeof (e as NodeJS.ErrnoException).path === 'string';
    if (!(e instanceof PullError) && fsError)
      throw new PullError(`cannot write the pull in ${o.out}: ${(e as Error).message}`, 'check the --out folder: a writable folder with free space');
    throw e;
  }
}

/**
 * One pull at a time per folder (two would interleave appends and checkpoints). The lock file
 * holds the owner's pid; a lock whose process is gone (a killed pull) is taken over.
 */
async function lock(out: string): Promise<() => Promise<void>> {
  const path = join(out, `${MANIFEST}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fsp.writeFile(path, String(process.pid), { flag: 'wx' });
      return () => fsp.rm(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new PullError(`cannot write in ${out}: ${(e as Error).message}`);
    }
    const pid = Number((await fsp.readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      throw new PullError(`another pull (process ${pid}) is writing ${out}`, 'wait for it to end, or pull into another folder');
    await fsp.rm(path, { force: true }); // its process is gone: a pull that was killed
  }
  throw new PullError(`cannot lock ${out}: another pull keeps taking it`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // it exists, under another user
  }
}

async function pullLocked(client: CloudWatchLogs, o: PullOptions): Promise<PullResult> {
  let m = await readManifest(o.out);
  const resumed = m !== null;
  if (m) {
    const differs = sameRequest(m, o);
    if (differs) throw new PullError(`${o.out} holds a pull of another request (${differs})`, 'give the same options to resume it, or pull into another folder');
    if (m.complete) return { manifest: m, alreadyComplete: true, resumed };
    await rollBack(o.out, m);
  } else {
    for await (const p of walkFiles(o.out)) {
      if (DATA_FILE.test(p)) throw new PullError(`${o.out} already holds log files but no ${MANIFEST}`, 'pull into an empty folder');
    }
    m = {
      version: 1,
      logGroup: o.logGroup,
      logStreams: [...(o.logStreams ?? [])],
      start: o.start ?? null,
      end: o.end ?? Date.now(),
      gzip: o.gzip ?? true,
      ...(o.windowText !== undefined ? { windowText: { start: o.windowText.start ?? null, end: o.windowText.end ?? null } } : {}),
      complete: false,
      nextToken: null,
      boundaryEventIds: [],
      pages: 0,
      events: 0,
      multiLine: 0,
      files: {},
    };
    await writeManifest(o.out, m);
  }
  const manifest = m;
  const q: EventQuery = {
    logGroup: manifest.logGroup,
    ...(manifest.logStreams.length > 0 ? { logStreams: manifest.logStreams } : {}),
    ...(manifest.start !== null ? { start: manifest.start } : {}),
    end: manifest.end,
  };
  let restarted = false;
  for (;;) {
    try {
      await pullPages(client, o, manifest, q);
      return { manifest, alreadyComplete: false, resumed, restarted };
    } catch (e) {
      // FilterLogEvents tokens expire after 24 hours: a pull resumed later cannot go on from
      // its checkpoint, so it starts over from nothing (still no gap and no duplicate).
      if (restarted || manifest.nextToken === null || !(e instanceof CloudWatchError) || e.awsName !== 'InvalidParameterException' || !/token/i.test(e.message)) throw e;
      restarted = true;
      o.onRestart?.(e.message);
      // The empty checkpoint first: killed before the files go, a rerun removes them as unknown.
      const old = Object.keys(manifest.files);
      Object.assign(manifest, { complete: false, nextToken: null, boundaryEventIds: [], pages: 0, events: 0, multiLine: 0, files: {} });
      await writeManifest(o.out, manifest);
      for (const rel of old) await fsp.rm(join(o.out, ...rel.split('/')), { force: true });
    }
  }
}

/** Pages from the manifest's checkpoint to the end, checkpointing after each. */
async function pullPages(client: CloudWatchLogs, o: PullOptions, manifest: PullManifest, q: EventQuery): Promise<void> {
  let bytes = Object.values(manifest.files).reduce((n, f) => n + f.bytes, 0);
  let reached: number | null = null;
  for (const f of Object.values(manifest.files)) reached = reached === null ? f.last : Math.max(reached, f.last);
  for await (const page of filterPages(client, q, manifest.nextToken ?? undefined)) {
    const boundary = new Set(manifest.boundaryEventIds);
    const byFile = new Map<string, { stream: string; day: string; lines: string[]; events: CloudWatchEvent[] }>();
    const ids: string[] = [];
    for (const e of page.events) {
      if (e.eventId !== '' && boundary.has(e.eventId)) continue;
      // AWS's endTime is inclusive and a server may be loose: the window is kept here too.
      if (e.timestamp >= manifest.end || (manifest.start !== null && e.timestamp < manifest.start)) continue;
      ids.push(e.eventId);
      const day = dayOf(e.timestamp);
      const rel = `${segment(e.logStreamName)}/${day}.log${manifest.gzip ? '.gz' : ''}`;
      let g = byFile.get(rel);
      if (!g) byFile.set(rel, (g = { stream: e.logStreamName, day, lines: [], events: [] }));
      g.lines.push(exportLine(e));
      g.events.push(e);
      if (/[\n\r]/.test(e.message)) manifest.multiLine++;
    }
    for (const [rel, g] of byFile) {
      const text = Buffer.from(g.lines.join(''), 'utf8');
      const data = manifest.gzip ? gzipSync(text) : text; // one gzip member per page: members concatenate
      const path = join(o.out, ...rel.split('/'));
      await fsp.mkdir(join(path, '..'), { recursive: true });
      await fsp.appendFile(path, data);
      const f = (manifest.files[rel] ??= { stream: g.stream, day: g.day, events: 0, bytes: 0, first: Infinity, last: -Infinity });
      f.events += g.events.length;
      f.bytes += data.length;
      bytes += data.length;
      for (const e of g.events) {
        f.first = Math.min(f.first, e.timestamp);
        f.last = Math.max(f.last, e.timestamp);
        reached = reached === null ? e.timestamp : Math.max(reached, e.timestamp);
      }
    }
    manifest.events += ids.length;
    manifest.pages++;
    // A page AWS returned empty keeps the previous boundary: the next page may still repeat it.
    if (ids.length > 0 || page.events.length > 0) manifest.boundaryEventIds = ids.length > 0 ? ids : manifest.boundaryEventIds;
    manifest.nextToken = page.nextToken;
    if (page.nextToken === null) manifest.complete = true;
    await writeManifest(o.out, manifest);
    o.onPage?.({ events: manifest.events, bytes, pages: manifest.pages, reached, start: manifest.start, end: manifest.end });
  }
}
