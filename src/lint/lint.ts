/**
 * The checker: compiles each pattern and query found with haystack's own front ends and
 * places every diagnostic in the file it came from.
 */
import { readFile } from 'node:fs/promises';
import type { Span } from '../diagnostics/diagnostic.js';
import { compileFilterPattern, FilterPatternError } from '../filter/index.js';
import { compileQuery, QueryError } from '../insights/index.js';
import { InsightsCode } from '../insights/codes.js';
import { Lexer, LexError } from '../insights/lexer.js';
import { cloudFormationJsonTargets, cloudFormationYamlTargets, mentionsCloudFormation } from './cloudformation.js';
import { LintCode } from './codes.js';
import { explainPattern, explainQuery } from './explain.js';
import { fileSpan, type MappedText, slice, verbatim } from './mapped-text.js';
import { patternWarnings } from './pattern-rules.js';
import type { Extraction, LintDiagnostic, LintTarget, TargetKind } from './target.js';
import { terraformJsonTargets } from './terraform-json.js';
import { terraformTargets } from './terraform.js';

/** One pattern or query found, and what became of it. */
export interface CheckedValue {
  readonly kind: TargetKind;
  readonly where: string;
  /** The value's place in the file. */
  readonly span: Span;
  readonly text: string;
  readonly status: 'ok' | 'invalid' | 'not checked';
  /** With --explain: what it matches, in words. */
  readonly explanation?: string;
}

export interface FileReport {
  /** As given or found, relative to the working directory. */
  readonly file: string;
  readonly source: string;
  /** Spans in `source`, ordered by place. */
  readonly diagnostics: readonly LintDiagnostic[];
  readonly values: readonly CheckedValue[];
}

export type FileKind = 'terraform' | 'terraform-json' | 'cloudformation-yaml' | 'cloudformation-json' | 'pattern' | 'query';

export interface LintOptions {
  readonly explain?: boolean;
}

/** What a file holds, by its name; null for files lint does not read. */
export function fileKindOf(path: string): FileKind | null {
  const p = path.toLowerCase();
  if (p.endsWith('.tf')) return 'terraform';
  if (p.endsWith('.tf.json')) return 'terraform-json';
  if (p.endsWith('.yaml') || p.endsWith('.yml')) return 'cloudformation-yaml';
  if (p.endsWith('.json')) return 'cloudformation-json';
  if (p.endsWith('.template')) return 'cloudformation-yaml';
  return null;
}

export async function lintFile(file: string, path: string, kind: FileKind, options: LintOptions = {}): Promise<FileReport | null> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (e) {
    const d: LintDiagnostic = { code: LintCode.Unreadable, severity: 'error', message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, span: { start: 0, end: 0 } };
    return { file, source: '', diagnostics: [d], values: [] };
  }
  if ((kind === 'cloudformation-yaml' || kind === 'cloudformation-json') && !mentionsCloudFormation(source)) return null;
  return lintText(file, source, kind, options);
}

