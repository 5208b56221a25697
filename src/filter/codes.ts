/**
 * The catalog of filter-pattern diagnostic codes (HS1xxx). Codes are stable: tests, docs and
 * users' scripts refer to them. HS15xx (the regex subset) live in src/regex/.
 */
export const FilterCode = {
  TooLong: 'HS1001',
  UnterminatedString: 'HS1002',
  TrailingBackslash: 'HS1003',
  TextAfterPattern: 'HS1004',
  RegexWithTerms: 'HS1005',
  UnterminatedRegex: 'HS1006',

  NeedsQuotes: 'HS1101',
  DanglingPrefix: 'HS1102',
  DoubledPrefix: 'HS1103',
  AdjacentTerms: 'HS1104',
  NoWord: 'HS1105',
  SplitTerms: 'HS1106',

  MissingBrace: 'HS1201',
  EmptyJson: 'HS1202',
  ExpectedSelector: 'HS1203',
  BadSelector: 'HS1204',
  ExpectedOperator: 'HS1205',
  MissingValue: 'HS1206',
  BadUnquotedValue: 'HS1207',
  RelationalNeedsNumber: 'HS1208',
  BadIs: 'HS1209',
  BadNotExists: 'HS1210',
  ExpectedJoin: 'HS1211',
  UnbalancedParens: 'HS1212',
  SelectorWildcards: 'HS1213',
  PatternWildcards: 'HS1214',
  TooManyRegexes: 'HS1215',
  UnknownOperator: 'HS1217',

  UnclosedBracket: 'HS1301',
  EmptyField: 'HS1302',
  BadFieldName: 'HS1303',
  ClauseNameDiffers: 'HS1304',
  Parentheses: 'HS1305',
  BadEllipsis: 'HS1306',
  SecondEllipsis: 'HS1307',
  ExpectedFieldEnd: 'HS1308',
} as const;

export type FilterCode = (typeof FilterCode)[keyof typeof FilterCode];

/** AWS's length constraint on `filterPattern` (spec 1.2). */
export const MAX_PATTERN_CODE_POINTS = 1024;
/** AWS quotas (spec 4.3, 6.1). */
export const MAX_WILDCARDS_PER_SELECTOR = 1;
export const MAX_WILDCARDS_PER_PATTERN = 3;
export const MAX_REGEXES_PER_PATTERN = 2;
