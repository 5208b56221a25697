#!/usr/bin/env node
// `node bench/generate.mjs` (after `npm run build`): times `haystack generate` writing 100k and
// 1M flow lines (default options otherwise: export format, 7 days, 30 applications) into a temp
// folder, and reports wall time, flow lines per second and peak RSS. Peak RSS and CPU time
// (user + system, the fair figure on a busy machine) come from GNU time (`/usr/bin/time -f
// "%M %U %S"`) when it is there; otherwise they are left out with a note.
// Environment: BENCH_GEN_SIZES (comma-separated line counts, default 100000,1000000),
// BENCH_GEN_ARGS (extra arguments for generate, e.g. "--gzip" or "--format both").

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error('bench: dist/cli/main.js is missing; run npm run build first');
  process.exit(2);
}
const sizes = (process.env.BENCH_GEN_SIZES ?? '100000,1000000').split(',').map((s) => Number(s.trim()));
if (sizes.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
  console.error('bench: BENCH_GEN_SIZES must be positive whole numbers separated by commas');
  process.exit(2);
}
const extra = (process.env.BENCH_GEN_ARGS ?? '').split(/\s+/).filter((s) => s !== '');
const gnuTime = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M %U %S', 'true']).status === 0 ? '/usr/bin/time' : null;

console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
if (!gnuTime) console.log('note: /usr/bin/time not found, peak RSS and CPU time not measured');

const rows = [];
for (const n of sizes) {
  const out = mkdtempSync(join(tmpdir(), 'haystack-generate-'));
  try {
    const args = [cli, 'generate', '--flows', String(n), '--out', out, '--output', 'json', ...extra];
    const [cmd, argv] = gnuTime ? [gnuTime, ['-f', '%M %U %S', process.execPath, ...args]] : [process.execPath, args];
    const started = process.hrtime.bigint();
    const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) {
      console.error(`bench: generate --flows ${n} failed (exit ${r.status}):\n${r.stderr}`);
      process.exit(1);
    }
    const summary = JSON.parse(r.stdout);
    // GNU time prints "peak-RSS-KiB user-s system-s" as the last line of stderr.
    const [rssKiB, user, system] = gnuTime ? r.stderr.trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
    const bytes = summary.files.reduce((sum, f) => sum + f.bytes, 0);
    rows.push({
      flows: summary.flow.lines,
      config: summary.config.lines,
      seconds,
      linesPerSecond: Math.round(summary.flow.lines / seconds),
      cpu: user + system,
      mb: bytes / 1e6,
      peakRssMB: Number.isFinite(rssKiB) ? rssKiB / 1024 : null,
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const table = [['flow lines', 'config lines', 'wall s', 'flow lines/s', 'cpu s', 'lines/cpu s', 'written MB', 'peak RSS MB']];
for (const r of rows) {
  const cpu = Number.isFinite(r.cpu);
  table.push([
    String(r.flows), String(r.config), r.seconds.toFixed(2), String(r.linesPerSecond),
    cpu ? r.cpu.toFixed(2) : '-', cpu ? String(Math.round(r.flows / r.cpu)) : '-',
    r.mb.toFixed(1), r.peakRssMB === null ? '-' : r.peakRssMB.toFixed(0),
  ]);
}
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
for (const row of table) console.log(row.map((cell, i) => cell.padStart(widths[i])).join('  '));
