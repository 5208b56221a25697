/**
 * The allowlist as plain JSON for scripts: snake_case keys, times as ISO-8601 strings (null when
 * the input carried none), every list in the report's order.
 */
import { formatIso } from '../sources/time.js';
import { type Allowlist, type HostStats, type ObservedHost, recipeQuery } from './allowlist.js';
import type { EmitOptions } from './emit-terraform.js';

export function allowlistJson(a: Allowlist, options: EmitOptions = {}): unknown {
  return {
    gid: a.gid,
    target_gid: options.targetGid ?? null,
    exposure: a.exposure,
    wildcards: a.wildcards,
    min_fold: a.minFold,
    totals: stats(a.totals),
    unusable_lines: a.unusableLines,
    rules: a.rules.map((r) => ({
      protocol: r.protocol,
      ip_protocol: 'tcp',
      port: r.port,
      index: r.index,
      of: r.of,
      cidr: r.cidr,
      description: r.description,
      entries: r.entries.map((e) => ({ addr: e.addr, fold: e.fold, hosts: e.hosts.map(host) })),
    })),
    folds: a.folds.map((f) => ({ protocol: f.protocol, port: f.port, addr: f.addr, hosts: f.hosts })),
    refused_folds: a.refusedFolds.map((f) => ({ protocol: f.protocol, port: f.port, addr: f.addr, hosts: f.hosts, refusal: f.refusal, code: f.code, detail: f.detail })),
    excluded: a.excluded.map((e) => ({ ...observed(e), pattern: e.pattern })),
    exclude_patterns: a.excludePatterns.map((p) => ({ pattern: p.pattern, hosts: p.hosts })),
    left_out: a.leftOut.map((l) => ({ ...observed(l), reason: l.reason, detail: l.detail })),
    check_query: recipeQuery(a.gid),
  };
}

export function emitJson(a: Allowlist, options: EmitOptions = {}): string {
  return `${JSON.stringify(allowlistJson(a, options), null, 2)}\n`;
}

function stats(s: HostStats): Record<string, unknown> {
  return {
    connections: s.connections,
    clients: s.clients,
    first_seen: s.firstSeen === null ? null : formatIso(s.firstSeen),
    last_seen: s.lastSeen === null ? null : formatIso(s.lastSeen),
  };
}

/** A host inside a rule entry: protocol and port are the rule's. */
function host(h: ObservedHost): Record<string, unknown> {
  return { host: h.host, ...stats(h) };
}

function observed(h: ObservedHost): Record<string, unknown> {
  return { protocol: h.protocol, port: h.port, host: h.host, ...stats(h) };
}
