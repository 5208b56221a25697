/**
 * Rendering a lint run: text for people (the CLI's caret rendering, at the file's own line),
 * JSON for scripts, GitHub workflow commands for pull-request annotations. SARIF is in sarif.ts.
 */
import { positionOf, renderGithub, renderText } from '../diagnostics/render.js';
import type { FileReport } from './lint.js';

export interface LintSummary {
  readonly files: number;
  readonly patterns: number;
  readonly queries: number;
  readonly errors: number;
  readonly warnings: number;
  readonly notChecked: number;
}

export function summarize(reports: readonly FileReport[]): LintSummary {
  let patterns = 0;
  let queries = 0;
  let errors = 0;
  let warnings = 0;
  let notChecked = 0;
  for (const r of reports) {
    for (const v of r.values) v.kind === 'pattern' ? patterns++ : queries++;
    for (const d of r.diagnostics) d.severity === 'error' ? errors++ : d.severity === 'warning' ? warnings++ : notChecked++;
  }
  return { files: reports.length, patterns, queries, errors, warnings, notChecked };
}

function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

export function summaryLine(s: LintSummary): string {
  return `haystack lint: ${plural(s.files, 'file')}, ${plural(s.patterns, 'pattern')}, ${plural(s.queries, 'query', 'queries')}: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.notChecked} not checked`;
}

export function renderLintText(reports: readonly FileReport[], explain: boolean): string {
  const out: string[] = [];
  for (const r of reports) {
    for (const d of r.diagnostics) out.push(`${renderText(d, r.source, r.file)}\n`);
    if (explain) {
      for (const v of r.values) {
        const { line, column } = positionOf(r.source, v.span.start);
        out.push(`${r.file}:${line}:${column}: ${v.where} (${v.kind}): ${v.explanation ?? v.status}\n`);
      }
    }
  }
  out.push(summaryLine(summarize(reports)));
  return `${out.join('\n')}\n`;
}

export function renderLintGithub(reports: readonly FileReport[]): string {
  const out: string[] = [];
  for (const r of reports) for (const d of r.diagnostics) out.push(renderGithub(d, r.source, r.file));
  out.push(summaryLine(summarize(reports)));
  return `${out.join('\n')}\n`;
}

export function renderLintJson(reports: readonly FileReport[]): string {
  const diagnostics = reports.flatMap((r) =>
    r.diagnostics.map((d) => {
      const start = positionOf(r.source, d.span.start);
      const end = positionOf(r.source, d.span.end);
      return {
        file: r.file,
        line: start.line,
        column: start.column,
        endLine: end.line,
        endColumn: end.column,
        code: d.code,
        severity: d.severity,
        message: d.message,
        ...(d.hint ? { hint: d.hint } : {}),
      };
    }),
  );
  const values = reports.flatMap((r) =>
    r.values.map((v) => {
      const { line, column } = positionOf(r.source, v.span.start);
      return { file: r.file, line, column, kind: v.kind, where: v.where, status: v.status, text: v.text, ...(v.explanation ? { explanation: v.explanation } : {}) };
    }),
  );
  return `${JSON.stringify({ summary: summarize(reports), diagnostics, values }, null, 2)}\n`;
}
