/**
 * The catalog of Logs Insights diagnostic codes (HS2xxx): HS20xx syntax, HS21xx semantic,
 * HS22xx unsupported (insights spec 9).
 */
export const InsightsCode = {
  Lexical: 'HS2001',
  Expected: 'HS2002',
  UnknownCommand: 'HS2003',
  EmptyQuery: 'HS2004',
  EmptyStage: 'HS2005',
  BadRegex: 'HS2006',
  Unexpected: 'HS2007',

  UnknownFunction: 'HS2101',
  Arity: 'HS2102',
  AggregateOutsideStats: 'HS2103',
  StatsWithoutAggregate: 'HS2104',
  NestedAggregate: 'HS2105',
  TooManyStats: 'HS2106',
  SecondStatsField: 'HS2107',
  SortBeforeStats: 'HS2108',
  AfterDedup: 'HS2109',
  GlobCount: 'HS2110',
  NoNamedGroup: 'HS2111',
  LimitRange: 'HS2112',
  DurationAsValue: 'HS2113',
  BadArgument: 'HS2114',
  BadListUse: 'HS2115',

  Unsupported: 'HS2201',
  /** A command that needs every event before it can answer, in a query run event by event (tail). */
  NotStreaming: 'HS2202',
} as const;

export type ErrorKind = 'syntax' | 'semantic' | 'unsupported';

export function kindOfCode(code: string): ErrorKind {
  return code.startsWith('HS20') ? 'syntax' : code.startsWith('HS21') ? 'semantic' : 'unsupported';
}

/** spec 3.7, 5.4 */
export const DEFAULT_ROW_LIMIT = 10_000;
export const MAX_LIMIT = 100_000;
/** spec 6.4 (D22) */
export const MAX_DISCOVERED_FIELDS = 200;
/** D17 */
export const DEFAULT_ACCOUNT_ID = '000000000000';
