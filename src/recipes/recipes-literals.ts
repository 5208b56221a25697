/**
 * How a recipe parameter's value is written into each language, so that no value can break
 * out of the literal it fills: filter-pattern strings (filter spec 2.1) and Logs Insights
 * strings (insights spec 2.5), and integers for both.
 */

/**
 * A double-quoted filter-pattern string. Only `"` and `\` need escaping (filter spec 2.1);
 * `*` at either end stays a wildcard (spec 4.6), as it would in CloudWatch.
 */
export function filterString(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * A double-quoted Logs Insights string (insights spec 2.5, D11): `\` and `"` escaped, and the
 * three control characters the language can spell, since a raw newline ends a string.
 */
export function insightsString(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\${c}`))}"`;
}

/** An integer in plain decimal, as both languages read a number literal. */
export function integerLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  return String(value);
}
