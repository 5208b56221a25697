/**
 * Recipe step 5's "attach them" (and step 7's "remove the see-thru rule"), done to an estate
 * file: the allowlist's rules (allowlist.ts) written into haystack's native estate file (spec
 * D5.1a), so that `replay` can judge past traffic against the result and `generate --estate`
 * can run the application's lifecycle again on it.
 *
 * Where the rules go. By default into a NEW group attached to every interface the see-thru
 * group is attached to, because the vendor's recipe creates the see-thru group as a temporary
 * tool ("Create a new Security Group, with a see-thru rule in it") and then has the protocol
 * rules "attached" to the application: the allowlist then outlives the see-thru group, which
 * step 7 can detach or delete whole. `into` puts them in an existing group instead: the see-thru
 * group itself (fewest changes: no new group, no attachments; removing only its see-thru rule
 * then finishes step 7) or the application's own egress group.
 *
 * A group AWS creates starts with an allow-all egress rule; the new group here holds only the
 * allowlist's rules, which open the ports they name (spec D6.2) and carry the annotations.
 *
 * The edit is made to every place the file lists groups and interfaces: its base and each of
 * its `views` (spec D5.3). The result is the estate as if the rules had always been there: the
 * proposed estate `replay` decides the past against, and the present any later traffic meets.
 * JSON comes back formatted as `haystack generate` writes it; YAML keeps its comments.
 */
import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { parseAnnotation } from '../discriminat/annotations.js';
import { estateFromTexts, type EstateDiagnostic } from '../discriminat/estate.js';
import { formatJson } from '../discriminat/generator-scenario.js';
import { DEFAULT_GID } from '../discriminat/reasons.js';
import { GID_SYNTAX } from '../discriminat/schema.js';
import { cidrForRule, type AllowRule } from './allowlist.js';

/** What apply needs of a rule: `AllowRule` has it. */
export type ApplyRule = Pick<AllowRule, 'protocol' | 'port' | 'cidr' | 'description'>;

export interface ApplyOptions {
  /** Put the rules into this existing group instead of a new one. Required for `%default`. */
  readonly into?: string;
  /** The new group's id; default `sg-0` and 16 hex digits derived from the see-thru gid. */
  readonly newGid?: string;
  /** The new group's name; default the see-thru group's name with `-allowlist` for `-see-thru`. */
  readonly newName?: string;
  /** Also remove the see-thru rules of the see-thru group (`%default`: the preference). Step 7. */
  readonly removeSeeThru?: boolean;
}

export interface AppliedRule extends ApplyRule {
  /** `present`: the group already held this description on this port; nothing was added. */
  readonly status: 'added' | 'present';
}

export interface ApplyResult {
  /** The new file text. */
  readonly text: string;
  readonly format: 'json' | 'yaml';
  /** The group the rules are in. Null when there were no rules to put anywhere. */
  readonly target: { readonly gid: string; readonly name: string | null; readonly created: boolean } | null;
  /**
   * The rules as written in the file's latest place: a CIDR differs from the allowlist's where
   * the group already held a rule on that port and CIDR (AWS refuses a second one, spec D4.5).
   */
  readonly rules: readonly AppliedRule[];
  /** Interfaces the new group was attached to, each once. */
  readonly attached: readonly string[];
  /** See-thru rules removed (each place counted), or `%default` preferences cleared. */
  readonly removedSeeThru: number;
  /** Places (the base, each view) that list groups and were changed. */
  readonly places: number;
  /** Estate diagnostics of the result that the file did not have before. */
  readonly newDiagnostics: readonly EstateDiagnostic[];
  /** Things AWS would mind: too many groups on an interface, too many rules in a group. */
  readonly warnings: readonly string[];
}

/** Why the file cannot be changed as asked (the CLI prints the message and exits 2). */
export class ApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApplyError';
  }
}

/** AWS's default quotas: security groups per network interface, rules per direction of a group. */
export const AWS_GROUPS_PER_INTERFACE = 5;
export const AWS_RULES_PER_GROUP = 60;

