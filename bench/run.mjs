#!/usr/bin/env node
// `npm run bench` (after `npm run build`): haystack against jq and DuckDB on a generated
// discrimiNAT flow log. DuckDB is read_json through @duckdb/node-api in its own process
// (bench/duckdb-peer.mjs), so it is timed from outside like haystack and jq, once on one thread
// and once on every core (SET threads = os.availableParallelism()).
//
// Tasks: two filter patterns (`haystack filter PATTERN FILE --count`, on the plain file and its
// .gz) and two Logs Insights queries (`haystack query QUERY FILE --output json`): the allowlist
// recipe for the see-thru group with the most exerted lines in the file, and a count by dhost.
// haystack runs each plain-file task twice, `--threads 1` (1 core) and `--threads N` (all cores,
// N = os.availableParallelism()); the .gz is read on one thread whatever --threads says. Filter
// tasks also get a `grep -cF VALUE FILE` row: the floor of reading and splitting the bytes, not an
// answer (it counts every line holding the value anywhere), so it is left out of the cross-check.
//
// Inputs are generated once into the git-ignored bench/data/ by scripts/generate-flow.mjs (fixed
// seed); the .gz is the plain file compressed with node:zlib, so both hold the same lines.
// Each command: one warm-up, then BENCH_RUNS timed runs (default 5); the median wall time is
// reported, with MB/s over the plain file's size whatever the input. Environment:
//   BENCH_LINES  lines in the generated log (default 1000000)
//   BENCH_RUNS   timed runs per command (default 5)
//   BENCH_ONLY   filter or query: run only those tasks (default both)
//   BENCH_10M    0 to skip the 10M pass. By default bench/data/flow-10m.log is generated (or reused;
//                ~40 s, 2.7 GB) and the filter tasks and the count by dhost run on it (haystack,
//                grep, DuckDB; no jq, no .gz), to compare peak RSS at 1M and 10M lines
//   BENCH_10M_RUNS  timed runs per command in the 10M pass (default 1, no warm-up: the file is
//                10x the work, and the pass is there for memory and scaling, not fine timing)
// Exit code 1 when two tools disagree: on a count, or for a query on the whole table (every group
// and its count, booleans as 1/0), or haystack between the plain and .gz file. A peer that is not
// available (jq not on PATH, DuckDB's native binding not loadable) is left out with a printed note.

import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { FLOW_FIELD_ORDER } from '../scripts/generate-flow.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, 'bench', 'data');
const cli = join(root, 'dist', 'cli', 'main.js');
const generator = join(root, 'scripts', 'generate-flow.mjs');
const duckdbPeer = join(root, 'bench', 'duckdb-peer.mjs');
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

