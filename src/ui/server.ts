/**
 * The web console's HTTP server: loopback only, a random token per run, the built assets under
 * a strict Content-Security-Policy, and the JSON endpoints of api.ts.
 *
 * The token arrives once in the URL (`/?token=...`); the page answer sets it as an HttpOnly,
 * SameSite=Strict cookie named for the port, which every later request must carry (or the
 * `X-Haystack-Token` header, for scripts). Without it: 403. The Host header must name the
 * loopback address and port, so a page on another site cannot reach the server through DNS
 * rebinding either. POSTs must be JSON, which a cross-site form cannot send.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportResults, parseChoices, parseRunRequest, run, UiRequestError, UiState, type UiSource, check } from './api.js';
import type { ErrorResponse, RunMessage } from './protocol.js';

export const LOOPBACK = '127.0.0.1';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const MAX_BODY_BYTES = 1 << 20;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json',
};

/** Where `npm run build` puts the web console's assets (vite), next to this module in dist/. */
export const DEFAULT_ASSETS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'web');

export interface UiServerOptions {
  readonly source: UiSource;
  /** 0 (default): a free port the system picks. */
  readonly port?: number;
  readonly assetsDir?: string;
  /** For tests; default 32 random bytes. */
  readonly token?: string;
}

export interface UiServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

/** The built files, read once: only these are ever served. */
async function loadAssets(dir: string): Promise<Map<string, { type: string; body: Buffer }>> {
  const assets = new Map<string, { type: string; body: Buffer }>();
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return; // not built: index.html answers 503 with what to do
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && TYPES[extname(e.name)] !== undefined) {
        assets.set('/' + relative(dir, p).split(sep).join('/'), { type: TYPES[extname(e.name)]!, body: await readFile(p) });
      }
    }
  };
  await walk(dir);
  return assets;
}

function sameSecret(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new UiRequestError('the body must be JSON (Content-Type: application/json)');
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > MAX_BODY_BYTES) throw new UiRequestError('the body is too big');
    parts.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    throw new UiRequestError('the body is not valid JSON');
  }
}

/** An AbortSignal that fires when the client goes away before the answer is finished. */
function clientGone(res: ServerResponse): AbortSignal {
  const c = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) c.abort(new Error('the client closed the request'));
  });
  return c.signal;
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const assets = await loadAssets(options.assetsDir ?? DEFAULT_ASSETS_DIR);
  const state = new UiState(options.source);
  let port = 0;
  const cookieName = (): string => `haystack_ui_${port}`;

  const authorised = (req: IncomingMessage, url: URL): boolean =>
    sameSecret(cookieValue(req.headers.cookie, cookieName()), token) ||
    sameSecret(typeof req.headers['x-haystack-token'] === 'string' ? req.headers['x-haystack-token'] : undefined, token) ||
    (url.pathname === '/' && sameSecret(url.searchParams.get('token') ?? undefined, token));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = req.headers.host ?? '';
    if (host !== `${LOOPBACK}:${port}` && host !== `localhost:${port}`) return send(res, 403, 'text/plain', 'forbidden: wrong Host\n');
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (!authorised(req, url)) return send(res, 403, 'text/plain', 'forbidden: open the URL haystack ui printed (it holds the token)\n');
    const method = req.method ?? 'GET';
    const path = url.pathname;

    if (!path.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
      const asset = assets.get(path === '/' ? '/index.html' : path);
      if (asset === undefined) {
        if (path === '/') return send(res, 503, 'text/plain', 'the web console is not built: run npm run build\n');
        return send(res, 404, 'text/plain', 'not found\n');
      }
      const extra: Record<string, string> = path === '/' ? { 'Set-Cookie': `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/` } : {};
      return send(res, 200, asset.type, asset.body, extra);
    }

    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /api/info':
        return sendJson(res, 200, await state.info());
      case 'GET /api/see-thru':
        return sendJson(res, 200, await state.seeThru(url.searchParams.get('asOf') ?? undefined, clientGone(res)));
      case 'POST /api/check': {
        const r = parseRunRequest(await readJson(req));
        return sendJson(res, 200, check(r.language, r.text));
      }
      case 'POST /api/run': {
        const r = parseRunRequest(await readJson(req));
        const signal = clientGone(res);
        res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/x-ndjson; charset=utf-8' });
        const write = (m: RunMessage): void | Promise<void> => {
          if (res.write(JSON.stringify(m) + '\n')) return;
          return new Promise((resolve) => {
            const done = (): void => {
              res.off('drain', done);
              res.off('close', done);
              resolve();
            };
            res.on('drain', done);
            res.on('close', done);
          });
        };
        try {
          await run(options.source, r, write, signal);
        } catch (e) {
          if (!signal.aborted) await write({ type: 'error', message: `internal error: ${(e as Error).message}`, diagnostics: [] });
        }
        res.end();
        return;
      }
      case 'POST /api/export': {
        const r = parseRunRequest(await readJson(req));
        const d = exportResults(options.source, { ...r, format: r.format ?? '' });
        const signal = clientGone(res);
        res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': `${d.contentType}; charset=utf-8`, 'Content-Disposition': `attachment; filename="${d.filename}"` });
        try {
          await d.write(res, signal);
        } catch (e) {
          if (!signal.aborted) res.destroy(e as Error);
          return;
        }
        res.end();
        return;
      }
      case 'POST /api/allowlist':
        return sendJson(res, 200, await state.allowlist(parseChoices(await readJson(req))));
      case 'POST /api/allowlist/download': {
        const body = await readJson(req);
        const output = (body as { output?: unknown }).output;
        const d = await state.download(parseChoices(body), typeof output === 'string' ? output : '');
        return send(res, 200, `${d.contentType}; charset=utf-8`, d.text, { 'Content-Disposition': `attachment; filename="${d.filename}"` });
      }
      case 'POST /api/allowlist/replay':
        return sendJson(res, 200, await state.replay(parseChoices(await readJson(req)), clientGone(res)));
      default:
        return sendJson(res, 404, { error: `no endpoint ${route}` } satisfies ErrorResponse);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // The client went away and its scan was stopped: nobody is left to answer.
      if (res.socket === null || res.socket.destroyed) return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof UiRequestError) {
        const body: ErrorResponse = { error: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(e.diagnostics.length > 0 ? { diagnostics: e.diagnostics } : {}) };
        return sendJson(res, 400, body);
      }
      process.stderr.write(`haystack ui: internal error: ${(e as Error).stack ?? String(e)}\n`);
      sendJson(res, 500, { error: `internal error: ${(e as Error).message}` } satisfies ErrorResponse);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
