/**
 * What-if: every past client flow line is turned back into a connection summary (spec D6.1,
 * summary form) and decided again (spec D6) against a proposed estate; what would change is
 * reported by client, group and host. Made for gating an estate change, such as removing a
 * see-thru rule (the allowlist recipe's step 7), before it is made.
 *
 * A connection ends up in one of three states, in this order of openness: allowed by a protocol
 * rule, let through by an active see-thru (outcome `disallowed`, `see_thru_exerted` true), or
 * blocked. "Newly disallowed" is a move to a less open state; "newly allowed" one to a more open
 * state.
 */
import type { Generation } from '../discriminat/annotations.js';
import { checkConnection, decide, type ConnectionSummary, type Decision } from '../discriminat/decision.js';
import { isIpv4, viewIndexAt, type Estate } from '../discriminat/estate.js';
import { CACHE_WARMUP_MS, DEFAULT_GID, REASONS, utcDate } from '../discriminat/reasons.js';
import type { ScanOptions, ScanReport } from '../engine/scan.js';
import type { Input } from '../sources/inputs.js';
import { bool, compareIp, has, int, readLines, str, whereOf, type Fields } from './flow-events.js';

export type FlowState = 'allowed' | 'see-thru' | 'blocked';

/** Decisions kept for reuse; beyond this the cache starts over. */
const DECISION_CACHE_SIZE = 100_000;

const OPENNESS: Readonly<Record<FlowState, number>> = { allowed: 2, 'see-thru': 1, blocked: 0 };

/** A connection's state, why, and the group that decided it (null when none did). */
export interface Outcome {
  readonly state: FlowState;
  readonly reason: string;
  /** The allowing gid (`%default` for a CRL fetch allowed by preference), or the see-thru's gid. */
  readonly group: string | null;
}

/** Why the firewall's verdict was not a protocol-rule matter but an out-of-band one (spec D6.5). */
const OUT_OF_BAND: ReadonlySet<string> = new Set([REASONS.DNS, REASONS.CACHE]);

/** The text for a connection AWS would drop before the firewall (spec D6.2). */
export const AWS_DROPPED = 'dropped by AWS: no egress rule of the client covers it';

export interface ReplayOptions extends ScanOptions {
  readonly estate: Estate;
  /** The time for lines from inputs without times (epoch ms); without it such inputs are refused. */
  readonly at?: number;
  /** Decide as this generation; default: G3 for lines with `instance`, else G2 (spec D2.7). */
  readonly generation?: Generation;
  /** Examples kept per reason a line could not be replayed (default 3). */
  readonly examples?: number;
}

export interface ChangeRow {
  readonly direction: 'disallowed' | 'allowed';
  readonly from: FlowState;
  readonly to: FlowState;
  readonly client: string;
  /**
   * Newly disallowed: the group that used to let it through (the allowing gid or the see-thru's).
   * Newly allowed: the group that now does. Null when there is none.
   */
  readonly group: string | null;
  readonly dhost: string;
  readonly proto: string;
  readonly dpt: number;
  /** The new reason (the firewall's `reason` text, or AWS_DROPPED). */
  readonly reason: string;
  readonly count: number;
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
}

export interface Totals {
  readonly key: string;
  readonly disallowed: number;
  readonly allowed: number;
}

export interface SkipRow {
  readonly why: string;
  readonly count: number;
  /** `input:line` of the first few. */
  readonly examples: readonly string[];
}

export interface ReplayResult {
  /** Client lines decided again. */
  readonly replayed: number;
  /** Most lines first. */
  readonly newlyDisallowed: readonly ChangeRow[];
  readonly newlyAllowed: readonly ChangeRow[];
  readonly disallowedLines: number;
  readonly allowedLines: number;
  readonly unchanged: { readonly allowed: number; readonly seeThru: number; readonly blocked: number; readonly total: number; readonly reasonChanged: number };
  readonly byClient: readonly Totals[];
  readonly byGroup: readonly Totals[];
  readonly byHost: readonly Totals[];
  /** Client lines that could not be replayed, by why. */
  readonly skipped: readonly SkipRow[];
  readonly skippedLines: number;
  /** Server lines read and left out: the client line carries the connection's verdict (D6.7). */
  readonly serverLines: number;
  /** Lines whose refusal was out of band (dns mismatch, cache not ready) kept as logged. */
  readonly outOfBandKept: number;
  readonly report: ScanReport;
}

