/**
 * `haystack generate --out DIR`: a synthetic but realistic estate and the discrimiNAT flow and
 * config logs it would produce over a time span, decided by haystack's own model.
 */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { GENERATE_DEFAULTS, GenerateOptionsError, MAX_APPS, MAX_DAYS, MIN_APPS } from '../discriminat/generator.js';
import { OUTPUT_FORMATS, writeGenerated, type GenerateSummary, type OutputFormat } from '../discriminat/generator-files.js';
import { escapeControls } from '../output/safety.js';
import { Exit, printError } from './io.js';

interface GenerateFlags {
  out: string;
  seed: string;
  days: number;
  flows: number;
  apps: number;
  start?: string;
  format: OutputFormat;
  gzip?: boolean;
  generation: 'G1' | 'G2' | 'G3';
  output: 'text' | 'json';
  estate?: string;
  trafficSeed?: string;
  anomalies: boolean;
}

const EXAMPLES = `
Examples:
  $ haystack generate --out sample
  $ haystack generate --out big --flows 1000000 --days 30 --gzip
  $ haystack generate --out old --generation G1 --format both --seed 42
  $ haystack filter '{ $.see_thru_exerted is true }' sample/DiscrimiNAT/flow.log
  $ haystack generate --out after --estate changed-estate.json --traffic-seed 2 --start 2026-04-05T00:00:00Z --days 1

Writes DIR/estate.json (the native estate file, with the estate's changes as views) and the log
group DIR/DiscrimiNAT/: flow.log and config.log in CloudWatch export form (--format export),
events.ndjson with both streams merged in time order (--format ndjson), or all three (both).
--flows is exact: that many flow lines are written (the last connection may lose its server
line). The same seed and options give the same files, byte for byte. Every flow line is the
decision of haystack's model (spec D6) on a connection from a client of the estate; config lines
are what the estate's changes write (spec D7). A summary goes to stderr (--output json: stdout).

--estate FILE decides fresh connections of the same applications against a native estate file
(an earlier run's estate.json, changed: rules added, a see-thru removed); --seed and --apps must
be the ones it was generated with, since its interfaces' addresses say which application is
which. The file is copied to DIR/estate.json; the config stream opens with the lines the view
in force at --start writes. --traffic-seed draws other connections from the same estate.
--no-anomalies leaves out connections no protocol rule could allow (unknown protocols, TLS
without SNI or below 1.2, SSH 1.99 or to a bare address, stale DNS addresses, plain HTTP other
than CRL fetches).

Exit status: 0 done, 2 bad usage or the output could not be written.`;

export function generateCommand(): Command {
  return new Command('generate')
    .description('write a realistic estate and the discrimiNAT flow and config logs it produces')
    .requiredOption('--out <dir>', 'output directory (created if missing; files are overwritten)')
    .option('--seed <text>', 'seed: the same seed and options give the same files', GENERATE_DEFAULTS.seed)
    .option('--days <n>', `time span in days, fractions allowed (at most ${MAX_DAYS})`, positive, GENERATE_DEFAULTS.days)
    .option('--flows <n>', 'flow lines to write (exactly)', whole, GENERATE_DEFAULTS.flows)
    .option('--apps <n>', `applications in the estate (${MIN_APPS}-${MAX_APPS})`, whole, GENERATE_DEFAULTS.apps)
    .option('--start <time>', 'first instant, ISO-8601 (default 2026-03-29T00:00:00Z)')
    .addOption(new Option('--format <format>', 'log file layout').choices(OUTPUT_FORMATS).default('export'))
    .option('--gzip', 'gzip the log files (.gz)')
    .addOption(new Option('--generation <gen>', 'schema generation of the lines (spec D2.2)').choices(['G1', 'G2', 'G3']).default(GENERATE_DEFAULTS.generation))
    .addOption(new Option('-o, --output <format>', 'summary format: text on stderr, or json on stdout').choices(['text', 'json']).default('text'))
    .option('--estate <file>', 'decide fresh connections of the same applications against this native estate file')
    .option('--traffic-seed <text>', 'seed of the connections alone (default: --seed)')
    .option('--no-anomalies', 'leave out connections no protocol rule could allow')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: GenerateFlags) => {
      process.exitCode = await runGenerate(flags);
    });
}

function whole(text: string): number {
  if (!/^[0-9]+$/.test(text)) throw new InvalidArgumentError('a whole number is needed');
  return Number(text);
}

