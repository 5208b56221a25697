/**
 * `haystack recipes [list] [NAME]` and `haystack recipes run NAME [--param k=v]... [PATH...]`:
 * the named filter patterns and queries of src/recipes/, listed, shown filled in, or run.
 */
import { Command, Option } from 'commander';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { ResourceLimitError } from '../insights/index.js';
import { BufferedWriter, eventWriter, OUTPUT_FORMATS, type OutputFormat } from '../output/events.js';
import { RESULT_FORMATS, type ResultFormat } from '../output/result-formats.js';
import { isRequired, type Recipe, type RecipeParam, RECIPES } from '../recipes/catalog.js';
import { type CompiledRecipe, compileRecipe, fillRecipe, findRecipe, RecipeError, runRecipe } from '../recipes/run.js';
import { Exit, printDiagnostics, printError } from './io.js';
import { printQueryResult } from './query-output.js';
import { addScanOptions, collect, prepareScan, runScan, type ScanFlags, scanExit } from './scan-options.js';

const LIST_FORMATS = ['text', 'json'] as const;
type ListFormat = (typeof LIST_FORMATS)[number];

/** Every --output value of `run`: a filter recipe takes the filter command's, a query the query command's. */
const RUN_FORMATS = [...new Set<string>([...OUTPUT_FORMATS, ...RESULT_FORMATS])];

const LIST_EXAMPLES = `
Examples:
  $ haystack recipes
  $ haystack recipes allowlist
  $ haystack recipes list --output json

Run one with: haystack recipes run NAME [--param NAME=VALUE]... [PATH...]`;

const RECIPES_EXAMPLES = `
Examples:
  $ haystack recipes                              (the same as haystack recipes list)
  $ haystack recipes allowlist                    (one recipe, with its text and parameters)
  $ haystack recipes run disallowed flow.log --count
  $ haystack recipes run allowlist --param gid=sg-0ccc3333 logs/
  $ haystack recipes run old-tls --show           (the query, to paste into CloudWatch)

haystack recipes run --help tells more.`;

const RUN_EXAMPLES = `
Examples:
  $ haystack recipes run disallowed flow.log --count
  $ haystack recipes run allowlist --param gid=sg-0ccc3333 logs/
  $ haystack recipes run client-not-host -p client=10.0.1.7 -p host='*.github.com' flow.log.gz --output ndjson
  $ haystack recipes run top-disallowed-by-client -p limit=20 logs/ --output csv
  $ haystack recipes run see-thru-expiring -p days=7 --show     (print the pattern for CloudWatch)
  $ aws logs tail DiscrimiNAT --since 1h | haystack recipes run old-tls

Filter recipes print the matching lines (--output raw|json|ndjson, or --count); query recipes
print a result table (--output table|json|ndjson|csv|markdown). --show prints the filled-in
pattern or query and reads no input. haystack recipes lists the recipes and their parameters.

Exit status: 0 done, 2 unknown recipe or parameter, bad value or usage, 3 lines were skipped
and --strict was given.`;

export function recipesCommand(): Command {
  const list = new Command('list')
    .description('list the recipes: name, kind, what each finds, its text and parameters')
    .argument('[name]', 'show only this recipe')
    .addOption(new Option('-o, --output <format>', 'how to print the list').choices(LIST_FORMATS).default('text'))
    .addHelpText('after', LIST_EXAMPLES)
    .action((name: string | undefined, flags: { output: ListFormat }) => {
      process.exitCode = listRecipes(name, flags.output);
    })
    .exitOverride();

  const run = new Command('run')
    .description('run a recipe over local logs, or --show its filled-in pattern or query')
    .argument('<name>', 'the recipe (haystack recipes lists them)')
    .argument('[paths...]', 'files, directories (read recursively), .gz files, or - for stdin')
    .option('-p, --param <name=value>', 'a parameter of the recipe (repeatable)', collect, [])
    .option('--show', 'print the filled-in pattern or query (to paste into CloudWatch) and read no input')
    .option('-c, --count', 'filter recipes: print only the number of matching events')
    .addOption(new Option('-o, --output <format>', 'filter recipes: raw|json|ndjson (default raw); query recipes: table|json|ndjson|csv|markdown (default table)').choices(RUN_FORMATS))
    .option('--escape', 'show control characters as escapes even when output is not a terminal')
    .option('--raw-csv', 'query recipes: do not neutralise spreadsheet formulas in csv and markdown cells')
    .addHelpText('after', RUN_EXAMPLES)
    .action(async (name: string, paths: string[], flags: RunFlags) => {
      process.exitCode = await runRecipeCommand(name, paths, flags);
    })
    .exitOverride();

  return new Command('recipes')
    .description('named filter patterns and queries for discrimiNAT flow logs: list them, show them, run them')
    .addCommand(addScanOptions(run))
    .addCommand(list, { isDefault: true })
    .addHelpText('after', RECIPES_EXAMPLES);
}

