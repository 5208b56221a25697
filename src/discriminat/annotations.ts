/**
 * Rule annotations (spec D4): the `discriminat:` text in the description of an egress rule.
 * `parseAnnotation` reads one description into an annotation plus diagnostics; `printAnnotation`
 * and `printAnnotations` write the canonical text back.
 *
 * Parsing follows the steps of D4.3 in order: the prefix (without it the description is an
 * ordinary one), the keyword (HS3001), then either the see-thru date (HS3002) or the addr
 * list (HS3003, then each entry judged on its own: HS3010-HS3016), and last, on the raw
 * description whatever it holds, AWS's own limits (HS3020). Diagnostics come in that order.
 */
import { type Diagnostic, type Span, span } from '../diagnostics/diagnostic.js';
import { publicSuffixTail } from './psl.js';
import { hasWildcard } from './wildcards.js';

// ---- Types ------------------------------------------------------------------------------------

/** The `%default` preference of spec D4.7 / D5.4. */
export type WildcardExposure = 'none' | 'prohibit_asterisk' | 'prohibit_public_suffix' | 'nuclear';
/** Schema generation (spec D2.2): which release's behaviour to model. */
export type Generation = 'G1' | 'G2' | 'G3';
/** The kind of rule a description sits on (spec D4.5: it decides AWS's character set). */
export type RuleTarget = 'cidr' | 'cidrIpv6' | 'groupId' | 'prefixListId';
/** Why an addr was refused; keys the config-line outcome text of spec D6.9. */
export type RefusalKey = 'PSL' | 'NO_WILDCARDS' | 'NO_ASTERISK' | 'INVALID';

export interface AnnotationOptions {
  /** Default `prohibit_public_suffix` (spec D5.4). Ignored in G1, where wildcards are invalid. */
  exposure?: WildcardExposure;
  /** Default G3. */
  generation?: Generation;
  /** Default `cidr` (spec D4.5: a description handed over without a rule is checked as IpRange). */
  target?: RuleTarget;
  /** Report HS3020 (AWS's length and character limits). Default true. */
  checkAwsLimits?: boolean;
}

/** An accepted allowlist entry. */
export interface AddrEntry {
  /** As written, trimmed. */
  raw: string;
  /** Normalised (spec D4.4): ASCII lower-case, one trailing dot removed. */
  addr: string;
  /** Where `raw` is in the description. */
  span: Span;
  /** Holds `*` or `?`. */
  wildcard: boolean;
}

/** A refused allowlist entry: in G2/G3 it gives a `cat: "addr"` config line (spec D3.3, D7). */
export interface RefusedEntry {
  /** As written, trimmed: the config line's `addr` field. */
  raw: string;
  /** Normalised like an accepted entry (D7 sorts and de-duplicates refusals on it). */
  addr: string;
  /** Where `raw` is in the description. */
  span: Span;
  key: RefusalKey;
  /** The diagnostic code that refused it (HS3011-HS3016). */
  code: string;
  /** The config line's `outcome` (spec D6.9), e.g. "publicsuffix[.]org list matched with `github.io`". */
  outcome: string;
}

export type Annotation =
  /** Not an annotation (no prefix): ignored silently (spec D4.1). */
  | { kind: 'none' }
  /** HS3001 / HS3002: the firewall ignores the rule (D9 #37). */
  | { kind: 'invalid' }
  | {
      kind: 'protocol';
      protocol: 'tls' | 'ssh';
      /** De-duplicated on `addr`, first-appearance order (spec D4.4). */
      accepted: AddrEntry[];
      /** Every refused entry, in order (not de-duplicated: each has its own span). */
      refused: RefusedEntry[];
    }
  /** `date` is zero-padded YYYY-MM-DD (D9 #36); `dateSpan` is the date as written. */
  | { kind: 'see-thru'; date: string; dateSpan: Span };

export interface ParsedDescription {
  annotation: Annotation;
  diagnostics: Diagnostic[];
}

