/** Environments for the fast-failure tests: no credentials anywhere, or no network. */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fakeEnv } from './fake-server.js';

/** An environment with no credentials anywhere the default chain looks. */
export function noCredentialsEnv(dir: string, url: string): NodeJS.ProcessEnv {
  const empty = join(dir, 'empty-aws-file');
  writeFileSync(empty, '');
  const env = fakeEnv(url, { AWS_CONFIG_FILE: empty, AWS_SHARED_CREDENTIALS_FILE: empty, HOME: dir });
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  return env;
}

/** A port that refuses connections: one that was free a moment ago. */
export async function closedPortUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

