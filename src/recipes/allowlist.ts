/**
 * The allowlist recipe: steps 4 and 5 of the vendor's "building an allowlist from scratch".
 * From the flows that only a see-thru rule let through for one group, the protocol rules that
 * would let them through instead (spec D4), packed into rule descriptions AWS can store (D4.5).
 *
 *   flow lines -> per (protocol, port, host) tallies -> classify (rule, left out, excluded)
 *   -> optional wildcard folds (D4.6, D4.7) -> packing into descriptions -> rules with CIDRs
 *
 * Everything after the scan is a pure function of the tallies (`buildAllowlist`), so the
 * emitters (emit-*.ts) and tests work on plain data.
 */
import {
  AWS_DESCRIPTION_MAX_LENGTH,
  AnnotationCode,
  DEFAULT_WILDCARD_EXPOSURE,
  parseAnnotation,
  printAnnotations,
  type WildcardExposure,
  normaliseAddr,
} from '../discriminat/annotations.js';
import { publicSuffixTail } from '../discriminat/psl.js';
import { DEFAULT_GID, REASONS, isCrlRequest } from '../discriminat/reasons.js';
import { GID_SYNTAX, IPV4_SYNTAX } from '../discriminat/schema.js';
import { compileAddrMatcher, hasWildcard } from '../discriminat/wildcards.js';
import { type Diagnostic, DiagnosticError, span } from '../diagnostics/diagnostic.js';
import type { ScanOptions, ScanReport } from '../engine/scan.js';
import type { Input } from '../sources/inputs.js';
import { bool, type Fields, int, readLines, str } from './flow-events.js';

// ---- Options ----------------------------------------------------------------------------------

export const WILDCARD_EXPOSURES: readonly WildcardExposure[] = ['none', 'prohibit_asterisk', 'prohibit_public_suffix', 'nuclear'];

export interface AllowlistOptions {
  /** The group holding the see-thru rule (`see_thru_gid`), or `%default` (spec D5.4). */
  readonly gid: string;
  /** Hostname patterns (spec D4.6: `*` and `?` within one label) whose hosts are dropped. */
  readonly exclude?: readonly string[];
  /** Propose `*.parent` folds (spec D4.6) where the exposure and the PSL allow. Default false. */
  readonly wildcards?: boolean;
  /** The deployment's `wildcard_exposure` (spec D4.7). Default `prohibit_public_suffix`. */
  readonly exposure?: WildcardExposure;
  /** How many hosts must share a parent before they fold. Default 2, at least 2. */
  readonly minFold?: number;
  /**
   * Folds (`*.parent`) a reviewer turned down: their hosts stay listed one by one. Each is
   * checked as an exclude pattern is (it names hostnames); a fold not proposed is ignored.
   */
  readonly refuseFolds?: readonly string[];
}

export const DEFAULT_MIN_FOLD = 2;

/** The diagnostics of the recipe's own options (HS33xx: annotations' neighbours). */
export const AllowlistCode = {
  BadGroup: 'HS3301',
  BadPattern: 'HS3302',
  BadTargetGroup: 'HS3303',
  BadMinFold: 'HS3304',
  BadFold: 'HS3305',
} as const;

/** Thrown for an option the recipe cannot run with; `option` names it for messages. */
export class AllowlistOptionError extends DiagnosticError {
  constructor(
    readonly option: string,
    diagnostic: Diagnostic,
    source: string,
  ) {
    super([diagnostic], source);
    this.name = 'AllowlistOptionError';
  }
}

/** `--gid`: a group id as the flow logs write it (spec D2.7 HS3106: lenient gid, or `%default`). */
export function checkGroup(gid: string, option = '--gid', allowDefault = true): void {
  if (GID_SYNTAX.test(gid) || (allowDefault && gid === DEFAULT_GID)) return;
  throw new AllowlistOptionError(option, {
    code: allowDefault ? AllowlistCode.BadGroup : AllowlistCode.BadTargetGroup,
    severity: 'error',
    message: allowDefault
      ? 'not a security group id (sg- and 1 to 17 lower-case letters or digits) nor %default'
      : 'not a security group id (sg- and 1 to 17 lower-case letters or digits)',
    span: span(0, gid.length),
    hint: allowDefault ? 'give the group that holds the see-thru rule, e.g. sg-0ccc3333, or %default for the preference' : 'give the group the rules are for, e.g. sg-0aaa1111',
  }, gid);
}

