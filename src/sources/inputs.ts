/**
 * Where events come from: files, directories (recursively), gzip files and stdin.
 */
import { createReadStream, type Dirent, promises as fsp } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface Input {
  /** How the input is named in messages: the path as given, or "stdin". */
  readonly name: string;
  /** Null for stdin. */
  readonly path: string | null;
  /** Only these bytes of the file, [start, end): a part of a file split across threads. */
  readonly range?: { readonly start: number; readonly end: number };
}

export class InputError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'InputError';
  }
}

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
  const walk = async (path: string, shown: string): Promise<void> => {
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
      for (const e of entries) await walk(join(path, e.name), join(shown, e.name));
      return;
    }
    if (st.isFile() || st.isFIFO()) inputs.push({ name: shown, path });
    else problems.push(`${shown}: not a regular file, skipped`);
  };
  for (const a of args) {
    if (a === '-') inputs.push({ name: 'stdin', path: null });
    else await walk(a, a);
  }
  return { inputs, problems };
}

/**
 * Opens an input as chunks of bytes; gzip is recognised by its magic bytes (not the name)
 * and inflated with node:zlib, which also reads concatenated gzip members. Errors (an
 * unreadable file, a truncated gzip member) surface from the iteration.
 */
export async function openInput(input: Input): Promise<{ stream: AsyncIterable<Buffer> }> {
  const raw: Readable =
    input.path === null
      ? process.stdin
      : createReadStream(input.path, {
          highWaterMark: CHUNK_BYTES,
          ...(input.range ? { start: input.range.start, end: input.range.end - 1 } : {}),
        });
  return { stream: chunksOf(raw) };
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
  // Feed the compressed bytes in while the inflated ones are read out.
  const feed = (async (): Promise<void> => {
    try {
      if (!gunzip.write(head)) await once(gunzip, 'drain');
      for await (const c of rest) if (!gunzip.write(c)) await once(gunzip, 'drain');
      gunzip.end();
    } catch (e) {
      gunzip.destroy(e as Error);
    }
  })();
  try {
    for await (const c of gunzip) yield c as Buffer;
  } finally {
    raw.destroy();
    await feed;
  }
}
