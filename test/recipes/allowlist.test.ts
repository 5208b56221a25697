/**
 * The allowlist recipe on small inputs: which lines it reads, what it leaves out and why,
 * --exclude, wildcard folds under each exposure, the CIDRs of further rules, packing, and its
 * option errors. Expected values are written out by hand from the spec (D2, D4, D6).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import {
  type Allowlist,
  type AllowlistOptions,
  AllowlistOptionError,
  allowlistInputs,
  checkExcludePattern,
  checkGroup,
  cidrForRule,
  mayOverlap,
  packAllowlist,
} from '../../src/recipes/allowlist.js';

const dir = mkdtempSync(join(tmpdir(), 'haystack-allowlist-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const G = 'sg-0ccc3333';
let files = 0;

interface LineSpec {
  dhost: string;
  src?: string;
  proto?: string;
  dpt?: number;
  reason?: string;
  cat?: string;
  gid?: string;
  exerted?: boolean;
  at?: string;
  extra?: Record<string, unknown>;
}

function flow(l: LineSpec): string {
  const o = {
    dhost: l.dhost,
    cat: l.cat ?? 'client',
    outcome: 'disallowed',
    src: l.src ?? '10.10.1.5',
    spt: 40000,
    proto: l.proto ?? 'tls',
    ...(l.proto === 'unknown' ? {} : { proto_v: l.proto === 'ssh' ? '2.0' : l.proto === 'http' ? '1.1' : '1.3' }),
    dst: '203.0.113.9',
    dpt: l.dpt ?? 443,
    reason: l.reason ?? 'no protocol rule matched',
    ...l.extra,
    see_thru_days_remaining: 2,
    see_thru_gid: l.gid ?? G,
    see_thru_exerted: l.exerted ?? true,
  };
  const json = JSON.stringify(o);
  return l.at === undefined ? json : `${l.at} ${json}`;
}

async function run(lines: readonly (LineSpec | string)[], options: Partial<AllowlistOptions> = {}): Promise<Allowlist> {
  const path = join(dir, `in-${files++}.log`);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : flow(l))).join('\n') + '\n');
  const { allowlist } = await allowlistInputs([{ name: path, path }], { gid: G, ...options });
  return allowlist;
}

/** protocol port: entries, per rule. */
function rulesOf(a: Allowlist): string[] {
  return a.rules.map((r) => `${r.protocol} ${r.port} ${r.cidr} ${r.entries.map((e) => e.addr).join(',')}`);
}

function leftOutOf(a: Allowlist): string[] {
  return a.leftOut.map((l) => `${l.reason} ${l.protocol} ${l.port} ${l.host}`);
}

describe('which lines the recipe reads', () => {
  it('takes client lines whose see-thru of the group was exerted, nothing else', async () => {
    const a = await run([
      { dhost: 'api.github.com' },
      // The server side: its dpt is the client's port (spec D6.8).
      { dhost: 'api.github.com', cat: 'server', dpt: 40000 },
      { dhost: 'allowed.example.com', exerted: false, reason: 'sg-0aaa1111' },
      { dhost: 'other.example.com', gid: 'sg-0ddd4444' },
      { dhost: 'default.example.com', gid: '%default' },
      '{"dhost":"plain.example.com","cat":"client","outcome":"disallowed","src":"10.10.1.5","spt":1,"proto":"tls","proto_v":"1.3","dst":"203.0.113.9","dpt":443,"reason":"no rules for client"}',
      `{"cat":"see-thru","outcome":"accepted","gid":"${G}","thru_date":"2026-03-31"}`,
      // see_thru_exerted must be the JSON boolean true.
      flow({ dhost: 'string-true.example.com' }).replace('"see_thru_exerted":true', '"see_thru_exerted":"true"'),
    ]);
    assert.deepEqual(rulesOf(a), ['tls 443 0.0.0.0/0 api.github.com']);
    assert.equal(a.totals.connections, 1);
  });

  it('takes %default as the group of the preferences\' see-thru', async () => {
    const a = await run([{ dhost: 'api.github.com' }, { dhost: 'default.example.com', gid: '%default' }], { gid: '%default' });
    assert.deepEqual(rulesOf(a), ['tls 443 0.0.0.0/0 default.example.com']);
  });

  it('counts connections, distinct clients, and first and last seen when the input has times', async () => {
    const a = await run([
      { dhost: 'api.github.com', src: '10.10.1.5', at: '2026-03-29T10:00:00Z' },
      { dhost: 'api.github.com', src: '10.10.1.9', at: '2026-03-29T08:00:00Z' },
      { dhost: 'API.GitHub.com.', src: '10.10.1.5', at: '2026-03-30T09:30:00Z' },
      { dhost: 'pypi.org', src: '10.10.1.12', at: '2026-03-29T09:00:00Z' },
    ]);
    const hosts = a.rules.flatMap((r) => r.entries.flatMap((e) => e.hosts));
    const api = hosts.find((h) => h.host === 'api.github.com')!;
    assert.deepEqual([api.connections, api.clients, api.firstSeen, api.lastSeen], [3, 2, Date.UTC(2026, 2, 29, 8), Date.UTC(2026, 2, 30, 9, 30)]);
    assert.deepEqual(a.totals, { connections: 4, clients: 3, firstSeen: Date.UTC(2026, 2, 29, 8), lastSeen: Date.UTC(2026, 2, 30, 9, 30) });
  });

  it('gives null times for inputs without them, and counts lines of the group it cannot use', async () => {
    const a = await run([{ dhost: 'api.github.com' }, flow({ dhost: 'x.example.com' }).replace('"dpt":443', '"dpt":"443"')]);
    assert.equal(a.totals.firstSeen, null);
    assert.equal(a.rules[0]!.entries[0]!.hosts[0]!.lastSeen, null);
    assert.equal(a.unusableLines, 1);
    assert.equal(a.totals.connections, 1);
  });
});

