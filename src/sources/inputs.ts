/**
 * Where events come from: files, directories (recursively), gzip files and stdin.
 */
import { createReadStream, type Dirent, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface Input {
  /** How the input is named in messages: the path as given, or "stdin". */
  readonly name: string;
  /** Null for stdin. */
  readonly path: string | null;
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
 * Opens an input as a stream of Buffers; gzip is recognised by its magic bytes (not the
 * name) and inflated with node:zlib, which also reads concatenated gzip members.
 */
export async function openInput(input: Input): Promise<{ stream: Readable; gzip: boolean }> {
  const raw: Readable = input.path === null ? process.stdin : createReadStream(input.path, { highWaterMark: CHUNK_BYTES });
  const first = await peek(raw);
  const gzip = first !== null && first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  if (first !== null) raw.unshift(first);
  if (!gzip) return { stream: raw, gzip };
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  raw.on('error', (e) => gunzip.destroy(e));
  return { stream: raw.pipe(gunzip), gzip };
}

/** The first chunk of a stream, or null at once-ended streams. */
function peek(s: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const onReadable = (): void => {
      const chunk = s.read() as Buffer | null;
      if (chunk === null && !s.readableEnded) return; // wait for more
      cleanup();
      resolve(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const cleanup = (): void => {
      s.off('readable', onReadable);
      s.off('end', onEnd);
      s.off('error', onError);
    };
    s.on('readable', onReadable);
    s.on('end', onEnd);
    s.on('error', onError);
  });
}
