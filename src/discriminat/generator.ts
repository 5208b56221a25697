/**
 * Synthetic discrimiNAT logs (issue 4 part 5): a realistic estate that changes over time
 * (generator-scenario.ts), connections from its clients in a daily rhythm, each decided by
 * `decide()` (spec D6), and the config lines its changes write (`estateConfigLines`, spec D7);
 * all as one time-ordered stream of events, produced lazily so memory does not grow with the
 * count. Writing the events to files is generator-files.ts's job.
 */
import type { Generation } from './annotations.js';
import { IP_ONLY_PREFIXES, PROVIDERS, CRL_AGENTS } from './generator-catalog.js';
import { Random, WeightedPicker } from './generator-random.js';
import {
  DAY_MS,
  DEFAULT_START,
  MAX_APPS,
  MIN_APPS,
  NOTED_CLIENT,
  buildScenario,
  scenarioAgainst,
  type App,
  type ClientInfo,
  type Host,
  type Scenario,
  type ScenarioView,
} from './generator-scenario.js';
import { configLines, decide, estateConfigLines, toJsonLine, type ConfigLine, type ConnectionSummary, type DecideOptions, type FlowLine, type Proto } from './decision.js';
import { viewIndexAt, type Estate } from './estate.js';

export { buildScenario, formatJson, NOTED_CLIENT, type Scenario, type SeeThruInfo, type Change } from './generator-scenario.js';

export interface GenerateOptions {
  /** Any text; default `1`. The same seed and options give the same events. */
  readonly seed?: string | number;
  /** The time span in days (may be fractional); default 7. */
  readonly days?: number;
  /** Flow lines to produce, exactly (the last connection may be cut after its client line); default 100,000. */
  readonly flows?: number;
  /** Applications in the estate; default 30, at least MIN_APPS. */
  readonly apps?: number;
  /** First instant: epoch ms or ISO-8601 text; default 2026-03-29T00:00:00Z (spec D8's today). */
  readonly start?: number | string;
  /** Schema generation of the lines (spec D2.2); default G3. */
  readonly generation?: Generation;
  /** The seed of the connections alone (default: `seed`): the same estate and applications, other traffic. */
  readonly trafficSeed?: string | number;
  /**
   * Decide the connections against this native estate file instead of the seed's own: an
   * earlier run's `estate.json`, changed (e.g. by `applyAllowlist`). The seed (and `apps`) must
   * be the ones that file was generated with: its interfaces' addresses are looked up among the
   * seed's clients to know which application each one is. The traffic runs from `start` for
   * `days` against the view in force at each moment; the config stream opens with the lines the
   * view in force at `start` writes (the firewall reading this estate) and has the changes of
   * later views. The seed's staged tour of rare cases is left out: it is tied to its own estate.
   */
  readonly estate?: { readonly file: string; readonly text: string };
  /**
   * Connections no protocol rule could allow: unknown protocols, TLS without SNI, TLS below 1.2,
   * SSH 1.99 or to a bare address, stale DNS addresses, plain HTTP other than CRL fetches.
   * Default true; false for a lifecycle in which every connection is one an allowlist or the
   * `x509_crls` preference decides.
   */
  readonly anomalies?: boolean;
}

export interface ResolvedOptions {
  readonly seed: string;
  readonly days: number;
  readonly flows: number;
  readonly apps: number;
  readonly start: number;
  readonly generation: Generation;
  readonly trafficSeed: string;
  readonly anomalies: boolean;
}

export const GENERATE_DEFAULTS = { seed: '1', days: 7, flows: 100_000, apps: 30, start: DEFAULT_START, generation: 'G3', anomalies: true } as const;
export const MAX_DAYS = 366;
export { MIN_APPS, MAX_APPS };

/** Options out of range: the message says which and why (the CLI prints it, exit 2). */
export class GenerateOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenerateOptionsError';
  }
}