describe('what cannot become a rule', () => {
  it('lists each kind apart with its reason', async () => {
    const a = await run([
      { dhost: '198.51.100.7', reason: 'sni missing' },
      { dhost: '203.0.113.50', proto: 'ssh', dpt: 22 },
      { dhost: '192.0.2.10', proto: 'unknown', dpt: 5432, reason: 'protocol unknown' },
      { dhost: 'example.com', proto: 'http', dpt: 80, reason: 'http not allowed', extra: { http_method: 'GET', http_path: '/index.html' } },
      { dhost: 'crl.example.net', proto: 'http', dpt: 80, reason: 'http not allowed', extra: { http_method: 'GET', http_path: '/ca.crl?x=1' } },
      { dhost: 'legacy.example.com', reason: 'tls version below 1.2' },
      { dhost: 'old-ssh.example.com', proto: 'ssh', dpt: 22, reason: 'ssh version below 2' },
      { dhost: 'cdn.example.net', reason: 'dns mismatch' },
      { dhost: 'intranet' },
      { dhost: 'a*b.example.com' },
      { dhost: 'a.example.com,b.example.com' },
      { dhost: 'bad host.example.com' },
      { dhost: `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(56)}.com` },
      { dhost: 'ok.example.com' },
    ]);
    assert.deepEqual(rulesOf(a), ['tls 443 0.0.0.0/0 ok.example.com']);
    assert.deepEqual(leftOutOf(a), [
      'no-hostname ssh 22 203.0.113.50',
      'no-hostname tls 443 198.51.100.7',
      'unknown-protocol unknown 5432 192.0.2.10',
      'http http 80 example.com',
      'http-crl http 80 crl.example.net',
      'old-version ssh 22 old-ssh.example.com',
      'old-version tls 443 legacy.example.com',
      'dns-mismatch tls 443 cdn.example.net',
      `invalid tls 443 ${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(56)}.com`,
      'invalid tls 443 a*b.example.com',
      'invalid tls 443 bad host.example.com',
      'invalid tls 443 a.example.com,b.example.com',
      'invalid tls 443 intranet',
    ]);
    const why = (host: string): string => a.leftOut.find((l) => l.host === host)!.detail;
    assert.match(why('intranet'), /^HS3012: a single label/);
    assert.match(why('bad host.example.com'), /^HS3011: whitespace/);
    assert.match(why(`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(56)}.com`), /^243 characters: longer than the 239/);
    assert.match(why('198.51.100.7'), /no SNI/);
  });

  it('splits one host\'s lines by what each line settles', async () => {
    const a = await run([{ dhost: 'api.example.com' }, { dhost: 'api.example.com', reason: 'tls version below 1.2' }]);
    assert.deepEqual(rulesOf(a), ['tls 443 0.0.0.0/0 api.example.com']);
    assert.deepEqual(leftOutOf(a), ['old-version tls 443 api.example.com']);
  });
});

