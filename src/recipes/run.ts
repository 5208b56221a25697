/**
 * The recipe runner: find a recipe by name, fill its parameters (checked, and written as safe
 * literals of its language), compile it, and run it over inputs with the filter or query scan.
 */
import type { ScanOptions, ScanReport, ScannedEvent } from '../engine/scan.js';
import { type CompiledFilterPattern, compileFilterPattern } from '../filter/index.js';
import { filterInputs } from '../filter/plan.js';
import { type CompiledQuery, compileQuery, type QueryResult, type RunOptions } from '../insights/index.js';
import { editDistance } from '../insights/parser.js';
import { queryInputs } from '../insights/scan.js';
import type { Input } from '../sources/inputs.js';
import { isRequired, PLACEHOLDER, type Recipe, type RecipeParam, RECIPES } from './catalog.js';
import { filterString, insightsString, integerLiteral } from './recipes-literals.js';

export type RecipeErrorKind = 'unknown-recipe' | 'unknown-param' | 'missing-param' | 'invalid-value';

/** Thrown for a recipe name or parameters that cannot be used; the CLI exits 2 on it. */
export class RecipeError extends Error {
  constructor(
    readonly kind: RecipeErrorKind,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'RecipeError';
  }
}

const BY_NAME: ReadonlyMap<string, Recipe> = new Map(RECIPES.map((r) => [r.name, r]));

/** Names close to `name` (a typo, or a part of a name), best first. */
export function suggestRecipes(name: string): string[] {
  const lower = name.toLowerCase();
  const scored = RECIPES.map((r) => {
    const d = editDistance(r.name, lower);
    return { name: r.name, d: d <= Math.max(2, Math.floor(r.name.length / 4)) ? d : lower.length >= 3 && r.name.includes(lower) ? 3 : Infinity };
  });
  return scored.filter((s) => s.d !== Infinity).sort((a, b) => a.d - b.d).slice(0, 3).map((s) => s.name);
}

export function findRecipe(name: string): Recipe {
  const r = BY_NAME.get(name);
  if (r) return r;
  const near = suggestRecipes(name);
  throw new RecipeError(
    'unknown-recipe',
    `there is no recipe named ${JSON.stringify(name)}`,
    near.length > 0 ? `did you mean ${near.join(', ')}? (haystack recipes lists them all)` : 'haystack recipes lists them all',
  );
}

export type RecipeParams = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

export interface FilledRecipe {
  readonly recipe: Recipe;
  /** The pattern or query with every placeholder filled: what to paste into CloudWatch. */
  readonly text: string;
  /** Every parameter's value, given or default. */
  readonly values: ReadonlyMap<string, string | number>;
}

/**
 * Fills a recipe's placeholders. Throws RecipeError for an unknown parameter, a missing required
 * one, or a value that is not valid for its type.
 */
export function fillRecipe(recipe: Recipe, params: RecipeParams = new Map()): FilledRecipe {
  const given = params instanceof Map ? params : new Map(Object.keys(params).map((k) => [k, (params as Record<string, string>)[k]!]));
  const declared = new Map(recipe.params.map((p) => [p.name, p]));
  for (const name of given.keys()) {
    if (declared.has(name)) continue;
    const names = recipe.params.map((p) => p.name);
    const near = names.filter((n) => editDistance(n, name.toLowerCase()) <= 2);
    throw new RecipeError(
      'unknown-param',
      `recipe ${recipe.name} has no parameter ${JSON.stringify(name)}`,
      names.length === 0 ? `${recipe.name} takes no parameters` : `${near.length > 0 ? `did you mean ${near[0]}? ` : ''}its parameters: ${names.join(', ')}`,
    );
  }
  const values = new Map<string, string | number>();
  for (const p of recipe.params) {
    const raw = given.get(p.name);
    if (raw === undefined) {
      if (isRequired(p)) {
        throw new RecipeError('missing-param', `recipe ${recipe.name} needs the parameter ${p.name}: ${p.description}`, `--param ${p.name}=${String(p.example ?? 'VALUE')}`);
      }
      values.set(p.name, p.default!);
    } else values.set(p.name, checkValue(recipe, p, raw));
  }
  const text = recipe.template.replace(PLACEHOLDER, (whole, name: string) => {
    const p = declared.get(name);
    if (!p) return whole; // not a parameter: text of the recipe itself
    const v = values.get(name)!;
    if (typeof v === 'number') return integerLiteral(v);
    return recipe.kind === 'filter' ? filterString(v) : insightsString(v);
  });
  return { recipe, text, values };
}

