/**
 * What the generated estate is made of: the Internet destinations applications talk to (with
 * real-looking, stable addresses), and the kinds of application with what they allowlist, what
 * they really connect to, and when they are busy. Data only; generator-scenario.ts assembles it.
 *
 * Host names may hold placeholders filled per scenario: `{r}` region, `{acct}` AWS account id,
 * `{org}` the organisation's short name, `{sentry}` its Sentry org id, `{xfer}` a Transfer
 * Family server id, `{cdn}` a CloudFront distribution id.
 */
import { hash32 } from './generator-random.js';

/** Address ranges a provider really serves from (first two or three octets). */
export const PROVIDERS = {
  aws: ['52.94', '54.240', '3.5', '52.218', '35.71', '52.119', '18.246', '52.46'],
  github: ['140.82.112', '140.82.113', '140.82.114', '140.82.121'],
  githubusercontent: ['185.199.108', '185.199.109', '185.199.110', '185.199.111'],
  fastly: ['151.101.0', '151.101.64', '151.101.128', '151.101.192'],
  cloudflare: ['104.16', '104.17', '172.64', '162.159'],
  google: ['142.250', '172.217', '216.58'],
  microsoft: ['20.190', '40.126', '20.231'],
  datadog: ['3.233', '34.107', '35.186'],
  sentry: ['34.120.195', '35.186.247'],
  stripe: ['54.187', '52.35', '54.241'],
  slack: ['3.104', '44.237', '54.148'],
  edgecast: ['192.229.211', '192.229.221'],
  ubuntu: ['91.189.91', '185.125.190'],
  atlassian: ['104.192.141', '185.166.143'],
  gitlab: ['172.65.251'],
  openai: ['104.18', '172.66'],
  twilio: ['54.172', '3.211'],
  misc: ['18.160', '34.117', '52.85', '13.107'],
  /** Documentation ranges for the fictional partner bank. */
  partner: ['203.0.113', '198.51.100'],
} as const satisfies Record<string, readonly string[]>;

export type Provider = keyof typeof PROVIDERS;

/** Destinations known by IP only (unknown protocols, clients that dial an address). */
export const IP_ONLY_PREFIXES = ['198.51.100', '203.0.113', '45.33.32', '159.89.14', '91.198.174', '192.0.2'];

export interface HostSpec {
  readonly name: string;
  readonly provider: Provider;
  /** The server selects a post-quantum hybrid group when the client offers one (spec D2.4). */
  readonly pqc?: boolean;
  /** The highest TLS version the server speaks (default 1.3). */
  readonly maxTls?: '1.1' | '1.2' | '1.3';
}

const h = (name: string, provider: Provider, extra: Omit<HostSpec, 'name' | 'provider'> = {}): HostSpec => ({ name, provider, ...extra });

