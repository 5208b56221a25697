/**
 * Golden files pin how invalid Logs Insights queries are rendered: every error of a query in
 * one run, each with a caret and a hint. `npm run golden:update` rewrites them.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileQuery, QueryError, renderAllText } from '../../src/index.js';
import { repoRoot } from '../paths.js';

const CASES: Record<string, string> = {
  'three-broken-stages': 'fields dhost, | filter dpt > | stats count(*) by',
  'unknown-command': 'fields dhost | frobnicate dhost',
  'did-you-mean-command': 'fields dhost | filtr outcome = "disallowed"',
  'empty-query': '',
  'only-comment': '# nothing to see',
  'trailing-pipe': 'fields dhost |',
  'double-pipe': 'fields dhost || limit 5',
  'unterminated-string': 'filter dhost = "api.github.com',
  'unbalanced-paren': 'filter (dpt > 1',
  'regex-flags': 'filter dhost like /github/i',
  'bad-regex': 'filter dhost like /a(b/',
  'lookahead': 'filter dhost like /api(?=\\.)/',
  'unterminated-backtick': 'fields `foo-bar',
  'unknown-function': 'fields strlenn(dhost)',
  'arity': 'fields substr(dhost)',
  'aggregate-in-filter': 'filter count(*) > 1',
  'aggregate-in-fields': 'fields sum(dpt)',
  'stats-without-aggregate': 'stats strlen(dhost) by dpt',
  'nested-aggregate': 'stats sum(count(*))',
  'three-stats': 'stats count(*) as a by dhost | stats count(*) as b by a | stats count(*) as c',
  'second-stats-field': 'stats count(*) as n by dhost | stats max(spt) as m',
  'second-stats-bin': 'stats count(*) as n by dhost | stats sum(n) by bin(5m)',
  'sort-before-second-stats': 'stats count(*) as n by dhost | sort n desc | stats max(n) as m',
  'after-dedup': 'fields dhost | dedup dhost | sort dhost asc',
  'glob-count': 'parse @message "a=* b=*" as a',
  'regex-parse-no-group': 'parse @message /dhost":"[a-z.]+/',
  'limit-too-big': 'fields dhost | limit 100001',
  'limit-zero': 'fields dhost | limit 0',
  'duration-as-value': 'fields 5m as x',
  'bad-period-unit': 'stats count(*) by bin(5parsecs)',
  'keyword-as-field': 'fields by',
  'unsupported-source': "SOURCE logGroups(namePrefix: ['Discrimi']) | fields dhost",
  'unsupported-pattern': 'fields @message | pattern @message',
  'bang-space-equals': 'filter dpt ! = 443',
  'triple-equals': 'filter dpt === 443',
};

const update = process.env.HAYSTACK_UPDATE_GOLDEN === '1';

function render(query: string): string {
  try {
    compileQuery(query);
    return '(valid)\n';
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    return `kind: ${e.kind}\n\n${renderAllText(e.diagnostics, query, 'query')}\n`;
  }
}

test('at least 20 invalid queries are pinned, one with three broken stages', () => {
  const invalid = Object.values(CASES).filter((q) => render(q) !== '(valid)\n');
  assert.ok(invalid.length >= 20);
  try {
    compileQuery(CASES['three-broken-stages']!);
    assert.fail('should be invalid');
  } catch (e) {
    assert.ok(e instanceof QueryError);
    assert.equal(e.diagnostics.length, 3);
  }
});

for (const [name, query] of Object.entries(CASES)) {
  test(`golden query diagnostics: ${name}`, () => {
    const file = join(repoRoot, 'test', 'golden', 'insights', `${name}.txt`);
    const actual = `query: ${query}\n\n${render(query)}`;
    if (update) writeFileSync(file, actual);
    assert.ok(existsSync(file), `missing golden file ${file}: run npm run golden:update`);
    assert.equal(actual, readFileSync(file, 'utf8'));
  });
}
