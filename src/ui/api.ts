/**
 * The web console's answers, from the same library the CLI calls: check a pattern or query
 * (the CLI's diagnostics and carets), run it over the inputs with progress, cancellation and a
 * histogram, export in the CLI's formats, the see-thru rules, and the allowlist review (choices
 * -> `buildAllowlist` -> the CLI's own emitters; replay of the proposal against the estate).
 *
 * Everything here is plain functions of a `UiSource`; server.ts only moves bytes.
 */
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { DiagnosticError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { renderText, toJson } from '../diagnostics/render.js';
import { estateFromTexts, isFatalEstateDiagnostic } from '../discriminat/estate.js';
import type { ScannedEvent, ScanOptions, ScanReport } from '../engine/scan.js';
import { compileFilterPattern } from '../filter/index.js';
import { filterInputs } from '../filter/plan.js';
import { compileQuery, DEFAULT_LIMITS, ResourceLimitError } from '../insights/index.js';
import { leadingFilters, linePlanFromSpec } from '../insights/line-plan.js';
import { queryInputs } from '../insights/scan.js';
import { BufferedWriter, eventWriter, OUTPUT_FORMATS, type OutputFormat } from '../output/events.js';
import { RESULT_FORMATS, type ResultFormat } from '../output/result-formats.js';
import { renderResult } from '../output/results.js';
import {
  type AllowlistOptions,
  type AllowlistTally,
  buildAllowlist,
  checkGroup,
  DEFAULT_MIN_FOLD,
  tallyInputs,
  WILDCARD_EXPOSURES,
} from '../recipes/allowlist.js';
import { applyAllowlist, ApplyError } from '../recipes/apply.js';
import { RECIPES } from '../recipes/catalog.js';
import { sh, REFERENCE_FILTERS } from '../recipes/demo.js';
import { ALLOWLIST_OUTPUTS, type AllowlistOutput, emitAllowlist } from '../recipes/emit-allowlist.js';
import { allowlistJson } from '../recipes/emit-json.js';
import { bool, readLines, str } from '../recipes/flow-events.js';
import { replay } from '../recipes/replay.js';
import { fillRecipe } from '../recipes/run.js';
import { seeThruRules, type SeeThruReport } from '../recipes/see-thru.js';
import { DEFAULT_WILDCARD_EXPOSURE, type WildcardExposure } from '../discriminat/annotations.js';
import { InputError, type Input } from '../sources/inputs.js';
import { formatIso, parseTimeArg } from '../sources/time.js';
import { chooseBin, TimeHistogram } from './histogram.js';
import type {
  AllowlistChoices,
  AllowlistResponse,
  Cell,
  CheckResponse,
  Example,
  InfoResponse,
  Language,
  ReplayResponse,
  RunMessage,
  RunRequest,
  SeeThruResponse,
  UiDiagnostic,
} from './protocol.js';

/** Rows the table holds at most (CloudWatch's own default cap for a query's results). */
export const MAX_TABLE_ROWS = 10_000;
/** Rows per `rows` message of the stream. */
const BATCH_ROWS = 500;
/** Newly disallowed rows a replay answer holds (the biggest). */
const MAX_REPLAY_ROWS = 500;
const PROGRESS_MS = 100;

export interface UiSource {
  /** Files (read again for every request: stdin cannot be). */
  readonly inputs: readonly Input[];
  /** Format, start/end and threads, as the command line gave them. */
  readonly scanOptions: ScanOptions;
  /** The native estate file to replay proposals against. */
  readonly estate: { readonly file: string; readonly text: string } | null;
  /** Paths as given on the command line (for the CLI command the review shows). */
  readonly paths: readonly string[];
}

/** A request the server answers with 400: a message, perhaps diagnostics for a text. */
export class UiRequestError extends Error {
  constructor(message: string, readonly hint?: string, readonly diagnostics: readonly UiDiagnostic[] = []) {
    super(message);
    this.name = 'UiRequestError';
  }
}

export function uiDiagnostic(d: Diagnostic, source: string, name: string): UiDiagnostic {
  const j = toJson(d, source);
  return {
    code: d.code, severity: d.severity, message: d.message, hint: d.hint ?? null, start: d.span.start, end: d.span.end,
    line: j.line, column: j.column, text: renderText(d, source, name),
  };
}

function compile(language: Language, text: string): { diagnostics: UiDiagnostic[]; ok: boolean } {
  try {
    if (language === 'filter') {
      const c = compileFilterPattern(text);
      return { ok: true, diagnostics: c.diagnostics.map((d) => uiDiagnostic(d, text, 'pattern')) };
    }
    compileQuery(text);
    return { ok: true, diagnostics: [] };
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    return { ok: false, diagnostics: e.diagnostics.map((d) => uiDiagnostic(d, text, language === 'filter' ? 'pattern' : 'query')) };
  }
}

export function check(language: Language, text: string): CheckResponse {
  return compile(language, text);
}

function whenCancelled(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

async function totalBytes(inputs: readonly Input[]): Promise<number | null> {
  let n = 0;
  for (const i of inputs) {
    if (i.path === null || /\.gz$/i.test(i.path)) return null; // inflated bytes are not known ahead
    n += (await stat(i.path)).size;
  }
  return n;
}

/**
 * Runs a filter or query, sending what the table and histogram need as it goes. Stops with the
 * signal's reason (an AbortError) when `signal` aborts: the scan ends at its next chunk.
 */
export async function run(src: UiSource, req: RunRequest, send: (m: RunMessage) => void | Promise<void>, signal?: AbortSignal): Promise<void> {
  const compiled = compile(req.language, req.text);
  if (!compiled.ok) {
    await send({ type: 'error', message: `the ${req.language === 'filter' ? 'pattern' : 'query'} is not valid`, diagnostics: compiled.diagnostics });
    return;
  }
  const t0 = performance.now();
  const total = await totalBytes(src.inputs);
  const hist = new TimeHistogram();
  let bytes = 0;
  let matched = 0;
  let lastProgress = 0;
  const onChunk = (n: number): void => {
    whenCancelled(signal);
    bytes += n;
    const now = performance.now();
    if (now - lastProgress >= PROGRESS_MS) {
      lastProgress = now;
      void send({ type: 'progress', bytes, totalBytes: total, matched });
    }
  };
  const options: ScanOptions = { ...src.scanOptions, onChunk };
  try {
    let report: ScanReport;
    let rowsSent = 0;
    let capNote: string | null = null;
    let histogramOf: string;
    if (req.language === 'filter') {
      histogramOf = 'events matched';
      await send({ type: 'fields', fields: ['@timestamp', '@logStream', '@message'] });
      let batch: Cell[][] = [];
      const pattern = compileFilterPattern(req.text);
      report = await filterInputs(pattern, src.inputs, (e) => {
        whenCancelled(signal);
        matched++;
        hist.add(e.timestamp);
        if (rowsSent + batch.length >= MAX_TABLE_ROWS) return;
        batch.push([e.timestamp === null ? null : formatIso(e.timestamp), e.logStream, e.message]);
        if (batch.length >= BATCH_ROWS) {
          rowsSent += batch.length;
          const rows = batch;
          batch = [];
          return send({ type: 'rows', rows });
        }
      }, options);
      if (batch.length > 0) await send({ type: 'rows', rows: batch });
      rowsSent += batch.length;
      if (matched > rowsSent) capNote = `the table holds the first ${rowsSent.toLocaleString('en-US')} of ${matched.toLocaleString('en-US')} matching events; export has them all`;
    } else {
      const query = compileQuery(req.text);
      const filters = leadingFilters(query.ast.commands);
      // The histogram counts what the query's leading filters keep (CloudWatch's "records matched").
      const pass = filters === null ? null : linePlanFromSpec({ query: query.source });
      histogramOf = pass === null ? 'events read by the query' : 'events its leading filters keep';
      const onEvent = (e: ScannedEvent): void => {
        if (pass === null || pass.test(e.message) === true) hist.add(e.timestamp);
      };
      const { start, end } = src.scanOptions;
      const done = await queryInputs(query, src.inputs, {
        ...options, now: Date.now(), limits: DEFAULT_LIMITS, onEvent,
        ...(start !== undefined && end !== undefined ? { window: { start, end } } : {}),
      });
      report = done.report;
      const { fields, rows } = done.result;
      matched = rows.length;
      await send({ type: 'fields', fields });
      rowsSent = Math.min(rows.length, MAX_TABLE_ROWS);
      for (let i = 0; i < rowsSent; i += BATCH_ROWS) await send({ type: 'rows', rows: rows.slice(i, Math.min(rowsSent, i + BATCH_ROWS)) });
      const n = (x: number): string => x.toLocaleString('en-US');
      if (rows.length > rowsSent) {
        capNote = `the table holds the first ${n(rowsSent)} of ${n(rows.length)} rows; export has them all`;
      } else if (done.result.rowsBeforeCap > rows.length) {
        capNote = `showing ${n(rows.length)} of ${n(done.result.rowsBeforeCap)} rows: without limit, Logs Insights returns at most 10,000; add | limit N (up to 100,000) for more`;
      }
    }
    await send({
      type: 'done', matched, rows: rowsSent, capNote, lines: report.lines, bytes, seconds: (performance.now() - t0) / 1000,
      histogram: hist.finish(), histogramOf, issues: report.issues.summary(),
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    if (e instanceof ResourceLimitError) await send({ type: 'error', message: `${e.message} (the CLI takes ${e.flag}; narrow the query here)`, diagnostics: [] });
    else if (e instanceof InputError) await send({ type: 'error', message: e.message, diagnostics: [] });
    else throw e;
  }
}

const FORMAT_TYPES: Readonly<Record<string, readonly [string, string]>> = {
  raw: ['text/plain', 'log'], table: ['text/plain', 'txt'], json: ['application/json', 'json'], ndjson: ['application/x-ndjson', 'ndjson'],
  csv: ['text/csv', 'csv'], markdown: ['text/markdown', 'md'],
};

export interface Download {
  readonly contentType: string;
  readonly filename: string;
  /** Writes the body (the scan runs again, so nothing is held in memory for it). */
  write(out: Writable, signal?: AbortSignal): Promise<void>;
}

/** The results in one of the CLI's formats: `filter --output` or `query --output`, unescaped as in a file. */
export function exportResults(src: UiSource, req: RunRequest & { format: string }): Download {
  const compiled = compile(req.language, req.text);
  if (!compiled.ok) throw new UiRequestError(`the ${req.language === 'filter' ? 'pattern' : 'query'} is not valid`, undefined, compiled.diagnostics);
  const formats: readonly string[] = req.language === 'filter' ? OUTPUT_FORMATS : RESULT_FORMATS;
  if (!formats.includes(req.format)) throw new UiRequestError(`no ${req.language} format ${JSON.stringify(req.format)}`, `one of ${formats.join(', ')}`);
  const [contentType, ext] = FORMAT_TYPES[req.format]!;
  const filename = `haystack-${req.language}.${ext}`;
  const options = (signal?: AbortSignal): ScanOptions => ({ ...src.scanOptions, onChunk: () => whenCancelled(signal) });
  if (req.language === 'filter') {
    return {
      contentType, filename,
      async write(out, signal) {
        const buffered = new BufferedWriter(out);
        const writer = eventWriter(req.format as OutputFormat, buffered, false);
        await filterInputs(compileFilterPattern(req.text), src.inputs, (e) => writer.write(e), options(signal));
        await writer.end();
        await buffered.flush();
      },
    };
  }
  return {
    contentType, filename,
    async write(out, signal) {
      const { start, end } = src.scanOptions;
      const { result } = await queryInputs(compileQuery(req.text), src.inputs, {
        ...options(signal), now: Date.now(), limits: DEFAULT_LIMITS, ...(start !== undefined && end !== undefined ? { window: { start, end } } : {}),
      });
      out.write(renderResult(result.fields, result.rows, req.format as ResultFormat, {}));
    },
  };
}

const iso = (t: number | null): string | null => (t === null ? null : formatIso(t));

/** Every see-thru rule (as `haystack see-thru` finds them) and its exerted client lines over time. */
export class UiState {
  private seeThruReport: Promise<SeeThruReport> | null = null;
  private readonly tallies = new Map<string, Promise<AllowlistTally>>();

  constructor(readonly src: UiSource) {}

  /** Scan options for an answer nobody else shares: the scan stops when its client has gone. */
  private ownScan(signal: AbortSignal | undefined): ScanOptions {
    return { ...this.src.scanOptions, onChunk: () => whenCancelled(signal) };
  }

  private seeThruOnce(asOf?: number, signal?: AbortSignal): Promise<SeeThruReport> {
    // The default answer is cached for every later request, so it is never cancelled.
    if (asOf !== undefined) return seeThruRules(this.src.inputs, { ...this.ownScan(signal), asOf });
    this.seeThruReport ??= seeThruRules(this.src.inputs, { ...this.src.scanOptions, asOf: Date.now() });
    return this.seeThruReport;
  }

  /** Groups whose see-thru let some client line through: the ones an allowlist can be made for. */
  async reviewGroups(): Promise<string[]> {
    return (await this.seeThruOnce()).rules.filter((r) => (r.flow?.exerted ?? 0) > 0).map((r) => r.gid);
  }

  async info(): Promise<InfoResponse> {
    const examples: Example[] = REFERENCE_FILTERS.map((name) => {
      const recipe = RECIPES.find((r) => r.name === name)!;
      return { name, language: 'filter', text: fillRecipe(recipe).text, description: recipe.description };
    });
    const groups = await this.reviewGroups();
    const gid = groups.find((g) => g !== '%default') ?? groups[0];
    if (gid !== undefined) {
      const recipe = RECIPES.find((r) => r.name === 'allowlist')!;
      examples.push({ name: 'allowlist', language: 'query', text: fillRecipe(recipe, { gid }).text, description: recipe.description });
    }
    return {
      inputs: this.src.inputs.map((i) => i.name),
      estate: this.src.estate?.file ?? null,
      groups,
      examples,
      exportFormats: { filter: OUTPUT_FORMATS, query: RESULT_FORMATS },
      allowlistOutputs: ALLOWLIST_OUTPUTS,
      exposures: WILDCARD_EXPOSURES,
      maxRows: MAX_TABLE_ROWS,
    };
  }

  /** `asOf`: count days left from this moment (as `haystack see-thru --as-of`); default now. */
  async seeThru(asOf?: string, signal?: AbortSignal): Promise<SeeThruResponse> {
    let at: number | undefined;
    if (asOf !== undefined && asOf !== '') {
      try {
        at = parseTimeArg(asOf, Date.now());
      } catch (e) {
        if (!(e instanceof DiagnosticError)) throw e;
        throw new UiRequestError('as of: not a time', undefined, e.diagnostics.map((d) => uiDiagnostic(d, e.source, 'as of')));
      }
    }
    const r = await this.seeThruOnce(at, signal);
    const hists = new Map<string, TimeHistogram>();
    await readLines(
      this.src.inputs,
      { ...this.ownScan(signal), kinds: ['flow'], literals: ['see_thru_exerted'], keep: (_k, f) => bool(f, 'see_thru_exerted') === true && str(f, 'cat') === 'client' },
      (l) => {
        const gid = str(l.fields, 'see_thru_gid') ?? '(no gid)';
        let h = hists.get(gid);
        if (h === undefined) hists.set(gid, (h = new TimeHistogram()));
        h.add(l.timestamp);
      },
    );
    // One set of bins for every group, so the series line up.
    let lo = Infinity;
    let hi = -Infinity;
    let floor = 1000;
    for (const h of hists.values()) {
      const range = h.range();
      floor = Math.max(floor, h.floor);
      if (range === null) continue;
      lo = Math.min(lo, range.lo);
      hi = Math.max(hi, range.hi);
    }
    const range = lo === Infinity ? null : { lo, hi };
    const bin = range === null ? undefined : chooseBin(lo, hi, floor);
    const series = [...hists].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([gid, h]) => ({ gid, hist: h.finish(bin, range) }));
    const first = series[0]?.hist ?? new TimeHistogram().finish();
    return {
      asOf: formatIso(r.asOf),
      rules: r.rules.map((x) => ({
        gid: x.gid, status: x.status, thruDate: x.thruDate, daysRemaining: x.daysRemaining, daysAsLogged: x.daysAsLogged,
        clients: x.flow?.clients ?? [], lines: x.flow?.lines ?? 0, exerted: x.flow?.exerted ?? 0,
        firstSeen: iso(x.flow?.firstSeen ?? null), lastSeen: iso(x.flow?.lastSeen ?? null),
        history: (x.config?.history ?? []).map((h) => ({ at: iso(h.at), outcome: h.outcome, thruDate: h.thruDate })),
      })),
      exerted: {
        histogram: { start: first.start, binMs: first.binMs, binLabel: first.binLabel, untimed: series.reduce((n, s) => n + s.hist.untimed, 0) },
        series: series.map((s) => ({ gid: s.gid, counts: s.hist.counts })),
      },
    };
  }

  /** The group's tallies, scanned once: every choice after that is `buildAllowlist` alone. */
  private tally(gid: string): Promise<AllowlistTally> {
    let t = this.tallies.get(gid);
    if (t === undefined) {
      t = tallyInputs(this.src.inputs, gid, this.src.scanOptions).then((x) => x.tally);
      this.tallies.set(gid, t);
      t.catch(() => this.tallies.delete(gid));
    }
    return t;
  }

  private async build(c: AllowlistChoices) {
    const options = allowlistOptions(c);
    try {
      checkGroup(c.gid);
      if (c.targetGid !== null) checkGroup(c.targetGid, '--target-gid', false);
      return buildAllowlist(await this.tally(c.gid), options);
    } catch (e) {
      if (!(e instanceof DiagnosticError)) throw e;
      throw new UiRequestError(e.message, undefined, e.diagnostics.map((d) => uiDiagnostic(d, e.source, 'option' in e ? String(e.option) : 'choice')));
    }
  }

  async allowlist(c: AllowlistChoices): Promise<AllowlistResponse> {
    const a = await this.build(c); // checks the choices first
    const base = buildAllowlist(await this.tally(c.gid), { gid: c.gid });
    const hosts = base.rules.flatMap((r) => r.entries.flatMap((e) => e.hosts.map((h) => ({ ...h, protocol: r.protocol }))));
    return {
      hosts: hosts.map((h) => ({ protocol: h.protocol, port: h.port, host: h.host, connections: h.connections, clients: h.clients, firstSeen: iso(h.firstSeen), lastSeen: iso(h.lastSeen) })),
      allowlist: allowlistJson(a, c.targetGid === null ? {} : { targetGid: c.targetGid }),
      command: allowlistCommand(c, this.src.paths),
    };
  }

  async download(c: AllowlistChoices, output: string): Promise<{ text: string; filename: string; contentType: string }> {
    if (!(ALLOWLIST_OUTPUTS as readonly string[]).includes(output)) throw new UiRequestError(`no allowlist output ${JSON.stringify(output)}`, `one of ${ALLOWLIST_OUTPUTS.join(', ')}`);
    const a = await this.build(c);
    const text = emitAllowlist(a, output as AllowlistOutput, c.targetGid === null ? {} : { targetGid: c.targetGid });
    const [filename, contentType] = ({
      text: ['allowlist.txt', 'text/plain'], terraform: ['allowlist.tf', 'text/plain'], cloudformation: ['allowlist.yaml', 'application/yaml'],
      'aws-cli': ['rules.json', 'application/json'], json: ['allowlist.json', 'application/json'],
    } as const)[output as AllowlistOutput];
    return { text, filename, contentType };
  }

  /**
   * Recipe step 7 before it is taken: the proposal's rules written into the estate (a new group
   * on the see-thru group's interfaces, as `haystack demo` does), the see-thru removed, and the
   * past flows decided again. Newly disallowed: what would be blocked.
   */
  async replay(c: AllowlistChoices, signal?: AbortSignal): Promise<ReplayResponse> {
    const estate = this.src.estate;
    if (estate === null) throw new UiRequestError('no estate to replay against', 'start haystack ui with --estate FILE (the native estate file, e.g. the estate.json of haystack generate)');
    const a = await this.build(c);
    let text: string;
    try {
      text = applyAllowlist(estate.file, estate.text, a, { removeSeeThru: true }).text;
    } catch (e) {
      if (e instanceof ApplyError) throw new UiRequestError(e.message);
      throw e;
    }
    const loaded = estateFromTexts([{ file: estate.file, text }]);
    const fatal = loaded.diagnostics.find(isFatalEstateDiagnostic);
    if (fatal !== undefined) throw new UiRequestError(`the estate with the proposal is invalid: ${fatal.code} ${fatal.message}`);
    const r = await replay(this.src.inputs, { ...this.ownScan(signal), estate: loaded.estate });
    return {
      replayed: r.replayed,
      newlyDisallowedLines: r.disallowedLines,
      newlyAllowedLines: r.allowedLines,
      unchanged: r.unchanged.total,
      newlyDisallowed: r.newlyDisallowed.slice(0, MAX_REPLAY_ROWS).map((x) => ({
        client: x.client, group: x.group, dhost: x.dhost, proto: x.proto, dpt: x.dpt, from: x.from, to: x.to, reason: x.reason, count: x.count,
      })),
      more: Math.max(0, r.newlyDisallowed.length - MAX_REPLAY_ROWS),
      estate: estate.file,
    };
  }
}

function allowlistOptions(c: AllowlistChoices): AllowlistOptions {
  if (!(WILDCARD_EXPOSURES as readonly string[]).includes(c.exposure)) throw new UiRequestError(`no wildcard exposure ${JSON.stringify(c.exposure)}`);
  return { gid: c.gid, exclude: c.exclude, wildcards: c.wildcards, refuseFolds: c.refuseFolds, exposure: c.exposure as WildcardExposure, minFold: c.minFold };
}

/** The `haystack allowlist` command line that writes the same Terraform. */
export function allowlistCommand(c: AllowlistChoices, paths: readonly string[]): string {
  const args = ['haystack', 'allowlist', '--gid', c.gid];
  if (c.wildcards) {
    args.push('--wildcards');
    if (c.exposure !== DEFAULT_WILDCARD_EXPOSURE) args.push('--exposure', c.exposure);
    if (c.minFold !== DEFAULT_MIN_FOLD) args.push('--min-fold', String(c.minFold));
    for (const f of c.refuseFolds) args.push('--refuse-fold', f);
  }
  for (const h of c.exclude) args.push('--exclude', h);
  if (c.targetGid !== null) args.push('--target-gid', c.targetGid);
  args.push('--output', 'terraform', ...paths);
  return args.map(sh).join(' ');
}

/** Reads the choices from a request body, refusing anything of the wrong shape. */
export function parseChoices(body: unknown): AllowlistChoices {
  const o = object(body);
  const strings = (k: string): string[] => {
    const v = o[k] ?? [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new UiRequestError(`${k}: a list of strings is needed`);
    return v as string[];
  };
  const gid = o.gid;
  if (typeof gid !== 'string') throw new UiRequestError('gid: a string is needed');
  const minFold = o.minFold ?? DEFAULT_MIN_FOLD;
  if (typeof minFold !== 'number') throw new UiRequestError('minFold: a number is needed');
  const targetGid = o.targetGid ?? null;
  if (targetGid !== null && typeof targetGid !== 'string') throw new UiRequestError('targetGid: a string or null is needed');
  return {
    gid, exclude: strings('exclude'), refuseFolds: strings('refuseFolds'), wildcards: o.wildcards === true,
    exposure: typeof o.exposure === 'string' ? o.exposure : DEFAULT_WILDCARD_EXPOSURE, minFold, targetGid: targetGid === '' ? null : targetGid,
  };
}

export function parseRunRequest(body: unknown): RunRequest & { format?: string } {
  const o = object(body);
  if (o.language !== 'filter' && o.language !== 'query') throw new UiRequestError('language: filter or query');
  if (typeof o.text !== 'string') throw new UiRequestError('text: a string is needed');
  return { language: o.language, text: o.text, ...(typeof o.format === 'string' ? { format: o.format } : {}) };
}

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UiRequestError('a JSON object is needed');
  return body as Record<string, unknown>;
}