/** The catalog of annotation diagnostics (spec D4.3). HS3021/HS3022 belong to the estate module. */
export const AnnotationCode = {
  UnknownKind: 'HS3001',
  BadDate: 'HS3002',
  EmptyList: 'HS3003',
  EmptyEntry: 'HS3010',
  Whitespace: 'HS3011',
  InvalidAddr: 'HS3012',
  IpLiteral: 'HS3013',
  NoWildcards: 'HS3014',
  NoAsterisk: 'HS3015',
  PublicSuffix: 'HS3016',
  AwsLimits: 'HS3020',
} as const;

export type AnnotationCode = (typeof AnnotationCode)[keyof typeof AnnotationCode];

export const DEFAULT_WILDCARD_EXPOSURE: WildcardExposure = 'prohibit_public_suffix';

// ---- INFERRED choices (spec D9), one place each ----------------------------------------------

/** D9 #14: `discriminat`, `tls`, `ssh`, `see-thru` match in any case (ASCII). */
export const KEYWORD_CASE_INSENSITIVE = true;

/** D9 #16: an IPv4 literal in an allowlist is refused (HS3013). */
export const ALLOW_IP_LITERALS = false;

/**
 * D9 #41: wildcards came with preferences in v2.9.0, i.e. G2. Asked for G1, `*` and `?` are
 * characters outside a hostname (HS3012), and the exposure preference does not exist (D9 #50).
 */
export const WILDCARDS_SINCE: Generation = 'G2';

const GENERATION_RANK: Record<Generation, number> = { G1: 1, G2: 2, G3: 3 };

export function wildcardsAllowed(generation: Generation): boolean {
  return GENERATION_RANK[generation] >= GENERATION_RANK[WILDCARDS_SINCE];
}

/** D9 #39 (RFC 1035 limits, applied after the trailing dot is removed). */
export const MAX_LABEL_LENGTH = 63;
export const MAX_NAME_LENGTH = 253;

/**
 * Spec D4.2: `YYYY-M-D` with one- or two-digit month and day (the 2021 page shows
 * `discriminat:see-thru:2022-1-1`); nothing else, not even surrounding spaces. It must also be
 * a calendar date (`isCalendarDate`). Printed and logged zero-padded (D9 #36, `formatThruDate`).
 */
const SEE_THRU_DATE = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/;

/** D9 #36: `thru_date` is written zero-padded `YYYY-MM-DD`. */
export function formatThruDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** D9 #33: the `outcome` of a `cat: "addr"` config line per refusal key (spec D6.9). */
export const CONFIG_REFUSALS: { readonly [K in RefusalKey]: (matchedSuffix: string) => string } = {
  // The only documented text (spec D3.3); the others are INFERRED.
  PSL: (matchedSuffix) => `publicsuffix[.]org list matched with \`${matchedSuffix}\``,
  NO_WILDCARDS: () => 'wildcard_exposure none prohibits wildcards',
  NO_ASTERISK: () => 'wildcard_exposure prohibit_asterisk prohibits *',
  INVALID: () => 'invalid address',
};

/** The config-line outcome for a refusal; `matchedSuffix` only matters for PSL. */
export function refusalOutcome(key: RefusalKey, matchedSuffix = ''): string {
  return CONFIG_REFUSALS[key](matchedSuffix);
}

/**
 * Spec D4.4 with D9 #14 and #39: lower-case (ASCII only: DNS case-insensitivity is ASCII, and
 * Unicode case mapping could change the length or turn U+212A into `k`) and drop one trailing
 * dot. Also what a dhost needs before matching (spec D6.1).
 */
