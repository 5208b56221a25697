#!/usr/bin/env node
// Seeded, deterministic generator of realistic discrimiNAT flow-log lines (G3, spec D2) for the
// example sample, tests and benchmarks. Plain JS, no dependencies, so it runs before a build.
//
//   node scripts/generate-flow.mjs --lines N --seed S [--format json|export|ndjson] [--gzip] --out FILE
//
// The traffic is decided the way spec D6 decides it, over a synthetic estate built from the seed:
// a few hundred clients with roles (their allowlist groups), a few see-thru groups, and a
// catalogue of real-looking destinations. It is not a copy of any deployment.

import { createWriteStream, realpathSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

/** Field order of a flow line (spec D2.1); the generator writes keys in exactly this order. */
export const FLOW_FIELD_ORDER = Object.freeze([
  'dhost', 'cat', 'outcome', 'src', 'spt', 'proto', 'proto_v', 'dst', 'dpt', 'reason', 'instance',
  'pqc', 'http_code', 'http_method', 'http_path', 'http_user_agent',
  'see_thru_days_remaining', 'see_thru_gid', 'see_thru_exerted',
]);

export const FORMATS = Object.freeze(['json', 'export', 'ndjson']);

/** First timestamp: 2026-03-29T08:00:00.000Z, the "today" of the worked examples (spec D8). */
export const START_MS = Date.UTC(2026, 2, 29, 8, 0, 0);

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Randomness: one 32-bit seed from any string, then mulberry32 (small, fast, good enough here).

function hashSeed(seed) {
  const text = String(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function makeRandom(seed32) {
  let a = seed32 | 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
    hex: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(next() * 16)];
      return s;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Destinations. IPs are derived from the host name (not the seed), inside ranges the provider
// really uses, so a host keeps its addresses across seeds.

const AWS = ['52.94', '54.240', '35.160', '52.46', '44.224'];
const GITHUB = ['140.82.112', '140.82.113', '140.82.114', '140.82.121'];
const GITHUB_CONTENT = ['185.199.108', '185.199.109', '185.199.110', '185.199.111'];
const FASTLY = ['151.101.0', '151.101.64', '151.101.128', '151.101.192'];
const CLOUDFLARE = ['104.16', '172.64'];
const GOOGLE = ['142.250', '172.217'];
const MICROSOFT = ['20.190', '40.126'];
const EDGECAST = ['192.229.211', '192.229.221'];
const MISC = ['3.233', '34.120', '54.187', '18.160'];

// pqc: the server selects a post-quantum hybrid group when the client offers one (spec D2.4).
const TLS_HOSTS = [
  ['ec2.us-west-2.amazonaws.com', AWS, false],
  ['ssm.us-west-2.amazonaws.com', AWS, false],
  ['ssmmessages.us-west-2.amazonaws.com', AWS, false],
  ['ec2messages.us-west-2.amazonaws.com', AWS, false],
  ['ec2-instance-connect.us-west-2.amazonaws.com', AWS, false],
  ['logs.us-west-2.amazonaws.com', AWS, false],
  ['monitoring.us-west-2.amazonaws.com', AWS, false],
  ['sts.us-west-2.amazonaws.com', AWS, false],
  ['s3.us-west-2.amazonaws.com', AWS, false],
  ['kms.us-west-2.amazonaws.com', AWS, true],
  ['secretsmanager.us-west-2.amazonaws.com', AWS, true],
  ['sqs.us-west-2.amazonaws.com', AWS, false],
  ['dynamodb.us-west-2.amazonaws.com', AWS, false],
  ['api.ecr.us-west-2.amazonaws.com', AWS, false],
  ['381492034719.dkr.ecr.us-west-2.amazonaws.com', AWS, false],
  ['prod-us-west-2-starport-layer-bucket.s3.us-west-2.amazonaws.com', AWS, false],
  ['api.github.com', GITHUB, false],
  ['github.com', GITHUB, false],
  ['codeload.github.com', GITHUB, false],
  ['objects.githubusercontent.com', GITHUB_CONTENT, false],
  ['raw.githubusercontent.com', GITHUB_CONTENT, false],
  ['pypi.org', FASTLY, true],
  ['files.pythonhosted.org', FASTLY, true],
  ['registry.npmjs.org', CLOUDFLARE, true],
  ['registry-1.docker.io', AWS, false],
  ['auth.docker.io', AWS, false],
  ['production.cloudflare.docker.com', CLOUDFLARE, true],
  ['api.datadoghq.com', MISC, false],
  ['http-intake.logs.datadoghq.com', MISC, false],
  ['o450123.ingest.sentry.io', MISC, false],
  ['api.stripe.com', MISC, false],
  ['hooks.slack.com', MISC, false],
  ['oauth2.googleapis.com', GOOGLE, true],
  ['login.microsoftonline.com', MICROSOFT, false],
  // Hosts no role allowlists: telemetry, IP echo services, editors phoning home.
  ['api.ipify.org', MISC, false],
  ['checkpoint-api.hashicorp.com', FASTLY, true],
  ['api.segment.io', AWS, false],
  ['dc.services.visualstudio.com', MICROSOFT, false],
  ['incoming.telemetry.mozilla.org', GOOGLE, true],
  ['pastebin.com', CLOUDFLARE, true],
  ['api.mixpanel.com', GOOGLE, true],
];

const SSH_HOSTS = [
  ['sftp.bank1.com', ['203.0.113']],
  ['s-3f9c2a7b61d04e58a.server.transfer.us-west-2.amazonaws.com', AWS],
  ['github.com', GITHUB],
  ['bitbucket.org', ['104.192.141']],
];

// Plain HTTP (spec D6.10): CRL fetches are allowed (x509_crls allowing), the rest is not.
const CRL_FETCHES = [
  ['crl3.digicert.com', EDGECAST, ['/DigiCertGlobalRootG2.crl', '/DigiCertGlobalG2TLSRSASHA2562020CA1-1.crl']],
  ['crl4.digicert.com', EDGECAST, ['/DigiCertGlobalRootCA.crl', '/DigiCertTLSRSASHA2562020CA1-4.crl']],
  ['c.pki.goog', GOOGLE, ['/r/gsr1.crl', '/we2/yK5nPhtHKQs.crl']],
  ['crl.r2m01.amazontrust.com', AWS, ['/r2m01.crl']],
  ['crl.rootca1.amazontrust.com', AWS, ['/rootca1.crl']],
  ['r11.c.lencr.org', CLOUDFLARE, ['/42.crl', '/107.crl']],
];
const APT = ['Debian APT-HTTP/1.3 (2.4.11)', 'Debian APT-HTTP/1.3 (2.6.1)'];
const TLS_CLIENTS = ['curl/8.5.0', 'Go-http-client/1.1', 'Java/17.0.10', 'python-requests/2.31.0', 'Wget/1.21.4'];
// OCSP (POST) is not a CRL fetch and stays disallowed (D9 #23), as do package mirrors.
const OTHER_HTTP = [
  ['archive.ubuntu.com', ['91.189.91', '185.125.190'], 'GET', '/ubuntu/dists/jammy/InRelease', APT],
  ['security.ubuntu.com', ['91.189.91', '185.125.190'], 'GET', '/ubuntu/dists/jammy-security/InRelease', APT],
  ['deb.debian.org', FASTLY, 'GET', '/debian/dists/bookworm/InRelease', APT],
  ['ocsp.digicert.com', EDGECAST, 'POST', '/', TLS_CLIENTS],
  ['r11.o.lencr.org', CLOUDFLARE, 'POST', '/', TLS_CLIENTS],
];

const UNKNOWN_PORTS = [443, 443, 443, 8443, 5432, 3306, 6379, 25, 587, 9418, 1194];

function hostIps(name, prefixes) {
  // FNV of the name picks the addresses: stable, independent of the seed.
  let h = hashSeed(name);
  const ips = [];
  for (let i = 0; i < 3; i++) {
    const prefix = prefixes[h % prefixes.length];
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    const parts = prefix.split('.');
    while (parts.length < 3) {
      parts.push(String(h % 256));
      h = Math.imul(h ^ (h >>> 13), 0x297a2d39) >>> 0;
    }
    parts.push(String(1 + (h % 254)));
    h = Math.imul(h ^ (h >>> 11), 0x5bd1e995) >>> 0;
    const ip = parts.join('.');
    if (!ips.includes(ip)) ips.push(ip);
  }
  return ips;
}

const TLS = new Map(TLS_HOSTS.map(([name, prefixes, pqc]) => [name, { name, ips: hostIps(name, prefixes), pqc }]));
const SSH = new Map(SSH_HOSTS.map(([name, prefixes]) => [name, { name, ips: hostIps(`ssh:${name}`, prefixes) }]));
const CRL = CRL_FETCHES.map(([name, prefixes, paths]) => ({ name, ips: hostIps(name, prefixes), paths }));
const HTTP_OTHER = OTHER_HTTP.map(([name, prefixes, method, path, agents]) => ({ name, ips: hostIps(name, prefixes), method, path, agents }));
const STRAY_TLS = [
  'api.ipify.org', 'checkpoint-api.hashicorp.com', 'api.segment.io', 'dc.services.visualstudio.com',
  'incoming.telemetry.mozilla.org', 'pastebin.com', 'api.mixpanel.com',
  'ec2-instance-connect.us-west-2.amazonaws.com', 'raw.githubusercontent.com', 'pypi.org',
  'api.github.com', 'registry.npmjs.org', 'hooks.slack.com',
];

// ---------------------------------------------------------------------------------------------
// The estate: annotated groups (allowlists), see-thru groups, roles, clients.

const GROUPS = {
  ssm: ['tls', ['ssm.us-west-2.amazonaws.com', 'ssmmessages.us-west-2.amazonaws.com', 'ec2messages.us-west-2.amazonaws.com']],
  aws: ['tls', ['ec2.us-west-2.amazonaws.com', 'sts.us-west-2.amazonaws.com', 's3.us-west-2.amazonaws.com',
    'logs.us-west-2.amazonaws.com', 'monitoring.us-west-2.amazonaws.com', 'kms.us-west-2.amazonaws.com',
    'secretsmanager.us-west-2.amazonaws.com']],
  queue: ['tls', ['sqs.us-west-2.amazonaws.com', 'dynamodb.us-west-2.amazonaws.com']],
  ecr: ['tls', ['api.ecr.us-west-2.amazonaws.com', '381492034719.dkr.ecr.us-west-2.amazonaws.com',
    'prod-us-west-2-starport-layer-bucket.s3.us-west-2.amazonaws.com']],
  github: ['tls', ['api.github.com', '*.github.com', 'objects.githubusercontent.com']],
  pypi: ['tls', ['pypi.org', 'files.pythonhosted.org']],
  npm: ['tls', ['registry.npmjs.org']],
  docker: ['tls', ['registry-1.docker.io', 'auth.docker.io', 'production.cloudflare.docker.com']],
  obs: ['tls', ['api.datadoghq.com', 'http-intake.logs.datadoghq.com', 'o450123.ingest.sentry.io']],
  saas: ['tls', ['api.stripe.com', 'hooks.slack.com', 'oauth2.googleapis.com', 'login.microsoftonline.com']],
  eic: ['tls', ['ec2-instance-connect.us-west-2.amazonaws.com']],
  sftp: ['ssh', ['sftp.bank1.com', 's-3f9c2a7b61d04e58a.server.transfer.us-west-2.amazonaws.com']],
  gitssh: ['ssh', ['github.com', 'bitbucket.org']],
};

// Days from the first day of generation to each see-thru date: expired, today, soon, later.
const SEE_THRU_OFFSETS = [-1, 0, 1, 2, 2, 7, 12, 30];

// [name, share of clients, groups, chance of a see-thru group, chance of an SSH connection]
const ROLES = [
  ['web', 0.30, ['ssm', 'aws', 'obs', 'saas'], 0.08, 0],
  ['worker', 0.20, ['ssm', 'aws', 'queue', 'ecr', 'docker', 'obs'], 0.08, 0],
  ['ci', 0.12, ['ssm', 'github', 'pypi', 'npm', 'docker', 'ecr', 'gitssh'], 0.15, 0.08],
  ['etl', 0.08, ['ssm', 'aws', 'sftp', 'pypi'], 0.05, 0.15],
  ['bastion', 0.04, ['ssm', 'eic', 'gitssh'], 0, 0.25],
  ['lambda', 0.12, ['aws', 'queue', 'saas'], 0.05, 0],
  ['discovery', 0.10, ['ssm'], 1, 0.05], // a new app under a see-thru rule (the allowlist recipe)
  ['unmanaged', 0.04, [], 0.2, 0.05], // no protocol rules at all
];

const SUBNETS = ['10.0.1', '10.0.2', '10.0.3', '10.0.11', '10.0.12', '10.0.13', '10.10.1', '10.10.2',
  '172.16.0', '172.16.1', '172.16.2', '172.16.3'];
const CLIENT_COUNT = 320;
const UNKNOWN_CLIENTS = 6; // source IPs the estate does not know (spec D5.2)
const NOTED_CLIENT = '172.16.1.9'; // the vendor's client filter names it (spec D2.6)

function buildEstate(rnd, startMs) {
  const gidOf = new Map();
  const usedGids = new Set();
  const newGid = () => {
    for (;;) {
      const gid = `sg-0${rnd.hex(16)}`;
      if (!usedGids.has(gid)) {
        usedGids.add(gid);
        return gid;
      }
    }
  };
  for (const key of Object.keys(GROUPS)) gidOf.set(key, newGid());
  const startDay = Math.floor(startMs / DAY_MS);
  const seeThru = SEE_THRU_OFFSETS.map((offset) => ({ gid: newGid(), thruDay: startDay + offset }));
  const instances = [`i-0${rnd.hex(16)}`, `i-0${rnd.hex(16)}`, `i-0${rnd.hex(16)}`];

  const ips = new Set([NOTED_CLIENT]);
  while (ips.size < CLIENT_COUNT) ips.add(`${rnd.pick(SUBNETS)}.${rnd.int(4, 250)}`);
  const order = [...ips].filter((ip) => ip !== NOTED_CLIENT);
  // The noted client is busy (4th by traffic), a CI runner under a 2-day see-thru, like X21.
  order.splice(3, 0, NOTED_CLIENT);

  const roleCut = [];
  let acc = 0;
  for (const role of ROLES) roleCut.push((acc += role[1]));

  const clients = order.map((ip, rank) => {
    let role;
    let st = null;
    if (ip === NOTED_CLIENT) {
      role = ROLES.find((r) => r[0] === 'ci');
      st = seeThru.find((s) => s.thruDay - startDay === 2);
    } else {
      const r = rnd.next() * acc;
      role = ROLES[roleCut.findIndex((cut) => r < cut)];
      if (rnd.chance(role[3])) st = rnd.pick(seeThru);
    }
    return makeClient(ip, role, st, gidOf, instances[SUBNETS.indexOf(ip.slice(0, ip.lastIndexOf('.'))) % 3],
      1 / Math.pow(rank + 1, 0.7));
  });
  for (let i = 0; i < UNKNOWN_CLIENTS; i++) {
    const ip = `10.0.99.${10 + i * 7}`;
    clients.push(makeClient(ip, ['unknown', 0, [], 0, 0.02], null, gidOf, instances[i % 3], 0.05));
  }
  let total = 0;
  const cumulative = clients.map((c) => (total += c.weight));
  return { clients, cumulative, total };
}

function makeClient(ip, role, st, gidOf, instance, weight) {
  const [roleName, , groupKeys, , sshShare] = role;
  // Protocol rules sorted by gid in byte order: the first that matches names the reason (D6.4).
  const rules = groupKeys
    .map((key) => ({ gid: gidOf.get(key), proto: GROUPS[key][0], addrs: GROUPS[key][1] }))
    .sort((a, b) => (a.gid < b.gid ? -1 : a.gid > b.gid ? 1 : 0));
  const tlsTargets = [];
  const sshTargets = [];
  for (const rule of rules) {
    for (const addr of rule.addrs) {
      if (rule.proto === 'ssh') sshTargets.push(addr);
      else if (addr.startsWith('*.')) {
        for (const name of TLS.keys()) if (wildcardMatches(addr, name)) tlsTargets.push(name);
      } else tlsTargets.push(addr);
    }
  }
  return {
    ip, role: roleName, rules, seeThru: st, instance, weight, sshShare,
    tlsTargets, sshTargets: sshTargets.sort(), // sorted: the first name in byte order wins (D6.4)
    // Modern TLS stacks (OpenSSL 3.5, Go 1.24) offer X25519MLKEM768; older ones offer 1.2 only.
    offersPqc: hashSeed(`pqc:${ip}`) % 100 < 40,
    tlsMax: hashSeed(`tls:${ip}`) % 100 < 8 ? '1.2' : '1.3',
  };
}

function wildcardMatches(addr, host) {
  // `*.github.com`: exactly one label in place of `*` (a wildcard never crosses a dot, D4.6).
  const tail = addr.slice(1);
  return host.endsWith(tail) && host.length > tail.length && !host.slice(0, -tail.length).includes('.');
}

function matchRule(client, proto, host, dpt) {
  // Annotated groups open tcp 443 (tls) and tcp 22 (ssh); the rule must cover the port (D6.4).
  const port = proto === 'tls' ? 443 : 22;
  if (dpt !== port) return null;
  for (const rule of client.rules) {
    if (rule.proto !== proto) continue;
    for (const addr of rule.addrs) {
      if (addr === host || (addr.startsWith('*.') && wildcardMatches(addr, host))) return rule.gid;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// One connection -> its client line and, when it passed and the server answered, a server line.

const q = JSON.stringify; // string escaping exactly as JSON.stringify does it (D2.1)

/**
 * One line in the exact form of spec D2.1: the text JSON.stringify gives for the fields inserted
 * in FLOW_FIELD_ORDER, absent fields omitted. Built by concatenation because JSON.stringify of a
 * fresh object per line was a third of the run time; the tests check the form line by line.
 */
function flowLine(dhost, cat, outcome, src, spt, proto, protoV, dst, dpt, reason, instance, pqc,
  httpCode, httpMethod, httpPath, httpUserAgent, seeThru) {
  let s = `{"dhost":${q(dhost)},"cat":"${cat}","outcome":"${outcome}","src":${q(src)},"spt":${spt},"proto":"${proto}"`;
  if (protoV !== undefined) s += `,"proto_v":${q(protoV)}`;
  s += `,"dst":${q(dst)},"dpt":${dpt},"reason":${q(reason)},"instance":${q(instance)}`;
  if (pqc !== undefined) s += pqc ? ',"pqc":true' : ',"pqc":false';
  if (httpCode !== undefined) s += `,"http_code":${httpCode}`;
  if (httpMethod !== undefined) s += `,"http_method":${q(httpMethod)}`;
  if (httpPath !== undefined) s += `,"http_path":${q(httpPath)}`;
  if (httpUserAgent !== undefined) s += `,"http_user_agent":${q(httpUserAgent)}`;
  if (seeThru !== null) {
    s += `,"see_thru_days_remaining":${seeThru.days},"see_thru_gid":${q(seeThru.gid)},"see_thru_exerted":${seeThru.exerted}`;
  }
  return `${s}}`;
}

function randomPublicIp(rnd) {
  // Documentation and cloud-looking ranges for destinations no hostname is known for.
  const prefix = rnd.pick(['198.51.100', '203.0.113', '45.33.32', '159.89.14', '91.198.174']);
  return `${prefix}.${rnd.int(1, 254)}`;
}

function makeConnection(rnd, client, atMs) {
  const c = client;
  const spt = rnd.int(32768, 60999); // Linux ephemeral range
  const r = rnd.next();
  let proto;
  let proto_v;
  let dhost;
  let dst;
  let dpt;
  let pqc;
  let reason = null; // null: decided by the protocol rules below
  let http = null;
  let serverPqc = false;
  let serverVersion;

  if (r < 0.015) {
    proto = 'unknown';
    dst = randomPublicIp(rnd);
    dhost = dst;
    dpt = rnd.pick(UNKNOWN_PORTS);
    reason = 'protocol unknown';
  } else if (r < 0.05) {
    proto = 'http';
    proto_v = rnd.chance(0.9) ? '1.1' : '1.0';
    dpt = 80;
    if (r < 0.042) {
      const crl = rnd.pick(CRL);
      dhost = crl.name;
      dst = rnd.pick(crl.ips);
      http = { method: 'GET', path: rnd.pick(crl.paths), code: rnd.chance(0.85) ? 200 : 304, agents: TLS_CLIENTS };
    } else {
      const other = rnd.pick(HTTP_OTHER);
      dhost = other.name;
      dst = rnd.pick(other.ips);
      http = { method: other.method, path: other.path, code: rnd.chance(0.9) ? 200 : 404, agents: other.agents };
    }
    if (rnd.chance(0.85)) http.userAgent = rnd.pick(http.agents); // some requests carry none
    if (rnd.chance(0.02)) dhost = dst; // request without a Host header
    // Spec D6.10: a GET whose path ends in .crl is a CRL fetch.
    reason = http.method === 'GET' && http.path.endsWith('.crl') ? 'x509 crl' : 'http not allowed';
    serverVersion = proto_v;
  } else if (r < 0.05 + c.sshShare) {
    proto = 'ssh';
    proto_v = rnd.chance(0.98) ? '2.0' : rnd.pick(['1.99', '1.5']);
    const name = c.sshTargets.length > 0 && rnd.chance(0.9) ? rnd.pick(c.sshTargets) : rnd.pick([...SSH.keys()]);
    const target = SSH.get(name);
    dst = rnd.chance(0.95) ? rnd.pick(target.ips) : randomPublicIp(rnd);
    dpt = rnd.chance(0.97) ? 22 : rnd.pick([2222, 443]);
    // The DNS cache maps dst back to this client's ssh names; else dhost is the IP (D6.4).
    dhost = dst;
    for (const candidate of c.sshTargets) {
      if (SSH.get(candidate).ips.includes(dst)) {
        dhost = candidate;
        break;
      }
    }
    if (proto_v !== '2.0') reason = 'ssh version below 2';
    serverVersion = '2.0';
  } else {
    proto = 'tls';
    let name;
    if (c.role === 'discovery') name = rnd.pick(TLS_HOSTS)[0];
    else if (c.tlsTargets.length > 0 && rnd.chance(0.88)) name = rnd.pick(c.tlsTargets);
    else name = rnd.pick(STRAY_TLS);
    const target = TLS.get(name);
    dhost = name;
    dst = rnd.pick(target.ips);
    dpt = rnd.chance(0.995) ? 443 : 8443;
    proto_v = rnd.chance(0.004) ? rnd.pick(['1.0', '1.1']) : c.tlsMax;
    pqc = proto_v === '1.3' && c.offersPqc; // spec D2.4: below 1.3 always false
    serverVersion = proto_v;
    serverPqc = pqc && target.pqc;
    if (proto_v === '1.0' || proto_v === '1.1') reason = 'tls version below 1.2';
    else if (rnd.chance(0.004)) {
      dhost = dst; // ClientHello without SNI
      reason = 'sni missing';
    }
  }

  let outcome = 'disallowed';
  if (reason === 'x509 crl') outcome = 'allowed';
  else if (reason === null) {
    if (c.rules.length === 0) reason = 'no rules for client';
    else {
      const gid = matchRule(c, proto, dhost, dpt);
      if (gid === null) reason = 'no protocol rule matched';
      else if (rnd.chance(0.0015)) {
        reason = 'cache not ready'; // a name accepted seconds ago (D6.5)
        if (proto === 'ssh') dhost = dst; // not resolved yet, so not mapped back (X17)
      }
      else if (proto === 'tls' && rnd.chance(0.002)) {
        reason = 'dns mismatch'; // dst not among the name's addresses (pinned or spoofed)
        dst = randomPublicIp(rnd);
      } else {
        outcome = 'allowed';
        reason = gid;
      }
    }
  }

  // See-thru (D6.6): days from the UTC date of the connection; active while days >= 0.
  const st = c.seeThru;
  const days = st === null ? 0 : st.thruDay - Math.floor(atMs / DAY_MS);
  const active = st !== null && days >= 0;
  const exerted = active && outcome === 'disallowed';

  const seeThru = st === null ? null : { days, gid: st.gid, exerted };
  const clientLine = flowLine(dhost, 'client', outcome, c.ip, spt, proto, proto_v, dst, dpt, reason, c.instance, pqc,
    undefined, http?.method, http?.path, http?.userAgent, seeThru);

  const passes = outcome === 'allowed' || active;
  if (!passes || !rnd.chance(0.97)) return [clientLine, null];
  if (proto === 'tls' && c.tlsMax === '1.3' && proto_v === '1.3' && rnd.chance(0.05)) {
    serverVersion = '1.2';
    serverPqc = false;
  }
  // Server line (D6.8): addresses swapped; the server's version, pqc and status; the rest copied.
  const serverLine = flowLine(dhost, 'server', outcome, dst, dpt, proto, proto === 'unknown' ? undefined : serverVersion,
    c.ip, spt, reason, c.instance, proto === 'tls' ? serverPqc : undefined,
    http?.code, undefined, undefined, undefined, seeThru);
  return [clientLine, serverLine];
}

// ---------------------------------------------------------------------------------------------
// Public API: a generator of formatted lines (without the trailing newline).

/**
 * @param {{ lines: number, seed?: string|number, format?: 'json'|'export'|'ndjson', start?: number }} options
 * @returns {Generator<string, void, undefined>}
 */
export function* generateFlowLines({ lines, seed = 1, format = 'json', start = START_MS }) {
  if (!Number.isSafeInteger(lines) || lines < 0) throw new RangeError(`lines must be a non-negative integer, got ${lines}`);
  if (!FORMATS.includes(format)) throw new RangeError(`format must be one of ${FORMATS.join(', ')}, got ${format}`);
  const seed32 = hashSeed(seed);
  const estate = buildEstate(makeRandom(seed32 ^ 0x9e3779b9), start);
  const rnd = makeRandom(seed32);
  const { clients, cumulative, total } = estate;
  const wrap = format === 'json'
    ? (message) => message
    : format === 'export'
      ? (message, t) => `${new Date(t).toISOString()} ${message}`
      : (message, t) => `{"timestamp":${t},"message":${JSON.stringify(message)},"logStreamName":"flow"}`;

  let t = start;
  let emitted = 0;
  while (emitted < lines) {
    // Weighted pick of the client (binary search over the cumulative weights).
    const x = rnd.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    const [clientLine, serverLine] = makeConnection(rnd, clients[lo], t);
    yield wrap(clientLine, t);
    emitted++;
    if (serverLine !== null && emitted < lines) {
      t += 1 + Math.floor(rnd.next() * 60); // round trip to the server
      yield wrap(serverLine, t);
      emitted++;
    }
    t += 1 + Math.floor(-Math.log(1 - rnd.next()) * 18); // ~50 connections a second
  }
}

// ---------------------------------------------------------------------------------------------
// CLI

const USAGE = 'usage: node scripts/generate-flow.mjs --lines N --seed S [--format json|export|ndjson] [--gzip] --out FILE';

function parseArgs(argv) {
  const opts = { lines: undefined, seed: '1', format: 'json', gzip: false, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--lines': {
        const text = value();
        if (!/^\d+$/.test(text)) throw new Error(`--lines must be a non-negative integer, got ${text}`);
        opts.lines = Number(text);
        break;
      }
      case '--seed': opts.seed = value(); break;
      case '--format': opts.format = value(); break;
      case '--gzip': opts.gzip = true; break;
      case '--out': opts.out = value(); break;
      case '--help': case '-h': process.stderr.write(`${USAGE}\n`); process.exit(0); break;
      default: throw new Error(`unknown argument ${arg}`);
    }
  }
  if (opts.lines === undefined) throw new Error('--lines is required');
  if (opts.out === undefined) throw new Error('--out is required (use - for stdout)');
  if (!FORMATS.includes(opts.format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
  return opts;
}

function* chunks(lines, counter) {
  // About 1,000 lines per write: big enough to be cheap, small enough to keep memory flat.
  let batch = [];
  for (const line of lines) {
    batch.push(line);
    if (batch.length === 1024) {
      const buf = Buffer.from(`${batch.join('\n')}\n`);
      counter.bytes += buf.length;
      yield buf;
      batch = [];
    }
  }
  if (batch.length > 0) {
    const buf = Buffer.from(`${batch.join('\n')}\n`);
    counter.bytes += buf.length;
    yield buf;
  }
}

async function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`generate-flow: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  const started = process.hrtime.bigint();
  const counter = { bytes: 0 };
  // Readable.from pulls from the generator only as fast as the file (or gzip) accepts: backpressure.
  const source = Readable.from(chunks(generateFlowLines({ lines: opts.lines, seed: opts.seed, format: opts.format }), counter), { objectMode: false });
  const sink = opts.out === '-' ? process.stdout : createWriteStream(opts.out);
  if (opts.gzip) await pipeline(source, createGzip(), sink);
  else await pipeline(source, sink);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  const onDisk = opts.gzip && opts.out !== '-' && statSync(opts.out).isFile() ? `, ${mb(statSync(opts.out).size)} gzipped` : '';
  process.stderr.write(
    `generate-flow: ${opts.lines} lines (${opts.format}, seed ${opts.seed}) -> ${opts.out}: ${mb(counter.bytes)}${onDisk} in ` +
    `${seconds.toFixed(2)} s, ${Math.round(opts.lines / seconds)} lines/s\n`,
  );
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (invokedDirectly) {
  main(process.argv.slice(2)).catch((err) => {
    if (err.code === 'EPIPE') process.exit(0); // the reader stopped early (| head): not an error
    process.stderr.write(`generate-flow: ${err.message}\n`);
    process.exit(1);
  });
}
