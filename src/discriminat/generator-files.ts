/**
 * Writes generated logs where haystack (and CloudWatch habits) expect them: `estate.json` (the
 * native estate file, spec D5.1a) and the log group `DiscrimiNAT` with its streams `flow` and
 * `config`, as CloudWatch export files (`<ISO time> <message>`) and/or one merged NDJSON file
 * (`{"timestamp","message","logStreamName"}`), optionally gzipped. Streams as it goes: each
 * file gets 64 KiB chunks and the loop waits for `drain` whenever one is full.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { generate, newTally, tallyEvent, type GenerateOptions, type GenerateTally, type ResolvedOptions } from './generator.js';

export const OUTPUT_FORMATS = ['export', 'ndjson', 'both'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** CloudWatch's names (spec D1.1). */
export const LOG_GROUP = 'DiscrimiNAT';
export const ESTATE_FILE = 'estate.json';

export interface WriteOptions {
  /** The output directory (created if missing; files in it are overwritten). */
  readonly out: string;
  /** Default `export`. */
  readonly format?: OutputFormat;
  readonly gzip?: boolean;
}

export interface GenerateSummary {
  readonly seed: string;
  /** The seed of the connections (the same as `seed` unless given apart). */
  readonly trafficSeed: string;
  /** Whether connections no protocol rule could allow were generated. */
  readonly anomalies: boolean;
  /** The estate file the connections were decided against, when not the seed's own. */
  readonly decidedAgainst: string | null;
  readonly generation: ResolvedOptions['generation'];
  readonly days: number;
  /** ISO times of the span asked for, and of the first and last event written. */
  readonly start: string;
  readonly end: string;
  readonly firstEvent: string | null;
  readonly lastEvent: string | null;
  readonly estate: {
    readonly region: string;
    readonly instance: string;
    readonly applications: readonly { readonly name: string; readonly kind: string; readonly gid: string }[];
    readonly groups: number;
    readonly interfaces: number;
    readonly clients: number;
    readonly views: number;
    readonly unknownClients: readonly string[];
    readonly changes: readonly { readonly at: string; readonly what: string }[];
  };
  /** Every see-thru the estate holds at some time: its gid (or `%default`), application, date and when it was in place. */
  readonly seeThru: readonly { readonly gid: string; readonly app: string; readonly thruDate: string; readonly from: string; readonly until: string | null }[];
  readonly flow: GenerateTally['flow'];
  readonly config: GenerateTally['config'];
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  readonly seconds: number;
}

const CHUNK = 64 * 1024;

/** One output file: text collected into chunks, written with backpressure, gzipped on request. */
class FileSink {
  private chunk = '';
  private readonly file: WriteStream;
  private readonly gzip: Gzip | null;
  private readonly done: Promise<void>;
  /** The stream `write` goes to: the gzip stream or the file. */
  private readonly head: NodeJS.WritableStream;
  /** Set when a write was refused; listening from that moment, so a `drain` while another file is awaited is not missed. */
  private drained: Promise<unknown> | null = null;

  constructor(readonly path: string, gzip: boolean) {
    this.file = createWriteStream(path);
    this.gzip = gzip ? createGzip() : null;
    this.head = this.gzip ?? this.file;
    this.done = this.gzip ? pipeline(this.gzip, this.file) : once(this.file, 'finish').then(() => undefined);
    // Errors surface through `done` or `drain()`; without a listener an error would crash the process.
    this.done.catch(() => undefined);
  }

  /** Adds text; true when the caller should wait for `drain()` before adding more. */
  add(text: string): boolean {
    this.chunk += text;
    if (this.chunk.length >= CHUNK) {
      if (!this.head.write(this.chunk) && this.drained === null) {
        // Resolves on drain; rejects on an error of the file (or gzip) first.
        this.drained = Promise.race([once(this.head as unknown as WriteStream, 'drain'), this.done]);
      }
      this.chunk = '';
    }
    return this.drained !== null;
  }