/** Every TLS destination, allowlisted by someone or not. */
export const TLS_HOSTS: readonly HostSpec[] = [
  // AWS regional endpoints
  h('ec2.{r}.amazonaws.com', 'aws'),
  h('ssm.{r}.amazonaws.com', 'aws'),
  h('ssmmessages.{r}.amazonaws.com', 'aws'),
  h('ec2messages.{r}.amazonaws.com', 'aws'),
  h('ec2-instance-connect.{r}.amazonaws.com', 'aws'),
  h('logs.{r}.amazonaws.com', 'aws'),
  h('monitoring.{r}.amazonaws.com', 'aws'),
  h('sts.{r}.amazonaws.com', 'aws'),
  h('s3.{r}.amazonaws.com', 'aws'),
  h('kms.{r}.amazonaws.com', 'aws', { pqc: true }),
  h('secretsmanager.{r}.amazonaws.com', 'aws', { pqc: true }),
  h('sqs.{r}.amazonaws.com', 'aws'),
  h('sns.{r}.amazonaws.com', 'aws'),
  h('dynamodb.{r}.amazonaws.com', 'aws'),
  h('glue.{r}.amazonaws.com', 'aws'),
  h('athena.{r}.amazonaws.com', 'aws'),
  h('api.ecr.{r}.amazonaws.com', 'aws'),
  h('{acct}.dkr.ecr.{r}.amazonaws.com', 'aws'),
  h('prod-{r}-starport-layer-bucket.s3.{r}.amazonaws.com', 'aws'),
  h('{org}-assets.s3.{r}.amazonaws.com', 'aws'),
  h('{org}-reports.s3.{r}.amazonaws.com', 'aws'),
  h('{org}-datalake.s3.{r}.amazonaws.com', 'aws'),
  h('{cdn}.cloudfront.net', 'aws'),
  // Source hosting and package registries
  h('api.github.com', 'github'),
  h('github.com', 'github'),
  h('codeload.github.com', 'github'),
  h('uploads.github.com', 'github'),
  h('objects.githubusercontent.com', 'githubusercontent'),
  h('raw.githubusercontent.com', 'githubusercontent'),
  h('pypi.org', 'fastly', { pqc: true }),
  h('files.pythonhosted.org', 'fastly', { pqc: true }),
  h('registry.npmjs.org', 'cloudflare', { pqc: true }),
  h('registry-1.docker.io', 'aws'),
  h('auth.docker.io', 'aws'),
  h('production.cloudflare.docker.com', 'cloudflare', { pqc: true }),
  h('proxy.golang.org', 'google', { pqc: true }),
  h('sum.golang.org', 'google', { pqc: true }),
  h('dl-cdn.alpinelinux.org', 'fastly', { pqc: true }),
  h('repo.maven.apache.org', 'fastly', { pqc: true }),
  // SaaS APIs
  h('api.stripe.com', 'stripe'),
  h('hooks.slack.com', 'slack'),
  h('api.twilio.com', 'twilio'),
  h('api.sendgrid.com', 'twilio'),
  h('api.openai.com', 'openai', { pqc: true }),
  h('api.pagerduty.com', 'misc'),
  h('events.pagerduty.com', 'misc'),
  h('oauth2.googleapis.com', 'google', { pqc: true }),
  h('login.microsoftonline.com', 'microsoft'),
  h('edi.bank1.com', 'partner', { maxTls: '1.1' }),
  // Telemetry
  h('api.datadoghq.com', 'datadog'),
  h('http-intake.logs.datadoghq.com', 'datadog'),
  h('trace.agent.datadoghq.com', 'datadog'),
  h('process.datadoghq.com', 'datadog'),
  h('o{sentry}.ingest.sentry.io', 'sentry'),
  h('api.segment.io', 'aws'),
  h('api.mixpanel.com', 'google', { pqc: true }),
  h('checkpoint-api.hashicorp.com', 'fastly', { pqc: true }),
  h('dc.services.visualstudio.com', 'microsoft'),
  // Strays nobody should need
  h('api.ipify.org', 'misc'),
  h('ifconfig.me', 'google', { pqc: true }),
  h('pastebin.com', 'cloudflare', { pqc: true }),
];

/** SSH destinations (no SNI: the firewall maps the address back through its DNS cache). */
export const SSH_HOSTS: readonly HostSpec[] = [
  h('github.com', 'github'),
  h('gitlab.com', 'gitlab'),
  h('bitbucket.org', 'atlassian'),
  h('sftp.bank1.com', 'partner'),
  h('s-{xfer}.server.transfer.{r}.amazonaws.com', 'aws'),
];

/** Plain-HTTP fetches (spec D6.10): CRLs (a GET of a .crl path), and things that are not. */
export const CRL_FETCHES: readonly { readonly host: string; readonly provider: Provider; readonly paths: readonly string[] }[] = [
  { host: 'crl3.digicert.com', provider: 'edgecast', paths: ['/DigiCertGlobalRootG2.crl', '/DigiCertGlobalG2TLSRSASHA2562020CA1-1.crl'] },
  { host: 'crl4.digicert.com', provider: 'edgecast', paths: ['/DigiCertGlobalRootCA.crl', '/DigiCertTLSRSASHA2562020CA1-4.crl'] },
  { host: 'c.pki.goog', provider: 'google', paths: ['/r/gsr1.crl', '/we2/yK5nPhtHKQs.crl'] },
  { host: 'crl.r2m01.amazontrust.com', provider: 'aws', paths: ['/r2m01.crl'] },
  { host: 'crl.rootca1.amazontrust.com', provider: 'aws', paths: ['/rootca1.crl'] },
];
export const OTHER_HTTP: readonly { readonly host: string; readonly provider: Provider; readonly method: string; readonly path: string; readonly agents: readonly string[] }[] = [
  { host: 'archive.ubuntu.com', provider: 'ubuntu', method: 'GET', path: '/ubuntu/dists/noble/InRelease', agents: ['Debian APT-HTTP/1.3 (2.7.14)'] },
  { host: 'security.ubuntu.com', provider: 'ubuntu', method: 'GET', path: '/ubuntu/dists/noble-security/InRelease', agents: ['Debian APT-HTTP/1.3 (2.7.14)'] },
  { host: 'ocsp.digicert.com', provider: 'edgecast', method: 'POST', path: '/', agents: ['Go-http-client/1.1', 'Java/17.0.10'] },
];
export const CRL_AGENTS = ['curl/8.5.0', 'Go-http-client/1.1', 'Java/17.0.10', 'python-requests/2.31.0', 'Microsoft-CryptoAPI/10.0'];

