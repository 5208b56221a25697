/**
 * Every see-thru rule the logs show, and how long each has left: from flow lines (the
 * `see_thru_*` trio, spec D2.3; the date a line implies is its UTC date plus its days, D6.6)
 * and from config lines (`cat: "see-thru"` accepted/removed with `thru_date`, spec D3.2, D7),
 * merged per gid.
 */
import { DEFAULT_GID, seeThruDays, utcDate } from '../discriminat/reasons.js';
import type { ScanOptions, ScanReport } from '../engine/scan.js';
import type { Input } from '../sources/inputs.js';
import { bool, compareIp, int, readLines, str } from './flow-events.js';

const DAY_MS = 86_400_000;

/** What the flow lines say about one gid. */
export interface SeeThruFlowView {
  /** Flow lines (client and server) carrying the gid. */
  readonly lines: number;
  /** Of those, lines with `see_thru_exerted` true. */
  readonly exerted: number;
  /** Client IPs the rule covered (src of client lines, dst of server lines), numeric order. */
  readonly clients: readonly string[];
  /** `see_thru_days_remaining` on the newest line (last in input order when there are no times). */
  readonly lastDays: number;
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
  /** The newest line's date plus its days (spec D6.6); null without times. */
  readonly thruDate: string | null;
  /** Every distinct date the timed lines imply, sorted: more than one means the date moved. */
  readonly datesSeen: readonly string[];
}

export interface SeeThruConfigEvent {
  readonly at: number | null;
  readonly outcome: string;
  readonly thruDate: string;
}

/** What the config trail says about one gid. */
export interface SeeThruConfigView {
  /** The last line's outcome: `accepted` (the rule is in force) or `removed`. */
  readonly state: 'accepted' | 'removed';
  /** The date of the last line (the accepted date, or the date removed). */
  readonly thruDate: string;
  readonly at: number | null;
  readonly history: readonly SeeThruConfigEvent[];
}

export type SeeThruStatus = 'active' | 'expired' | 'removed';

export interface SeeThruRule {
  readonly gid: string;
  readonly flow: SeeThruFlowView | null;
  readonly config: SeeThruConfigView | null;
  /** Which view the status comes from: the newer one; config when times cannot tell. */
  readonly source: 'flow' | 'config';
  /** The thru date in force, when known. */
  readonly thruDate: string | null;
  /**
   * Whole days from the as-of date to the thru date (0 on the date, negative once expired);
   * without a known date, the days the newest flow line logged.
   */
  readonly daysRemaining: number;
  /** True when `daysRemaining` is the logged value, not computed from a date. */
  readonly daysAsLogged: boolean;
  readonly status: SeeThruStatus;
}

export interface SeeThruOptions extends ScanOptions {
  /** The moment days are counted from (epoch ms). */
  readonly asOf: number;
  /** Only this gid. */
  readonly gid?: string;
}

export interface SeeThruReport {
  readonly asOf: number;
  /** `%default` first, then by gid. */
  readonly rules: readonly SeeThruRule[];
  readonly report: ScanReport;
}

/** `YYYY-MM-DD` plus whole days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The rules that are still in force and have `days` or fewer left (or have expired). */
export function expiringRules(r: SeeThruReport, days: number): SeeThruRule[] {
  return r.rules.filter((x) => x.status !== 'removed' && x.daysRemaining <= days);
}

interface FlowAcc {
  lines: number;
  exerted: number;
  clients: Set<string>;
  lastDays: number;
  first: number | null;
  last: number | null;
  dates: Set<string>;
}

