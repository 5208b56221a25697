/**
 * Golden files pin the recipe catalog as users see it: the text listing, and every recipe's
 * filled-in text with its default parameters (what --show prints, to paste into CloudWatch).
 * `npm run golden:update` rewrites them; review the diff.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderRecipeList } from '../../src/cli/recipes.js';
import { isRequired, RECIPES } from '../../src/recipes/catalog.js';
import { fillRecipe } from '../../src/recipes/run.js';
import { repoRoot } from '../paths.js';

const update = process.env.HAYSTACK_UPDATE_GOLDEN === '1';
const goldenDir = join(repoRoot, 'test', 'golden', 'recipes');

function check(name: string, actual: string): void {
  const file = join(goldenDir, `${name}.txt`);
  if (update) writeFileSync(file, actual);
  assert.ok(existsSync(file), `missing golden file ${file}: run npm run golden:update`);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

test('golden recipes: the text listing', () => check('list', renderRecipeList(RECIPES)));

test('golden recipes: every recipe filled in with its defaults (required parameters from their examples)', () => {
  const blocks = RECIPES.map((r) => {
    const params = Object.fromEntries(r.params.filter(isRequired).map((p) => [p.name, String(p.example)]));
    const given = Object.entries(params).map(([k, v]) => ` --param ${k}=${v}`).join('');
    return `# haystack recipes run ${r.name}${given} --show\n${fillRecipe(r, params).text}\n`;
  });
  check('show', blocks.join('\n'));
});
