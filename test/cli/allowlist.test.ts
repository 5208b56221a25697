/**
 * `haystack allowlist` end to end on the golden fixture: the text report, each output format,
 * stdin, an empty result, and the exit codes for usage errors and --strict.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../paths.js';
import { parseHcl } from '../support/hcl.js';
import { runCli } from './run.js';

const FIXTURE = join(repoRoot, 'test', 'golden', 'allowlist', 'flow.log');
const dir = mkdtempSync(join(tmpdir(), 'haystack-allowlist-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const BASE = ['allowlist', '--gid', 'sg-0ccc3333'];

describe('haystack allowlist', () => {
  it('prints the report with its rules, folds, exclusions and what was left out', () => {
    const r = runCli([...BASE, FIXTURE, '--wildcards', '--exclude', 'ec2-instance-connect.*.amazonaws.com', '--exclude', 'collector.telemetry.example.org']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^see-thru group sg-0ccc3333: 51 connections let through by the see-thru alone, from 3 clients$/m);
    assert.match(r.stdout, /^tls on tcp 443, rule 2 of 2, 0\.0\.0\.0\/1$/m);
    assert.match(r.stdout, /^ {2}\*\.github\.com on tls 443 covers api\.github\.com, codeload\.github\.com, uploads\.github\.com$/m);
    assert.match(r.stdout, /^ {2}not folded: \*\.github\.io on tls 443 \(alice\.github\.io, bob\.github\.io\): `github\.io` is a public suffix/m);
    assert.match(r.stdout, /^ {2}collector\.telemetry\.example\.org: 1 host$/m);
    assert.match(r.stdout, /^ {4}intranet +tls +443 .*HS3012: a single label/m);
    assert.equal(r.stdout, readFileSync(join(repoRoot, 'test', 'golden', 'allowlist', 'text.txt'), 'utf8'));
  });

  it('writes Terraform HashiCorp\'s parser reads, for a named group', async () => {
    const r = runCli([...BASE, FIXTURE, '-o', 'terraform', '--target-gid', 'sg-0aaa1111']);
    assert.equal(r.status, 0, r.stderr);
    const hcl = await parseHcl(r.stdout);
    const rules = Object.values((hcl.resource as Record<string, Record<string, { security_group_id: string; from_port: number }[]>>).aws_vpc_security_group_egress_rule!);
    assert.deepEqual(rules.map(([b]) => b!.from_port).sort((a, b) => a - b), [22, 443, 443, 443, 8443]);
    assert.ok(rules.every(([b]) => b!.security_group_id === 'sg-0aaa1111'));
  });

  it('reads stdin and writes the aws-cli JSON and plain JSON', () => {
    const input = readFileSync(FIXTURE);
    const aws = runCli([...BASE, '-', '-o', 'aws-cli'], { input });
    assert.equal(aws.status, 0, aws.stderr);
    const perms = JSON.parse(aws.stdout) as { FromPort: number; IpRanges: { CidrIp: string }[] }[];
    assert.deepEqual(perms.map((p) => [p.FromPort, p.IpRanges.map((x) => x.CidrIp)]), [[22, ['0.0.0.0/0']], [443, ['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1']], [8443, ['0.0.0.0/0']]]);
    const json = runCli([...BASE, '-o', 'json', '--target-gid', 'sg-0aaa1111'], { input });
    assert.equal(json.status, 0, json.stderr);
    const j = JSON.parse(json.stdout) as { target_gid: string; totals: { connections: number } };
    assert.equal(j.target_gid, 'sg-0aaa1111');
    assert.equal(j.totals.connections, 51);
  });

  it('takes %default, and narrows by time', () => {
    const r = runCli(['allowlist', '--gid', '%default', FIXTURE, '-o', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { rules: { description: string }[] };
    assert.deepEqual(j.rules.map((x) => x.description), ['discriminat:tls:default-only.example.com']);
    const early = runCli([...BASE, FIXTURE, '-o', 'json', '--end', '2026-03-29T08:15:00Z']);
    assert.equal(early.status, 0, early.stderr);
    assert.deepEqual((JSON.parse(early.stdout) as { rules: { description: string }[] }).rules.map((x) => x.description), ['discriminat:tls:api.github.com,codeload.github.com']);
  });

  it('exits 0 with an empty report when nothing needed the see-thru', async () => {
    const text = runCli(['allowlist', '--gid', 'sg-0eee5555', FIXTURE]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^see-thru group sg-0eee5555: no connection was let through by the see-thru alone; no rules to add\.$/m);
    const tf = runCli(['allowlist', '--gid', 'sg-0eee5555', FIXTURE, '-o', 'terraform']);
    assert.equal(tf.status, 0, tf.stderr);
    assert.match(tf.stderr, /^haystack: no rules for sg-0eee5555: no connection needed its see-thru$/m);
    assert.deepEqual(await parseHcl(tf.stdout), {});
    const cfn = runCli(['allowlist', '--gid', 'sg-0eee5555', FIXTURE, '-o', 'cloudformation']);
    assert.match(cfn.stdout, /^# nothing to add/m);
    assert.equal(runCli(['allowlist', '--gid', 'sg-0eee5555', FIXTURE, '-o', 'aws-cli']).stdout, '[]\n');
  });

  it('keeps the hosts of a fold the reviewer refused (--refuse-fold), and makes the other folds', () => {
    const folded = JSON.parse(runCli([...BASE, FIXTURE, '--wildcards', '-o', 'json']).stdout) as { folds: { addr: string; hosts: string[] }[] };
    const github = folded.folds.find((f) => f.addr === '*.github.com');
    assert.ok(github, 'the fixture folds *.github.com');
    const r = runCli([...BASE, FIXTURE, '--wildcards', '--refuse-fold', '*.GitHub.com', '-o', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { folds: { addr: string }[]; refused_folds: { addr: string; refusal: string }[]; rules: { description: string }[] };
    assert.deepEqual(j.folds.map((f) => f.addr), folded.folds.map((f) => f.addr).filter((a) => a !== '*.github.com'));
    assert.deepEqual(j.refused_folds.filter((f) => f.refusal === 'declined').map((f) => f.addr), ['*.github.com']);
    const entries = j.rules.flatMap((x) => x.description.replace(/^discriminat:[a-z]+:/, '').split(','));
    assert.ok(!entries.includes('*.github.com'));
    for (const h of github.hosts) assert.ok(entries.includes(h), h);
    const text = runCli([...BASE, FIXTURE, '--wildcards', '--refuse-fold', '*.github.com']).stdout;
    assert.match(text, /not folded: \*\.github\.com on tls 443 \(.*\): refused by the reviewer/);
  });

  it('exits 2 on bad options, naming the option', () => {
    const cases: [string[], RegExp][] = [
      [['allowlist', FIXTURE], /required option '--gid <group>'/],
      [['allowlist', '--gid', 'sg-XYZ', FIXTURE], /HS3301/],
      [[...BASE, FIXTURE, '--exclude', 'a..example.com'], /HS3302[\s\S]*--exclude/],
      [[...BASE, FIXTURE, '--min-fold', '1'], /HS3304/],
      [[...BASE, FIXTURE, '--min-fold', 'two'], /HS3304/],
      [[...BASE, FIXTURE, '--target-gid', '%default'], /HS3303/],
      [[...BASE, FIXTURE, '--wildcards', '--refuse-fold', 'github.com'], /HS3305[\s\S]*--refuse-fold/],
      [[...BASE, FIXTURE, '--wildcards', '--refuse-fold', '*.*.com'], /HS3305/],
      [[...BASE, FIXTURE, '--exposure', 'wide'], /--exposure/],
      [[...BASE, FIXTURE, '-o', 'pulumi'], /--output/],
      [[...BASE, join(dir, 'missing.log')], /missing\.log/],
    ];
    for (const [args, stderr] of cases) {
      const r = runCli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, stderr, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
  });

  it('exits 3 under --strict when a line could not be read', () => {
    const path = join(dir, 'mixed.log');
    writeFileSync(path, `${readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 3).map((l) => l.slice(l.indexOf(' ') + 1)).join('\n')}\nnot json\n`);
    const loose = runCli([...BASE, path, '-o', 'json']);
    assert.equal(loose.status, 0, loose.stderr);
    assert.match(loose.stderr, /1 not JSON/);
    assert.equal(runCli([...BASE, path, '-o', 'json', '--strict']).status, 3);
  });

  it('explains itself in --help', () => {
    const r = runCli(['allowlist', '--help']);
    assert.equal(r.status, 0);
    for (const flag of ['--gid', '--exclude', '--wildcards', '--exposure', '--min-fold', '--output', '--target-gid', '--start', '--strict']) assert.ok(r.stdout.includes(flag), flag);
    assert.match(r.stdout, /Exit status: 0 done, also when no connection needed the see-thru/);
  });
});
