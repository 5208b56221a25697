/**
 * Every text and switch of the decision procedure that the public material does not settle
 * (spec D9), in one place, so a better-evidenced value is a one-line change here. Each entry
 * names its D9 row. Nothing here computes a decision; decision.ts and estate.ts read these.
 */
import type { Generation } from './annotations.js';

// ---------------------------------------------------------------------------------------------
// Texts (spec D6.9)

/** Flow-line `reason` keys (spec D6.9). */
export type ReasonKey =
  | 'MATCH'
  | 'NO_RULES'
  | 'NO_MATCH'
  | 'CACHE'
  | 'DNS'
  | 'TLS_OLD'
  | 'NO_SNI'
  | 'SSH_OLD'
  | 'UNKNOWN'
  | 'HTTP'
  | 'CRL';

/** D9 #33: the flow `reason` texts. Only the gid form (MATCH) is public; the rest are INFERRED. */
export const REASONS: Readonly<Record<Exclude<ReasonKey, 'MATCH'>, string>> = {
  NO_RULES: 'no rules for client',
  NO_MATCH: 'no protocol rule matched',
  CACHE: 'cache not ready',
  DNS: 'dns mismatch',
  TLS_OLD: 'tls version below 1.2',
  NO_SNI: 'sni missing',
  SSH_OLD: 'ssh version below 2',
  UNKNOWN: 'protocol unknown',
  HTTP: 'http not allowed',
  CRL: 'x509 crl',
};

/** The `reason` of a flow line: the matching gid for MATCH, else the D6.9 text. */
export function reasonText(key: ReasonKey, gid?: string): string {
  if (key === 'MATCH') {
    if (gid === undefined) throw new Error('reasonText: MATCH needs a gid');
    return gid;
  }
  return REASONS[key];
}

/**
 * D9 #33: the `cat: "addr"` refusal outcomes (spec D6.9 config table). The annotations module
 * computes them (it knows the matched suffix), so the one table lives there; named here too so
 * every D6.9 text can be found from this file.
 */
export { CONFIG_REFUSALS, refusalOutcome } from './annotations.js';

/** D9 #10: config `outcome` tokens. */
export const CONFIG_OUTCOME = { accepted: 'accepted', removed: 'removed' } as const;

/** D9 #35: the `gid` of a preference-sourced see-thru, in flow and config lines. */
export const DEFAULT_GID = '%default';

// ---------------------------------------------------------------------------------------------
// Versions (spec D6.7, D6.8)

/** D9 #29 (and D6.7): TLS versions refused as too old, on either side. */
export const TLS_REFUSED_VERSIONS: ReadonlySet<string> = new Set(['1.0', '1.1']);

/** D9 #29: the SSH protoversions accepted; `1.99` ("2.0 and 1.x compatible") is refused. */
export const SSH_ACCEPTED_VERSIONS: ReadonlySet<string> = new Set(['2.0']);

/** D9 #7 (D2.4): below TLS 1.3 `pqc` is always false. */
export const PQC_MIN_TLS_VERSION = '1.3';

// ---------------------------------------------------------------------------------------------
// See-thru (spec D6.6, D6.7)

/**
 * D9 #30: the `outcome` of a line the see-thru let through. `keep-verdict` (chosen): outcome and
 * reason keep the protocol-rule verdict (`disallowed` + `see_thru_exerted: true`). `allowed`:
 * the alternative reading, outcome says what happened to the packet.
 */
export type SeeThruOutcomeMode = 'keep-verdict' | 'allowed';
export const SEE_THRU_OUTCOME_MODE: SeeThruOutcomeMode = 'keep-verdict';

/**
 * D9 #31: whether an active see-thru lets a connection through that was refused for this reason.
 * INFERRED yes for every reason, anomalies and unknown protocols included ("allow and log
 * everything").
 */
export function seeThruOverrides(_reason: ReasonKey): boolean {
  return true;
}

/**
 * D9 #11: generations that keep the see-thru fields on the line once the see-thru has expired
 * (negative days, exerted false). G1/G2 write no see-thru fields after expiry.
 */
export const EXPIRED_SEE_THRU_FIELDS: ReadonlySet<Generation> = new Set<Generation>(['G3']);

/** D9 #22: a `%default` see-thru applies to every client, unknown ones and ones without rules included. */
export const DEFAULT_SEE_THRU_FOR_UNKNOWN_CLIENTS: boolean = true;

