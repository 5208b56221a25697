/**
 * Writers for matched events: the input line as it was, JSON (an array) or NDJSON, each
 * event as `{timestamp, logStream, message}` (timestamp in epoch ms, as CloudWatch's own API
 * gives it, so the output can be read back as NDJSON input).
 */
import type { Writable } from 'node:stream';
import type { ScannedEvent } from '../engine/scan.js';
import { escapeControls, escapeJsonText } from './safety.js';

export const OUTPUT_FORMATS = ['raw', 'json', 'ndjson'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Collects output in a buffer and writes it in large pieces, waiting when the pipe is full. */
export class BufferedWriter {
  private parts: (string | Buffer)[] = [];
  private bytes = 0;
  constructor(private readonly out: Writable, private readonly limit = 256 * 1024) {}

  write(s: string | Buffer): void | Promise<void> {
    this.parts.push(typeof s === 'string' ? s : Buffer.from(s)); // copy: the scan reuses its buffers
    this.bytes += s.length;
    if (this.bytes >= this.limit) return this.flush();
  }

  flush(): Promise<void> | void {
    if (this.parts.length === 0) return;
    const data = Buffer.concat(this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
    this.parts = [];
    this.bytes = 0;
    if (!this.out.write(data)) return new Promise((resolve) => this.out.once('drain', () => resolve()));
  }
}

export interface EventWriter {
  write(e: ScannedEvent): void | Promise<void>;
  end(): void | Promise<void>;
}

/**
 * `escape`: show control characters and bidi overrides as visible escapes (on a terminal,
 * or with --escape). JSON output escapes control characters by itself.
 */
export function eventWriter(format: OutputFormat, out: BufferedWriter, escape = false): EventWriter {
  const record = (e: ScannedEvent): string => {
    const json = JSON.stringify({ timestamp: e.timestamp, logStream: e.logStream, message: e.message });
    return escape ? escapeJsonText(json) : json;
  };
  switch (format) {
    case 'raw':
      return {
        write: (e) => {
          // The whole input line (time and stream included), escaped when asked.
          const r = out.write(escape ? escapeControls(e.raw ? e.raw.toString('utf8') : e.message) : (e.raw ?? e.message));
          return r ? r.then(() => out.write('\n')) : out.write('\n');
        },
        end: () => out.flush(),
      };
    case 'ndjson':
      return { write: (e) => out.write(record(e) + '\n'), end: () => out.flush() };
    case 'json': {
      let first = true;
      return {
        write: (e) => {
          const r = out.write((first ? '[\n' : ',\n') + record(e));
          first = false;
          return r;
        },
        end: () => {
          out.write(first ? '[]\n' : '\n]\n');
          return out.flush();
        },
      };
    }
    default: {
      const never: never = format;
      throw new Error(`unknown output format ${String(never)}`);
    }
  }
}