/** Whether anything would become less open: the gate (exit 1 in the CLI). */
export function anyNewlyDisallowed(r: ReplayResult): boolean {
  return r.newlyDisallowed.length > 0;
}

/** The state a logged client line records (spec D2.3, D6.7). */
export function loggedOutcome(f: Fields): Outcome {
  const reason = str(f, 'reason') ?? '';
  if (bool(f, 'see_thru_exerted') === true) return { state: 'see-thru', reason, group: str(f, 'see_thru_gid') ?? null };
  if (str(f, 'outcome') === 'allowed') return { state: 'allowed', reason, group: reason === REASONS.CRL ? DEFAULT_GID : reason };
  return { state: 'blocked', reason, group: str(f, 'see_thru_gid') ?? null };
}

/** The state a decision gives. */
export function decidedOutcome(d: Decision): Outcome {
  const t = d.trace;
  if (t.verdict === undefined) return { state: 'blocked', reason: AWS_DROPPED, group: null };
  const reason = t.reason ?? '';
  if (t.verdict === 'allowed') return { state: 'allowed', reason, group: reason === REASONS.CRL ? DEFAULT_GID : reason };
  if (t.passes) return { state: 'see-thru', reason, group: t.seeThru?.gid ?? null };
  return { state: 'blocked', reason, group: t.seeThru?.gid ?? null };
}

const FIELD_TYPES: readonly [string, 'string' | 'integer'][] = [
  ['dhost', 'string'], ['outcome', 'string'], ['src', 'string'], ['spt', 'integer'], ['proto', 'string'], ['dst', 'string'], ['dpt', 'integer'],
];

/**
 * A client flow line back as the connection summary that would write it (spec D6.1, D9 #51),
 * or why it cannot be: missing or mistyped fields, or values `decide` refuses.
 */