function taskKind(name) {
  const text = process.env[name];
  if (text === undefined || text === '') return null;
  if (text !== 'filter' && text !== 'query') {
    console.error(`bench: ${name} must be filter or query, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return text;
}

const LINES = positiveInt('BENCH_LINES', 1_000_000);
const RUNS = positiveInt('BENCH_RUNS', 5);
const ONLY = taskKind('BENCH_ONLY');
const TEN_M = process.env.BENCH_10M !== '0';
const RUNS_10M = positiveInt('BENCH_10M_RUNS', 1);
const TEN_M_LINES = 10_000_000;
const CORES = availableParallelism();

const label = (n) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n));
const flowFile = (lines) => join(dataDir, `flow-${label(lines)}.log`);
const plain = flowFile(LINES);
const gz = `${plain}.gz`;
const plain10m = flowFile(TEN_M_LINES);

// ---------------------------------------------------------------------------------------------
// Inputs

function ensureGenerated(file, lines) {
  if (existsSync(file)) return;
  // Written under a temporary name, so an interrupted run never leaves a short file behind.
  const partial = `${file}.partial`;
  const run = spawnSync(process.execPath, [generator, '--lines', String(lines), '--seed', SEED, '--out', partial],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) throw new Error(`generate-flow failed (exit ${run.status})`);
  renameSync(partial, file);
}

async function ensureInputs() {
  mkdirSync(dataDir, { recursive: true });
  ensureGenerated(plain, LINES);
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

/**
 * One warm-up, then RUNS timed runs: median seconds, every timed run's stdout (the last is the
 * answer), the largest peak RSS.
 */
async function measure(argv, opts, { runs = RUNS, warmUp = true } = {}) {
  const warm = warmUp ? await runOnce(argv, opts) : { rssKb: null };
  const times = [];
  const outputs = [];
  let rssKb = warm.rssKb;
  for (let i = 0; i < runs; i++) {
    const r = await runOnce(argv, opts);
    times.push(r.seconds);
    outputs.push(r.stdout);
    if (r.rssKb !== null) rssKb = Math.max(rssKb ?? 0, r.rssKb);
  }
  return { median: median(times), outputs, rssKb };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function lastInteger(text) {
  const m = /(\d+)\s*$/.exec(text);
  return m === null ? null : Number(m[1]);
}

const shq = (s) => `'${s.replaceAll("'", "'\\''")}'`;
const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;

// ---------------------------------------------------------------------------------------------
// Answers: what each tool printed, reduced to something the others can be compared with

/** A filter task's answer: the number of matching lines. */
const countAnswer = (n) => ({ rows: n, count: n, groups: null, duplicates: [] });

/**
 * A query task's answer from [group values, count] pairs: groups keyed by their values, each
 * value as a string, booleans as 1/0 (haystack renders booleans as Insights does) and missing as
 * null, so a JSON number and a CSV-ish string of the same value agree.
 */
function tableAnswer(pairs) {
  const groups = new Map();
  const duplicates = [];
  let count = 0;
  for (const [values, n] of pairs) {
    const key = JSON.stringify(values.map((v) => (v === true ? '1' : v === false ? '0' : v === null || v === undefined ? null : String(v))));
    if (groups.has(key)) duplicates.push(key);
    groups.set(key, (groups.get(key) ?? 0) + Number(n));
    count += Number(n);
  }
  return { rows: pairs.length, count, groups, duplicates };
}

/** Rows of JSON objects (haystack --output json, the DuckDB peer) to [values of keys, count]. */
const objectPairs = (rows, keys) => rows.map((row) => [keys.map((k) => row[k]), row['count()']]);

/** `sort | uniq -c` over jq -c output: "   N <JSON value or array>" per line. */
function uniqPairs(text) {
  const pairs = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^\s*(\d+) (.*)$/.exec(line);
    if (m === null) throw new Error(`unexpected uniq -c line: ${JSON.stringify(line)}`);
    const value = JSON.parse(m[2]);
    pairs.push([Array.isArray(value) ? value : [value], Number(m[1])]);
  }
  return pairs;
}

/** Why two answers differ, or null when they agree. */
function disagreement(a, b) {
  if (a.groups === null || b.groups === null) return a.count === b.count ? null : `${a.count} vs ${b.count} matches`;
  const problems = [];
  if (a.groups.size !== b.groups.size) problems.push(`${a.groups.size} vs ${b.groups.size} groups`);
  if (a.count !== b.count) problems.push(`total count ${a.count} vs ${b.count}`);
  const differing = [];
  for (const [key, n] of a.groups) if (b.groups.get(key) !== n) differing.push(`${key}: ${n} vs ${b.groups.get(key) ?? 'absent'}`);
  for (const [key, n] of b.groups) if (!a.groups.has(key)) differing.push(`${key}: absent vs ${n}`);
  if (differing.length > 0) problems.push(`${differing.length} groups differ, e.g. ${differing.slice(0, 3).join('; ')}`);
  for (const answer of [a, b]) if (answer.duplicates.length > 0) problems.push(`a group repeated: ${answer.duplicates[0]}`);
  return problems.length === 0 ? null : problems.join('; ');
}

// ---------------------------------------------------------------------------------------------
// Peers

/** jq, when on PATH; the query tasks also need sort and uniq, which any system with jq has. */
const hasJq = onPath('jq');
const hasGrep = onPath('grep');

/** DuckDB's version, or why it cannot run here (the npm package's native binding failed to load). */
function probeDuckdb() {
  const run = spawnSync(process.execPath, [duckdbPeer, '--version'], { encoding: 'utf8' });
  if (run.status === 0) return { version: run.stdout.trim(), problem: null };
  const why = (run.stderr || run.error?.message || `exit ${run.status}`).trim().split('\n')[0];
  return { version: null, problem: why };
}

// DuckDB is told every field's type rather than inferring them from a sample: sampling can miss a
// field that is rare early in a file, and it picks HUGEINT for see_thru_days_remaining. Missing
// fields are NULL. A field the generator gains must be added here (checked below).
const DUCKDB_TYPES = {
  dhost: 'VARCHAR', cat: 'VARCHAR', outcome: 'VARCHAR', src: 'VARCHAR', spt: 'BIGINT', proto: 'VARCHAR',
  proto_v: 'VARCHAR', dst: 'VARCHAR', dpt: 'BIGINT', reason: 'VARCHAR', instance: 'VARCHAR', pqc: 'BOOLEAN',
  http_code: 'BIGINT', http_method: 'VARCHAR', http_path: 'VARCHAR', http_user_agent: 'VARCHAR',
  see_thru_days_remaining: 'BIGINT', see_thru_gid: 'VARCHAR', see_thru_exerted: 'BOOLEAN',
};
const untyped = FLOW_FIELD_ORDER.filter((f) => !(f in DUCKDB_TYPES));
if (untyped.length > 0) {
  console.error(`bench: no DuckDB type for flow field(s) ${untyped.join(', ')}; add them to DUCKDB_TYPES`);
  process.exit(2);
}

const duckdbSetup = (threads) => `SET threads = ${threads}`;
const DUCKDB_SETUP = duckdbSetup(1);
const duckdbColumns = `{${FLOW_FIELD_ORDER.map((f) => `${f}: '${DUCKDB_TYPES[f]}'`).join(', ')}}`;
const duckdbSource = (file) => `read_json(${sqlString(file)}, format = 'newline_delimited', columns = ${duckdbColumns})`;

/** Fields where DuckDB's own inference (default sample) differs from DUCKDB_TYPES: reported, not fatal. */
function duckdbInferenceNotes() {
  const sql = `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_json(${sqlString(plain)}, format = 'newline_delimited'))`;
  const run = spawnSync(process.execPath, [duckdbPeer, DUCKDB_SETUP, sql], { encoding: 'utf8' });
  if (run.status !== 0) return [`DuckDB type inference could not be checked: ${run.stderr.trim().split('\n')[0]}`];
  const inferred = new Map(JSON.parse(run.stdout).rows.map((r) => [r.column_name, r.column_type]));
  const notes = [];
  for (const f of FLOW_FIELD_ORDER) {
    const got = inferred.get(f);
    if (got === undefined) notes.push(`${f} not detected at all`);
    else if (got !== DUCKDB_TYPES[f]) notes.push(`${f} as ${got}`);
  }
  for (const f of inferred.keys()) if (!(f in DUCKDB_TYPES)) notes.push(`unexpected column ${f}`);
  return notes.length === 0 ? [] : [`DuckDB left to infer types would read ${notes.join(', ')} (the bench declares ${notes.length === 1 ? 'it' : 'them'}: see DUCKDB_TYPES).`];
}

/**
 * The see_thru_gid on the most lines with see_thru_exerted true (ties: the smaller id), read with
 * plain JSON.parse rather than haystack, so the allowlist task selects rows that exist.
 */
async function busiestExertedGid(file) {
  const counts = new Map();
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line.includes('"see_thru_exerted"')) continue;
    const event = JSON.parse(line);
    if (event.see_thru_exerted === true && typeof event.see_thru_gid === 'string') {
      counts.set(event.see_thru_gid, (counts.get(event.see_thru_gid) ?? 0) + 1);
    }
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (ranked.length === 0) throw new Error(`no line of ${file} has see_thru_exerted true`);
  return ranked[0][0];
}

// ---------------------------------------------------------------------------------------------
// Tasks. Each run: the tool, its argv, the command as printed, and how to read its answer.

const shown = (file) => relative(root, file);

/** haystack's plain-file runs: one core, then every core. */
const HAYSTACK_THREADS = [['haystack 1 core', 1], ['haystack all cores', CORES]];
/** DuckDB's runs: one thread (the ratio column's reference), then every core. */
const DUCKDB_THREADS = [['DuckDB 1 thread', 1], ['DuckDB all threads', CORES]];

/**
 * input: { plain, gz (or null), jq (whether to run jq on it) }. `peer` marks runs left out when
 * that peer is unavailable; `floor` marks runs that are not an answer (not cross-checked).
 */
function filterTask({ name, pattern, literal, jq, where }, input) {
  const haystack = (file, tool, threads) => {
    const flags = threads === null ? [] : ['--threads', String(threads)];
    return {
      tool,
      argv: [process.execPath, cli, 'filter', pattern, file, '--count', ...flags],
      command: `node dist/cli/main.js filter ${shq(pattern)} ${shown(file)} --count${flags.map((f) => ` ${f}`).join('')}`,
      answer: (out) => countAnswer(lastInteger(out)),
    };
  };
  const sql = `SELECT count(*) AS n FROM FLOW WHERE ${where}`;
  return {
    name,
    runs: [
      ...HAYSTACK_THREADS.map(([tool, threads]) => haystack(input.plain, tool, threads)),
      ...(input.gz === null ? [] : [haystack(input.gz, 'haystack .gz', null)]),
      {
        tool: 'grep -c floor',
        peer: 'grep',
        floor: true,
        argv: ['grep', '-cF', literal, input.plain],
        command: `grep -cF ${shq(literal)} ${shown(input.plain)}`,
        answer: (out) => countAnswer(lastInteger(out)),
      },
      ...(input.jq ? [{
        tool: 'jq',
        peer: 'jq',
        argv: ['sh', '-c', `jq -c ${shq(jq)} ${shq(input.plain)} | wc -l`],
        command: `jq -c ${shq(jq)} ${shown(input.plain)} | wc -l`,
        answer: (out) => countAnswer(lastInteger(out)),
      }] : []),
      ...duckdbRuns(sql, input.plain, (rows) => countAnswer(rows[0].n)),
    ],
  };
}

/** A stats query: group-by fields `keys`, one count() column; the jq filter emits the keys per matching line. */
function queryTask({ name, query, keys, jq, sql }, input) {
  return {
    name,
    runs: [
      ...HAYSTACK_THREADS.map(([tool, threads]) => ({
        tool,
        argv: [process.execPath, cli, 'query', query, input.plain, '--output', 'json', '--threads', String(threads)],
        command: `node dist/cli/main.js query ${shq(query)} ${shown(input.plain)} --output json --threads ${threads}`,
        answer: (out) => tableAnswer(objectPairs(JSON.parse(out), keys)),
      })),
      ...(input.jq ? [{
        tool: 'jq',
        peer: 'jq',
        argv: ['sh', '-c', `jq -c ${shq(jq)} ${shq(input.plain)} | LC_ALL=C sort | LC_ALL=C uniq -c`],
        command: `jq -c ${shq(jq)} ${shown(input.plain)} | LC_ALL=C sort | LC_ALL=C uniq -c`,
        answer: (out) => tableAnswer(uniqPairs(out)),
      }] : []),
      ...duckdbRuns(sql, input.plain, (rows) => tableAnswer(objectPairs(rows, keys))),
    ],
  };
}

function duckdbRuns(sql, file, answer) {
  return DUCKDB_THREADS.map(([tool, threads]) => ({
    tool,
    peer: 'duckdb',
    argv: [process.execPath, duckdbPeer, duckdbSetup(threads), sql.replace('FROM FLOW', () => `FROM ${duckdbSource(file)}`)],
    command: `${duckdbSetup(threads)}; ${sql}`,
    answer: (out) => answer(JSON.parse(out).rows),
    ownSeconds: (out) => JSON.parse(out).seconds,
  }));
}

/** The tasks on `input`; `only10m` keeps the ones the 10M pass runs (the filters and the count by dhost). */
function tasks(gid, input, { only10m = false } = {}) {
  const list = [];
  if (ONLY !== 'query') {
    list.push(
      filterTask({ name: 'disallowed', pattern: '{ $.outcome = "disallowed" }', literal: 'disallowed', jq: 'select(.outcome=="disallowed")', where: "outcome = 'disallowed'" }, input),
      filterTask({ name: 'src', pattern: '{ $.src = "172.16.1.9" }', literal: '172.16.1.9', jq: 'select(.src=="172.16.1.9")', where: "src = '172.16.1.9'" }, input),
    );
  }
  if (ONLY !== 'filter') {
    const allowlistKeys = ['see_thru_exerted', 'see_thru_gid', 'dhost', 'proto', 'dpt'];
    if (!only10m) {
      list.push(
        // The recipe plus `limit 100000`: without a limit Insights (and haystack) return at most
        // 10,000 rows, and server-side lines put the client's port in dpt, so the table is bigger.
        queryTask({
          name: 'allowlist',
          query: `filter see_thru_exerted AND see_thru_gid = "${gid}" | stats count() by ${allowlistKeys.join(', ')} | limit 100000`,
          keys: allowlistKeys,
          jq: `select(.see_thru_exerted==true and .see_thru_gid=="${gid}") | [${allowlistKeys.map((k) => `.${k}`).join(',')}]`,
          sql: `SELECT ${allowlistKeys.join(', ')}, count(*) AS "count()" FROM FLOW WHERE see_thru_exerted AND see_thru_gid = ${sqlString(gid)} GROUP BY ${allowlistKeys.join(', ')}`,
        }, input),
      );
    }
    list.push(
      queryTask({
        name: 'by dhost',
        query: 'stats count() by dhost | limit 100000',
        keys: ['dhost'],
        jq: '.dhost',
        sql: 'SELECT dhost, count(*) AS "count()" FROM FLOW GROUP BY dhost',
      }, input),
    );
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// Running the tasks and printing them

/**
 * Measures every available run of every task; returns its rows and DuckDB's own times, and adds
 * to `failures` where two answers disagree (floor runs are not answers and are not compared).
 */
async function runTasks(taskList, { duckdb, failures, prefix = '', runs = RUNS, warmUp = true }) {
  const rows = [];
  const duckdbOwn = [];
  for (const task of taskList) {
    let reference = null;
    for (const run of task.runs) {
      if ((run.peer === 'jq' && !hasJq) || (run.peer === 'grep' && !hasGrep) || (run.peer === 'duckdb' && duckdb.version === null)) continue;
      process.stderr.write(`bench: ${prefix}${task.name}: ${run.tool}\n`);
      const r = await measure(run.argv, { rss: true }, { runs, warmUp });
      const last = r.outputs[r.outputs.length - 1];
      const answer = run.answer(last);
      if (!Number.isInteger(answer.count)) failures.push(`${prefix}${task.name}: ${run.tool} printed no count: ${JSON.stringify(last.slice(0, 200))}`);
      rows.push({ task: task.name, tool: run.tool, median: r.median, rows: answer.rows, floor: run.floor === true, rssKb: r.rssKb });
      if (run.ownSeconds !== undefined) duckdbOwn.push(`${task.name} ${run.tool} ${median(r.outputs.map(run.ownSeconds)).toFixed(3)} s`);
      if (run.floor === true) continue;
      if (reference === null) reference = { tool: run.tool, answer };
      else {
        const why = disagreement(reference.answer, answer);
        if (why !== null) failures.push(`${prefix}${task.name}: ${reference.tool} vs ${run.tool}: ${why}`);
      }
    }
  }
  return { rows, duckdbOwn };
}

const cell = (s) => String(s).replaceAll('|', '\\|');
const rssMb = (kb) => (kb === null ? 'n/a' : (kb / 1024).toFixed(0));

/** The markdown table of `rows`, MB/s over `size` bytes. */
function tableLines(rows, size) {
  const peerTime = (task, tool) => rows.find((r) => r.task === task && r.tool === tool)?.median;
  const ratio = (r, tool) => {
    const t = peerTime(r.task, tool);
    return t === undefined ? 'n/a' : (r.median / t).toFixed(2);
  };
  const lines = [
    '| task | tool | median s | MB/s | rows/matches | peak RSS MB | time / haystack 1 core | time / DuckDB 1 thread | time / jq |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const answered = r.floor ? `(${r.rows ?? '?'} lines hold it)` : r.rows ?? '?';
    lines.push(`| ${cell(r.task)} | ${r.tool} | ${r.median.toFixed(3)} | ${(size / 1e6 / r.median).toFixed(0)} | ${answered} | ${rssMb(r.rssKb)} | ${ratio(r, 'haystack 1 core')} | ${ratio(r, 'DuckDB 1 thread')} | ${ratio(r, 'jq')} |`);
  }
  return lines;
}

/** "- task, tool: `command`" for every run that ran. */
function commandLines(taskList, rows) {
  const lines = [];
  for (const task of taskList) {
    const ran = rows.filter((r) => r.task === task.name).map((r) => r.tool);
    for (const run of task.runs) if (ran.includes(run.tool)) lines.push(`- ${task.name}, ${run.tool}: \`${run.command}\``);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(cli)) {
    console.error(`bench: ${relative(root, cli)} not found; run npm run build first (npm run bench does)`);
    process.exit(2);
  }
  await ensureInputs();
  // The 10M pass, unless the main pass is already on 10M lines.
  const tenM = TEN_M && LINES !== TEN_M_LINES;
  if (tenM) ensureGenerated(plain10m, TEN_M_LINES);
  const size = statSync(plain).size;
  const duckdb = probeDuckdb();
  const notes = [];
  if (!hasJq) notes.push('jq is not on PATH: no jq rows, answers not cross-checked against jq.');
  if (!hasGrep) notes.push('grep is not on PATH: no grep -c floor rows.');
  if (duckdb.version === null) notes.push(`DuckDB (@duckdb/node-api) cannot run here, so no DuckDB rows: ${duckdb.problem}`);
  else notes.push(...duckdbInferenceNotes());
  if (TEN_M && !tenM) notes.push('BENCH_10M: the main pass is already on 10M lines, so there is no separate 10M pass.');
  const gid = ONLY === 'filter' ? null : await busiestExertedGid(plain);
  const loadAtStart = loadavg()[0];

  const failures = [];
  const taskList = tasks(gid, { plain, gz, jq: true });
  const { rows, duckdbOwn } = await runTasks(taskList, { duckdb, failures });
  const taskList10m = tenM ? tasks(gid, { plain: plain10m, gz: null, jq: false }, { only10m: true }) : [];
  const pass10m = tenM ? await runTasks(taskList10m, { duckdb, failures, prefix: '10m ', runs: RUNS_10M, warmUp: RUNS_10M > 1 }) : null;

  // A load above the CPU count means other work shared the CPUs with the timed commands.
  const loadAtEnd = loadavg()[0];
  const loadNote = `1-minute load average ${loadAtStart.toFixed(1)} before, ${loadAtEnd.toFixed(1)} after` +
    (Math.max(loadAtStart, loadAtEnd) > cpus().length ? ' (more than the CPUs: other work ran alongside, times are noisy)' : '');
  const lines = [
    `${label(LINES)} lines, ${(size / 1e6).toFixed(1)} MB plain (${shown(plain)}), ${(statSync(gz).size / 1e6).toFixed(1)} MB gzipped; ` +
      `median of ${RUNS} runs after one warm-up; node ${process.version}; ${duckdb.version === null ? 'no DuckDB' : `DuckDB ${duckdb.version} on 1 and ${CORES} threads`}; ` +
      `haystack on 1 and ${CORES} cores (os.availableParallelism()); ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}; ${loadNote}`,
    '',
    ...tableLines(rows, size),
    '',
    'rows/matches: matching lines (filter tasks) or rows of the result table (query tasks); every tool\'s answer is cross-checked, ' +
      'for queries row by row. haystack 1 core / all cores: --threads 1 / --threads ' + CORES + ' on the plain file (a file under 1 GiB ' +
      'is read on the main thread whatever --threads says, so the two rows run the same way at 1M lines); haystack .gz: ' +
      'the gzipped file, which is read on one thread. grep -c floor: `grep -cF VALUE FILE`, the floor of reading and splitting the ' +
      'bytes, not an answer: it counts every line holding the value anywhere (a superset), so it is not cross-checked. MB/s: the ' +
      'plain file\'s size over the median, also for .gz. time / X: the row\'s median divided by X\'s for the same task (a peer ' +
      'above 1 in the haystack 1 core column is that many times slower than haystack; below 1 is faster). Peak RSS: of the largest process (a jq pipeline: jq, sort or uniq; DuckDB: the Node process hosting it). Every ' +
      'time includes process start-up.',
  ];
  if (duckdbOwn.length > 0) lines.push(`DuckDB's own time inside its process (module loaded, query run): ${duckdbOwn.join(', ')}.`);
  if (pass10m !== null) {
    const size10m = statSync(plain10m).size;
    lines.push(
      '',
      `${label(TEN_M_LINES)} lines, ${(size10m / 1e6).toFixed(1)} MB plain (${shown(plain10m)}), same generator and seed; no jq, no .gz; ` +
        `${RUNS_10M === 1 ? 'one timed run per command, no warm-up' : `median of ${RUNS_10M} runs after one warm-up`}:`,
      '',
      ...tableLines(pass10m.rows, size10m),
      '',
      `haystack's peak RSS, ${label(LINES)} lines → ${label(TEN_M_LINES)} lines (${(TEN_M_LINES / LINES).toFixed(0)}x the lines):`,
    );
    for (const r10 of pass10m.rows) {
      if (!r10.tool.startsWith('haystack')) continue;
      const r1 = rows.find((r) => r.task === r10.task && r.tool === r10.tool);
      if (r1 === undefined) continue;
      const growth = r1.rssKb === null || r10.rssKb === null ? '' : ` (${(r10.rssKb / r1.rssKb).toFixed(2)}x)`;
      lines.push(`- ${r10.task}, ${r10.tool}: ${rssMb(r1.rssKb)} MB → ${rssMb(r10.rssKb)} MB${growth}`);
    }
    if (pass10m.duckdbOwn.length > 0) lines.push(`DuckDB's own time at ${label(TEN_M_LINES)}: ${pass10m.duckdbOwn.join(', ')}.`);
  }
  lines.push(
    ...notes,
    '',
    `Commands (DuckDB's statements run in order in bench/duckdb-peer.mjs; FLOW stands for ${duckdbSource(shown(plain))}):`,
    ...commandLines(taskList, rows),
  );
  if (pass10m !== null) lines.push(`The ${label(TEN_M_LINES)} pass runs the same commands on ${shown(plain10m)}.`);
  console.log(lines.join('\n'));

  if (failures.length > 0) {
    console.error(`\nbench: answers disagree:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});
