// A dashboard log widget names its log group in `SOURCE '...' |`, in practice by interpolation
// (`${aws_cloudwatch_log_group.g.name}`, CloudFormation `${G}`): that must not make lint skip
// the query after it (found in review: a broken filter there was reported only as not checked).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintText } from '../../src/lint/lint.js';

const widget = (query: string): string =>
  `resource "aws_cloudwatch_dashboard" "d" {\n  dashboard_name = "x"\n  dashboard_body = jsonencode({ widgets = [{ type = "log", properties = { query = "${query}" } }] })\n}\n`;

test('an interpolated SOURCE does not hide the query after it', async () => {
  const source = widget("SOURCE '${aws_cloudwatch_log_group.g.name}' | filter x = ");
  const report = await lintText('main.tf', source, 'terraform');
  assert.ok(report);
  const codes = report.diagnostics.map((d) => d.code);
  assert.deepEqual(codes, ['HS2002']);
  // The caret is at the end of the query text in the file: just before its closing quote.
  assert.equal(report.diagnostics[0]!.span.start, source.indexOf('" } }]'));
});

test('an interpolation in the query itself is still reported as not checked', async () => {
  const source = widget("SOURCE 'DiscrimiNAT' | filter dhost = '${var.host}'");
  const report = await lintText('main.tf', source, 'terraform');
  assert.ok(report);
  assert.deepEqual(report.diagnostics.map((d) => [d.code, d.severity]), [['HS5101', 'info']]);
  assert.equal(report.diagnostics[0]!.span.start, source.indexOf('${var.host}'));
});
