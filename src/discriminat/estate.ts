/**
 * The estate the firewall reads (spec D5): groups with their egress rules, interfaces with their
 * private IPs, the deployment-wide preferences, as a series of views over time; the readers for
 * haystack's native JSON/YAML file and for `aws ec2 describe-security-groups` /
 * `describe-network-interfaces` output (spec D5.1a); and the per-view model the decision and the
 * config diff work on (spec D4.4, D5.2).
 */
import { readFile } from 'node:fs/promises';
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { Diagnostic, Severity, Span } from '../diagnostics/diagnostic.js';
import { parseAnnotation, type Generation, type RefusalKey, type RuleTarget, type WildcardExposure } from './annotations.js';
import {
  CACHE_WARMUP_GENERATIONS,
  DEFAULT_INSTANCE,
  SECONDARY_IPS_ARE_CLIENTS,
  X509_CRLS_VALUES,
  preferencesApply,
  type X509Crls,
} from './reasons.js';

// ---------------------------------------------------------------------------------------------
// The model (spec D5.1)

/** Where a value was read: the file, a JSON path into it (`$.groups[0].egress[1]`) and its span in the file. */
export interface Origin {
  readonly file: string;
  readonly path: string;
  readonly span: Span;
}

export interface EgressRule {
  /** As AWS writes it: `tcp`, `udp`, `icmp`, `-1` (all protocols) or a protocol number. */
  readonly ipProtocol: string;
  /** Present for `tcp`/`udp` (and their numbers); absent for `-1`. */
  readonly fromPort?: number;
  readonly toPort?: number;
  /** Which kind of destination the rule names (spec D5.1a); only `cidr` can cover the Internet (D6.2). */
  readonly target: RuleTarget;
  /** The CIDR (IPv4 in canonical form, spec D4.5), IPv6 CIDR, group id or prefix-list id. */
  readonly destination: string;
  readonly description?: string;
  readonly origin: Origin;
}

export interface SecurityGroup {
  readonly gid: string;
  readonly name?: string;
  readonly egress: readonly EgressRule[];
  readonly origin: Origin;
}

export interface NetworkInterface {
  readonly eni: string;
  /** Private IPv4 addresses, primary first (spec D5.2). */
  readonly addresses: readonly string[];
  readonly groups: readonly string[];
  readonly origin: Origin;
  /** Where each of `groups` was read, in the same order. */
  readonly groupOrigins: readonly Origin[];
}

export type FlowLogVerbosity = 'full' | 'only_disallowed' | 'none';

/** The `%default` preferences (spec D5.4), with the product's key names in camel case. */
export interface Preferences {
  readonly wildcardExposure: WildcardExposure;
  readonly flowLogVerbosity: FlowLogVerbosity;
  /** A deployment-wide see-thru date, `YYYY-MM-DD` zero-padded, or null. */
  readonly seeThru: string | null;
  readonly x509Crls: X509Crls;
}

/** Spec D5.4: the values used when a preference is absent. */
export const DEFAULT_PREFERENCES: Preferences = Object.freeze({
  wildcardExposure: 'prohibit_public_suffix',
  flowLogVerbosity: 'full',
  seeThru: null,
  x509Crls: 'ignore',
});

/** One snapshot of the estate, in force from `at` (epoch ms) until the next view (spec D5.3). */
export interface EstateView {
  readonly at: number;
  readonly groups: readonly SecurityGroup[];
  readonly interfaces: readonly NetworkInterface[];
  /** As written; use `analyseView(...).preferences` for what a generation honours (D9 #50). */
  readonly preferences: Preferences;
}

export interface Estate {
  readonly firewall: { readonly instance: string };
  /** Ascending `at`; never empty. `views[0]` is the first view: every name in it is warm (D6.5). */
  readonly views: readonly EstateView[];
}

/** A diagnostic about the estate: `span` points into `source`. */
export interface EstateDiagnostic extends Diagnostic {
  readonly file: string;
  /** JSON path of the value concerned, `$` for the file itself. */
  readonly path: string;
  /** What `source` holds: the file's text, one rule description, or a one-line rendering of a rule. */
  readonly sourceKind: 'file' | 'description' | 'rule';
  readonly source: string;
}

/** Spec D5.1a, D4.5, D5.5: the estate's diagnostic codes. */
export const EstateCode = {
  DuplicateRule: 'HS3021',
  OldSeeThruShape: 'HS3022',
  UnknownKey: 'HS3201',
  BadValue: 'HS3202',
  MissingGroup: 'HS3203',
  UnusualGid: 'HS3204',
  /** Not valid JSON or YAML, or not readable (haystack's own addition to the HS32xx range). */
  Unreadable: 'HS3205',
} as const;

/**
 * Whether a diagnostic makes the estate unusable: a broken file or rule (HS32xx errors).
 * A refused annotation entry (HS30xx) is not: the firewall reads past it and writes a refusal
 * config line, so a model of the estate must too.
 */
export function isFatalEstateDiagnostic(d: Diagnostic): boolean {
  return d.severity === 'error' && d.code.startsWith('HS32');
}

// ---------------------------------------------------------------------------------------------
// Small syntax checks

const IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;
const GID = /^sg-[0-9a-z]{1,17}$/;
const AWS_GID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const INSTANCE = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export function isIpv4(s: string): boolean {
  return IPV4.test(s);
}