const ANNOTATION_PREFIX_LENGTH = 'discriminat:tls:'.length;

/**
 * An exclude pattern is judged as an allowlist entry would be (spec D4.3, any exposure: it
 * removes hosts, it allows none). Returns the normalised pattern.
 */
export function checkExcludePattern(pattern: string): string {
  const parsed = parseAnnotation(`discriminat:tls:${pattern}`, { exposure: 'nuclear', checkAwsLimits: false });
  const a = parsed.annotation;
  const one = a.kind === 'protocol' && a.accepted.length === 1 && a.refused.length === 0 && parsed.diagnostics.length === 0;
  if (one && !pattern.includes(',')) return a.accepted[0]!.addr;
  const why = parsed.diagnostics.find((d) => d.severity === 'error') ?? parsed.diagnostics[0];
  const shifted = why ? span(Math.max(0, why.span.start - ANNOTATION_PREFIX_LENGTH), Math.max(0, why.span.end - ANNOTATION_PREFIX_LENGTH)) : span(0, pattern.length);
  throw new AllowlistOptionError('--exclude', {
    code: AllowlistCode.BadPattern,
    severity: 'error',
    message: pattern.includes(',')
      ? 'one pattern per --exclude: a comma cannot stand in a hostname'
      : `not a hostname pattern${why ? ` (${why.code}: ${why.message.replace(/; the entry is refused$/, '')})` : ''}`,
    span: pattern.includes(',') ? span(pattern.indexOf(','), pattern.indexOf(',') + 1) : shifted,
    hint: 'a hostname, or one with `*` (any characters within one label) and `?`, e.g. ec2-instance-connect.*.amazonaws.com',
  }, pattern);
}

/** `--refuse-fold`: a proposed fold as the report prints it, `*.parent`. Returns it normalised. */
export function checkFoldPattern(fold: string): string {
  if (fold.startsWith('*.') && !hasWildcard(fold.slice(2))) {
    try {
      return `*.${checkExcludePattern(fold.slice(2))}`;
    } catch {
      // reported below, for the whole text
    }
  }
  throw new AllowlistOptionError('--refuse-fold', {
    code: AllowlistCode.BadFold,
    severity: 'error',
    message: 'not a fold as the report names it: `*.` then a hostname without wildcards',
    span: span(0, fold.length),
    hint: 'e.g. --refuse-fold \'*.github.com\'',
  }, fold);
}

export function checkMinFold(n: number, source = String(n)): void {
  if (Number.isInteger(n) && n >= 2) return;
  throw new AllowlistOptionError('--min-fold', {
    code: AllowlistCode.BadMinFold,
    severity: 'error',
    message: 'not a whole number of at least 2: a fold of one host only widens the rule',
    span: span(0, source.length),
    hint: 'e.g. --min-fold 3',
  }, source);
}

// ---- Observations -----------------------------------------------------------------------------

/**
 * Why a flow cannot become a rule. Per line: `unknown-protocol`, `http`, `http-crl`,
 * `old-version`, `dns-mismatch`; per host: `no-hostname`, `invalid`.
 */
export type LeftOutReason = 'no-hostname' | 'unknown-protocol' | 'http' | 'http-crl' | 'old-version' | 'dns-mismatch' | 'invalid';

/** The order the report lists them in. */
export const LEFT_OUT_REASONS: readonly LeftOutReason[] = ['no-hostname', 'unknown-protocol', 'http', 'http-crl', 'old-version', 'dns-mismatch', 'invalid'];

/** What one flow line tells the recipe; `variant` is set when the line alone rules a rule out. */
export interface FlowFacts {
  readonly dhost: string;
  readonly proto: string;
  readonly dpt: number;
  readonly src: string;
  readonly variant: LeftOutReason | null;
}

/** Connection count, distinct clients, and first/last seen (epoch ms; null when no input had times). */
export interface HostStats {
  readonly connections: number;
  readonly clients: number;
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
}

