/**
 * Golden files pin how invalid (and warned-about) patterns are rendered: message, caret and
 * hint. `npm run golden:update` rewrites them; review the diff.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileFilterPattern, DiagnosticError, renderAllText } from '../../src/index.js';
import { repoRoot } from '../paths.js';

/** name -> pattern. Names are file names; keep them stable. */
const CASES: Record<string, string> = {
  'too-long': `{ $.a = "${'x'.repeat(1030)}" }`,
  'unterminated-string': '{ $.dhost = "api.github.com }',
  'trailing-backslash': '"ERROR\\',
  'text-after-json': '{ $.outcome = "allowed" } ERROR',
  'regex-with-terms': 'ERROR %time.*out%',
  'unterminated-regex': '{ $.dhost = %github }',
  'needs-quotes-at': 'email@example.com',
  'needs-quotes-unicode': 'café',
  'dangling-prefix': 'ERROR - Exiting',
  'doubled-prefix': '?-ERROR',
  'adjacent-terms': '"a""b"',
  'no-word': '*',
  'empty-json': '{ }',
  'missing-brace': '{ $.outcome = "disallowed"',
  'no-selector': '{ outcome = "disallowed" }',
  'value-first': '{ "disallowed" = $.outcome }',
  'selector-index-first': '{ $[0] = 1 }',
  'selector-space': '{ $.a [0] = 1 }',
  'negative-index': '{ $.a[-1] = 1 }',
  'no-operator': '{ $.see_thru_exerted }',
  'missing-value': '{ $.outcome = }',
  'unquoted-at': '{ $.email = john@example.com }',
  'relational-string': '{ $.see_thru_days_remaining <= "2" }',
  'is-not': '{ $.see_thru_exerted IS NOT TRUE }',
  'bare-exists': '{ $.see_thru_gid EXISTS }',
  'double-equals': '{ $.outcome == "allowed" }',
  'single-ampersand': '{ $.a = 1 & $.b = 2 }',
  'unclosed-paren': '{ ($.a = 1 || $.b = 2 }',
  'stray-paren': '{ $.a = 1 ) }',
  'two-wildcards-selector': '{ $.*.items[*] = 1 }',
  'four-wildcards': '{ $.a[*] = 1 && $.b[*] = 2 && $.c[*] = 3 && $.d[*] = 4 }',
  'three-regexes': '{ $.a = %x% && $.b = %y% && $.c = %z% }',
  'regex-parens': '{ $.dhost = %(api|www)\\.github\\.com% }',
  'regex-bad-escape': '%\\bERROR%',
  'sd-unclosed': '[ip, user, status',
  'sd-empty-field': '[a,,b]',
  'sd-name-differs': '[ip, status_code = 4* && bytes > 1000]',
  'sd-parens': '[a, (b = 1)]',
  'sd-bad-name': '[1st, b]',
  'sd-ellipsis-dots': '[a, ....]',
  'warn-split-terms': 'ORDER-ITEM-1',
  'warn-second-ellipsis': '[..., user = frank, ...]',
};

const update = process.env.HAYSTACK_UPDATE_GOLDEN === '1';

function render(pattern: string): string {
  try {
    const p = compileFilterPattern(pattern);
    return p.diagnostics.length === 0 ? '(no diagnostics)\n' : renderAllText(p.diagnostics, pattern) + '\n';
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    return renderAllText(e.diagnostics, pattern) + '\n';
  }
}

test('at least 20 invalid patterns are pinned', () => {
  const invalid = Object.values(CASES).filter((p) => {
    try {
      compileFilterPattern(p);
      return false;
    } catch {
      return true;
    }
  });
  assert.ok(invalid.length >= 20, `only ${invalid.length}`);
});

for (const [name, pattern] of Object.entries(CASES)) {
  test(`golden diagnostics: ${name}`, () => {
    const file = join(repoRoot, 'test', 'golden', 'filter', `${name}.txt`);
    const actual = `pattern: ${pattern}\n\n${render(pattern)}`;
    if (update) writeFileSync(file, actual);
    assert.ok(existsSync(file), `missing golden file ${file}: run npm run golden:update`);
    assert.equal(actual, readFileSync(file, 'utf8'));
  });
}