/** The address as an unsigned 32-bit number (caller checked `isIpv4`). */
export function ipv4ToNumber(ip: string): number {
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

function numberToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Spec D4.5: AWS canonicalises `100.68.0.18/18` to `100.68.0.0/18`. Null when not an IPv4 CIDR. */
export function canonicalCidr(cidr: string): string | null {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(cidr);
  if (!m || !isIpv4(m[1]!)) return null;
  const bits = Number(m[2]);
  if (bits > 32 || String(bits) !== m[2]) return null;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return `${numberToIpv4((ipv4ToNumber(m[1]!) & mask) >>> 0)}/${bits}`;
}

/** Whether `ip` lies in the (canonical) IPv4 `cidr`. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/') as [string, string];
  const bits = Number(bitsText);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((ipv4ToNumber(ip) & mask) >>> 0) === ((ipv4ToNumber(base) & mask) >>> 0);
}

/** A real calendar date `Y-M-D` (one-digit month/day allowed), zero-padded; null otherwise. */
export function normaliseDate(text: string): string | null {
  const m = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/.exec(text);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** `tcp`, `6`: the protocol AWS matches TCP connections with (besides `-1`). */
export function isTcp(ipProtocol: string): boolean {
  return ipProtocol === 'tcp' || ipProtocol === '6';
}

function needsPorts(ipProtocol: string): boolean {
  return isTcp(ipProtocol) || ipProtocol === 'udp' || ipProtocol === '17';
}

/** A rule for people: `tcp 443-443 0.0.0.0/0 "discriminat:tls:a.com"`. */
export function ruleText(rule: EgressRule): string {
  const ports = rule.ipProtocol === '-1' ? 'all' : rule.fromPort === undefined ? '' : `${rule.fromPort}-${rule.toPort}`;
  const dest = rule.target === 'cidr' ? rule.destination : `${rule.target} ${rule.destination}`;
  const head = [rule.ipProtocol === '-1' ? '-1' : rule.ipProtocol, ports, dest].filter((s) => s !== '').join(' ');
  return rule.description === undefined ? head : `${head} ${JSON.stringify(rule.description)}`;
}

// ---------------------------------------------------------------------------------------------
// Located values: the parsed file with spans, from the `yaml` package (which reads JSON too)

type LVal =
  | { readonly kind: 'map'; readonly span: Span; readonly entries: ReadonlyMap<string, { keySpan: Span; value: LVal }> }
  | { readonly kind: 'seq'; readonly span: Span; readonly items: readonly LVal[] }
  | { readonly kind: 'scalar'; readonly span: Span; readonly value: unknown };
type LMap = Extract<LVal, { kind: 'map' }>;

function rangeSpan(range: readonly number[] | null | undefined, fallback: Span): Span {
  return range ? { start: range[0]!, end: Math.max(range[0]!, range[1]!) } : fallback;
}

function toLVal(node: unknown, doc: Document, fallback: Span, depth = 0): LVal {
  if (depth > 200) return { kind: 'scalar', span: fallback, value: null };
  if (isAlias(node)) return toLVal(node.resolve(doc), doc, fallback, depth + 1);
  if (isMap(node)) {
    const span = rangeSpan(node.range, fallback);
    const entries = new Map<string, { keySpan: Span; value: LVal }>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keySpan = isScalar(pair.key) ? rangeSpan(pair.key.range, span) : span;
      const valueFallback = { start: keySpan.end, end: keySpan.end };
      entries.set(key, { keySpan, value: toLVal(pair.value, doc, valueFallback, depth + 1) });
    }
    return { kind: 'map', span, entries };
  }
  if (isSeq(node)) {
    const span = rangeSpan(node.range, fallback);
    return { kind: 'seq', span, items: node.items.map((i) => toLVal(i, doc, span, depth + 1)) };
  }
  if (isScalar(node)) return { kind: 'scalar', span: rangeSpan(node.range, fallback), value: node.value };
  return { kind: 'scalar', span: fallback, value: null };
}

function describeType(v: LVal): string {
  if (v.kind === 'map') return 'an object';
  if (v.kind === 'seq') return 'a list';
  if (v.value === null) return 'null';
  return typeof v.value === 'string' ? 'a string' : typeof v.value === 'number' ? 'a number' : `a ${typeof v.value}`;
}

function keyPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Collects the diagnostics of one file and reads typed values out of its located tree. */
class FileReader {
  readonly diagnostics: EstateDiagnostic[] = [];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  origin(path: string, span: Span): Origin {
    return { file: this.file, path, span };
  }

  report(code: string, severity: Severity, message: string, span: Span, path: string, hint?: string): void {
    this.diagnostics.push({ code, severity, message, span, file: this.file, path, sourceKind: 'file', source: this.text, ...(hint ? { hint } : {}) });
  }

  bad(message: string, v: LVal | Span, path: string, hint?: string): undefined {
    this.report(EstateCode.BadValue, 'error', message, 'kind' in v ? v.span : v, path, hint);
    return undefined;
  }

  /** HS3201 for every key not in `known`. */
  unknownKeys(map: LMap, path: string, known: readonly string[]): void {
    for (const [key, { keySpan }] of map.entries) {
      if (!known.includes(key)) {
        this.report(EstateCode.UnknownKey, 'warning', `unknown key \`${key}\` is ignored`, keySpan, keyPath(path, key), `known keys here: ${known.join(', ')}`);
      }
    }
  }

  map(v: LVal, path: string, what: string): LMap | undefined {
    return v.kind === 'map' ? v : this.bad(`${what} must be an object, not ${describeType(v)}`, v, path);
  }

  /** A required (or optional) entry of a map; reports a missing required key at the map. */
  entry(map: LMap, key: string, path: string, required: boolean): LVal | undefined {
    const e = map.entries.get(key);
    if (e === undefined) {
      if (required) this.bad(`\`${key}\` is required here`, { start: map.span.start, end: Math.min(map.span.end, map.span.start + 1) }, path);
      return undefined;
    }
    return e.value;
  }

  string(map: LMap, key: string, path: string, required: boolean): string | undefined {
    const v = this.entry(map, key, path, required);
    if (v === undefined) return undefined;
    if (v.kind === 'scalar' && typeof v.value === 'string') return v.value;
    return this.bad(`\`${key}\` must be a string, not ${describeType(v)}`, v, keyPath(path, key));
  }

  integer(map: LMap, key: string, path: string, required: boolean): number | undefined {
    const v = this.entry(map, key, path, required);
    if (v === undefined) return undefined;
    if (v.kind === 'scalar' && typeof v.value === 'number' && Number.isInteger(v.value)) return v.value;
    return this.bad(`\`${key}\` must be an integer, not ${describeType(v)}`, v, keyPath(path, key));
  }

  list(map: LMap, key: string, path: string, required: boolean): readonly LVal[] | undefined {
    const v = this.entry(map, key, path, required);
    if (v === undefined) return undefined;
    if (v.kind === 'seq') return v.items;
    return this.bad(`\`${key}\` must be a list, not ${describeType(v)}`, v, keyPath(path, key));
  }

  stringItem(v: LVal, path: string, what: string): string | undefined {
    if (v.kind === 'scalar' && typeof v.value === 'string') return v.value;
    return this.bad(`${what} must be a string, not ${describeType(v)}`, v, path);
  }

  spanOf(map: LMap, key: string): Span {
    return map.entries.get(key)?.value.span ?? map.span;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading one file

/** What one file contributes; `kind` is how it was recognised. */
export interface EstateFile {
  readonly file: string;
  readonly kind: 'native' | 'describe-security-groups' | 'describe-network-interfaces';
  readonly firewall?: { readonly instance: string };
  readonly preferences?: Preferences;
  readonly groups?: readonly SecurityGroup[];
  readonly interfaces?: readonly NetworkInterface[];
  readonly views?: readonly ViewPatch[];
}

/** A `views[]` entry: replaces what it names from `at` on (spec D5.1a). */
export interface ViewPatch {
  readonly at: number;
  readonly groups?: readonly SecurityGroup[];
  readonly interfaces?: readonly NetworkInterface[];
  readonly preferences?: Preferences;
}

/**
 * Reads one estate file (text already loaded): native JSON/YAML, or the JSON (or YAML) output
 * of `aws ec2 describe-security-groups` / `describe-network-interfaces`, told apart by their
 * top-level keys. Never throws on bad input: problems are diagnostics.
 */
export function readEstateFile(file: string, text: string): { estateFile: EstateFile; diagnostics: EstateDiagnostic[] } {
  const r = new FileReader(file, text);
  const empty: EstateFile = { file, kind: 'native' };
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    // The first syntax error; the ones after it are mostly its echoes.
    for (const e of doc.errors.slice(0, 1)) {
      r.report(EstateCode.Unreadable, 'error', `not valid JSON or YAML: ${e.message.split('\n')[0]}`, { start: e.pos[0], end: e.pos[1] }, '$');
    }
    return { estateFile: empty, diagnostics: r.diagnostics };
  }
  const whole = { start: 0, end: text.length };
  const root = toLVal(doc.contents, doc, whole);
  if (root.kind !== 'map') {
    r.bad(`an estate file must hold one object, not ${describeType(root)}`, root, '$', 'see spec D5.1a for the native shape');
    return { estateFile: empty, diagnostics: r.diagnostics };
  }
  const hasSg = root.entries.has('SecurityGroups');
  const hasEni = root.entries.has('NetworkInterfaces');
  if (hasSg || hasEni) {
    // AWS output: everything but the two lists is ignored (spec D5.1a).
    const groups = hasSg ? readDescribeGroups(r, root) : undefined;
    const interfaces = hasEni ? readDescribeInterfaces(r, root) : undefined;
    return {
      estateFile: {
        file,
        kind: hasSg ? 'describe-security-groups' : 'describe-network-interfaces',
        ...(groups ? { groups } : {}),
        ...(interfaces ? { interfaces } : {}),
      },
      diagnostics: r.diagnostics,
    };
  }
  const estateFile = readNative(r, root);
  // In the order of the text, as an editor lists them (the sort is stable).
  return { estateFile, diagnostics: r.diagnostics.sort((a, b) => a.span.start - b.span.start) };
}

const NATIVE_TOP = ['firewall', 'preferences', 'groups', 'interfaces', 'views'];
const NATIVE_GROUP = ['gid', 'name', 'egress'];
const NATIVE_RULE = ['ipProtocol', 'fromPort', 'toPort', 'cidr', 'cidrIpv6', 'groupId', 'prefixListId', 'description'];
const NATIVE_INTERFACE = ['eni', 'addresses', 'groups'];
const NATIVE_VIEW = ['at', 'groups', 'interfaces', 'preferences'];
const PREFERENCE_KEYS = ['wildcard_exposure', 'flow_log_verbosity', 'see_thru', 'x509_crls'];
const TARGETS: readonly RuleTarget[] = ['cidr', 'cidrIpv6', 'groupId', 'prefixListId'];

function readNative(r: FileReader, root: LMap): EstateFile {
  r.unknownKeys(root, '$', NATIVE_TOP);
  let firewall: { instance: string } | undefined;
  const fw = r.entry(root, 'firewall', '$', false);
  if (fw) {
    const m = r.map(fw, '$.firewall', '`firewall`');
    if (m) {
      r.unknownKeys(m, '$.firewall', ['instance']);
      const instance = r.string(m, 'instance', '$.firewall', true);
      if (instance !== undefined) {
        if (INSTANCE.test(instance)) firewall = { instance };
        else r.bad(`\`${instance}\` is not an EC2 instance id`, r.spanOf(m, 'instance'), '$.firewall.instance', 'i- followed by 8 or 17 lower-case hex digits');
      }
    }
  }
  const prefs = root.entries.get('preferences');
  const preferences = prefs ? readPreferences(r, prefs.value, '$.preferences') : undefined;
  const groups = root.entries.has('groups') ? readNativeGroups(r, root, '$') : undefined;
  const interfaces = root.entries.has('interfaces') ? readNativeInterfaces(r, root, '$') : undefined;
  const viewItems = r.list(root, 'views', '$', false);
  let views: ViewPatch[] | undefined;
  if (viewItems) {
    views = [];
    viewItems.forEach((item, i) => {
      const path = `$.views[${i}]`;
      const m = r.map(item, path, 'a view');
      if (!m) return;
      r.unknownKeys(m, path, NATIVE_VIEW);
      const at = readInstant(r, m, path);
      const p = m.entries.get('preferences');
      const vp = p ? readPreferences(r, p.value, `${path}.preferences`) : undefined;
      const vg = m.entries.has('groups') ? readNativeGroups(r, m, path) : undefined;
      const vi = m.entries.has('interfaces') ? readNativeInterfaces(r, m, path) : undefined;
      if (at === undefined) return;
      views!.push({ at, ...(vg ? { groups: vg } : {}), ...(vi ? { interfaces: vi } : {}), ...(vp ? { preferences: vp } : {}) });
    });
  }
  return {
    file: r.file,
    kind: 'native',
    ...(firewall ? { firewall } : {}),
    ...(preferences ? { preferences } : {}),
    ...(groups ? { groups } : {}),
    ...(interfaces ? { interfaces } : {}),
    ...(views ? { views } : {}),
  };
}

function readInstant(r: FileReader, m: LMap, path: string): number | undefined {
  const v = r.entry(m, 'at', path, true);
  if (v === undefined) return undefined;
  if (v.kind === 'scalar' && typeof v.value === 'number' && Number.isInteger(v.value)) return v.value;
  if (v.kind === 'scalar' && typeof v.value === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(v.value)) {
    const t = Date.parse(v.value);
    if (!Number.isNaN(t)) return t;
  }
  return r.bad('`at` must be an ISO-8601 time (2026-03-29T08:00:00Z) or epoch milliseconds', v, `${path}.at`);
}

function readPreferences(r: FileReader, v: LVal, path: string): Preferences | undefined {
  const m = r.map(v, path, '`preferences`');
  if (!m) return undefined;
  r.unknownKeys(m, path, ['%default']);
  const d = m.entries.get('%default');
  if (!d) return DEFAULT_PREFERENCES;
  const dpath = keyPath(path, '%default');
  const dm = r.map(d.value, dpath, '`%default`');
  if (!dm) return undefined;
  // Spec D5.4: unknown keys are ignored by the product; haystack warns, since a typo is likelier.
  r.unknownKeys(dm, dpath, PREFERENCE_KEYS);
  const choice = <T extends string>(key: string, values: readonly T[], fallback: T): T | undefined => {
    const s = r.string(dm, key, dpath, false);
    if (s === undefined) return dm.entries.has(key) ? undefined : fallback;
    if ((values as readonly string[]).includes(s)) return s as T;
    return r.bad(`\`${s}\` is not a value of \`${key}\``, r.spanOf(dm, key), keyPath(dpath, key), `one of: ${values.join(', ')}`);
  };
  const wildcardExposure = choice<WildcardExposure>('wildcard_exposure', ['none', 'prohibit_asterisk', 'prohibit_public_suffix', 'nuclear'], DEFAULT_PREFERENCES.wildcardExposure);
  const flowLogVerbosity = choice<FlowLogVerbosity>('flow_log_verbosity', ['full', 'only_disallowed', 'none'], DEFAULT_PREFERENCES.flowLogVerbosity);
  const x509Crls = choice<X509Crls>('x509_crls', X509_CRLS_VALUES, DEFAULT_PREFERENCES.x509Crls);
  let seeThru: string | null | undefined = null;
  const st = dm.entries.get('see_thru');
  if (st && !(st.value.kind === 'scalar' && st.value.value === null)) {
    const text = st.value.kind === 'scalar' && typeof st.value.value === 'string' ? st.value.value : undefined;
    seeThru = text === undefined ? undefined : normaliseDate(text);
    if (seeThru == null) {
      seeThru = undefined;
      r.bad('`see_thru` must be null or a date YYYY-MM-DD', st.value, keyPath(dpath, 'see_thru'));
    }
  }
  if (wildcardExposure === undefined || flowLogVerbosity === undefined || x509Crls === undefined || seeThru === undefined) return undefined;
  return { wildcardExposure, flowLogVerbosity, seeThru, x509Crls };
}

function checkGid(r: FileReader, gid: string, span: Span, path: string, definition: boolean): boolean {
  if (!GID.test(gid)) {
    r.bad(`\`${gid}\` is not a security group id`, span, path, 'sg- followed by 1 to 17 characters 0-9 a-z');
    return false;
  }
  if (definition && !AWS_GID.test(gid)) {
    r.report(EstateCode.UnusualGid, 'warning', `\`${gid}\` is not a group id as AWS issues them`, span, path, 'AWS issues sg- followed by 8 or 17 hex digits');
  }
  return true;
}

function readNativeGroups(r: FileReader, parent: LMap, parentPath: string): SecurityGroup[] {
  const items = r.list(parent, 'groups', parentPath, true) ?? [];
  const out: SecurityGroup[] = [];
  items.forEach((item, i) => {
    const path = `${parentPath}.groups[${i}]`;
    const m = r.map(item, path, 'a group');
    if (!m) return;
    r.unknownKeys(m, path, NATIVE_GROUP);
    const gid = r.string(m, 'gid', path, true);
    const name = r.string(m, 'name', path, false);
    const egressItems = r.list(m, 'egress', path, false) ?? [];
    const egress: EgressRule[] = [];
    egressItems.forEach((ri, j) => {
      const rule = readNativeRule(r, ri, `${path}.egress[${j}]`);
      if (rule) egress.push(rule);
    });
    if (gid === undefined || !checkGid(r, gid, r.spanOf(m, 'gid'), `${path}.gid`, true)) return;
    out.push({ gid, ...(name !== undefined ? { name } : {}), egress, origin: r.origin(path, m.span) });
  });
  return out;
}

function readNativeRule(r: FileReader, v: LVal, path: string): EgressRule | undefined {
  const m = r.map(v, path, 'an egress rule');
  if (!m) return undefined;
  const errorsBefore = r.diagnostics.length;
  r.unknownKeys(m, path, NATIVE_RULE);
  const pv = r.entry(m, 'ipProtocol', path, true);
  let ipProtocol: string | undefined;
  if (pv) {
    // YAML reads an unquoted -1 or 6 as a number; AWS writes them as strings.
    if (pv.kind === 'scalar' && (typeof pv.value === 'string' || (typeof pv.value === 'number' && Number.isInteger(pv.value)))) ipProtocol = String(pv.value);
    else r.bad(`\`ipProtocol\` must be a string, not ${describeType(pv)}`, pv, `${path}.ipProtocol`);
  }
  const fromPort = r.integer(m, 'fromPort', path, false);
  const toPort = r.integer(m, 'toPort', path, false);
  const description = r.string(m, 'description', path, false);
  const present = TARGETS.filter((t) => m.entries.has(t));
  if (present.length !== 1) {
    r.bad(
      present.length === 0 ? 'an egress rule needs a destination' : `an egress rule has one destination, not ${present.length}`,
      present.length === 0 ? { start: m.span.start, end: Math.min(m.span.end, m.span.start + 1) } : r.spanOf(m, present[1]!),
      path,
      'exactly one of cidr, cidrIpv6, groupId, prefixListId',
    );
    return undefined;
  }
  const target = present[0]!;
  const dest = r.string(m, target, path, true);
  // A rule with a bad field is dropped whole, reported once.
  if (ipProtocol === undefined || dest === undefined || r.diagnostics.slice(errorsBefore).some((d) => d.severity === 'error')) return undefined;
  return finishRule(r, { ipProtocol, fromPort, toPort, target, dest, description, path, span: m.span, destSpan: r.spanOf(m, target) });
}

/** Shared by both readers: port and destination checks, CIDR canonicalisation. */
function finishRule(
  r: FileReader,
  x: { ipProtocol: string; fromPort?: number | undefined; toPort?: number | undefined; target: RuleTarget; dest: string; description?: string | undefined; path: string; span: Span; destSpan: Span },
): EgressRule | undefined {
  let destination = x.dest;
  if (x.target === 'cidr') {
    const c = canonicalCidr(x.dest);
    if (c === null) return r.bad(`\`${x.dest}\` is not an IPv4 CIDR`, x.destSpan, x.path, 'for example 0.0.0.0/0');
    destination = c;
  }
  const base = { ipProtocol: x.ipProtocol, target: x.target, destination, ...(x.description !== undefined ? { description: x.description } : {}), origin: r.origin(x.path, x.span) };
  if (x.ipProtocol === '-1') return base;
  if (needsPorts(x.ipProtocol)) {
    if (x.fromPort === undefined || x.toPort === undefined) return r.bad(`a \`${x.ipProtocol}\` rule needs fromPort and toPort`, x.span, x.path);
    if (x.fromPort < 0 || x.toPort > 65535 || x.fromPort > x.toPort) return r.bad(`port range ${x.fromPort}-${x.toPort} is not within 0-65535 in order`, x.span, x.path);
  }
  return { ...base, ...(x.fromPort !== undefined ? { fromPort: x.fromPort } : {}), ...(x.toPort !== undefined ? { toPort: x.toPort } : {}) };
}

function readNativeInterfaces(r: FileReader, parent: LMap, parentPath: string): NetworkInterface[] {
  const items = r.list(parent, 'interfaces', parentPath, true) ?? [];
  const out: NetworkInterface[] = [];
  items.forEach((item, i) => {
    const path = `${parentPath}.interfaces[${i}]`;
    const m = r.map(item, path, 'an interface');
    if (!m) return;
    r.unknownKeys(m, path, NATIVE_INTERFACE);
    const eni = r.string(m, 'eni', path, false) ?? `interfaces[${i}]`;
    const addresses: string[] = [];
    (r.list(m, 'addresses', path, true) ?? []).forEach((a, j) => {
      const s = r.stringItem(a, `${path}.addresses[${j}]`, 'an address');
      if (s === undefined) return;
      if (isIpv4(s)) addresses.push(s);
      else r.bad(`\`${s}\` is not an IPv4 address`, a, `${path}.addresses[${j}]`);
    });
    const groups: string[] = [];
    const groupOrigins: Origin[] = [];
    (r.list(m, 'groups', path, true) ?? []).forEach((g, j) => {
      const s = r.stringItem(g, `${path}.groups[${j}]`, 'a group id');
      if (s !== undefined && checkGid(r, s, g.span, `${path}.groups[${j}]`, false)) {
        groups.push(s);
        groupOrigins.push(r.origin(`${path}.groups[${j}]`, g.span));
      }
    });
    out.push({ eni, addresses, groups, origin: r.origin(path, m.span), groupOrigins });
  });
  return out;
}

function readDescribeGroups(r: FileReader, root: LMap): SecurityGroup[] {
  const out: SecurityGroup[] = [];
  (r.list(root, 'SecurityGroups', '$', true) ?? []).forEach((item, i) => {
    const path = `$.SecurityGroups[${i}]`;
    const m = r.map(item, path, 'a security group');
    if (!m) return;
    const gid = r.string(m, 'GroupId', path, true);
    const name = r.string(m, 'GroupName', path, false);
    const egress: EgressRule[] = [];
    (r.list(m, 'IpPermissionsEgress', path, false) ?? []).forEach((pv, j) => {
      const ppath = `${path}.IpPermissionsEgress[${j}]`;
      const pm = r.map(pv, ppath, 'a permission');
      if (!pm) return;
      const ipProtocol = r.string(pm, 'IpProtocol', ppath, true);
      const fromPort = r.integer(pm, 'FromPort', ppath, false);
      const toPort = r.integer(pm, 'ToPort', ppath, false);
      if (ipProtocol === undefined) return;
      const kinds: [string, RuleTarget, string][] = [
        ['IpRanges', 'cidr', 'CidrIp'],
        ['Ipv6Ranges', 'cidrIpv6', 'CidrIpv6'],
        ['PrefixListIds', 'prefixListId', 'PrefixListId'],
        ['UserIdGroupPairs', 'groupId', 'GroupId'],
      ];
      for (const [listKey, target, destKey] of kinds) {
        (r.list(pm, listKey, ppath, false) ?? []).forEach((ev, k) => {
          const epath = `${ppath}.${listKey}[${k}]`;
          const em = r.map(ev, epath, 'a rule');
          if (!em) return;
          const dest = r.string(em, destKey, epath, true);
          const description = r.string(em, 'Description', epath, false);
          if (dest === undefined) return;
          const rule = finishRule(r, { ipProtocol, fromPort, toPort, target, dest, description, path: epath, span: em.span, destSpan: r.spanOf(em, destKey) });
          if (rule) egress.push(rule);
        });
      }
    });
    if (gid === undefined || !checkGid(r, gid, r.spanOf(m, 'GroupId'), `${path}.GroupId`, true)) return;
    out.push({ gid, ...(name !== undefined ? { name } : {}), egress, origin: r.origin(path, m.span) });
  });
  return out;
}

function readDescribeInterfaces(r: FileReader, root: LMap): NetworkInterface[] {
  const out: NetworkInterface[] = [];
  (r.list(root, 'NetworkInterfaces', '$', true) ?? []).forEach((item, i) => {
    const path = `$.NetworkInterfaces[${i}]`;
    const m = r.map(item, path, 'a network interface');
    if (!m) return;
    const eni = r.string(m, 'NetworkInterfaceId', path, true) ?? `NetworkInterfaces[${i}]`;
    const primary: string[] = [];
    const secondary: string[] = [];
    const list = r.list(m, 'PrivateIpAddresses', path, false);
    if (list) {
      list.forEach((av, j) => {
        const apath = `${path}.PrivateIpAddresses[${j}]`;
        const am = r.map(av, apath, 'a private address');
        if (!am) return;
        const ip = r.string(am, 'PrivateIpAddress', apath, true);
        if (ip === undefined) return;
        if (!isIpv4(ip)) {
          r.bad(`\`${ip}\` is not an IPv4 address`, r.spanOf(am, 'PrivateIpAddress'), `${apath}.PrivateIpAddress`);
          return;
        }
        const p = am.entries.get('Primary')?.value;
        (p?.kind === 'scalar' && p.value === true ? primary : secondary).push(ip);
      });
    } else {
      const ip = r.string(m, 'PrivateIpAddress', path, false);
      if (ip !== undefined && isIpv4(ip)) primary.push(ip);
      else if (ip !== undefined) r.bad(`\`${ip}\` is not an IPv4 address`, r.spanOf(m, 'PrivateIpAddress'), `${path}.PrivateIpAddress`);
    }
    const groups: string[] = [];
    const groupOrigins: Origin[] = [];
    (r.list(m, 'Groups', path, false) ?? []).forEach((gv, j) => {
      const gpath = `${path}.Groups[${j}]`;
      const gm = r.map(gv, gpath, 'a group');
      if (!gm) return;
      const gid = r.string(gm, 'GroupId', gpath, true);
      if (gid !== undefined && checkGid(r, gid, r.spanOf(gm, 'GroupId'), `${gpath}.GroupId`, false)) {
        groups.push(gid);
        groupOrigins.push(r.origin(`${gpath}.GroupId`, r.spanOf(gm, 'GroupId')));
      }
    });
    out.push({ eni, addresses: [...primary, ...secondary], groups, origin: r.origin(path, m.span), groupOrigins });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Merging files into an estate

export interface LoadOptions {
  /** Which generation's rules to judge annotations by when reporting their diagnostics (default G3). */
  readonly generation?: Generation;
  /** The firewall's instance id, over any native file's (default: the file's, else DEFAULT_INSTANCE). */
  readonly instance?: string;
}

export interface LoadedEstate {
  readonly estate: Estate;
  readonly diagnostics: EstateDiagnostic[];
  /** How each file was recognised, in the order given. */
  readonly files: readonly { file: string; kind: EstateFile['kind'] }[];
}

/** Reads and merges estate files (spec D5.1a); a file that cannot be read is an HS3205 error. */
export async function loadEstate(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedEstate> {
  const texts: { file: string; text: string }[] = [];
  const unreadable: EstateDiagnostic[] = [];
  for (const file of paths) {
    try {
      texts.push({ file, text: await readFile(file, 'utf8') });
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      unreadable.push({ code: EstateCode.Unreadable, severity: 'error', message: `cannot read the estate file: ${reason}`, span: { start: 0, end: 0 }, file, path: '$', sourceKind: 'file', source: '' });
    }
  }
  const loaded = estateFromTexts(texts, options);
  return { ...loaded, diagnostics: [...unreadable, ...loaded.diagnostics] };
}

/** As `loadEstate`, from texts already in memory. */
export function estateFromTexts(texts: readonly { file: string; text: string }[], options: LoadOptions = {}): LoadedEstate {
  const diagnostics: EstateDiagnostic[] = [];
  const parts: EstateFile[] = [];
  for (const { file, text } of texts) {
    const r = readEstateFile(file, text);
    parts.push(r.estateFile);
    diagnostics.push(...r.diagnostics);
  }
  const estate = mergeEstateFiles(parts, options, diagnostics, new Map(texts.map((t) => [t.file, t.text])));
  diagnostics.push(...estateDiagnostics(estate, options.generation ?? 'G3'));
  return { estate, diagnostics, files: parts.map((p) => ({ file: p.file, kind: p.kind })) };
}

function fileDiagnostic(code: string, severity: Severity, message: string, origin: Origin, sources: ReadonlyMap<string, string>, hint?: string): EstateDiagnostic {
  const source = sources.get(origin.file);
  const span = source === undefined ? { start: 0, end: 0 } : origin.span;
  return { code, severity, message, span, file: origin.file, path: origin.path, sourceKind: 'file', source: source ?? '', ...(hint ? { hint } : {}) };
}

/**
 * Spec D5.1a, D5.3: the top-level parts of every file form the base view (at 0); `views`
 * entries then replace what they name from their `at` on. Without a base, the first `views`
 * entry is the first view.
 */
export function mergeEstateFiles(
  parts: readonly EstateFile[],
  options: LoadOptions = {},
  diagnostics: EstateDiagnostic[] = [],
  sources: ReadonlyMap<string, string> = new Map(),
): Estate {
  let instance = options.instance;
  let groups: SecurityGroup[] | undefined;
  let interfaces: NetworkInterface[] | undefined;
  let preferences: Preferences | undefined;
  const patches: ViewPatch[] = [];
  for (const p of parts) {
    if (p.firewall && instance === undefined) instance = p.firewall.instance;
    if (p.groups) groups = [...(groups ?? []), ...p.groups];
    if (p.interfaces) interfaces = [...(interfaces ?? []), ...p.interfaces];
    if (p.preferences) preferences = p.preferences;
    if (p.views) patches.push(...p.views);
  }
  patches.sort((a, b) => a.at - b.at);
  const views: EstateView[] = [];
  let current: EstateView = { at: 0, groups: groups ?? [], interfaces: interfaces ?? [], preferences: preferences ?? DEFAULT_PREFERENCES };
  const hasBase = groups !== undefined || interfaces !== undefined || preferences !== undefined || patches.length === 0;
  if (hasBase) views.push(current);
  for (const v of patches) {
    current = {
      at: v.at,
      groups: v.groups ?? current.groups,
      interfaces: v.interfaces ?? current.interfaces,
      preferences: v.preferences ?? current.preferences,
    };
    if (views.length > 0 && views[views.length - 1]!.at === v.at) views[views.length - 1] = current;
    else views.push(current);
  }
  // Each view's own consistency: duplicate gids, interfaces naming groups that are not there.
  const seen = new Set<string>();
  for (const view of views) {
    const gids = new Map<string, SecurityGroup>();
    for (const g of view.groups) {
      const prev = gids.get(g.gid);
      if (prev && !seen.has(`dup ${g.origin.file} ${g.origin.path}`)) {
        seen.add(`dup ${g.origin.file} ${g.origin.path}`);
        diagnostics.push(fileDiagnostic(EstateCode.BadValue, 'error', `group ${g.gid} is defined twice (also at ${prev.origin.file} ${prev.origin.path})`, g.origin, sources));
      }
      if (!prev) gids.set(g.gid, g);
    }
    for (const ni of view.interfaces) {
      for (const [j, gid] of ni.groups.entries()) {
        const origin = ni.groupOrigins[j] ?? ni.origin;
        const key = `missing ${origin.file} ${origin.path} ${gid}`;
        if (!gids.has(gid) && !seen.has(key)) {
          seen.add(key);
          diagnostics.push(fileDiagnostic(EstateCode.MissingGroup, 'warning', `interface ${ni.eni} names group ${gid}, which the estate does not hold; it is treated as a group with no rules`, origin, sources, 'add the group to the estate (describe-security-groups output or the native file)'));
        }
      }
    }
  }
  return { firewall: { instance: instance ?? DEFAULT_INSTANCE }, views };
}

// ---------------------------------------------------------------------------------------------
// Views over time (spec D5.3)

/** The index of the view in force at `at`; a time before the first view uses the first. */
export function viewIndexAt(estate: Estate, at: number): number {
  let i = 0;
  while (i + 1 < estate.views.length && estate.views[i + 1]!.at <= at) i++;
  return i;
}

// ---------------------------------------------------------------------------------------------
// The per-view model (spec D4.4, D5.2)

/** Where a protocol entry was carried: the (ip protocol, port range) of one rule (spec D4.4). */
export interface RulePorts {
  readonly ipProtocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
}

/** One accepted `(proto, addr)` of a group. */
export interface AllowEntry {
  readonly proto: 'tls' | 'ssh';
  /** Normalised (lower-case, no trailing dot). */
  readonly addr: string;
  readonly wildcard: boolean;
  /** The distinct (ip protocol, port range) of every rule that carried it, in rule order. */
  readonly ports: readonly RulePorts[];
  readonly rules: readonly EgressRule[];
}

/** One refused addr of a group (spec D4.3, D7): one per normalised addr. */
export interface RefusedAddr {
  readonly proto: 'tls' | 'ssh';
  readonly addr: string;
  /** The first spelling, trimmed: what a `cat: "addr"` line shows. */
  readonly raw: string;
  readonly key: RefusalKey;
  readonly code: string;
  readonly outcome: string;
}

export interface GroupModel {
  readonly gid: string;
  readonly group: SecurityGroup;
  /** First-appearance order. */
  readonly entries: readonly AllowEntry[];
  readonly refused: readonly RefusedAddr[];
  /** The latest valid see-thru date of the group, `YYYY-MM-DD` (D9 #47). */
  readonly seeThru: string | null;
  readonly hasProtocolRules: boolean;
  readonly annotated: boolean;
}

export interface Client {
  readonly ip: string;
  readonly enis: readonly string[];
  /** Distinct, in byte order. */
  readonly gids: readonly string[];
}

export interface ViewModel {
  readonly view: EstateView;
  readonly generation: Generation;
  /** What the generation honours (G1: all defaults, D9 #50). */
  readonly preferences: Preferences;
  readonly groups: ReadonlyMap<string, GroupModel>;
  readonly clients: ReadonlyMap<string, Client>;
  readonly diagnostics: readonly EstateDiagnostic[];
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Spec D5.2 (D9 #19): every private IPv4 of every interface is a client with its groups. */
export function clientsOf(view: EstateView): Map<string, Client> {
  const acc = new Map<string, { enis: string[]; gids: Set<string> }>();
  for (const ni of view.interfaces) {
    const ips = SECONDARY_IPS_ARE_CLIENTS ? ni.addresses : ni.addresses.slice(0, 1);
    for (const ip of ips) {
      const c = acc.get(ip) ?? { enis: [], gids: new Set<string>() };
      if (!c.enis.includes(ni.eni)) c.enis.push(ni.eni);
      for (const g of ni.groups) c.gids.add(g);
      acc.set(ip, c);
    }
  }
  const out = new Map<string, Client>();
  for (const [ip, c] of acc) out.set(ip, { ip, enis: c.enis, gids: [...c.gids].sort(byteOrder) });
  return out;
}

/** D9 #50: the preferences a generation honours. */
export function effectivePreferences(view: EstateView, generation: Generation): Preferences {
  return preferencesApply(generation) ? view.preferences : DEFAULT_PREFERENCES;
}

const analysed = new WeakMap<EstateView, Map<Generation, ViewModel>>();

/** The view's groups judged by one generation's rules: accepted and refused addrs, see-thru dates. */
export function analyseView(view: EstateView, generation: Generation = 'G3'): ViewModel {
  let byGen = analysed.get(view);
  if (!byGen) analysed.set(view, (byGen = new Map()));
  const hit = byGen.get(generation);
  if (hit) return hit;
  const preferences = effectivePreferences(view, generation);
  const diagnostics: EstateDiagnostic[] = [];
  const groups = new Map<string, GroupModel>();
  for (const g of view.groups) {
    if (!groups.has(g.gid)) groups.set(g.gid, analyseGroup(g, preferences, generation, diagnostics));
  }
  const model: ViewModel = { view, generation, preferences, groups, clients: clientsOf(view), diagnostics };
  byGen.set(generation, model);
  return model;
}

function analyseGroup(g: SecurityGroup, prefs: Preferences, generation: Generation, diagnostics: EstateDiagnostic[]): GroupModel {
  const entries = new Map<string, { proto: 'tls' | 'ssh'; addr: string; wildcard: boolean; ports: RulePorts[]; rules: EgressRule[] }>();
  const refused = new Map<string, RefusedAddr>();
  let seeThru: string | null = null;
  const awsKeys = new Map<string, EgressRule>();
  for (const rule of g.egress) {
    // Spec D4.5: AWS refuses a second rule with the same protocol, ports and destination.
    const key = `${protocolName(rule.ipProtocol)} ${rule.ipProtocol === '-1' ? '' : `${rule.fromPort}-${rule.toPort}`} ${rule.target} ${rule.destination}`;
    const first = awsKeys.get(key);
    if (first) {
      const text = ruleText(rule);
      diagnostics.push({
        code: EstateCode.DuplicateRule, severity: 'warning', span: { start: 0, end: text.length }, sourceKind: 'rule', source: text, file: rule.origin.file, path: rule.origin.path,
        message: `AWS refuses this rule: group ${g.gid} already has one with the same protocol, ports and destination (${first.origin.path})`,
        hint: 'give the extra annotated rule another CIDR, e.g. 0.0.0.0/1',
      });
    } else awsKeys.set(key, rule);
    if (rule.description === undefined) continue;
    const { annotation, diagnostics: ds } = parseAnnotation(rule.description, {
      exposure: prefs.wildcardExposure,
      generation,
      target: rule.target,
      checkAwsLimits: true,
    });
    const path = `${rule.origin.path}.${rule.origin.path.includes('IpPermissionsEgress') ? 'Description' : 'description'}`;
    for (const d of ds) diagnostics.push({ ...d, file: rule.origin.file, path, sourceKind: 'description', source: rule.description });
    switch (annotation.kind) {
      case 'none':
      case 'invalid':
        break;
      case 'protocol': {
        const ports: RulePorts = {
          ipProtocol: rule.ipProtocol,
          ...(rule.fromPort !== undefined && rule.ipProtocol !== '-1' ? { fromPort: rule.fromPort } : {}),
          ...(rule.toPort !== undefined && rule.ipProtocol !== '-1' ? { toPort: rule.toPort } : {}),
        };
        for (const a of annotation.accepted) {
          const k = `${annotation.protocol} ${a.addr}`;
          let e = entries.get(k);
          if (!e) entries.set(k, (e = { proto: annotation.protocol, addr: a.addr, wildcard: a.wildcard, ports: [], rules: [] }));
          if (!e.ports.some((p) => p.ipProtocol === ports.ipProtocol && p.fromPort === ports.fromPort && p.toPort === ports.toPort)) e.ports.push(ports);
          if (!e.rules.includes(rule)) e.rules.push(rule);
        }
        for (const x of annotation.refused) {
          if (!refused.has(x.addr)) refused.set(x.addr, { proto: annotation.protocol, addr: x.addr, raw: x.raw.trim(), key: x.key, code: x.code, outcome: x.outcome });
        }
        break;
      }
      case 'see-thru': {
        if (seeThru === null || annotation.date > seeThru) seeThru = annotation.date;
        // Spec D5.5: before v2.6.0 the see-thru rule had to be all protocols, all ports, 0.0.0.0/n.
        if (generation === 'G1' && !(rule.ipProtocol === '-1' && rule.target === 'cidr' && rule.destination.startsWith('0.0.0.0/'))) {
          diagnostics.push({
            code: EstateCode.OldSeeThruShape, severity: 'warning', span: { start: 0, end: rule.description.length }, sourceKind: 'description', source: rule.description, file: rule.origin.file, path,
            message: `before v2.6.0 a see-thru rule had to allow all protocols and ports to 0.0.0.0/n; this one is ${ruleText({ ...rule, description: undefined } as EgressRule)}`,
            hint: 'use protocol -1 (all) and a 0.0.0.0/n destination for older firewalls',
          });
        }
        break;
      }
      default: {
        const never: never = annotation;
        throw new Error(`unhandled annotation ${JSON.stringify(never)}`);
      }
    }
  }
  const list = [...entries.values()];
  return {
    gid: g.gid,
    group: g,
    entries: list,
    refused: [...refused.values()],
    seeThru,
    hasProtocolRules: list.length > 0,
    annotated: list.length > 0 || seeThru !== null,
  };
}

function protocolName(p: string): string {
  return p === '6' ? 'tcp' : p === '17' ? 'udp' : p === '1' ? 'icmp' : p;
}

/** Whether a rule's (ip protocol, ports) covers a TCP connection to `dpt` (spec D6.2, D6.4). */
export function portsCoverTcp(p: RulePorts, dpt: number): boolean {
  if (p.ipProtocol === '-1') return true;
  return isTcp(p.ipProtocol) && p.fromPort !== undefined && p.toPort !== undefined && p.fromPort <= dpt && dpt <= p.toPort;
}

/** Every annotation/rule diagnostic of every view, each rule reported once (same rule object, same code and span). */
export function estateDiagnostics(estate: Estate, generation: Generation): EstateDiagnostic[] {
  const out: EstateDiagnostic[] = [];
  const seen = new Set<string>();
  for (const view of estate.views) {
    for (const d of analyseView(view, generation).diagnostics) {
      const key = `${d.file}\u0000${d.path}\u0000${d.code}\u0000${d.span.start}\u0000${d.span.end}\u0000${d.source}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(d);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Cache warm-up (spec D6.5)

const sinceCache = new WeakMap<Estate, Map<Generation, Map<string, number>[]>>();

/**
 * For view `index`: each literal addr accepted in some group of that view, with the `at` of the
 * view from which it has been continuously accepted in some group (D9 #27: per name, not per
 * group). `-Infinity` for names held since the first view (warm from the start).
 */
export function acceptedSince(estate: Estate, index: number, generation: Generation): ReadonlyMap<string, number> {
  let byGen = sinceCache.get(estate);
  if (!byGen) sinceCache.set(estate, (byGen = new Map()));
  let list = byGen.get(generation);
  if (!list) byGen.set(generation, (list = []));
  for (let i = list.length; i <= index; i++) {
    const prev = i === 0 ? undefined : list[i - 1];
    const vm = analyseView(estate.views[i]!, generation);
    const now = new Map<string, number>();
    for (const g of vm.groups.values()) {
      for (const e of g.entries) {
        if (e.wildcard || now.has(e.addr)) continue;
        now.set(e.addr, i === 0 ? -Infinity : (prev?.get(e.addr) ?? estate.views[i]!.at));
      }
    }
    list.push(now);
  }
  return list[index]!;
}

/** The instant until which a literal addr is still warming up at view `index`, or undefined if warm. */
export function warmingUntil(estate: Estate, index: number, generation: Generation, addr: string, at: number, warmupMs: number): number | undefined {
  if (!CACHE_WARMUP_GENERATIONS.has(generation)) return undefined;
  const since = acceptedSince(estate, index, generation).get(addr);
  if (since === undefined || since === -Infinity) return undefined;
  return at < since + warmupMs ? since + warmupMs : undefined;
}