function positive(text: string): number {
  const n = Number(text);
  if (!/^[0-9]*\.?[0-9]+$/.test(text) || !(n > 0)) throw new InvalidArgumentError('a number above 0 is needed');
  return n;
}

async function runGenerate(flags: GenerateFlags): Promise<number> {
  let summary: GenerateSummary;
  let estate: { file: string; text: string } | undefined;
  if (flags.estate !== undefined) {
    try {
      estate = { file: flags.estate, text: await readFile(flags.estate, 'utf8') };
    } catch (e) {
      printError(`cannot read the estate file: ${(e as Error).message}`);
      return Exit.Usage;
    }
  }
  try {
    summary = await writeGenerated({
      out: flags.out,
      seed: flags.seed,
      days: flags.days,
      flows: flags.flows,
      apps: flags.apps,
      ...(flags.start !== undefined ? { start: flags.start } : {}),
      generation: flags.generation,
      ...(estate !== undefined ? { estate } : {}),
      ...(flags.trafficSeed !== undefined ? { trafficSeed: flags.trafficSeed } : {}),
      anomalies: flags.anomalies,
      format: flags.format,
      gzip: flags.gzip === true,
    });
  } catch (e) {
    if (e instanceof GenerateOptionsError) {
      printError(e.message);
      return Exit.Usage;
    }
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code === 'string' && typeof err.syscall === 'string') {
      printError(`cannot write the output: ${err.message}`, 'check that --out names a directory you can write to');
      return Exit.Usage;
    }
    throw e;
  }
  if (flags.output === 'json') process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else process.stderr.write(renderSummary(summary));
  return Exit.Ok;
}

const pct = (n: number, of: number): string => (of === 0 ? '0%' : `${((100 * n) / of).toFixed(1)}%`);
const size = (bytes: number): string => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${bytes} B`);

/** The short text summary on stderr. */
export function renderSummary(s: GenerateSummary): string {
  const f = s.flow;
  const c = s.config.byKind;
  const k = (key: string): number => c[key] ?? 0;
  const e = s.estate;
  const out: string[] = [];
  const seeds = s.trafficSeed === s.seed ? `seed ${s.seed}` : `seed ${s.seed}, traffic seed ${s.trafficSeed}`;
  out.push(`generated ${f.lines} flow and ${s.config.lines} config lines from ${s.start} to ${s.end} (${seeds}, ${s.generation}${s.anomalies ? '' : ', no anomalies'}) in ${s.seconds.toFixed(1)} s`);
  if (s.decidedAgainst !== null) out.push(`          decided against ${escapeControls(s.decidedAgainst)}`);
  out.push(`estate:   ${e.applications.length} applications, ${e.groups} groups, ${e.interfaces} interfaces, ${e.clients} clients, ${e.views} views; ${e.region}, firewall ${e.instance}`);
  out.push(`          unknown clients ${e.unknownClients.join(', ')}`);
  out.push(
    `flow:     ${f.client} client, ${f.server} server; ${pct(f.allowed, f.lines)} allowed, ${pct(f.disallowed, f.lines)} disallowed, ${f.seeThruExerted} let through by see-thru; ` +
      (['tls', 'ssh', 'http', 'unknown'] as const).map((p) => `${p} ${f.byProto[p]}`).join(', '),
  );
  out.push(
    `config:   fqdn +${k('fqdn accepted')} -${k('fqdn removed')}, client +${k('client accepted')} -${k('client removed')}, ` +
      `see-thru +${k('see-thru accepted')} -${k('see-thru removed')}, addr refused ${k('addr refused')}`,
  );
  out.push('see-thru:');
  const width = Math.max(...s.seeThru.map((x) => x.gid.length));
  for (const x of s.seeThru) {
    const when = x.from === s.start && x.until === null ? '' : `, in place ${x.from === s.start ? 'from the start' : `from ${x.from}`}${x.until === null ? '' : ` until ${x.until}`}`;
    out.push(`  ${x.gid.padEnd(width)}  ${(x.app === '%default' ? 'every client' : x.app).padEnd(18)} through ${x.thruDate}${when}`);
  }
  out.push('files:');
  for (const file of s.files) out.push(`  ${escapeControls(file.path)}  ${size(file.bytes)}`);
  return `${out.join('\n')}\n`;
}
