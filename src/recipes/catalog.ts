/**
 * The named recipes: data, one entry per recipe. A recipe is a CloudWatch filter pattern or a
 * Logs Insights query with `<name>` placeholders; each placeholder is a declared parameter,
 * written into the text as a literal of the recipe's language (recipes-literals.ts) when filled.
 *
 * The first six are the discrimiNAT log reference's own (spec D2.6), unchanged apart from their
 * placeholders; the rest answer the next questions an operator asks of the flow stream.
 *
 * What a flow line says, which the recipes lean on (spec D2.3, D6.7, D6.8):
 * - A connection writes a client line and, when it passed and the server answered, a server
 *   line. On a server line `src` is the server and the client is `dst`; its outcome and reason
 *   are mostly copied from the client line. Recipes that count connections per client read
 *   client lines only, so each connection counts once and `src` is the client.
 * - A disallowed line's `reason` is a refusal text, never a gid: the only group a disallowed
 *   line names is `see_thru_gid` (when a see-thru applies). The matching gid is in `reason`
 *   on allowed lines only.
 */
import { REASONS } from '../discriminat/reasons.js';
import { insightsString } from './recipes-literals.js';

export type RecipeKind = 'filter' | 'query';

interface ParamBase {
  /** The name in `<name>` placeholders and in `--param name=value`. */
  readonly name: string;
  readonly description: string;
}

/** A string, written as a quoted literal of the recipe's language. */
export interface StringParam extends ParamBase {
  readonly type: 'string';
  /** Absent: the parameter is required. */
  readonly default?: string;
  /** A value to show in help for a required parameter. */
  readonly example?: string;
}

/** A whole number, checked and written in plain decimal. */
export interface IntegerParam extends ParamBase {
  readonly type: 'integer';
  readonly default?: number;
  readonly example?: number;
  readonly min?: number;
  readonly max?: number;
}

export type RecipeParam = StringParam | IntegerParam;

export interface Recipe {
  readonly name: string;
  readonly kind: RecipeKind;
  /** One line: what the recipe finds. */
  readonly description: string;
  /** The pattern or query, with a `<name>` placeholder where each parameter goes. */
  readonly template: string;
  readonly params: readonly RecipeParam[];
  /** Where the recipe comes from. */
  readonly origin: 'discrimiNAT log reference' | 'haystack';
}

/** A placeholder in a template: `<` name `>`; `<=` and `< 3` are not placeholders. */
export const PLACEHOLDER = /<([a-z][a-z0-9_]*)>/g;

/** Whether a parameter must be given (it has no default). */
export function isRequired(p: RecipeParam): boolean {
  return p.default === undefined;
}

const WILDCARD_NOTE = '; * at either end is a wildcard, as in CloudWatch';

const limitParam: IntegerParam = {
  name: 'limit',
  type: 'integer',
  description: 'how many rows to show',
  default: 50,
  min: 1,
  max: 100_000,
};

// Reason texts come from the one table of them (spec D6.9), written as Insights literals.
const NO_RULES = insightsString(REASONS.NO_RULES);
const CACHE = insightsString(REASONS.CACHE);

