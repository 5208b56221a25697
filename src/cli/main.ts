#!/usr/bin/env node
/**
 * The haystack command line: one subcommand per file in src/cli/.
 */
import { Command, CommanderError } from 'commander';
import { filterCommand } from './filter.js';
import { explainCommand } from './explain.js';
import { allowlistCommand } from './allowlist.js';
import { validateCommand } from './validate.js';
import { queryCommand } from './query.js';
import { generateCommand } from './generate.js';
import { recipesCommand } from './recipes.js';
import { verifyCommand } from './verify.js';
import { seeThruCommand } from './see-thru.js';
import { auditCommand } from './audit.js';
import { replayCommand } from './replay.js';
import { demoCommand } from './demo.js';
import { lintCommand } from './lint.js';
import { Exit } from './io.js';
import { TLDTS_VERSION } from '../discriminat/psl.js';

const program = new Command('haystack')
  .description('CloudWatch filter patterns and Logs Insights queries over local discrimiNAT (or any) logs, with the answers CloudWatch gives; and the firewall\'s allowlist workflow')
  .version(`0.1.0 (public-suffix list of tldts ${TLDTS_VERSION})`)
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .addCommand(filterCommand().exitOverride())
  .addCommand(explainCommand().exitOverride())
  .addCommand(allowlistCommand().exitOverride())
  .addCommand(verifyCommand().exitOverride())
  .addCommand(seeThruCommand().exitOverride())
  .addCommand(auditCommand().exitOverride())
  .addCommand(replayCommand().exitOverride())
  .addCommand(validateCommand().exitOverride())
  .addCommand(recipesCommand().exitOverride())
  .addCommand(queryCommand().exitOverride())
  .addCommand(generateCommand().exitOverride())
  .addCommand(lintCommand().exitOverride())
  .addCommand(demoCommand().exitOverride());

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
