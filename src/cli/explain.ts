/**
 * `haystack explain --estate FILE --src IP --dhost HOST ...`: what discrimiNAT would do with one
 * connection, step by step (spec D6), and the exact flow lines it would write.
 */
import { Command, Option } from 'commander';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { renderGithub, renderText, toJson } from '../diagnostics/render.js';
import type { Generation } from '../discriminat/annotations.js';
import { checkConnection, decide, toJsonLine, type ConnectionSummary, type Decision, type Proto, type Resolver } from '../discriminat/decision.js';
import { isIpv4, loadEstate, type EstateDiagnostic, isFatalEstateDiagnostic } from '../discriminat/estate.js';
import { escapeControls } from '../output/safety.js';
import { parseTimeArg } from '../sources/time.js';
import { type DiagnosticsFormat, Exit, printError } from './io.js';

interface ExplainFlags {
  estate: string[];
  src?: string;
  dhost?: string;
  dst?: string;
  dpt: string;
  spt: string;
  proto: Proto;
  protoV?: string;
  pqc?: boolean;
  at?: string;
  generation: Generation;
  output: 'text' | 'json';
  serverProtoV?: string;
  server: boolean;
  httpMethod: string;
  httpPath: string;
  userAgent?: string;
  resolve: string[];
  instance?: string;
  diagnostics: DiagnosticsFormat;
}

const DEFAULT_VERSION: Readonly<Record<Exclude<Proto, 'unknown'>, string>> = { tls: '1.3', ssh: '2.0', http: '1.1' };
/** The source port used when none is given: the first ephemeral port (IANA). */
const DEFAULT_SPT = '49152';
/** With no --dst and nothing to resolve the name to: lies in every 0.0.0.0/n rule, the usual annotated CIDR. */
const PLACEHOLDER_DST = '0.0.0.0';

const EXAMPLES = `
Examples:
  $ haystack explain --estate estate.yaml --src 10.10.1.5 --dhost api.github.com --dst 140.82.121.6
  $ haystack explain --estate sgs.json --estate enis.json --instance i-0f1e2d3c4b5a69788 \\
      --src 10.20.1.15 --dhost pypi.org --at 2026-03-29T12:00:00Z --output json
  $ haystack explain --estate estate.yaml --src 10.10.1.5 --proto ssh --dst 203.0.113.22 --dpt 22 \\
      --resolve sftp.bank1.com=203.0.113.22
  $ haystack explain --estate estate.yaml --src 10.10.1.5 --proto http --dpt 80 --dhost crl.example.net \\
      --http-path /ca.crl --generation G3

Estate files (any mix, detected per file): haystack's native JSON or YAML (spec D5.1a), the JSON
of aws ec2 describe-security-groups, and of aws ec2 describe-network-interfaces.

--dhost is the TLS SNI (leave it out for a ClientHello without SNI), the HTTP Host header, or
for SSH the name the firewall maps the destination back to (leave it out and give --resolve to
let the firewall's DNS cache do it). Without --dst the destination is the first --resolve
address of --dhost, else ${PLACEHOLDER_DST}.

Exit status: 0 explained (whatever the verdict), 2 invalid estate or usage.`;

const collect = (v: string, acc: string[]): string[] => [...acc, v];

export function explainCommand(): Command {
  return new Command('explain')
    .description('explain what the discrimiNAT firewall does with one connection, and print the flow lines it writes')
    .option('--estate <file>', 'estate file (repeatable): native JSON/YAML or aws ec2 describe-* output', collect, [])
    .option('--src <ip>', 'the client\'s private IPv4 address')
    .option('--dhost <host>', 'TLS SNI / HTTP Host / SSH host name (see below)')
    .option('--dst <ip>', 'destination IPv4 address')
    .option('--dpt <port>', 'destination port', '443')
    .option('--spt <port>', 'source port', DEFAULT_SPT)
    .addOption(new Option('--proto <proto>', 'what the first bytes say').choices(['tls', 'ssh', 'http', 'unknown']).default('tls'))
    .option('--proto-v <version>', 'client version (default: tls 1.3, ssh 2.0, http 1.1)')
    .option('--pqc', 'the ClientHello offers a post-quantum key share')
    .option('--at <time>', 'when the connection starts: ISO-8601, epoch ms, or 2h / 7d ago (default: now)')
    .addOption(new Option('--generation <gen>', 'which firewall generation to model (spec D2.2)').choices(['G1', 'G2', 'G3']).default('G3'))
    .addOption(new Option('-o, --output <format>', 'how to print').choices(['text', 'json']).default('text'))
    .option('--server-proto-v <version>', 'the version the server answers with (default: the client\'s)')
    .option('--no-server', 'the server never answers')
    .option('--http-method <method>', 'HTTP request method', 'GET')
    .option('--http-path <path>', 'HTTP request path', '/')
    .option('--user-agent <ua>', 'HTTP User-Agent')
    .option('--resolve <name=ip,...>', 'what DNS says for a name (repeatable); enables the DNS check and SSH name mapping', collect, [])
    .option('--instance <id>', 'the firewall\'s instance id for the instance field (default: the native file\'s)')
    .addOption(new Option('--diagnostics <format>', 'how to print estate findings').choices(['text', 'json', 'github']).default('text'))
    .addHelpText('after', EXAMPLES)
    .action(async (flags: ExplainFlags) => {
      process.exitCode = await runExplain(flags);
    });
}

