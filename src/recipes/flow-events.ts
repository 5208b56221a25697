/**
 * The recipes' reader of discrimiNAT lines: flow lines (spec D2) and config lines (spec D3) out
 * of any input the scan reads, each with its event time. The kind of a line is told apart as
 * spec D2.7 says; a byte prefilter and the recipe's own test run inside the scan, so a recipe
 * sees only the lines it asked for and each of those is parsed once.
 */
import { type LinePlan, type ScanOptions, type ScanReport, scan } from '../engine/scan.js';
import { CONFIG_CATS } from '../discriminat/schema.js';
import type { Input } from '../sources/inputs.js';

export type LogKind = 'flow' | 'config';

/** A line's members as JSON.parse gives them; read them only through the accessors below. */
export type Fields = Readonly<Record<string, unknown>>;

export interface LogLine {
  readonly kind: LogKind;
  readonly fields: Fields;
  /** Epoch ms of the event; null for inputs that carry no time (bare JSON lines). */
  readonly timestamp: number | null;
  readonly input: string;
  /** 1-based line number in the input; null for aws-json input. */
  readonly line: number | null;
}

export interface ReadLinesOptions extends ScanOptions {
  /** The kinds wanted. */
  readonly kinds: readonly LogKind[];
  /** A wanted line holds at least one of these (byte prefilter); empty or absent: none. */
  readonly literals?: readonly string[];
  /** A further test on a line of a wanted kind. */
  readonly keep?: (kind: LogKind, fields: Fields) => boolean;
  /**
   * When set, every input must carry times: an input without them is an InputError that says
   * it cannot honour this (e.g. `--since`).
   */
  readonly timesNeededFor?: string;
}

// Log data is hostile: only own members are read, so `constructor` or `__proto__` in a line
// never reaches Object.prototype (STYLE: data-keyed maps).
const own = (f: Fields, k: string): unknown => (Object.hasOwn(f, k) ? f[k] : undefined);

export function str(f: Fields, k: string): string | undefined {
  const v = own(f, k);
  return typeof v === 'string' ? v : undefined;
}

export function int(f: Fields, k: string): number | undefined {
  const v = own(f, k);
  return Number.isInteger(v) ? (v as number) : undefined;
}

export function bool(f: Fields, k: string): boolean | undefined {
  const v = own(f, k);
  return typeof v === 'boolean' ? v : undefined;
}

export function has(f: Fields, k: string): boolean {
  return Object.hasOwn(f, k);
}

/** Spec D2.7: flow if `cat` is client/server and `dhost` is there; config if `cat` is a config cat. */
export function kindOf(f: Fields): LogKind | null {
  const cat = str(f, 'cat');
  if (cat === undefined) return null;
  if ((cat === 'client' || cat === 'server') && has(f, 'dhost')) return 'flow';
  return (CONFIG_CATS as readonly string[]).includes(cat) ? 'config' : null;
}

function parseObject(message: string): Fields | undefined {
  let v: unknown;
  try {
    v = JSON.parse(message);
  } catch {
    return undefined;
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Fields) : undefined;
}

/**
 * Reads the wanted lines of every input in order and hands each to `onLine`. Lines that are
 * not JSON objects are scan issues (json inputs), as in every other command.
 */
export async function readLines(inputs: readonly Input[], options: ReadLinesOptions, onLine: (l: LogLine) => void): Promise<ScanReport> {
  // No `parallel`: the tests below are closures a worker thread cannot rebuild.
  const { kinds, literals = [], keep, timesNeededFor, parallel: _parallel, ...scanOptions } = options;
  // The scan calls test() and then, for a line that passed, onMatch in the same order, a chunk
  // at a time: the parsed fields wait in this queue so a line is parsed once. A miss (never
  // expected) falls back to parsing again, so correctness does not rest on the order.
  let queue: { message: string; fields: Fields; kind: LogKind }[] = [];
  const plan: LinePlan = {
    literals,
    decodesJson: true,
    test(message) {
      const fields = parseObject(message);
      if (fields === undefined) return undefined;
      const kind = kindOf(fields);
      if (kind === null || !kinds.includes(kind) || (keep && !keep(kind, fields))) return false;
      queue.push({ message, fields, kind });
      return true;
    },
  };
  return scan(
    inputs,
    plan,
    (e) => {
      let hit = queue.length > 0 && queue[0]!.message === e.message ? queue.shift()! : undefined;
      if (hit === undefined) {
        queue = [];
        const fields = parseObject(e.message)!;
        hit = { message: e.message, fields, kind: kindOf(fields)! };
      }
      onLine({ kind: hit.kind, fields: hit.fields, timestamp: e.timestamp, input: e.input, line: e.line });
    },
    // With times needed, the scan refuses an input without times up front, saying why.
    timesNeededFor !== undefined ? { ...scanOptions, requireTimes: timesNeededFor } : scanOptions,
  );
}

/** `input:line`, or the input alone when lines are not numbered. */
export function whereOf(l: { input: string; line: number | null }): string {
  return l.line === null ? l.input : `${l.input}:${l.line}`;
}

/** Client IPs in numeric order (anything that is not an IPv4 address sorts by text). */
export function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4 && ![...pa, ...pb].some(Number.isNaN)) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
