/**
 * What the web console and its server say to each other: request and response shapes only (no
 * code), imported by both sides (the browser code with `import type`).
 */

export type Language = 'filter' | 'query';

export interface UiDiagnostic {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly hint: string | null;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
  /** As the CLI prints it: the message, the source line and a caret under the span. */
  readonly text: string;
}

export interface CheckResponse {
  readonly ok: boolean;
  readonly diagnostics: readonly UiDiagnostic[];
}

export interface Example {
  readonly name: string;
  readonly language: Language;
  readonly text: string;
  readonly description: string;
}

export interface InfoResponse {
  readonly inputs: readonly string[];
  /** The estate file replay decides against, when `haystack ui --estate` gave one. */
  readonly estate: string | null;
  /** Groups whose see-thru let client lines through: the ones an allowlist can be reviewed for. */
  readonly groups: readonly string[];
  /** The log reference's five filters and its recipe query (for the first see-thru group). */
  readonly examples: readonly Example[];
  readonly exportFormats: { readonly filter: readonly string[]; readonly query: readonly string[] };
  readonly allowlistOutputs: readonly string[];
  readonly exposures: readonly string[];
  /** Rows the table holds at most; beyond it rows are counted, not kept. */
  readonly maxRows: number;
}

export interface Histogram {
  /** Epoch ms of the first bin's start. */
  readonly start: number;
  readonly binMs: number;
  /** A word for the bin size: `1m`, `1h`, `1d`. */
  readonly binLabel: string;
  readonly counts: readonly number[];
  /** Events that carried no time (not in any bin). */
  readonly untimed: number;
}

export type Cell = string | number | null;

/** One line of the NDJSON stream `POST /api/run` answers with. */
export type RunMessage =
  | { readonly type: 'fields'; readonly fields: readonly string[] }
  | { readonly type: 'rows'; readonly rows: readonly Cell[][] }
  | { readonly type: 'progress'; readonly bytes: number; readonly totalBytes: number | null; readonly matched: number }
  | {
      readonly type: 'done';
      /** Events the filter matched; for a query, the rows it produced. */
      readonly matched: number;
      /** Rows sent (at most maxRows). */
      readonly rows: number;
      /** Why fewer rows were sent than exist, when they were. */
      readonly capNote: string | null;
      readonly lines: number;
      readonly bytes: number;
      readonly seconds: number;
      readonly histogram: Histogram;
      /** What the histogram counts. */
      readonly histogramOf: string;
      readonly issues: string | null;
    }
  | { readonly type: 'error'; readonly message: string; readonly diagnostics: readonly UiDiagnostic[] };

export interface RunRequest {
  readonly language: Language;
  readonly text: string;
}

export interface ExportRequest extends RunRequest {
  readonly format: string;
}

export interface SeeThruRuleView {
  readonly gid: string;
  readonly status: string;
  readonly thruDate: string | null;
  readonly daysRemaining: number;
  readonly daysAsLogged: boolean;
  readonly clients: readonly string[];
  readonly lines: number;
  readonly exerted: number;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  /** Config trail: `accepted`/`removed` and the date, oldest first. */
  readonly history: readonly { readonly at: string | null; readonly outcome: string; readonly thruDate: string }[];
}

export interface SeeThruResponse {
  readonly asOf: string;
  readonly rules: readonly SeeThruRuleView[];
  /** Client lines with see_thru_exerted true, per gid, over time (same bins for every gid). */
  readonly exerted: { readonly histogram: Omit<Histogram, 'counts'>; readonly series: readonly { readonly gid: string; readonly counts: readonly number[] }[] };
}

/** The reviewer's choices: what `haystack allowlist` flags say. */
export interface AllowlistChoices {
  readonly gid: string;
  /** Hosts dropped (`--exclude HOST`). */
  readonly exclude: readonly string[];
  readonly wildcards: boolean;
  /** Folds turned down (`--refuse-fold '*.parent'`). */
  readonly refuseFolds: readonly string[];
  readonly exposure: string;
  readonly minFold: number;
  readonly targetGid: string | null;
}

export interface ReviewHost {
  readonly protocol: string;
  readonly port: number;
  readonly host: string;
  readonly connections: number;
  readonly clients: number;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
}

export interface AllowlistResponse {
  /** Every host a rule could hold, before any choice (the rows to keep or drop). */
  readonly hosts: readonly ReviewHost[];
  /** `haystack allowlist`'s JSON output for the choices (rules, folds, refused folds, left out). */
  readonly allowlist: unknown;
  /** The same choices as a `haystack allowlist` command line. */
  readonly command: string;
}

export interface ReplayRow {
  readonly client: string;
  readonly group: string | null;
  readonly dhost: string;
  readonly proto: string;
  readonly dpt: number;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly count: number;
}

export interface ReplayResponse {
  readonly replayed: number;
  readonly newlyDisallowedLines: number;
  readonly newlyAllowedLines: number;
  readonly unchanged: number;
  readonly newlyDisallowed: readonly ReplayRow[];
  /** Rows left out of `newlyDisallowed` (it holds the biggest). */
  readonly more: number;
  readonly estate: string;
}

export interface ErrorResponse {
  readonly error: string;
  readonly hint?: string;
  readonly diagnostics?: readonly UiDiagnostic[];
}