export function resolveOptions(o: GenerateOptions = {}): ResolvedOptions {
  const seed = String(o.seed ?? GENERATE_DEFAULTS.seed);
  const days = o.days ?? GENERATE_DEFAULTS.days;
  if (!Number.isFinite(days) || days <= 0 || days > MAX_DAYS) throw new GenerateOptionsError(`days must be more than 0 and at most ${MAX_DAYS}, not ${days}`);
  const flows = o.flows ?? GENERATE_DEFAULTS.flows;
  if (!Number.isSafeInteger(flows) || flows < 0) throw new GenerateOptionsError(`flows must be a whole number of lines, 0 or more, not ${flows}`);
  const apps = o.apps ?? GENERATE_DEFAULTS.apps;
  if (!Number.isInteger(apps) || apps < MIN_APPS || apps > MAX_APPS) {
    throw new GenerateOptionsError(`apps must be a whole number from ${MIN_APPS} (one of each core kind) to ${MAX_APPS}, not ${apps}`);
  }
  let start = GENERATE_DEFAULTS.start as number;
  if (typeof o.start === 'number') start = o.start;
  else if (typeof o.start === 'string') {
    start = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(o.start) ? Date.parse(o.start) : NaN;
    if (Number.isNaN(start)) throw new GenerateOptionsError(`start must be an ISO-8601 time such as 2026-03-29T00:00:00Z, not \`${o.start}\``);
  }
  if (!Number.isInteger(start) || start < 0 || start > Date.UTC(9000, 0, 1)) throw new GenerateOptionsError(`start is out of range: ${o.start}`);
  const generation = o.generation ?? GENERATE_DEFAULTS.generation;
  if (!['G1', 'G2', 'G3'].includes(generation)) throw new GenerateOptionsError(`generation must be G1, G2 or G3, not ${generation}`);
  const trafficSeed = String(o.trafficSeed ?? seed);
  return { seed, days, flows, apps, start, generation, trafficSeed, anomalies: o.anomalies ?? GENERATE_DEFAULTS.anomalies };
}

/** One log event: a line of the `flow` or `config` stream, at its time. */
export interface GeneratedEvent {
  readonly stream: 'flow' | 'config';
  /** Epoch ms. */
  readonly timestamp: number;
  /** The exact line (spec D2.1/D3.2), without a newline. */
  readonly message: string;
  readonly line: FlowLine | ConfigLine;
}

export interface Generated {
  readonly options: ResolvedOptions;
  readonly scenario: Scenario;
  /** The events in time order (config before flow at the same instant); each call starts afresh. */
  events(): Generator<GeneratedEvent, void, undefined>;
}

/** The library entry point: the scenario now, the events when iterated. */
export function generate(options: GenerateOptions = {}): Generated {
  const resolved = resolveOptions(options);
  const own = buildScenario(resolved);
  const scenario = options.estate === undefined ? own : scenarioAgainst(own, options.estate);
  if (typeof scenario === 'string') throw new GenerateOptionsError(scenario);
  const fresh = options.estate !== undefined;
  return { options: resolved, scenario, events: () => generateEvents(scenario, resolved, fresh) };
}

// ---------------------------------------------------------------------------------------------
// Traffic

const SLOT_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Linux's default ephemeral port range. */
const EPHEMERAL: readonly [number, number] = [32768, 60999];

/** Shares of connection kinds (the rest is TLS to what the application needs). */
const SHARE = {
  unknownProtocol: 0.008,
  noSni: 0.003,
  http: 0.012,
  crlOfHttp: 0.75,
  oldTls: 0.002,
  dnsMismatch: 0.0015,
  serverSilent: 0.015,
  ssh199: 0.005,
  sshToIp: 0.03,
  unknownServerAnswers: 0.7,
};

/** An event waiting for its time: flow lines are released in (time, order of creation). */
interface Pending {
  readonly t: number;
  readonly seq: number;
  readonly line: FlowLine;
}

