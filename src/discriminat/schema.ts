/**
 * The flow and config log schemas (spec D2, D3) and the validator of one line (spec D2.7):
 * `validateLine(message)` tells the line's kind, checks every field, names every problem with
 * an `HS31xx` code and a span into the message, and says which schema generations (G1/G2/G3,
 * spec D2.2) the line is consistent with.
 *
 * The rules are tables (one entry per field) built once; the per-line work is a walk over the
 * line's members. Every choice the public material does not settle lives in one named constant
 * below with its D9 row; the texts and switches the decision procedure shares with this module
 * (`REASONS`, `HTTP_FIELDS_BY_SIDE`, `CONFIG_OUTCOME`, `DEFAULT_GID`) come from reasons.ts.
 */
import { type Diagnostic, type Severity, type Span, span } from '../diagnostics/diagnostic.js';
import { JsonNumber, type JsonObject, type JsonValue, parseJson } from '../events/json.js';
import type { Generation } from './annotations.js';
import { CONFIG_OUTCOME, DEFAULT_GID, HTTP_FIELDS_BY_SIDE, REASONS } from './reasons.js';
import { keySpan, type Member, type Members, readMembers, valueSpan } from './schema-members.js';
import { hasWildcard } from './wildcards.js';

// ---- Codes (spec D2.7) ------------------------------------------------------------------------

/** The catalog of schema diagnostics (spec D2.7). */
export const SchemaCode = {
  NotJsonObject: 'HS3101',
  MissingField: 'HS3102',
  WrongType: 'HS3103',
  NotInEnum: 'HS3104',
  OutOfRange: 'HS3105',
  Malformed: 'HS3106',
  SeeThruIncomplete: 'HS3107',
  WrongProtocol: 'HS3108',
  WrongConfigCat: 'HS3109',
  UnknownField: 'HS3110',
  NoGeneration: 'HS3111',
  MixedGenerations: 'HS3112',
} as const;

export type SchemaCode = (typeof SchemaCode)[keyof typeof SchemaCode];

/** `info` is for what is worth knowing but wrong with nothing (HS3110, spec D2.7). */
export type LineSeverity = Severity | 'info';

/**
 * D9 #44: severities. D2.7 names HS3110 info and HS3112 warning; the rest make a line invalid
 * (error), HS3111 included: no release writes a line that fits no generation. One exception is
 * decided per diagnostic: HS3109 for a field D3.3 tolerates on `addr` lines is a warning.
 */
export const SCHEMA_CODES: Readonly<Record<SchemaCode, { readonly severity: LineSeverity; readonly title: string }>> = {
  HS3101: { severity: 'error', title: 'not one JSON object' },
  HS3102: { severity: 'error', title: 'required field missing' },
  HS3103: { severity: 'error', title: 'wrong JSON type' },
  HS3104: { severity: 'error', title: 'value outside its enum' },
  HS3105: { severity: 'error', title: 'number out of range' },
  HS3106: { severity: 'error', title: 'malformed value' },
  HS3107: { severity: 'error', title: 'see-thru fields incomplete' },
  HS3108: { severity: 'error', title: 'field present with the wrong protocol or side' },
  HS3109: { severity: 'error', title: 'field of another config cat' },
  HS3110: { severity: 'info', title: 'unknown field' },
  HS3111: { severity: 'error', title: 'fits no schema generation' },
  HS3112: { severity: 'warning', title: 'stream mixes G3 with older lines' },
};

/** A diagnostic about one log line: spans point into the message. */
export interface LineDiagnostic extends Omit<Diagnostic, 'severity'> {
  readonly severity: LineSeverity;
  /** The field it is about; null when it is about the line as a whole. */
  readonly field: string | null;
}

// ---- Generations (spec D2.2, D2.7) ------------------------------------------------------------

/** D9 #4: the schema generations; which release added each G3 field is not public, so G3 is one step. */
export type SchemaGeneration = Generation;
export const GENERATIONS: readonly Generation[] = ['G1', 'G2', 'G3'];

/** Spec D2.7: the release ranges haystack reports for each generation. */
export const GENERATION_RELEASES: Readonly<Record<Generation, string>> = { G1: 'v2.0-v2.8', G2: 'v2.9+', G3: 'newest' };

// ---- Field values (spec D2.3, D3.2) -----------------------------------------------------------

export const FLOW_CATS = ['client', 'server'] as const;
export const FLOW_OUTCOMES = ['allowed', 'disallowed'] as const;
export const FLOW_PROTOS = ['tls', 'ssh', 'http', 'unknown'] as const;
export const CONFIG_CATS = ['fqdn', 'client', 'see-thru', 'addr'] as const;
export const CONFIG_PROTOS = ['tls', 'ssh'] as const;