export const RECIPES: readonly Recipe[] = [
  // --- The log reference's filters (spec D2.6) ----------------------------------------------
  {
    name: 'disallowed',
    kind: 'filter',
    description: 'disallowed connections (client and server lines; an active see-thru may still have let them through)',
    template: '{ $.outcome = "disallowed" }',
    params: [],
    origin: 'discrimiNAT log reference',
  },
  {
    name: 'allowed-not-tls',
    kind: 'filter',
    description: 'allowed connections whose protocol is not TLS (SSH, plain-HTTP CRL fetches)',
    template: '{ $.outcome = "allowed" && $.proto != "tls" }',
    params: [],
    origin: 'discrimiNAT log reference',
  },
  {
    name: 'client-not-host',
    kind: 'filter',
    description: 'connections from one client to any destination host but one',
    template: '{ $.cat = "client" && $.src = <client> && $.dhost != <host> }',
    params: [
      { name: 'client', type: 'string', description: `the client's IP address (src of its client lines)${WILDCARD_NOTE}`, default: '172.16.1.9' },
      { name: 'host', type: 'string', description: `the destination host to leave out${WILDCARD_NOTE}`, default: 'api.github.com' },
    ],
    origin: 'discrimiNAT log reference',
  },
  {
    name: 'see-thru-expiring',
    kind: 'filter',
    description: 'lines of clients whose see-thru rule has `days` or fewer days left (negative: expired)',
    template: '{ $.see_thru_days_remaining <= <days> }',
    params: [{ name: 'days', type: 'integer', description: 'at most this many days left; 0 is the thru date itself', default: 2 }],
    origin: 'discrimiNAT log reference',
  },
  {
    name: 'see-thru-exerted',
    kind: 'filter',
    description: 'connections only a see-thru rule let through, except to hosts that are expected (telemetry)',
    template: '{ $.see_thru_exerted is true && $.dhost != <exclude> }',
    params: [{ name: 'exclude', type: 'string', description: `destination hosts to leave out${WILDCARD_NOTE}`, default: 'ec2-instance-connect.*' }],
    origin: 'discrimiNAT log reference',
  },
  {
    name: 'allowlist',
    kind: 'query',
    description: 'what a see-thru group had to let through: the protocol rules its clients still need',
    template: 'filter see_thru_exerted AND see_thru_gid = <gid>\n| stats count() by see_thru_exerted, see_thru_gid, dhost, proto, dpt',
    params: [{ name: 'gid', type: 'string', description: 'the Security Group ID holding the see-thru rule (or %default)', example: 'sg-0ccc3333' }],
    origin: 'discrimiNAT log reference',
  },

  // --- The next questions ---------------------------------------------------------------------
  {
    name: 'top-disallowed-by-client',
    kind: 'query',
    description: 'the destinations most often disallowed, per client (client lines: one per connection)',
    template:
      'filter cat = "client" and outcome = "disallowed"\n' +
      '| stats count(*) as connections by src, dhost, proto, dpt\n' +
      '| sort connections desc\n' +
      '| limit <limit>',
    params: [limitParam],
    origin: 'haystack',
  },
  {
    // A disallowed line names no matching gid (its reason is the refusal), so the group is the
    // see-thru's: what each see-thru group's clients reach that no protocol rule allows.
    name: 'top-disallowed-by-group',
    kind: 'query',
    description: 'the destinations most often disallowed, per see-thru group (the only group a disallowed line names)',
    template:
      'filter cat = "client" and outcome = "disallowed" and ispresent(see_thru_gid)\n' +
      '| stats count(*) as connections by see_thru_gid, dhost, proto, dpt\n' +
      '| sort connections desc\n' +
      '| limit <limit>',
    params: [limitParam],
    origin: 'haystack',
  },
  {
    name: 'no-rules-clients',
    kind: 'query',
    description: `clients with no protocol rules at all, or unknown to the firewall (reason "${REASONS.NO_RULES}")`,
    template:
      `filter cat = "client" and reason = ${NO_RULES}\n` +
      '| stats count(*) as connections, count_distinct(dhost) as destinations by src\n' +
      '| sort connections desc',
    params: [],
    origin: 'haystack',
  },
  {
    // Both sides: a client line's proto_v is what the client offered, a server line's what the
    // server chose (spec D6.8). The client is src on client lines and dst on server lines.
    name: 'old-tls',
    kind: 'query',
    description: 'TLS 1.0 and 1.1, per client, host and side (cat client: the client offered it; server: the server chose it)',
    template:
      'filter proto = "tls" and proto_v in ["1.0", "1.1"]\n' +
      '| stats count(*) as lines by if(cat = "client", src, dst) as client, dhost, cat, proto_v\n' +
      '| sort lines desc',
    params: [],
    origin: 'haystack',
  },
  {
    name: 'unknown-protocols',
    kind: 'query',
    description: 'connections in a protocol the firewall could not identify (not TLS, SSH or HTTP), per client and destination',
    template:
      'filter cat = "client" and proto = "unknown"\n' +
      '| stats count(*) as connections by src, dst, dpt\n' +
      '| sort connections desc',
    params: [],
    origin: 'haystack',
  },
  {
    name: 'ip-only-hosts',
    kind: 'query',
    description: 'destinations known only by IP address (TLS without SNI, SSH not mapped to a name, HTTP without Host, unknown protocols)',
    template:
      'filter cat = "client" and isValidIpV4(dhost)\n' +
      '| stats count(*) as connections, count_distinct(src) as clients by dhost, proto, dpt\n' +
      '| sort connections desc',
    params: [],
    origin: 'haystack',
  },
  {
    name: 'cache-not-ready',
    kind: 'query',
    description: `connections refused because a newly allowlisted name was not resolved yet (reason "${REASONS.CACHE}")`,
    template:
      `filter cat = "client" and reason = ${CACHE}\n` +
      '| stats count(*) as refusals, min(@timestamp) as first, max(@timestamp) as last by src, dhost, proto, dpt\n' +
      '| sort refusals desc',
    params: [],
    origin: 'haystack',
  },
];
