/**
 * The generator's estate (spec D5): applications with their Security Groups and allowlists,
 * interfaces and clients, see-thru groups, and the changes made to it over the time span, as a
 * native estate file with `views` (spec D5.1a). The file's text is read back with the library's
 * own reader, so the decisions are taken on exactly what `estate.json` says.
 */
import { printAnnotations, type Generation } from './annotations.js';
import {
  AGENT_NEEDS,
  AGENT_TLS,
  BASE_NEEDS,
  BASE_TLS,
  CORE_KINDS,
  CRL_FETCHES,
  EXTRA_KINDS,
  KINDS,
  ORGS,
  OTHER_HTTP,
  REGIONS,
  RHYTHMS,
  SSH_HOSTS,
  TLS_HOSTS,
  hostIps,
  type AppKind,
  type KindSpec,
  type Need,
  type Provider,
  type Rhythm,
} from './generator-catalog.js';
import { Random, WeightedPicker } from './generator-random.js';
import { analyseView, estateFromTexts, type Estate, type EstateDiagnostic } from './estate.js';
import type { Resolver } from './decision.js';

export const DAY_MS = 86_400_000;

/** Spec D8's "today": the default first instant. */
export const DEFAULT_START = Date.UTC(2026, 2, 29, 0, 0, 0);

export interface ScenarioOptions {
  readonly seed: string;
  readonly days: number;
  readonly apps: number;
  /** Epoch ms. */
  readonly start: number;
  readonly generation: Generation;
}

/** The fewest applications: one of each core kind (CORE_KINDS). */
export const MIN_APPS = CORE_KINDS.length;
export const MAX_APPS = 200;

/** The client the vendor's own filter names (spec D2.6): the first CI runner. */
export const NOTED_CLIENT = '172.16.1.9';

export interface Host {
  readonly name: string;
  readonly ips: readonly string[];
  readonly provider: Provider;
  readonly pqc: boolean;
  readonly maxTls: '1.1' | '1.2' | '1.3';
}

export interface HttpTarget {
  readonly host: Host;
  readonly method: string;
  readonly paths: readonly string[];
  readonly agents: readonly string[];
}

export interface App {
  readonly name: string;
  readonly kind: AppKind | 'unknown';
  /** Its own group (absent for unknown clients). */
  readonly gid?: string;
  readonly tls: WeightedPicker<Host>;
  readonly ssh: WeightedPicker<Host>;
  readonly sshShare: number;
  /** Some rule of its groups opens TCP 80 (so plain HTTP reaches the firewall, spec D6.2). */
  readonly port80: boolean;
  readonly rhythm: Rhythm;
  readonly activity: number;
}

export interface ClientInfo {
  readonly ip: string;
  readonly app: App;
  /** The highest TLS version its stack offers. */
  readonly tlsMax: '1.2' | '1.3';
  /** Its TLS stack offers a post-quantum key share (spec D2.4). */
  readonly pqc: boolean;
}

/** Who is where from `at` on: the clients of each application (same index as the estate's views). */
export interface ScenarioView {
  readonly at: number;
  readonly clients: ReadonlyMap<App, readonly ClientInfo[]>;
}

export interface SeeThruInfo {
  readonly gid: string;
  /** The application it is attached to, or `%default` (every client). */
  readonly app: string;
  readonly thruDate: string;
  /** When it appears and disappears (epoch ms); `until` absent: to the end. */
  readonly from: number;
  readonly until?: number;
}

export interface Change {
  readonly at: number;
  readonly what: string;
}

/** Moments the traffic model stages connections for (so rare cases exist even in small runs). */
export interface Moments {
  readonly ci: App;
  readonly web: App;
  readonly api: App;
  readonly worker: App;
  readonly batch: App;
  readonly bastion: App;
  readonly discovery: App;
  readonly newHost: { readonly at: number; readonly host: string };
  readonly rawAllowed: number;
  readonly seeThruAdded: { readonly from: number; readonly until: number };
  readonly defaultSeeThru: { readonly from: number; readonly until: number };
  readonly refused: { readonly from: number; readonly until: number; readonly host: string };
}