describe('--exclude', () => {
  it('drops hosts a pattern matches (a * is one label) and says which pattern', async () => {
    const a = await run([
      { dhost: 'ec2-instance-connect.eu-west-2.amazonaws.com' },
      { dhost: 'ec2-instance-connect.x.eu-west-2.amazonaws.com' },
      { dhost: 'collector.telemetry.example.org', dpt: 8443 },
      { dhost: 'api.github.com' },
    ], { exclude: ['EC2-Instance-Connect.*.amazonaws.com', 'collector.telemetry.example.org', 'never.example.com'] });
    assert.deepEqual(rulesOf(a), ['tls 443 0.0.0.0/0 ec2-instance-connect.x.eu-west-2.amazonaws.com,api.github.com']);
    assert.deepEqual(a.excluded.map((e) => `${e.pattern} ${e.port} ${e.host}`), [
      'ec2-instance-connect.*.amazonaws.com 443 ec2-instance-connect.eu-west-2.amazonaws.com',
      'collector.telemetry.example.org 8443 collector.telemetry.example.org',
    ]);
    assert.deepEqual(a.excludePatterns, [
      { pattern: 'ec2-instance-connect.*.amazonaws.com', hosts: 1 },
      { pattern: 'collector.telemetry.example.org', hosts: 1 },
      { pattern: 'never.example.com', hosts: 0 },
    ]);
    assert.equal(a.totals.connections, 4, 'excluded connections still count in the totals');
  });

  it('refuses what is not a hostname pattern, pointing into the pattern', () => {
    const bad = (p: string): AllowlistOptionError => {
      try {
        checkExcludePattern(p);
      } catch (e) {
        assert.ok(e instanceof AllowlistOptionError);
        return e;
      }
      assert.fail(`${p} was accepted`);
    };
    const e1 = bad('a..example.com');
    assert.equal(e1.option, '--exclude');
    assert.equal(e1.diagnostics[0]!.code, 'HS3302');
    assert.deepEqual(e1.diagnostics[0]!.span, { start: 0, end: 14 });
    assert.equal(e1.source, 'a..example.com');
    assert.deepEqual(bad('a.com,b.com').diagnostics[0]!.span, { start: 5, end: 6 });
    bad('localhost');
    bad('https://example.com');
    bad('');
    assert.equal(checkExcludePattern('Telemetry.Example.COM.'), 'telemetry.example.com');
  });
});

describe('--wildcards', () => {
  const hosts: LineSpec[] = [
    { dhost: 'api.github.com' }, { dhost: 'codeload.github.com' }, { dhost: 'github.com' },
    { dhost: 'alice.github.io' }, { dhost: 'bob.github.io' },
    { dhost: 'pypi.org' }, { dhost: 'python.org' },
    { dhost: 'deb.debian.org' },
  ];

  it('folds shared parents the exposure and the PSL allow, and reports both kinds', async () => {
    const a = await run(hosts, { wildcards: true });
    // github.com stays: *.github.com does not match it (spec D4.6); *.org is never a candidate.
    assert.deepEqual(rulesOf(a), ['tls 443 0.0.0.0/0 github.com,*.github.com,alice.github.io,bob.github.io,deb.debian.org,pypi.org,python.org']);
    assert.deepEqual(a.folds, [{ protocol: 'tls', port: 443, addr: '*.github.com', hosts: ['api.github.com', 'codeload.github.com'] }]);
    assert.deepEqual(a.refusedFolds.map((f) => [f.addr, f.refusal, f.code, f.hosts.join(' ')]), [['*.github.io', 'public-suffix', 'HS3016', 'alice.github.io bob.github.io']]);
    const fold = a.rules[0]!.entries.find((e) => e.fold)!;
    assert.deepEqual(fold.hosts.map((h) => h.host), ['api.github.com', 'codeload.github.com']);
  });

  it('never folds across a public suffix, even under nuclear', async () => {
    const a = await run(hosts, { wildcards: true, exposure: 'nuclear' });
    assert.deepEqual(a.folds.map((f) => f.addr), ['*.github.com']);
    assert.deepEqual(a.refusedFolds.map((f) => [f.addr, f.refusal, f.code]), [['*.github.io', 'public-suffix', null]]);
    assert.match(a.refusedFolds[0]!.detail, /`github\.io` is a public suffix/);
  });

  it('folds nothing where the exposure refuses `*`', async () => {
    for (const [exposure, code] of [['none', 'HS3014'], ['prohibit_asterisk', 'HS3015']] as const) {
      const a = await run(hosts, { wildcards: true, exposure });
      assert.deepEqual(a.folds, [], exposure);
      assert.deepEqual(a.refusedFolds.map((f) => [f.addr, f.refusal, f.code]), [['*.github.com', 'exposure', code], ['*.github.io', 'exposure', code]], exposure);
    }
  });

  it('needs --min-fold hosts, and refuses a fold an exclude pattern could reach into', async () => {
    const three = await run(hosts, { wildcards: true, minFold: 3 });
    assert.deepEqual([three.folds, three.refusedFolds], [[], []]);
    const a = await run([
      { dhost: 'ec2.eu-west-2.amazonaws.com' }, { dhost: 'ssm.eu-west-2.amazonaws.com' },
      { dhost: 'a.cdn.example.com' }, { dhost: 'b.cdn.example.com' },
    ], { wildcards: true, exclude: ['ec2-instance-connect.*.amazonaws.com'] });
    assert.deepEqual(a.folds.map((f) => f.addr), ['*.cdn.example.com']);
    assert.deepEqual(a.refusedFolds.map((f) => [f.addr, f.refusal, f.detail]), [['*.eu-west-2.amazonaws.com', 'excluded', 'it could match hosts excluded by ec2-instance-connect.*.amazonaws.com']]);
  });

  it('folds per protocol and port', async () => {
    const a = await run([
      { dhost: 'a.example.com' }, { dhost: 'b.example.com', dpt: 8443 },
      { dhost: 'c.example.com', proto: 'ssh', dpt: 443 },
    ], { wildcards: true });
    assert.deepEqual(a.folds, []);
  });

  it('tells when two patterns could match one host', () => {
    assert.equal(mayOverlap('*.eu-west-2.amazonaws.com', 'ec2-instance-connect.*.amazonaws.com'), true);
    assert.equal(mayOverlap('*.github.com', 'ec2-instance-connect.*.amazonaws.com'), false);
    assert.equal(mayOverlap('*.example.com', 'telemetry.example.com'), true);
    assert.equal(mayOverlap('*.example.com', 'a.b.example.com'), false);
    assert.equal(mayOverlap('api*.example.com', 'web.example.com'), false);
    assert.equal(mayOverlap('api*.example.com', 'x*.example.com'), true);
  });
});