export type FlowCat = (typeof FLOW_CATS)[number];
export type FlowOutcome = (typeof FLOW_OUTCOMES)[number];
export type FlowProto = (typeof FLOW_PROTOS)[number];
export type ConfigCat = (typeof CONFIG_CATS)[number];
export type ConfigProto = (typeof CONFIG_PROTOS)[number];

/** D9 #2: the order the firewall writes flow fields in (spec D2.1); readers do not rely on it. */
export const FLOW_FIELD_ORDER = [
  'dhost', 'cat', 'outcome', 'src', 'spt', 'proto', 'proto_v', 'dst', 'dpt', 'reason', 'instance',
  'pqc', 'http_code', 'http_method', 'http_path', 'http_user_agent',
  'see_thru_days_remaining', 'see_thru_gid', 'see_thru_exerted',
] as const;

/** Spec D3.2: the config fields (per-`cat` order in D3.2 is the writer's business). */
export const CONFIG_FIELDS = ['cat', 'outcome', 'client', 'gid', 'fqdn', 'addr', 'proto', 'thru_date', 'instance'] as const;

/** D9 #1: ports are JSON numbers; D2.7 makes them integers. */
export const FLOW_PORT_TYPE = 'integer';

/** Spec D2.7 (HS3105): the port range and the HTTP status range. */
export const PORT_RANGE = [0, 65535] as const;
export const HTTP_CODE_RANGE = [100, 599] as const;

/**
 * D9 #5: `proto_v` spellings per `proto` (spec D2.7 HS3104); `null`: the field is absent
 * (`unknown` has no version, HS3108 when present).
 */
export const PROTO_VERSION_TEXT: Readonly<Record<FlowProto, readonly string[] | null>> = {
  tls: ['1.0', '1.1', '1.2', '1.3'],
  ssh: ['1.5', '1.99', '2.0'],
  http: ['1.0', '1.1'],
  unknown: null,
};

/** D9 #7: the protocols whose lines carry `pqc` (documented absent for ssh; INFERRED for the rest). */
export const PQC_PROTOCOLS: readonly FlowProto[] = ['tls'];

/** D9 #8 (spec D2.7 HS3102/HS3109): the fields each config `cat` requires, and only it carries. */
export const CONFIG_FIELDS_BY_CAT: Readonly<Record<ConfigCat, readonly string[]>> = {
  fqdn: ['gid', 'fqdn', 'proto'],
  client: ['client', 'gid'],
  'see-thru': ['gid', 'thru_date'],
  addr: ['addr'],
};

/**
 * D9 #9 (spec D3.3): whether the real `addr` refusal line also carries `gid`, `proto` or
 * `client` is unknown, and haystack tolerates them there when reading. D2.7's HS3109 would make
 * them errors; the two are reconciled by reporting them as HS3109 warnings on `addr` lines.
 */
export const CONFIG_ADDR_TOLERATED_FIELDS: ReadonlySet<string> = new Set(['gid', 'proto', 'client']);

/**
 * D9 #42 (spec D2.7 HS3103): an integer is written in plain decimal, the way JSON.stringify
 * writes one: `443`, `-1`; not `443.0` nor `4.43e2`, though their value is whole.
 */
export const INTEGER_SYNTAX = /^-?(?:0|[1-9][0-9]*)$/;

/** Spec D2.7 (HS3106): four decimal octets 0-255 without leading zeros. */
export const IPV4_SYNTAX = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;

/** Spec D5.1: a gid is read leniently (the recipe's `sg-00replaceme00` is one). */
export const GID_SYNTAX = /^sg-[0-9a-z]{1,17}$/;

/** Spec D2.7 (HS3106): an EC2 instance id. */
export const INSTANCE_SYNTAX = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Spec D2.7 (HS3106): a `dhost` hostname is D4.2's labels without `*`/`?`, dot-separated. */
export const HOSTNAME_SYNTAX = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** D9 #36: `thru_date` is zero-padded `YYYY-MM-DD` (and must be a calendar date). */
export const THRU_DATE_SYNTAX = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

const SEE_THRU_TRIO = ['see_thru_days_remaining', 'see_thru_gid', 'see_thru_exerted'] as const;
const HTTP_FIELDS: readonly string[] = [...HTTP_FIELDS_BY_SIDE.client, ...HTTP_FIELDS_BY_SIDE.server];

// ---- Parsed lines -----------------------------------------------------------------------------

interface ParsedLine {
  /** Fields no schema names, with their values as written (numbers keep their text). */
  readonly extra: ReadonlyMap<string, JsonValue>;
  /** Every field name in the order of the line, extra ones included, so it can be re-printed as read. */
  readonly order: readonly string[];
}

