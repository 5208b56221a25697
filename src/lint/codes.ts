/**
 * The catalog of lint diagnostic codes (HS5xxx): HS50xx a file cannot be read as
 * infrastructure code, HS51xx a value was found but not checked, HS52xx warnings about patterns
 * AWS accepts but that may not match what the author meant. The patterns' and queries' own
 * diagnostics keep their language codes (HS1xxx, HS15xx, HS2xxx); a query command only
 * CloudWatch runs keeps HS2201, as info (not checked) rather than an error.
 */
export const LintCode = {
  Unparseable: 'HS5001',
  Unreadable: 'HS5002',
  DashboardNotJson: 'HS5003',

  Interpolation: 'HS5101',
  NotLiteral: 'HS5102',

  NotEqualsAbsent: 'HS5201',
} as const;

export type LintCode = (typeof LintCode)[keyof typeof LintCode];

/** One line per code, for SARIF rule descriptions and the README. */
export const LINT_CODE_TITLES: Readonly<Record<LintCode, string>> = {
  HS5001: 'the infrastructure file cannot be parsed',
  HS5002: 'the file cannot be read',
  HS5003: 'a dashboard body is not a JSON object',
  HS5101: 'not checked: the value contains an interpolation known only at deploy time',
  HS5102: 'not checked: the value is an expression, not a literal',
  HS5201: '!= never matches an event in which the field is absent',
};