export function normaliseAddr(text: string): string {
  const lower = asciiLower(text);
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Whitespace around and inside addr-list entries (D9 #38): ASCII whitespace. */
function isAddrWhitespace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

interface ListPiece {
  /** The entry as written, between commas. */
  readonly start: number;
  readonly end: number;
  /** The entry trimmed of whitespace. */
  readonly trimStart: number;
  readonly trimEnd: number;
}

/**
 * Spec D4.2/D4.3 with D9 #38: the list is split at every `,`; whitespace around an entry is
 * trimmed (HS3011 warning), inside one it refuses the entry (HS3011 error).
 */
function splitAddrList(text: string, from: number): ListPiece[] {
  const pieces: ListPiece[] = [];
  let start = from;
  for (;;) {
    const comma = text.indexOf(',', start);
    const end = comma === -1 ? text.length : comma;
    pieces.push(trimPiece(text, start, end));
    if (comma === -1) return pieces;
    start = comma + 1;
  }
}

function trimPiece(text: string, start: number, end: number): ListPiece {
  let trimStart = start;
  let trimEnd = end;
  while (trimStart < trimEnd && isAddrWhitespace(text.charCodeAt(trimStart))) trimStart++;
  while (trimEnd > trimStart && isAddrWhitespace(text.charCodeAt(trimEnd - 1))) trimEnd--;
  return { start, end, trimStart, trimEnd };
}

// ---- Diagnostics (D9 #46: the spans and severities of spec D4.3) -----------------------------

const LIST_HINT = 'separate hostnames with commas and no spaces, e.g. discriminat:tls:api.example.com,*.example.org';
const IGNORED = 'the firewall ignores this rule';

const annotationDiagnostics = {
  unknownKind(keyword: string, hasColon: boolean, at: Span): Diagnostic {
    const known = keywordKind(keyword);
    const squeezed = keywordKind(asciiLower(keyword).replace(/[^a-z]/g, '').replace(/^seethru$/, 'see-thru'));
    let message: string;
    let hint: string;
    if (known !== undefined && !hasColon) {
      message = `\`${keyword}\` must be followed by \`:\`; ${IGNORED}`;
      hint = known === 'see-thru' ? 'write discriminat:see-thru:YYYY-MM-DD' : `write discriminat:${known}:<hostnames>`;
    } else if (keyword === '') {
      message = `the annotation kind (tls, ssh or see-thru) is missing; ${IGNORED}`;
      hint = 'write discriminat:tls:<hostnames>, discriminat:ssh:<hostnames> or discriminat:see-thru:YYYY-MM-DD';
    } else {
      message = `not an annotation kind (tls, ssh or see-thru); ${IGNORED}`;
      hint = squeezed === undefined
        ? 'write discriminat:tls:<hostnames>, discriminat:ssh:<hostnames> or discriminat:see-thru:YYYY-MM-DD'
        : /\s/.test(keyword)
          ? `did you mean \`discriminat:${squeezed}:\`? Nothing may stand between the parts of the prefix`
          : `did you mean \`discriminat:${squeezed}:\`?`;
    }
    return { code: AnnotationCode.UnknownKind, severity: 'error', message, span: at, hint };
  },

  badDate(text: string, why: string, at: Span): Diagnostic {
    return {
      code: AnnotationCode.BadDate,
      severity: 'error',
      message: text === '' ? `the see-thru date is missing; ${IGNORED}` : `${why}; ${IGNORED}`,
      span: at,
      hint: 'write the last day the rule works as YYYY-MM-DD, e.g. discriminat:see-thru:2026-03-31',
    };
  },

  emptyList(protocol: 'tls' | 'ssh', at: Span): Diagnostic {
    return {
      code: AnnotationCode.EmptyList,
      severity: 'warning',
      message: `the ${protocol} allowlist is empty: this rule allows nothing`,
      span: at,
      hint: LIST_HINT,
    };
  },

  emptyEntry(at: Span): Diagnostic {
    return {
      code: AnnotationCode.EmptyEntry,
      severity: 'warning',
      message: 'empty entry in the allowlist (a doubled, leading or trailing comma): skipped',
      span: at,
      hint: 'remove the extra comma',
    };
  },

  trimmed(at: Span): Diagnostic {
    return {
      code: AnnotationCode.Whitespace,
      severity: 'warning',
      message: 'whitespace around an allowlist entry is ignored',
      span: at,
      hint: LIST_HINT,
    };
  },

  innerWhitespace(at: Span): Diagnostic {
    return {
      code: AnnotationCode.Whitespace,
      severity: 'error',
      message: refusedBecause('whitespace inside an allowlist entry'),
      span: at,
      hint: LIST_HINT,
    };
  },

  refused(code: string, message: string, at: Span, hint?: string): Diagnostic {
    return hint === undefined
      ? { code, severity: 'error', message, span: at }
      : { code, severity: 'error', message, span: at, hint };
  },

  awsLimit(message: string, at: Span, hint: string): Diagnostic {
    return { code: AnnotationCode.AwsLimits, severity: 'warning', message, span: at, hint };
  },
};

// ---- Parsing ----------------------------------------------------------------------------------

const PREFIX = 'discriminat:';
const NONE: Annotation = { kind: 'none' };
const INVALID: Annotation = { kind: 'invalid' };

interface Settings {
  readonly exposure: WildcardExposure;
  readonly generation: Generation;
  readonly target: RuleTarget;
  readonly checkAwsLimits: boolean;
}

function settingsOf(o: AnnotationOptions): Settings {
  return {
    exposure: o.exposure ?? DEFAULT_WILDCARD_EXPOSURE,
    generation: o.generation ?? 'G3',
    target: o.target ?? 'cidr',
    checkAwsLimits: o.checkAwsLimits ?? true,
  };
}

/** Reads one rule description (spec D4). Never throws: problems are diagnostics. */
export function parseAnnotation(description: string, options: AnnotationOptions = {}): ParsedDescription {
  const settings = settingsOf(options);
  const diagnostics: Diagnostic[] = [];
  const annotation = parseBody(description, settings, diagnostics);
  // Spec D4.3 step 5 runs on the raw description, annotation or not: AWS would refuse to store it.
  if (settings.checkAwsLimits) awsLimits(description, settings.target, diagnostics);
  return { annotation, diagnostics };
}

/**
 * D9 #45 and #37: the prefix is tested at offset 0 of the raw description, nothing trimmed
 * before it or between the `:`-separated keywords; a malformed keyword or date makes the whole
 * rule `invalid` (ignored by the firewall, no config line).
 */
function parseBody(description: string, settings: Settings, diagnostics: Diagnostic[]): Annotation {
  if (!keywordEquals(description.slice(0, PREFIX.length), PREFIX)) return NONE;
  const keywordStart = PREFIX.length;
  const colon = description.indexOf(':', keywordStart);
  const keywordEnd = colon === -1 ? description.length : colon;
  const keyword = description.slice(keywordStart, keywordEnd);
  const kind = colon === -1 ? undefined : keywordKind(keyword);
  if (kind === undefined) {
    diagnostics.push(annotationDiagnostics.unknownKind(keyword, colon !== -1, span(keywordStart, keywordEnd)));
    return INVALID;
  }
  const bodyStart = colon + 1;
  switch (kind) {
    case 'see-thru':
      return parseSeeThru(description, bodyStart, diagnostics);
    case 'tls':
    case 'ssh':
      return parseAddrList(description, bodyStart, kind, settings, diagnostics);
    default:
      return unreachable(kind);
  }
}

function keywordKind(text: string): 'tls' | 'ssh' | 'see-thru' | undefined {
  for (const k of ['tls', 'ssh', 'see-thru'] as const) if (keywordEquals(text, k)) return k;
  return undefined;
}

/** D9 #14 (`KEYWORD_CASE_INSENSITIVE`). `keyword` is lower-case. */
function keywordEquals(text: string, keyword: string): boolean {
  return KEYWORD_CASE_INSENSITIVE ? asciiLower(text) === keyword : text === keyword;
}

function parseSeeThru(description: string, start: number, diagnostics: Diagnostic[]): Annotation {
  const text = description.slice(start);
  const at = span(start, description.length);
  const m = SEE_THRU_DATE.exec(text);
  if (m === null) {
    diagnostics.push(annotationDiagnostics.badDate(text, 'the see-thru date is not of the form YYYY-MM-DD', at));
    return INVALID;
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isCalendarDate(year, month, day)) {
    diagnostics.push(annotationDiagnostics.badDate(text, `${text} is not a calendar date`, at));
    return INVALID;
  }
  return { kind: 'see-thru', date: formatThruDate(year, month, day), dateSpan: at };
}

/**
 * A see-thru date as the annotation grammar takes it (spec D4.2: one- or two-digit month and
 * day, a calendar date), zero-padded (D9 #36); null when malformed. For dates read elsewhere,
 * e.g. the `see_thru` preference.
 */
export function parseThruDate(text: string): string | null {
  const m = SEE_THRU_DATE.exec(text);
  if (m === null) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isCalendarDate(year, month, day) ? formatThruDate(year, month, day) : null;
}

/** Gregorian calendar, proleptic (spec D4.2: "must be a real calendar date"). */
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

/** D9 #15: each entry is judged alone; a bad one does not spoil its neighbours. */
function parseAddrList(
  description: string,
  start: number,
  protocol: 'tls' | 'ssh',
  settings: Settings,
  diagnostics: Diagnostic[],
): Annotation {
  const accepted = new Map<string, AddrEntry>();
  const refused: RefusedEntry[] = [];
  if (start === description.length) {
    diagnostics.push(annotationDiagnostics.emptyList(protocol, span(start, start)));
  } else {
    for (const piece of splitAddrList(description, start)) {
      judgeEntry(description, piece, settings, diagnostics, accepted, refused);
    }
  }
  return { kind: 'protocol', protocol, accepted: [...accepted.values()], refused };
}

/**
 * Spec D4.3 step 4 for one list entry: HS3010 (empty), HS3011 (whitespace), then `judgeAddr`.
 * Accepted entries go into `accepted` unless their normalised addr is there already (D4.4).
 */
function judgeEntry(
  text: string,
  piece: ListPiece,
  settings: Settings,
  diagnostics: Diagnostic[],
  accepted: Map<string, AddrEntry>,
  refused: RefusedEntry[],
): void {
  if (piece.trimStart === piece.trimEnd) {
    diagnostics.push(annotationDiagnostics.emptyEntry(span(piece.start, piece.start)));
    return;
  }
  const raw = text.slice(piece.trimStart, piece.trimEnd);
  const rawSpan = span(piece.trimStart, piece.trimEnd);
  const written = span(piece.start, piece.end);
  let inner = false;
  for (let i = 0; i < raw.length && !inner; i++) inner = isAddrWhitespace(raw.charCodeAt(i));
  if (inner) {
    diagnostics.push(annotationDiagnostics.innerWhitespace(written));
    refused.push(refusal(raw, rawSpan, 'INVALID', AnnotationCode.Whitespace, ''));
    return;
  }
  if (piece.start !== piece.trimStart || piece.end !== piece.trimEnd) {
    diagnostics.push(annotationDiagnostics.trimmed(written));
  }
  const verdict = judgeAddr(raw, settings);
  if (verdict.ok) {
    if (!accepted.has(verdict.addr)) accepted.set(verdict.addr, { raw, addr: verdict.addr, span: rawSpan, wildcard: verdict.wildcard });
    return;
  }
  diagnostics.push(annotationDiagnostics.refused(verdict.code, verdict.message, rawSpan, verdict.hint));
  refused.push(refusal(raw, rawSpan, verdict.key, verdict.code, verdict.matchedSuffix));
}

function refusal(raw: string, at: Span, key: RefusalKey, code: string, matchedSuffix: string): RefusedEntry {
  return { raw, addr: normaliseAddr(raw), span: at, key, code, outcome: refusalOutcome(key, matchedSuffix) };
}

type Verdict =
  | { ok: true; addr: string; wildcard: boolean }
  | { ok: false; key: RefusalKey; code: AnnotationCode; message: string; hint?: string; matchedSuffix: string };

/** One trimmed, whitespace-free entry: HS3012, HS3013, then the wildcard refusals of D4.7. */
function judgeAddr(raw: string, settings: Settings): Verdict {
  const bad = validateAddr(raw, settings.generation);
  if (bad !== undefined) {
    return { ok: false, key: 'INVALID', code: AnnotationCode.InvalidAddr, message: refusedBecause(bad.reason), hint: bad.hint, matchedSuffix: '' };
  }
  const addr = normaliseAddr(raw);
  if (!ALLOW_IP_LITERALS && isIpv4Literal(addr)) {
    return {
      ok: false,
      key: 'INVALID',
      code: AnnotationCode.IpLiteral,
      message: refusedBecause('an IPv4 address is not a hostname'),
      hint: 'allowlist the hostname the service is reached by (the firewall matches TLS SNI and DNS names)',
      matchedSuffix: '',
    };
  }
  if (!hasWildcard(addr)) return { ok: true, addr, wildcard: false };
  return judgeWildcards(addr, settings.exposure);
}

/** Spec D4.7's table. Reached only from G2 on: in G1 `validateAddr` refuses wildcards. */
function judgeWildcards(addr: string, exposure: WildcardExposure): Verdict {
  const asterisk = addr.includes('*');
  switch (exposure) {
    case 'none':
      return {
        ok: false,
        key: 'NO_WILDCARDS',
        code: AnnotationCode.NoWildcards,
        message: refusedBecause('wildcard_exposure is none, which allows no wildcard'),
        hint: 'list the hostnames one by one, or allow wildcards with the wildcard_exposure preference',
        matchedSuffix: '',
      };
    case 'prohibit_asterisk':
      if (!asterisk) break;
      return {
        ok: false,
        key: 'NO_ASTERISK',
        code: AnnotationCode.NoAsterisk,
        message: refusedBecause('wildcard_exposure is prohibit_asterisk, which allows no `*`'),
        hint: 'list the hostnames one by one, or use `?` for single characters',
        matchedSuffix: '',
      };
    case 'prohibit_public_suffix': {
      if (!asterisk) break; // `?` alone: no PSL check (spec D4.7)
      const { tail, isPublicSuffix } = publicSuffixTail(addr);
      if (!isPublicSuffix) break;
      const matched = tail === '' ? '*' : tail;
      return {
        ok: false,
        key: 'PSL',
        code: AnnotationCode.PublicSuffix,
        message: refusedBecause(tail === ''
          ? 'nothing fixed stands right of the last `*`, so it could match names anyone can register'
          : `\`${tail}\` is a public suffix, so \`*\` could match names anyone can register under it`),
        hint: tail === ''
          ? 'list the hostnames you need one by one'
          : `list the hostnames you need under ${tail} one by one (the check uses the Public Suffix List, private section included)`,
        matchedSuffix: matched,
      };
    }
    case 'nuclear':
      break;
    default:
      return unreachable(exposure);
  }
  return { ok: true, addr, wildcard: true };
}

const LABEL_HINT = 'a hostname is labels of letters, digits, `-` and `_` (and the wildcards `*` and `?`) separated by dots';

/**
 * HS3012, spec D4.3 with D9 #39: a character outside `label-char`, a leading dot, an empty
 * label, a label over 63 or a name over 253 characters (without its one trailing dot), a
 * single label. `-` may stand anywhere in a label. Returns why, or undefined when valid.
 */
function validateAddr(raw: string, generation: Generation): { reason: string; hint: string } | undefined {
  const wildcards = wildcardsAllowed(generation);
  for (const ch of raw) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0x2e || isLabelChar(c)) continue;
    if ((ch === '*' || ch === '?') && !wildcards) {
      return {
        reason: `\`${ch}\` is not a hostname character in ${generation}: wildcards came with discrimiNAT v2.9.0 (G2)`,
        hint: 'list the hostnames one by one',
      };
    }
    if (ch === '*' || ch === '?') continue;
    const url = ch === ':' || ch === '/';
    return { reason: `${showChar(ch)} cannot stand in a hostname`, hint: url ? 'write the hostname alone, without scheme, port or path' : LABEL_HINT };
  }
  if (raw.startsWith('.')) return { reason: 'a hostname cannot start with a dot', hint: 'remove the leading dot' };
  const name = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  const labels = name.split('.');
  if (labels.some((l) => l === '')) {
    return name.endsWith('.')
      ? { reason: 'a hostname cannot end with more than one dot', hint: 'remove the extra dots' }
      : { reason: 'empty label (two dots in a row)', hint: 'remove the extra dot' };
  }
  const long = labels.find((l) => l.length > MAX_LABEL_LENGTH);
  if (long !== undefined) {
    return { reason: `a label is ${long.length} characters long; at most ${MAX_LABEL_LENGTH} are allowed`, hint: LABEL_HINT };
  }
  if (name.length > MAX_NAME_LENGTH) {
    return { reason: `the hostname is ${name.length} characters long; at most ${MAX_NAME_LENGTH} are allowed`, hint: 'check the entry for a missing comma' };
  }
  if (labels.length === 1) {
    return { reason: 'a single label is not a fully qualified hostname', hint: 'write the full name, e.g. api.example.com' };
  }
  return undefined;
}

