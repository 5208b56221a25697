/**
 * The scan streams: the built CLI, with a 64 MB JavaScript heap, counts the right matches in
 * an input of more than 200 MB, plain and gzipped. The expected count is computed here, with
 * JSON.parse, while the input is generated.
 */
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, test } from 'node:test';
import { createGzip } from 'node:zlib';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../paths.js';
import { runCli } from './run.js';

const { generateFlowLines }: typeof import('../../scripts/generate-flow.mjs') = await import(
  pathToFileURL(join(repoRoot, 'scripts', 'generate-flow.mjs')).href
);

const dir = mkdtempSync(join(tmpdir(), 'haystack-big-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TARGET_BYTES = 210 * 1024 * 1024;

test('a 200+ MB input is scanned with a 64 MB heap, plain and gzipped', { timeout: 10 * 60_000 }, async () => {
  const plain = join(dir, 'flow.log');
  const out = createWriteStream(plain, { highWaterMark: 1 << 20 });
  let bytes = 0;
  let disallowed = 0;
  let fromClient = 0;
  let batch: string[] = [];
  for (const line of generateFlowLines({ lines: 2_000_000, seed: 'streaming-test' })) {
    const o = JSON.parse(line) as { outcome?: unknown; src?: unknown };
    if (o.outcome === 'disallowed') disallowed++;
    if (o.src === '172.16.1.9') fromClient++;
    batch.push(line);
    bytes += Buffer.byteLength(line) + 1;
    if (batch.length === 4096) {
      if (!out.write(batch.join('\n') + '\n')) await once(out, 'drain');
      batch = [];
    }
    if (bytes >= TARGET_BYTES) break;
  }
  out.end(batch.length > 0 ? batch.join('\n') + '\n' : '');
  await once(out, 'finish');
  assert.ok(statSync(plain).size > 200 * 1024 * 1024);
  assert.ok(disallowed > 0 && fromClient > 0);

  const gz = join(dir, 'flow.log.gz');
  await pipeline(createReadStream(plain), createGzip({ level: 1 }), createWriteStream(gz));

  const heap = ['--max-old-space-size=64'];
  for (const f of [plain, gz]) {
    const r = runCli(['filter', '{ $.outcome = "disallowed" }', f, '--count'], { nodeArgs: heap });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${disallowed}\n`, f);
    const s = runCli(['filter', '{ $.src = "172.16.1.9" }', f, '--count'], { nodeArgs: heap });
    assert.equal(s.stdout, `${fromClient}\n`, f);
  }
  // Printing every match streams too.
  const all = runCli(['filter', '{ $.outcome = "disallowed" }', gz], { nodeArgs: heap });
  assert.equal(all.status, 0, all.stderr);
  assert.equal(all.stdout.split('\n').length - 1, disallowed);
});
