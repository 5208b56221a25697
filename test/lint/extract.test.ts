/**
 * What lint finds in each kind of file, and what it leaves unchecked: interpolations,
 * template directives, expressions, intrinsic functions, dashboard bodies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FileKind, lintText } from '../../src/index.js';

async function found(source: string, kind: FileKind): Promise<{ values: string[]; codes: string[] }> {
  const r = await lintText('f', source, kind);
  return { values: r.values.map((v) => `${v.status} ${v.where}`), codes: r.diagnostics.map((d) => `${d.code} ${source.slice(d.span.start, d.span.end)}`) };
}

const tf = (type: string, attr: string, value: string): string => `resource "${type}" "r" {\n  ${attr} = ${value}\n}\n`;

test('Terraform: interpolation, directive and a literal $${ in patterns', async () => {
  const interp = await found(tf('aws_cloudwatch_log_metric_filter', 'pattern', '"{ $.a = \\"${local.v}\\" }"'), 'terraform');
  assert.deepEqual(interp.codes, ['HS5101 ${local.v}']);
  const directive = await found(tf('aws_cloudwatch_log_metric_filter', 'pattern', '"%{ if var.on }ERROR%{ endif }"'), 'terraform');
  assert.deepEqual(directive.values, ['not checked aws_cloudwatch_log_metric_filter.r.pattern']);
  assert.equal(directive.codes[0]?.slice(0, 6), 'HS5101');
  const literal = await found(tf('aws_cloudwatch_log_metric_filter', 'pattern', '"{ $.a = \\"$${x}\\" }"'), 'terraform');
  assert.deepEqual(literal, { values: ['ok aws_cloudwatch_log_metric_filter.r.pattern'], codes: [] });
  const heredoc = await found(tf('aws_cloudwatch_query_definition', 'query_string', '<<-EOT\n    filter dhost = "${var.host}"\n  EOT'), 'terraform');
  assert.deepEqual(heredoc.codes, ['HS5101 ${var.host}']);
});

test('Terraform: expressions and non-literal dashboards are not checked; other resources are not read', async () => {
  assert.deepEqual((await found(tf('aws_cloudwatch_log_metric_filter', 'pattern', 'local.p'), 'terraform')).codes, ['HS5102 local.p']);
  assert.deepEqual((await found(tf('aws_cloudwatch_dashboard', 'dashboard_body', 'jsonencode(local.d)'), 'terraform')).codes, ['HS5102 jsonencode(local.d)']);
  assert.deepEqual(await found(tf('aws_s3_bucket', 'pattern', '"{ broken"'), 'terraform'), { values: [], codes: [] });
  const body = 'jsonencode({ widgets = [{ type = "log", properties = { query = local.q } }] })';
  assert.deepEqual((await found(tf('aws_cloudwatch_dashboard', 'dashboard_body', body), 'terraform')).codes, ['HS5102 local.q']);
});

test('Terraform: a dashboard heredoc with an interpolation outside the queries is still checked', async () => {
  const body = '<<EOT\n{"widgets": [{"type": "log", "properties": {"region": "${var.region}", "query": "SOURCE \'g\' | filter x = 1 |"}}]}\nEOT';
  const r = await found(tf('aws_cloudwatch_dashboard', 'dashboard_body', body), 'terraform');
  assert.deepEqual(r.codes, ['HS2005 |']);
  const broken = await found(tf('aws_cloudwatch_dashboard', 'dashboard_body', '"{\\"widgets\\": [}"'), 'terraform');
  assert.equal(broken.codes[0]?.slice(0, 6), 'HS5003');
  const holed = await found(tf('aws_cloudwatch_dashboard', 'dashboard_body', '"{\\"widgets\\": ${local.w}}"'), 'terraform');
  assert.deepEqual(holed.codes, ['HS5101 ${local.w}']);
});

test('Terraform JSON: ${} is a template, $${ a literal', async () => {
  const src = (p: string): string => JSON.stringify({ resource: { aws_cloudwatch_log_metric_filter: { r: { pattern: p } } } });
  assert.deepEqual((await found(src('{ $.a = "${var.x}" }'), 'terraform-json')).codes, ['HS5101 ${var.x}']);
  assert.deepEqual(await found(src('{ $.a = "$${x}" }'), 'terraform-json'), { values: ['ok aws_cloudwatch_log_metric_filter.r.pattern'], codes: [] });
});

test('CloudFormation: !Sub ${!Literal}, Fn::Join, aliases, and plain ${ that is not a template', async () => {
  const yaml = (v: string): string => `Resources:\n  R:\n    Type: AWS::Logs::MetricFilter\n    Properties:\n      FilterPattern: ${v}\n`;
  assert.deepEqual(await found(yaml(`!Sub '{ $.a = "\${!X}" }'`), 'cloudformation-yaml'), { values: ['ok Resources.R.Properties.FilterPattern'], codes: [] });
  assert.deepEqual(await found(yaml(`'{ $.a = "\${X}" }'`), 'cloudformation-yaml'), { values: ['ok Resources.R.Properties.FilterPattern'], codes: [] });
  assert.deepEqual((await found(yaml(`!Sub ['{ $.a = "\${X}" }', { X: 1 }]`), 'cloudformation-yaml')).codes, ['HS5101 ${X}']);
  assert.deepEqual((await found(yaml(`{ 'Fn::Sub': '{ $.a = "\${X}" }' }`), 'cloudformation-yaml')).codes, ['HS5101 ${X}']);
  assert.deepEqual((await found(yaml('!Ref P'), 'cloudformation-yaml')).codes, ['HS5102 !Ref P']);
  const json = JSON.stringify({ Resources: { R: { Type: 'AWS::Logs::MetricFilter', Properties: { FilterPattern: { 'Fn::Join': ['', ['a', 'b']] } } } } });
  assert.equal((await found(json, 'cloudformation-json')).codes[0]?.slice(0, 6), 'HS5102');
});

test('queries: commands only CloudWatch runs are not checked, and the rest still is', async () => {
  const q = await found('filter x = 1\n| pattern @message\n| stats count(*) by', 'query');
  assert.deepEqual(q.codes.map((c) => c.slice(0, 6)), ['HS2201', 'HS2002']);
  const only = await lintText('f', 'filter x = 1 | diff', 'query');
  assert.deepEqual(only.diagnostics.map((d) => [d.code, d.severity]), [['HS2201', 'info']]);
  assert.equal(only.values[0]?.status, 'not checked');
});
