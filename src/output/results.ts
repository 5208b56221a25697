/**
 * Renderers for query results (fields + rows): a table that fits the terminal, JSON that
 * keeps numbers as numbers, NDJSON, CSV and Markdown. Column order is the query's.
 */
import { stringify } from 'csv-stringify/sync';
import stringWidth from 'string-width';
import { escapeControls, escapeJsonText, neutraliseFormula } from './safety.js';

export type Cell = string | number | null;
import type { ResultFormat } from './result-formats.js';
export { RESULT_FORMATS, type ResultFormat } from './result-formats.js';

export interface RenderOptions {
  /** Terminal width for tables; undefined: no limit. */
  readonly width?: number;
  /** Show control characters as escapes (always on for tables on a terminal). */
  readonly escape?: boolean;
  /** Do not neutralise spreadsheet formulas in CSV and Markdown. */
  readonly rawCsv?: boolean;
}

function text(c: Cell): string {
  return c === null ? '' : typeof c === 'number' ? String(c) : c;
}

export function renderResult(fields: readonly string[], rows: readonly Cell[][], format: ResultFormat, o: RenderOptions = {}): string {
  const esc = (s: string): string => (o.escape ? escapeControls(s) : s);
  switch (format) {
    case 'json': {
      const json = JSON.stringify(rows.map((r) => rowObject(fields, r)), null, 2) + '\n';
      return o.escape ? escapeJsonText(json) : json;
    }
    case 'ndjson': {
      const text = rows.map((r) => JSON.stringify(rowObject(fields, r)) + '\n').join('');
      return o.escape ? escapeJsonText(text) : text;
    }
    case 'csv': {
      const cell = (c: Cell): string => {
        const t = esc(text(c));
        return o.rawCsv || typeof c === 'number' ? t : neutraliseFormula(t);
      };
      return stringify([fields.map((f) => cell(f)), ...rows.map((r) => r.map(cell))]);
    }
    case 'markdown': {
      const cell = (c: Cell): string => {
        let t = escapeControls(text(c)).replace(/\|/g, '\\|');
        if (!o.rawCsv && typeof c !== 'number') t = neutraliseFormula(t);
        return t;
      };
      const head = `| ${fields.map((f) => cell(f)).join(' | ')} |`;
      const rule = `| ${fields.map(() => '---').join(' | ')} |`;
      return [head, rule, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
    }
    case 'table':
      return table(fields, rows, o);
  }
}

function rowObject(fields: readonly string[], r: readonly Cell[]): Record<string, Cell> {
  const o: Record<string, Cell> = Object.create(null) as Record<string, Cell>;
  fields.forEach((f, i) => {
    o[f] = r[i] ?? null;
  });
  return o;
}

/** Cuts a string to `w` terminal cells, marking the cut with an ellipsis. */
function fit(s: string, w: number): string {
  if (stringWidth(s) <= w) return s;
  let out = '';
  for (const ch of s) {
    if (stringWidth(out + ch) > w - 1) break;
    out += ch;
  }
  return out + '…';
}

function table(fields: readonly string[], rows: readonly Cell[][], o: RenderOptions): string {
  // Table cells are always shown escaped: a newline or escape sequence would break the grid.
  const cells = [fields.map((f) => escapeControls(f)), ...rows.map((r) => r.map((c) => escapeControls(text(c))))];
  const widths = fields.map((_, i) => Math.max(...cells.map((r) => stringWidth(r[i] ?? ''))));
  const numeric = fields.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  if (o.width !== undefined) {
    // Shrink the widest columns until the table fits (3 cells of padding per column).
    const budget = Math.max(fields.length * 4, o.width - (fields.length * 3 + 1));
    while (widths.reduce((a, b) => a + b, 0) > budget) {
      const i = widths.indexOf(Math.max(...widths));
      if (widths[i]! <= 4) break;
      widths[i]!--;
    }
  }
  const line = (r: string[], isHead: boolean): string =>
    '│ ' +
    r
      .map((c, i) => {
        const t = fit(c, widths[i]!);
        const padLen = widths[i]! - stringWidth(t);
        return numeric[i] && !isHead ? ' '.repeat(padLen) + t : t + ' '.repeat(padLen);
      })
      .join(' │ ') +
    ' │';
  const rule = (l: string, m: string, r: string): string => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  return [rule('┌', '┬', '┐'), line(cells[0]!, true), rule('├', '┼', '┤'), ...cells.slice(1).map((r) => line(r, false)), rule('└', '┴', '┘')].join('\n') + '\n';
}
