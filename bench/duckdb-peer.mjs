#!/usr/bin/env node
// The DuckDB peer of bench/run.mjs, in its own process so it is timed and its peak RSS measured
// from outside like haystack and jq.
//
//   node bench/duckdb-peer.mjs STATEMENT...   runs each statement in order on a fresh in-memory
//                                             database; prints {"rows": [...], "seconds": s} for
//                                             the last one (seconds: DuckDB's own time, after the
//                                             module has loaded)
//   node bench/duckdb-peer.mjs --version      prints DuckDB's version (the runner's probe)
//
// Every statement it runs is on its command line, so what the bench prints is what DuckDB ran.
// BIGINTs come back as numbers (counts fit in 2^53); booleans stay booleans.

async function main(statements) {
  if (statements.length === 0) {
    process.stderr.write('usage: node bench/duckdb-peer.mjs STATEMENT... | --version\n');
    process.exit(2);
  }
  let DuckDBInstance;
  try {
    ({ DuckDBInstance } = await import('@duckdb/node-api'));
  } catch (err) {
    // Usually the native binding: no prebuilt binary for this platform, or it failed to load.
    process.stderr.write(`duckdb-peer: cannot load @duckdb/node-api: ${err.message.split('\n')[0]}\n`);
    process.exit(1);
  }
  const started = process.hrtime.bigint();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  if (statements.length === 1 && statements[0] === '--version') {
    const reader = await connection.runAndReadAll('SELECT version() AS v');
    process.stdout.write(`${reader.getRowObjectsJS()[0].v}\n`);
    return;
  }
  let rows = [];
  for (const sql of statements) {
    const reader = await connection.runAndReadAll(sql);
    rows = reader.getRowObjectsJS();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const json = JSON.stringify({ rows, seconds }, (_key, value) => {
    if (typeof value !== 'bigint') return value;
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return value.toString();
    return Number(value);
  });
  process.stdout.write(`${json}\n`);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`duckdb-peer: ${err.message}\n`);
  process.exit(1);
});
