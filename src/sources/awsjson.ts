/**
 * Streaming extractor for what `aws logs filter-log-events` / `get-log-events` print: one or more
 * JSON objects (pretty or compact, pages appended back to back) each with an `"events"` array.
 *
 * A byte-level state machine follows just enough structure to find `"events"` at depth 1; each
 * element object of that array is collected alone and JSON.parse'd alone, so memory is bounded by
 * the largest event (capped by maxEventBytes), never by the document. Only ASCII bytes are
 * structural and UTF-8 continuation bytes are all >= 0x80, so chunks may split anywhere.
 */

export interface AwsLogEvent {
  /** Epoch ms; null when the event's `timestamp` is missing or not a number (reported too). */
  timestamp: number | null;
  message: string;
  logStream?: string;
  ingestionTime?: number;
}

export interface AwsJsonIssue {
  kind: 'not-json' | 'bad-event' | 'too-long';
  message: string;
  /** Offset in the whole stream of the first byte concerned. */
  byteOffset: number;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;
const COMMA = 0x2c, COLON = 0x3a;
const BOM = [0xef, 0xbb, 0xbf];

// States. Depth counts open brackets: 1 inside a top-level object, 2 inside its `events` array,
// 3+ inside an event.
const TOP = 0; // between documents
const MEMBERS = 1; // depth 1, before a key (commas tolerated: we extract, we do not validate)
const KEY = 2; // inside a depth-1 key
const AFTER_KEY = 3; // expecting ':'
const VALUE = 4; // expecting a depth-1 value
const ELEMS = 5; // depth 2, inside `events`, before an element
const EVENT = 6; // inside an event object, collecting its bytes
const SKIP = 7; // inside a value we do not need (string, object or array)
const SCALAR = 8; // inside a number / true / false / null we do not need

/** The longest raw key worth keeping: `events` spelled entirely in \u escapes is 36 bytes. */
const MAX_KEY = 64;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Bytes that can make up a JSON number, true, false or null. */
function isScalar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x2b || c === 0x2e;
}

export class AwsJsonExtractor {
  private state = TOP;
  private depth = 0;
  private inString = false;
  private escape = false;
  /** Stream offset of the current chunk's first byte. */
  private offset = 0;

  private docStart = 0;
  /** Whether the current `{` has been followed by a key or `}`: only then is it a document. */
  private docValid = false;
  private garbageStart = -1;
  private garbageEnd = -1;
  /** Where the document began, when a garbage run starts with a document breaking off; else -1. */
  private brokenDoc = -1;

  private key = '';
  private keyUsable = true;
  private isEvents = false;

  /** Where SKIP / SCALAR return, and at which depth SKIP is done. */
  private returnState = MEMBERS;
  private returnDepth = 1;

  private eventOffset = 0;
  /** False once the current event is known to be too long: it is still scanned, not kept. */
  private capturing = false;
  private captureFrom = 0;
  private parts: Buffer[] = [];
  private partsLen = 0;

  constructor(
    private readonly onEvent: (e: AwsLogEvent, byteOffset: number) => void,
    private readonly onIssue: (issue: AwsJsonIssue) => void,
    private readonly maxEventBytes = 1 << 20,
  ) {}