/** A binary min-heap on (t, seq): server lines wait here until time catches up with them. */
class PendingHeap {
  private readonly items: Pending[] = [];
  get size(): number {
    return this.items.length;
  }
  peekTime(): number {
    return this.items[0]!.t;
  }
  push(p: Pending): void {
    const a = this.items;
    a.push(p);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): Pending {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: Pending, b: Pending): boolean => a.t < b.t || (a.t === b.t && a.seq < b.seq);

/** Which applications are busy in one hour of one view: picked by activity x rhythm x clients. */
interface HourTable {
  readonly total: number;
  readonly picker: WeightedPicker<{ readonly app: App; readonly clients: readonly ClientInfo[] }>;
}

const hourType = (t: number): number => {
  const day = Math.floor(t / DAY_MS);
  const dow = (day + 4) % 7; // 1970-01-01 was a Thursday
  return (dow === 0 || dow === 6 ? 24 : 0) + Math.floor((t % DAY_MS) / HOUR_MS);
};

/** A connection staged at a given moment, so rare cases exist even in small runs. */
interface Staged {
  readonly at: number;
  readonly app: App;
  /** Which client of the application (default: its first in the view). */
  readonly ip?: string;
  readonly make: (rnd: Random, c: ClientInfo) => ConnectionSummary;
  /** A connection no protocol rule could allow (left out without `anomalies`). */
  readonly anomaly?: boolean;
}

function* generateEvents(sc: Scenario, o: ResolvedOptions, fresh: boolean): Generator<GeneratedEvent, void, undefined> {
  const traffic = new Traffic(sc, o, fresh);
  const out: GeneratedEvent[] = [];
  while (traffic.step(out)) {
    for (const e of out) yield e;
    out.length = 0;
  }
  for (const e of out) yield e;
}

/** The connection process: one `step` decides one connection and releases what is due. */
class Traffic {
  private readonly rnd: Random;
  private readonly decideOptions: DecideOptions;
  private readonly config: { at: number; line: ConfigLine }[];
  private configIndex = 0;
  private readonly heap = new PendingHeap();
  private seq = 0;
  private emitted = 0;
  private produced = 0;
  private connections = 0;
  private readonly tables = new Map<number, HourTable>();
  private viewIndex = 0;
  private readonly staged: Staged[];
  private stagedIndex = 0;
  // The Poisson process over slots.
  private slotStart: number;
  private slotEnd: number;
  private remainingWeight: number;
  private lambda = 0;
  private nextT: number;
  private haveNext = false;
  private finished = false;

  private readonly flows: number;
  private readonly anomalies: boolean;

  constructor(private readonly sc: Scenario, o: ResolvedOptions, fresh: boolean) {
    this.flows = o.flows;
    this.anomalies = o.anomalies;
    this.rnd = new Random(o.trafficSeed, 'traffic');
    this.decideOptions = { generation: sc.options.generation, resolver: sc.resolver };
    this.config = fresh ? windowConfigLines(sc.estate, sc.options.start, sc.end, sc.options.generation) : estateConfigLines(sc.estate, { generation: sc.options.generation });
    this.staged = fresh ? [] : stagedConnections(sc).filter((s) => o.anomalies || !s.anomaly);
    this.remainingWeight = 0;
    let vi = 0;
    for (let s = sc.options.start; s < sc.end; s += SLOT_MS) {
      while (vi + 1 < sc.views.length && sc.views[vi + 1]!.at <= s) vi++;
      this.remainingWeight += this.table(vi, hourType(s)).total * (Math.min(SLOT_MS, sc.end - s) / SLOT_MS);
    }
    this.slotStart = sc.options.start - SLOT_MS;
    this.slotEnd = sc.options.start;
    this.nextT = this.slotEnd;
  }

  private table(view: number, hour: number): HourTable {
    const key = view * 48 + hour;
    let t = this.tables.get(key);
    if (!t) {
      const v: ScenarioView = this.sc.views[view]!;
      const entries: { app: App; clients: readonly ClientInfo[] }[] = [];
      const weights: number[] = [];
      const weekend = hour >= 24;
      const add = (app: App, clients: readonly ClientInfo[]): void => {
        if (clients.length === 0) return;
        entries.push({ app, clients });
        weights.push(app.activity * (weekend ? app.rhythm.weekend : app.rhythm.weekday)[hour % 24]! * clients.length);
      };
      for (const app of this.sc.apps) add(app, v.clients.get(app) ?? []);
      add(this.sc.unknown, this.sc.unknownClients);
      const picker = new WeightedPicker(entries, weights);
      this.tables.set(key, (t = { total: picker.total, picker }));
    }
    return t;
  }

  private viewAt(t: number): number {
    const views = this.sc.views;
    while (this.viewIndex + 1 < views.length && views[this.viewIndex + 1]!.at <= t) this.viewIndex++;
    return this.viewIndex;
  }

  /** Lines per connection so far (a first guess until there is evidence). */
  private ratio(): number {
    return this.connections >= 200 ? this.produced / this.connections : 1.7;
  }

