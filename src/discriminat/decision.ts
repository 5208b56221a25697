/**
 * What the firewall does with one TCP connection (spec D6, summary form of D6.1): the flow
 * lines it writes and, step by step, why; and the config lines an estate change writes (spec D7).
 * Every choice the public material does not settle is read from reasons.ts.
 */
import { normaliseAddr, type Generation } from './annotations.js';
import {
  analyseView,
  cidrContains,
  ipv4ToNumber,
  isIpv4,
  portsCoverTcp,
  ruleText,
  viewIndexAt,
  warmingUntil,
  type AllowEntry,
  type Client,
  type Estate,
  type EstateView,
  type FlowLogVerbosity,
  type RulePorts,
  type ViewModel,
} from './estate.js';
import {
  CACHE_WARMUP_MS,
  CONFIG_OUTCOME,
  DEFAULT_GID,
  DEFAULT_HTTP_CODE,
  DEFAULT_SEE_THRU_FOR_UNKNOWN_CLIENTS,
  EXPIRED_SEE_THRU_FIELDS,
  HTTP_FIELDS_BY_SIDE,
  PQC_MIN_TLS_VERSION,
  RULE_CIDR_CONSULTED,
  SEE_THRU_OUTCOME_MODE,
  SSH_ACCEPTED_VERSIONS,
  TLS_REFUSED_VERSIONS,
  UNKNOWN_CLIENT_SKIPS_AWS_CHECK,
  compareSeeThru,
  g3Fields,
  httpIdentified,
  isCrlRequest,
  pickMatch,
  pickSshName,
  reasonText,
  seeThruDays,
  seeThruOverrides,
  utcDate,
  type ReasonKey,
} from './reasons.js';
import { FLOW_FIELD_ORDER, type FlowFields, type FlowProto } from './schema.js';
import { compileAddrMatcher } from './wildcards.js';

// ---------------------------------------------------------------------------------------------
// Inputs (spec D6.1, summary form; D9 #51)

export type Proto = FlowProto;

export interface ConnectionSummary {
  readonly src: string;
  readonly spt: number;
  /** TLS: the SNI (absent or empty: none); HTTP: the Host header; SSH: the name mapped back from `dst`. */
  readonly dhost?: string;
  readonly dst: string;
  readonly dpt: number;
  readonly proto: Proto;
  /** The client's version; required unless `proto` is `unknown`. */
  readonly proto_v?: string;
  /** Client side: the ClientHello offers a post-quantum group (default false). */
  readonly pqc?: boolean;
  readonly http?: { readonly method: string; readonly path: string; readonly userAgent?: string; readonly code?: number };
  /** Absent: the server answers like the client; an object overrides; null: it never answers. */
  readonly server?: { readonly proto_v?: string; readonly pqc?: boolean; readonly code?: number } | null;
}

/** What DNS says for a name (the out-of-band check of D6.5). */
export type Resolver = (name: string) => readonly string[];

export interface DecideOptions {
  /** Default G3. */
  readonly generation?: Generation;
  /** None: the DNS check passes and SSH `dhost` is not mapped back (D9 #27, #51). */
  readonly resolver?: Resolver;
}

/** Spec D2.7's version sets: what a summary may give for each protocol. */
export const PROTO_VERSIONS: Readonly<Record<Exclude<Proto, 'unknown'>, readonly string[]>> = {
  tls: ['1.0', '1.1', '1.2', '1.3'],
  ssh: ['1.5', '1.99', '2.0'],
  http: ['1.0', '1.1'],
};

export class ConnectionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid connection: ${problems.join('; ')}`);
    this.name = 'ConnectionError';
  }
}

const isPort = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 65535;

/** What is wrong with a connection summary, in plain words; empty when `decide` accepts it. */
export function checkConnection(c: ConnectionSummary): string[] {
  const p: string[] = [];
  if (!isIpv4(c.src)) p.push(`src \`${c.src}\` is not an IPv4 address`);
  if (!isIpv4(c.dst)) p.push(`dst \`${c.dst}\` is not an IPv4 address`);
  if (!isPort(c.spt)) p.push(`spt ${c.spt} is not a port (0-65535)`);
  if (!isPort(c.dpt)) p.push(`dpt ${c.dpt} is not a port (0-65535)`);
  if (!['tls', 'ssh', 'http', 'unknown'].includes(c.proto)) p.push(`proto \`${c.proto}\` is not tls, ssh, http or unknown`);
  else if (c.proto !== 'unknown') {
    const versions = PROTO_VERSIONS[c.proto];
    if (c.proto_v === undefined) p.push(`proto_v is required for ${c.proto} (one of ${versions.join(', ')})`);
    else if (!versions.includes(c.proto_v)) p.push(`proto_v \`${c.proto_v}\` is not a ${c.proto} version (one of ${versions.join(', ')})`);
    const sv = c.server?.proto_v;
    if (sv !== undefined && !versions.includes(sv)) p.push(`server proto_v \`${sv}\` is not a ${c.proto} version (one of ${versions.join(', ')})`);
  }
  if (c.proto === 'http' && c.http === undefined) p.push('http needs { method, path }');
  const code = c.server?.code ?? c.http?.code;
  if (code !== undefined && !(Number.isInteger(code) && code >= 100 && code <= 599)) p.push(`http code ${code} is not in 100-599`);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Flow lines (spec D2.1, D2.3)