export function connectionOf(f: Fields): { conn: ConnectionSummary } | { problem: string } {
  const missing: string[] = [];
  const mistyped: string[] = [];
  for (const [k, type] of FIELD_TYPES) {
    if (!has(f, k)) missing.push(k);
    else if (type === 'string' ? str(f, k) === undefined : int(f, k) === undefined) mistyped.push(k);
  }
  const proto = str(f, 'proto');
  if (proto !== undefined && proto !== 'unknown' && !has(f, 'proto_v')) missing.push('proto_v');
  if (proto === 'http') for (const k of ['http_method', 'http_path']) if (!has(f, k)) missing.push(k);
  if (missing.length > 0) return { problem: `missing ${missing.join(', ')}` };
  for (const k of ['proto_v', 'http_method', 'http_path', 'http_user_agent']) if (has(f, k) && str(f, k) === undefined) mistyped.push(k);
  if (has(f, 'pqc') && bool(f, 'pqc') === undefined) mistyped.push('pqc');
  if (mistyped.length > 0) return { problem: `wrong type: ${mistyped.join(', ')}` };

  const dst = str(f, 'dst')!;
  const dhost = str(f, 'dhost')!;
  // dhost is the destination IP when no name was known (spec D2.3): no SNI, no Host header, an
  // SSH address not mapped back. A name is given back as the SNI / Host / mapped name.
  const named = !isIpv4(dhost) && dhost !== '';
  const protoV = str(f, 'proto_v');
  const conn: ConnectionSummary = {
    src: str(f, 'src')!,
    spt: int(f, 'spt')!,
    dst,
    dpt: int(f, 'dpt')!,
    proto: proto as ConnectionSummary['proto'],
    ...(named && proto !== 'unknown' ? { dhost } : {}),
    ...(proto !== 'unknown' && protoV !== undefined ? { proto_v: protoV } : {}),
    ...(bool(f, 'pqc') === true ? { pqc: true } : {}),
    ...(proto === 'http'
      ? { http: { method: str(f, 'http_method')!, path: str(f, 'http_path')!, ...(str(f, 'http_user_agent') !== undefined ? { userAgent: str(f, 'http_user_agent')! } : {}) } }
      : {}),
    // The client line's verdict does not depend on the server; no server line is wanted.
    server: null,
  };
  const problems = checkConnection(conn);
  if (problems.length > 0) {
    // Grouped by kind of problem, not by value: values go into the examples' lines.
    return { problem: `invalid: ${problems.map((p) => p.replace(/ `[^`]*`/g, '').replace(/^(spt|dpt|http code) -?\d+/, '$1')).join('; ')}` };
  }
  return { conn };
}

interface RowAcc {
  direction: 'disallowed' | 'allowed';
  from: FlowState;
  to: FlowState;
  client: string;
  group: string | null;
  dhost: string;
  proto: string;
  dpt: number;
  reason: string;
  count: number;
  first: number | null;
  last: number | null;
}

export async function replay(inputs: readonly Input[], options: ReplayOptions): Promise<ReplayResult> {
  const { estate, at: fallbackAt, generation, examples = 3, ...scanOptions } = options;
  const rows = new Map<string, RowAcc>();
  const skipped = new Map<string, { count: number; examples: string[] }>();
  const unchanged = { allowed: 0, seeThru: 0, blocked: 0, total: 0, reasonChanged: 0 };
  let replayed = 0;
  let serverLines = 0;
  let skippedLines = 0;
  let outOfBandKept = 0;
  // Decisions repeat (same client, host, port, day): cached while the moment cannot matter
  // beyond its view and UTC day (spec D6.5 warm-up lasts CACHE_WARMUP_MS after a view starts).
  const cache = new Map<string, Outcome>();

  const skip = (why: string, where: string): void => {
    skippedLines++;
    let s = skipped.get(why);
    if (!s) skipped.set(why, (s = { count: 0, examples: [] }));
    s.count++;
    if (s.examples.length < examples) s.examples.push(where);
  };

  const report = await readLines(
    inputs,
    {
      ...scanOptions,
      kinds: ['flow'],
      ...(fallbackAt === undefined ? { timesNeededFor: 'replay needs a time for each line (give --at T for inputs without times)' } : {}),
    },
    (l) => {
      const f = l.fields;
      if (str(f, 'cat') === 'server') {
        serverLines++;
        return;
      }
      const at = l.timestamp ?? fallbackAt;
      if (at === undefined) return skip('no time', whereOf(l));
      const made = connectionOf(f);
      if ('problem' in made) return skip(made.problem, whereOf(l));
      const { conn } = made;
      const gen: Generation = generation ?? (has(f, 'instance') ? 'G3' : 'G2');
      const vi = viewIndexAt(estate, at);
      const settled = at - estate.views[vi]!.at >= CACHE_WARMUP_MS || estate.views.length === 1;
      const key = [gen, vi, settled ? utcDate(at) : at, conn.src, conn.dhost ?? '', conn.dst, conn.dpt, conn.proto, conn.proto_v ?? '', conn.pqc === true,
        conn.http?.method ?? '', conn.http?.path ?? ''].join('\u0000');
      let now = cache.get(key);
      if (now === undefined) {
        now = decidedOutcome(decide(estate, at, conn, { generation: gen }));
        if (cache.size >= DECISION_CACHE_SIZE) cache.clear(); // bounded memory on any input
        cache.set(key, now);
      }
      const before = loggedOutcome(f);
      // Spec D6.5: a DNS mismatch or a cold cache is about the destination and the moment, not
      // the estate; the log does not say what DNS answered, so the refusal stands where a rule
      // would now match.
      if (OUT_OF_BAND.has(before.reason) && now.state === 'allowed') {
        outOfBandKept++;
        const seeThru = decideSeeThru(estate, at, conn, gen);
        now = seeThru ? { state: 'see-thru', reason: before.reason, group: seeThru } : { state: 'blocked', reason: before.reason, group: null };
      }
      replayed++;
      const diff = OPENNESS[now.state] - OPENNESS[before.state];
      if (diff === 0) {
        unchanged.total++;
        if (now.state === 'allowed') unchanged.allowed++;
        else if (now.state === 'see-thru') unchanged.seeThru++;
        else unchanged.blocked++;
        if (now.reason !== before.reason) unchanged.reasonChanged++;
        return;
      }
      const direction = diff < 0 ? 'disallowed' : 'allowed';
      const group = diff < 0 ? before.group : now.group;
      const dhost = str(f, 'dhost')!;
      const rowKey = [direction, before.state, now.state, conn.src, group ?? '', dhost, conn.proto, conn.dpt, now.reason].join('\u0000');
      let r = rows.get(rowKey);
      if (!r) {
        rows.set(rowKey, (r = { direction, from: before.state, to: now.state, client: conn.src, group, dhost, proto: conn.proto, dpt: conn.dpt, reason: now.reason, count: 0, first: null, last: null }));
      }
      r.count++;
      if (l.timestamp !== null) {
        if (r.first === null || l.timestamp < r.first) r.first = l.timestamp;
        if (r.last === null || l.timestamp > r.last) r.last = l.timestamp;
      }
    },
  );

  const all: ChangeRow[] = [...rows.values()].map((r) => ({
    direction: r.direction, from: r.from, to: r.to, client: r.client, group: r.group, dhost: r.dhost, proto: r.proto, dpt: r.dpt, reason: r.reason,
    count: r.count, firstSeen: r.first, lastSeen: r.last,
  }));
  const byCount = (x: ChangeRow, y: ChangeRow): number =>
    y.count - x.count || compareIp(x.client, y.client) || text(x.dhost, y.dhost) || text(x.proto, y.proto) || x.dpt - y.dpt || text(x.group ?? '', y.group ?? '') || text(x.reason, y.reason);
  const newlyDisallowed = all.filter((r) => r.direction === 'disallowed').sort(byCount);
  const newlyAllowed = all.filter((r) => r.direction === 'allowed').sort(byCount);
  const totals = (keyOf: (r: ChangeRow) => string): Totals[] => {
    const m = new Map<string, { disallowed: number; allowed: number }>();
    for (const r of all) {
      const k = keyOf(r);
      let t = m.get(k);
      if (!t) m.set(k, (t = { disallowed: 0, allowed: 0 }));
      t[r.direction] += r.count;
    }
    return [...m].map(([key, t]) => ({ key, ...t })).sort((x, y) => y.disallowed + y.allowed - (x.disallowed + x.allowed) || text(x.key, y.key));
  };
  return {
    replayed,
    newlyDisallowed,
    newlyAllowed,
    disallowedLines: newlyDisallowed.reduce((n, r) => n + r.count, 0),
    allowedLines: newlyAllowed.reduce((n, r) => n + r.count, 0),
    unchanged,
    byClient: totals((r) => r.client),
    byGroup: totals((r) => r.group ?? '-'),
    byHost: totals((r) => r.dhost),
    skipped: [...skipped].map(([why, s]) => ({ why, count: s.count, examples: s.examples })).sort((x, y) => y.count - x.count || text(x.why, y.why)),
    skippedLines,
    serverLines,
    outOfBandKept,
    report,
  };
}

const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The gid of the see-thru active for the connection's client at `at`, if any (spec D6.6). */
function decideSeeThru(estate: Estate, at: number, conn: ConnectionSummary, generation: Generation): string | null {
  const st = decide(estate, at, conn, { generation }).trace.seeThru;
  return st !== null && st.active ? st.gid : null;
}
