/**
 * Renderers for diagnostics: text with a caret under the source, JSON, and GitHub workflow
 * annotations. The text form follows the compiler convention:
 *
 *   error HS1203: a relational operator needs a number on its right
 *     --> pattern:1:18
 *      |
 *    1 | { $.status > "x" }
 *      |              ^^^
 *      = hint: compare strings with = or !=
 */
import type { Diagnostic, Severity } from './diagnostic.js';

/** Any diagnostic-shaped value; `info` (a finding that fails nothing) renders as a GitHub notice. */
export type RenderableDiagnostic = Omit<Diagnostic, 'severity'> & { readonly severity: Severity | 'info' };

export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, counted in code points. */
  readonly column: number;
}

/** Line and column (code points) of a UTF-16 offset in `source`. */
export function positionOf(source: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  const limit = Math.min(offset, source.length);
  for (let i = 0; i < limit; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: codePointLength(source.slice(lineStart, limit)) + 1 };
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Control characters would corrupt the caret line and the terminal: show them as escapes. */
function visible(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  }).replace(/\t/g, ' ');
}

export function renderText(d: RenderableDiagnostic, source: string, name = 'pattern'): string {
  const pos = positionOf(source, d.span.start);
  const lines = source.split('\n');
  const lineText = lines[pos.line - 1] ?? '';
  const gutter = String(pos.line).length;
  const pad = ' '.repeat(gutter);
  const before = visible(lineText.slice(0, lineOffset(source, pos.line, d.span.start)));
  const endInLine = Math.min(d.span.end, lineEndOffset(source, pos.line));
  const marked = visible(source.slice(d.span.start, Math.max(d.span.start, endInLine)));
  const caretWidth = Math.max(1, codePointLength(marked));
  const out = [
    `${d.severity} ${d.code}: ${d.message}`,
    `${pad}--> ${name}:${pos.line}:${pos.column}`,
    `${pad} |`,
    `${pos.line} | ${visible(lineText)}`,
    `${pad} | ${' '.repeat(codePointLength(before))}${'^'.repeat(caretWidth)}`,
  ];
  if (d.hint) out.push(`${pad} = hint: ${d.hint}`);
  return out.join('\n');
}

function lineOffset(source: string, line: number, offset: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) start = source.indexOf('\n', start) + 1;
  return offset - start;
}

function lineEndOffset(source: string, line: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) start = source.indexOf('\n', start) + 1;
  const end = source.indexOf('\n', start);
  return end === -1 ? source.length : end;
}

export function renderAllText(ds: readonly Diagnostic[], source: string, name = 'pattern'): string {
  return ds.map((d) => renderText(d, source, name)).join('\n\n');
}

export interface JsonDiagnostic extends Diagnostic {
  readonly line: number;
  readonly column: number;
}

export function toJson(d: Diagnostic, source: string): JsonDiagnostic {
  return { ...d, ...positionOf(source, d.span.start) };
}

/** GitHub Actions workflow command; `file` is where the pattern came from, when known. */
export function renderGithub(d: RenderableDiagnostic, source: string, file?: string): string {
  const pos = positionOf(source, d.span.start);
  const kind = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
  const where = file ? `file=${escapeProperty(file)},line=${pos.line},col=${pos.column},` : '';
  const text = d.hint ? `${d.code}: ${d.message} (hint: ${d.hint})` : `${d.code}: ${d.message}`;
  return `::${kind} ${where}title=${d.code}::${escapeData(text)}`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
