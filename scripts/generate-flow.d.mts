// Types for scripts/generate-flow.mjs (plain JS so it runs without a build), for the tests.

export type FlowFormat = 'json' | 'export' | 'ndjson';

export interface GenerateFlowOptions {
  /** How many lines to yield. */
  lines: number;
  /** Any string or number; the same seed gives the same lines. Default 1. */
  seed?: string | number;
  /** `json`: the bare message; `export`: `<ISO time> <message>`; `ndjson`: `{"timestamp","message","logStreamName"}`. */
  format?: FlowFormat;
  /** Epoch milliseconds of the first line. Default START_MS. */
  start?: number;
}

/** Field order of a flow line (spec D2.1). */
export declare const FLOW_FIELD_ORDER: readonly string[];
export declare const FORMATS: readonly FlowFormat[];
/** 2026-03-29T08:00:00.000Z. */
export declare const START_MS: number;

/** Yields `lines` formatted lines, without their trailing newline. */
export declare function generateFlowLines(options: GenerateFlowOptions): Generator<string, void, undefined>;