// ---------------------------------------------------------------------------------------------
// list

function listRecipes(name: string | undefined, format: ListFormat): number {
  let recipes: readonly Recipe[] = RECIPES;
  if (name !== undefined) {
    try {
      recipes = [findRecipe(name)];
    } catch (e) {
      if (!(e instanceof RecipeError)) throw e;
      printError(e.message, e.hint);
      return Exit.Usage;
    }
  }
  process.stdout.write(format === 'json' ? `${JSON.stringify(recipes.map(recipeJson), null, 2)}\n` : renderRecipeList(recipes, name === undefined));
  return Exit.Ok;
}

function paramJson(p: RecipeParam): Record<string, unknown> {
  return {
    name: p.name,
    type: p.type,
    description: p.description,
    required: isRequired(p),
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.example !== undefined ? { example: p.example } : {}),
    ...(p.type === 'integer' && p.min !== undefined ? { min: p.min } : {}),
    ...(p.type === 'integer' && p.max !== undefined ? { max: p.max } : {}),
  };
}

function recipeJson(r: Recipe): Record<string, unknown> {
  return { name: r.name, kind: r.kind, description: r.description, origin: r.origin, template: r.template, params: r.params.map(paramJson) };
}

/** The text listing: one block per recipe, its template indented under its description. */
export function renderRecipeList(recipes: readonly Recipe[], footer = true): string {
  const blocks = recipes.map((r) => {
    const lines = [`${r.name}  (${r.kind}, from ${r.origin === 'haystack' ? 'haystack' : `the ${r.origin}`})`, `  ${r.description}`];
    for (const t of r.template.split('\n')) lines.push(`      ${t}`);
    const width = Math.max(0, ...r.params.map((p) => p.name.length));
    for (const p of r.params) {
      const facts: string[] = [p.type];
      if (isRequired(p)) facts.push('required');
      if (p.default !== undefined) facts.push(`default ${String(p.default)}`);
      else if (p.example !== undefined) facts.push(`e.g. ${String(p.example)}`);
      if (p.type === 'integer' && (p.min !== undefined || p.max !== undefined)) facts.push(`${p.min ?? '…'} to ${p.max ?? '…'}`);
      lines.push(`  --param ${p.name.padEnd(width)}  ${p.description} (${facts.join(', ')})`);
    }
    return lines.join('\n');
  });
  const tail = footer ? `\n\n${recipes.length} recipes. Run one: haystack recipes run NAME [--param NAME=VALUE]... [PATH...]; --show prints its text.` : '';
  return `${blocks.join('\n\n')}${tail}\n`;
}

// ---------------------------------------------------------------------------------------------
// run

interface RunFlags extends ScanFlags {
  param: string[];
  show?: boolean;
  count?: boolean;
  output?: string;
  escape?: boolean;
  rawCsv?: boolean;
}

/** `--param k=v` flags to a map; the value is everything after the first `=`. */
function parseParams(flags: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new RecipeError('invalid-value', `--param ${JSON.stringify(f)} is not NAME=VALUE`, '--param gid=sg-0ccc3333');
    const name = f.slice(0, eq);
    if (params.has(name)) throw new RecipeError('invalid-value', `--param ${name} is given twice`);
    params.set(name, f.slice(eq + 1));
  }
  return params;
}

