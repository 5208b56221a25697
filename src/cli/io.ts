/**
 * What every command shares: exit codes, rendering diagnostics and input errors to stderr.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { renderGithub, renderText, toJson } from '../diagnostics/render.js';
import { escapeControls } from '../output/safety.js';

/** STYLE.md: 0 success, 1 a gate found something, 2 bad usage or input, 3 scan issue under --strict. */
export const Exit = { Ok: 0, Found: 1, Usage: 2, ScanIssue: 3 } as const;

export type DiagnosticsFormat = 'text' | 'json' | 'github';

export function printDiagnostics(ds: readonly Diagnostic[], source: string, name: string, format: DiagnosticsFormat): void {
  if (format === 'json') {
    process.stderr.write(JSON.stringify(ds.map((d) => toJson(d, source))) + '\n');
    return;
  }
  for (const d of ds) process.stderr.write((format === 'github' ? renderGithub(d, source) : renderText(d, source, name)) + '\n\n');
}

/** Messages may quote file names or input: control characters are shown as escapes. */
export function printError(message: string, hint?: string): void {
  process.stderr.write(`error: ${escapeControls(message)}\n${hint ? `  = hint: ${escapeControls(hint)}\n` : ''}`);
}
