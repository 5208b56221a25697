/**
 * The recipe catalog and filling: every recipe's text compiles, placeholders and parameters
 * agree, the log reference's texts are kept verbatim, values are written as literals that
 * nothing can break out of, and bad names and values are refused with a reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilterPattern } from '../../src/filter/index.js';
import { compileQuery, runQuery } from '../../src/insights/index.js';
import { isRequired, PLACEHOLDER, type Recipe, RECIPES } from '../../src/recipes/catalog.js';
import { filterString, insightsString } from '../../src/recipes/recipes-literals.js';
import { fillRecipe, findRecipe, prepareRecipe, RecipeError, type RecipeErrorKind, suggestRecipes } from '../../src/recipes/run.js';

/** Parameters for a recipe: its required ones from their examples. */
const minimal = (r: Recipe): Record<string, string> =>
  Object.fromEntries(r.params.filter(isRequired).map((p) => [p.name, String(p.example)]));

test('recipe names are unique, lower-case words joined by dashes, and descriptions are one line', () => {
  const names = RECIPES.map((r) => r.name);
  assert.equal(new Set(names).size, names.length);
  for (const r of RECIPES) {
    assert.match(r.name, /^[a-z0-9]+(?:-[a-z0-9]+)*$/, r.name);
    assert.ok(r.name !== 'list' && r.name !== 'run', 'list and run are subcommands');
    assert.doesNotMatch(r.description, /\n/, r.name);
    assert.ok(r.description.length > 10 && r.description.length < 160, `${r.name}: description length ${r.description.length}`);
  }
});

test('every placeholder is a declared parameter, and every parameter is used', () => {
  for (const r of RECIPES) {
    const used = new Set([...r.template.matchAll(PLACEHOLDER)].map((m) => m[1]!));
    assert.deepEqual([...used].sort(), r.params.map((p) => p.name).sort(), r.name);
    for (const p of r.params) {
      assert.ok(p.description.length > 0, `${r.name}.${p.name}`);
      if (isRequired(p)) assert.ok(p.example !== undefined, `${r.name}.${p.name}: a required parameter needs an example`);
    }
  }
});

test('every recipe compiles with its default parameters, and no placeholder is left', () => {
  for (const r of RECIPES) {
    const filled = fillRecipe(r, minimal(r));
    assert.doesNotMatch(filled.text, PLACEHOLDER, r.name);
    if (r.kind === 'filter') {
      const p = compileFilterPattern(filled.text);
      assert.deepEqual(p.diagnostics, [], `${r.name}: warnings`);
    } else compileQuery(filled.text);
  }
});

test('the log reference recipes are its texts verbatim, with its example values as defaults', () => {
  // spec D2.6
  const show = (name: string, params: Record<string, string> = {}): string => fillRecipe(findRecipe(name), params).text;
  assert.equal(show('disallowed'), '{ $.outcome = "disallowed" }');
  assert.equal(show('allowed-not-tls'), '{ $.outcome = "allowed" && $.proto != "tls" }');
  assert.equal(show('client-not-host'), '{ $.cat = "client" && $.src = "172.16.1.9" && $.dhost != "api.github.com" }');
  assert.equal(show('see-thru-expiring'), '{ $.see_thru_days_remaining <= 2 }');
  assert.equal(show('see-thru-exerted'), '{ $.see_thru_exerted is true && $.dhost != "ec2-instance-connect.*" }');
  assert.equal(
    show('allowlist', { gid: 'sg-00replaceme00' }),
    'filter see_thru_exerted AND see_thru_gid = "sg-00replaceme00"\n| stats count() by see_thru_exerted, see_thru_gid, dhost, proto, dpt',
  );
});

// ---------------------------------------------------------------------------------------------
// Literals

const HOSTILE = ['a"b', 'a\\b', '\\', '"', '\\"', 'x" || $.outcome = "allowed', 'x" or 1 = 1 or "', '"}', 'tail\\', 'ünï"cødé\\'];

test('a filter-pattern string literal holds any value exactly, and nothing breaks out of it', () => {
  for (const v of HOSTILE) {
    const p = compileFilterPattern(`{ $.src = ${filterString(v)} }`);
    assert.equal(p.matches(JSON.stringify({ src: v, outcome: 'allowed' })), true, v);
    assert.equal(p.matches(JSON.stringify({ src: `${v}!`, outcome: 'allowed' })), false, v);
    assert.equal(p.matches(JSON.stringify({ src: 'x', outcome: 'allowed' })), false, v);
  }
});

