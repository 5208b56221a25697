#!/usr/bin/env node
// Builds examples/flow.log: generated flow lines (scripts/generate-flow.mjs, fixed seed) with the
// flow lines of the worked examples (spec D8) mixed in, so the sample holds every case the
// vendor's filter patterns are documented against (spec D2.6). Deterministic: re-running it
// writes the same bytes. `--check` only compares and exits 1 when the committed file is stale.
//
//   node scripts/make-example.mjs [--check]

import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFlowLines } from './generate-flow.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'examples', 'flow.log');

const SEED = 'examples/flow.log';
const GENERATED_LINES = 260;

// D8 prints its lines without `instance` "to save space" and says it sits right after `reason`
// on every G3 flow line; the sample is G3, so it is put back (firewall of estate E0).
const E0_INSTANCE = 'i-0f1e2d3c4b5a69788';
const withInstance = (line) => line.replace(/("reason":"[^"]*")/, `$1,"instance":"${E0_INSTANCE}"`);

// Copied from spec D8 (X1..X22), in order. X12 is described in words there: X1's client line
// with `"reason":"sg-0999aaaa"`.
const WORKED_EXAMPLES = [
  ['X1', [
    '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","pqc":true}',
    '{"dhost":"api.github.com","cat":"server","outcome":"allowed","src":"140.82.121.6","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.10.1.5","dpt":40001,"reason":"sg-0aaa1111","pqc":true}',
  ]],
  ['X2', [
    '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40002,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false}',
  ]],
  ['X3', [
    '{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40003,"proto":"tls","proto_v":"1.1","dst":"140.82.121.6","dpt":443,"reason":"tls version below 1.2","pqc":false}',
  ]],
  ['X4', [
    '{"dhost":"sftp.bank1.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":50022,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":22,"reason":"sg-0bbb2222"}',
    '{"dhost":"sftp.bank1.com","cat":"server","outcome":"allowed","src":"203.0.113.22","spt":22,"proto":"ssh","proto_v":"2.0","dst":"10.10.1.5","dpt":50022,"reason":"sg-0bbb2222"}',
  ]],
  ['X5', [
    '{"dhost":"sftp.bank1.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":50023,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":443,"reason":"no protocol rule matched"}',
  ]],
  ['X6', [
    '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
    '{"dhost":"pypi.org","cat":"server","outcome":"disallowed","src":"151.101.0.223","spt":443,"proto":"tls","proto_v":"1.3","dst":"10.10.1.9","dpt":51514,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  ]],
  ['X7', [
    '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.9","spt":51515,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}',
  ]],
  ['X8', [
    '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":0,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  ]],
  ['X9', [
    '{"dhost":"pypi.org","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":51514,"proto":"tls","proto_v":"1.3","dst":"151.101.0.223","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":-1,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}',
  ]],
  ['X10', [
    '{"dhost":"api.github.com","cat":"client","outcome":"disallowed","src":"10.10.1.30","spt":33000,"proto":"tls","proto_v":"1.2","dst":"140.82.121.6","dpt":443,"reason":"no rules for client","pqc":false,"see_thru_days_remaining":12,"see_thru_gid":"%default","see_thru_exerted":true}',
    '{"dhost":"api.github.com","cat":"server","outcome":"disallowed","src":"140.82.121.6","spt":443,"proto":"tls","proto_v":"1.2","dst":"10.10.1.30","dpt":33000,"reason":"no rules for client","pqc":false,"see_thru_days_remaining":12,"see_thru_gid":"%default","see_thru_exerted":true}',
  ]],
  ['X11', [
    '{"dhost":"codeload.github.com","cat":"client","outcome":"allowed","src":"10.10.1.7","spt":41000,"proto":"tls","proto_v":"1.3","dst":"140.82.121.9","dpt":443,"reason":"sg-0ddd4444","pqc":false}',
    '{"dhost":"objects.githubusercontent.com","cat":"client","outcome":"disallowed","src":"10.10.1.7","spt":41001,"proto":"tls","proto_v":"1.3","dst":"185.199.108.133","dpt":443,"reason":"no protocol rule matched","pqc":false}',
  ]],
  ['X12', [
    '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0999aaaa","pqc":true}',
  ]],
  ['X17', [
    '{"dhost":"203.0.113.22","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":50022,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":22,"reason":"cache not ready"}',
  ]],
  ['X19', [
    '{"dhost":"crl.example.net","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":42000,"proto":"http","proto_v":"1.1","dst":"93.184.216.34","dpt":80,"reason":"x509 crl","http_method":"GET","http_path":"/ca.crl","http_user_agent":"curl/8.5.0"}',
    '{"dhost":"crl.example.net","cat":"server","outcome":"allowed","src":"93.184.216.34","spt":80,"proto":"http","proto_v":"1.1","dst":"10.10.1.5","dpt":42000,"reason":"x509 crl","http_code":200}',
  ]],
  ['X21', [
    '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"172.16.1.9","spt":50412,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":false}',
    '{"dhost":"ec2-instance-connect.eu-west-2.amazonaws.com","cat":"client","outcome":"disallowed","src":"172.16.1.9","spt":50413,"proto":"tls","proto_v":"1.3","dst":"203.0.113.80","dpt":443,"reason":"no protocol rule matched","pqc":false,"see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
  ]],
  ['X22', [
    '{"dhost":"198.51.100.7","cat":"client","outcome":"disallowed","src":"10.10.1.9","spt":52000,"proto":"unknown","dst":"198.51.100.7","dpt":443,"reason":"protocol unknown","see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
    '{"dhost":"198.51.100.7","cat":"server","outcome":"disallowed","src":"198.51.100.7","spt":443,"proto":"unknown","dst":"10.10.1.9","dpt":52000,"reason":"protocol unknown","see_thru_days_remaining":2,"see_thru_gid":"sg-0ccc3333","see_thru_exerted":true}',
    '{"dhost":"140.82.121.6","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":40010,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sni missing","pqc":false}',
    '{"dhost":"198.51.100.9","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":50030,"proto":"ssh","proto_v":"2.0","dst":"198.51.100.9","dpt":22,"reason":"no protocol rule matched"}',
  ]],
];

export function buildSample() {
  const generated = [...generateFlowLines({ lines: GENERATED_LINES, seed: SEED })];
  // Insert each example block before a client line (so no generated client/server pair is split),
  // spread evenly through the file.
  const out = [];
  let next = 0;
  for (let i = 0; i < generated.length; i++) {
    const due = next < WORKED_EXAMPLES.length && i >= Math.floor(((next + 1) * generated.length) / (WORKED_EXAMPLES.length + 1));
    if (due && generated[i].includes('"cat":"client"')) {
      out.push(...WORKED_EXAMPLES[next][1].map(withInstance));
      next++;
    }
    out.push(generated[i]);
  }
  while (next < WORKED_EXAMPLES.length) out.push(...WORKED_EXAMPLES[next++][1].map(withInstance));
  return `${out.join('\n')}\n`;
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) {
  const text = buildSample();
  const lines = text.split('\n').length - 1;
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing file: stale
    }
    if (current !== text) {
      process.stderr.write('make-example: examples/flow.log is out of date; run node scripts/make-example.mjs\n');
      process.exit(1);
    }
    process.stderr.write(`make-example: examples/flow.log is up to date (${lines} lines)\n`);
  } else {
    writeFileSync(target, text);
    process.stderr.write(`make-example: wrote examples/flow.log (${lines} lines)\n`);
  }
}
