/**
 * The hostile corpus (test/hostile/, written by scripts/make-hostile.mjs) as the security tests
 * read it: the manifest, the lines of each file split here by hand (not by haystack), the
 * summary line parsed, and the CLI run through a pipe or under a pseudo-terminal.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants as zc, gunzipSync } from 'node:zlib';
import { cliPath, repoRoot } from '../paths.js';

export const corpusDir = join(repoRoot, 'test', 'hostile');
export const makeHostile = join(repoRoot, 'scripts', 'make-hostile.mjs');

export type IssueKind = 'not-json' | 'bad-utf8' | 'too-long' | 'bad-timestamp' | 'bad-event' | 'read-error';
export const ISSUE_KINDS: readonly IssueKind[] = ['not-json', 'bad-utf8', 'too-long', 'bad-timestamp', 'bad-event', 'read-error'];

export interface ManifestLine {
  line: number;
  content: string;
  expect: string;
  expectParsed?: string;
}

export interface ManifestFile {
  path: string;
  format: string;
  about: string;
  bytes: number;
  compressed?: 'gzip';
  fileIssues?: IssueKind[];
  lines: ManifestLine[];
}

export interface Manifest {
  scans: { every: { filterPattern: string; query: string }; parsed: { filterPattern: string } };
  files: ManifestFile[];
  runtime: { path: string; lines?: ManifestLine[] }[];
}

export const manifest = JSON.parse(readFileSync(join(corpusDir, 'MANIFEST.json'), 'utf8')) as Manifest;

/** What a scan should report for some lines: the event lines, and a count per issue kind. */
export interface Expected {
  eventLines: number[];
  issues: Partial<Record<IssueKind, number>>;
  /** The first line of each line-level kind (file-level read errors have none). */
  firstLine: Partial<Record<IssueKind, number>>;
}

/** `parsed`: the outcome under a JSON pattern (expectParsed), else under a scan that takes every event. */
export function expected(lines: readonly ManifestLine[], fileIssues: readonly IssueKind[] = [], parsed = false): Expected {
  const out: Expected = { eventLines: [], issues: {}, firstLine: {} };
  for (const l of lines) {
    const outcome = parsed ? (l.expectParsed ?? l.expect) : l.expect;
    for (const part of outcome.split('+')) {
      if (part === 'event') out.eventLines.push(l.line);
      else if (part.startsWith('issue:')) {
        const k = part.slice('issue:'.length) as IssueKind;
        out.issues[k] = (out.issues[k] ?? 0) + 1;
        out.firstLine[k] ??= l.line;
      } else if (part !== 'blank' && part !== 'structure') throw new Error(`unknown outcome ${outcome}`);
    }
  }
  for (const k of fileIssues) out.issues[k] = (out.issues[k] ?? 0) + 1;
  return out;
}

export function addIssues(into: Partial<Record<IssueKind, number>>, more: Partial<Record<IssueKind, number>>): void {
  for (const [k, n] of Object.entries(more) as [IssueKind, number][]) into[k] = (into[k] ?? 0) + n;
}

/** The bytes a file holds once inflated (gzip by its magic bytes), as far as they can be read. */
export function contentOf(path: string): Buffer {
  const raw = readFileSync(path);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) return gunzipSync(raw, { finishFlush: zc.Z_SYNC_FLUSH });
  return raw;
}

/**
 * Lines as the scan should see them, split here by hand: a leading BOM of the file dropped,
 * lines end at LF, one CR before it is dropped, a last line without LF counts.
 */
export function splitLines(content: Buffer): Buffer[] {
  let b = content;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
  const out: Buffer[] = [];
  let start = 0;
  while (start < b.length) {
    let end = b.indexOf(0x0a, start);
    const next = end === -1 ? b.length : end + 1;
    if (end === -1) end = b.length;
    let l = b.subarray(start, end);
    if (l.length > 0 && l[l.length - 1] === 0x0d) l = l.subarray(0, l.length - 1);
    out.push(l);
    start = next;
  }
  return out;
}

// ---- the closing summary -------------------------------------------------------------------------