/**
 * The members of a flow line (spec D2.3): what the decision writes and what validation reads
 * back. Optional fields are absent, never undefined-valued.
 */
export interface FlowFields {
  readonly dhost: string;
  readonly cat: FlowCat;
  readonly outcome: FlowOutcome;
  readonly src: string;
  readonly spt: number;
  readonly proto: FlowProto;
  readonly proto_v?: string;
  readonly dst: string;
  readonly dpt: number;
  readonly reason: string;
  readonly instance?: string;
  readonly pqc?: boolean;
  readonly http_code?: number;
  readonly http_method?: string;
  readonly http_path?: string;
  readonly http_user_agent?: string;
  readonly see_thru_days_remaining?: number;
  readonly see_thru_gid?: string;
  readonly see_thru_exerted?: boolean;
}

/** A validated flow line. */
export interface FlowLine extends ParsedLine, FlowFields {
  readonly kind: 'flow';
}

/** A config line (spec D3.2). `outcome` is `accepted`/`removed`, or free text on `addr` lines. */
export interface ConfigLine extends ParsedLine {
  readonly kind: 'config';
  readonly cat: ConfigCat;
  readonly outcome: string;
  readonly client?: string;
  readonly gid?: string;
  readonly fqdn?: string;
  readonly addr?: string;
  readonly proto?: ConfigProto;
  readonly thru_date?: string;
  readonly instance?: string;
}

/** Spec D2.7: how a line is told apart. */
export type LineKind = 'flow' | 'config' | 'unknown';

/** One observation that rules generations out. */
export interface GenerationClue {
  /** Stable id (`instance`, `no-instance`, `pqc`, ...), for counting across lines. */
  readonly id: string;
  readonly field: string;
  /** The generations this observation rules out. */
  readonly excludes: readonly Generation[];
  /** Why, in plain words. */
  readonly says: string;
  readonly span: Span;
}

export interface GenerationEvidence {
  /** The earliest generation the line fits (spec D2.7 `looks_like`); null when none. */
  readonly looksLike: Generation | null;
  /** Every generation the line fits (G1 lines fit G2 too). Empty for unknown lines. */
  readonly fits: readonly Generation[];
  readonly clues: readonly GenerationClue[];
}

export interface LineVerdict {
  readonly kind: LineKind;
  /** No diagnostic of severity error. */
  readonly valid: boolean;
  /** The typed line, when the line is valid, its kind known, and it was asked for. */
  readonly line: FlowLine | ConfigLine | null;
  /** Every member as parsed (the last of a repeated key); null when the message is not a JSON object. */
  readonly fields: JsonObject | null;
  /** In order of position in the message. */
  readonly diagnostics: readonly LineDiagnostic[];
  readonly generation: GenerationEvidence;
}

// ---- Field rules ------------------------------------------------------------------------------


interface Problem {
  readonly code: SchemaCode;
  readonly message: string;
  readonly hint?: string;
}

/** A field's JSON type and, for a value of that type, its context-free check. */
type FieldRule =
  | { readonly type: 'string'; readonly check?: (value: string, name: string) => Problem | null }
  | { readonly type: 'integer'; readonly check?: (value: number, name: string) => Problem | null }
  | { readonly type: 'boolean' };

const text = (): FieldRule => ({ type: 'string' });
const bool = (): FieldRule => ({ type: 'boolean' });
const integer = (range?: readonly [number, number]): FieldRule =>
  range === undefined
    ? { type: 'integer' }
    : {
        type: 'integer',
        check: (v, name) =>
          v >= range[0] && v <= range[1] ? null : { code: SchemaCode.OutOfRange, message: `\`${name}\` is ${v}, outside ${range[0]}..${range[1]}` },
      };
const oneOf = (values: readonly string[]): FieldRule => ({ type: 'string', check: (v, name) => enumProblem(name, v, values) });
const syntax = (test: (v: string) => Problem | null): FieldRule => ({ type: 'string', check: (v) => test(v) });

function enumProblem(name: string, value: string, values: readonly string[], context = ''): Problem | null {
  if (values.includes(value)) return null;
  const lower = value.toLowerCase();
  const hint = values.includes(lower) ? `values are lower-case: \`${lower}\`` : `one of ${values.map((v) => `\`${v}\``).join(', ')}`;
  return { code: SchemaCode.NotInEnum, message: `\`${name}\` ${quote(value)} is not a known value${context}`, hint };
}

function ipv4Problem(name: string): (v: string) => Problem | null {
  return (v) =>
    IPV4_SYNTAX.test(v)
      ? null
      : {
          code: SchemaCode.Malformed,
          message: `\`${name}\` ${quote(v)} is not an IPv4 address`,
          hint: 'four decimal numbers 0-255 separated by dots, without leading zeros',
        };
}

