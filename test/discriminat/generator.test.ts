// The generator (issue 4 part 5) through its library API. Every expected fact is computed here
// with plain loops over JSON.parse'd lines; the code under test is only asked for the events,
// and the filter and query engines for their answers (which are compared with those loops).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compileFilterPattern, runQuery } from '../../src/index.js';
import { loadEstate } from '../../src/discriminat/estate.js';
import { validateLine } from '../../src/discriminat/schema.js';
import { generate, GenerateOptionsError, resolveOptions, type GenerateOptions } from '../../src/discriminat/generator.js';

type Json = Record<string, unknown>;
interface Ev {
  stream: 'flow' | 'config';
  timestamp: number;
  message: string;
  o: Json;
}

function run(options: GenerateOptions): { events: Ev[]; generated: ReturnType<typeof generate> } {
  const generated = generate(options);
  const events: Ev[] = [];
  for (const e of generated.events()) events.push({ stream: e.stream, timestamp: e.timestamp, message: e.message, o: JSON.parse(e.message) as Json });
  return { events, generated };
}

const OPTIONS: GenerateOptions = { seed: 'generator-test', flows: 6000, days: 4 };
const main = run(OPTIONS);
const flow = main.events.filter((e) => e.stream === 'flow');
const config = main.events.filter((e) => e.stream === 'config');
const sc = main.generated.scenario;

const tmp = mkdtempSync(join(tmpdir(), 'haystack-generator-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('generator: determinism and shape', () => {
  it('gives the same events for the same seed, other events for another seed', () => {
    const again = run(OPTIONS);
    assert.equal(again.generated.scenario.estateText, sc.estateText);
    assert.deepEqual(again.events.map((e) => `${e.timestamp} ${e.stream} ${e.message}`), main.events.map((e) => `${e.timestamp} ${e.stream} ${e.message}`));
    const other = run({ ...OPTIONS, seed: 'another seed' });
    assert.notEqual(other.generated.scenario.estateText, sc.estateText);
    assert.notDeepEqual(other.events.slice(0, 50).map((e) => e.message), main.events.slice(0, 50).map((e) => e.message));
  });

  it('writes exactly --flows flow lines, in time order, config lines first at a shared instant', () => {
    assert.equal(flow.length, 6000);
    for (let i = 1; i < main.events.length; i++) {
      const a = main.events[i - 1]!;
      const b = main.events[i]!;
      assert.ok(a.timestamp <= b.timestamp, `event ${i} goes back in time`);
      if (a.timestamp === b.timestamp) assert.ok(!(a.stream === 'flow' && b.stream === 'config'), `config after flow at ${a.timestamp}`);
    }
    const start = Date.parse('2026-03-29T00:00:00Z');
    assert.equal(main.events[0]!.timestamp, start, 'the start-up config lines come at the first view');
    // The span is used: traffic on the first and the last of the four days.
    assert.ok(flow.some((e) => e.timestamp < start + 86_400_000));
    assert.ok(flow.some((e) => e.timestamp >= start + 3 * 86_400_000));
    assert.ok(flow[flow.length - 1]!.timestamp < start + 4 * 86_400_000 + 60_000);
  });

  it('every line passes validateLine with no error or warning, and looks like G3', () => {
    for (const e of main.events) {
      const v = validateLine(e.message);
      const bad = v.diagnostics.filter((d) => d.severity !== 'info');
      assert.deepEqual(bad.map((d) => `${d.code} ${d.message}`), [], e.message);
      assert.equal(v.valid, true, e.message);
      assert.equal(v.kind, e.stream);
      assert.equal(v.generation.looksLike, 'G3', e.message);
    }
  });

  it('flows: 0 writes only the config lines', () => {
    const r = run({ ...OPTIONS, flows: 0 });
    assert.equal(r.events.filter((e) => e.stream === 'flow').length, 0);
    assert.deepEqual(r.events.map((e) => e.message), config.map((e) => e.message));
  });

  it('G1 lines fit G1: no instance, no pqc, no http, no addr refusals, no %default', () => {
    const r = run({ ...OPTIONS, flows: 1500, generation: 'G1' });
    assert.equal(r.events.filter((e) => e.stream === 'flow').length, 1500);
    for (const e of r.events) {
      const v = validateLine(e.message);
      assert.equal(v.valid, true, e.message);
      assert.ok(v.generation.fits.includes('G1'), e.message);
      assert.equal(e.o.instance, undefined);
      assert.notEqual(e.o.cat, 'addr');
      assert.notEqual(e.o.proto, 'http');
      assert.notEqual(e.o.see_thru_gid, '%default');
      assert.notEqual(e.o.gid, '%default');
    }
  });

  it('refuses options out of range', () => {
    assert.throws(() => resolveOptions({ apps: 3 }), GenerateOptionsError);
    assert.throws(() => resolveOptions({ days: 0 }), GenerateOptionsError);
    assert.throws(() => resolveOptions({ flows: -1 }), GenerateOptionsError);
    assert.throws(() => resolveOptions({ flows: 1.5 }), GenerateOptionsError);
    assert.throws(() => resolveOptions({ start: 'yesterday' }), GenerateOptionsError);
    assert.equal(resolveOptions({ start: '2026-01-02T03:04:05Z' }).start, Date.UTC(2026, 0, 2, 3, 4, 5));
  });
});