  /** The next random connection time: a Poisson process whose rate is re-aimed every slot. */
  private advance(): void {
    const rnd = this.rnd;
    for (;;) {
      if (this.lambda > 0) {
        this.nextT += Math.floor(-Math.log(1 - rnd.next()) / this.lambda);
        if (this.nextT < this.slotEnd) return;
      }
      // Next slot: aim at the lines still wanted, spread over the weight still to come.
      this.slotStart = this.slotEnd;
      const past = this.slotStart >= this.sc.end;
      this.slotEnd = this.slotStart + SLOT_MS;
      if (!past && this.slotEnd > this.sc.end) this.slotEnd = this.sc.end;
      const stagedLeft = (this.staged.length - this.stagedIndex) * this.ratio();
      const wanted = Math.max(0, this.flows - this.produced - stagedLeft) / this.ratio();
      if (past) {
        // Past the span and still short (a cut estimate): top up at one a second or more.
        this.lambda = Math.max(this.lambda, 1 / 1000);
      } else {
        const w = this.table(this.viewAt(this.slotStart), hourType(this.slotStart)).total * ((this.slotEnd - this.slotStart) / SLOT_MS);
        this.lambda = this.remainingWeight > 0 ? (wanted * (w / this.remainingWeight)) / (this.slotEnd - this.slotStart) : 0;
        this.remainingWeight -= w;
      }
      this.nextT = this.slotStart;
    }
  }

  /** Decides one connection and puts its lines in `out` when due; false once everything is out. */
  step(out: GeneratedEvent[]): boolean {
    if (this.finished) return false;
    if (this.produced >= this.flows) {
      this.release(Infinity, out);
      this.finishConfig(out);
      this.finished = true;
      return out.length > 0;
    }
    if (!this.haveNext) {
      this.advance();
      this.haveNext = true;
    }
    const staged = this.staged[this.stagedIndex];
    let t: number;
    let app: App;
    let client: ClientInfo | undefined;
    let conn: ConnectionSummary;
    if (staged !== undefined && staged.at <= this.nextT) {
      this.stagedIndex++;
      t = staged.at;
      const v = this.sc.views[this.viewAt(t)]!;
      const clients = staged.app === this.sc.unknown ? this.sc.unknownClients : (v.clients.get(staged.app) ?? []);
      client = staged.ip === undefined ? clients[0] : clients.find((c) => c.ip === staged.ip);
      if (client === undefined) return true;
      app = staged.app;
      conn = staged.make(this.rnd, client);
    } else {
      t = this.nextT;
      const entry = this.table(this.viewAt(t), hourType(t)).picker.pick(this.rnd);
      this.advance();
      if (entry === undefined) return true;
      app = entry.app;
      client = entry.clients[Math.floor(this.rnd.next() * entry.clients.length)]!;
      conn = this.anomalies ? randomConnection(this.rnd, this.sc, app, client) : wellFormedConnection(this.rnd, this.sc, app, client);
    }
    const rtt = 2 + Math.floor(this.rnd.next() ** 2 * 250);
    const d = decide(this.sc.estate, t, conn, this.decideOptions);
    this.connections++;
    for (const line of d.lines) {
      this.heap.push({ t: line.cat === 'client' ? t : t + rtt, seq: this.seq++, line });
      this.produced++;
    }
    this.release(t, out);
    return true;
  }

  /** Moves every pending flow line up to `t` (and the config lines before each) into `out`. */
  private release(t: number, out: GeneratedEvent[]): void {
    const heap = this.heap;
    while (heap.size > 0 && heap.peekTime() <= t && this.emitted < this.flows) {
      const p = heap.pop();
      while (this.configIndex < this.config.length && this.config[this.configIndex]!.at <= p.t) this.pushConfig(out);
      out.push({ stream: 'flow', timestamp: p.t, message: toJsonLine(p.line), line: p.line });
      this.emitted++;
    }
  }

  private pushConfig(out: GeneratedEvent[]): void {
    const c = this.config[this.configIndex++]!;
    out.push({ stream: 'config', timestamp: c.at, message: toJsonLine(c.line), line: c.line });
  }