/** A flow line as the decision writes it (its members are schema.ts's, D2). */
export type FlowLine = FlowFields;

/** D9 #2: config key order per `cat` (spec D3.2). */
export const CONFIG_FIELD_ORDER = {
  fqdn: ['cat', 'outcome', 'gid', 'fqdn', 'proto', 'instance'],
  client: ['cat', 'outcome', 'client', 'gid', 'instance'],
  'see-thru': ['cat', 'outcome', 'gid', 'thru_date', 'instance'],
  addr: ['addr', 'cat', 'outcome', 'instance'],
} as const;

/** Builds an object with keys in `order`, leaving out undefined values (D9 #3: absent, never null). */
function ordered<T>(order: readonly string[], fields: Record<string, unknown>): T {
  // Null prototype: `extra` keys in toJsonLine come from the caller's object (STYLE: data-keyed maps).
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const k of order) if (fields[k] !== undefined) out[k] = fields[k];
  return out as T;
}

/**
 * D9 #42: the exact text of a line (flow or config), without the trailing newline: keys in the
 * D2.1/D3.2 order whatever order the object has them in, then `JSON.stringify`.
 */
export function toJsonLine(line: FlowLine | ConfigLine): string {
  const fields = line as unknown as Record<string, unknown>;
  const order: readonly string[] = 'dhost' in line ? FLOW_FIELD_ORDER : CONFIG_FIELD_ORDER[(line as ConfigLine).cat];
  const known = new Set(order);
  const extra = Object.keys(fields).filter((k) => !known.has(k));
  return JSON.stringify(ordered<Record<string, unknown>>([...order, ...extra], fields));
}

// ---------------------------------------------------------------------------------------------
// The decision (spec D6.7)

/** One allowlist entry of the client's groups for the connection's protocol, and what became of it. */
export interface CandidateTrace {
  readonly gid: string;
  readonly proto: 'tls' | 'ssh';
  readonly addr: string;
  readonly wildcard: boolean;
  /** Each rule's (ip protocol, ports) that carried it, e.g. `tcp 443-443`. */
  readonly ports: readonly string[];
  /** Some carrying rule covers TCP to dpt (D6.4): only then is it a candidate. */
  readonly covers: boolean;
  /** Set when the name is still warming up (D6.5): epoch ms it becomes usable. */
  readonly warmingUntil?: number;
  readonly matches: boolean;
  /** Why it did or did not match, in words. */
  readonly why: string;
}

export interface SeeThruTrace {
  readonly gid: string;
  readonly date: string;
  readonly days: number;
  readonly active: boolean;
}

export interface DecisionTrace {
  readonly generation: Generation;
  readonly viewIndex: number;
  readonly viewAt: number;
  readonly client: Client | null;
  /** Spec D6.2: whether AWS let the packet out, and the rule that did. */
  readonly aws: { readonly checked: boolean; readonly passed: boolean; readonly gid?: string; readonly rule?: string };
  readonly seeThru: SeeThruTrace | null;
  readonly proto: Proto;
  readonly protoV?: string;
  readonly dhost: string;
  readonly candidates: readonly CandidateTrace[];
  readonly verdict?: 'allowed' | 'disallowed';
  readonly reasonKey?: ReasonKey;
  readonly reason?: string;
  /** The connection went through (a protocol rule allowed it, or an active see-thru let it). */
  readonly passes: boolean;
  readonly exerted: boolean;
  readonly verbosity: FlowLogVerbosity;
}

