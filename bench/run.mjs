#!/usr/bin/env node
// `npm run bench` (after `npm run build`): haystack's filter command against jq (and DuckDB when
// its CLI is installed) on a generated discrimiNAT flow log, plain and gzipped.
//
// Inputs are generated once into the git-ignored bench/data/ by scripts/generate-flow.mjs (fixed
// seed); the .gz is the plain file compressed with node:zlib, so both hold the same lines.
// Each command: one warm-up, then BENCH_RUNS timed runs (default 5); the median wall time is
// reported, with MB/s over the plain file's size whatever the input. Environment:
//   BENCH_LINES  lines in the generated log (default 1000000)
//   BENCH_RUNS   timed runs per command (default 5)
// Exit code 1 when haystack's count differs from jq's or DuckDB's, or between the plain and .gz file.

import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, 'bench', 'data');
const cli = join(root, 'dist', 'cli', 'main.js');
const generator = join(root, 'scripts', 'generate-flow.mjs');
const SEED = 'bench';

function positiveInt(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^[1-9][0-9]*$/.test(text)) {
    console.error(`bench: ${name} must be a positive integer, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return Number(text);
}

const LINES = positiveInt('BENCH_LINES', 1_000_000);
const RUNS = positiveInt('BENCH_RUNS', 5);

const label = (n) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n));
const plain = join(dataDir, `flow-${label(LINES)}.log`);
const gz = `${plain}.gz`;

// ---------------------------------------------------------------------------------------------
// Inputs

async function ensureInputs() {
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(plain)) {
    // Written under a temporary name, so an interrupted run never leaves a short file behind.
    const partial = `${plain}.partial`;
    const run = spawnSync(process.execPath, [generator, '--lines', String(LINES), '--seed', SEED, '--out', partial],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    if (run.status !== 0) throw new Error(`generate-flow failed (exit ${run.status})`);
    renameSync(partial, plain);
  }
  if (!existsSync(gz) || statSync(gz).mtimeMs < statSync(plain).mtimeMs) {
    const partial = `${gz}.partial`;
    await pipeline(createReadStream(plain), createGzip(), createWriteStream(partial));
    renameSync(partial, gz);
  }
}

// ---------------------------------------------------------------------------------------------
// Running and timing

function onPath(name) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, name)));
}

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
const RSS_MARK = 'bench-peak-rss-kb=';

/**
 * Runs argv once; returns wall seconds, stdout, and peak RSS in KB (null when unknown). Peak RSS
 * comes from GNU time when present, else from polling /proc/<pid>/status (VmHWM), else null.
 */
async function runOnce(argv, { rss = false } = {}) {
  const wrapped = rss && hasGnuTime ? [GNU_TIME, '-f', `${RSS_MARK}%M`, ...argv] : argv;
  const started = process.hrtime.bigint();
  const child = spawn(wrapped[0], wrapped.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  let polledKb = null;
  let poller = null;
  if (rss && !hasGnuTime && existsSync(`/proc/${child.pid}/status`)) {
    poller = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m !== null) polledKb = Number(m[1]);
      } catch {
        // exited between ticks
      }
    }, 5);
  }
  const status = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? signal));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (poller !== null) clearInterval(poller);
  let rssKb = polledKb;
  if (rss && hasGnuTime) {
    const m = new RegExp(`${RSS_MARK}(\\d+)`).exec(stderr);
    rssKb = m === null ? null : Number(m[1]);
    stderr = stderr.replace(new RegExp(`(?:Command exited with non-zero status \\d+\\n)?${RSS_MARK}\\d+\\n?`), '');
  }
  if (status !== 0) {
    throw new Error(`${argv.join(' ')} exited with ${status}\n${stderr.trim()}`);
  }
  return { seconds, stdout, rssKb };
}

/** One warm-up, then RUNS timed runs: median seconds, the count printed, the largest peak RSS. */
async function measure(argv, opts) {
  const warm = await runOnce(argv, opts);
  const times = [];
  let rssKb = warm.rssKb;
  let out = warm.stdout;
  for (let i = 0; i < RUNS; i++) {
    const r = await runOnce(argv, opts);
    times.push(r.seconds);
    out = r.stdout;
    if (r.rssKb !== null) rssKb = Math.max(rssKb ?? 0, r.rssKb);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 === 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  return { median, count: lastInteger(out), rssKb };
}

function lastInteger(text) {
  const m = /(\d+)\s*$/.exec(text);
  return m === null ? null : Number(m[1]);
}

const shq = (s) => `'${s.replaceAll("'", "'\\''")}'`;

// ---------------------------------------------------------------------------------------------

const PREDICATES = [
  { name: 'disallowed', pattern: '{ $.outcome = "disallowed" }', jq: 'select(.outcome=="disallowed")', sql: "outcome = 'disallowed'" },
  { name: 'src', pattern: '{ $.src = "172.16.1.9" }', jq: 'select(.src=="172.16.1.9")', sql: "src = '172.16.1.9'" },
];

async function main() {
  if (!existsSync(cli)) {
    console.error(`bench: ${relative(root, cli)} not found; run npm run build first (npm run bench does)`);
    process.exit(2);
  }
  await ensureInputs();
  const size = statSync(plain).size;
  const mbps = (s) => size / 1e6 / s;
  const shown = (file) => relative(root, file);
  const rows = [];
  const failures = [];

  for (const p of PREDICATES) {
    const counts = {};
    for (const file of [plain, gz]) {
      const argv = [process.execPath, cli, 'filter', p.pattern, file, '--count'];
      const r = await measure(argv, { rss: true });
      counts[file] = r.count;
      rows.push({
        predicate: p.name, tool: 'haystack', median: r.median, count: r.count, rssKb: r.rssKb,
        command: `node dist/cli/main.js filter ${shq(p.pattern)} ${shown(file)} --count`,
      });
    }
    if (counts[plain] !== counts[gz]) failures.push(`${p.pattern}: ${counts[plain]} matches in the plain file, ${counts[gz]} in the .gz`);

    if (onPath('jq')) {
      const command = `jq -c ${shq(p.jq)} ${shq(plain)} | wc -l`;
      const r = await measure(['sh', '-c', command]);
      rows.push({ predicate: p.name, tool: 'jq', median: r.median, count: r.count, rssKb: null, command: `jq -c ${shq(p.jq)} ${shown(plain)} | wc -l` });
      if (r.count !== counts[plain]) failures.push(`${p.pattern}: haystack counts ${counts[plain]}, jq ${r.count}`);
    }
    if (onPath('duckdb')) {
      const sql = `SET threads=1; SELECT count(*) FROM read_json('${plain.replaceAll("'", "''")}', format='newline_delimited') WHERE ${p.sql};`;
      const r = await measure(['duckdb', '-noheader', '-csv', '-c', sql]);
      rows.push({
        predicate: p.name, tool: 'duckdb', median: r.median, count: r.count, rssKb: null,
        command: `duckdb: SET threads=1; SELECT count(*) FROM read_json('${shown(plain)}') WHERE ${p.sql}`,
      });
      if (r.count !== counts[plain]) failures.push(`${p.pattern}: haystack counts ${counts[plain]}, DuckDB ${r.count}`);
    }
  }

  const jqTime = new Map(rows.filter((r) => r.tool === 'jq').map((r) => [r.predicate, r.median]));
  const cell = (s) => s.replaceAll('|', '\\|');
  const lines = [
    `${label(LINES)} lines, ${(size / 1e6).toFixed(1)} MB plain (${shown(plain)}), ${(statSync(gz).size / 1e6).toFixed(1)} MB gzipped; ` +
      `median of ${RUNS} runs after one warm-up; node ${process.version}; ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}`,
    '',
    '| command | median s | MB/s | matches | peak RSS MB | ratio vs jq |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const jq = jqTime.get(r.predicate);
    const rss = r.tool !== 'haystack' ? '' : r.rssKb === null ? 'n/a' : (r.rssKb / 1024).toFixed(0);
    const ratio = jq === undefined ? 'n/a' : (r.median / jq).toFixed(2);
    lines.push(`| \`${cell(r.command)}\` | ${r.median.toFixed(3)} | ${mbps(r.median).toFixed(0)} | ${r.count ?? '?'} | ${rss} | ${ratio} |`);
  }
  lines.push('', 'ratio vs jq: median time divided by jq\'s for the same predicate (below 1 is faster than jq).');
  if (!onPath('jq')) lines.push('jq is not on PATH: no jq rows, counts not cross-checked.');
  if (!onPath('duckdb')) lines.push('duckdb CLI is not on PATH: no DuckDB rows.');
  console.log(lines.join('\n'));

  if (failures.length > 0) {
    console.error(`\nbench: counts disagree:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});
