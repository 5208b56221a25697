/**
 * Terraform (`.tf`): the patterns and queries of the resources that hold them (issue 11):
 * metric filters' `pattern`, subscription filters' `filter_pattern`, query definitions'
 * `query_string`, and the log widgets of `aws_cloudwatch_dashboard.dashboard_body` when the
 * body is a string, a heredoc, or `jsonencode` of a literal object.
 */
import { LintCode } from './codes.js';
import { type DocumentView, jsonDashboard, notLiteral, widgetQueries } from './dashboard.js';
import { decodeString, firstError, type HclNode, parseHcl } from './hcl.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { Extraction, LintDiagnostic, LintTarget, TargetKind } from './target.js';

type ValueKind = TargetKind | 'dashboard';

/** Resource type -> the attribute that holds a pattern, a query or a dashboard body. */
export const TERRAFORM_ATTRIBUTES: ReadonlyMap<string, { readonly attribute: string; readonly kind: ValueKind }> = new Map([
  ['aws_cloudwatch_log_metric_filter', { attribute: 'pattern', kind: 'pattern' }],
  ['aws_cloudwatch_log_subscription_filter', { attribute: 'filter_pattern', kind: 'pattern' }],
  ['aws_cloudwatch_query_definition', { attribute: 'query_string', kind: 'query' }],
  ['aws_cloudwatch_dashboard', { attribute: 'dashboard_body', kind: 'dashboard' }],
]);

export async function terraformTargets(source: string): Promise<Extraction> {
  const tree = await parseHcl(source);
  const targets: LintTarget[] = [];
  const diagnostics: LintDiagnostic[] = [];
  const root = tree.rootNode;
  const broken = firstError(root);
  if (broken) diagnostics.push(unparseable(broken, source));
  const body = root.namedChildren.find((n) => n?.type === 'body');
  for (const block of body?.namedChildren ?? []) {
    if (block?.type !== 'block' || block.hasError) continue;
    const labels = block.namedChildren.filter((n): n is HclNode => n?.type === 'string_lit').map((n) => n.text.slice(1, -1));
    if (block.namedChild(0)?.text !== 'resource' || labels.length !== 2) continue;
    const spec = TERRAFORM_ATTRIBUTES.get(labels[0]!);
    if (!spec) continue;
    const expr = attribute(block, spec.attribute);
    if (!expr) continue;
    const where = `${labels[0]}.${labels[1]}.${spec.attribute}`;
    const value = decodeString(expr, source);
    if (spec.kind !== 'dashboard') {
      if (value) targets.push({ kind: spec.kind, where, value });
      else diagnostics.push(notLiteral(where, spanOf(expr)));
      continue;
    }
    const found = value ? jsonDashboard(value, where) : encodedDashboard(expr, source, where);
    targets.push(...found.targets);
    diagnostics.push(...found.diagnostics);
  }
  tree.delete();
  return { targets, diagnostics };
}

function unparseable(at: HclNode, source: string): LintDiagnostic {
  // An unclosed string runs on to the end of the file: point at where it opens.
  const unclosed = at.isMissing && at.type === 'quoted_template_end' && at.parent !== null;
  const where = unclosed ? at.parent!.startIndex : at.startIndex;
  const lineEnd = source.indexOf('\n', where);
  const what = unclosed ? 'this string is not closed' : at.isMissing ? `a ${at.type} is missing` : `unexpected ${JSON.stringify(source.slice(at.startIndex, Math.min(at.endIndex, at.startIndex + 20)))}`;
  return {
    code: LintCode.Unparseable,
    severity: 'error',
    message: `this is not valid Terraform: ${what}`,
    span: { start: where, end: Math.max(where + 1, unclosed ? where + 1 : Math.min(at.endIndex, lineEnd === -1 ? source.length : lineEnd)) },
    hint: 'terraform validate shows the parser\'s own message; blocks with errors are not linted',
  };
}

function spanOf(n: HclNode): Span {
  return { start: n.startIndex, end: n.endIndex };
}

/** The expression of a block's attribute. */
function attribute(block: HclNode, name: string): HclNode | undefined {
  const body = block.namedChildren.find((n) => n?.type === 'body');
  for (const a of body?.namedChildren ?? []) {
    if (a?.type === 'attribute' && a.namedChild(0)?.text === name) return a.namedChildren.find((n) => n?.type === 'expression') ?? undefined;
  }
  return undefined;
}

/** `jsonencode({...})` of a literal object; anything else is an expression not checked. */
function encodedDashboard(expr: HclNode, source: string, where: string): Extraction {
  const call = expr.namedChild(0);
  const arg = call?.type === 'function_call' && call.namedChild(0)?.text === 'jsonencode' ? call.namedChildren.find((n) => n?.type === 'function_arguments')?.namedChild(0) : null;
  if (!arg || collection(arg, 'object') === null) return { targets: [], diagnostics: [notLiteral(where, spanOf(expr))] };
  const view: DocumentView<HclNode> = {
    member(node, name) {
      const obj = collection(node, 'object');
      for (const el of obj?.namedChildren ?? []) {
        if (el?.type !== 'object_elem') continue;
        const key = el.childForFieldName('key');
        const keyText = key ? keyName(key, source) : null;
        if (keyText === name) return el.childForFieldName('val') ?? undefined;
      }
      return undefined;
    },
    elements(node) {
      const tuple = collection(node, 'tuple');
      return (tuple?.namedChildren ?? []).filter((n): n is HclNode => n?.type === 'expression');
    },
    string(node) {
      const value = decodeString(node, source);
      if (value) return value;
      return node.namedChild(0)?.type === 'literal_value' || node.namedChild(0)?.type === 'collection_value' ? null : spanOf(node);
    },
  };
  return widgetQueries(arg, view, where);
}

/** expression > collection_value > object|tuple */
function collection(expr: HclNode, type: 'object' | 'tuple'): HclNode | null {
  const cv = expr.type === 'expression' ? expr.namedChild(0) : expr;
  const inner = cv?.type === 'collection_value' ? cv.namedChild(0) : null;
  return inner?.type === type ? inner : null;
}

/** An object key: a bare name or a literal string. */
function keyName(key: HclNode, source: string): string | null {
  const inner = key.namedChild(0);
  if (inner?.type === 'variable_expr' && inner.namedChildCount === 1) return inner.text;
  const s = decodeString(key, source);
  return s && s.holes.length === 0 ? s.text : null;
}