export const REGIONS = ['us-west-2', 'eu-west-2', 'eu-central-1', 'us-east-1', 'ap-southeast-2'];
export const ORGS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'vandelay', 'stark', 'wayne'];

/**
 * A stable set of addresses for a name, inside its provider's ranges: derived from the name
 * alone (not the seed), so a host keeps its addresses across seeds and runs.
 */
export function hostIps(name: string, provider: Provider, count = 3): string[] {
  const prefixes = PROVIDERS[provider];
  let x = hash32(name);
  const step = (): number => (x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0);
  const ips: string[] = [];
  for (let i = 0; ips.length < count && i < count * 4; i++) {
    const parts = prefixes[step() % prefixes.length]!.split('.');
    while (parts.length < 3) parts.push(String(step() % 256));
    parts.push(String(1 + (step() % 253)));
    const ip = parts.join('.');
    if (!ips.includes(ip)) ips.push(ip);
  }
  return ips;
}

// ---------------------------------------------------------------------------------------------
// Kinds of application

export type AppKind = 'ci-runner' | 'web' | 'api' | 'worker' | 'batch' | 'monitoring' | 'bastion' | 'lambda' | 'cron' | 'new-service';

/** When an application is busy, by UTC hour (24 values), weekdays and weekends. */
export interface Rhythm {
  readonly weekday: readonly number[];
  readonly weekend: readonly number[];
}

const hours = (f: (hour: number) => number): number[] => Array.from({ length: 24 }, (_, i) => f(i));
export const RHYTHMS = {
  /** People at work: 08-18 UTC. */
  office: { weekday: hours((x) => (x >= 8 && x < 18 ? 1 : x === 7 || (x >= 18 && x < 20) ? 0.5 : 0.12)), weekend: hours((x) => (x >= 9 && x < 18 ? 0.3 : 0.06)) },
  /** Customers: the day long, quieter at night. */
  customer: { weekday: hours((x) => (x >= 7 && x < 22 ? 1 : 0.35)), weekend: hours((x) => (x >= 8 && x < 22 ? 0.8 : 0.3)) },
  /** CI: pushes in working hours, a nightly build at 02:00. */
  ci: { weekday: hours((x) => (x >= 8 && x < 19 ? 1 : x === 2 ? 0.6 : x >= 6 && x < 22 ? 0.35 : 0.05)), weekend: hours((x) => (x === 2 ? 0.6 : 0.08)) },
  /** Batch: the night run. */
  night: { weekday: hours((x) => (x >= 1 && x < 5 ? 1 : 0.08)), weekend: hours((x) => (x >= 1 && x < 5 ? 1 : 0.08)) },
  /** Agents: flat. */
  flat: { weekday: hours(() => 0.6), weekend: hours(() => 0.6) },
} as const satisfies Record<string, Rhythm>;

/** A destination an application connects to, and how often relative to its others. */
export interface Need {
  readonly host: string;
  readonly weight: number;
}

export interface KindSpec {
  readonly kind: AppKind;
  readonly names: readonly string[];
  /** Instances (one interface each, sometimes two). */
  readonly instances: readonly [number, number];
  /** Chance that an interface carries secondary private IPs (containers, pods). */
  readonly secondaryIps: number;
  /** Chance that an instance has a second interface. */
  readonly secondEni: number;
  /** Attached to the shared `base` group (SSM, logs, CRL fetches over port 80). */
  readonly base: boolean;
  /** Runs the Datadog agent, and is attached to the shared agent group. */
  readonly agent: boolean;
  /** The application's own TLS allowlist (may hold wildcards). */
  readonly tls: readonly string[];
  /** The application's own SSH allowlist. */
  readonly ssh: readonly string[];
  /** What it connects to over TLS: allowlisted or not, the decision says. */
  readonly needs: readonly Need[];
  readonly sshNeeds: readonly Need[];
  /** Share of its connections that are SSH. */
  readonly sshShare: number;
  readonly rhythm: keyof typeof RHYTHMS;
  /** Connections per client relative to other kinds. */
  readonly activity: number;
}