test('a Logs Insights string literal holds any value exactly, controls included', () => {
  for (const v of [...HOSTILE, 'new\nline', 'tab\there', 'cr\r', "it's"]) {
    const events = [
      { timestamp: 1, message: JSON.stringify({ src: v }) },
      { timestamp: 2, message: JSON.stringify({ src: `${v}!` }) },
      { timestamp: 3, message: JSON.stringify({ src: 'x' }) },
    ];
    const r = runQuery(`filter src = ${insightsString(v)} | stats count(*) as n`, events);
    assert.deepEqual(r.rows, [[1]], JSON.stringify(v));
  }
});

test('filled parameters are quoted for the recipe language', () => {
  const f = fillRecipe(findRecipe('client-not-host'), { client: 'a"b\\c', host: 'h' });
  assert.equal(f.text, '{ $.cat = "client" && $.src = "a\\"b\\\\c" && $.dhost != "h" }');
  const q = fillRecipe(findRecipe('allowlist'), { gid: 'sg-"x\\' });
  assert.match(q.text, /see_thru_gid = "sg-\\"x\\\\"\n/);
  compileFilterPattern(f.text);
  compileQuery(q.text);
});

test('integers are checked and written in plain decimal', () => {
  assert.equal(fillRecipe(findRecipe('see-thru-expiring'), { days: '-3' }).text, '{ $.see_thru_days_remaining <= -3 }');
  assert.equal(fillRecipe(findRecipe('see-thru-expiring'), { days: '+07' }).text, '{ $.see_thru_days_remaining <= 7 }');
  assert.equal(fillRecipe(findRecipe('see-thru-expiring'), { days: '-0' }).text, '{ $.see_thru_days_remaining <= 0 }');
  assert.match(fillRecipe(findRecipe('top-disallowed-by-client'), { limit: '100000' }).text, /\| limit 100000$/);
  assert.equal(fillRecipe(findRecipe('top-disallowed-by-group')).values.get('limit'), 50);
});

// ---------------------------------------------------------------------------------------------
// Refusals

function refused(kind: RecipeErrorKind, f: () => unknown, message: RegExp, hint?: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof RecipeError, String(e));
    assert.equal(e.kind, kind);
    assert.match(e.message, message);
    if (hint) assert.match(e.hint ?? '', hint);
    return true;
  });
}

test('bad values are refused with the parameter and the reason', () => {
  const days = findRecipe('see-thru-expiring');
  const limit = findRecipe('top-disallowed-by-client');
  for (const v of ['abc', '1.5', '1e3', '', ' 2', '2 ', '0x10', '99999999999999999999'])
    refused('invalid-value', () => fillRecipe(days, { days: v }), /see-thru-expiring, parameter days: .* is (not a whole number|too large)/);
  refused('invalid-value', () => fillRecipe(limit, { limit: '0' }), /out of range: from 1 to 100000/);
  refused('invalid-value', () => fillRecipe(limit, { limit: '100001' }), /out of range/);
  refused('invalid-value', () => fillRecipe(findRecipe('allowlist'), { gid: '' }), /parameter gid: "" is empty/, /--param gid=sg-0ccc3333/);
  for (const v of ['a\nb', 'a\u001bb', 'a\u009bb', 'a\u202eb'])
    refused('invalid-value', () => fillRecipe(findRecipe('client-not-host'), { host: v }), /control characters or bidi overrides/);
});

test('a missing required parameter and an unknown one are refused', () => {
  refused('missing-param', () => fillRecipe(findRecipe('allowlist')), /allowlist needs the parameter gid/, /--param gid=sg-0ccc3333/);
  refused('unknown-param', () => fillRecipe(findRecipe('allowlist'), { gid: 'sg-1', gdi: 'x' }), /no parameter "gdi"/, /its parameters: gid/);
  refused('unknown-param', () => fillRecipe(findRecipe('client-not-host'), { clint: 'x' }), /no parameter "clint"/, /did you mean client\?/);
  refused('unknown-param', () => fillRecipe(findRecipe('disallowed'), { days: '1' }), /no parameter "days"/, /takes no parameters/);
  // A Map works the same, and a name like __proto__ is just an unknown name.
  refused('unknown-param', () => fillRecipe(findRecipe('disallowed'), new Map([['__proto__', 'x']])), /no parameter "__proto__"/);
});

test('an unknown recipe name is refused with the nearest names', () => {
  refused('unknown-recipe', () => findRecipe('alowlist'), /no recipe named "alowlist"/, /did you mean allowlist\?/);
  refused('unknown-recipe', () => prepareRecipe('old-tsl'), /old-tsl/, /did you mean old-tls/);
  assert.deepEqual(suggestRecipes('see-thru'), ['see-thru-expiring', 'see-thru-exerted']);
  assert.ok(suggestRecipes('disallowd').includes('disallowed'));
  assert.deepEqual(suggestRecipes('zzzzzz'), []);
  refused('unknown-recipe', () => findRecipe('zzzzzz'), /zzzzzz/, /^haystack recipes lists them all$/);
});
