/**
 * A transport double for CloudWatch Logs: an HTTP server on 127.0.0.1 speaking the JSON
 * protocol the SDK uses (POST /, `X-Amz-Target: Logs_20140328.<Operation>`,
 * `application/x-amz-json-1.1`). What it answers is fixed by each test (a script per
 * operation); it never computes an answer with haystack's engine.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

export interface Reply {
  /** The JSON body of a 200 answer. */
  readonly body?: unknown;
  /** An AWS error: 400 with `{"__type": type, "message": ...}` (or `status`). */
  readonly error?: { readonly type: string; readonly message?: string; readonly status?: number };
  /** Close the connection without an answer (a dropped connection). */
  readonly destroy?: boolean;
  /** A 200 answer with these bytes and content type (an event stream). */
  readonly raw?: { readonly bytes: Buffer; readonly contentType: string };
}

export interface Call {
  readonly op: string;
  readonly body: Record<string, unknown>;
}

/** Per operation: a list of replies given in order (the last repeats), or a fixed lookup on the request. */
export type Script = Record<string, readonly Reply[] | ((body: Record<string, unknown>, nth: number) => Reply)>;

export class FakeCloudWatch {
  readonly calls: Call[] = [];
  private server: Server | null = null;
  private counts = new Map<string, number>();
  /** Called after each answer is sent (tests wait on it). */
  onCall: ((c: Call, reply: Reply) => void) | null = null;

  constructor(public script: Script) {}

  get url(): string {
    const a = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${a.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }

  ops(op: string): Call[] {
    return this.calls.filter((c) => c.op === op);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.replace(/^Logs_20140328\./, '');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      // an empty or odd body: recorded as {}
    }
    const call = { op, body };
    this.calls.push(call);
    const nth = this.counts.get(op) ?? 0;
    this.counts.set(op, nth + 1);
    const s = this.script[op];
    let reply: Reply;
    if (s === undefined) reply = { error: { type: 'UnknownOperationException', message: `no script for ${op}` } };
    else if (typeof s === 'function') reply = s(body, nth);
    else reply = s[Math.min(nth, s.length - 1)] ?? { body: {} };
    if (reply.destroy) {
      req.socket.destroy();
      this.onCall?.(call, reply);
      return;
    }
    if (reply.raw) {
      res.writeHead(200, { 'content-type': reply.raw.contentType });
      res.end(reply.raw.bytes);
    } else if (reply.error) {
      const status = reply.error.status ?? 400;
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': reply.error.type });
      res.end(JSON.stringify({ __type: reply.error.type, message: reply.error.message ?? reply.error.type }));
    } else {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(reply.body ?? {}));
    }
    this.onCall?.(call, reply);
  }
}

/** Environment for a haystack child process pointed at the fake server, with dummy static keys. */
export function fakeEnv(url: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'dummy-secret-not-real',
    AWS_REGION: 'eu-west-2',
    AWS_EC2_METADATA_DISABLED: 'true',
    HAYSTACK_CLOUDWATCH_ENDPOINT: url,
    HAYSTACK_CLOUDWATCH_RETRY_DELAY_MS: '5',
    ...extra,
  };
}

/** A FilterLogEvents event as AWS returns it. */
export function awsEvent(id: number, timestamp: number, message: string, stream = 'flow'): Record<string, unknown> {
  return { eventId: `e${String(id).padStart(6, '0')}`, timestamp, ingestionTime: timestamp + 7, logStreamName: stream, message };
}

/** Pages served by nextToken: page i answers the request carrying token `t{i}`. */
export function pagedByToken(pages: readonly (readonly Record<string, unknown>[])[], override?: (page: number, nth: number) => Reply | null): (body: Record<string, unknown>, nth: number) => Reply {
  return (body, nth) => {
    const token = typeof body.nextToken === 'string' ? body.nextToken : 't0';
    const i = Number(token.slice(1));
    const o = override?.(i, nth);
    if (o) return o;
    const next = i + 1 < pages.length ? { nextToken: `t${i + 1}` } : {};
    return { body: { events: pages[i] ?? [], searchedLogStreams: [], ...next } };
  };
}

/** Runs `f` with the server started, and closes it whatever happens. */
export async function withServer<T>(server: FakeCloudWatch, f: (s: FakeCloudWatch) => Promise<T>): Promise<T> {
  await server.start();
  try {
    return await f(server);
  } finally {
    await server.close();
  }
}

/**
 * An AWS event stream (application/vnd.amazon.eventstream), as Live Tail answers: each message
 * is a prelude (total and header lengths, their CRC32), string headers, a JSON payload, and
 * the message's CRC32.
 */
export function eventStream(events: readonly { type: string; body: unknown }[]): Reply {
  const header = (name: string, value: string): Buffer => {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const b = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    b.writeUInt8(n.length, 0);
    n.copy(b, 1);
    b.writeUInt8(7, 1 + n.length); // 7: a string value
    b.writeUInt16BE(v.length, 2 + n.length);
    v.copy(b, 4 + n.length);
    return b;
  };
  const messages = events.map((e) => {
    const headers = Buffer.concat([header(':message-type', 'event'), header(':event-type', e.type), header(':content-type', 'application/json')]);
    const payload = Buffer.from(JSON.stringify(e.body));
    const total = 12 + headers.length + payload.length + 4;
    const prelude = Buffer.alloc(8);
    prelude.writeUInt32BE(total, 0);
    prelude.writeUInt32BE(headers.length, 4);
    const preludeCrc = Buffer.alloc(4);
    preludeCrc.writeUInt32BE(crc32(prelude), 0);
    const body = Buffer.concat([prelude, preludeCrc, headers, payload]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body), 0);
    return Buffer.concat([body, crc]);
  });
  return { raw: { bytes: Buffer.concat(messages), contentType: 'application/vnd.amazon.eventstream' } };
}