function gidProblem(name: string): (v: string) => Problem | null {
  return (v) =>
    GID_SYNTAX.test(v) || v === DEFAULT_GID
      ? null
      : {
          code: SchemaCode.Malformed,
          message: `\`${name}\` ${quote(v)} is neither a group id nor \`${DEFAULT_GID}\``,
          hint: 'a group id is `sg-` followed by 1 to 17 of 0-9 and a-z',
        };
}

function instanceProblem(v: string): Problem | null {
  return INSTANCE_SYNTAX.test(v)
    ? null
    : { code: SchemaCode.Malformed, message: `\`instance\` ${quote(v)} is not an EC2 instance id`, hint: '`i-` followed by 8 or 17 lower-case hex digits' };
}

function dhostProblem(v: string): Problem | null {
  return IPV4_SYNTAX.test(v) || HOSTNAME_SYNTAX.test(v)
    ? null
    : {
        code: SchemaCode.Malformed,
        message: `\`dhost\` ${quote(v)} is neither an IPv4 address nor a hostname`,
        hint: 'a hostname is labels of letters, digits, `-` and `_` separated by single dots',
      };
}

function nonEmpty(name: string): (v: string) => Problem | null {
  return (v) => (v !== '' ? null : { code: SchemaCode.Malformed, message: `\`${name}\` is empty`, hint: 'it is free text, but never empty' });
}