export async function seeThruRules(inputs: readonly Input[], options: SeeThruOptions): Promise<SeeThruReport> {
  const { asOf, gid: only, ...scanOptions } = options;
  const flows = new Map<string, FlowAcc>();
  const trails = new Map<string, SeeThruConfigEvent[]>();
  const report = await readLines(
    inputs,
    {
      ...scanOptions,
      kinds: ['flow', 'config'],
      literals: only !== undefined ? [only] : ['see_thru_gid', 'see-thru'],
      keep: (kind, f) => {
        const gid = kind === 'flow' ? str(f, 'see_thru_gid') : str(f, 'cat') === 'see-thru' ? str(f, 'gid') : undefined;
        return gid !== undefined && (only === undefined || gid === only);
      },
    },
    (l) => {
      const f = l.fields;
      const t = l.timestamp;
      if (l.kind === 'config') {
        const thruDate = str(f, 'thru_date');
        if (thruDate === undefined) return;
        const gid = str(f, 'gid')!;
        let trail = trails.get(gid);
        if (!trail) trails.set(gid, (trail = []));
        trail.push({ at: t, outcome: str(f, 'outcome') ?? '', thruDate });
        return;
      }
      const gid = str(f, 'see_thru_gid')!;
      const days = int(f, 'see_thru_days_remaining');
      let a = flows.get(gid);
      if (!a) flows.set(gid, (a = { lines: 0, exerted: 0, clients: new Set(), lastDays: days ?? 0, first: null, last: null, dates: new Set() }));
      a.lines++;
      if (bool(f, 'see_thru_exerted') === true) a.exerted++;
      const client = str(f, 'cat') === 'server' ? str(f, 'dst') : str(f, 'src');
      if (client !== undefined) a.clients.add(client);
      if (days === undefined) return;
      if (t === null) {
        a.lastDays = days; // input order stands in for time
        return;
      }
      a.dates.add(addDays(utcDate(t), days));
      if (a.first === null || t < a.first) a.first = t;
      if (a.last === null || t >= a.last) {
        a.last = t;
        a.lastDays = days;
      }
    },
  );

  const rules: SeeThruRule[] = [];
  for (const gid of new Set([...flows.keys(), ...trails.keys()])) {
    const a = flows.get(gid);
    const flow: SeeThruFlowView | null = a
      ? {
          lines: a.lines, exerted: a.exerted, clients: [...a.clients].sort(compareIp), lastDays: a.lastDays, firstSeen: a.first, lastSeen: a.last,
          thruDate: a.last === null ? null : addDays(utcDate(a.last), a.lastDays), datesSeen: [...a.dates].sort(),
        }
      : null;
    const trail = trails.get(gid);
    let config: SeeThruConfigView | null = null;
    if (trail) {
      // Stable by time: D7 writes a changed date as removed (old) then accepted (new) at one moment.
      const history = trail.every((e) => e.at !== null) ? [...trail].sort((x, y) => x.at! - y.at!) : trail;
      const last = history[history.length - 1]!;
      config = { state: last.outcome === 'removed' ? 'removed' : 'accepted', thruDate: last.thruDate, at: last.at, history };
    }
    // The newer view wins; config when either has no time (the trail is what the rule says).
    const source: 'flow' | 'config' =
      config === null ? 'flow' : flow === null ? 'config' : config.at !== null && flow.lastSeen !== null && flow.lastSeen > config.at ? 'flow' : 'config';
    let thruDate: string | null;
    let status: SeeThruStatus;
    if (source === 'config') {
      thruDate = config!.thruDate;
      status = config!.state === 'removed' ? 'removed' : 'active';
    } else {
      thruDate = flow!.thruDate;
      status = 'active';
    }
    const daysAsLogged = thruDate === null;
    const daysRemaining = thruDate === null ? flow!.lastDays : seeThruDays(thruDate, asOf);
    if (status === 'active' && daysRemaining < 0) status = 'expired';
    rules.push({ gid, flow, config, source, thruDate, daysRemaining, daysAsLogged, status });
  }
  rules.sort((x, y) => (x.gid === DEFAULT_GID ? -1 : y.gid === DEFAULT_GID ? 1 : x.gid < y.gid ? -1 : x.gid > y.gid ? 1 : 0));
  return { asOf, rules, report };
}
