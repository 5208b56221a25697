/**
 * Step 6 of the vendor's allowlist recipe: after the protocol rules are attached and the
 * application has run its lifecycle again, did anything still need the see-thru rule of GROUP?
 * That is a client flow line with `see_thru_gid` GROUP and `see_thru_exerted` true (spec D2.3,
 * D6.7 step 6) since a moment, grouped by destination as the recipe's query groups it
 * (`stats count() by see_thru_exerted, see_thru_gid, dhost, proto, dpt`). A client line blocked
 * because the see-thru had already expired (G3 keeps the fields: negative days, exerted false,
 * spec D6.6) needed it too, and counts.
 */
import { normaliseAddr } from '../discriminat/annotations.js';
import { compileAddrMatcher } from '../discriminat/wildcards.js';
import type { ScanOptions, ScanReport } from '../engine/scan.js';
import type { Input } from '../sources/inputs.js';
import { bool, compareIp, int, readLines, str } from './flow-events.js';

export interface VerifyOptions extends ScanOptions {
  /** The group holding the see-thru rule (or `%default`). */
  readonly gid: string;
  /** Only lines at or after this time (epoch ms); the inputs must then carry times. */
  readonly since?: number;
  /**
   * Hosts the team chose to leave disallowed (the recipe: "such as the endpoints that just
   * collect telemetry data"): hostname patterns as the allowlist's `--exclude` takes them (spec
   * D4.6: `*` and `?` within one label), so the same list serves steps 5 and 6.
   */
  readonly exclude?: readonly string[];
}

/** One destination that still needed the see-thru. */
export interface NeededDestination {
  readonly dhost: string;
  readonly proto: string;
  readonly dpt: number;
  /** Client IPs, sorted numerically. */
  readonly clients: readonly string[];
  /** Client lines that needed the see-thru: exerted, plus blocked after it expired. */
  readonly count: number;
  /** Lines the see-thru let through (`see_thru_exerted` true). */
  readonly exerted: number;
  /**
   * Lines blocked because the see-thru had expired (G3: negative days, exerted false,
   * outcome disallowed; spec D6.6): they needed it too, and nothing let them through.
   */
  readonly blockedExpired: number;
  /** Epoch ms; null when the inputs carry no times. */
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
}

export interface VerifyResult {
  readonly gid: string;
  readonly since: number | null;
  /** Most lines first. */
  readonly needed: readonly NeededDestination[];
  /** Destinations an exclude pattern matched (not counted against the gate). */
  readonly excluded: readonly NeededDestination[];
  /** Total lines in `needed`. */
  readonly neededLines: number;
  /** Client lines that carried the gid in the window at all (0: is the group attached?). */
  readonly linesWithGid: number;
  /** The window's client lines with the gid that a protocol rule allowed anyway. */
  readonly allowedByRules: number;
  readonly report: ScanReport;
}

/** Whether anything still needed the see-thru: the gate (exit 1 in the CLI). */
export function stillNeeded(r: VerifyResult): boolean {
  return r.needed.length > 0;
}

interface Acc {
  dhost: string;
  proto: string;
  dpt: number;
  clients: Set<string>;
  exerted: number;
  blockedExpired: number;
  first: number | null;
  last: number | null;
}

export async function verifySeeThru(inputs: readonly Input[], options: VerifyOptions): Promise<VerifyResult> {
  const { gid, since, exclude = [], ...scanOptions } = options;
  const excludes = exclude.map((p) => compileAddrMatcher(normaliseAddr(p)));
  const byDest = new Map<string, Acc>();
  let linesWithGid = 0;
  let allowedByRules = 0;
  const report = await readLines(
    inputs,
    {
      ...scanOptions,
      // The scan drops earlier lines before they are parsed.
      ...(since !== undefined ? { start: Math.max(since, scanOptions.start ?? -Infinity) } : {}),
      kinds: ['flow'],
      literals: [gid],
      keep: (_k, f) => str(f, 'cat') === 'client' && str(f, 'see_thru_gid') === gid,
      ...(since !== undefined ? { timesNeededFor: '--since cannot be honoured' } : {}),
    },
    (l) => {
      const f = l.fields;
      linesWithGid++;
      const exerted = bool(f, 'see_thru_exerted') === true;
      const days = int(f, 'see_thru_days_remaining');
      const outcome = str(f, 'outcome');
      const blockedExpired = !exerted && days !== undefined && days < 0 && outcome === 'disallowed';
      if (!exerted && !blockedExpired) {
        if (outcome === 'allowed') allowedByRules++;
        return;
      }
      const dhost = str(f, 'dhost') ?? '';
      const proto = str(f, 'proto') ?? '';
      const dpt = int(f, 'dpt') ?? -1;
      const key = `${dhost}\u0000${proto}\u0000${dpt}`;
      let a = byDest.get(key);
      if (!a) byDest.set(key, (a = { dhost, proto, dpt, clients: new Set(), exerted: 0, blockedExpired: 0, first: null, last: null }));
      const src = str(f, 'src');
      if (src !== undefined) a.clients.add(src);
      if (exerted) a.exerted++;
      else a.blockedExpired++;
      const t = l.timestamp;
      if (t !== null) {
        if (a.first === null || t < a.first) a.first = t;
        if (a.last === null || t > a.last) a.last = t;
      }
    },
  );
  const needed: NeededDestination[] = [];
  const excluded: NeededDestination[] = [];
  for (const a of byDest.values()) {
    const d: NeededDestination = {
      dhost: a.dhost, proto: a.proto, dpt: a.dpt, clients: [...a.clients].sort(compareIp),
      count: a.exerted + a.blockedExpired, exerted: a.exerted, blockedExpired: a.blockedExpired, firstSeen: a.first, lastSeen: a.last,
    };
    (excludes.some((m) => m(normaliseAddr(a.dhost))) ? excluded : needed).push(d);
  }
  const order = (x: NeededDestination, y: NeededDestination): number =>
    y.count - x.count || (x.dhost < y.dhost ? -1 : x.dhost > y.dhost ? 1 : 0) || (x.proto < y.proto ? -1 : x.proto > y.proto ? 1 : 0) || x.dpt - y.dpt;
  needed.sort(order);
  excluded.sort(order);
  return {
    gid, since: since ?? null, needed, excluded, neededLines: needed.reduce((n, d) => n + d.count, 0),
    linesWithGid, allowedByRules, report,
  };
}
