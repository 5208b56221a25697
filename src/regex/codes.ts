/**
 * The catalog of regex diagnostic codes (HS15xx, inside the filter-pattern range HS1xxx).
 * Codes are stable: tests, docs and users' scripts refer to them. One code per rule.
 */
export const RegexCode = {
  /** spec 6.2: a character outside the allowed set (parentheses, `!`, quotes, tab, non-ASCII...). */
  CharNotAllowed: 'HS1501',
  /** D23: `%%`. */
  Empty: 'HS1502',
  /** D26: a quantifier with nothing to repeat (start of a branch, after an anchor). */
  NothingToRepeat: 'HS1503',
  /** D26: two quantifiers in a row (a lazy `?` excepted). */
  StackedQuantifier: 'HS1504',
  /** D26: `{...}` that is not `{m}`, `{m,}`, `{,n}` or `{m,n}`. */
  BadBound: 'HS1505',
  /** D26: `{` with no `}` after it. */
  UnclosedBound: 'HS1506',
  /** spec 6.3: `{m,n}` with m > n. */
  ReversedBound: 'HS1507',
  /** Engine limit: RE2 runs repeat counts up to 1000 only. */
  BoundTooLarge: 'HS1508',
  /** D27: `\` + a letter or digit other than d D s S w W x. */
  UnknownEscape: 'HS1509',
  /** D27: `\x` not followed by two hex digits. */
  BadHexEscape: 'HS1510',
  /** D35d: `\xhh` above 7F. */
  HexNotAscii: 'HS1511',
  /** D35e: a lone backslash at the end of the regex. */
  TrailingBackslash: 'HS1512',
  /** spec 6.3: `[` with no closing `]`. */
  UnclosedClass: 'HS1513',
  /** D28: `[z-a]`. */
  ReversedRange: 'HS1514',
  /** D28 (settled here): a range with `\d \s \w` (or upper case) as an end, `[a-\d]`. */
  ClassEscapeInRange: 'HS1515',
} as const;

export type RegexCode = (typeof RegexCode)[keyof typeof RegexCode];

/** RE2 rejects repeat counts above this ("invalid repeat count"). */
export const MAX_REPEAT = 1000;