/**
 * D9 #28: among several see-thru dates for one client, the latest wins; on a tie a group beats
 * `%default`, then the lowest gid in byte order. Returns < 0 when `a` should be picked over `b`.
 */
export function compareSeeThru(a: { gid: string; date: string }, b: { gid: string; date: string }): number {
  if (a.date !== b.date) return a.date > b.date ? -1 : 1;
  const aDefault = a.gid === DEFAULT_GID;
  const bDefault = b.gid === DEFAULT_GID;
  if (aDefault !== bDefault) return aDefault ? 1 : -1;
  return a.gid < b.gid ? -1 : a.gid > b.gid ? 1 : 0;
}

/** D9 #12: `today` is the UTC calendar date of an instant. */
export function utcDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** D9 #11/#12 (D6.6): whole days from today (UTC) to `thruDate` (`YYYY-MM-DD`); 0 on the date. */
export function seeThruDays(thruDate: string, at: number): number {
  const [ty, tm, td] = thruDate.split('-').map(Number) as [number, number, number];
  const now = new Date(at);
  return (Date.UTC(ty, tm - 1, td) - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) / 86_400_000;
}

// ---------------------------------------------------------------------------------------------
// Matching (spec D6.4, D6.5)

/** D9 #26: among matching groups, the one `reason` names: the lowest gid in byte order. */
export function pickMatch(gids: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const g of gids) if (best === undefined || g < best) best = g;
  return best;
}

/** D9 #24: the firewall does not consult an annotated rule's CIDR (AWS enforced it, D6.2). */
export const RULE_CIDR_CONSULTED: boolean = false;

/** D9 #25: SSH `dhost` is mapped back from the DNS cache to the first name in byte order. */
export function pickSshName(names: readonly string[]): string | undefined {
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0];
}

/** D9 #27: how long after its acceptance a literal addr is still warming up. */
export const CACHE_WARMUP_MS = 5_000;

/**
 * D9 #27 (D6.5): generations that have the `cache not ready` refusal. Earlier generations have
 * no such line, so haystack models no warm-up for them: a new addr works at once.
 */
export const CACHE_WARMUP_GENERATIONS: ReadonlySet<Generation> = new Set<Generation>(['G3']);

/** D9 #21: the firewall's estate polling period (haystack applies views at their `at`, D5.3). */
export const ESTATE_POLL_MS = 60_000;

/** D9 #52: an unknown client passed AWS's own check, since its traffic reached the firewall. */
export const UNKNOWN_CLIENT_SKIPS_AWS_CHECK: boolean = true;

/** D9 #19: secondary private IPs of an interface are clients too, with the interface's groups. */
export const SECONDARY_IPS_ARE_CLIENTS: boolean = true;

// ---------------------------------------------------------------------------------------------
// Plain HTTP (spec D6.10) and preferences (spec D5.4)

/** D9 #23: the values of `x509_crls`; only `ignore` is public, `allow` is INFERRED. */
export const X509_CRLS_VALUES = ['ignore', 'allow'] as const;
export type X509Crls = (typeof X509_CRLS_VALUES)[number];

/** D9 #23: "a CRL endpoint" is a GET whose path (before any `?`) ends in `.crl`. OCSP is not. */
export function isCrlRequest(method: string, path: string): boolean {
  const q = path.indexOf('?');
  const p = q < 0 ? path : path.slice(0, q);
  return method === 'GET' && p.toLowerCase().endsWith('.crl');
}

/** D9 #6: which `http_*` fields each side carries. */
export const HTTP_FIELDS_BY_SIDE = {
  client: ['http_method', 'http_path', 'http_user_agent'],
  server: ['http_code'],
} as const;

/** D9 #51: the server's HTTP status when the scenario gives none. */
export const DEFAULT_HTTP_CODE = 200;

/** D9 #50: preferences exist from v2.9.0 (G2); in G1 every preference is at its default. */
export function preferencesApply(generation: Generation): boolean {
  return generation !== 'G1';
}

/** D6.3 (D9 #4): plain HTTP is identified from G3; earlier generations report it `unknown`. */
export function httpIdentified(generation: Generation): boolean {
  return generation === 'G3';
}

/** D9 #4: fields that appear only in G3 lines (`instance`, `pqc`, `http_*`). */
export function g3Fields(generation: Generation): boolean {
  return generation === 'G3';
}

/** D9 #49: the `instance` used when neither a native file nor an option names the firewall. */
export const DEFAULT_INSTANCE = 'i-00000000000000000';