function usage(message: string, hint?: string): number {
  printError(message, hint);
  return Exit.Usage;
}

function parsePort(text: string, name: string): number | string {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) return `${name} must be a port number 0-65535, not \`${text}\``;
  return Number(text);
}

function parseResolves(items: readonly string[]): Map<string, string[]> | string {
  const map = new Map<string, string[]>();
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq).trim().toLowerCase().replace(/\.$/, '');
    const ips = item.slice(eq + 1).split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (eq <= 0 || name === '' || ips.length === 0 || !ips.every(isIpv4)) return `--resolve wants NAME=IP[,IP...], not \`${item}\``;
    map.set(name, [...(map.get(name) ?? []), ...ips]);
  }
  return map;
}

async function runExplain(flags: ExplainFlags): Promise<number> {
  if (flags.estate.length === 0) return usage('--estate FILE is required', 'give the estate as a native JSON/YAML file or aws ec2 describe-* output');
  if (flags.src === undefined) return usage('--src IP is required', 'the client\'s private IPv4 address');
  const dpt = parsePort(flags.dpt, '--dpt');
  const spt = parsePort(flags.spt, '--spt');
  if (typeof dpt === 'string') return usage(dpt);
  if (typeof spt === 'string') return usage(spt);
  const resolves = parseResolves(flags.resolve);
  if (typeof resolves === 'string') return usage(resolves);

  let at = Date.now();
  if (flags.at !== undefined) {
    try {
      at = parseTimeArg(flags.at, at);
    } catch (e) {
      if (!(e instanceof DiagnosticError)) throw e;
      return usage(`--at: ${e.diagnostics[0]?.message ?? 'not a time'}`, 'ISO-8601 (2026-03-29T12:00:00Z), epoch milliseconds, or 2h / 7d ago');
    }
  }

  const { estate, diagnostics } = await loadEstate(flags.estate, {
    generation: flags.generation,
    ...(flags.instance !== undefined ? { instance: flags.instance } : {}),
  });
  printEstateDiagnostics(diagnostics, flags.diagnostics);
  if (diagnostics.some(isFatalEstateDiagnostic)) {
    printError('the estate is invalid; nothing was explained', 'fix the errors above');
    return Exit.Usage;
  }

  const notes: string[] = [];
  const resolver: Resolver | undefined = resolves.size > 0 ? (name) => resolves.get(name) ?? [] : undefined;
  let dst = flags.dst;
  if (dst === undefined) {
    const host = flags.dhost?.trim().toLowerCase().replace(/\.$/, '');
    const resolved = host === undefined ? undefined : resolves.get(host)?.[0];
    if (resolved !== undefined) {
      dst = resolved;
      notes.push(`no --dst: using ${dst}, the first --resolve address of ${host}`);
    } else if (host !== undefined && isIpv4(host)) {
      dst = host;
    } else {
      dst = PLACEHOLDER_DST;
      notes.push(`no --dst: the destination is ${PLACEHOLDER_DST}, which only 0.0.0.0/n rules cover in AWS's check; give --dst for a real one`);
    }
  }
  const proto = flags.proto;
  const conn: ConnectionSummary = {
    src: flags.src,
    spt,
    dst,
    dpt,
    proto,
    ...(flags.dhost !== undefined ? { dhost: flags.dhost } : {}),
    ...(proto !== 'unknown' ? { proto_v: flags.protoV ?? DEFAULT_VERSION[proto] } : {}),
    ...(flags.pqc ? { pqc: true } : {}),
    ...(proto === 'http' ? { http: { method: flags.httpMethod, path: flags.httpPath, ...(flags.userAgent !== undefined ? { userAgent: flags.userAgent } : {}) } } : {}),
    ...(!flags.server ? { server: null } : flags.serverProtoV !== undefined ? { server: { proto_v: flags.serverProtoV } } : {}),
  };
  const problems = checkConnection(conn);
  if (problems.length > 0) return usage(problems.join('; '));

  const decision = decide(estate, at, conn, { generation: flags.generation, ...(resolver ? { resolver } : {}) });
  const steps = [...notes, ...decision.steps];
  if (flags.output === 'json') {
    process.stdout.write(
      JSON.stringify({
        at: new Date(at).toISOString(),
        generation: flags.generation,
        connection: conn,
        verdict: verdictOf(decision),
        reason: decision.trace.reason ?? null,
        passes: decision.trace.passes,
        seeThru: decision.trace.seeThru,
        steps,
        lines: decision.lines.map((l) => JSON.parse(toJsonLine(l)) as unknown),
        trace: decision.trace,
      }, null, 2) + '\n',
    );
    return Exit.Ok;
  }
  const out: string[] = [];
  out.push(`${conn.src}:${conn.spt} -> ${conn.dhost ? `${escapeControls(conn.dhost)} (${conn.dst})` : conn.dst}:${conn.dpt} ${proto}${conn.proto_v ? ` ${conn.proto_v}` : ''} at ${new Date(at).toISOString()} (${flags.generation})`);
  out.push('');
  out.push(`verdict: ${escapeControls(verdictSentence(decision))}`);
  out.push('');
  out.push('why:');
  let n = 0;
  for (const s of steps) out.push(s.startsWith('  ') ? `     ${escapeControls(s)}` : `  ${String(++n).padStart(2)}. ${escapeControls(s)}`);
  out.push('');
  out.push(decision.lines.length === 0 ? 'flow lines: none' : `flow lines (${flags.generation}):`);
  for (const l of decision.lines) out.push(toJsonLine(l));
  process.stdout.write(out.join('\n') + '\n');
  return Exit.Ok;
}