function checkValue(recipe: Recipe, p: RecipeParam, raw: string): string | number {
  const bad = (why: string, hint?: string): RecipeError =>
    new RecipeError('invalid-value', `recipe ${recipe.name}, parameter ${p.name}: ${JSON.stringify(raw)} ${why}`, hint);
  switch (p.type) {
    case 'string':
      // An empty value is almost always an unset shell variable. No flow-log field holds control
      // characters or bidi overrides, and --show prints the value to a terminal.
      if (raw === '') throw bad('is empty', `--param ${p.name}=${p.default ?? p.example ?? 'VALUE'}`);
      if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(raw)) throw bad('contains control characters or bidi overrides');
      return raw;
    case 'integer': {
      const range = `${p.min !== undefined ? `from ${p.min}` : ''}${p.min !== undefined && p.max !== undefined ? ' ' : ''}${p.max !== undefined ? `to ${p.max}` : ''}`;
      if (!/^[+-]?[0-9]+$/.test(raw)) throw bad('is not a whole number', `e.g. --param ${p.name}=${p.default ?? p.example ?? 1}`);
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) throw bad('is too large');
      if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) throw bad(`is out of range: ${range}`);
      return n === 0 ? 0 : n; // no -0
    }
    default: {
      const never: never = p;
      throw new Error(`unknown parameter type ${String(never)}`);
    }
  }
}

export type CompiledRecipe =
  | { readonly kind: 'filter'; readonly filled: FilledRecipe; readonly pattern: CompiledFilterPattern }
  | { readonly kind: 'query'; readonly filled: FilledRecipe; readonly query: CompiledQuery };

/** Compiles a filled recipe; throws the language's DiagnosticError if the text is invalid. */
export function compileRecipe(filled: FilledRecipe): CompiledRecipe {
  switch (filled.recipe.kind) {
    case 'filter':
      return { kind: 'filter', filled, pattern: compileFilterPattern(filled.text) };
    case 'query':
      return { kind: 'query', filled, query: compileQuery(filled.text) };
    default: {
      const never: never = filled.recipe.kind;
      throw new Error(`unknown recipe kind ${String(never)}`);
    }
  }
}

/** findRecipe, fillRecipe and compileRecipe in one call. */
export function prepareRecipe(name: string, params?: RecipeParams): CompiledRecipe {
  return compileRecipe(fillRecipe(findRecipe(name), params));
}

export type RecipeOutcome =
  | { readonly kind: 'filter'; readonly report: ScanReport }
  | { readonly kind: 'query'; readonly result: QueryResult; readonly report: ScanReport };

export interface RecipeRunOptions extends ScanOptions, RunOptions {
  /** Filter recipes: called for each matching event, in input order. */
  readonly onMatch?: (e: ScannedEvent) => void | Promise<void>;
}

/** Runs a compiled recipe over inputs: a filter's matches go to onMatch; a query returns its result. */
export async function runRecipe(compiled: CompiledRecipe, inputs: readonly Input[], options: RecipeRunOptions = {}): Promise<RecipeOutcome> {
  const { onMatch, ...rest } = options;
  switch (compiled.kind) {
    case 'filter':
      return { kind: 'filter', report: await filterInputs(compiled.pattern, inputs, onMatch ?? (() => undefined), rest) };
    case 'query': {
      const { result, report } = await queryInputs(compiled.query, inputs, rest);
      return { kind: 'query', result, report };
    }
    default: {
      const never: never = compiled;
      throw new Error(`unknown recipe kind ${String((never as CompiledRecipe).kind)}`);
    }
  }
}