export interface Decision {
  /** The lines written, client first (spec D6.7 step 9 applied). */
  readonly lines: FlowLine[];
  /** A sentence per step of D6.7 that ran, in order. */
  readonly steps: string[];
  readonly trace: DecisionTrace;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const portsText = (p: RulePorts): string => (p.ipProtocol === '-1' ? '-1 (all)' : p.fromPort === undefined ? p.ipProtocol : `${p.ipProtocol} ${p.fromPort}-${p.toPort}`);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * Spec D6: the lines the firewall writes for one connection starting at `at` (epoch ms), judged
 * against the view in force then. Throws ConnectionError when the summary is malformed.
 */
export function decide(estate: Estate, at: number, conn: ConnectionSummary, options: DecideOptions = {}): Decision {
  const problems = checkConnection(conn);
  if (problems.length > 0) throw new ConnectionError(problems);
  const gen = options.generation ?? 'G3';
  const resolver = options.resolver;
  const steps: string[] = [];
  const viewIndex = viewIndexAt(estate, at);
  const view = estate.views[viewIndex]!;
  const vm = analyseView(view, gen);
  const prefs = vm.preferences;
  steps.push(
    estate.views.length === 1
      ? `estate: one view; generation ${gen}; today (UTC) is ${utcDate(at)}`
      : `estate: view ${viewIndex + 1} of ${estate.views.length}, in force from ${iso(view.at)}${at < view.at ? ' (the connection is earlier than every view; using the first)' : ''}; generation ${gen}; today (UTC) is ${utcDate(at)}`,
  );

  // 1. The client (spec D5.2).
  const client = vm.clients.get(conn.src) ?? null;
  if (client) {
    const groupsText = client.gids.map((g) => {
      const gm = vm.groups.get(g);
      if (!gm) return `${g} (not in the estate: no rules)`;
      const bits = [gm.hasProtocolRules ? plural(gm.entries.length, 'allowlist entry', 'allowlist entries') : 'no protocol rules'];
      if (gm.seeThru) bits.push(`see-thru ${gm.seeThru}`);
      return `${g} (${bits.join(', ')})`;
    });
    steps.push(`client ${conn.src}: interface ${client.enis.join(', ')}; groups ${groupsText.length > 0 ? groupsText.join(', ') : 'none'}`);
  } else {
    steps.push(`client ${conn.src}: not a private IP of any interface in the estate (unknown client)`);
  }

  // Spec D6.2: AWS's own egress check, before the firewall.
  const aws = awsCheck(vm, client, conn);
  if (!aws.checked) steps.push('AWS egress check (D6.2): skipped for an unknown client: its traffic reached the firewall, so it passed');
  else if (aws.passed) steps.push(`AWS egress check (D6.2): ${aws.gid} rule ${aws.rule} lets TCP to ${conn.dst}:${conn.dpt} out`);
  else {
    steps.push(`AWS egress check (D6.2): no egress rule of the client's groups covers TCP to ${conn.dst}:${conn.dpt}; AWS drops the packet at the interface, the firewall never sees it and writes nothing`);
    return {
      lines: [],
      steps,
      trace: { generation: gen, viewIndex, viewAt: view.at, client, aws, seeThru: null, proto: conn.proto, dhost: conn.dst, candidates: [], passes: false, exerted: false, verbosity: prefs.flowLogVerbosity },
    };
  }

  // 2. Which see-thru applies (spec D6.6).
  const st = seeThruFor(vm, client, at);
  if (st === null) steps.push('see-thru (D6.6): none applies to this client');
  else {
    const when = st.days > 0 ? `${plural(st.days, 'day')} left` : st.days === 0 ? 'its last day' : `expired ${plural(-st.days, 'day')} ago`;
    const from = st.gid === DEFAULT_GID ? 'the %default preference' : `group ${st.gid}`;
    steps.push(`see-thru (D6.6): ${from}, through ${st.date}: ${when}, so ${st.active ? 'active: it lets everything through' : 'expired: it lets nothing through'}`);
  }

  // 3. Protocol identification (spec D6.3).
  let proto: Proto = conn.proto;
  if (proto === 'http' && !httpIdentified(gen)) {
    proto = 'unknown';
    steps.push(`protocol (D6.3): plain HTTP is not identified before G3; ${gen} reports it as unknown`);
  }
  const protoV = proto === 'unknown' ? undefined : conn.proto_v;
  const given = conn.dhost === undefined ? '' : normaliseAddr(conn.dhost);
  const pqc = proto === 'tls' && protoV !== undefined && protoV >= PQC_MIN_TLS_VERSION ? conn.pqc === true : false;
  let dhost: string;
  let sni = false;
  switch (proto) {
    case 'tls':
      sni = given !== '';
      dhost = sni ? given : conn.dst;
      steps.push(`protocol (D6.3): TLS ${protoV}, ${sni ? `SNI ${given}` : 'no SNI (dhost is the destination IP)'}${g3Fields(gen) ? `, pqc ${pqc}` : ''}`);
      break;
    case 'http':
      dhost = given !== '' ? given : conn.dst;
      steps.push(`protocol (D6.3): plain HTTP ${protoV}, ${conn.http!.method} ${conn.http!.path}, Host ${given !== '' ? given : `absent (dhost is ${conn.dst})`}`);
      break;
    case 'ssh': {
      if (given !== '') {
        dhost = given;
        steps.push(`protocol (D6.3): SSH ${protoV}; dhost ${given} as given (matched like a TLS SNI)`);
      } else {
        const mapped = sshHostFor(estate, viewIndex, vm, client, conn, at, gen, resolver);
        dhost = mapped.name ?? conn.dst;
        steps.push(`protocol (D6.3): SSH ${protoV}; ${mapped.why}`);
      }
      break;
    }
    case 'unknown':
      dhost = conn.dst;
      steps.push(`protocol (D6.3): ${conn.proto === 'unknown' ? 'not TLS, SSH or HTTP' : 'unknown'}: no version, dhost is the destination IP`);
      break;
    default: {
      const never: never = proto;
      throw new Error(`unhandled proto ${String(never)}`);
    }
  }

  // 4. The verdict.
  let candidates: CandidateTrace[] = [];
  let key: ReasonKey;
  let gid: string | undefined;
  if (proto === 'tls' && TLS_REFUSED_VERSIONS.has(protoV!)) {
    key = 'TLS_OLD';
    steps.push(`check: TLS ${protoV} is below 1.2: refused`);
  } else if (proto === 'tls' && !sni) {
    key = 'NO_SNI';
    steps.push('check: a TLS ClientHello without SNI names no host: refused');
  } else if (proto === 'ssh' && !SSH_ACCEPTED_VERSIONS.has(protoV!)) {
    key = 'SSH_OLD';
    steps.push(`check: SSH ${protoV} is not SSH v2 (${[...SSH_ACCEPTED_VERSIONS].join(', ')}): refused`);
  } else if (proto === 'http') {
    const crl = prefs.x509Crls === 'allow' && isCrlRequest(conn.http!.method, conn.http!.path);
    key = crl ? 'CRL' : 'HTTP';
    steps.push(
      crl
        ? 'plain HTTP (D6.10): x509_crls allows CRL fetches and this is a GET of a .crl path: allowed'
        : `plain HTTP (D6.10): ${prefs.x509Crls === 'allow' ? 'not a GET of a .crl path' : `x509_crls is ${prefs.x509Crls}`}: refused`,
    );
  } else if (proto === 'unknown') {
    key = 'UNKNOWN';
    steps.push('check: the protocol is unknown: refused');
  } else if (client === null || !client.gids.some((g) => vm.groups.get(g)?.hasProtocolRules)) {
    key = 'NO_RULES';
    steps.push(client === null ? 'rules: the client is unknown, so it has no protocol rules' : 'rules: none of the client\'s groups has a protocol rule');
  } else {
    const p = proto as 'tls' | 'ssh';
    candidates = candidatesFor(estate, viewIndex, vm, client, p, conn.dst, conn.dpt, dhost, at, gen);
    const covering = candidates.filter((c) => c.covers);
    steps.push(
      `candidates (D6.4): ${plural(covering.length, `${p} addr`)} on rules covering TCP ${conn.dpt}` +
        (candidates.length > covering.length ? ` (${candidates.length - covering.length} more on rules that do not)` : ''),
    );
    for (const c of candidates) steps.push(`  ${c.gid} ${p}:${c.addr} [${c.ports.join(', ')}]: ${c.why}`);
    const matched = candidates.filter((c) => c.matches);
    gid = pickMatch(matched.map((c) => c.gid));
    if (gid === undefined) {
      const warming = covering.some((c) => c.warmingUntil !== undefined);
      key = warming ? 'CACHE' : 'NO_MATCH';
      steps.push(warming ? 'match: none yet, and a candidate name is still warming up in the DNS cache' : `match: no candidate matches ${dhost}`);
    } else {
      const groups = [...new Set(matched.map((c) => c.gid))];
      steps.push(`match: ${groups.length > 1 ? `${groups.join(', ')} match; the lowest gid, ${gid}, is reported` : `${gid} matches`}`);
      if (p === 'tls' && resolver) {
        const ips = resolver(dhost);
        if (ips.includes(conn.dst)) {
          key = 'MATCH';
          steps.push(`DNS check (D6.5): ${dhost} resolves to ${conn.dst}`);
        } else {
          key = 'DNS';
          gid = undefined;
          steps.push(`DNS check (D6.5): ${dhost} resolves to ${ips.length > 0 ? ips.join(', ') : 'nothing'}, not ${conn.dst}: refused`);
        }
      } else {
        key = 'MATCH';
        if (p === 'tls') steps.push('DNS check (D6.5): no resolver given, so it passes');
      }
    }
  }
  const verdict: 'allowed' | 'disallowed' = key === 'MATCH' || key === 'CRL' ? 'allowed' : 'disallowed';
  const reason = reasonText(key, gid);
  steps.push(`verdict: ${verdict}, reason "${reason}"`);

  // 5-6. See-thru (spec D6.7, D9 #30/#31).
  const stActive = st !== null && st.active;
  const exerted = stActive && verdict === 'disallowed' && seeThruOverrides(key);
  const passes = verdict === 'allowed' || exerted;
  if (st !== null) {
    if (verdict === 'allowed') steps.push('see-thru: not needed, a protocol rule allowed it (see_thru_exerted false)');
    else if (exerted) steps.push('see-thru: lets the connection through anyway (see_thru_exerted true)');
    else if (!st.active) steps.push(`see-thru: expired, the connection is blocked${EXPIRED_SEE_THRU_FIELDS.has(gen) ? '' : ` (${gen} writes no see-thru fields once expired)`}`);
    else steps.push('see-thru: does not override this refusal; the connection is blocked');
  } else steps.push(passes ? 'the connection goes through' : 'the connection is blocked');

  // 7. The client line.
  const stFields = st !== null && (st.active || EXPIRED_SEE_THRU_FIELDS.has(gen));
  const instance = g3Fields(gen) ? estate.firewall.instance : undefined;
  const outcomeOf = (v: 'allowed' | 'disallowed', ex: boolean): 'allowed' | 'disallowed' => (SEE_THRU_OUTCOME_MODE === 'allowed' && ex ? 'allowed' : v);
  // D9 #6: which side carries which http_* field.
  const httpFields = (side: 'client' | 'server'): Record<string, unknown> => {
    if (!g3Fields(gen) || proto !== 'http') return {};
    const all: Record<string, unknown> = {
      http_code: conn.server?.code ?? conn.http!.code ?? DEFAULT_HTTP_CODE,
      http_method: conn.http!.method,
      http_path: conn.http!.path,
      http_user_agent: conn.http!.userAgent,
    };
    const out: Record<string, unknown> = {};
    for (const k of HTTP_FIELDS_BY_SIDE[side]) out[k] = all[k];
    return out;
  };
  const lines: FlowLine[] = [];
  lines.push(
    ordered<FlowLine>(FLOW_FIELD_ORDER, {
      dhost,
      cat: 'client',
      outcome: outcomeOf(verdict, exerted),
      src: conn.src,
      spt: conn.spt,
      proto,
      proto_v: protoV,
      dst: conn.dst,
      dpt: conn.dpt,
      reason,
      instance,
      pqc: g3Fields(gen) && proto === 'tls' ? pqc : undefined,
      ...httpFields('client'),
      see_thru_days_remaining: stFields ? st!.days : undefined,
      see_thru_gid: stFields ? st!.gid : undefined,
      see_thru_exerted: stFields ? exerted : undefined,
    }),
  );

  // 8. The server line (spec D6.8).
  if (!passes) steps.push('server line (D6.8): none, the connection did not pass');
  else if (conn.server === null) steps.push('server line (D6.8): none, the server never answered');
  else {
    const server = conn.server ?? {};
    const sV = proto === 'unknown' ? undefined : (server.proto_v ?? protoV);
    let sKey = key;
    let sGid = gid;
    if (proto === 'tls' && TLS_REFUSED_VERSIONS.has(sV!)) sKey = 'TLS_OLD';
    else if (proto === 'ssh' && !SSH_ACCEPTED_VERSIONS.has(sV!)) sKey = 'SSH_OLD';
    if (sKey !== key) sGid = undefined;
    const sVerdict: 'allowed' | 'disallowed' = sKey === 'MATCH' || sKey === 'CRL' ? 'allowed' : 'disallowed';
    const sExerted = stActive && sVerdict === 'disallowed' && seeThruOverrides(sKey);
    const sPqc = proto === 'tls' && sV !== undefined && sV >= PQC_MIN_TLS_VERSION ? (server.pqc ?? pqc) : false;
    lines.push(
      ordered<FlowLine>(FLOW_FIELD_ORDER, {
        dhost,
        cat: 'server',
        outcome: outcomeOf(sVerdict, sExerted),
        src: conn.dst,
        spt: conn.dpt,
        proto,
        proto_v: sV,
        dst: conn.src,
        dpt: conn.spt,
        reason: reasonText(sKey, sGid),
        instance,
        pqc: g3Fields(gen) && proto === 'tls' ? sPqc : undefined,
        ...httpFields('server'),
        see_thru_days_remaining: stFields ? st!.days : undefined,
        see_thru_gid: stFields ? st!.gid : undefined,
        see_thru_exerted: stFields ? sExerted : undefined,
      }),
    );
    steps.push(
      sKey !== key
        ? `server line (D6.8): the server answers ${proto.toUpperCase()} ${sV}: ${sVerdict}, "${reasonText(sKey)}"${sExerted ? '; the see-thru lets it on' : stActive ? '' : '; the connection ends'}`
        : `server line (D6.8): the server answers${sV ? ` ${proto === 'http' ? 'HTTP' : proto.toUpperCase()} ${sV}` : ''}; outcome and reason as on the client line`,
    );
  }

  // 9. flow_log_verbosity (spec D5.4).
  const verbosity = prefs.flowLogVerbosity;
  const written = verbosity === 'full' ? lines : verbosity === 'none' ? [] : lines.filter((l) => l.outcome === 'disallowed');
  if (verbosity !== 'full') steps.push(`flow_log_verbosity ${verbosity}: ${plural(written.length, 'line')} of ${lines.length} written`);

  return {
    lines: written,
    steps,
    trace: {
      generation: gen, viewIndex, viewAt: view.at, client, aws, seeThru: st, proto, ...(protoV !== undefined ? { protoV } : {}), dhost, candidates,
      verdict, reasonKey: key, reason, passes, exerted, verbosity,
    },
  };
}

/** Spec D6.2 (D9 #24, #52): some egress rule of the client's groups covers TCP to dst:dpt. */
function awsCheck(vm: ViewModel, client: Client | null, conn: ConnectionSummary): DecisionTrace['aws'] {
  if (client === null) return { checked: !UNKNOWN_CLIENT_SKIPS_AWS_CHECK, passed: UNKNOWN_CLIENT_SKIPS_AWS_CHECK };
  for (const g of client.gids) {
    const gm = vm.groups.get(g);
    if (!gm) continue;
    for (const rule of gm.group.egress) {
      if (rule.target === 'cidr' && portsCoverTcp(rule, conn.dpt) && cidrContains(rule.destination, conn.dst)) {
        return { checked: true, passed: true, gid: g, rule: ruleText(rule) };
      }
    }
  }
  return { checked: true, passed: false };
}

/** Spec D6.6 (D9 #22, #28, #11). */
function seeThruFor(vm: ViewModel, client: Client | null, at: number): SeeThruTrace | null {
  const all: { gid: string; date: string }[] = [];
  if (client) {
    for (const g of client.gids) {
      const d = vm.groups.get(g)?.seeThru;
      if (d) all.push({ gid: g, date: d });
    }
  }
  if (vm.preferences.seeThru !== null && (client !== null || DEFAULT_SEE_THRU_FOR_UNKNOWN_CLIENTS)) all.push({ gid: DEFAULT_GID, date: vm.preferences.seeThru });
  if (all.length === 0) return null;
  const best = all.sort(compareSeeThru)[0]!;
  const days = seeThruDays(best.date, at);
  return { gid: best.gid, date: best.date, days, active: days >= 0 };
}

/**
 * Spec D6.4 (D9 #25): SSH names no host. The DNS cache maps `dst` back to this client's ssh
 * names (literal, warm, any port) whose resolution holds it; the first in byte order wins.
 */
function sshHostFor(
  estate: Estate, index: number, vm: ViewModel, client: Client | null, conn: ConnectionSummary, at: number, gen: Generation, resolver: Resolver | undefined,
): { name?: string; why: string } {
  if (!resolver) return { why: `no name given and no resolver to map ${conn.dst} back, so dhost is the destination IP` };
  const names = new Set<string>();
  let warming = 0;
  if (client) {
    for (const g of client.gids) {
      for (const e of vm.groups.get(g)?.entries ?? []) {
        if (e.proto !== 'ssh' || e.wildcard || names.has(e.addr)) continue;
        if (warmingUntil(estate, index, gen, e.addr, at, CACHE_WARMUP_MS) !== undefined) {
          warming++;
          continue;
        }
        names.add(e.addr);
      }
    }
  }
  const hits = [...names].filter((n) => resolver(n).includes(conn.dst));
  const name = pickSshName(hits);
  if (name !== undefined) {
    return { name, why: `the DNS cache maps ${conn.dst} back to ${name}${hits.length > 1 ? ` (first of ${hits.join(', ')})` : ''}` };
  }
  const note = warming > 0 ? ` (${plural(warming, 'name')} still warming up cannot be mapped back yet)` : '';
  return { why: `no ssh name of this client resolves to ${conn.dst}${note}, so dhost is the destination IP` };
}

const matchers = new WeakMap<AllowEntry, (host: string) => boolean>();

/** The D4.6 matcher of an entry, compiled once per entry of a view model. */
function matcherFor(e: AllowEntry): (host: string) => boolean {
  let m = matchers.get(e);
  if (!m) matchers.set(e, (m = compileAddrMatcher(e.addr)));
  return m;
}

/** Spec D6.4/D6.5: every entry of the client's groups for `proto`, judged against dpt and dhost. */
function candidatesFor(
  estate: Estate, index: number, vm: ViewModel, client: Client, proto: 'tls' | 'ssh', dst: string, dpt: number, host: string, at: number, gen: Generation,
): CandidateTrace[] {
  const out: CandidateTrace[] = [];
  for (const g of client.gids) {
    const gm = vm.groups.get(g);
    if (!gm) continue;
    for (const e of gm.entries) {
      if (e.proto !== proto) continue;
      // D9 #24: the firewall does not look at the rule's CIDR (AWS did, D6.2), unless switched on.
      const covers = e.rules.some((r) => portsCoverTcp(r, dpt) && (!RULE_CIDR_CONSULTED || (r.target === 'cidr' && cidrContains(r.destination, dst))));
      const until = e.wildcard ? undefined : warmingUntil(estate, index, gen, e.addr, at, CACHE_WARMUP_MS);
      const hostMatches = matcherFor(e)(host);
      let why: string;
      if (!covers) why = `no rule carrying it covers TCP port ${dpt}`;
      else if (until !== undefined) why = `still warming up in the DNS cache until ${iso(until)}`;
      else if (!hostMatches) why = `${host} does not match`;
      else why = e.wildcard ? `${host} matches the wildcard` : `${host} matches`;
      out.push({
        gid: g, proto, addr: e.addr, wildcard: e.wildcard, ports: e.ports.map(portsText), covers,
        ...(until !== undefined ? { warmingUntil: until } : {}),
        matches: covers && until === undefined && hostMatches, why,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Config lines (spec D7)

export type ConfigLine =
  | { readonly cat: 'fqdn'; readonly outcome: 'accepted' | 'removed'; readonly gid: string; readonly fqdn: string; readonly proto: 'tls' | 'ssh'; readonly instance?: string }
  | { readonly cat: 'client'; readonly outcome: 'accepted' | 'removed'; readonly client: string; readonly gid: string; readonly instance?: string }
  | { readonly cat: 'see-thru'; readonly outcome: 'accepted' | 'removed'; readonly gid: string; readonly thru_date: string; readonly instance?: string }
  | { readonly addr: string; readonly cat: 'addr'; readonly outcome: string; readonly instance?: string };

export interface ConfigOptions {
  /** Default G3. */
  readonly generation?: Generation;
  /** The firewall's instance id, written last on every G3 line (default: none written). */
  readonly instance?: string;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface ViewSets {
  accepted: Map<string, { gid: string; proto: 'tls' | 'ssh'; addr: string }>;
  clients: Map<string, { gid: string; ip: string }>;
  seeThru: Map<string, string>;
  refused: Map<string, { gid: string; addr: string; raw: string; outcome: string }>;
}

function setsOf(vm: ViewModel | null): ViewSets {
  const s: ViewSets = { accepted: new Map(), clients: new Map(), seeThru: new Map(), refused: new Map() };
  if (vm === null) return s;
  for (const g of vm.groups.values()) {
    for (const e of g.entries) s.accepted.set(`${g.gid}\u0000${e.proto}\u0000${e.addr}`, { gid: g.gid, proto: e.proto, addr: e.addr });
    for (const r of g.refused) s.refused.set(`${g.gid}\u0000${r.addr}`, { gid: g.gid, addr: r.addr, raw: r.raw, outcome: r.outcome });
    if (g.seeThru !== null) s.seeThru.set(g.gid, g.seeThru);
  }
  if (vm.preferences.seeThru !== null) s.seeThru.set(DEFAULT_GID, vm.preferences.seeThru);
  for (const c of vm.clients.values()) {
    for (const gid of c.gids) if (vm.groups.get(gid)?.annotated) s.clients.set(`${gid}\u0000${c.ip}`, { gid, ip: c.ip });
  }
  return s;
}

/**
 * Spec D7 (D9 #34): the config lines the change `old` -> `new` writes, in the table's row order
 * (removals first), each row sorted by gid, then fqdn/proto, client IP, or addr. `old` null is
 * the empty view of start-up.
 */
export function configLines(oldView: EstateView | null, newView: EstateView, options: ConfigOptions = {}): ConfigLine[] {
  const gen = options.generation ?? 'G3';
  const a = setsOf(oldView === null ? null : analyseView(oldView, gen));
  const b = setsOf(analyseView(newView, gen));
  const instance = g3Fields(gen) ? options.instance : undefined;
  const minus = <T>(x: Map<string, T>, y: Map<string, unknown>): T[] => [...x].filter(([k]) => !y.has(k)).map(([, v]) => v);
  const byFqdn = (p: { gid: string; addr: string; proto: string }, q: typeof p): number => cmp(p.gid, q.gid) || cmp(p.addr, q.addr) || cmp(p.proto, q.proto);
  const byClient = (p: { gid: string; ip: string }, q: typeof p): number => cmp(p.gid, q.gid) || ipv4ToNumber(p.ip) - ipv4ToNumber(q.ip);
  const out: ConfigLine[] = [];
  const fqdn = (outcome: 'accepted' | 'removed') => (e: { gid: string; proto: 'tls' | 'ssh'; addr: string }): void => {
    out.push(ordered(CONFIG_FIELD_ORDER.fqdn, { cat: 'fqdn', outcome: CONFIG_OUTCOME[outcome], gid: e.gid, fqdn: e.addr, proto: e.proto, instance }));
  };
  const client = (outcome: 'accepted' | 'removed') => (e: { gid: string; ip: string }): void => {
    out.push(ordered(CONFIG_FIELD_ORDER.client, { cat: 'client', outcome: CONFIG_OUTCOME[outcome], client: e.ip, gid: e.gid, instance }));
  };
  const seeThru = (outcome: 'accepted' | 'removed', from: Map<string, string>, other: Map<string, string>): void => {
    const gids = [...from.keys()].filter((g) => other.get(g) !== from.get(g)).sort(cmp);
    for (const g of gids) out.push(ordered(CONFIG_FIELD_ORDER['see-thru'], { cat: 'see-thru', outcome: CONFIG_OUTCOME[outcome], gid: g, thru_date: from.get(g), instance }));
  };

  minus(a.accepted, b.accepted).sort(byFqdn).forEach(fqdn('removed'));
  minus(a.clients, b.clients).sort(byClient).forEach(client('removed'));
  seeThru('removed', a.seeThru, b.seeThru);
  seeThru('accepted', b.seeThru, a.seeThru);
  minus(b.accepted, a.accepted).sort(byFqdn).forEach(fqdn('accepted'));
  if (gen !== 'G1') {
    for (const r of minus(b.refused, a.refused).sort((p, q) => cmp(p.gid, q.gid) || cmp(p.addr, q.addr))) {
      out.push(ordered(CONFIG_FIELD_ORDER.addr, { addr: r.raw, cat: 'addr', outcome: r.outcome, instance }));
    }
  }
  minus(b.clients, a.clients).sort(byClient).forEach(client('accepted'));
  return out;
}

/**
 * Every config line an estate writes over its views (spec D7): start-up (empty -> first view)
 * at the first view's `at`, then each change at the new view's `at`.
 */
export function estateConfigLines(estate: Estate, options: { generation?: Generation } = {}): { at: number; line: ConfigLine }[] {
  const out: { at: number; line: ConfigLine }[] = [];
  const opts = { ...options, instance: estate.firewall.instance };
  estate.views.forEach((v, i) => {
    for (const line of configLines(i === 0 ? null : estate.views[i - 1]!, v, opts)) out.push({ at: v.at, line });
  });
  return out;
}
