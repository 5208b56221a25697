/**
 * Calls to the console's server. The token travels in an HttpOnly cookie the page answer set;
 * requests are same-origin, so nothing here handles it.
 */
import type { ErrorResponse, RunMessage } from '../protocol.js';

export class ApiError extends Error {
  constructor(readonly body: ErrorResponse) {
    super(body.error);
  }
}

async function answer<T>(r: Response): Promise<T> {
  const body = (await r.json()) as unknown;
  if (!r.ok) throw new ApiError(body as ErrorResponse);
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { credentials: 'same-origin' }));
}

export async function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return answer<T>(await post(path, body, signal));
}

function post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** Reads an NDJSON answer message by message; stops when `signal` aborts. */
export async function postStream(path: string, body: unknown, onMessage: (m: RunMessage) => void, signal: AbortSignal): Promise<void> {
  const r = await post(path, body, signal);
  if (!r.ok || r.body === null) throw new ApiError((await r.json()) as ErrorResponse);
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const lines = (rest + value).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l !== '') onMessage(JSON.parse(l) as RunMessage);
  }
  if (rest !== '') onMessage(JSON.parse(rest) as RunMessage);
}

/** Asks for a file and hands it to the browser as a download. */
export async function download(path: string, body: unknown): Promise<void> {
  const r = await post(path, body);
  if (!r.ok) throw new ApiError((await r.json()) as ErrorResponse);
  const name = /filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') ?? '')?.[1] ?? 'haystack.txt';
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