export interface ObservedHost extends HostStats {
  /** As the flow line has it (`tls`, `ssh`, `http`, `unknown`, or anything else a line holds). */
  readonly protocol: string;
  readonly port: number;
  /** The dhost, normalised (spec D4.4: lower-case, one trailing dot removed). */
  readonly host: string;
}

class Tally {
  connections = 0;
  readonly clients = new Set<string>();
  firstSeen: number | null = null;
  lastSeen: number | null = null;

  add(src: string, at: number | null): void {
    this.connections++;
    this.clients.add(src);
    if (at !== null) {
      if (this.firstSeen === null || at < this.firstSeen) this.firstSeen = at;
      if (this.lastSeen === null || at > this.lastSeen) this.lastSeen = at;
    }
  }
}

/**
 * What one flow line of the group tells the recipe, or null when it lacks a string `dhost`,
 * `proto` or `src`, or an integer port (spec D2.3).
 */
export function flowFacts(f: Fields): FlowFacts | null {
  const dhost = str(f, 'dhost');
  const proto = str(f, 'proto');
  const src = str(f, 'src');
  const dpt = int(f, 'dpt');
  if (dhost === undefined || proto === undefined || src === undefined || dpt === undefined || dpt < 0 || dpt > 65535) return null;
  return { dhost: normaliseAddr(dhost), proto, dpt, src, variant: lineVariant(proto, str(f, 'reason'), str(f, 'http_method'), str(f, 'http_path')) };
}

/**
 * The lines the recipe reads: client lines the see-thru of `gid` had to let through. Server
 * lines are left out: they carry the client's port as `dpt` (spec D6.8).
 */
export function isExertedFor(f: Fields, gid: string): boolean {
  return bool(f, 'see_thru_exerted') === true && str(f, 'see_thru_gid') === gid && str(f, 'cat') === 'client';
}

/** What a single line settles (spec D6.7, D6.10): no rule could let these through. */
function lineVariant(proto: string, reason: string | undefined, method: string | undefined, path: string | undefined): LeftOutReason | null {
  switch (proto) {
    case 'tls':
    case 'ssh':
      // The firewall refuses these whatever its rules hold (spec D6.7, D6.5).
      if (reason === REASONS.TLS_OLD || reason === REASONS.SSH_OLD) return 'old-version';
      if (reason === REASONS.DNS) return 'dns-mismatch';
      return null;
    case 'http':
      return method !== undefined && path !== undefined && isCrlRequest(method, path) ? 'http-crl' : 'http';
    default:
      return 'unknown-protocol';
  }
}

/** Tallies per (protocol, port, host, line variant): what the scan feeds and `buildAllowlist` reads. */
export class AllowlistTally {
  private readonly byKey = new Map<string, { protocol: string; port: number; host: string; variant: LeftOutReason | null; tally: Tally }>();
  readonly all = new Tally();
  /** Lines of the group that lacked a string dhost/proto/src or an integer port. */
  unusable = 0;

  add(f: FlowFacts, at: number | null): void {
    const key = `${f.proto}\u0000${f.dpt}\u0000${f.variant ?? ''}\u0000${f.dhost}`;
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      entry = { protocol: f.proto, port: f.dpt, host: f.dhost, variant: f.variant, tally: new Tally() };
      this.byKey.set(key, entry);
    }
    entry.tally.add(f.src, at);
    this.all.add(f.src, at);
  }

  entries(): { host: ObservedHost; variant: LeftOutReason | null }[] {
    return [...this.byKey.values()].map((e) => ({ host: observed(e.protocol, e.port, e.host, e.tally), variant: e.variant }));
  }
}

function observed(protocol: string, port: number, host: string, t: Tally): ObservedHost {
  return { protocol, port, host, ...statsOf(t) };
}

function statsOf(t: Tally): HostStats {
  return { connections: t.connections, clients: t.clients.size, firstSeen: t.firstSeen, lastSeen: t.lastSeen };
}

// ---- The result -------------------------------------------------------------------------------

export type RuleProtocol = 'tls' | 'ssh';