  /** Feed the next bytes. Callbacks run synchronously; they must not call push() again. */
  push(buf: Buffer): void {
    const n = buf.length;
    let i = 0;
    while (i < n) {
      const c = buf[i];
      switch (this.state) {
        case TOP:
          if (c === LBRACE) {
            this.docStart = this.offset + i;
            this.docValid = false;
            this.depth = 1;
            this.state = MEMBERS;
          } else if (!isSpace(c) && !(this.offset + i < 3 && c === BOM[this.offset + i])) {
            if (this.garbageStart < 0) this.garbageStart = this.offset + i;
            this.garbageEnd = this.offset + i + 1;
          }
          break;
        case MEMBERS:
          if (c === QUOTE || c === RBRACE) {
            if (!this.docValid) {
              this.docValid = true;
              this.flushGarbage();
            }
            if (c === QUOTE) {
              this.key = '';
              this.keyUsable = true;
              this.state = KEY;
            } else {
              this.depth = 0;
              this.state = TOP;
            }
          } else if (c !== COMMA && !isSpace(c)) {
            this.fail(i);
            continue; // look at this byte again, between documents
          }
          break;
        case KEY:
          if (c < 0x20) {
            this.fail(i); // raw control bytes never occur in JSON strings: this was not JSON
            continue;
          }
          if (this.escape) this.escape = false;
          else if (c === BACKSLASH) this.escape = true;
          else if (c === QUOTE) {
            this.isEvents = this.keyUsable && (this.key === 'events' || (this.key.includes('\\') && unescapeKey(this.key) === 'events'));
            this.state = AFTER_KEY;
            break;
          }
          // Non-ASCII or overlong keys cannot spell `events`.
          if (c >= 0x80 || this.key.length >= MAX_KEY) this.keyUsable = false;
          else this.key += String.fromCharCode(c);
          break;
        case AFTER_KEY:
          if (c === COLON) this.state = VALUE;
          else if (!isSpace(c)) {
            this.fail(i);
            continue;
          }
          break;
        case VALUE:
          if (isSpace(c)) break;
          if (this.isEvents) {
            if (c === LBRACKET) {
              this.depth = 2;
              this.state = ELEMS;
              break;
            }
            this.issue('bad-event', '"events" is not an array; it was skipped', this.offset + i);
          }
          if (!this.skipValue(c, MEMBERS)) {
            this.fail(i);
            continue;
          }
          break;
        case ELEMS:
          if (c === LBRACE) {
            this.depth = 3;
            this.state = EVENT;
            this.eventOffset = this.offset + i;
            this.capturing = true;
            this.captureFrom = i;
          } else if (c === RBRACKET) {
            this.depth = 1;
            this.state = MEMBERS;
          } else if (c === COMMA || isSpace(c)) {
            // between elements
          } else if (this.skipValue(c, ELEMS)) {
            this.issue('bad-event', 'an element of "events" is not an object; it was skipped', this.offset + i);
          } else {
            this.fail(i);
            continue;
          }
          break;
        case EVENT:
        case SKIP:
          i = this.scanNested(buf, i);
          continue;
        case SCALAR:
          if (!isScalar(c)) {
            this.state = this.returnState;
            continue; // the byte after a scalar belongs to the enclosing structure
          }
          break;
      }
      i++;
    }
    // Keep the part of an unfinished event; copy it, since callers may reuse their buffers.
    if (this.state === EVENT && this.capturing) {
      const piece = buf.subarray(this.captureFrom, n);
      if (this.partsLen + piece.length > this.maxEventBytes) this.tooLong();
      else {
        this.parts.push(Buffer.from(piece));
        this.partsLen += piece.length;
      }
      this.captureFrom = 0;
    }
    this.offset += n;
  }

  /** Signal the end of input: reports an unfinished document or event, then resets. */
  end(): void {
    if (this.state !== TOP && !this.docValid) {
      // A `{` that never became a document is part of the garbage before it.
      if (this.garbageStart < 0) this.garbageStart = this.docStart;
      this.garbageEnd = this.offset;
    }
    this.flushGarbage();
    if (this.state === EVENT) {
      if (this.capturing) this.issue('bad-event', 'the input ends inside this event; it was skipped', this.eventOffset);
    } else if (this.state !== TOP && this.docValid) {
      this.issue('not-json', 'the input ends inside an unfinished JSON document', this.docStart);
    }
    this.state = TOP;
    this.depth = 0;
    this.inString = this.escape = false;
    this.parts = [];
    this.partsLen = 0;
  }

  /** Start skipping a value whose first byte is c; false if c cannot start a value. */
  private skipValue(c: number, returnState: number): boolean {
    this.returnState = returnState;
    this.returnDepth = this.depth;
    if (c === LBRACE || c === LBRACKET) this.depth++;
    else if (c === QUOTE) this.inString = true;
    else if (!isScalar(c)) return false;
    this.state = c === LBRACE || c === LBRACKET || c === QUOTE ? SKIP : SCALAR;
    return true;
  }

