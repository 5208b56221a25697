/**
 * Validating whole inputs (what `haystack validate` does, for library users too): every event
 * message goes through `validateLine` (schema.ts); the report counts lines by validity and
 * kind, problems by code and by field with where each was first seen, the generation of each
 * stream (spec D2.7: the latest `looks_like` among its lines, HS3112 when G3 lines mix with
 * lines that do not fit G3), the first few problem lines, and the scan issues.
 */
import { type ScannedEvent, scan } from '../engine/scan.js';
import type { Format } from '../sources/formats.js';
import type { Input } from '../sources/inputs.js';
import { ISSUE_INFO, type IssueKind } from '../sources/issues.js';
import type { Generation } from './annotations.js';
import {
  GENERATION_RELEASES,
  GENERATIONS,
  type LineDiagnostic,
  type LineKind,
  type LineSeverity,
  type LineVerdict,
  SCHEMA_CODES,
  SchemaCode,
  validateLine,
} from './schema.js';


export interface ValidateOptions {
  /** Force an input format; otherwise each input's format is detected. */
  readonly format?: Format;
  /** How many problem lines (an error or a warning) to keep whole, with their diagnostics. Default 0. */
  readonly maxExamples?: number;
}

/** Where a line is: `line` when known (regular files), else only its event number in the input. */
export interface Location {
  readonly input: string;
  /** 1-based number among the input's events. */
  readonly event: number;
  readonly line: number | null;
}

/** `flow.log:12`, or `stdin event 12` when the line number is not known. */
export function formatLocation(l: Location): string {
  return l.line !== null ? `${l.input}:${l.line}` : `${l.input} event ${l.event}`;
}

export interface CodeTally {
  readonly code: string;
  readonly severity: LineSeverity;
  readonly title: string;
  /** Diagnostics with this code and severity. */
  readonly count: number;
  /** Lines with at least one. */
  readonly lines: number;
  readonly first: Location;
  /** The first one's message. */
  readonly message: string;
}

export interface FieldTally {
  readonly field: string;
  readonly count: number;
  /** Distinct codes, sorted. */
  readonly codes: readonly string[];
  readonly first: Location;
}

export interface KindTally {
  readonly lines: number;
  readonly valid: number;
  readonly invalid: number;
}

export interface ClueTally {
  readonly id: string;
  readonly field: string;
  readonly says: string;
  readonly excludes: readonly Generation[];
  readonly lines: number;
  readonly first: Location;
}

export interface StreamGeneration {
  /** The input name, with the log stream in brackets when the events name one. */
  readonly stream: string;
  /** Flow and config lines in the stream. */
  readonly lines: number;
  /** Lines by their `looks_like`; `none` for lines that fit no generation. */
  readonly looksLike: Readonly<Record<Generation | 'none', number>>;
  /** The latest `looks_like` among the stream's lines (spec D2.7); null when no line has one. */
  readonly generation: Generation | null;
}

/** HS3112 (spec D2.7): one stream mixes G3 lines with lines that do not fit G3. */
export interface StreamWarning {
  readonly code: typeof SchemaCode.MixedGenerations;
  readonly severity: 'warning';
  readonly stream: string;
  readonly message: string;
  readonly firstG3: Location;
  readonly firstOther: Location;
}

export type GenerationVerdict = Generation | 'mixed' | 'undecidable';

export interface GenerationSummary {
  /** One generation for every stream; `mixed` when streams disagree about G3 or one mixes; `undecidable` when no line tells. */
  readonly verdict: GenerationVerdict;
  /** The release range of the verdict (spec D2.7), or null. */
  readonly releases: string | null;
  readonly streams: readonly StreamGeneration[];
  readonly evidence: readonly ClueTally[];
  readonly warnings: readonly StreamWarning[];
}

export interface Example {
  readonly location: Location;
  readonly message: string;
  readonly diagnostics: readonly LineDiagnostic[];
}

export interface IssueTally {
  readonly kind: IssueKind;
  readonly code: string;
  readonly words: string;
  readonly count: number;
  /** `input:line` (or a byte offset) of the first. */
  readonly first: string;
  readonly detail?: string;
}

