/**
 * The config log as an audit trail (spec D3, D7): every line in time order, the firewall's view
 * of the estate at any moment rebuilt from the trail (clients per group, allowed (proto, host)
 * per group, see-thru dates, refused addrs), and what changed between two moments.
 *
 * The trail only shows changes, so a state is what the lines up to that moment accepted and did
 * not remove: a trail that starts after the firewall started misses what was accepted before.
 */
import { DEFAULT_GID } from '../discriminat/reasons.js';
import type { ScanOptions, ScanReport } from '../engine/scan.js';
import type { Input } from '../sources/inputs.js';
import { compareIp, readLines, str, type Fields } from './flow-events.js';

/** One config line (spec D3.2), with its time and where it was read. */
export interface ConfigEvent {
  readonly at: number | null;
  readonly cat: 'fqdn' | 'client' | 'see-thru' | 'addr';
  /** `accepted`/`removed`, or the refusal text on `addr` lines. */
  readonly outcome: string;
  readonly gid?: string;
  readonly client?: string;
  readonly fqdn?: string;
  readonly proto?: string;
  readonly thruDate?: string;
  readonly addr?: string;
  readonly instance?: string;
  readonly input: string;
  readonly line: number | null;
}

export interface TrailOptions extends ScanOptions {
  /** Only lines about this group (addr lines name no group and are left out). */
  readonly gid?: string;
  /** Only lines of this firewall instance (an HA pair writes the trail twice). */
  readonly instance?: string;
  /** Set when times are needed (`--at`, `--diff`): inputs without times are refused. */
  readonly timesNeededFor?: string;
}

