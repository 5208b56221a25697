/** The result formats of query-like commands (kept apart so parsing flags loads no renderer). */
export const RESULT_FORMATS = ['table', 'json', 'ndjson', 'csv', 'markdown'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];