/** One entry of a rule's description: a host, or a fold `*.parent` with the hosts it covers. */
export interface RuleEntry {
  readonly addr: string;
  readonly fold: boolean;
  /** Sorted like the entries (`hostOrder`). */
  readonly hosts: readonly ObservedHost[];
}

export interface AllowRule {
  readonly protocol: RuleProtocol;
  /** TCP destination port: `from_port` = `to_port` (spec D6.4). */
  readonly port: number;
  /** 1-based among the rules of this protocol and port. */
  readonly index: number;
  /** Of this protocol and port. */
  readonly of: number;
  /** Distinct within the port (spec D4.5): the first rule of a port `0.0.0.0/0`. */
  readonly cidr: string;
  /** At most 255 characters (spec D4.5). */
  readonly description: string;
  readonly entries: readonly RuleEntry[];
}

export type FoldRefusal = 'exposure' | 'public-suffix' | 'excluded' | 'declined';

export interface Fold {
  readonly protocol: RuleProtocol;
  readonly port: number;
  /** `*.parent`. */
  readonly addr: string;
  readonly hosts: readonly string[];
}

export interface RefusedFold extends Fold {
  readonly refusal: FoldRefusal;
  /** The diagnostic code behind it when there is one (HS3014-HS3016). */
  readonly code: string | null;
  readonly detail: string;
}

export interface LeftOut extends ObservedHost {
  readonly reason: LeftOutReason;
  readonly detail: string;
}

export interface Excluded extends ObservedHost {
  /** The first --exclude pattern (normalised) that matched. */
  readonly pattern: string;
}

export interface Allowlist {
  readonly gid: string;
  readonly exposure: WildcardExposure;
  readonly wildcards: boolean;
  readonly minFold: number;
  /** Ordered by port, then protocol, then index. */
  readonly rules: readonly AllowRule[];
  readonly folds: readonly Fold[];
  readonly refusedFolds: readonly RefusedFold[];
  readonly leftOut: readonly LeftOut[];
  readonly excluded: readonly Excluded[];
  /** Each --exclude pattern, normalised, with how many hosts it dropped. */
  readonly excludePatterns: readonly { readonly pattern: string; readonly hosts: number }[];
  /** Every connection of the group that see-thru let through (left out and excluded included). */
  readonly totals: HostStats;
  readonly unusableLines: number;
}

// ---- Building ---------------------------------------------------------------------------------

