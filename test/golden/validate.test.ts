/**
 * Golden files pin how `haystack validate` words things: each bad line's diagnostics with their
 * carets and hints, and the text report of a small input. `npm run golden:update` rewrites them;
 * review the diff.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { renderReport } from '../../src/cli/validate.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { renderText } from '../../src/diagnostics/render.js';
import { validateInputs } from '../../src/discriminat/schema-report.js';
import { validateLine } from '../../src/discriminat/schema.js';
import { repoRoot } from '../paths.js';

const update = process.env.HAYSTACK_UPDATE_GOLDEN === '1';
const goldenDir = join(repoRoot, 'test', 'golden', 'validate');
const tmp = mkdtempSync(join(tmpdir(), 'haystack-golden-validate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const TLS = '{"dhost":"api.github.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":40001,"proto":"tls","proto_v":"1.3","dst":"140.82.121.6","dpt":443,"reason":"sg-0aaa1111","instance":"i-0f1e2d3c4b5a69788","pqc":true}';
const SSH = '{"dhost":"sftp.bank1.com","cat":"client","outcome":"allowed","src":"10.10.1.5","spt":50022,"proto":"ssh","proto_v":"2.0","dst":"203.0.113.22","dpt":22,"reason":"sg-0bbb2222","instance":"i-0f1e2d3c4b5a69788"}';
const HTTP_SERVER = '{"dhost":"crl.example.net","cat":"server","outcome":"allowed","src":"93.184.216.34","spt":80,"proto":"http","proto_v":"1.1","dst":"10.10.1.5","dpt":42000,"reason":"x509 crl","instance":"i-0f1e2d3c4b5a69788","http_code":200}';
const ADDR = '{"addr":"*.github.io","cat":"addr","outcome":"publicsuffix[.]org list matched with `github.io`"}';

/** name -> one log line. Names are file names; keep them stable. */
const LINES: Record<string, string> = {
  'not-json': 'Mar 29 08:00:01 ip-10-0-0-1 discrimiNAT[812]: started',
  'port-string': TLS.replace('"spt":40001', '"spt":"40001"'),
  'port-fraction': TLS.replace('"dpt":443', '"dpt":443.0'),
  'port-range': TLS.replace('"dpt":443', '"dpt":65536'),
  'null-field': TLS.replace('"reason":"sg-0aaa1111"', '"reason":null'),
  'enum-case': TLS.replace('"proto":"tls"', '"proto":"TLS"'),
  'proto-v': TLS.replace('"proto_v":"1.3"', '"proto_v":"TLSv1.3"'),
  'ipv4-leading-zero': TLS.replace('"src":"10.10.1.5"', '"src":"10.10.01.5"'),
  'instance-syntax': TLS.replace('i-0f1e2d3c4b5a69788', 'i-0f1e'),
  'missing-proto-v': TLS.replace('"proto_v":"1.3",', ''),
  'trio-incomplete': TLS.replace('}', ',"see_thru_gid":"sg-0ccc3333"}'),
  'pqc-on-ssh': SSH.replace('}', ',"pqc":false}'),
  'http-on-tls': TLS.replace('}', ',"http_code":200}'),
  'http-side': HTTP_SERVER.replace('}', ',"http_path":"/ca.crl"}'),
  'config-wrong-cat': '{"cat":"client","outcome":"accepted","client":"10.10.1.5","gid":"sg-0aaa1111","fqdn":"api.github.com"}',
  'addr-tolerated': ADDR.replace('}', ',"gid":"sg-0fff6666"}'),
  'thru-date': '{"cat":"see-thru","outcome":"accepted","gid":"sg-0ccc3333","thru_date":"2026-02-30"}',
  'unknown-field': TLS.replace('}', ',"zone":"eu-west-2a"}'),
  'no-generation': TLS.replace('"instance":"i-0f1e2d3c4b5a69788",', ''),
  'flow-without-dhost': TLS.replace('"dhost":"api.github.com",', ''),
  'unknown-cat': TLS.replace('"cat":"client"', '"cat":"gateway"'),
};

function renderLine(line: string): string {
  const v = validateLine(line);
  const head = `line: ${line}\nkind: ${v.kind}, valid: ${v.valid}, fits: ${v.generation.fits.join(' ') || '-'}\n\n`;
  if (v.diagnostics.length === 0) return `${head}(no diagnostics)\n`;
  return `${head}${v.diagnostics.map((d) => renderText(d as unknown as Diagnostic, line, 'line')).join('\n\n')}\n`;
}

function check(name: string, actual: string): void {
  const file = join(goldenDir, `${name}.txt`);
  if (update) writeFileSync(file, actual);
  assert.ok(existsSync(file), `missing golden file ${file}: run npm run golden:update`);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

for (const [name, line] of Object.entries(LINES)) {
  test(`golden validate line: ${name}`, () => check(`line-${name}`, renderLine(line)));
}

test('golden validate report: a small mixed input with examples', async () => {
  const path = join(tmp, 'sample.log');
  const lines = [TLS, '', LINES['port-range']!, SSH, 'not a log line', LINES['unknown-field']!, ADDR, LINES['trio-incomplete']!];
  writeFileSync(path, `${lines.join('\n')}\n`);
  const report = await validateInputs([{ name: 'sample.log', path }], { maxExamples: 2 });
  check('report-mixed', renderReport(report));
});

test('golden validate report: clean G1 input', async () => {
  const path = join(tmp, 'g1.log');
  writeFileSync(path, `${SSH.replace(',"instance":"i-0f1e2d3c4b5a69788"', '')}\n${'{"cat":"fqdn","outcome":"accepted","gid":"sg-0aaa1111","fqdn":"api.github.com","proto":"tls"}'}\n`);
  const report = await validateInputs([{ name: 'g1.log', path }]);
  check('report-g1', renderReport(report));
});