  /**
   * The hot loop for EVENT and SKIP: only strings, escapes and bracket depth matter. Returns the
   * index of the next byte to look at.
   */
  private scanNested(buf: Buffer, i: number): number {
    const n = buf.length;
    const target = this.state === EVENT ? 2 : this.returnDepth;
    let depth = this.depth, inString = this.inString, escape = this.escape;
    let done = false;
    scan: while (i < n) {
      let c = buf[i];
      if (inString) {
        if (escape) escape = false;
        else {
          // Most string bytes are plain: step over them without touching any state.
          while (c !== QUOTE && c !== BACKSLASH && c > 0x1f) {
            if (++i === n) break scan;
            c = buf[i];
          }
          if (c === BACKSLASH) escape = true;
          else if (c === QUOTE) {
            inString = false;
            if (depth === target) done = true;
          } else if (c === 0x0a || c === 0x0d) {
            // A raw line break is never inside a JSON string (the CLI escapes it): the
            // document was cut short. Resync between documents at this byte.
            this.fail(i);
            return i;
          }
          // Any other raw control byte makes this event invalid JSON, not the document: the
          // event fails to parse and is reported on its own, and the scan goes on.
        }
      } else if (c === QUOTE) inString = true;
      else if (c === LBRACE || c === LBRACKET) depth++;
      else if ((c === RBRACE || c === RBRACKET) && --depth === target) done = true;
      i++;
      if (done) break;
    }
    this.depth = depth;
    this.inString = inString;
    this.escape = escape;
    if (done) {
      if (this.state === EVENT) {
        this.state = ELEMS;
        this.finishEvent(buf, i);
      } else this.state = this.returnState;
    }
    return i;
  }

  private finishEvent(buf: Buffer, end: number): void {
    if (!this.capturing) return; // already reported as too long
    const tail = buf.subarray(this.captureFrom, end);
    const len = this.partsLen + tail.length;
    if (len > this.maxEventBytes) return this.tooLong();
    this.capturing = false;
    const bytes = this.parts.length > 0 ? Buffer.concat([...this.parts, tail], len) : tail;
    this.parts = [];
    this.partsLen = 0;
    this.deliver(bytes);
  }

  private deliver(bytes: Buffer): void {
    const at = this.eventOffset;
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      this.issue('bad-event', `the event is not valid JSON (${(err as Error).message}); it was skipped`, at);
      return;
    }
    // It began with `{` and parsed, so it is an object.
    const o = parsed as Record<string, unknown>;
    if (typeof o.message !== 'string') {
      this.issue('bad-event', 'the event has no string "message"; it was skipped', at);
      return;
    }
    const ts = o.timestamp;
    const event: AwsLogEvent = { timestamp: typeof ts === 'number' && Number.isFinite(ts) ? ts : null, message: o.message };
    if (typeof o.logStreamName === 'string') event.logStream = o.logStreamName;
    if (typeof o.ingestionTime === 'number') event.ingestionTime = o.ingestionTime;
    // Decision: an event without a usable timestamp is still delivered (its message can match a
    // pattern; only time filtering needs the timestamp), and reported first so it is counted.
    if (event.timestamp === null) {
      const why = ts === undefined ? 'has no "timestamp"' : 'has a "timestamp" that is not a number';
      this.issue('bad-event', `the event ${why}; it is kept with no timestamp`, at);
    }
    this.onEvent(event, at);
  }

  private tooLong(): void {
    this.issue('too-long', `the event is longer than ${this.maxEventBytes} bytes; it was skipped`, this.eventOffset);
    this.capturing = false;
    this.parts = [];
    this.partsLen = 0;
  }

  /** The bytes from chunk index i on are not the JSON we expect: drop to between documents. */
  private fail(i: number): void {
    const at = this.offset + i;
    if (this.garbageStart < 0) {
      // A `{` never followed by a key was garbage too; a real document that breaks off is not,
      // but the report should say where it began.
      this.garbageStart = this.docValid ? at : this.docStart;
      this.brokenDoc = this.docValid ? this.docStart : -1;
    }
    this.garbageEnd = at;
    if (this.state === EVENT && this.capturing) {
      this.issue('bad-event', 'the event breaks off before it ends; it was skipped', this.eventOffset);
      this.parts = [];
      this.partsLen = 0;
    }
    this.capturing = false;
    this.state = TOP;
    this.depth = 0;
    this.inString = this.escape = false;
    this.docValid = false;
  }

  /** One 'not-json' report per run of garbage, made once the run is known to be over. */
  private flushGarbage(): void {
    if (this.garbageStart < 0) return;
    const n = this.garbageEnd - this.garbageStart;
    const skipped = `${n} byte${n === 1 ? '' : 's'} skipped`;
    this.issue(
      'not-json',
      this.brokenDoc >= 0
        ? `the JSON document that starts at byte ${this.brokenDoc} breaks off here${n > 0 ? `; ${skipped}` : ''}`
        : `not a JSON document; ${skipped}`,
      this.garbageStart,
    );
    this.garbageStart = -1;
  }

  private issue(kind: AwsJsonIssue['kind'], message: string, byteOffset: number): void {
    this.onIssue({ kind, message, byteOffset });
  }
}

/** A key with escapes, decoded; raw bytes are ASCII here, so JSON.parse sees them as written. */
function unescapeKey(raw: string): string | undefined {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}