/** Where a file lists groups, interfaces and preferences: its base, then each view. */
interface Place {
  readonly label: string;
  readonly groups: YAMLSeq | null;
  readonly interfaces: YAMLSeq | null;
  readonly preferences: YAMLMap | null;
}

/**
 * Writes the allowlist's rules into the native estate file `text` (named `file` in messages and
 * diagnostics). Throws ApplyError when the file is not a native estate file, cannot be read, or
 * lacks the groups named.
 */
export function applyAllowlist(
  file: string,
  text: string,
  allowlist: { readonly gid: string; readonly rules: readonly ApplyRule[] },
  options: ApplyOptions = {},
): ApplyResult {
  const seeThruGid = allowlist.gid;
  const isDefault = seeThruGid === DEFAULT_GID;
  if (!isDefault && !GID_SYNTAX.test(seeThruGid)) throw new ApplyError(`\`${seeThruGid}\` is not a security group id nor %default`);
  for (const [what, gid] of [['into', options.into], ['new group id', options.newGid]] as const) {
    if (gid !== undefined && !GID_SYNTAX.test(gid)) throw new ApplyError(`${what}: \`${gid}\` is not a security group id`);
  }
  if (isDefault && options.into === undefined && allowlist.rules.length > 0) {
    throw new ApplyError('the %default see-thru applies to every client: name the group the rules go in (into)');
  }

  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw new ApplyError(`${file} is not valid JSON or YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const root = doc.contents;
  if (!isMap(root)) throw new ApplyError(`${file} does not hold an estate object`);
  if (root.has('SecurityGroups') || root.has('NetworkInterfaces')) {
    throw new ApplyError(
      `${file} is aws ec2 describe-* output; apply changes haystack's native estate file. For AWS itself: haystack allowlist --output aws-cli, then aws ec2 authorize-security-group-egress`,
    );
  }
  const json = /^\s*[{[]/.test(text) && isJson(text);
  const places = placesOf(root);

  const gidOf = (n: unknown): string | undefined => (isMap(n) ? scalarString(n.get('gid', true)) : undefined);
  const groupsWith = (gid: string): { place: Place; node: YAMLMap }[] =>
    places.flatMap((place) => (place.groups?.items ?? []).filter((n): n is YAMLMap => gidOf(n) === gid).map((node) => ({ place, node })));
  const allGids = new Set(places.flatMap((p) => (p.groups?.items ?? []).map(gidOf).filter((g): g is string => g !== undefined)));

  const seeThruGroups = isDefault ? [] : groupsWith(seeThruGid);
  if (!isDefault && seeThruGroups.length === 0) throw new ApplyError(`the see-thru group ${seeThruGid} is not in ${file}`);

  const warnings: string[] = [];
  const changed = new Set<Place>();
  let target: ApplyResult['target'] = null;
  let rules: AppliedRule[] = [];
  const attached: string[] = [];

  if (allowlist.rules.length > 0) {
    if (options.into !== undefined) {
      const into = groupsWith(options.into);
      if (into.length === 0) throw new ApplyError(`the group ${options.into} (into) is not in ${file}`);
      const done = new Set<YAMLMap>();
      for (const { place, node } of into) {
        if (done.has(node)) continue; // one node listed twice through a YAML alias
        done.add(node);
        rules = addRules(doc, node, allowlist.rules);
        if (rules.some((r) => r.status === 'added')) changed.add(place);
        const count = egressOf(doc, node).items.length;
        if (count > AWS_RULES_PER_GROUP) warnings.push(`${place.label}: group ${options.into} has ${count} egress rules; AWS allows ${AWS_RULES_PER_GROUP} by default`);
      }
      target = { gid: options.into, name: scalarString(into[into.length - 1]!.node.get('name', true)) ?? null, created: false };
    } else {
      const gid = options.newGid ?? derivedGid(seeThruGid, allGids);
      if (allGids.has(gid)) throw new ApplyError(`the new group id ${gid} is already in ${file}`);
      const seeThruName = scalarString(seeThruGroups[seeThruGroups.length - 1]!.node.get('name', true));
      const name = options.newName ?? (seeThruName !== undefined ? `${seeThruName.replace(/-?see-?thru$/i, '') || seeThruName}-allowlist` : `${seeThruGid}-allowlist`);
      const done = new Set<YAMLSeq>();
      for (const { place } of seeThruGroups) {
        if (place.groups === null || done.has(place.groups)) continue;
        done.add(place.groups);
        const node = doc.createNode({ gid, name, egress: [] }) as YAMLMap;
        rules = addRules(doc, node, allowlist.rules);
        place.groups.add(node);
        changed.add(place);
      }
      const seen = new Set<YAMLMap>();
      for (const place of places) {
        for (const ni of place.interfaces?.items ?? []) {
          if (!isMap(ni) || seen.has(ni)) continue;
          seen.add(ni);
          const groups = ni.get('groups', true);
          if (!isSeq(groups)) continue;
          const gids = groups.items.map(scalarString);
          if (!gids.includes(seeThruGid) || gids.includes(gid)) continue;
          groups.add(doc.createNode(gid));
          changed.add(place);
          const eni = scalarString(ni.get('eni', true)) ?? '(an interface without eni)';
          if (!attached.includes(eni)) attached.push(eni);
          if (gids.length + 1 > AWS_GROUPS_PER_INTERFACE) {
            warnings.push(`${place.label}: interface ${eni} now has ${gids.length + 1} groups; AWS allows ${AWS_GROUPS_PER_INTERFACE} by default (a quota that can be raised to 16)`);
          }
        }
      }
      target = { gid, name, created: true };
    }
  }

  let removedSeeThru = 0;
  if (options.removeSeeThru === true) {
    if (isDefault) {
      for (const place of places) {
        const d = place.preferences?.get('%default', true);
        if (isMap(d) && d.get('see_thru') !== null && d.get('see_thru') !== undefined) {
          d.set('see_thru', null);
          removedSeeThru++;
          changed.add(place);
        }
      }
    } else {
      const done = new Set<YAMLMap>();
      for (const { place, node } of seeThruGroups) {
        if (done.has(node)) continue;
        done.add(node);
        const egress = egressOf(doc, node);
        const before = egress.items.length;
        egress.items = egress.items.filter((r) => !isSeeThruRule(r));
        if (egress.items.length < before) {
          removedSeeThru += before - egress.items.length;
          changed.add(place);
        }
      }
    }
  }

  const out = json ? `${formatJson(doc.toJS())}\n` : doc.toString();
  return {
    text: out,
    format: json ? 'json' : 'yaml',
    target,
    rules,
    attached,
    removedSeeThru,
    places: changed.size,
    newDiagnostics: newDiagnostics(file, text, out),
    warnings,
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function scalarString(n: unknown): string | undefined {
  if (isScalar(n)) return typeof n.value === 'string' ? n.value : undefined;
  return typeof n === 'string' ? n : undefined;
}

function placesOf(root: YAMLMap): Place[] {
  const seqAt = (m: YAMLMap, key: string): YAMLSeq | null => {
    const v = m.get(key, true);
    return isSeq(v) ? v : null;
  };
  const mapAt = (m: YAMLMap, key: string): YAMLMap | null => {
    const v = m.get(key, true);
    return isMap(v) ? v : null;
  };
  const places: Place[] = [{ label: 'base', groups: seqAt(root, 'groups'), interfaces: seqAt(root, 'interfaces'), preferences: mapAt(root, 'preferences') }];
  const views = seqAt(root, 'views');
  views?.items.forEach((v, i) => {
    if (!isMap(v)) return;
    const at = v.get('at');
    places.push({ label: `view ${i + 1}${typeof at === 'string' ? ` (${at})` : ''}`, groups: seqAt(v, 'groups'), interfaces: seqAt(v, 'interfaces'), preferences: mapAt(v, 'preferences') });
  });
  return places;
}

function egressOf(doc: Document, group: YAMLMap): YAMLSeq {
  const e = group.get('egress', true);
  if (isSeq(e)) return e;
  const seq = doc.createNode([]) as YAMLSeq;
  group.set('egress', seq);
  return seq;
}

function isSeeThruRule(rule: unknown): boolean {
  if (!isMap(rule)) return false;
  const d = scalarString(rule.get('description', true));
  return d !== undefined && parseAnnotation(d, { checkAwsLimits: false }).annotation.kind === 'see-thru';
}

const isTcp = (p: unknown): boolean => p === 'tcp' || p === '6' || p === 6;

/**
 * Appends the rules to a group's egress. A description the group already holds on the port is
 * left as it is; a CIDR the group already uses on the port moves to the next free one in the
 * allowlist's own sequence (0.0.0.0/0, 0.0.0.0/1, 128.0.0.0/1, ...; spec D4.5).
 */
function addRules(doc: Document, group: YAMLMap, rules: readonly ApplyRule[]): AppliedRule[] {
  const egress = egressOf(doc, group);
  const taken = new Set<string>();
  const held = new Set<string>();
  for (const r of egress.items) {
    if (!isMap(r) || !isTcp(scalarValue(r.get('ipProtocol', true)))) continue;
    const from = scalarValue(r.get('fromPort', true));
    const to = scalarValue(r.get('toPort', true));
    const cidr = scalarString(r.get('cidr', true));
    if (cidr !== undefined) taken.add(`${from}-${to} ${cidr}`);
    const d = scalarString(r.get('description', true));
    if (d !== undefined && from === to) held.add(`${from} ${d}`);
  }
  const out: AppliedRule[] = [];
  for (const rule of rules) {
    if (held.has(`${rule.port} ${rule.description}`)) {
      out.push({ ...rule, status: 'present' });
      continue;
    }
    let cidr = rule.cidr;
    for (let n = 0; taken.has(`${rule.port}-${rule.port} ${cidr}`); n++) cidr = cidrForRule(n);
    taken.add(`${rule.port}-${rule.port} ${cidr}`);
    held.add(`${rule.port} ${rule.description}`);
    egress.add(doc.createNode({ ipProtocol: 'tcp', fromPort: rule.port, toPort: rule.port, cidr, description: rule.description }));
    out.push({ protocol: rule.protocol, port: rule.port, cidr, description: rule.description, status: 'added' });
  }
  return out;
}

function scalarValue(n: unknown): unknown {
  return isScalar(n) ? n.value : n;
}

/** `sg-0` and 16 hex digits from the see-thru gid: the same input gives the same id. */
function derivedGid(seeThruGid: string, taken: ReadonlySet<string>): string {
  for (let i = 0; ; i++) {
    const gid = `sg-0${createHash('sha256').update(`haystack allowlist for ${seeThruGid}${i === 0 ? '' : ` ${i}`}`).digest('hex').slice(0, 16)}`;
    if (!taken.has(gid)) return gid;
  }
}

/** Diagnostics of `after` not among those of `before` (compared without their paths, which move). */
function newDiagnostics(file: string, before: string, after: string): EstateDiagnostic[] {
  const key = (d: EstateDiagnostic): string => `${d.code}\u0000${d.severity}\u0000${d.message}\u0000${d.sourceKind === 'file' ? '' : d.source}`;
  const old = new Map<string, number>();
  for (const d of estateFromTexts([{ file, text: before }]).diagnostics) old.set(key(d), (old.get(key(d)) ?? 0) + 1);
  const out: EstateDiagnostic[] = [];
  for (const d of estateFromTexts([{ file, text: after }]).diagnostics) {
    const n = old.get(key(d)) ?? 0;
    if (n > 0) old.set(key(d), n - 1);
    else out.push(d);
  }
  return out;
}