const WORDS: Record<string, IssueKind> = {
  'not JSON': 'not-json',
  'not valid UTF-8': 'bad-utf8',
  'over 1 MiB': 'too-long',
  'bad timestamp': 'bad-timestamp',
  'not a log event': 'bad-event',
  'read error': 'read-error',
};

export interface Summary {
  total: number;
  counts: Partial<Record<IssueKind, number>>;
  /** Where the first one of each kind was, as printed. */
  first: Partial<Record<IssueKind, string>>;
}

/** Parses `haystack: N lines skipped: 2 not JSON (first at f:3), 1 read error (first at g: why)` from stderr. */
export function parseSummary(stderr: string): Summary {
  const lines = stderr.split('\n').filter((l) => /^haystack: \d+ lines? skipped: /.test(l));
  if (lines.length === 0) return { total: 0, counts: {}, first: {} };
  if (lines.length > 1) throw new Error(`more than one summary line:\n${stderr}`);
  const l = lines[0]!;
  const total = Number(/^haystack: (\d+)/.exec(l)![1]);
  const counts: Summary['counts'] = {};
  const first: Summary['first'] = {};
  const re = /(?:skipped: |, )(\d+) (not JSON|not valid UTF-8|over 1 MiB|bad timestamp|not a log event|read error) \(first at (.*?)(?=\), \d+ (?:not JSON|not valid UTF-8|over 1 MiB|bad timestamp|not a log event|read error) \(first at |\)$)/g;
  for (const m of l.matchAll(re)) {
    const k = WORDS[m[2]!]!;
    counts[k] = Number(m[1]);
    first[k] = m[3]!;
  }
  return { total, counts, first };
}

// ---- running the CLI -----------------------------------------------------------------------------

export interface Run {
  status: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
}

/** Runs the built CLI through pipes (stdin empty). */
export function cli(args: readonly string[], options: { timeoutMs?: number; cwd?: string } = {}): Run {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    input: '',
    cwd: options.cwd ?? repoRoot,
    maxBuffer: 512 * 1024 * 1024,
    timeout: options.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL',
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (r.error && !timedOut) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8'), timedOut };
}

// A pseudo-terminal from python3's pty module: the child's stdin, stdout and stderr are the
// terminal (200 columns), as when a person runs haystack. Prints the exit code and what the
// terminal received, base64-encoded.
const PTY_RUNNER = `
import base64, fcntl, os, pty, select, struct, sys, termios
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 50, 200, 0, 0))
    os.execv(sys.argv[1], sys.argv[1:])
out = b''
while True:
    try:
        r, _, _ = select.select([fd], [], [], 60)
    except InterruptedError:
        continue
    if not r:
        break
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
_, st = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(st))
print(base64.b64encode(out).decode())
`;

/**
 * Runs the built CLI under a pseudo-terminal. The terminal turns each LF into CR LF; `out`
 * has that undone (an escaped CR shows as the text \\x0d, so no CR of haystack's is lost).
 */
export function cliOnTerminal(args: readonly string[], cwd = repoRoot): { status: number; out: string; raw: Buffer } {
  const r = spawnSync('python3', ['-c', PTY_RUNNER, process.execPath, cliPath, ...args], { cwd, maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  if (r.error) throw r.error;
  const [status, b64] = r.stdout.toString('utf8').split('\n');
  if (r.status !== 0 || status === undefined || b64 === undefined) throw new Error(`the pty runner failed: ${r.stderr.toString('utf8')}`);
  const raw = Buffer.from(b64, 'base64');
  return { status: Number(status), out: raw.toString('utf8').replace(/\r\n/g, '\n'), raw };
}

/** Is python3 with its pty module here? */
export function havePty(): boolean {
  const r = spawnSync('python3', ['-c', 'import pty, termios, fcntl'], { timeout: 10_000 });
  return r.status === 0;
}

/**
 * What must never reach a terminal raw: C0 controls except tab and newline, DEL, C1 controls,
 * and bidi overrides and isolates (README, output/safety.ts). Written out here, not imported.
 */
export const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
export const UNSAFE_EXCEPT_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The documented escaped form: `\xNN` for code points up to FF, `\uNNNN` above. */
export function escapedByHand(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const unsafe = (c <= 0x1f && c !== 0x09) || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    out += !unsafe ? ch : c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out;
}
