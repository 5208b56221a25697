/**
 * Splitting a message into space-delimited fields (filter spec 5.2, D20).
 */
export interface SdMessageField {
  /** The field's value: quotes or brackets removed. */
  readonly value: string;
  /** Offset of the field's first character (its opening quote or bracket included). */
  readonly start: number;
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

export function splitFields(m: string): SdMessageField[] {
  const out: SdMessageField[] = [];
  const n = m.length;
  let i = 0;
  for (;;) {
    while (i < n && isWs(m.charCodeAt(i))) i++;
    if (i >= n) return out;
    const start = i;
    const c = m.charCodeAt(i);
    if (c === 34 || c === 91) {
      // A field that starts with " or [ runs to the matching " or ]; unclosed: to the end.
      const close = m.indexOf(c === 34 ? '"' : ']', i + 1);
      if (close === -1) {
        out.push({ value: m.slice(i + 1), start });
        return out;
      }
      out.push({ value: m.slice(i + 1, close), start });
      i = close + 1; // text right after the closing character starts the next field (D20)
    } else {
      while (i < n && !isWs(m.charCodeAt(i))) i++;
      out.push({ value: m.slice(start, i), start });
    }
  }
}

export function trimEndWs(s: string): string {
  let e = s.length;
  while (e > 0 && isWs(s.charCodeAt(e - 1))) e--;
  return s.slice(0, e);
}