export interface ValidationReport {
  readonly inputs: readonly { readonly name: string; readonly format: Format }[];
  /** Lines read, blank and unreadable ones included (for aws-json: events). */
  readonly lines: number;
  /** Messages validated: valid + invalid. */
  readonly checked: number;
  readonly valid: number;
  readonly invalid: number;
  readonly kinds: Readonly<Record<LineKind, KindTally>>;
  /** By code, then severity. */
  readonly codes: readonly CodeTally[];
  /** By field name. */
  readonly fields: readonly FieldTally[];
  readonly generation: GenerationSummary;
  readonly examples: readonly Example[];
  /** Lines the reader could not take as events (HS4xxx), as every command reports them. */
  readonly issues: { readonly total: number; readonly kinds: readonly IssueTally[]; readonly summary: string | null };
}

const UNTYPED = { typed: false } as const;

/** Validates every event of the inputs. */
export async function validateInputs(inputs: readonly Input[], options: ValidateOptions = {}): Promise<ValidationReport> {
  const tally = new Tally(options.maxExamples ?? 0);
  const report = await scan(inputs, { literals: [], decodesJson: false, test: () => true }, (e) => tally.add(e, validateLine(e.message, UNTYPED)),
    options.format !== undefined ? { format: options.format } : {});
  const kinds = [...report.issues.byKind].map(([kind, c]): IssueTally => ({
    kind, code: ISSUE_INFO[kind].code, words: ISSUE_INFO[kind].words, count: c.count, first: c.first, ...(c.detail !== undefined ? { detail: c.detail } : {}),
  }));
  return {
    inputs: [...report.formats].map(([name, format]) => ({ name, format })),
    lines: report.lines,
    ...tally.finish(),
    issues: { total: report.issues.total, kinds, summary: report.issues.summary() },
  };
}

interface MutableCode { code: string; severity: LineSeverity; count: number; lines: number; first: EventRef; message: string }
interface MutableField { field: string; count: number; codes: Set<string>; first: EventRef }
interface MutableClue { id: string; field: string; says: string; excludes: readonly Generation[]; lines: number; first: EventRef }
interface MutableStream {
  stream: string;
  lines: number;
  looksLike: Record<Generation | 'none', number>;
  firstG3: EventRef | null;
  firstOther: EventRef | null;
}

/** Where a problem was: the input, the event's number in it, and its line (null for aws-json). */
interface EventRef {
  readonly input: string;
  readonly event: number;
  readonly line: number | null;
  /** Kept only for lines shown as examples. */
  message?: string;
}

/** The running counts. */
class Tally {
  readonly refs: EventRef[] = [];
  private readonly events = new Map<string, number>();
  private checked = 0;
  private valid = 0;
  private readonly kinds: Record<LineKind, { lines: number; valid: number; invalid: number }> = {
    flow: { lines: 0, valid: 0, invalid: 0 },
    config: { lines: 0, valid: 0, invalid: 0 },
    unknown: { lines: 0, valid: 0, invalid: 0 },
  };
  private readonly codes = new Map<string, MutableCode>();
  private readonly fields = new Map<string, MutableField>();
  private readonly clues = new Map<string, MutableClue>();
  private readonly streams = new Map<string, MutableStream>();
  private readonly examples: { ref: EventRef; diagnostics: readonly LineDiagnostic[] }[] = [];

  constructor(private readonly maxExamples: number) {}