describe('generator: the estate', () => {
  it('estate.json loads with loadEstate; the only errors are the deliberate refusals', async () => {
    const file = join(tmp, 'estate.json');
    writeFileSync(file, sc.estateText);
    const { estate, diagnostics } = await loadEstate([file]);
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => d.code).sort();
    // Two wildcards the public-suffix safeguard refuses (HS3016) and an IPv4 address (HS3013).
    assert.deepEqual(errors, ['HS3013', 'HS3016', 'HS3016']);
    assert.deepEqual(diagnostics.filter((d) => d.severity !== 'error').map((d) => `${d.code} ${d.message}`), []);
    assert.equal(estate.views.length, sc.changes.length + 1);
    assert.equal(estate.views[0]!.at, Date.parse('2026-03-29T00:00:00Z'));
  });

  it('is realistic: tens of applications, secondary IPs, see-thru groups, wildcard folds, allowlists per port', () => {
    const file = JSON.parse(sc.estateText) as { firewall: { instance: string }; views: Json[] };
    assert.match(file.firewall.instance, /^i-0[0-9a-f]{16}$/);
    const first = file.views[0] as { groups: { gid: string; name: string; egress: Json[] }[]; interfaces: { addresses: string[]; groups: string[] }[] };
    assert.ok(first.groups.length >= 30, `${first.groups.length} groups`);
    const descriptions = first.groups.flatMap((g) => g.egress.map((r) => ({ d: String(r.description ?? ''), port: r.fromPort })));
    assert.ok(descriptions.some((x) => x.d.startsWith('discriminat:tls:') && x.port === 443));
    assert.ok(descriptions.some((x) => x.d.startsWith('discriminat:ssh:') && x.port === 22));
    assert.ok(descriptions.some((x) => /^discriminat:tls:.*\*\.github\.com/.test(x.d)));
    assert.ok(descriptions.some((x) => /\*\.datadoghq\.com/.test(x.d)));
    assert.ok(descriptions.filter((x) => x.d.startsWith('discriminat:see-thru:')).length >= 4);
    for (const x of descriptions) assert.ok(x.d.length <= 255);
    const ips = first.interfaces.flatMap((i) => i.addresses);
    assert.ok(ips.includes('172.16.1.9'));
    assert.ok(first.interfaces.some((i) => i.addresses.length > 1), 'some interface has secondary IPs');
    assert.ok(new Set(ips).size > 60, `${new Set(ips).size} clients`);
    // AWS refuses two rules with the same protocol, ports and CIDR in one group (spec D4.5).
    for (const g of first.groups) {
      const keys = g.egress.map((r) => `${r.ipProtocol} ${r.fromPort} ${r.toPort} ${r.cidr}`);
      assert.equal(new Set(keys).size, keys.length, g.name);
    }
  });
});

describe('generator: config lines (spec D7)', () => {
  const kinds = new Set(config.map((e) => (e.o.cat === 'addr' ? 'addr' : `${String(e.o.cat)} ${String(e.o.outcome)}`)));
  it('include accepted and removed fqdn, client and see-thru lines, and refusals', () => {
    for (const k of ['fqdn accepted', 'fqdn removed', 'client accepted', 'client removed', 'see-thru accepted', 'see-thru removed', 'addr']) assert.ok(kinds.has(k), k);
    const addr = config.filter((e) => e.o.cat === 'addr').map((e) => e.o);
    assert.ok(addr.some((o) => o.addr === '*.cloudfront.net' && o.outcome === 'publicsuffix[.]org list matched with `cloudfront.net`'));
    assert.ok(addr.some((o) => /^\*\.s3\.[a-z0-9-]+\.amazonaws\.com$/.test(String(o.addr)) && String(o.outcome).startsWith('publicsuffix[.]org list matched with `s3.')));
    assert.ok(addr.some((o) => o.outcome === 'invalid address'));
    assert.ok(config.some((e) => e.o.cat === 'see-thru' && e.o.gid === '%default' && e.o.outcome === 'accepted'));
    assert.ok(config.some((e) => e.o.cat === 'see-thru' && e.o.gid === '%default' && e.o.outcome === 'removed'));
    assert.ok(config.some((e) => e.o.cat === 'fqdn' && e.o.outcome === 'accepted' && String(e.o.fqdn).startsWith('*.')));
  });
  it('come at the times of the estate views, start-up first', () => {
    const views = new Set(sc.estate.views.map((v) => v.at));
    for (const e of config) assert.ok(views.has(e.timestamp), e.message);
    assert.ok(config.filter((e) => e.timestamp === sc.estate.views[0]!.at).length > 100);
  });
});