async function runRecipeCommand(name: string, paths: string[], flags: RunFlags): Promise<number> {
  let compiled: CompiledRecipe;
  try {
    const recipe = findRecipe(name);
    const filled = fillRecipe(recipe, parseParams(flags.param));
    const misuse = flagMisuse(recipe, flags);
    if (misuse) {
      printError(misuse.message, misuse.hint);
      return Exit.Usage;
    }
    if (flags.show) {
      process.stdout.write(`${filled.text}\n`);
      return Exit.Ok;
    }
    compiled = compileRecipe(filled);
  } catch (e) {
    if (e instanceof RecipeError) {
      printError(e.message, e.hint);
      return Exit.Usage;
    }
    // Cannot happen with checked values (every recipe is tested to compile); if it does, the
    // diagnostics say more than a stack would.
    if (e instanceof DiagnosticError) {
      printDiagnostics(e.diagnostics, e.source, `recipe ${name}`, 'text');
      return Exit.Usage;
    }
    throw e;
  }
  // A filter recipe's pattern is also sent to CloudWatch, as `filter` does, so less is transferred.
  const prepared = await prepareScan(paths, flags, compiled.kind === 'filter' ? { filterPattern: compiled.filled.text } : {});
  if (typeof prepared === 'number') return prepared;
  const tty = process.stdout.isTTY === true;

  if (compiled.kind === 'filter') {
    const out = new BufferedWriter(process.stdout);
    // Log lines are attacker-controlled: on a terminal, escapes are shown, never run.
    const writer = flags.count ? null : eventWriter((flags.output ?? 'raw') as OutputFormat, out, flags.escape === true || tty);
    const done = await runScan(async () => {
      const r = await runRecipe(compiled, prepared.inputs, { ...prepared.options, countOnly: flags.count === true, onMatch: (e) => writer?.write(e) });
      return { report: r.report };
    });
    if (typeof done === 'number') return done;
    if (flags.count) out.write(`${done.report.matched}\n`);
    await writer?.end();
    await out.flush();
    return scanExit(prepared, done.report, flags);
  }

  const { start, end } = prepared.options;
  const done = await runScan(async () => {
    const r = await runRecipe(compiled, prepared.inputs, {
      ...prepared.options,
      now: prepared.now,
      queryWorkers: flags.threads !== undefined, // as for haystack query
      ...(start !== undefined && end !== undefined ? { window: { start, end } } : {}),
    });
    if (r.kind !== 'query') throw new Error(`recipe ${name}: expected a query result`);
    return r;
  }).catch((e: unknown) => {
    if (e instanceof ResourceLimitError) return e;
    throw e;
  });
  if (done instanceof ResourceLimitError) {
    // As haystack query does: no answer rather than one with groups left out.
    printError(done.message, 'narrow the input, or run the recipe\'s query (--show) with haystack query and a higher limit');
    return Exit.Usage;
  }
  if (typeof done === 'number') return done;
  const { result, report } = done;
  await printQueryResult(result, { ...flags, output: (flags.output ?? 'table') as ResultFormat });
  return scanExit(prepared, report, flags);
}

/** Flags that do not fit the recipe's kind; --show ignores output flags. */
function flagMisuse(recipe: Recipe, flags: RunFlags): { message: string; hint: string } | null {
  if (flags.show) return null;
  const filterFormats: readonly string[] = OUTPUT_FORMATS;
  const queryFormats: readonly string[] = RESULT_FORMATS;
  if (recipe.kind === 'filter' && flags.output !== undefined && !filterFormats.includes(flags.output))
    return { message: `--output ${flags.output} is for query recipes; ${recipe.name} is a filter`, hint: `filter recipes print ${OUTPUT_FORMATS.join(', ')}, or --count` };
  if (recipe.kind === 'query' && flags.output !== undefined && !queryFormats.includes(flags.output))
    return { message: `--output ${flags.output} is for filter recipes; ${recipe.name} is a query`, hint: `query recipes print ${RESULT_FORMATS.join(', ')}` };
  if (recipe.kind === 'query' && flags.count)
    return { message: `--count is for filter recipes; ${recipe.name} is a query`, hint: 'a query recipe prints its result table' };
  if (flags.count && flags.output !== undefined)
    return { message: '--count prints only a number: it takes no --output', hint: 'drop --output, or --count' };
  return null;
}