/** `label-char` of spec D4.2 without the wildcards: ASCII letters, digits, `-`, `_`. */
function isLabelChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
}

/** D9 #16: a dotted quad of decimal numbers 0-255 (leading zeros allowed). */
function isIpv4Literal(addr: string): boolean {
  const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/.exec(addr);
  return m !== null && m.slice(1).every((n) => Number(n) <= 255);
}

// ---- AWS limits (spec D4.5, D4.3 step 5) -----------------------------------------------------

export const AWS_DESCRIPTION_MAX_LENGTH = 255;
/** IpRange and Ipv6Range descriptions: letters, digits and these (spec D4.5). */
const AWS_RANGE_PUNCTUATION = ' ._-:/()#,@[]+=&;{}!$*';
/** UserIdGroupPair and PrefixListId descriptions: the same without `&`. */
const AWS_REFERENCE_PUNCTUATION = ' ._-:/()#,@[]+=;{}!$*';

function awsPunctuation(target: RuleTarget): string {
  switch (target) {
    case 'cidr':
    case 'cidrIpv6':
      return AWS_RANGE_PUNCTUATION;
    case 'groupId':
    case 'prefixListId':
      return AWS_REFERENCE_PUNCTUATION;
    default:
      return unreachable(target);
  }
}

/** HS3020: one warning per offending character, one for the length (`[255, length)`). */
function awsLimits(description: string, target: RuleTarget, diagnostics: Diagnostic[]): void {
  const punctuation = awsPunctuation(target);
  let i = 0;
  for (const ch of description) {
    const c = ch.codePointAt(0) ?? 0;
    const alnum = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
    if (!alnum && !punctuation.includes(ch)) {
      diagnostics.push(annotationDiagnostics.awsLimit(
        `${showChar(ch)} is not allowed in an AWS ${targetName(target)} rule description`,
        span(i, i + ch.length),
        awsCharHint(ch, target),
      ));
    }
    i += ch.length;
  }
  if (description.length > AWS_DESCRIPTION_MAX_LENGTH) {
    diagnostics.push(annotationDiagnostics.awsLimit(
      `the description is ${description.length} characters long; AWS stores at most ${AWS_DESCRIPTION_MAX_LENGTH}`,
      span(AWS_DESCRIPTION_MAX_LENGTH, description.length),
      'split the allowlist over several rules, each with its own discriminat:<protocol>: prefix',
    ));
  }
}