const n = (host: string, weight: number): Need => ({ host, weight });

/** Base-group traffic of every EC2 instance (SSM agent, CloudWatch agent). */
export const BASE_TLS = ['ssm.{r}.amazonaws.com', 'ssmmessages.{r}.amazonaws.com', 'ec2messages.{r}.amazonaws.com', 'logs.{r}.amazonaws.com', 'monitoring.{r}.amazonaws.com', 'sts.{r}.amazonaws.com'];
export const BASE_NEEDS: readonly Need[] = [
  n('ssm.{r}.amazonaws.com', 1.5), n('ssmmessages.{r}.amazonaws.com', 1.5), n('ec2messages.{r}.amazonaws.com', 1),
  n('logs.{r}.amazonaws.com', 1.2), n('monitoring.{r}.amazonaws.com', 0.5), n('sts.{r}.amazonaws.com', 0.4),
  // The EC2 Instance Connect agent phones home: telemetry nobody allowlists (the vendor's filter).
  n('ec2-instance-connect.{r}.amazonaws.com', 0.15),
];
/** The Datadog agent's group: two folds; trace.agent.datadoghq.com is one label too deep for either. */
export const AGENT_TLS = ['*.datadoghq.com', '*.logs.datadoghq.com'];
export const AGENT_NEEDS: readonly Need[] = [
  n('api.datadoghq.com', 0.8), n('http-intake.logs.datadoghq.com', 1), n('process.datadoghq.com', 0.4), n('trace.agent.datadoghq.com', 0.3),
];