describe('generator: traffic', () => {
  const client = flow.filter((e) => e.o.cat === 'client');
  const reasons = new Set(flow.map((e) => (String(e.o.reason).startsWith('sg-') ? 'gid' : String(e.o.reason))));

  it('has every reason of spec D6.9', () => {
    for (const r of ['gid', 'no rules for client', 'no protocol rule matched', 'cache not ready', 'dns mismatch', 'tls version below 1.2', 'sni missing', 'ssh version below 2', 'protocol unknown', 'http not allowed', 'x509 crl']) {
      assert.ok(reasons.has(r), r);
    }
  });

  it('is mostly allowed, with TLS 1.2 and 1.3, a little 1.0/1.1, SSH 2.0 and a 1.99, pqc, IP-only destinations', () => {
    const allowed = flow.filter((e) => e.o.outcome === 'allowed').length;
    assert.ok(allowed > flow.length * 0.8 && allowed < flow.length, `${allowed} allowed`);
    const v = (proto: string, pv: string): number => client.filter((e) => e.o.proto === proto && e.o.proto_v === pv).length;
    assert.ok(v('tls', '1.3') > v('tls', '1.2') && v('tls', '1.2') > 0);
    assert.ok(v('tls', '1.0') + v('tls', '1.1') > 0);
    assert.ok(v('ssh', '2.0') > 0 && v('ssh', '1.99') > 0);
    assert.ok(flow.some((e) => e.o.pqc === true) && flow.some((e) => e.o.pqc === false));
    assert.ok(flow.some((e) => e.o.dhost === e.o.dst && e.o.proto === 'unknown'));
    assert.ok(flow.some((e) => e.o.dhost === e.o.dst && e.o.proto === 'tls'));
    assert.ok(client.some((e) => e.o.proto === 'http' && e.o.http_method === 'GET' && String(e.o.http_path).endsWith('.crl') && e.o.outcome === 'allowed'));
    for (const e of client) assert.ok(Number(e.o.spt) >= 32768 && Number(e.o.spt) <= 60999, e.message);
  });

  it('sends from the estate\'s clients and a few unknown ones', () => {
    const known = new Set<string>();
    for (const v of (JSON.parse(sc.estateText) as { views: { interfaces?: { addresses: string[] }[] }[] }).views) for (const i of v.interfaces ?? []) for (const ip of i.addresses) known.add(ip);
    const unknown = new Set(client.map((e) => String(e.o.src)).filter((ip) => !known.has(ip)));
    assert.ok(unknown.size >= 1 && unknown.size <= 5, [...unknown].join(' '));
    for (const e of client.filter((x) => unknown.has(String(x.o.src)))) assert.ok(['no rules for client', 'protocol unknown', 'sni missing'].includes(String(e.o.reason)) || e.o.see_thru_gid === '%default', e.message);
    for (const e of flow.filter((x) => x.o.cat === 'server')) assert.ok(known.has(String(e.o.dst)) || unknown.has(String(e.o.dst)));
  });

  it('gives each host stable addresses and a resolver that agrees (bar the deliberate dns mismatch)', () => {
    const dstsOf = new Map<string, Set<string>>();
    let named = 0;
    let stale = 0;
    for (const e of client) {
      if (e.o.proto !== 'tls' || e.o.dhost === e.o.dst) continue;
      named++;
      const host = String(e.o.dhost);
      const dst = String(e.o.dst);
      if (!sc.resolver(host).includes(dst)) {
        stale++; // a client that pinned an old address
        continue;
      }
      dstsOf.set(host, (dstsOf.get(host) ?? new Set<string>()).add(dst));
      if (e.o.outcome === 'allowed') assert.ok(sc.resolver(host).includes(dst), e.message);
    }
    for (const [host, ips] of dstsOf) assert.ok(ips.size <= 3, `${host}: ${[...ips].join(' ')}`);
    assert.ok(stale >= 1 && stale <= named * 0.01, `${stale} of ${named} to an address DNS does not give`);
    for (const e of client.filter((x) => x.o.reason === 'dns mismatch')) assert.ok(!sc.resolver(String(e.o.dhost)).includes(String(e.o.dst)), e.message);
  });

  it('follows a daily rhythm: more connections per hour in working hours than at night', () => {
    let day = 0;
    let night = 0;
    for (const e of client) {
      const h = new Date(e.timestamp).getUTCHours();
      if (h >= 9 && h < 17) day++;
      else if (h >= 22 || h < 6) night++;
    }
    assert.ok(day / 8 > (night / 8) * 1.5, `day ${day}, night ${night}`);
  });

  it('writes a server line after its client line, addresses swapped', () => {
    const clients = new Map<string, Ev>();
    for (const e of flow) {
      const key = e.o.cat === 'client' ? `${e.o.src}:${e.o.spt}-${e.o.dst}:${e.o.dpt}` : `${e.o.dst}:${e.o.dpt}-${e.o.src}:${e.o.spt}`;
      if (e.o.cat === 'client') clients.set(key, e);
      else {
        const c = clients.get(key);
        assert.ok(c !== undefined && c.timestamp < e.timestamp, e.message);
        assert.equal(e.o.dhost, c.o.dhost);
      }
    }
  });
});