function targetName(target: RuleTarget): string {
  switch (target) {
    case 'cidr':
      return 'IPv4 range';
    case 'cidrIpv6':
      return 'IPv6 range';
    case 'groupId':
      return 'security-group reference';
    case 'prefixListId':
      return 'prefix-list';
    default:
      return unreachable(target);
  }
}

function awsCharHint(ch: string, target: RuleTarget): string {
  if (ch === '?') return 'AWS refuses to store `?`, so the `?` wildcard cannot be written on AWS: use `*` or list the hostnames';
  if (ch === '&') return `\`&\` is allowed only on CIDR (IPv4 or IPv6 range) rules, not on a ${targetName(target)} rule`;
  return 'AWS allows letters, digits, space and . _ - : / ( ) # , @ [ ] + = & ; { } ! $ * (no & on group and prefix-list rules)';
}

// ---- Printing (spec D4.4a, D9 #48) ------------------------------------------------------------

/** Canonical text of an annotation; null for `none` and `invalid`. Refused entries are left out. */
export function printAnnotation(a: Annotation): string | null {
  switch (a.kind) {
    case 'none':
    case 'invalid':
      return null;
    case 'protocol': {
      const addrs = new Set(a.accepted.map((e) => normaliseAddr(e.addr)));
      return `${PREFIX}${a.protocol}:${[...addrs].join(',')}`;
    }
    case 'see-thru': {
      const m = SEE_THRU_DATE.exec(a.date);
      const date = m === null ? a.date : formatThruDate(Number(m[1]), Number(m[2]), Number(m[3]));
      return `${PREFIX}see-thru:${date}`;
    }
    default:
      return unreachable(a);
  }
}