  add(e: ScannedEvent, v: LineVerdict): void {
    const event = (this.events.get(e.input) ?? 0) + 1;
    this.events.set(e.input, event);
    this.checked++;
    if (v.valid) this.valid++;
    const k = this.kinds[v.kind];
    k.lines++;
    if (v.valid) k.valid++;
    else k.invalid++;

    // One ref per line, made only when something needs to point at this line.
    let ref: EventRef | null = null;
    const here = (): EventRef => {
      if (ref === null) {
        ref = { input: e.input, event, line: e.line }; // the scan knows each event's line
        this.refs.push(ref);
      }
      return ref;
    };

    let problem = false;
    const seenCodes = new Set<string>();
    for (const d of v.diagnostics) {
      if (d.severity !== 'info') problem = true;
      const key = `${d.code} ${d.severity}`;
      const c = this.codes.get(key);
      if (c) {
        c.count++;
        if (!seenCodes.has(key)) c.lines++;
      } else this.codes.set(key, { code: d.code, severity: d.severity, count: 1, lines: 1, first: here(), message: d.message });
      seenCodes.add(key);
      if (d.field !== null) {
        const f = this.fields.get(d.field);
        if (f) {
          f.count++;
          f.codes.add(d.code);
        } else this.fields.set(d.field, { field: d.field, count: 1, codes: new Set([d.code]), first: here() });
      }
    }
    if (problem && this.examples.length < this.maxExamples) {
      const ref = here();
      ref.message = e.message;
      this.examples.push({ ref, diagnostics: v.diagnostics });
    }

    if (v.kind === 'unknown') return;
    const seenClues = new Set<string>();
    for (const clue of v.generation.clues) {
      if (seenClues.has(clue.id)) continue;
      seenClues.add(clue.id);
      const c = this.clues.get(clue.id);
      if (c) c.lines++;
      else this.clues.set(clue.id, { id: clue.id, field: clue.field, says: clue.says, excludes: clue.excludes, lines: 1, first: here() });
    }
    const name = e.logStream === null ? e.input : `${e.input} [${e.logStream}]`;
    let s = this.streams.get(name);
    if (!s) {
      s = { stream: name, lines: 0, looksLike: { G1: 0, G2: 0, G3: 0, none: 0 }, firstG3: null, firstOther: null };
      this.streams.set(name, s);
    }
    s.lines++;
    s.looksLike[v.generation.looksLike ?? 'none']++;
    if (v.generation.fits.includes('G3')) s.firstG3 ??= here();
    else s.firstOther ??= here();
  }

  finish(): Omit<ValidationReport, 'inputs' | 'lines' | 'issues'> {
    const at = (r: EventRef): Location => ({ input: r.input, event: r.event, line: r.line });
    const codes = [...this.codes.values()]
      .sort((a, b) => cmp(a.code, b.code) || cmp(a.severity, b.severity))
      .map((c): CodeTally => ({
        code: c.code, severity: c.severity, title: SCHEMA_CODES[c.code as SchemaCode].title, count: c.count, lines: c.lines, first: at(c.first), message: c.message,
      }));
    const fields = [...this.fields.values()]
      .sort((a, b) => cmp(a.field, b.field))
      .map((f): FieldTally => ({ field: f.field, count: f.count, codes: [...f.codes].sort(), first: at(f.first) }));
    const evidence = [...this.clues.values()].map((c): ClueTally => ({ ...c, first: at(c.first) }));

    const streams: StreamGeneration[] = [];
    const warnings: StreamWarning[] = [];
    for (const s of this.streams.values()) {
      const generation = [...GENERATIONS].reverse().find((g) => s.looksLike[g] > 0) ?? null;
      streams.push({ stream: s.stream, lines: s.lines, looksLike: s.looksLike, generation });
      if (s.firstG3 && s.firstOther) {
        const others = s.lines - s.looksLike.G3;
        warnings.push({
          code: SchemaCode.MixedGenerations, severity: 'warning', stream: s.stream, firstG3: at(s.firstG3), firstOther: at(s.firstOther),
          message: `${s.stream} mixes ${s.looksLike.G3} G3 ${plural(s.looksLike.G3, 'line')} with ${others} ${others === 1 ? 'line that does' : 'lines that do'} not fit G3`,
        });
      }
    }
    const verdict = overall(streams, warnings.length > 0);
    return {
      checked: this.checked,
      valid: this.valid,
      invalid: this.checked - this.valid,
      kinds: this.kinds,
      codes,
      fields,
      generation: { verdict, releases: verdict === 'mixed' || verdict === 'undecidable' ? null : GENERATION_RELEASES[verdict], streams, evidence, warnings },
      examples: this.examples.map((x) => ({ location: at(x.ref), message: x.ref.message ?? '', diagnostics: x.diagnostics })),
    };
  }
}

/**
 * The inputs' generation: the streams' one when they agree. G1 and G2 streams agree (G1 lines fit
 * G2, so the later one is the answer); a G3 stream beside an older one, or a stream with HS3112,
 * is mixed.
 */
function overall(streams: readonly StreamGeneration[], anyMixed: boolean): GenerationVerdict {
  if (anyMixed) return 'mixed';
  const gens = new Set(streams.map((s) => s.generation).filter((g): g is Generation => g !== null));
  if (gens.size === 0) return 'undecidable';
  if (gens.has('G3')) return gens.size === 1 ? 'G3' : 'mixed';
  return gens.has('G2') ? 'G2' : 'G1';
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