  async drain(): Promise<void> {
    if (this.drained === null) return;
    await this.drained;
    this.drained = null;
  }

  async close(): Promise<number> {
    if (this.chunk !== '') this.head.write(this.chunk);
    this.chunk = '';
    this.head.end();
    await this.done;
    return (await stat(this.path)).size;
  }
}

/**
 * Generates and writes: `estate.json`, then the events in time order into the files of the
 * chosen format. Resolves with the summary once every file is flushed and closed.
 */
export async function writeGenerated(options: GenerateOptions & WriteOptions): Promise<GenerateSummary> {
  const started = performance.now();
  const generated = generate(options);
  const { scenario: sc, options: o } = generated;
  const format = options.format ?? 'export';
  const gz = options.gzip === true ? '.gz' : '';
  const groupDir = join(options.out, LOG_GROUP);
  await mkdir(groupDir, { recursive: true });
  const estatePath = join(options.out, ESTATE_FILE);
  await writeFile(estatePath, sc.estateText);

  const sinks: FileSink[] = [];
  const open = (name: string): FileSink => {
    const s = new FileSink(join(groupDir, name + gz), options.gzip === true);
    sinks.push(s);
    return s;
  };
  const flowFile = format !== 'ndjson' ? open('flow.log') : null;
  const configFile = format !== 'ndjson' ? open('config.log') : null;
  const ndjson = format !== 'export' ? open('events.ndjson') : null;

  const tally = newTally();
  try {
    for (const e of generated.events()) {
      tallyEvent(tally, e);
      let wait = false;
      if (flowFile !== null) {
        // CloudWatch export form: the time with milliseconds and Z, a space, the message.
        const text = `${new Date(e.timestamp).toISOString()} ${e.message}\n`;
        wait = (e.stream === 'flow' ? flowFile : configFile!).add(text);
      }
      if (ndjson !== null) {
        wait = ndjson.add(`{"timestamp":${e.timestamp},"message":${JSON.stringify(e.message)},"logStreamName":"${e.stream}"}\n`) || wait;
      }
      if (wait) for (const s of sinks) await s.drain();
    }
  } catch (e) {
    // Close what is open so no descriptor leaks, then report the first problem.
    await Promise.allSettled(sinks.map((s) => s.close()));
    throw e;
  }
  const files = [{ path: estatePath, bytes: Buffer.byteLength(sc.estateText) }];
  for (const s of sinks) files.push({ path: s.path, bytes: await s.close() });

  const isoOrNull = (t: number | null | undefined): string | null => (t === null || t === undefined ? null : new Date(t).toISOString());
  return {
    seed: o.seed,
    trafficSeed: o.trafficSeed,
    anomalies: o.anomalies,
    decidedAgainst: options.estate?.file ?? null,
    generation: o.generation,
    days: o.days,
    start: new Date(o.start).toISOString(),
    end: new Date(sc.end).toISOString(),
    firstEvent: isoOrNull(tally.first),
    lastEvent: isoOrNull(tally.last),
    estate: {
      region: sc.region,
      instance: sc.instance,
      applications: sc.apps.map((a) => ({ name: a.name, kind: a.kind, gid: a.gid ?? '' })),
      groups: sc.counts.groups,
      interfaces: sc.counts.interfaces,
      clients: sc.counts.clients,
      views: sc.estate.views.length,
      unknownClients: sc.unknownClients.map((c) => c.ip),
      changes: sc.changes.map((c) => ({ at: new Date(c.at).toISOString(), what: c.what })),
    },
    seeThru: sc.seeThru.map((s) => ({ gid: s.gid, app: s.app, thruDate: s.thruDate, from: new Date(s.from).toISOString(), until: isoOrNull(s.until) })),
    flow: tally.flow,
    config: tally.config,
    files,
    seconds: Math.round(performance.now() - started) / 1000,
  };
}