describe('generator: the vendor\'s filters and recipe find lines (spec D2.6)', () => {
  const has = (o: Json, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  const patterns: [string, (o: Json) => boolean][] = [
    ['{ $.outcome = "disallowed" }', (o) => o.outcome === 'disallowed'],
    ['{ $.outcome = "allowed" && $.proto != "tls" }', (o) => o.outcome === 'allowed' && o.proto !== 'tls'],
    ['{ $.cat = "client" && $.src = "172.16.1.9" && $.dhost != "api.github.com" }', (o) => o.cat === 'client' && o.src === '172.16.1.9' && o.dhost !== 'api.github.com'],
    ['{ $.see_thru_days_remaining <= 2 }', (o) => has(o, 'see_thru_days_remaining') && (o.see_thru_days_remaining as number) <= 2],
    ['{ $.see_thru_exerted is true && $.dhost != "ec2-instance-connect.*" }', (o) => o.see_thru_exerted === true && !String(o.dhost).startsWith('ec2-instance-connect.')],
  ];
  for (const [pattern, predicate] of patterns) {
    it(pattern, () => {
      const compiled = compileFilterPattern(pattern);
      const byEngine = flow.filter((e) => compiled.matches(e.message)).length;
      const byHand = flow.filter((e) => predicate(e.o)).length;
      assert.equal(byEngine, byHand);
      assert.ok(byHand >= 1, 'finds at least one line');
    });
  }

  it('172.16.1.9 talks to api.github.com and to others', () => {
    const hosts = new Set(flow.filter((e) => e.o.cat === 'client' && e.o.src === '172.16.1.9').map((e) => String(e.o.dhost)));
    assert.ok(hosts.has('api.github.com'));
    assert.ok(hosts.size >= 3, [...hosts].join(' '));
  });

  it('the ec2-instance-connect telemetry is let through by see-thru too (what the fifth filter leaves out)', () => {
    assert.ok(flow.some((e) => e.o.see_thru_exerted === true && String(e.o.dhost).startsWith('ec2-instance-connect.')));
  });

  it('the allowlist recipe gives, per see-thru gid, the rows an independent count gives', () => {
    const events = flow.map((e) => ({ timestamp: e.timestamp, message: e.message }));
    const gids = [...new Set(sc.seeThru.map((s) => s.gid))];
    let withRows = 0;
    for (const gid of gids) {
      const q = `filter see_thru_exerted AND see_thru_gid = "${gid}"\n| stats count() by see_thru_exerted, see_thru_gid, dhost, proto, dpt`;
      const got = runQuery(q, events);
      const expected = new Map<string, number>();
      for (const e of flow) {
        if (e.o.see_thru_exerted !== true || e.o.see_thru_gid !== gid) continue;
        const key = `${gid}|${e.o.dhost}|${e.o.proto}|${e.o.dpt}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const rows = new Map<string, number>();
      for (const r of got.rows) {
        assert.ok(r[0] === 1 || r[0] === 'true', `see_thru_exerted cell ${String(r[0])}`);
        rows.set(`${r[1]}|${r[2]}|${r[3]}|${r[4]}`, r[5] as number);
      }
      assert.deepEqual(rows, expected, gid);
      if (expected.size > 0) withRows++;
    }
    assert.ok(withRows >= 3, `${withRows} see-thru gids with rows`);
  });
});