export const KINDS: Readonly<Record<AppKind, KindSpec>> = {
  'ci-runner': {
    kind: 'ci-runner', names: ['ci-runners', 'build-farm', 'release-runners', 'ci-runners-arm'],
    instances: [3, 6], secondaryIps: 0.3, secondEni: 0, base: true, agent: false,
    tls: ['api.github.com', 'github.com', '*.github.com', 'objects.githubusercontent.com', 'pypi.org', 'files.pythonhosted.org', 'registry.npmjs.org',
      'registry-1.docker.io', 'auth.docker.io', 'production.cloudflare.docker.com', 'proxy.golang.org', 'sum.golang.org', 'api.ecr.{r}.amazonaws.com',
      '*.dkr.ecr.{r}.amazonaws.com', 'prod-{r}-starport-layer-bucket.s3.{r}.amazonaws.com'],
    ssh: ['github.com'],
    needs: [n('api.github.com', 4), n('github.com', 3), n('codeload.github.com', 2), n('uploads.github.com', 0.3), n('objects.githubusercontent.com', 2),
      n('raw.githubusercontent.com', 0.6), n('pypi.org', 2), n('files.pythonhosted.org', 2), n('registry.npmjs.org', 3), n('registry-1.docker.io', 1),
      n('auth.docker.io', 1), n('production.cloudflare.docker.com', 1), n('proxy.golang.org', 1), n('sum.golang.org', 0.5), n('api.ecr.{r}.amazonaws.com', 0.6),
      n('{acct}.dkr.ecr.{r}.amazonaws.com', 1), n('prod-{r}-starport-layer-bucket.s3.{r}.amazonaws.com', 0.6), n('checkpoint-api.hashicorp.com', 0.3),
      n('dl-cdn.alpinelinux.org', 0.3), n('repo.maven.apache.org', 0.2)],
    sshNeeds: [n('github.com', 1)], sshShare: 0.05, rhythm: 'ci', activity: 2,
  },
  web: {
    kind: 'web', names: ['storefront', 'checkout', 'admin-portal', 'partner-portal', 'docs-site', 'status-page', 'marketing-site'],
    instances: [2, 6], secondaryIps: 0, secondEni: 0.15, base: true, agent: true,
    tls: ['api.stripe.com', 'hooks.slack.com', '*.ingest.sentry.io', 'secretsmanager.{r}.amazonaws.com', '{org}-assets.s3.{r}.amazonaws.com',
      'oauth2.googleapis.com', 'login.microsoftonline.com'],
    ssh: [],
    needs: [n('api.stripe.com', 3), n('hooks.slack.com', 0.6), n('o{sentry}.ingest.sentry.io', 1.5), n('secretsmanager.{r}.amazonaws.com', 0.8),
      n('{org}-assets.s3.{r}.amazonaws.com', 2), n('oauth2.googleapis.com', 1), n('login.microsoftonline.com', 0.5), n('api.segment.io', 0.3), n('api.mixpanel.com', 0.2)],
    sshNeeds: [], sshShare: 0, rhythm: 'customer', activity: 1,
  },
  api: {
    kind: 'api', names: ['orders-api', 'payments-api', 'search-api', 'accounts-api', 'inventory-api', 'graphql-gateway', 'notifications-api'],
    instances: [2, 5], secondaryIps: 0.5, secondEni: 0, base: true, agent: true,
    tls: ['dynamodb.{r}.amazonaws.com', 'sqs.{r}.amazonaws.com', 'kms.{r}.amazonaws.com', 'secretsmanager.{r}.amazonaws.com', 'api.twilio.com',
      'api.sendgrid.com', '*.ingest.sentry.io'],
    ssh: [],
    needs: [n('dynamodb.{r}.amazonaws.com', 3), n('sqs.{r}.amazonaws.com', 2), n('kms.{r}.amazonaws.com', 1), n('secretsmanager.{r}.amazonaws.com', 1),
      n('api.twilio.com', 0.8), n('api.sendgrid.com', 0.8), n('o{sentry}.ingest.sentry.io', 1), n('api.openai.com', 0.6), n('dc.services.visualstudio.com', 0.1)],
    sshNeeds: [], sshShare: 0, rhythm: 'customer', activity: 1.2,
  },
  worker: {
    kind: 'worker', names: ['billing-worker', 'email-worker', 'thumbnail-worker', 'webhook-worker', 'export-worker', 'index-worker'],
    instances: [3, 8], secondaryIps: 0.6, secondEni: 0.1, base: true, agent: true,
    tls: ['sqs.{r}.amazonaws.com', 'sns.{r}.amazonaws.com', 'dynamodb.{r}.amazonaws.com', '{org}-assets.s3.{r}.amazonaws.com', 's3.{r}.amazonaws.com',
      'api.ecr.{r}.amazonaws.com', '*.dkr.ecr.{r}.amazonaws.com', 'prod-{r}-starport-layer-bucket.s3.{r}.amazonaws.com', 'hooks.slack.com'],
    ssh: [],
    needs: [n('sqs.{r}.amazonaws.com', 4), n('sns.{r}.amazonaws.com', 1), n('dynamodb.{r}.amazonaws.com', 2), n('{org}-assets.s3.{r}.amazonaws.com', 3),
      n('s3.{r}.amazonaws.com', 1), n('api.ecr.{r}.amazonaws.com', 0.5), n('{acct}.dkr.ecr.{r}.amazonaws.com', 1),
      n('prod-{r}-starport-layer-bucket.s3.{r}.amazonaws.com', 0.5), n('hooks.slack.com', 0.5), n('api.ipify.org', 0.1)],
    sshNeeds: [], sshShare: 0, rhythm: 'customer', activity: 1.5,
  },
  batch: {
    kind: 'batch', names: ['nightly-etl', 'reports-batch', 'ledger-reconcile', 'data-export'],
    instances: [1, 3], secondaryIps: 0, secondEni: 0, base: true, agent: false,
    tls: ['glue.{r}.amazonaws.com', 'athena.{r}.amazonaws.com', '{org}-datalake.s3.{r}.amazonaws.com', 'edi.bank1.com'],
    ssh: ['sftp.bank1.com', 's-{xfer}.server.transfer.{r}.amazonaws.com'],
    needs: [n('glue.{r}.amazonaws.com', 1), n('athena.{r}.amazonaws.com', 1), n('{org}-datalake.s3.{r}.amazonaws.com', 4), n('{org}-reports.s3.{r}.amazonaws.com', 2),
      n('{cdn}.cloudfront.net', 0.5), n('edi.bank1.com', 0.4)],
    sshNeeds: [n('sftp.bank1.com', 2), n('s-{xfer}.server.transfer.{r}.amazonaws.com', 1)], sshShare: 0.12, rhythm: 'night', activity: 1.5,
  },
  monitoring: {
    kind: 'monitoring', names: ['observability-agents', 'log-shipper', 'metrics-collector'],
    instances: [1, 3], secondaryIps: 0, secondEni: 0, base: true, agent: true,
    tls: ['api.pagerduty.com', 'events.pagerduty.com', 'hooks.slack.com'],
    ssh: [],
    needs: [n('api.datadoghq.com', 2), n('http-intake.logs.datadoghq.com', 3), n('events.pagerduty.com', 0.5), n('api.pagerduty.com', 0.3), n('hooks.slack.com', 0.3)],
    sshNeeds: [], sshShare: 0, rhythm: 'flat', activity: 1.2,
  },
  bastion: {
    kind: 'bastion', names: ['bastion', 'ops-jumpbox'],
    instances: [1, 2], secondaryIps: 0, secondEni: 0, base: true, agent: false,
    tls: ['ec2-instance-connect.{r}.amazonaws.com', 'ec2.{r}.amazonaws.com'],
    ssh: ['github.com', 'gitlab.com'],
    needs: [n('ec2-instance-connect.{r}.amazonaws.com', 3), n('ec2.{r}.amazonaws.com', 1), n('ifconfig.me', 0.2), n('pastebin.com', 0.05)],
    sshNeeds: [n('github.com', 1), n('gitlab.com', 0.5), n('bitbucket.org', 0.2)], sshShare: 0.3, rhythm: 'office', activity: 0.3,
  },
  lambda: {
    kind: 'lambda', names: ['lambda-auth', 'lambda-resize', 'lambda-webhooks', 'lambda-cron'],
    instances: [2, 4], secondaryIps: 0, secondEni: 0, base: false, agent: false,
    tls: ['sts.{r}.amazonaws.com', 'dynamodb.{r}.amazonaws.com', 'secretsmanager.{r}.amazonaws.com', 'sqs.{r}.amazonaws.com', 'api.stripe.com'],
    ssh: [],
    needs: [n('sts.{r}.amazonaws.com', 2), n('dynamodb.{r}.amazonaws.com', 3), n('secretsmanager.{r}.amazonaws.com', 1), n('sqs.{r}.amazonaws.com', 1),
      n('api.stripe.com', 1), n('api.datadoghq.com', 0.2)],
    sshNeeds: [], sshShare: 0, rhythm: 'customer', activity: 0.8,
  },
  cron: {
    kind: 'cron', names: ['cron-runner', 'cert-renewer', 'backup-cron'],
    instances: [1, 1], secondaryIps: 0, secondEni: 0, base: true, agent: true,
    tls: ['{org}-reports.s3.{r}.amazonaws.com', 'hooks.slack.com', 'api.github.com'],
    ssh: [],
    needs: [n('{org}-reports.s3.{r}.amazonaws.com', 2), n('hooks.slack.com', 1), n('api.github.com', 1), n('api.ipify.org', 0.1)],
    sshNeeds: [], sshShare: 0, rhythm: 'night', activity: 0.4,
  },
  // A service being built: no allowlist yet, a see-thru group to learn one (the vendor's recipe).
  'new-service': {
    kind: 'new-service', names: ['ledger-sync', 'feature-store', 'partner-gateway'],
    instances: [2, 2], secondaryIps: 0, secondEni: 0, base: false, agent: false,
    tls: [], ssh: [],
    needs: [n('sts.{r}.amazonaws.com', 1), n('{org}-datalake.s3.{r}.amazonaws.com', 2), n('secretsmanager.{r}.amazonaws.com', 0.8), n('api.stripe.com', 1.5),
      n('hooks.slack.com', 0.5), n('api.datadoghq.com', 0.6), n('ec2-instance-connect.{r}.amazonaws.com', 0.4), n('ssm.{r}.amazonaws.com', 1)],
    sshNeeds: [], sshShare: 0, rhythm: 'office', activity: 0.8,
  },
};

/** The applications every estate has, in this order (the scenario's changes name them); more are drawn from EXTRA_KINDS. */
export const CORE_KINDS: readonly AppKind[] = ['ci-runner', 'web', 'api', 'worker', 'batch', 'monitoring', 'bastion', 'lambda', 'new-service'];
export const EXTRA_KINDS: readonly AppKind[] = ['web', 'api', 'worker', 'api', 'worker', 'web', 'cron', 'lambda', 'worker', 'api', 'cron', 'batch', 'ci-runner', 'web'];