export async function lintText(file: string, source: string, kind: FileKind, options: LintOptions = {}): Promise<FileReport> {
  const found = await extract(source, kind);
  const diagnostics = [...found.diagnostics];
  const values: CheckedValue[] = [];
  for (const t of found.targets) {
    const checked = checkTarget(t, options);
    diagnostics.push(...checked.diagnostics);
    values.push(checked.value);
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  values.sort((a, b) => a.span.start - b.span.start);
  return { file, source, diagnostics, values };
}

async function extract(source: string, kind: FileKind): Promise<Extraction> {
  switch (kind) {
    case 'terraform':
      return terraformTargets(source);
    case 'terraform-json':
      return terraformJsonTargets(source);
    case 'cloudformation-yaml':
      return /^\s*\{/.test(source) ? cloudFormationJsonTargets(source) : cloudFormationYamlTargets(source);
    case 'cloudformation-json':
      return cloudFormationJsonTargets(source);
    case 'pattern':
    case 'query': {
      // A plain file holds one value; its final line break is not part of it.
      const text = source.endsWith('\r\n') ? source.slice(0, -2) : source.endsWith('\n') ? source.slice(0, -1) : source;
      return { targets: [{ kind, where: kind, value: verbatim(text, 0) }], diagnostics: [] };
    }
  }
}

function checkTarget(t: LintTarget, options: LintOptions): { diagnostics: LintDiagnostic[]; value: CheckedValue } {
  const base = { kind: t.kind, where: t.where, span: fileSpan(t.value, { start: 0, end: t.value.text.length }), text: t.value.text };
  // A dashboard widget's `SOURCE '${...}' |` names the log group, usually by interpolation:
  // that part is not the query, so holes are looked for only in what follows it.
  const value = t.kind === 'query' && t.widget ? withoutSource(t.value) : t.value;
  const hole = value.holes[0];
  if (hole) {
    const part = value.text.slice(hole.start, hole.end);
    return {
      diagnostics: [{
        code: LintCode.Interpolation,
        severity: 'info',
        message: `not checked: the ${t.kind} of ${t.where} contains ${part}, which is filled in at deploy time`,
        span: fileSpan(value, hole),
        hint: `check the deployed ${t.kind} with haystack ${t.kind === 'pattern' ? 'filter' : 'query'}, or keep the ${t.kind} a literal`,
      }],
      value: { ...base, status: 'not checked' },
    };
  }
  return t.kind === 'pattern' ? checkPattern(value, base, options) : checkQuery(value, base, options);
}

function checkPattern(value: MappedText, base: Omit<CheckedValue, 'status'>, options: LintOptions): { diagnostics: LintDiagnostic[]; value: CheckedValue } {
  const place = (d: LintDiagnostic): LintDiagnostic => ({ ...d, span: fileSpan(value, d.span) });
  try {
    const compiled = compileFilterPattern(value.text);
    const ds = [...compiled.diagnostics, ...patternWarnings(compiled.ast, value.text)].map(place);
    return { diagnostics: ds, value: { ...base, status: 'ok', ...(options.explain ? { explanation: explainPattern(compiled.ast) } : {}) } };
  } catch (e) {
    if (!(e instanceof FilterPatternError)) throw e;
    return { diagnostics: e.diagnostics.map(place), value: { ...base, status: 'invalid' } };
  }
}

function checkQuery(value: MappedText, base: Omit<CheckedValue, 'status'>, options: LintOptions): { diagnostics: LintDiagnostic[]; value: CheckedValue } {
  try {
    const compiled = compileQuery(value.text);
    return { diagnostics: [], value: { ...base, status: 'ok', ...(options.explain ? { explanation: explainQuery(compiled.ast) } : {}) } };
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    const ds = e.diagnostics.map((d): LintDiagnostic => {
      const span = fileSpan(value, d.span);
      // AWS runs these commands; haystack cannot, so they are not checked rather than wrong.
      if (d.code === InsightsCode.Unsupported) return { ...d, severity: 'info', message: `not checked: ${d.message}`, span };
      return { ...d, span };
    });
    const invalid = ds.some((d) => d.severity === 'error');
    return { diagnostics: ds, value: { ...base, status: invalid ? 'invalid' : 'not checked' } };
  }
}

/**
 * A dashboard log widget's query starts with `SOURCE 'group' |` (one per log group, or
 * `SOURCE logGroups(...)`): the groups to read, which haystack does not check. The rest is an
 * ordinary query and is checked in place.
 */
export function withoutSource(q: MappedText): MappedText {
  const lexer = new Lexer(q.text);
  let start = 0;
  try {
    let t = lexer.next();
    while (t.kind === 'ident' && t.text.toLowerCase() === 'source') {
      do t = lexer.next();
      while (t.kind !== 'pipe' && t.kind !== 'eof');
      if (t.kind === 'eof') return q;
      start = t.span.end;
      t = lexer.next();
    }
  } catch (e) {
    if (!(e instanceof LexError)) throw e;
  }
  return start === 0 ? q : slice(q, start);
}
