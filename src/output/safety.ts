/**
 * Log content is hostile: what workloads send ends up in dhost, paths and user agents. These
 * helpers make it safe to show (terminal escapes) and to open (spreadsheet formulas).
 */

/** C0 controls except tab and newline, DEL, C1 controls, and bidirectional overrides. */
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Shows control characters and bidi overrides as visible escapes (`\x1b`, `\u202e`). */
export function escapeControls(s: string, keepNewlines = false): string {
  return s.replace(UNSAFE, (c) => {
    if (keepNewlines && c === '\n') return c;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** OWASP CSV injection: a cell starting with = + - @ tab or CR is prefixed with a quote. */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/**
 * JSON text with the characters JSON.stringify leaves raw (DEL, C1 controls, bidi overrides)
 * written as \u escapes: still the same JSON, but safe on a terminal.
 */
export function escapeJsonText(json: string): string {
  return json.replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
