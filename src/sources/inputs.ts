/**
 * Where events come from: files, directories (recursively), gzip files and stdin.
 */
import { createReadStream, type Dirent, promises as fsp } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { Format } from './formats.js';

export interface Input {
  /** How the input is named in messages: the path as given, or "stdin". */
  readonly name: string;
  /** Null for stdin. */
  readonly path: string | null;
  /**
   * An input that is not a file (a CloudWatch log group): its bytes, read when the scan gets
   * to it. A failure that must stop the scan is thrown as an InputError.
   */
  readonly open?: () => AsyncIterable<Buffer>;
  /** The input's format when it is known by construction; wins over --format and detection. */
  readonly format?: Format;
}

export class InputError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * The manifest `haystack pull` writes beside the files it downloads (and its temporary copy):
 * not a log, so a directory walk passes over it, and a pulled folder scans as it is.
 */
export const PULL_MANIFEST = 'haystack-pull.json';

/** Read size: big enough to amortise calls, small enough for flat memory. */
export const CHUNK_BYTES = 1 << 20;

/**
 * Expands PATH arguments: `-` is stdin; directories are walked recursively in name order,
 * following symlinks once (a loop is reported, not followed). No argument reads stdin when
 * it is not a terminal.
 */
export async function resolveInputs(args: readonly string[], stdinIsTty: boolean): Promise<{ inputs: Input[]; problems: string[] }> {
  const inputs: Input[] = [];
  const problems: string[] = [];
  if (args.length === 0) {
    if (stdinIsTty) throw new InputError('no input: give one or more files or directories, or pipe logs to stdin', 'haystack filter PATTERN flow.log');
    return { inputs: [{ name: 'stdin', path: null }], problems };
  }
  const seenDirs = new Set<string>();
  const walk = async (path: string, shown: string, named = false): Promise<void> => {
    let st;
    try {
      st = await fsp.stat(path);
    } catch (e) {
      problems.push(`${shown}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
      return;
    }
    if (st.isDirectory()) {
      const real = await fsp.realpath(path);
      if (seenDirs.has(real)) {
        problems.push(`${shown}: directory already visited (symlink loop?), not read again`);
        return;
      }
      seenDirs.add(real);
      let entries: Dirent[];
      try {
        entries = await fsp.readdir(path, { withFileTypes: true });
      } catch (e) {
        problems.push(`${shown}: ${(e as Error).message}`);
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (e.name.startsWith(PULL_MANIFEST)) continue;
        await walk(join(path, e.name), join(shown, e.name));
      }
      return;
    }
    // A FIFO is read only when named: one met while walking a directory could block forever.
    if (st.isFile() || (st.isFIFO() && named)) inputs.push({ name: shown, path });
    else problems.push(`${shown}: not a regular file, skipped`);
  };
  for (const a of args) {
    if (a === '-') inputs.push({ name: 'stdin', path: null });
    else await walk(a, a, true);
  }
  return { inputs, problems };
}

/**
 * Opens an input as chunks of bytes; gzip is recognised by its magic bytes (not the name)
 * and inflated with node:zlib, which also reads concatenated gzip members. Errors (an
 * unreadable file, a truncated gzip member) surface from the iteration.
 */
export async function openInput(input: Input): Promise<{ stream: AsyncIterable<Buffer> }> {
  if (input.open) return { stream: input.open() };
  if (input.path === null) return { stream: chunksOf(process.stdin) };
  return { stream: readFile(input.path) };
}

/**
 * A file's chunks, read into two buffers in turn: the next read runs while the consumer works
 * on the current chunk, and no chunk costs an allocation or fresh pages (a new 1 MB buffer per
 * read spent a third of a selective scan waiting and collecting garbage). A chunk is valid
 * until the next one is asked for; what the scan keeps longer, it copies. A gzip file (known
 * by its magic bytes) is handed to the stream path, whose inflater keeps its input chunks.
 */
async function* readFile(path: string): AsyncGenerator<Buffer> {
  const fh = await fsp.open(path, 'r');
  let pending: Promise<{ bytesRead: number }> | null = null;
  const buffers: Buffer[] = [];
  try {
    // A FIFO has no positions: it is read in order (position null).
    const positioned = (await fh.stat()).isFile();
    let pos = 0;
    buffers.push(takeBuffer(), takeBuffer());
    const readInto = (b: Buffer): Promise<{ bytesRead: number }> => fh.read(b, 0, b.length, positioned ? pos : null);
    let which = 0;
    pending = readInto(buffers[0]!);
    let first = true;
    for (;;) {
      const { bytesRead } = await pending;
      pending = null;
      if (bytesRead === 0) return;
      const chunk = buffers[which]!.subarray(0, bytesRead); // a new view each time, so caches keyed on it reset
      if (first && bytesRead >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
        yield* chunksOf(createReadStream(path, { highWaterMark: CHUNK_BYTES }));
        return;
      }
      first = false;
      pos += bytesRead;
      which ^= 1;
      pending = readInto(buffers[which]!);
      yield chunk;
    }
  } finally {
    await pending?.catch(() => undefined);
    await fh.close();
    for (const b of buffers) giveBuffer(b);
  }
}

// Read buffers are kept for the next file or part once a read is over: a worker reads hundreds
// of parts, and a fresh pair per part was only freed by a garbage collection that the small
// JavaScript heap rarely needed (2 threads over 10M lines peaked at 277 MB).
const spareBuffers: Buffer[] = [];

function takeBuffer(): Buffer {
  return spareBuffers.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
}

function giveBuffer(b: Buffer): void {
  if (spareBuffers.length < 4) spareBuffers.push(b);
}

async function* chunksOf(raw: Readable): AsyncGenerator<Buffer> {
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => it };
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) {
    yield head;
    yield* rest;
    return;
  }
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const out = drain(gunzip); // listening before any byte goes in, so no output is missed
  // Feed the compressed bytes in while the inflated ones are read out.
  const write = async (c: Buffer): Promise<void> => {
    if (gunzip.destroyed) return;
    if (!gunzip.write(c)) await Promise.race([once(gunzip, 'drain'), once(gunzip, 'close')]);
  };
  const feed = (async (): Promise<void> => {
    try {
      // One chunk is held back so the file's last 8 bytes go in alone, after a flush: zlib
      // drops the output of a write that fails, and a bad final CRC or trailing garbage
      // would otherwise lose the last member's lines along with the error.
      let held = head;
      for await (const c of rest) {
        await write(held);
        held = c;
      }
      if (held.length > 8) {
        await write(held.subarray(0, held.length - 8));
        await new Promise<void>((r) => {
          // A failed or closed stream never calls back from flush.
          if (gunzip.destroyed) return r();
          gunzip.once('close', () => r());
          gunzip.flush(() => r());
        });
        held = held.subarray(held.length - 8);
      }
      await write(held);
      gunzip.end();
    } catch (e) {
      gunzip.destroy(e as Error);
    }
  })();
  try {
    yield* out;
  } finally {
    raw.destroy();
    await feed;
  }
}

/**
 * The chunks of a stream, and then its error if it fails: unlike `for await`, which throws
 * at once and loses what was already inflated before a bad gzip trailer or trailing garbage.
 */
function drain(s: Readable): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let failed: Error | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const poke = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  s.on('data', (c: Buffer) => {
    queue.push(c);
    if (queue.length >= 8) s.pause(); // bounded: the consumer resumes it
    poke();
  });
  s.on('end', () => {
    ended = true;
    poke();
  });
  s.on('error', (e) => {
    failed = e;
    poke();
  });
  return (async function* (): AsyncGenerator<Buffer> {
    for (;;) {
      const c = queue.shift();
      if (c !== undefined) {
        if (queue.length < 4 && s.isPaused()) s.resume();
        yield c;
        continue;
      }
      if (failed) throw failed;
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  })();
}
