/**
 * The decoded values lint checks equal what independent parsers read from the same files:
 * HashiCorp's HCL parser (@cdktf/hcl2json) for Terraform (escapes, heredocs, <<- indentation),
 * JSON.parse for JSON files, and the values themselves for hand-written YAML cases.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lintText } from '../../src/lint/lint.js';
import { parseHcl } from '../support/hcl.js';
import { repoRoot } from '../paths.js';

const fixture = (p: string): string => readFileSync(join(repoRoot, 'test', 'fixtures', 'lint', p), 'utf8');

type HclJson = { resource: Record<string, Record<string, Record<string, unknown>[]>> };

test('lint decode: Terraform values equal what HashiCorp\'s HCL parser reads', async () => {
  const source = fixture('terraform/main.tf');
  const hcl = (await parseHcl(source)) as unknown as HclJson;
  const report = await lintText('main.tf', source, 'terraform');
  let compared = 0;
  for (const v of report.values) {
    const [type, name, attribute] = v.where.split(' ')[0]!.split('.');
    if (type === 'aws_cloudwatch_dashboard') continue; // jsonencode: compared below
    const expected = hcl.resource[type!]![name!]![0]![attribute!];
    if (typeof expected !== 'string' || expected.includes('${')) continue; // interpolations are holes
    assert.equal(v.text, expected, v.where);
    compared++;
  }
  assert.ok(compared >= 6, `only ${compared} values compared`);
  // `$${` reads as a literal `${` in both.
  assert.ok(report.values.some((v) => v.text.includes('"${not interpolated}"')));
});

test('lint decode: heredocs, <<- indentation and escapes against HCL', async () => {
  const source = [
    'resource "aws_cloudwatch_query_definition" "a" {',
    '  query_string = <<-EOT',
    '      fields @timestamp',
    '    | filter x = "\\n"',
    '',
    '        | limit 5',
    '    EOT',
    '}',
    'resource "aws_cloudwatch_log_metric_filter" "b" {',
    '  pattern = "{ $.a = \\"tab\\there\\" && $.b = \\"\\u00e9\\U0001F600\\\\\\" }"',
    '}',
    'resource "aws_cloudwatch_log_metric_filter" "c" {',
    '  pattern = <<EOT',
    '  { $.a = "%%{x} $${y}" }',
    'EOT',
    '}',
    '',
  ].join('\n');
  const hcl = (await parseHcl(source)) as unknown as HclJson;
  const report = await lintText('t.tf', source, 'terraform');
  const byWhere = new Map(report.values.map((v) => [v.where, v.text]));
  assert.equal(byWhere.get('aws_cloudwatch_query_definition.a.query_string'), hcl.resource['aws_cloudwatch_query_definition']!['a']![0]!['query_string']);
  assert.equal(byWhere.get('aws_cloudwatch_log_metric_filter.b.pattern'), hcl.resource['aws_cloudwatch_log_metric_filter']!['b']![0]!['pattern']);
  // hcl2json re-escapes template sequences in its output; the value itself is `%{x} ${y}`.
  assert.equal(byWhere.get('aws_cloudwatch_log_metric_filter.c.pattern'), '  { $.a = "%{x} ${y}" }\n');
});

test('lint decode: JSON values equal JSON.parse', async () => {
  for (const [file, kind] of [['terraform-json/main.tf.json', 'terraform-json'], ['cloudformation-json/template.json', 'cloudformation-json']] as const) {
    const source = fixture(file);
    const parsed = JSON.parse(source) as Record<string, unknown>;
    const report = await lintText(file, source, kind);
    for (const v of report.values) {
      if (v.where.includes('widgets') || v.status === 'not checked') continue;
      const path = v.where.split('.');
      let node: unknown = kind === 'terraform-json' ? (parsed['resource'] as Record<string, unknown>) : parsed;
      for (const p of path) node = (node as Record<string, unknown>)[p];
      assert.equal(v.text, node, v.where);
    }
  }
});

test('lint decode: YAML flow and block scalars', async () => {
  const cases: [string, string][] = [
    ['"{ $.a = \\"x\\" &&\n        $.b = \\u0041 }"', '{ $.a = "x" && $.b = A }'],
    ["'{ $.a = ''x'' }'", "{ $.a = 'x' }"],
    ['|\n        fields a\n          | filter b\n\n        | limit 3\n', 'fields a\n  | filter b\n\n| limit 3\n'],
    ['>-\n        [a,\n        b]\n', '[a, b]'],
    ['|+\n        x\n\n', 'x\n\n'],
  ];
  for (const [yaml, value] of cases) {
    const source = `Resources:\n  A:\n    Type: AWS::Logs::MetricFilter\n    Properties:\n      FilterPattern: ${yaml}`;
    const report = await lintText('t.yaml', source, 'cloudformation-yaml');
    assert.equal(report.values[0]?.text, value, yaml);
  }
});
