/**
 * Every haystack recipe (the log reference's patterns and queries and the rest), written into
 * Terraform, Terraform JSON and CloudFormation YAML and JSON by encoders here, lints without an
 * error, and lint reads back exactly the recipe's text: real patterns through every escape path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { lintText, RECIPES } from '../../src/index.js';
import { fillRecipe } from '../../src/recipes/run.js';

const filled = RECIPES.map((r) => {
  const params = new Map<string, string>();
  for (const p of r.params) if (p.default === undefined) params.set(p.name, String('example' in p && p.example !== undefined ? p.example : 1));
  return { name: r.name, kind: r.kind, text: fillRecipe(r, params).text };
});

/** HCL quoted-string escaping (HCL native syntax: template literals). */
const hcl = (s: string): string => `"${s.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n').replace(/([$%])\{/g, '$1$1{')}"`;
/** Terraform JSON strings are templates too. */
const tfJson = (s: string): string => s.replace(/([$%])\{/g, '$1$1{');
const resourceName = (n: string): string => n.replace(/[^A-Za-z0-9_]/g, '_');

test('recipes: all of them, in every file syntax, lint clean and read back unchanged', async () => {
  assert.ok(filled.length >= 6);
  const tf = filled
    .map((r) => r.kind === 'filter'
      ? `resource "aws_cloudwatch_log_metric_filter" "${resourceName(r.name)}" {\n  pattern = ${hcl(r.text)}\n}\n`
      : `resource "aws_cloudwatch_query_definition" "${resourceName(r.name)}" {\n  query_string = ${hcl(r.text)}\n}\n`)
    .join('\n');
  const tfj = JSON.stringify({
    resource: {
      aws_cloudwatch_log_metric_filter: Object.fromEntries(filled.filter((r) => r.kind === 'filter').map((r) => [resourceName(r.name), { pattern: tfJson(r.text) }])),
      aws_cloudwatch_query_definition: Object.fromEntries(filled.filter((r) => r.kind === 'query').map((r) => [resourceName(r.name), { query_string: tfJson(r.text) }])),
    },
  }, null, 2);
  const cfn = {
    Resources: Object.fromEntries(filled.map((r) => [resourceName(r.name).replace(/_/g, ''), r.kind === 'filter'
      ? { Type: 'AWS::Logs::MetricFilter', Properties: { FilterPattern: r.text } }
      : { Type: 'AWS::Logs::QueryDefinition', Properties: { QueryString: r.text } }])),
  };
  const files: [string, string, 'terraform' | 'terraform-json' | 'cloudformation-yaml' | 'cloudformation-json'][] = [
    ['main.tf', tf, 'terraform'],
    ['main.tf.json', tfj, 'terraform-json'],
    ['template.yaml', stringify(cfn), 'cloudformation-yaml'],
    ['template.json', JSON.stringify(cfn, null, 2), 'cloudformation-json'],
  ];
  for (const [file, source, kind] of files) {
    const report = await lintText(file, source, kind);
    assert.deepEqual(report.diagnostics.filter((d) => d.severity === 'error'), [], file);
    assert.deepEqual(report.values.map((v) => v.text).sort(), filled.map((r) => r.text).sort(), file);
  }
});