export interface Trail {
  /** In time order (stable: lines of one moment keep their order); input order without times. */
  readonly events: readonly ConfigEvent[];
  readonly report: ScanReport;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function eventOf(f: Fields, at: number | null, input: string, line: number | null): ConfigEvent {
  const pick = (k: string, name: keyof ConfigEvent = k as keyof ConfigEvent): Record<string, string> => {
    const v = str(f, k);
    return v === undefined ? {} : { [name]: v };
  };
  return {
    at, cat: str(f, 'cat') as ConfigEvent['cat'], outcome: str(f, 'outcome') ?? '',
    ...pick('gid'), ...pick('client'), ...pick('fqdn'), ...pick('proto'), ...pick('thru_date', 'thruDate'), ...pick('addr'), ...pick('instance'),
    input, line,
  };
}

export async function readTrail(inputs: readonly Input[], options: TrailOptions = {}): Promise<Trail> {
  const { gid, instance, timesNeededFor, ...scanOptions } = options;
  const events: ConfigEvent[] = [];
  const report = await readLines(
    inputs,
    {
      ...scanOptions,
      kinds: ['config'],
      // Every config line says accepted or removed, or is an addr line (spec D3.2).
      literals: gid !== undefined ? [gid] : ['accepted', 'removed', '"addr"'],
      keep: (_k, f) => (gid === undefined || str(f, 'gid') === gid) && (instance === undefined || str(f, 'instance') === instance),
      ...(timesNeededFor !== undefined ? { timesNeededFor } : {}),
    },
    (l) => events.push(eventOf(l.fields, l.timestamp, l.input, l.line)),
  );
  if (events.every((e) => e.at !== null)) events.sort((a, b) => a.at! - b.at!); // stable
  return { events, report };
}

// ---------------------------------------------------------------------------------------------
// The state at a moment

export interface GroupState {
  readonly gid: string;
  /** Numeric order. */
  readonly clients: readonly string[];
  /** `proto:host`, sorted by host then proto. */
  readonly allowed: readonly { readonly proto: string; readonly fqdn: string }[];
  readonly thruDate: string | null;
}

export interface RefusedState {
  readonly addr: string;
  readonly outcome: string;
  /** When the trail last refused it. */
  readonly at: number | null;
}

export interface AuditState {
  readonly at: number;
  /** Lines of the trail up to and including `at`. */
  readonly lines: number;
  /** Groups with anything in force, `%default` first, then by gid. */
  readonly groups: readonly GroupState[];
  /** Refused addrs that no later fqdn line accepted, by addr. */
  readonly refused: readonly RefusedState[];
}

/** Spec D4.4, roughly: how an addr line's raw spelling compares with an fqdn line's normalised one. */
const normaliseAddr = (a: string): string => a.trim().toLowerCase().replace(/\.$/, '');

const sep = '\u0000';

/** The view the trail gives at `at` (every line with a time <= at). */
export function stateAt(events: readonly ConfigEvent[], at: number): AuditState {
  const clients = new Map<string, Set<string>>();
  const allowed = new Map<string, Set<string>>();
  const seeThru = new Map<string, string>();
  const refused = new Map<string, RefusedState>();
  const setOf = (m: Map<string, Set<string>>, gid: string): Set<string> => {
    let s = m.get(gid);
    if (!s) m.set(gid, (s = new Set()));
    return s;
  };
  let lines = 0;
  for (const e of events) {
    if (e.at === null || e.at > at) continue;
    lines++;
    const added = e.outcome === 'accepted';
    switch (e.cat) {
      case 'client':
        if (e.gid === undefined || e.client === undefined) break;
        if (added) setOf(clients, e.gid).add(e.client);
        else if (e.outcome === 'removed') clients.get(e.gid)?.delete(e.client);
        break;
      case 'fqdn': {
        if (e.gid === undefined || e.fqdn === undefined) break;
        const key = `${e.proto ?? ''}${sep}${e.fqdn}`;
        if (added) {
          setOf(allowed, e.gid).add(key);
          refused.delete(normaliseAddr(e.fqdn)); // accepted now (e.g. wildcard_exposure relaxed)
        } else if (e.outcome === 'removed') allowed.get(e.gid)?.delete(key);
        break;
      }
      case 'see-thru':
        if (e.gid === undefined || e.thruDate === undefined) break;
        if (added) seeThru.set(e.gid, e.thruDate);
        // A removal carries the old date (D7); a date changed since stays.
        else if (e.outcome === 'removed' && seeThru.get(e.gid) === e.thruDate) seeThru.delete(e.gid);
        break;
      case 'addr':
        if (e.addr !== undefined) refused.set(normaliseAddr(e.addr), { addr: e.addr, outcome: e.outcome, at: e.at });
        break;
      default: {
        const never: never = e.cat;
        throw new Error(`unhandled config cat ${String(never)}`);
      }
    }
  }
  const gids = new Set([...clients.keys(), ...allowed.keys(), ...seeThru.keys()]);
  const groups: GroupState[] = [];
  for (const gid of gids) {
    const c = [...(clients.get(gid) ?? [])].sort(compareIp);
    const a = [...(allowed.get(gid) ?? [])]
      .map((k) => {
        const i = k.indexOf(sep);
        return { proto: k.slice(0, i), fqdn: k.slice(i + 1) };
      })
      .sort((x, y) => byText(x.fqdn, y.fqdn) || byText(x.proto, y.proto));
    const thruDate = seeThru.get(gid) ?? null;
    if (c.length === 0 && a.length === 0 && thruDate === null) continue;
    groups.push({ gid, clients: c, allowed: a, thruDate });
  }
  groups.sort((x, y) => (x.gid === DEFAULT_GID ? -1 : y.gid === DEFAULT_GID ? 1 : byText(x.gid, y.gid)));
  return { at, lines, groups, refused: [...refused.values()].sort((x, y) => byText(normaliseAddr(x.addr), normaliseAddr(y.addr))) };
}

// ---------------------------------------------------------------------------------------------
// What changed between two moments

export type ChangeKind = 'client' | 'fqdn' | 'see-thru' | 'refused';

export interface StateChange {
  readonly change: 'added' | 'removed' | 'changed';
  readonly kind: ChangeKind;
  /** Null for refused addrs (they name no group). */
  readonly gid: string | null;
  /** The client IP, `proto:host`, the thru date (the new one when changed), or the addr. */
  readonly value: string;
  /** For a changed see-thru date: the date before. */
  readonly from?: string;
}

export interface AuditDiff {
  readonly from: AuditState;
  readonly to: AuditState;
  /** In the order: see-thru, fqdn, client, refused; then by gid and value. */
  readonly changes: readonly StateChange[];
  /** Trail lines after `from` up to `to`. */
  readonly linesBetween: number;
}

export function diffStates(a: AuditState, b: AuditState): AuditDiff {
  const changes: StateChange[] = [];
  const ga = new Map(a.groups.map((g) => [g.gid, g]));
  const gb = new Map(b.groups.map((g) => [g.gid, g]));
  const gids = [...new Set([...ga.keys(), ...gb.keys()])].sort((x, y) => (x === DEFAULT_GID ? -1 : y === DEFAULT_GID ? 1 : byText(x, y)));
  const setDiff = (kind: ChangeKind, gid: string | null, before: readonly string[], after: readonly string[]): void => {
    const x = new Set(before);
    const y = new Set(after);
    for (const v of before) if (!y.has(v)) changes.push({ change: 'removed', kind, gid, value: v });
    for (const v of after) if (!x.has(v)) changes.push({ change: 'added', kind, gid, value: v });
  };
  for (const gid of gids) {
    const before = ga.get(gid)?.thruDate ?? null;
    const after = gb.get(gid)?.thruDate ?? null;
    if (before === after) continue;
    if (before === null) changes.push({ change: 'added', kind: 'see-thru', gid, value: after! });
    else if (after === null) changes.push({ change: 'removed', kind: 'see-thru', gid, value: before });
    else changes.push({ change: 'changed', kind: 'see-thru', gid, value: after, from: before });
  }
  const entries = (g: GroupState | undefined): string[] => (g?.allowed ?? []).map((e) => `${e.proto}:${e.fqdn}`);
  for (const gid of gids) setDiff('fqdn', gid, entries(ga.get(gid)), entries(gb.get(gid)));
  for (const gid of gids) setDiff('client', gid, ga.get(gid)?.clients ?? [], gb.get(gid)?.clients ?? []);
  setDiff('refused', null, a.refused.map((r) => r.addr), b.refused.map((r) => r.addr));
  return { from: a, to: b, changes, linesBetween: b.lines - a.lines };
}