  private finishConfig(out: GeneratedEvent[]): void {
    while (this.configIndex < this.config.length) this.pushConfig(out);
  }
}

/**
 * The config lines of a window [start, end) of an estate given from outside: the start-up lines
 * of the view in force at `start` (spec D7: empty -> that view), then each later view's changes.
 */
function windowConfigLines(estate: Estate, start: number, end: number, generation: Generation): { at: number; line: ConfigLine }[] {
  const opts = { generation, instance: estate.firewall.instance };
  const first = viewIndexAt(estate, start);
  const out = configLines(null, estate.views[first]!, opts).map((line) => ({ at: start, line }));
  for (let i = first + 1; i < estate.views.length && estate.views[i]!.at < end; i++) {
    const at = estate.views[i]!.at;
    for (const line of configLines(estate.views[i - 1]!, estate.views[i]!, opts)) out.push({ at, line });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Connections

const port = (rnd: Random): number => rnd.int(EPHEMERAL[0], EPHEMERAL[1]);
const ipOf = (rnd: Random, host: Host): string => host.ips[Math.floor(rnd.next() * host.ips.length)]!;
const ipOnly = (rnd: Random): string => `${rnd.pick(IP_ONLY_PREFIXES)}.${rnd.int(1, 254)}`;

/** An address in the host's provider ranges that DNS does not give for it (a pinned, stale address). */
function staleIp(rnd: Random, host: Host): string {
  for (;;) {
    const parts = rnd.pick(PROVIDERS[host.provider]).split('.');
    while (parts.length < 3) parts.push(String(rnd.int(0, 255)));
    parts.push(String(rnd.int(1, 254)));
    const ip = parts.join('.');
    if (!host.ips.includes(ip)) return ip;
  }
}

function tls(rnd: Random, c: ClientInfo, host: Host, o: { version?: string; sni?: boolean; dst?: string; silent?: boolean } = {}): ConnectionSummary {
  const v = o.version ?? c.tlsMax;
  const pqc = c.pqc && v === '1.3';
  const sv = v < host.maxTls ? v : host.maxTls;
  return {
    src: c.ip,
    spt: port(rnd),
    ...(o.sni === false ? {} : { dhost: host.name }),
    dst: o.dst ?? ipOf(rnd, host),
    dpt: 443,
    proto: 'tls',
    proto_v: v,
    pqc,
    server: o.silent ? null : { proto_v: sv, pqc: pqc && host.pqc && sv === '1.3' },
  };
}

function ssh(rnd: Random, c: ClientInfo, host: Host, o: { version?: string; dst?: string } = {}): ConnectionSummary {
  // No dhost: the firewall maps dst back through its DNS cache (spec D6.4), via the Resolver.
  return { src: c.ip, spt: port(rnd), dst: o.dst ?? ipOf(rnd, host), dpt: 22, proto: 'ssh', proto_v: o.version ?? '2.0', server: { proto_v: '2.0' } };
}

function http(rnd: Random, sc: Scenario, c: ClientInfo, crl: boolean): ConnectionSummary {
  const target = crl ? rnd.pick(sc.crl) : rnd.pick(sc.otherHttp);
  const agents = crl ? CRL_AGENTS : target.agents;
  const userAgent = rnd.chance(0.9) ? rnd.pick(agents) : undefined;
  return {
    src: c.ip,
    spt: port(rnd),
    ...(rnd.chance(0.98) ? { dhost: target.host.name } : {}),
    dst: ipOf(rnd, target.host),
    dpt: 80,
    proto: 'http',
    proto_v: rnd.chance(0.95) ? '1.1' : '1.0',
    http: { method: target.method, path: rnd.pick(target.paths), ...(userAgent !== undefined ? { userAgent } : {}) },
    server: { code: crl ? (rnd.chance(0.85) ? 200 : 304) : rnd.chance(0.9) ? 200 : 404 },
  };
}

function unknownProtocol(rnd: Random, c: ClientInfo): ConnectionSummary {
  return { src: c.ip, spt: port(rnd), dst: ipOnly(rnd), dpt: 443, proto: 'unknown', ...(rnd.chance(SHARE.unknownServerAnswers) ? {} : { server: null }) };
}

function randomConnection(rnd: Random, sc: Scenario, app: App, c: ClientInfo): ConnectionSummary {
  let r = rnd.next();
  if ((r -= SHARE.unknownProtocol) < 0) return unknownProtocol(rnd, c);
  if ((r -= SHARE.noSni) < 0) return tls(rnd, c, app.tls.pick(rnd)!, { sni: false });
  if (app.port80 && (r -= SHARE.http) < 0) return http(rnd, sc, c, rnd.chance(SHARE.crlOfHttp));
  if (app.sshShare > 0 && (r -= app.sshShare) < 0) {
    const host = app.ssh.pick(rnd)!;
    return ssh(rnd, c, host, { ...(rnd.chance(SHARE.ssh199) ? { version: '1.99' } : {}), ...(rnd.chance(SHARE.sshToIp) ? { dst: ipOnly(rnd) } : {}) });
  }
  const host = app.tls.pick(rnd)!;
  return tls(rnd, c, host, {
    ...(rnd.chance(SHARE.oldTls) ? { version: rnd.chance(0.5) ? '1.0' : '1.1' } : {}),
    ...(rnd.chance(SHARE.dnsMismatch) ? { dst: staleIp(rnd, host) } : {}),
    ...(rnd.chance(SHARE.serverSilent) ? { silent: true } : {}),
  });
}

/**
 * `randomConnection` without the kinds no protocol rule could allow: TLS with SNI at the
 * client's own version to a name at one of its addresses, SSH 2.0 to a name, or a CRL fetch.
 */
function wellFormedConnection(rnd: Random, sc: Scenario, app: App, c: ClientInfo): ConnectionSummary {
  let r = rnd.next();
  if (app.port80 && (r -= SHARE.http * SHARE.crlOfHttp) < 0) return http(rnd, sc, c, true);
  if (app.sshShare > 0 && (r -= app.sshShare) < 0) return ssh(rnd, c, app.ssh.pick(rnd)!);
  return tls(rnd, c, app.tls.pick(rnd)!, rnd.chance(SHARE.serverSilent) ? { silent: true } : {});
}

/**
 * A short tour of the cases the vendor's filters and recipe look for, and of every reason,
 * staged at moments when the estate makes them happen (the decision is still `decide`'s).
 */
function stagedConnections(sc: Scenario): Staged[] {
  const m = sc.moments;
  const host = (name: string): Host => sc.hosts.get(name)!;
  const r = sc.region;
  const span = sc.end - sc.options.start;
  const at = (fraction: number, offsetMs = 0): number => sc.options.start + Math.round(span * fraction) + offsetMs;
  const t0 = (k: number): number => sc.options.start + Math.min(span / 4, 60_000) + k * Math.min(span / 400, 20_000);
  const list: Staged[] = [
    // The vendor's client filter (spec D2.6): 172.16.1.9 talks to more than api.github.com, under a see-thru with 1 day left.
    { at: t0(0), app: m.ci, ip: NOTED_CLIENT, make: (rnd, c) => tls(rnd, c, host('api.github.com')) },
    { at: t0(1), app: m.ci, ip: NOTED_CLIENT, make: (rnd, c) => tls(rnd, c, host('pypi.org')) },
    { at: t0(2), app: m.ci, ip: NOTED_CLIENT, make: (rnd, c) => tls(rnd, c, host('raw.githubusercontent.com')) },
    // The new service has no rules: its see-thru lets everything through, telemetry included.
    { at: t0(3), app: m.discovery, make: (rnd, c) => tls(rnd, c, host('api.stripe.com')) },
    { at: t0(4), app: m.discovery, make: (rnd, c) => tls(rnd, c, host(`ec2-instance-connect.${r}.amazonaws.com`)) },
    // An expired see-thru.
    { at: t0(5), app: m.worker, make: (rnd, c) => tls(rnd, c, host('api.ipify.org')) },
    // SSH: allowed, and a 1.99 banner.
    { at: t0(6), app: m.bastion, make: (rnd, c) => ssh(rnd, c, host('github.com')) },
    { at: t0(7), app: m.bastion, make: (rnd, c) => ssh(rnd, c, host('github.com'), { version: '1.99' }), anomaly: true },
    { at: t0(8), app: m.batch, make: (rnd, c) => ssh(rnd, c, host('sftp.bank1.com')) },
    // Plain HTTP: a CRL fetch and an apt index.
    { at: t0(9), app: m.web, make: (rnd, c) => http(rnd, sc, c, true) },
    { at: t0(10), app: m.web, make: (rnd, c) => http(rnd, sc, c, false), anomaly: true },
    // Anomalies: old TLS, no SNI, a DNS mismatch, an unknown protocol, a server that speaks TLS 1.1.
    { at: t0(11), app: m.api, make: (rnd, c) => tls(rnd, c, host(`dynamodb.${r}.amazonaws.com`), { version: '1.1' }), anomaly: true },
    { at: t0(12), app: m.api, make: (rnd, c) => tls(rnd, c, host(`dynamodb.${r}.amazonaws.com`), { sni: false }), anomaly: true },
    { at: t0(13), app: m.api, make: (rnd, c) => tls(rnd, c, host(`sqs.${r}.amazonaws.com`), { dst: staleIp(rnd, host(`sqs.${r}.amazonaws.com`)) }), anomaly: true },
    { at: t0(14), app: m.web, make: (rnd, c) => unknownProtocol(rnd, c), anomaly: true },
    { at: t0(15), app: m.batch, make: (rnd, c) => tls(rnd, c, host('edi.bank1.com'), { version: '1.2' }) },
    { at: t0(16), app: sc.unknown, make: (rnd, c) => tls(rnd, c, host('api.github.com')) },
    // A name just accepted is still warming up in the DNS cache (spec D6.5, G3), then it works.
    { at: m.newHost.at + 1_500, app: m.api, make: (rnd, c) => tls(rnd, c, host(m.newHost.host)) },
    { at: m.newHost.at + 30_000, app: m.api, make: (rnd, c) => tls(rnd, c, host(m.newHost.host)) },
    // The see-thru attached to the API, and the deployment-wide one.
    { at: m.seeThruAdded.from + 60_000, app: m.api, make: (rnd, c) => tls(rnd, c, host('dc.services.visualstudio.com')) },
    { at: m.defaultSeeThru.from + 60_000, app: m.web, make: (rnd, c) => tls(rnd, c, host('api.segment.io')) },
    // The refused wildcard does not allow the bucket; the name listed later does.
    { at: m.refused.from + 60_000, app: m.batch, make: (rnd, c) => tls(rnd, c, host(m.refused.host)) },
    { at: m.refused.until + 60_000, app: m.batch, make: (rnd, c) => tls(rnd, c, host(m.refused.host)) },
    { at: at(0.9, 60_000), app: m.ci, ip: NOTED_CLIENT, make: (rnd, c) => tls(rnd, c, host('raw.githubusercontent.com')) },
  ];
  return list.filter((s) => s.at < sc.end).sort((a, b) => a.at - b.at);
}

// ---------------------------------------------------------------------------------------------
// Counting what was generated (for summaries)

export interface GenerateTally {
  flow: {
    lines: number;
    client: number;
    server: number;
    allowed: number;
    disallowed: number;
    seeThruExerted: number;
    byProto: Record<Proto, number>;
    /** Reason texts; every gid reason counted under `a protocol rule (gid)`. */
    byReason: Record<string, number>;
  };
  config: { lines: number; byKind: Record<string, number> };
  /** Epoch ms of the first and last event (null when none). */
  first: number | null;
  last: number | null;
}

export function newTally(): GenerateTally {
  return {
    flow: { lines: 0, client: 0, server: 0, allowed: 0, disallowed: 0, seeThruExerted: 0, byProto: { tls: 0, ssh: 0, http: 0, unknown: 0 }, byReason: Object.create(null) as Record<string, number> },
    config: { lines: 0, byKind: Object.create(null) as Record<string, number> },
    first: null,
    last: null,
  };
}

export function tallyEvent(t: GenerateTally, e: GeneratedEvent): void {
  if (t.first === null) t.first = e.timestamp;
  t.last = e.timestamp;
  if (e.stream === 'config') {
    const l = e.line as ConfigLine;
    const key = l.cat === 'addr' ? 'addr refused' : `${l.cat} ${l.outcome}`;
    t.config.lines++;
    t.config.byKind[key] = (t.config.byKind[key] ?? 0) + 1;
    return;
  }
  const l = e.line as FlowLine;
  const f = t.flow;
  f.lines++;
  if (l.cat === 'client') f.client++;
  else f.server++;
  if (l.outcome === 'allowed') f.allowed++;
  else f.disallowed++;
  if (l.see_thru_exerted === true) f.seeThruExerted++;
  f.byProto[l.proto]++;
  const reason = l.reason.startsWith('sg-') ? 'a protocol rule (gid)' : l.reason;
  f.byReason[reason] = (f.byReason[reason] ?? 0) + 1;
}