function verdictOf(d: Decision): 'dropped-by-aws' | 'allowed' | 'let-through-by-see-thru' | 'blocked' {
  if (d.trace.verdict === undefined) return 'dropped-by-aws';
  if (d.trace.verdict === 'allowed') return 'allowed';
  return d.trace.passes ? 'let-through-by-see-thru' : 'blocked';
}

function verdictSentence(d: Decision): string {
  const t = d.trace;
  const st = t.seeThru;
  switch (verdictOf(d)) {
    case 'dropped-by-aws':
      return 'dropped by AWS at the interface (no egress rule covers it); the firewall never sees it';
    case 'allowed':
      return `allowed (${t.reason === 'x509 crl' ? 'a CRL fetch, x509_crls allows it' : `by ${t.reason}`})`;
    case 'let-through-by-see-thru':
      return `disallowed ("${t.reason}"), but let through by the see-thru of ${st!.gid} (through ${st!.date}, ${st!.days === 0 ? 'its last day' : `${st!.days} day${st!.days === 1 ? '' : 's'} left`})`;
    case 'blocked':
      return `disallowed ("${t.reason}"): blocked${st !== null && !st.active ? ` (the see-thru of ${st.gid} expired on ${st.date})` : ''}`;
  }
}

function printEstateDiagnostics(ds: readonly EstateDiagnostic[], format: DiagnosticsFormat): void {
  if (ds.length === 0) return;
  if (format === 'json') {
    const rows = ds.map((d) => {
      const { source: _source, sourceKind, ...rest } = d;
      if (sourceKind !== 'file' || d.source === '') return rest;
      const { line, column } = toJson(d, d.source);
      return { ...rest, line, column };
    });
    process.stderr.write(JSON.stringify(rows) + '\n');
    return;
  }
  for (const d of ds) {
    let text: string;
    if (format === 'github') {
      text = d.sourceKind === 'file' && d.source !== '' ? renderGithub(d, d.source, d.file) : renderGithub({ ...d, message: `${d.message} (${d.file} ${d.path})` }, '');
    } else if (d.source === '') {
      text = `${d.severity} ${d.code}: ${d.message}\n  --> ${d.file} ${d.path}${d.hint ? `\n  = hint: ${d.hint}` : ''}`;
    } else {
      text = renderText(d, d.source, d.sourceKind === 'file' ? d.file : `${d.file} ${d.path}`);
    }
    process.stderr.write(text + '\n\n');
  }
}