export interface Scenario {
  readonly options: ScenarioOptions;
  readonly end: number;
  readonly region: string;
  readonly org: string;
  readonly instance: string;
  readonly apps: readonly App[];
  readonly unknown: App;
  readonly unknownClients: readonly ClientInfo[];
  readonly hosts: ReadonlyMap<string, Host>;
  readonly crl: readonly HttpTarget[];
  readonly otherHttp: readonly HttpTarget[];
  readonly resolver: Resolver;
  /** The native estate file (spec D5.1a), as written to `estate.json`. */
  readonly estateText: string;
  /** `estateText` read back by the library. */
  readonly estate: Estate;
  readonly estateDiagnostics: readonly EstateDiagnostic[];
  readonly views: readonly ScenarioView[];
  readonly seeThru: readonly SeeThruInfo[];
  readonly changes: readonly Change[];
  readonly moments: Moments;
  /** Counts for the summary. */
  readonly counts: { readonly groups: number; readonly interfaces: number; readonly clients: number };
}

// ---------------------------------------------------------------------------------------------
// The native file's shapes (spec D5.1a)

interface RuleSpec {
  readonly ipProtocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidr: string;
  readonly description?: string;
}
interface GroupSpec {
  readonly gid: string;
  readonly name: string;
  readonly egress: readonly RuleSpec[];
}
interface InterfaceSpec {
  readonly eni: string;
  readonly addresses: readonly string[];
  readonly groups: readonly string[];
}
interface DefaultPrefs {
  readonly x509_crls: 'allow';
  readonly see_thru: string | null;
}

/** Extra annotated rules need CIDRs of their own: AWS refuses a second identical rule (spec D4.5). */
const CIDRS = ['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1', '0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2'];

function tlsRules(addrs: readonly string[], port = 443): RuleSpec[] {
  // printAnnotations splits at AWS's 255-character limit (spec D4.4a).
  return printAnnotations('tls', addrs).descriptions.map((description, i) => ({ ipProtocol: 'tcp', fromPort: port, toPort: port, cidr: CIDRS[i]!, description }));
}
function sshRules(addrs: readonly string[]): RuleSpec[] {
  return printAnnotations('ssh', addrs).descriptions.map((description, i) => ({ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidr: CIDRS[i]!, description }));
}
const seeThruRule = (date: string): RuleSpec => ({ ipProtocol: '-1', cidr: '0.0.0.0/0', description: `discriminat:see-thru:${date}` });
const plainRule = (port: number, description: string): RuleSpec => ({ ipProtocol: 'tcp', fromPort: port, toPort: port, cidr: '0.0.0.0/0', description });

const iso = (ms: number): string => new Date(ms).toISOString();
const dateOf = (ms: number): string => iso(ms).slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Building

interface AppDraft {
  readonly name: string;
  readonly spec: KindSpec;
  readonly gid: string;
  tls: string[];
  ssh: string[];
  readonly subnets: string[];
}

interface InstanceDraft {
  readonly app: AppDraft;
  readonly enis: InterfaceSpec[];
}