/** Sort key: labels right to left, so hosts of one domain sit together (`com.github.api`). */
export function hostOrder(a: string, b: string): number {
  const ka = a.split('.').reverse().join('.');
  const kb = b.split('.').reverse().join('.');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function observedOrder(a: ObservedHost, b: ObservedHost): number {
  return a.port - b.port || cmp(a.protocol, b.protocol) || hostOrder(a.host, b.host);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function buildAllowlist(tally: AllowlistTally, options: AllowlistOptions): Allowlist {
  checkGroup(options.gid);
  const exposure = options.exposure ?? DEFAULT_WILDCARD_EXPOSURE;
  const minFold = options.minFold ?? DEFAULT_MIN_FOLD;
  checkMinFold(minFold);
  const patterns = [...new Set((options.exclude ?? []).map(checkExcludePattern))];
  const declined = new Set((options.refuseFolds ?? []).map((f) => checkFoldPattern(f)));
  const matchers = patterns.map((p) => ({ pattern: p, matches: compileAddrMatcher(p) }));

  const excluded: Excluded[] = [];
  const leftOut: LeftOut[] = [];
  // (protocol, port) -> hosts that can be rule entries.
  const candidates = new Map<string, { protocol: RuleProtocol; port: number; hosts: ObservedHost[] }>();

  for (const { host, variant } of tally.entries()) {
    const hit = matchers.find((m) => m.matches(host.host));
    if (hit !== undefined) {
      excluded.push({ ...host, pattern: hit.pattern });
      continue;
    }
    const verdict = variant !== null ? { reason: variant, detail: leftOutDetail(variant, host.protocol) } : judgeHost(host);
    if (verdict !== true) {
      leftOut.push({ ...host, ...verdict });
      continue;
    }
    const protocol = host.protocol as RuleProtocol;
    const key = `${host.port}\u0000${protocol}`;
    let c = candidates.get(key);
    if (c === undefined) candidates.set(key, (c = { protocol, port: host.port, hosts: [] }));
    c.hosts.push(host);
  }

  const folds: Fold[] = [];
  const refusedFolds: RefusedFold[] = [];
  const groups = [...candidates.values()].sort((a, b) => a.port - b.port || cmp(a.protocol, b.protocol));
  const rules: AllowRule[] = [];
  const rulesPerPort = new Map<number, number>();
  for (const g of groups) {
    g.hosts.sort(observedOrder);
    const entries = options.wildcards
      ? foldHosts(g.protocol, g.port, g.hosts, { exposure, minFold, patterns, declined }, folds, refusedFolds)
      : g.hosts.map((h) => ({ addr: h.host, fold: false, hosts: [h] }));
    const byAddr = new Map(entries.map((e) => [e.addr, e]));
    const packed = packAllowlist(g.protocol, entries.map((e) => e.addr));
    packed.forEach((p, i) => {
      const n = rulesPerPort.get(g.port) ?? 0;
      rulesPerPort.set(g.port, n + 1);
      rules.push({
        protocol: g.protocol,
        port: g.port,
        index: i + 1,
        of: packed.length,
        cidr: cidrForRule(n),
        description: p.description,
        entries: p.addrs.map((a) => byAddr.get(a)!),
      });
    });
  }

  const sortedExcluded = excluded.sort(observedOrder);
  return {
    gid: options.gid,
    exposure,
    wildcards: options.wildcards === true,
    minFold,
    rules,
    folds,
    refusedFolds,
    leftOut: leftOut.sort((a, b) => LEFT_OUT_REASONS.indexOf(a.reason) - LEFT_OUT_REASONS.indexOf(b.reason) || observedOrder(a, b)),
    excluded: sortedExcluded,
    excludePatterns: patterns.map((p) => ({ pattern: p, hosts: sortedExcluded.filter((e) => e.pattern === p).length })),
    totals: statsOf(tally.all),
    unusableLines: tally.unusable,
  };
}

/** Can this tls/ssh host stand in a rule? True, or why not (spec D4.3). */
function judgeHost(host: ObservedHost): true | { reason: LeftOutReason; detail: string } {
  const protocol = host.protocol as RuleProtocol;
  if (IPV4_SYNTAX.test(host.host)) return { reason: 'no-hostname', detail: leftOutDetail('no-hostname', protocol) };
  // A flow's host is a name, never a pattern or a list: `*`, `?` or `,` would change the rule's meaning.
  const bad = /[*?,]/.exec(host.host);
  if (bad !== null) return { reason: 'invalid', detail: `\`${bad[0]}\` in a host name would make the rule a pattern or a list` };
  const parsed = parseAnnotation(`discriminat:${protocol}:${host.host}`, { exposure: 'nuclear', checkAwsLimits: false });
  const a = parsed.annotation;
  if (a.kind === 'protocol' && a.refused.length > 0) {
    const refused = a.refused[0]!;
    if (refused.code === AnnotationCode.IpLiteral) return { reason: 'no-hostname', detail: leftOutDetail('no-hostname', protocol) };
    const d = parsed.diagnostics.find((x) => x.code === refused.code);
    return { reason: 'invalid', detail: `${refused.code}: ${(d?.message ?? refused.outcome).replace(/; the entry is refused$/, '')}` };
  }
  const ok = a.kind === 'protocol' && a.accepted.length === 1 && a.accepted[0]!.addr === host.host && parsed.diagnostics.length === 0;
  if (!ok) {
    const d = parsed.diagnostics[0];
    return { reason: 'invalid', detail: d === undefined ? 'not one hostname' : `${d.code}: ${d.message}` };
  }
  if (host.host.length > AWS_DESCRIPTION_MAX_LENGTH - ANNOTATION_PREFIX_LENGTH) {
    return { reason: 'invalid', detail: `${host.host.length} characters: longer than the ${AWS_DESCRIPTION_MAX_LENGTH - ANNOTATION_PREFIX_LENGTH} a description has room for` };
  }
  return true;
}

export function leftOutDetail(reason: LeftOutReason, protocol: string): string {
  switch (reason) {
    case 'no-hostname':
      return protocol === 'ssh'
        ? 'no hostname: the firewall could not map the address back to an allowlisted name'
        : protocol === 'tls'
          ? 'no hostname: the client sent no SNI'
          : 'no hostname';
    case 'unknown-protocol':
      return 'neither TLS nor SSH: only those can be allowlisted';
    case 'http':
      return 'plain HTTP cannot be allowlisted';
    case 'http-crl':
      return 'CRL fetch over plain HTTP: no rule allows it; the x509_crls preference can';
    case 'old-version':
      return protocol === 'ssh' ? 'SSH below 2.0: refused whatever the rules' : 'TLS below 1.2: refused whatever the rules';
    case 'dns-mismatch':
      return 'a rule matched but the address is not one the name resolves to: refused whatever the rules';
    case 'invalid':
      return 'not a hostname an allowlist can hold';
    default:
      return unreachable(reason);
  }
}

// ---- Folding (spec D4.6, D4.7) ----------------------------------------------------------------

/**
 * `*.parent` for every parent shared by at least `minFold` hosts, where the exposure accepts it
 * (judged by `parseAnnotation`), its tail is not a public suffix whatever the exposure (a
 * recommendation never opens names anyone can register, even under `nuclear`), and no exclude
 * pattern could match a name it matches. `*` stands for exactly one label, so a fold covers
 * exactly the hosts one label below its parent (not the parent itself).
 */
interface FoldRules {
  readonly exposure: WildcardExposure;
  readonly minFold: number;
  /** Exclude patterns, normalised. */
  readonly patterns: readonly string[];
  /** Folds the reviewer refused (`*.parent`, normalised). */
  readonly declined: ReadonlySet<string>;
}

function foldHosts(
  protocol: RuleProtocol,
  port: number,
  hosts: readonly ObservedHost[],
  { exposure, minFold, patterns, declined }: FoldRules,
  folds: Fold[],
  refusedFolds: RefusedFold[],
): RuleEntry[] {
  const byParent = new Map<string, ObservedHost[]>();
  const entries: RuleEntry[] = [];
  for (const h of hosts) {
    const parent = h.host.slice(h.host.indexOf('.') + 1);
    // A one-label parent is a top-level domain: always a public suffix, not worth reporting.
    if (!parent.includes('.')) {
      entries.push({ addr: h.host, fold: false, hosts: [h] });
      continue;
    }
    let list = byParent.get(parent);
    if (list === undefined) byParent.set(parent, (list = []));
    list.push(h);
  }
  for (const [parent, members] of byParent) {
    if (members.length < minFold) {
      for (const h of members) entries.push({ addr: h.host, fold: false, hosts: [h] });
      continue;
    }
    const addr = `*.${parent}`;
    const names = members.map((m) => m.host);
    const refusal = declined.has(addr)
      ? { refusal: 'declined' as const, code: null, detail: 'refused by the reviewer (--refuse-fold)' }
      : judgeFold(protocol, addr, exposure, patterns);
    if (refusal === null) {
      folds.push({ protocol, port, addr, hosts: names });
      entries.push({ addr, fold: true, hosts: members });
    } else {
      refusedFolds.push({ protocol, port, addr, hosts: names, ...refusal });
      for (const h of members) entries.push({ addr: h.host, fold: false, hosts: [h] });
    }
  }
  return entries.sort((a, b) => hostOrder(a.addr, b.addr));
}

function judgeFold(
  protocol: RuleProtocol,
  addr: string,
  exposure: WildcardExposure,
  patterns: readonly string[],
): { refusal: FoldRefusal; code: string | null; detail: string } | null {
  const parsed = parseAnnotation(`discriminat:${protocol}:${addr}`, { exposure, checkAwsLimits: false });
  const a = parsed.annotation;
  if (a.kind === 'protocol' && a.refused.length > 0) {
    const r = a.refused[0]!;
    const d = parsed.diagnostics.find((x) => x.code === r.code);
    return {
      refusal: r.key === 'PSL' ? 'public-suffix' : 'exposure',
      code: r.code,
      detail: (d?.message ?? r.outcome).replace(/; the entry is refused$/, ''),
    };
  }
  const { tail, isPublicSuffix } = publicSuffixTail(addr);
  if (isPublicSuffix) {
    return {
      refusal: 'public-suffix',
      code: null,
      detail: `\`${tail}\` is a public suffix, so \`*\` could match names anyone can register under it (never proposed, whatever the exposure)`,
    };
  }
  const clash = patterns.find((p) => mayOverlap(addr, p));
  if (clash !== undefined) return { refusal: 'excluded', code: null, detail: `it could match hosts excluded by ${clash}` };
  return null;
}

/**
 * Could some host match both patterns (spec D4.6)? Label by label: equal, or a literal label the
 * other's glob matches; two globs are assumed to overlap (safe: it only refuses a fold).
 */
export function mayOverlap(a: string, b: string): boolean {
  const la = a.split('.');
  const lb = b.split('.');
  if (la.length !== lb.length) return false;
  return la.every((x, i) => {
    const y = lb[i]!;
    if (x === y) return true;
    const gx = hasWildcard(x);
    const gy = hasWildcard(y);
    if (gx && gy) return true;
    if (gx) return compileAddrMatcher(x)(y);
    if (gy) return compileAddrMatcher(y)(x);
    return false;
  });
}

// ---- Packing (spec D4.4a, D4.5) ---------------------------------------------------------------

export interface PackedDescription {
  readonly description: string;
  /** The entries it holds, in order. */
  readonly addrs: readonly string[];
}

/**
 * Packs distinct, valid entries into as few descriptions of at most 255 characters as it can.
 * Entries go in `hostOrder` and split greedily (what `printAnnotations` does) unless
 * first-fit-decreasing needs fewer descriptions; then FFD's bins, each in `hostOrder`. The text
 * is `printAnnotations`'s: fed the bins one after another, its greedy split gives back exactly
 * those bins (no entry of a later bin fitted an earlier one when it was placed, and bins only
 * fill up), which is checked.
 */
export function packAllowlist(protocol: RuleProtocol, addrs: readonly string[]): PackedDescription[] {
  if (addrs.length === 0) return [];
  const budget = AWS_DESCRIPTION_MAX_LENGTH - `discriminat:${protocol}:`.length;
  const sorted = [...addrs].sort(hostOrder);
  const greedy = greedyBins(sorted, budget);
  const ffd = firstFitDecreasing(sorted, budget);
  const bins = ffd.length < greedy.length ? ffd.map((b) => b.sort(hostOrder)) : greedy;
  const { descriptions, diagnostics } = printAnnotations(protocol, bins.flat());
  const expected = bins.map((b) => `discriminat:${protocol}:${b.join(',')}`);
  if (diagnostics.length > 0 || descriptions.length !== expected.length || descriptions.some((d, i) => d !== expected[i])) {
    throw new Error(`packAllowlist: printAnnotations disagrees with the bins for ${JSON.stringify(addrs)}`);
  }
  return bins.map((b, i) => ({ description: descriptions[i]!, addrs: b }));
}

/** A bin holds entries whose lengths plus the commas between them fit `budget`. */
function greedyBins(addrs: readonly string[], budget: number): string[][] {
  const bins: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const a of addrs) {
    const need = current.length === 0 ? a.length : used + 1 + a.length;
    if (current.length > 0 && need > budget) {
      bins.push(current);
      current = [a];
      used = a.length;
    } else {
      current.push(a);
      used = need;
    }
  }
  if (current.length > 0) bins.push(current);
  return bins;
}

function firstFitDecreasing(addrs: readonly string[], budget: number): string[][] {
  const order = [...addrs].sort((a, b) => b.length - a.length || hostOrder(a, b));
  const bins: { addrs: string[]; used: number }[] = [];
  for (const a of order) {
    const bin = bins.find((b) => b.used + 1 + a.length <= budget);
    if (bin === undefined) bins.push({ addrs: [a], used: a.length });
    else {
      bin.addrs.push(a);
      bin.used += 1 + a.length;
    }
  }
  return bins.map((b) => b.addrs);
}

/**
 * The CIDR of the n-th (0-based) rule on one TCP port (spec D4.5): AWS refuses a second rule
 * with the same protocol, ports and CIDR, so rules after the first take the halves, then the
 * quarters, ... of the address space, as the vendor's examples do (`0.0.0.0/1`). The `/0` rule
 * already opens the port to every address; the firewall reads the annotations of them all
 * (it does not consult a rule's CIDR, spec D6.4).
 */
export function cidrForRule(n: number): string {
  if (n === 0) return '0.0.0.0/0';
  const prefix = Math.floor(Math.log2(n + 1));
  const k = n + 1 - 2 ** prefix;
  const network = k * 2 ** (32 - prefix);
  const octets = [24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256);
  return `${octets.join('.')}/${prefix}`;
}

// ---- Scanning ---------------------------------------------------------------------------------

/**
 * Scans inputs for the group's see-thru flows and builds the allowlist. The group id is the
 * byte prefilter: every line of the group names it (a line with a JSON escape is read anyway).
 */
export async function allowlistInputs(
  inputs: readonly Input[],
  options: AllowlistOptions,
  scanOptions: ScanOptions = {},
): Promise<{ allowlist: Allowlist; report: ScanReport }> {
  // Bad options fail before any input is read.
  checkGroup(options.gid);
  checkMinFold(options.minFold ?? DEFAULT_MIN_FOLD);
  for (const p of options.exclude ?? []) checkExcludePattern(p);
  for (const f of options.refuseFolds ?? []) checkFoldPattern(f);
  const { tally, report } = await tallyInputs(inputs, options.gid, scanOptions);
  return { allowlist: buildAllowlist(tally, options), report };
}

/**
 * The scan half of `allowlistInputs`: the group's tallies, which `buildAllowlist` turns into
 * rules for any choice of options without reading the inputs again (the web console's review).
 */
export async function tallyInputs(inputs: readonly Input[], gid: string, scanOptions: ScanOptions = {}): Promise<{ tally: AllowlistTally; report: ScanReport }> {
  checkGroup(gid);
  const tally = new AllowlistTally();
  const report = await readLines(
    inputs,
    { ...scanOptions, kinds: ['flow'], literals: [gid], keep: (_kind, f) => isExertedFor(f, gid) },
    (line) => {
      const facts = flowFacts(line.fields);
      if (facts === null) tally.unusable++;
      else tally.add(facts, line.timestamp);
    },
  );
  return { tally, report };
}

// ---- Words the rule files share ----------------------------------------------------------------

/** The opening comment of the Terraform and CloudFormation outputs. */
export function headerComment(a: Allowlist): string[] {
  const t = a.totals;
  if (a.rules.length === 0) {
    return [
      `discrimiNAT allowlist for the see-thru group ${a.gid} (haystack allowlist):`,
      `nothing to add: ${t.connections === 0 ? 'no connection was let through by the see-thru alone' : 'no connection it let through can be allowlisted (see the text report)'}.`,
    ];
  }
  return [
    `discrimiNAT allowlist for the connections only the see-thru of ${a.gid} let through`,
    `(haystack allowlist: ${t.connections} connections from ${t.clients} clients). Review every host before applying.`,
    '',
    'AWS refuses two rules with the same protocol, ports and CIDR in one group (spec D4.5), so',
    'further rules on a port take 0.0.0.0/1, 128.0.0.0/1, ...: the 0.0.0.0/0 rule already opens',
    'the port to every address, and the firewall reads the annotations of every rule.',
  ];
}

/** The comment above one rule: where it applies, and which seen hosts each fold stands for. */
export function ruleCommentLines(r: AllowRule): string[] {
  return [
    `${r.protocol} on tcp ${r.port}, rule ${r.index} of ${r.of}: ${r.entries.length} ${r.entries.length === 1 ? 'entry' : 'entries'}`,
    ...r.entries.filter((e) => e.fold).map((e) => `${e.addr} stands for ${e.hosts.map((h) => h.host).join(', ')}`),
  ];
}

/** The vendor's Logs Insights query (recipe step 4), to check in CloudWatch that nothing is left (step 6). */
export function recipeQuery(gid: string): string {
  return `filter see_thru_exerted AND see_thru_gid = "${gid}"\n| stats count() by see_thru_exerted, see_thru_gid, dhost, proto, dpt`;
}

function unreachable(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