/**
 * Writes an allowlist as protocol-rule descriptions, each at most 255 characters with its own
 * prefix, splitting the normalised, de-duplicated entries greedily in order (spec D4.4a).
 *
 * Each entry is judged as a list entry would be (G3, `nuclear`: exposure is a deployment
 * preference, not syntax), so the output always parses back to the entries kept. Diagnostics:
 * HS3010-HS3013 for entries that are not hostnames (left out), HS3020 for an entry longer than
 * 255 minus the prefix (239 characters; left out). Their spans point into `addrs.join(',')`.
 */
export function printAnnotations(
  protocol: 'tls' | 'ssh',
  addrs: readonly string[],
): { descriptions: string[]; diagnostics: Diagnostic[] } {
  const prefix = `${PREFIX}${protocol}:`;
  const budget = AWS_DESCRIPTION_MAX_LENGTH - prefix.length;
  const joined = addrs.join(',');
  const settings: Settings = { exposure: 'nuclear', generation: 'G3', target: 'cidr', checkAwsLimits: false };
  const diagnostics: Diagnostic[] = [];
  const accepted = new Map<string, AddrEntry>();
  let offset = 0;
  for (const a of addrs) {
    judgeEntry(joined, trimPiece(joined, offset, offset + a.length), settings, diagnostics, accepted, []);
    offset += a.length + 1;
  }
  const descriptions: string[] = [];
  let current = '';
  for (const entry of accepted.values()) {
    if (entry.addr.length > budget) {
      diagnostics.push(annotationDiagnostics.awsLimit(
        `an entry of ${entry.addr.length} characters does not fit a description: ${budget} is the most after \`${prefix}\``,
        entry.span,
        'allowlist a shorter name, e.g. a wildcard over its leftmost labels',
      ));
      continue;
    }
    if (current === '') {
      current = prefix + entry.addr;
    } else if (current.length + 1 + entry.addr.length <= AWS_DESCRIPTION_MAX_LENGTH) {
      current += ',' + entry.addr;
    } else {
      descriptions.push(current);
      current = prefix + entry.addr;
    }
  }
  if (current !== '') descriptions.push(current);
  return { descriptions, diagnostics };
}

// ---- Small helpers ----------------------------------------------------------------------------

function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** A character for a message: backquoted, with its code point when not ASCII; invisible ones by code point only. */
function showChar(ch: string): string {
  const c = ch.codePointAt(0) ?? 0;
  if (c > 0x20 && c < 0x7f) return `\`${ch}\``;
  const code = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch) ? `\`${ch}\` (${code})` : code;
}

function refusedBecause(reason: string): string {
  return `${reason}; the entry is refused`;
}

function unreachable(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
