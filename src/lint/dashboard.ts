/**
 * CloudWatch dashboard bodies: the query of every `log` widget (`widgets[].properties.query`
 * where `type` is "log"). A body is read through a small view so the same walk serves a JSON
 * text (CloudFormation, a Terraform string or heredoc) and a Terraform `jsonencode({...})`.
 */
import { LintCode } from './codes.js';
import { elements, member, parseJson, decodeJsonString, type JsonNode } from './json.js';
import { compose, fileSpan, type MappedText } from './mapped-text.js';
import type { Extraction, LintDiagnostic, LintTarget } from './target.js';
import type { Span } from '../diagnostics/diagnostic.js';

/** How the walk reads a document. `string` is null for a non-string, a Span for an expression. */
export interface DocumentView<N> {
  member(node: N, name: string): N | undefined;
  elements(node: N): readonly N[];
  string(node: N): MappedText | Span | null;
}

export function widgetQueries<N>(root: N, view: DocumentView<N>, where: string): Extraction {
  const targets: LintTarget[] = [];
  const diagnostics: LintDiagnostic[] = [];
  const widgets = view.member(root, 'widgets');
  if (widgets === undefined) return { targets, diagnostics };
  view.elements(widgets).forEach((w, i) => {
    const type = view.member(w, 'type');
    const t = type === undefined ? null : view.string(type);
    if (t === null || !('text' in t) || t.text !== 'log') return;
    const q = view.member(w, 'properties');
    const query = q === undefined ? undefined : view.member(q, 'query');
    if (query === undefined) return;
    const value = view.string(query);
    const at = `${where} widgets[${i}].properties.query`;
    if (value === null) return;
    if ('text' in value) targets.push({ kind: 'query', where: at, value, widget: true });
    else diagnostics.push(notLiteral(at, value));
  });
  return { targets, diagnostics };
}

export function notLiteral(where: string, at: Span): LintDiagnostic {
  return {
    code: LintCode.NotLiteral,
    severity: 'info',
    message: `not checked: ${where} is an expression, not a literal string`,
    span: at,
    hint: 'haystack lint checks literal strings; check the value this expression produces with haystack filter or haystack query',
  };
}

/** A dashboard body given as JSON text (already decoded from its file's string). */
export function jsonDashboard(body: MappedText, where: string): Extraction {
  const { root, error } = parseJson(body.text);
  const hole = body.holes[0];
  if (error || root?.type !== 'object') {
    if (hole) {
      return {
        targets: [],
        diagnostics: [{
          code: LintCode.Interpolation,
          severity: 'info',
          message: `not checked: the dashboard body of ${where} is JSON only after ${body.text.slice(hole.start, hole.end)} is filled in at deploy time`,
          span: fileSpan(body, hole),
        }],
      };
    }
    const at = error ? error.span : { start: 0, end: 1 };
    return {
      targets: [],
      diagnostics: [{
        code: LintCode.DashboardNotJson,
        severity: 'error',
        message: `the dashboard body of ${where} is not a JSON object: ${error ? error.message : 'the top level is not {...}'}`,
        span: fileSpan(body, at),
        hint: 'CloudWatch rejects a dashboard body that is not a JSON object with a widgets array',
      }],
    };
  }
  const view: DocumentView<JsonNode> = {
    member,
    elements,
    string: (n) => (n.type === 'string' ? compose(decodeJsonString(n, body.text), body) : null),
  };
  return widgetQueries(root, view, where);
}
