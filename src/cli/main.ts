#!/usr/bin/env node
/**
 * The haystack command line: one subcommand per file in src/cli/.
 */
import { Command, CommanderError } from 'commander';
import { Exit } from './io.js';
import { TLDTS_VERSION } from '../discriminat/psl-version.js';

/**
 * The subcommands, each loaded only when it runs: a command's libraries (YAML, the public
 * suffix list, terminal widths) cost about a tenth of a second to load, which `filter` and
 * `query` should not pay. Help and unknown names load them all, so help lists every one.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  filter: async () => (await import('./filter.js')).filterCommand(),
  explain: async () => (await import('./explain.js')).explainCommand(),
  allowlist: async () => (await import('./allowlist.js')).allowlistCommand(),
  verify: async () => (await import('./verify.js')).verifyCommand(),
  'see-thru': async () => (await import('./see-thru.js')).seeThruCommand(),
  audit: async () => (await import('./audit.js')).auditCommand(),
  replay: async () => (await import('./replay.js')).replayCommand(),
  validate: async () => (await import('./validate.js')).validateCommand(),
  recipes: async () => (await import('./recipes.js')).recipesCommand(),
  query: async () => (await import('./query.js')).queryCommand(),
  generate: async () => (await import('./generate.js')).generateCommand(),
  demo: async () => (await import('./demo.js')).demoCommand(),
  pull: async () => (await import('./pull.js')).pullCommand(),
  tail: async () => (await import('./tail.js')).tailCommand(),
  'check-aws': async () => (await import('./check-aws.js')).checkAwsCommand(),
  ui: async () => (await import('./ui.js')).uiCommand(),
  lint: async () => (await import('./lint.js')).lintCommand(),
};

const program = new Command('haystack')
  .description('CloudWatch filter patterns and Logs Insights queries over local discrimiNAT (or any) logs, with the answers CloudWatch gives; and the firewall\'s allowlist workflow')
  .version(`0.1.0 (public-suffix list of tldts ${TLDTS_VERSION})`)
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

const named = process.argv[2];
const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
for (const name of wanted) program.addCommand((await COMMANDS[name]!()).exitOverride());

// A closed pipe (haystack ... | head) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? Exit.Ok : Exit.Usage;
  } else {
    process.stderr.write(`haystack: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 70;
  }
}