function thruDateProblem(v: string): Problem | null {
  const m = THRU_DATE_SYNTAX.exec(v);
  if (m === null)
    return { code: SchemaCode.Malformed, message: `\`thru_date\` ${quote(v)} is not a YYYY-MM-DD date`, hint: 'zero-padded, e.g. 2026-03-31' };
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return { code: SchemaCode.Malformed, message: `\`thru_date\` ${quote(v)} is not a calendar date` };
  return null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Spec D2.3 / D2.7: each flow field's type and context-free value check. */
const FLOW_RULES: ReadonlyMap<string, FieldRule> = new Map<string, FieldRule>([
  ['dhost', syntax(dhostProblem)],
  ['cat', oneOf(FLOW_CATS)],
  ['outcome', oneOf(FLOW_OUTCOMES)],
  ['src', syntax(ipv4Problem('src'))],
  ['spt', integer(PORT_RANGE)],
  ['proto', oneOf(FLOW_PROTOS)],
  ['proto_v', text()], // its values depend on `proto`: checkFlow
  ['dst', syntax(ipv4Problem('dst'))],
  ['dpt', integer(PORT_RANGE)],
  ['reason', syntax(nonEmpty('reason'))], // free text (spec D2.7), its texts INFERRED (D6.9)
  ['instance', syntax(instanceProblem)],
  ['pqc', bool()],
  ['http_code', integer(HTTP_CODE_RANGE)], // D9 #6: a number
  ['http_method', text()],
  ['http_path', text()],
  ['http_user_agent', text()],
  ['see_thru_days_remaining', integer()],
  ['see_thru_gid', syntax(gidProblem('see_thru_gid'))],
  ['see_thru_exerted', bool()],
]);

/** Spec D3.2 / D2.7: each config field's type and context-free value check. */
const CONFIG_RULES: ReadonlyMap<string, FieldRule> = new Map<string, FieldRule>([
  ['cat', oneOf(CONFIG_CATS)],
  ['outcome', text()], // an enum except on `addr` lines: checkConfig
  ['client', syntax(ipv4Problem('client'))],
  ['gid', syntax(gidProblem('gid'))],
  ['fqdn', text()],
  ['addr', text()],
  ['proto', oneOf(CONFIG_PROTOS)],
  ['thru_date', syntax(thruDateProblem)],
  ['instance', syntax(instanceProblem)],
]);

/** Spec D2.7 HS3102: the flow fields every line has (`proto_v` too unless `proto` is `unknown`). */
const FLOW_REQUIRED = ['dhost', 'cat', 'outcome', 'src', 'spt', 'proto', 'dst', 'dpt', 'reason'] as const;
const CONFIG_REQUIRED = ['cat', 'outcome'] as const;

// ---- Generation markers (spec D2.7 table) -----------------------------------------------------

interface GenerationMarker {
  readonly id: string;
  readonly kind: 'flow' | 'config';
  readonly field: string;
  readonly excludes: readonly Generation[];
  readonly says: string;
  /** Where the line shows it (the key, the value, or the end for an absence); null when it does not. */
  find(m: Members): Span | null;
}

const keyOf = (field: string) => (m: Members): Span | null => {
  const member = m.byName.get(field);
  return member !== undefined ? keySpan(member) : null;
};
const absent = (field: string) => (m: Members): Span | null => (m.byName.has(field) ? null : span(m.close, m.close));
const valueIs = (field: string, test: (v: JsonValue) => boolean) => (m: Members): Span | null => {
  const member = m.byName.get(field);
  return member !== undefined && test(member.value) ? valueSpan(member) : null;
};

/**
 * D9 #44 (`classifyGeneration`): what each observation says about the generation, straight from
 * D2.7's "fits" table. A line fits every generation no marker excludes. Markers look at fields
 * only, whatever else is wrong with the line, so one bad port does not hide a line's generation.
 */
export const GENERATION_MARKERS: readonly GenerationMarker[] = [
  { id: 'instance', kind: 'flow', field: 'instance', excludes: ['G1', 'G2'], says: '`instance` is written from G3 on', find: keyOf('instance') },
  { id: 'no-instance', kind: 'flow', field: 'instance', excludes: ['G3'], says: 'no `instance`, which every G3 line has', find: absent('instance') },
  { id: 'pqc', kind: 'flow', field: 'pqc', excludes: ['G1', 'G2'], says: '`pqc` is written from G3 on', find: keyOf('pqc') },
  {
    id: 'tls-without-pqc', kind: 'flow', field: 'pqc', excludes: ['G3'], says: 'a tls line without `pqc`, which G3 writes on every tls line',
    find: (m) => (m.byName.get('proto')?.value === 'tls' && !m.byName.has('pqc') ? span(m.close, m.close) : null),
  },
  {
    id: 'http-fields', kind: 'flow', field: 'http_*', excludes: ['G1', 'G2'], says: '`http_*` fields are written from G3 on',
    find: (m) => {
      for (const name of m.order) if (HTTP_FIELDS.includes(name)) return keySpan(m.byName.get(name)!);
      return null;
    },
  },
  { id: 'proto-http', kind: 'flow', field: 'proto', excludes: ['G1', 'G2'], says: '`proto` `http` is identified from G3 on', find: valueIs('proto', (v) => v === 'http') },
  {
    id: 'cache-not-ready', kind: 'flow', field: 'reason', excludes: ['G1', 'G2'], says: `reason \`${REASONS.CACHE}\` exists from G3 on`,
    find: valueIs('reason', (v) => v === REASONS.CACHE),
  },
  {
    id: 'expired-see-thru', kind: 'flow', field: 'see_thru_days_remaining', excludes: ['G1', 'G2'],
    says: 'a negative `see_thru_days_remaining` (an expired see-thru still logged) appears from G3 on',
    find: valueIs('see_thru_days_remaining', (v) => v instanceof JsonNumber && v.value < 0), // D9 #11
  },
  {
    id: 'default-see-thru', kind: 'flow', field: 'see_thru_gid', excludes: ['G1'], says: `a \`${DEFAULT_GID}\` see-thru exists from v2.9.0 (G2) on`,
    find: valueIs('see_thru_gid', (v) => v === DEFAULT_GID),
  },
  { id: 'instance', kind: 'config', field: 'instance', excludes: ['G1', 'G2'], says: '`instance` is written from G3 on', find: keyOf('instance') },
  { id: 'no-instance', kind: 'config', field: 'instance', excludes: ['G3'], says: 'no `instance`, which every G3 line has', find: absent('instance') },
  { id: 'addr-line', kind: 'config', field: 'cat', excludes: ['G1'], says: '`addr` refusal lines exist from G2 on', find: valueIs('cat', (v) => v === 'addr') },
  {
    id: 'default-gid', kind: 'config', field: 'gid', excludes: ['G1'], says: `a \`${DEFAULT_GID}\` see-thru exists from v2.9.0 (G2) on`,
    find: valueIs('gid', (v) => v === DEFAULT_GID), // D9 #35
  },
  {
    id: 'wildcard-fqdn', kind: 'config', field: 'fqdn', excludes: ['G1'], says: 'wildcard addrs are accepted from v2.9.0 (G2) on',
    find: valueIs('fqdn', (v) => typeof v === 'string' && hasWildcard(v)), // D9 #41
  },
];

const FLOW_MARKERS = GENERATION_MARKERS.filter((m) => m.kind === 'flow');
const CONFIG_MARKERS = GENERATION_MARKERS.filter((m) => m.kind === 'config');

/** D9 #44: the generations a flow or config line fits (spec D2.7), with the evidence. */
export function classifyGeneration(kind: 'flow' | 'config', m: Members): GenerationEvidence {
  const clues: GenerationClue[] = [];
  const excluded = new Set<Generation>();
  for (const marker of kind === 'flow' ? FLOW_MARKERS : CONFIG_MARKERS) {
    const at = marker.find(m);
    if (at === null) continue;
    clues.push({ id: marker.id, field: marker.field, excludes: marker.excludes, says: marker.says, span: at });
    for (const g of marker.excludes) excluded.add(g);
  }
  const fits = GENERATIONS.filter((g) => !excluded.has(g));
  return { looksLike: fits[0] ?? null, fits, clues };
}

const NO_GENERATION: GenerationEvidence = { looksLike: null, fits: [], clues: [] };

// ---- The validator ----------------------------------------------------------------------------

/** Spec D2.7: flow if `cat` is client/server and `dhost` is there; config if `cat` is a config cat. */
export function lineKind(fields: ReadonlyMap<string, JsonValue>): LineKind {
  const cat = fields.get('cat');
  if (typeof cat !== 'string') return 'unknown';
  if ((cat === 'client' || cat === 'server') && fields.has('dhost')) return 'flow';
  return (CONFIG_CATS as readonly string[]).includes(cat) ? 'config' : 'unknown';
}

export interface ValidateLineOptions {
  /** Build the typed `line` of a valid line (default true); a scan that only counts can skip it. */
  readonly typed?: boolean;
}

/** Validates one log message (a flow or config line) by spec D2.7. */
export function validateLine(message: string, options: ValidateLineOptions = {}): LineVerdict {
  const m = readMembers(message);
  if (m === undefined) {
    const d = diag(SchemaCode.NotJsonObject, notObjectMessage(message), span(0, message.length), null,
      'each line is one JSON object: {"field":value,...}');
    return { kind: 'unknown', valid: false, line: null, fields: null, diagnostics: [d], generation: NO_GENERATION };
  }
  const out: LineDiagnostic[] = [];
  const kind = lineKind(m.object);
  let generation = NO_GENERATION;
  if (kind === 'flow') checkFlow(m, out);
  else if (kind === 'config') checkConfig(m, out);
  else checkUnknown(m, out);
  if (kind !== 'unknown') {
    generation = classifyGeneration(kind, m);
    if (generation.fits.length === 0) out.push(noGeneration(generation));
  }
  out.sort((a, b) => a.span.start - b.span.start || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const valid = !out.some((d) => d.severity === 'error');
  const line = !valid || options.typed === false ? null : kind === 'flow' ? flowLine(m) : kind === 'config' ? configLine(m) : null;
  return { kind, valid, line, fields: m.object, diagnostics: out, generation };
}

function checkFlow(m: Members, out: LineDiagnostic[]): void {
  const typed = checkMembers(m, FLOW_RULES, out);
  for (const name of FLOW_REQUIRED) if (!m.byName.has(name)) out.push(missing(m, name));

  const proto = typed.get('proto') as FlowProto | undefined;
  const cat = typed.get('cat') as FlowCat | undefined;
  const protoV = m.byName.get('proto_v');
  if (proto !== undefined) {
    const versions = PROTO_VERSION_TEXT[proto];
    if (versions === null) {
      if (protoV) out.push(wrongProtocol(protoV, `\`proto_v\` on a line whose \`proto\` is \`${proto}\``, 'an unidentified protocol has no version: leave `proto_v` out'));
    } else if (!protoV) out.push(missing(m, 'proto_v', `a \`${proto}\` line has a \`proto_v\``));
    else if (typed.has('proto_v')) {
      const p = enumProblem('proto_v', typed.get('proto_v') as string, versions, ` for \`${proto}\``);
      if (p) out.push(fromProblem(p, valueSpan(protoV), 'proto_v'));
    }
    const pqc = m.byName.get('pqc');
    if (pqc && !PQC_PROTOCOLS.includes(proto)) out.push(wrongProtocol(pqc, `\`pqc\` on a \`${proto}\` line`, '`pqc` is written on tls lines only'));
    for (const name of HTTP_FIELDS) {
      const f = m.byName.get(name);
      if (!f) continue;
      if (proto !== 'http') out.push(wrongProtocol(f, `\`${name}\` on a \`${proto}\` line`, '`http_*` fields are written on http lines only'));
      else if (cat !== undefined && !(HTTP_FIELDS_BY_SIDE[cat] as readonly string[]).includes(name)) {
        // D9 #6: request fields on client lines, the status on server lines.
        const side = cat === 'client' ? 'server' : 'client';
        out.push(wrongProtocol(f, `\`${name}\` on a ${cat} line`, `\`${name}\` is written on ${side} lines only (the ${cat} line carries ${HTTP_FIELDS_BY_SIDE[cat].map((n) => `\`${n}\``).join(', ')})`));
      }
    }
  }

  // Spec D2.7 HS3107: the see-thru trio is all there or not at all.
  const present = SEE_THRU_TRIO.filter((n) => m.byName.has(n));
  if (present.length > 0 && present.length < SEE_THRU_TRIO.length) {
    const first = present.map((n) => m.byName.get(n)!).sort((a, b) => a.keyStart - b.keyStart)[0]!;
    const lacking = SEE_THRU_TRIO.filter((n) => !m.byName.has(n));
    out.push(diag(SchemaCode.SeeThruIncomplete, `see-thru fields incomplete: ${lacking.map((n) => `\`${n}\``).join(' and ')} missing`,
      keySpan(first), first.name, '`see_thru_days_remaining`, `see_thru_gid` and `see_thru_exerted` come together or not at all'));
  }
}

function checkConfig(m: Members, out: LineDiagnostic[]): void {
  const typed = checkMembers(m, CONFIG_RULES, out);
  const cat = typed.get('cat') as ConfigCat; // lineKind made sure
  const own = CONFIG_FIELDS_BY_CAT[cat];
  const looksLikeFlow = cat === 'client' && (m.byName.has('src') || m.byName.has('spt'));
  for (const name of [...CONFIG_REQUIRED, ...own]) {
    if (m.byName.has(name)) continue;
    const d = missing(m, name, `a \`${cat}\` config line has \`${name}\``);
    out.push(looksLikeFlow && name === 'client' ? { ...d, hint: 'this reads as a config line because it has no `dhost`: if it is a flow line, `dhost` is missing' } : d);
  }
  for (const name of m.order) {
    if (name === 'cat' || name === 'outcome' || name === 'instance' || !CONFIG_RULES.has(name) || own.includes(name)) continue;
    const f = m.byName.get(name)!;
    const owners = CONFIG_CATS.filter((c) => CONFIG_FIELDS_BY_CAT[c].includes(name)).map((c) => `\`${c}\``).join(', ');
    const tolerated = cat === 'addr' && CONFIG_ADDR_TOLERATED_FIELDS.has(name);
    out.push({
      ...diag(SchemaCode.WrongConfigCat, `\`${name}\` on a config line of cat \`${cat}\``, keySpan(f), name,
        tolerated ? 'whether real `addr` lines carry it is not known; it is tolerated (spec D3.3)' : `\`${name}\` belongs to ${owners} lines`),
      ...(tolerated ? { severity: 'warning' as const } : {}),
    });
  }
  const outcome = m.byName.get('outcome');
  if (outcome && typed.has('outcome')) {
    const value = typed.get('outcome') as string;
    // Spec D2.7: accepted/removed (D9 #10), except the free-text refusal of an `addr` line (D3.3).
    const p = cat === 'addr' ? nonEmpty('outcome')(value) : enumProblem('outcome', value, Object.values(CONFIG_OUTCOME), ` for a \`${cat}\` line`);
    if (p) out.push(fromProblem(p, valueSpan(outcome), 'outcome'));
  }
}

/** Neither flow nor config: say what would have told it. */
function checkUnknown(m: Members, out: LineDiagnostic[]): void {
  const cat = m.byName.get('cat');
  if (!cat) {
    out.push(missing(m, 'cat', 'a line says what it is in `cat`'));
    return;
  }
  if (typeof cat.value !== 'string') {
    out.push(diag(SchemaCode.WrongType, `\`cat\` must be a string, not ${describe(cat.value)}`, valueSpan(cat), 'cat'));
    return;
  }
  if (cat.value === 'server') {
    out.push(missing(m, 'dhost', 'a `server` line is a flow line, and a flow line has `dhost`'));
    return;
  }
  const p = enumProblem('cat', cat.value, [...FLOW_CATS, ...CONFIG_CATS.filter((c) => c !== 'client')]);
  if (p) out.push(fromProblem(p, valueSpan(cat), 'cat'));
}

/**
 * Type and context-free value checks of every member with a rule; HS3110 for the others.
 * Returns the members that passed both, as plain values, by name.
 */
function checkMembers(m: Members, rules: ReadonlyMap<string, FieldRule>, out: LineDiagnostic[]): Map<string, string | number | boolean> {
  const typed = new Map<string, string | number | boolean>();
  for (const name of m.order) {
    const f = m.byName.get(name)!;
    const rule = rules.get(name);
    if (rule === undefined) {
      out.push(diag(SchemaCode.UnknownField, `unknown field \`${name}\` (kept as it is)`, keySpan(f), name));
      continue;
    }
    const v = f.value;
    let value: string | number | boolean | undefined;
    let p: Problem | null = null;
    switch (rule.type) {
      case 'string':
        if (typeof v === 'string') {
          value = v;
          p = rule.check?.(v, name) ?? null;
        }
        break;
      case 'integer':
        if (v instanceof JsonNumber && INTEGER_SYNTAX.test(v.text)) {
          value = v.value;
          p = rule.check?.(value, name) ?? null;
        }
        break;
      case 'boolean':
        if (typeof v === 'boolean') value = v;
        break;
      default: {
        const never: never = rule;
        throw new Error(`unknown field rule ${String(never)}`);
      }
    }
    if (value === undefined) out.push(typeProblem(f, rule.type));
    else if (p) out.push(fromProblem(p, valueSpan(f), name));
    else typed.set(name, value);
  }
  return typed;
}

function typeProblem(f: Member, type: FieldRule['type']): LineDiagnostic {
  const v = f.value;
  const want = type === 'string' ? 'a string' : type === 'boolean' ? '`true` or `false`' : 'an integer';
  if (v === null) return diag(SchemaCode.WrongType, `\`${f.name}\` is null`, valueSpan(f), f.name, 'an absent field is left out, never written as null (spec D2.1)');
  if (type === 'integer' && v instanceof JsonNumber) {
    const n = v.value;
    return diag(SchemaCode.WrongType, `\`${f.name}\` must be an integer in plain decimal, not ${v.text}`, valueSpan(f), f.name,
      Number.isSafeInteger(n) ? `write ${n}` : undefined);
  }
  let hint: string | undefined;
  if (type === 'integer' && typeof v === 'string' && INTEGER_SYNTAX.test(v)) hint = `a JSON number has no quotes: ${v}`;
  else if (type === 'boolean' && (v === 'true' || v === 'false')) hint = `a JSON boolean has no quotes: ${v}`;
  else if (type === 'string' && (v instanceof JsonNumber || typeof v === 'boolean')) hint = `quote it: "${v instanceof JsonNumber ? v.text : String(v)}"`;
  return diag(SchemaCode.WrongType, `\`${f.name}\` must be ${want}, not ${describe(v)}`, valueSpan(f), f.name, hint);
}

function noGeneration(g: GenerationEvidence): LineDiagnostic {
  const newer = g.clues.filter((c) => c.excludes.includes('G2'));
  const older = g.clues.filter((c) => c.excludes.includes('G3'));
  const at = newer[0] ?? older[0]!;
  return diag(SchemaCode.NoGeneration,
    `fits no schema generation: ${newer.map((c) => c.says).join('; ')}; but ${older.map((c) => c.says).join('; ')}`,
    at.span, null, 'a G3 line has `instance` (and `pqc` on tls lines); a G1/G2 line has neither, nor any other G3 field');
}

// ---- Typed lines ------------------------------------------------------------------------------

function plain(v: JsonValue): string | number | boolean {
  return v instanceof JsonNumber ? v.value : (v as string | boolean);
}

function typedLine<T>(m: Members, known: ReadonlyMap<string, FieldRule>, kind: 'flow' | 'config'): T {
  const line: Record<string, unknown> = { kind };
  const extra = new Map<string, JsonValue>();
  for (const name of m.order) {
    const v = m.byName.get(name)!.value;
    if (known.has(name)) line[name] = plain(v);
    else extra.set(name, v);
  }
  line.extra = extra;
  line.order = m.order;
  return line as T;
}

function flowLine(m: Members): FlowLine {
  return typedLine<FlowLine>(m, FLOW_RULES, 'flow');
}

function configLine(m: Members): ConfigLine {
  return typedLine<ConfigLine>(m, CONFIG_RULES, 'config');
}

// ---- Small helpers ----------------------------------------------------------------------------

function diag(code: SchemaCode, message: string, at: Span, field: string | null, hint?: string): LineDiagnostic {
  return { code, severity: SCHEMA_CODES[code].severity, message, span: at, field, ...(hint !== undefined ? { hint } : {}) };
}

function fromProblem(p: Problem, at: Span, field: string): LineDiagnostic {
  return diag(p.code, p.message, at, field, p.hint);
}

function missing(m: Members, name: string, why?: string): LineDiagnostic {
  return diag(SchemaCode.MissingField, `\`${name}\` is missing`, span(m.close, m.close), name, why);
}

function wrongProtocol(f: Member, message: string, hint: string): LineDiagnostic {
  return diag(SchemaCode.WrongProtocol, message, keySpan(f), f.name, hint);
}

function describe(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `a string (${quote(v)})`;
  if (typeof v === 'boolean') return `a boolean (${v})`;
  if (v instanceof JsonNumber) return `a number (${v.text})`;
  return Array.isArray(v) ? 'an array' : 'an object';
}

function notObjectMessage(message: string): string {
  if (message.trim() === '') return 'the line is empty, not a JSON object';
  const v = parseJson(message);
  if (v === undefined) return 'the line is not JSON';
  return `the line is ${describe(v)}, not a JSON object`;
}

/** A value in a message: JSON-quoted, shortened when long. */
function quote(v: string): string {
  const q = JSON.stringify(v);
  return q.length > 60 ? `${q.slice(0, 57)}..."` : q;
}