describe('rules, CIDRs and packing', () => {
  it('gives the n-th rule of a port the n-th distinct CIDR, as the vendor does', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 14].map(cidrForRule), [
      '0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1', '0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2', '0.0.0.0/3', '224.0.0.0/3',
    ]);
  });

  it('counts CIDRs per TCP port across protocols (AWS compares protocol, ports and CIDR)', async () => {
    const a = await run([
      { dhost: 'git.example.com', proto: 'ssh', dpt: 443 },
      { dhost: 'web.example.com' },
      { dhost: 'sftp.example.com', proto: 'ssh', dpt: 22 },
    ]);
    assert.deepEqual(rulesOf(a), ['ssh 22 0.0.0.0/0 sftp.example.com', 'ssh 443 0.0.0.0/0 git.example.com', 'tls 443 0.0.0.0/1 web.example.com']);
  });

  it('packs into fewer descriptions than a greedy split in order when it can', () => {
    // Entry sizes with their comma 120, 130, 110, 120 against a budget of 239 + 1: in order
    // that is 3 descriptions ([120], [130, 110], [120]); 2 are enough ([130, 110], [120, 120]).
    const name = (c: string, length: number): string => `${c.repeat(length - 106)}.${c.repeat(50)}.${c.repeat(50)}.com`;
    const addrs = [name('a', 119), name('b', 129), name('c', 109), name('d', 119)];
    const packed = packAllowlist('tls', addrs);
    assert.deepEqual(packed.map((p) => p.addrs), [[addrs[1], addrs[2]], [addrs[0], addrs[3]]]);
    for (const p of packed) assert.ok(p.description.length <= 255 && p.description === `discriminat:tls:${p.addrs.join(',')}`);
  });

  it('keeps the readable order when it costs no extra description', () => {
    const packed = packAllowlist('ssh', ['sftp.bank1.com', 'github.com', 'gitlab.com']);
    assert.deepEqual(packed, [{ description: 'discriminat:ssh:sftp.bank1.com,github.com,gitlab.com', addrs: ['sftp.bank1.com', 'github.com', 'gitlab.com'] }]);
  });
});

describe('option errors', () => {
  it('names the option and has a code', () => {
    const code = (f: () => void): string => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof DiagnosticError);
        return e.diagnostics[0]!.code;
      }
      return 'accepted';
    };
    assert.equal(code(() => checkGroup('sg-0CCC3333')), 'HS3301');
    assert.equal(code(() => checkGroup('default')), 'HS3301');
    assert.equal(code(() => checkGroup('%default')), 'accepted');
    assert.equal(code(() => checkGroup('sg-00replaceme00')), 'accepted');
    assert.equal(code(() => checkGroup('%default', '--target-gid', false)), 'HS3303');
  });

  it('fails before reading any input', async () => {
    await assert.rejects(allowlistInputs([{ name: 'missing', path: join(dir, 'missing.log') }], { gid: G, minFold: 1 }), (e: unknown) => e instanceof AllowlistOptionError && e.diagnostics[0]!.code === 'HS3304');
  });
});