/** Builds the scenario for the options: cheap (a few ms), deterministic for the seed. */
export function buildScenario(options: ScenarioOptions): Scenario {
  const rnd = new Random(options.seed, 'estate');
  const region = rnd.pick(REGIONS);
  const org = rnd.pick(ORGS);
  const fill = (name: string, ids: Record<string, string>): string => name.replace(/\{(\w+)\}/g, (_, k: string) => ids[k] ?? `{${k}}`);
  const ids: Record<string, string> = {
    r: region,
    org,
    acct: String(rnd.int(100_000_000_000, 999_999_999_999)),
    sentry: String(rnd.int(100_000, 999_999)),
    xfer: rnd.hex(17),
    cdn: `d${rnd.hex(13)}`,
  };
  const name = (template: string): string => fill(template, ids);
  const instance = `i-0${rnd.hex(16)}`;
  const end = options.start + Math.round(options.days * DAY_MS);
  const span = end - options.start;

  // Destinations, with addresses stable per name (not per seed); the Resolver agrees with them.
  const hosts = new Map<string, Host>();
  const addHost = (n: string, provider: Provider, pqc = false, maxTls: Host['maxTls'] = '1.3'): Host => {
    let host = hosts.get(n);
    if (!host) hosts.set(n, (host = { name: n, ips: hostIps(n, provider), provider, pqc, maxTls }));
    return host;
  };
  for (const s of TLS_HOSTS) addHost(name(s.name), s.provider, s.pqc === true, s.maxTls ?? '1.3');
  const sshHosts = new Map<string, Host>();
  for (const s of SSH_HOSTS) sshHosts.set(name(s.name), addHost(name(s.name), s.provider));
  const crl = CRL_FETCHES.map((c) => ({ host: addHost(c.host, c.provider), method: 'GET', paths: c.paths, agents: [] as string[] }));
  const otherHttp = OTHER_HTTP.map((c) => ({ host: addHost(c.host, c.provider), method: c.method, paths: [c.path], agents: c.agents }));
  const dns = new Map<string, readonly string[]>([...hosts].map(([k, v]) => [k, v.ips]));
  const resolver: Resolver = (n) => dns.get(n) ?? [];

  // Ids.
  const usedGids = new Set<string>();
  const newGid = (): string => {
    for (;;) {
      const gid = `sg-0${rnd.hex(16)}`;
      if (!usedGids.has(gid)) {
        usedGids.add(gid);
        return gid;
      }
    }
  };
  const newEni = (): string => `eni-0${rnd.hex(16)}`;

  // Subnets and addresses: CI runners in 172.16.x.0/24 (the vendor's 172.16.1.9 is the first), the rest in 10.20.x.0/24.
  const used = new Set<string>();
  const next = { ci: 0, app: 0, lambda: 0 };
  const subnetFor = (kind: AppKind): string => {
    const [key, base] = kind === 'ci-runner' ? (['ci', '172.16'] as const) : kind === 'lambda' ? (['lambda', '10.40'] as const) : (['app', '10.20'] as const);
    const k = next[key]++;
    const [a, b] = base.split('.').map(Number) as [number, number];
    return `${a}.${b + Math.floor(k / 200)}.${1 + (k % 200)}`;
  };
  const newIp = (subnet: string): string => {
    for (;;) {
      const ip = `${subnet}.${rnd.int(4, 250)}`;
      if (!used.has(ip) && ip !== NOTED_CLIENT) {
        used.add(ip);
        return ip;
      }
    }
  };

  // Applications: the core kinds, then more drawn from EXTRA_KINDS.
  const kinds: AppKind[] = [...CORE_KINDS];
  for (let i = 0; kinds.length < options.apps; i++) kinds.push(EXTRA_KINDS[i % EXTRA_KINDS.length]!);
  const usedNames = new Set<string>();
  const drafts: AppDraft[] = kinds.map((kind) => {
    const spec = KINDS[kind];
    const free = spec.names.filter((x) => !usedNames.has(x));
    let appName = free.length > 0 ? rnd.pick(free) : `${rnd.pick(spec.names)}-${usedNames.size}`;
    while (usedNames.has(appName)) appName += 'x';
    usedNames.add(appName);
    const subnets = [subnetFor(kind)];
    if (spec.secondEni > 0) subnets.push(subnetFor(kind));
    return { name: appName, spec, gid: newGid(), tls: spec.tls.map(name), ssh: spec.ssh.map(name), subnets };
  });
  const byKind = (k: AppKind): AppDraft => drafts.find((d) => d.spec.kind === k)!;
  const ci = byKind('ci-runner');
  const web = byKind('web');
  const api = byKind('api');
  const worker = byKind('worker');
  const batch = byKind('batch');
  const discovery = byKind('new-service');

  // Shared groups.
  const baseGid = newGid();
  const agentGid = newGid();
  const legacyGid = newGid();
  const seeThruGids = new Map<AppDraft, string>([[discovery, newGid()], [ci, newGid()], [worker, newGid()], [web, newGid()]]);
  const addedSeeThruGid = newGid();

  // Instances: one interface each (sometimes a second one, sometimes secondary IPs).
  const appGroups = (d: AppDraft, extra: readonly string[] = []): string[] => {
    const gs: string[] = [];
    if (d.spec.base) gs.push(baseGid);
    if (d.spec.agent) gs.push(agentGid);
    gs.push(d.gid);
    const st = seeThruGids.get(d);
    if (st) gs.push(st);
    return [...gs, ...extra];
  };
  const newInstance = (d: AppDraft, primary?: string): InstanceDraft => {
    const groups = appGroups(d);
    const ips = [primary ?? newIp(d.subnets[0]!)];
    if (primary) used.add(primary);
    if (rnd.chance(d.spec.secondaryIps)) for (let k = rnd.int(1, 3); k > 0; k--) ips.push(newIp(d.subnets[0]!));
    const enis: InterfaceSpec[] = [{ eni: newEni(), addresses: ips, groups }];
    if (d.subnets.length > 1 && rnd.chance(d.spec.secondEni)) enis.push({ eni: newEni(), addresses: [newIp(d.subnets[1]!)], groups });
    return { app: d, enis };
  };
  const instances: InstanceDraft[] = [];
  for (const d of drafts) {
    const count = rnd.int(d.spec.instances[0], d.spec.instances[1]);
    for (let i = 0; i < count; i++) instances.push(newInstance(d, d === ci && i === 0 ? NOTED_CLIENT : undefined));
  }

  // See-thru dates, relative to the first day (spec D6.6): 0-2 days left, expired, far.
  const day0 = Date.UTC(new Date(options.start).getUTCFullYear(), new Date(options.start).getUTCMonth(), new Date(options.start).getUTCDate());
  const dayPlus = (ms: number, days: number): string => dateOf(Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), new Date(ms).getUTCDate()) + days * DAY_MS);
  const seeThruDates = new Map<AppDraft, string>([
    [discovery, dayPlus(day0, 2)],
    [ci, dayPlus(day0, 1)],
    [worker, dayPlus(day0, -3)],
    [web, dayPlus(day0, 45)],
  ]);

  // The groups of a state, in a stable order.
  const appGroup = (d: AppDraft): GroupSpec => {
    const egress: RuleSpec[] =
      d.spec.kind === 'new-service'
        ? [plainRule(443, 'HTTPS egress'), plainRule(80, 'HTTP egress')]
        : [...tlsRules(d.tls), ...(d.ssh.length > 0 ? sshRules(d.ssh) : [])];
    return { gid: d.gid, name: `${d.name}-egress`, egress };
  };
  const state = {
    groups: new Map<string, GroupSpec>(),
    interfaces: instances.flatMap((x) => x.enis),
    prefs: { x509_crls: 'allow', see_thru: null } as DefaultPrefs,
  };
  state.groups.set(baseGid, { gid: baseGid, name: 'base-ssm', egress: [...tlsRules(BASE_TLS.map(name)), plainRule(80, 'CRL fetches over plain HTTP')] });
  state.groups.set(agentGid, { gid: agentGid, name: 'datadog-agent', egress: tlsRules(AGENT_TLS) });
  for (const d of drafts) state.groups.set(d.gid, appGroup(d));
  for (const [d, gid] of seeThruGids) state.groups.set(gid, { gid, name: `${d.name}-see-thru`, egress: [seeThruRule(seeThruDates.get(d)!)] });
  // Attached to nobody: still read and diffed (spec D7).
  state.groups.set(legacyGid, { gid: legacyGid, name: 'legacy-jenkins-egress', egress: tlsRules(['updates.jenkins.io', 'plugins.jenkins.io']) });

  const eniApp = new Map<string, AppDraft>();
  for (const x of instances) for (const e of x.enis) eniApp.set(e.eni, x.app);

  // ---- Views: the first state, then one per change --------------------------------------------
  interface ViewDraft {
    at: number;
    groups: GroupSpec[];
    interfaces: InterfaceSpec[];
    prefs: DefaultPrefs;
  }
  const views: ViewDraft[] = [];
  const changes: Change[] = [];
  const snapshot = (at: number, what: string | null): void => {
    const prev = views[views.length - 1];
    const at2 = prev && at <= prev.at ? prev.at + 1 : at;
    views.push({ at: at2, groups: [...state.groups.values()], interfaces: [...state.interfaces], prefs: state.prefs });
    if (what !== null) changes.push({ at: at2, what });
  };
  const when = (fraction: number): number => options.start + Math.max(1000, Math.round((span * fraction) / 1000) * 1000);
  snapshot(options.start, null);

  // 1. A host the API team found disallowed is added to its allowlist.
  const newHost = name('api.openai.com');
  const t1 = when(0.08);
  api.tls = [...api.tls, newHost];
  state.groups.set(api.gid, appGroup(api));
  snapshot(t1, `${api.name}: ${newHost} added to its allowlist`);

  // 2. A see-thru group is attached to the API to learn what else it needs.
  const t2 = when(0.15);
  const addedDate = dayPlus(t2, 14);
  state.groups.set(addedSeeThruGid, { gid: addedSeeThruGid, name: `${api.name}-see-thru`, egress: [seeThruRule(addedDate)] });
  const attach = (d: AppDraft, gid: string): void => {
    state.interfaces = state.interfaces.map((e) => (eniApp.get(e.eni) === d ? { ...e, groups: [...e.groups, gid] } : e));
  };
  attach(api, addedSeeThruGid);
  snapshot(t2, `${api.name}: see-thru group ${addedSeeThruGid} attached, through ${addedDate}`);

  // 3. The worker scales out.
  const t3 = when(0.25);
  const added: InterfaceSpec[] = [];
  for (let i = 0; i < 2; i++) {
    const x = newInstance(worker);
    for (const e of x.enis) {
      eniApp.set(e.eni, worker);
      added.push(e);
    }
  }
  state.interfaces = [...state.interfaces, ...added];
  snapshot(t3, `${worker.name}: scaled out by 2 instances`);

  // 4. The batch team tries wildcards the public-suffix safeguard refuses (spec D4.7), and an address.
  const t4 = when(0.33);
  const refusedAddrs = [`*.s3.${region}.amazonaws.com`, '*.cloudfront.net', hostIps(name('{org}-reports.s3.{r}.amazonaws.com'), 'aws')[0]!];
  const batchRules = () => [...tlsRules(batch.tls), ...sshRules(batch.ssh)];
  state.groups.set(batch.gid, {
    gid: batch.gid,
    name: `${batch.name}-egress`,
    // Written by hand: printAnnotations leaves out what the firewall would refuse.
    egress: [...batchRules(), { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/3', description: `discriminat:tls:${refusedAddrs.join(',')}` }],
  });
  snapshot(t4, `${batch.name}: adds ${refusedAddrs.join(', ')} (refused)`);

  // 5. A deployment-wide see-thru during a migration (spec D5.4).
  const t5 = when(0.4);
  const defaultDate = dayPlus(t5, 3);
  state.prefs = { x509_crls: 'allow', see_thru: defaultDate };
  snapshot(t5, `%default see-thru set, through ${defaultDate}`);

  // 6. The batch team lists the names instead.
  const t6 = when(0.45);
  batch.tls = [...batch.tls, name('{org}-reports.s3.{r}.amazonaws.com'), name('{cdn}.cloudfront.net')];
  state.groups.set(batch.gid, appGroup(batch));
  snapshot(t6, `${batch.name}: refused entries replaced by ${name('{org}-reports.s3.{r}.amazonaws.com')}, ${name('{cdn}.cloudfront.net')}`);

  // 7. A host leaves an allowlist.
  const t7 = when(0.5);
  const dropped = 'login.microsoftonline.com';
  web.tls = web.tls.filter((x) => x !== dropped);
  state.groups.set(web.gid, appGroup(web));
  snapshot(t7, `${web.name}: ${dropped} removed from its allowlist`);

  // 8. The migration is over.
  const t8 = when(0.55);
  state.prefs = { x509_crls: 'allow', see_thru: null };
  snapshot(t8, '%default see-thru cleared');

  // 9. The worker scales in (the two new instances and one more).
  const t9 = when(0.6);
  const workerEnis = state.interfaces.filter((e) => eniApp.get(e.eni) === worker).map((e) => e.eni);
  const gone = new Set(workerEnis.slice(-3));
  state.interfaces = state.interfaces.filter((e) => !gone.has(e.eni));
  snapshot(t9, `${worker.name}: scaled in by ${gone.size} interfaces`);

  // 10. The CI runners' see-thru is extended.
  const t10 = when(0.7);
  const ciGid = seeThruGids.get(ci)!;
  const ciExtended = dayPlus(t10, 30);
  state.groups.set(ciGid, { gid: ciGid, name: `${ci.name}-see-thru`, egress: [seeThruRule(ciExtended)] });
  snapshot(t10, `${ci.name}: see-thru extended to ${ciExtended}`);

  // 11. The API's see-thru group is deleted.
  const t11 = when(0.8);
  state.groups.delete(addedSeeThruGid);
  state.interfaces = state.interfaces.map((e) => (e.groups.includes(addedSeeThruGid) ? { ...e, groups: e.groups.filter((g) => g !== addedSeeThruGid) } : e));
  snapshot(t11, `${api.name}: see-thru group ${addedSeeThruGid} deleted`);

  // 12. The CI runners get the host they kept asking for.
  const t12 = when(0.9);
  ci.tls = [...ci.tls, 'raw.githubusercontent.com'];
  state.groups.set(ci.gid, appGroup(ci));
  snapshot(t12, `${ci.name}: raw.githubusercontent.com added to its allowlist`);

  // ---- The file -------------------------------------------------------------------------------
  const fileViews = views.map((v, i) => {
    const prev = views[i - 1];
    const out: Record<string, unknown> = { at: iso(v.at) };
    if (!prev || prev.prefs !== v.prefs) out.preferences = { '%default': v.prefs };
    if (!prev || !sameList(prev.groups, v.groups)) out.groups = v.groups;
    if (!prev || !sameList(prev.interfaces, v.interfaces)) out.interfaces = v.interfaces;
    return out;
  });
  const estateText = `${formatJson({ firewall: { instance }, views: fileViews })}\n`;
  const loaded = estateFromTexts([{ file: 'estate.json', text: estateText }], { generation: options.generation });

  // ---- Traffic model: applications and their clients per view ---------------------------------
  const pickerOf = (needs: readonly Need[]): WeightedPicker<Host> =>
    new WeightedPicker(needs.map((x) => hosts.get(name(x.host))!), needs.map((x) => x.weight));
  const apps = new Map<AppDraft, App>();
  for (const d of drafts) {
    const needs = [...(d.spec.base ? BASE_NEEDS : []), ...(d.spec.agent ? AGENT_NEEDS : []), ...d.spec.needs];
    apps.set(d, {
      name: d.name,
      kind: d.spec.kind,
      gid: d.gid,
      tls: pickerOf(needs),
      ssh: new WeightedPicker(d.spec.sshNeeds.map((x) => sshHosts.get(name(x.host))!), d.spec.sshNeeds.map((x) => x.weight)),
      sshShare: d.spec.sshShare,
      port80: d.spec.base || d.spec.kind === 'new-service',
      rhythm: RHYTHMS[d.spec.rhythm],
      activity: d.spec.activity,
    });
  }
  const stack = new Map<string, { tlsMax: '1.2' | '1.3'; pqc: boolean }>();
  const clientOf = (ip: string, app: App): ClientInfo => {
    let s = stack.get(ip);
    if (!s) {
      const tlsMax = rnd.chance(0.15) ? '1.2' : '1.3';
      stack.set(ip, (s = { tlsMax, pqc: tlsMax === '1.3' && rnd.chance(0.45) }));
    }
    return { ip, app, ...s };
  };
  const scenarioViews: ScenarioView[] = views.map((v) => {
    const clients = new Map<App, ClientInfo[]>();
    for (const e of v.interfaces) {
      const app = apps.get(eniApp.get(e.eni)!)!;
      const list = clients.get(app) ?? [];
      for (const ip of e.addresses) list.push(clientOf(ip, app));
      clients.set(app, list);
    }
    return { at: v.at, clients };
  });

  // Source IPs the estate does not know (spec D5.2): a peered VPC's hosts.
  const unknown: App = {
    name: '(unknown)',
    kind: 'unknown',
    tls: pickerOf([{ host: 'api.github.com', weight: 2 }, { host: 'registry.npmjs.org', weight: 1 }, { host: 'pypi.org', weight: 1 }, { host: 'sts.{r}.amazonaws.com', weight: 1 },
      { host: 'api.ipify.org', weight: 0.5 }, { host: 'api.datadoghq.com', weight: 0.5 }]),
    ssh: new WeightedPicker<Host>([], []),
    sshShare: 0,
    port80: false,
    rhythm: RHYTHMS.office,
    activity: 0.3,
  };
  const unknownClients = ['10.30.7.21', '10.30.7.58', '10.30.9.140', '192.168.40.12'].map((ip) => clientOf(ip, unknown));

  const seeThru: SeeThruInfo[] = [
    ...[...seeThruGids].map(([d, gid]) =>
      d === ci
        ? [{ gid, app: d.name, thruDate: seeThruDates.get(d)!, from: options.start, until: t10 }, { gid, app: d.name, thruDate: ciExtended, from: t10 }]
        : [{ gid, app: d.name, thruDate: seeThruDates.get(d)!, from: options.start }],
    ).flat(),
    { gid: addedSeeThruGid, app: api.name, thruDate: addedDate, from: t2, until: t11 },
    { gid: '%default', app: '%default', thruDate: defaultDate, from: t5, until: t8 },
  ];

  const appOf = (d: AppDraft): App => apps.get(d)!;
  return {
    options,
    end,
    region,
    org,
    instance,
    apps: [...apps.values()],
    unknown,
    unknownClients,
    hosts,
    crl,
    otherHttp,
    resolver,
    estateText,
    estate: loaded.estate,
    estateDiagnostics: loaded.diagnostics,
    views: scenarioViews,
    seeThru,
    changes,
    moments: {
      ci: appOf(ci),
      web: appOf(web),
      api: appOf(api),
      worker: appOf(worker),
      batch: appOf(batch),
      bastion: appOf(byKind('bastion')),
      discovery: appOf(discovery),
      newHost: { at: t1, host: newHost },
      rawAllowed: t12,
      seeThruAdded: { from: t2, until: t11 },
      defaultSeeThru: { from: t5, until: t8 },
      refused: { from: t4, until: t6, host: name('{org}-reports.s3.{r}.amazonaws.com') },
    },
    counts: {
      groups: new Set(views.flatMap((v) => v.groups.map((g) => g.gid))).size,
      interfaces: new Set(views.flatMap((v) => v.interfaces.map((e) => e.eni))).size,
      clients: new Set(views.flatMap((v) => v.interfaces.flatMap((e) => e.addresses))).size,
    },
  };
}

/**
 * The seed's applications, clients and destinations, deciding against another native estate
 * file (GenerateOptions.estate), over the same window. Each address of the file's interfaces is
 * the client of the seed with that address (addresses the seed does not know are left idle);
 * the see-thru list is read from the file's views. A string says why the file cannot be used.
 */
export function scenarioAgainst(own: Scenario, file: { readonly file: string; readonly text: string }): Scenario | string {
  const loaded = estateFromTexts([file], { generation: own.options.generation });
  // Refused annotations are the firewall's business (it reads past them); a file it cannot read is not.
  const error = loaded.diagnostics.find((d) => d.severity === 'error' && d.sourceKind === 'file');
  if (error !== undefined) return `the estate file ${file.file} cannot be read as an estate: ${error.path}: ${error.message}`;
  const known = new Map<string, ClientInfo>();
  for (const v of own.views) for (const list of v.clients.values()) for (const c of list) known.set(c.ip, c);
  let found = 0;
  const addresses = new Set<string>();
  const views: ScenarioView[] = loaded.estate.views.map((v) => {
    const clients = new Map<App, ClientInfo[]>();
    const seen = new Set<string>();
    for (const ni of v.interfaces) {
      for (const ip of ni.addresses) {
        addresses.add(ip);
        const c = known.get(ip);
        if (c === undefined || seen.has(ip)) continue;
        seen.add(ip);
        found++;
        const list = clients.get(c.app) ?? [];
        list.push(c);
        clients.set(c.app, list);
      }
    }
    return { at: v.at, clients };
  });
  // A few addresses of another seed's estate may coincide; most of them will not.
  const unknown = [...addresses].filter((ip) => !known.has(ip)).length;
  if (found === 0 || unknown * 2 > addresses.size) {
    return `${unknown} of the ${addresses.size} interface addresses in ${file.file} are not clients of the applications of seed ${own.options.seed} (${own.options.apps} applications): give the seed and apps the estate was generated with`;
  }
  const estate = loaded.estate;
  return {
    ...own,
    instance: estate.firewall.instance,
    estateText: file.text,
    estate,
    estateDiagnostics: loaded.diagnostics,
    views,
    seeThru: seeThruOf(estate, known, own.options.start, own.end, own.options.generation),
    changes: [],
    counts: {
      groups: new Set(estate.views.flatMap((v) => v.groups.map((g) => g.gid))).size,
      interfaces: new Set(estate.views.flatMap((v) => v.interfaces.map((e) => e.eni))).size,
      clients: new Set(estate.views.flatMap((v) => v.interfaces.flatMap((e) => e.addresses))).size,
    },
  };
}

/** Every see-thru in force in [start, end): its gid, the applications it is attached to, and when. */
function seeThruOf(estate: Estate, known: ReadonlyMap<string, ClientInfo>, start: number, end: number, generation: Generation): SeeThruInfo[] {
  const out: SeeThruInfo[] = [];
  let open = new Map<string, SeeThruInfo>();
  estate.views.forEach((v, i) => {
    const next = estate.views[i + 1]?.at ?? Infinity;
    if (next <= start || v.at >= end) return;
    const from = Math.max(v.at, start);
    const vm = analyseView(v, generation);
    const now = new Map<string, SeeThruInfo>();
    for (const g of vm.groups.values()) {
      if (g.seeThru === null) continue;
      const apps = new Set<string>();
      for (const c of vm.clients.values()) if (c.gids.includes(g.gid)) apps.add(known.get(c.ip)?.app.name ?? c.ip);
      if (apps.size > 0) now.set(`${g.gid} ${g.seeThru} ${[...apps].join(',')}`, { gid: g.gid, app: [...apps].sort().join(', '), thruDate: g.seeThru, from });
    }
    if (vm.preferences.seeThru !== null) now.set(`%default ${vm.preferences.seeThru}`, { gid: '%default', app: '%default', thruDate: vm.preferences.seeThru, from });
    for (const [k, s] of open) if (!now.has(k)) out.push({ ...s, until: from });
    const kept = new Map<string, SeeThruInfo>();
    for (const [k, s] of now) kept.set(k, open.get(k) ?? s);
    open = kept;
  });
  out.push(...open.values());
  return out.sort((a, b) => a.from - b.from || (a.gid < b.gid ? -1 : a.gid > b.gid ? 1 : 0));
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * JSON for people: two-space indents, but an object or array holding only scalars (or arrays
 * of scalars) on one line, so a rule or an interface is one line of the file.
 */
export function formatJson(value: unknown, indent = ''): string {
  const scalar = (v: unknown): boolean => v === null || typeof v !== 'object';
  const flat = (v: unknown): boolean => scalar(v) || (Array.isArray(v) ? v.every(scalar) : Object.values(v as object).every((x) => scalar(x) || (Array.isArray(x) && x.every(scalar))));
  if (flat(value)) return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((x) => inner + formatJson(x, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${formatJson(x, inner)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}
