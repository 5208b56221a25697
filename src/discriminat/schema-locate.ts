/**
 * Line numbers for the few events a validation report points at (the first line with each
 * code, field and generation clue, and the examples).
 *
 * The scan hands a sink each event's input name but not its line number, so the report first
 * numbers events per input, and this module maps those event numbers back to lines by reading
 * the input again and counting the lines that make events the way engine/scan.ts does. Each
 * located line's message is compared with the event's: on any difference the location stays
 * unknown (an event number), never wrong. Only regular files can be read twice; stdin keeps
 * event numbers. A stopgap: once ScannedEvent carries its line number this module can go.
 */
import { isUtf8 } from 'node:buffer';
import { promises as fsp } from 'node:fs';
import { MAX_LINE_BYTES } from '../engine/scan.js';
import type { Format } from '../sources/formats.js';
import { type Input, openInput } from '../sources/inputs.js';
import { parseIsoTimestamp } from '../sources/time.js';

/** An event to locate: its input, its number among that input's events (1-based), its message. */
export interface EventRef {
  readonly input: string;
  readonly event: number;
  readonly message: string;
  /** Filled in when found. */
  line: number | null;
}

/** Formats with one event per line; aws-json events have no line of their own. */
const LINE_FORMATS: ReadonlySet<Format> = new Set<Format>(['json', 'text', 'export', 'tail', 'ndjson']);

/** Sets `line` on every ref that can be located. */
export async function locateEvents(refs: readonly EventRef[], inputs: readonly Input[], formats: ReadonlyMap<string, Format>): Promise<void> {
  const byInput = new Map<string, EventRef[]>();
  for (const r of refs) {
    const list = byInput.get(r.input);
    if (list) list.push(r);
    else byInput.set(r.input, [r]);
  }
  for (const [name, list] of byInput) {
    const input = inputs.find((i) => i.name === name);
    const format = formats.get(name);
    if (!input || input.path === null || format === undefined || !LINE_FORMATS.has(format)) continue;
    try {
      if (!(await fsp.stat(input.path)).isFile()) continue; // a FIFO cannot be read twice
      await locateIn(input, format, list);
    } catch {
      // unreadable now: the refs keep their event numbers
    }
  }
}

async function locateIn(input: Input, format: Format, refs: EventRef[]): Promise<void> {
  const wanted = new Map<number, EventRef[]>();
  for (const r of refs) {
    const list = wanted.get(r.event);
    if (list) list.push(r);
    else wanted.set(r.event, [r]);
  }
  let remaining = wanted.size;
  const messageOf = eventMessage(format);
  const { stream } = await openInput(input);
  let lineNo = 0;
  let events = 0;
  let done = false;

  const onLine = (buf: Buffer, start: number, end: number, tooLong: boolean): void => {
    lineNo++;
    if (tooLong) return;
    if (end > start && buf[end - 1] === 13) end--;
    const message = messageOf(buf, start, end);
    if (message === null) return;
    events++;
    const here = wanted.get(events);
    if (here === undefined) return;
    const text = typeof message === 'string' ? message : buf.toString('utf8', message[0], message[1]);
    for (const r of here) {
      if (r.message !== text) {
        done = true; // counting went astray: leave every location unknown rather than wrong
        return;
      }
      r.line = lineNo;
    }
    if (--remaining === 0) done = true;
  };

  let carry: Buffer[] = [];
  let carryBytes = 0;
  let dropping = false;
  let first = true;
  try {
    for await (const chunkAny of stream) {
      let chunk = chunkAny as Buffer;
      if (first) {
        first = false;
        if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      }
      let pos = 0;
      while (pos < chunk.length && !done) {
        const nl = chunk.indexOf(10, pos);
        if (nl === -1) {
          if (!dropping) {
            if (carryBytes + (chunk.length - pos) > MAX_LINE_BYTES) {
              dropping = true;
              carry = [];
              carryBytes = 0;
            } else {
              carry.push(chunk.subarray(pos));
              carryBytes += chunk.length - pos;
            }
          }
          break;
        }
        if (dropping) {
          dropping = false;
          onLine(chunk, pos, pos, true);
        } else if (carryBytes > 0) {
          carry.push(chunk.subarray(pos, nl));
          const whole = Buffer.concat(carry);
          carry = [];
          carryBytes = 0;
          onLine(whole, 0, whole.length, whole.length > MAX_LINE_BYTES);
        } else onLine(chunk, pos, nl, nl - pos > MAX_LINE_BYTES);
        pos = nl + 1;
      }
      if (done) break;
    }
    if (!done && !dropping && carryBytes > 0) {
      const whole = Buffer.concat(carry);
      onLine(whole, 0, whole.length, false);
    }
  } finally {
    stream.destroy();
  }
}

/**
 * For a line, the event's message (as a byte range of the line, or decoded) or null when the
 * scan makes no event of it: the same tests, in the same order, as engine/scan.ts's decoders.
 */
function eventMessage(format: Format): (buf: Buffer, start: number, end: number) => [number, number] | string | null {
  const readable = (buf: Buffer, start: number, end: number): boolean => !isBlank(buf, start, end) && isUtf8(buf.subarray(start, end));
  switch (format) {
    case 'text':
      return (buf, start, end) => (readable(buf, start, end) ? [start, end] : null);
    case 'json':
      return (buf, start, end) => (readable(buf, start, end) && looksLikeObject(buf, start, end) ? [start, end] : null);
    case 'export':
    case 'tail': {
      const withStream = format === 'tail';
      return (buf, start, end) => {
        if (!readable(buf, start, end)) return null;
        const sp = buf.indexOf(32, start);
        const tsEnd = sp === -1 || sp > end ? end : sp;
        if (Number.isNaN(parseIsoTimestamp(buf, start, tsEnd))) return null;
        let msgStart = Math.min(end, tsEnd + 1);
        if (withStream) {
          const sp2 = buf.indexOf(32, msgStart);
          msgStart = Math.min(end, (sp2 === -1 || sp2 > end ? end : sp2) + 1);
        }
        return [msgStart, end];
      };
    }
    case 'ndjson':
      return (buf, start, end) => {
        if (!readable(buf, start, end) || !looksLikeObject(buf, start, end)) return null;
        let v: unknown;
        try {
          v = JSON.parse(buf.toString('utf8', start, end));
        } catch {
          return null;
        }
        if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
        const o = v as Record<string, unknown>;
        if (typeof o.message !== 'string') return null;
        if (typeof o.timestamp === 'number') return Number.isFinite(o.timestamp) ? o.message : null;
        if (typeof o.timestamp !== 'string') return null;
        const b = Buffer.from(o.timestamp);
        return Number.isNaN(parseIsoTimestamp(b, 0, b.length)) ? null : o.message;
      };
    default:
      return () => null;
  }
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

function looksLikeObject(buf: Buffer, start: number, end: number): boolean {
  let s = start;
  let e = end;
  while (s < e && (buf[s] === 32 || buf[s] === 9)) s++;
  while (e > s && (buf[e - 1] === 32 || buf[e - 1] === 9)) e--;
  return e - s >= 2 && buf[s] === 0x7b && buf[e - 1] === 0x7d;
}
