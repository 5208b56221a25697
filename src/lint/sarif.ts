/**
 * SARIF 2.1.0 (OASIS), the format code-scanning tools read (GitHub code scanning uploads it):
 * one run, one rule per diagnostic code met, one result per diagnostic. Columns are counted in
 * code points, as everywhere in haystack, and the run says so (`columnKind`).
 */
import { positionOf } from '../diagnostics/render.js';
import { LINT_CODE_TITLES } from './codes.js';
import type { FileReport } from './lint.js';
import type { LintSeverity } from './target.js';

const LEVELS: Readonly<Record<LintSeverity, 'error' | 'warning' | 'note'>> = { error: 'error', warning: 'warning', info: 'note' };

export function renderSarif(reports: readonly FileReport[], version: string): string {
  const rules = new Map<string, string>();
  const results = reports.flatMap((r) =>
    r.diagnostics.map((d) => {
      if (!rules.has(d.code)) rules.set(d.code, (LINT_CODE_TITLES as Record<string, string>)[d.code] ?? d.message);
      const start = positionOf(r.source, d.span.start);
      const end = positionOf(r.source, Math.max(d.span.end, d.span.start));
      return {
        ruleId: d.code,
        level: LEVELS[d.severity],
        message: { text: d.hint ? `${d.message} (hint: ${d.hint})` : d.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: encodeURI(r.file) },
            region: { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: Math.max(end.column, end.line === start.line ? start.column + 1 : 1) },
          },
        }],
      };
    }),
  );
  const ruleList = [...rules].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, text]) => ({ id, shortDescription: { text } }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'haystack', version, rules: ruleList } },
      columnKind: 'unicodeCodePoints',
      results,
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
