/**
 * Golden files pin how bad rule descriptions are reported (spec D4.3): message, caret, hint,
 * and what the firewall makes of the rule. `npm run golden:update` rewrites them; review the
 * diff.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderAllText } from '../../src/diagnostics/render.js';
import { AnnotationCode, type AnnotationOptions, parseAnnotation, printAnnotation } from '../../src/discriminat/annotations.js';
import { repoRoot } from '../paths.js';

/** name -> description (and options). Names are file names; keep them stable. */
const CASES: Record<string, string | [string, AnnotationOptions]> = {
  'unknown-kind': 'discriminat:http:example.com',
  'space-in-prefix': 'discriminat: tls:api.github.com',
  'missing-colon': 'discriminat:tls',
  'missing-kind': 'discriminat:',
  'see-thru-underscore': 'discriminat:see_thru:2026-03-31',
  'date-not-calendar': 'discriminat:see-thru:2026-02-30',
  'date-malformed': 'discriminat:see-thru:31/03/2026',
  'date-missing': 'discriminat:see-thru:',
  'empty-list': 'discriminat:tls:',
  'empty-entries': 'discriminat:tls:api.github.com,,pypi.org,',
  'whitespace': 'discriminat:tls: api.github.com , pypi .org',
  'url-not-hostname': 'discriminat:tls:https://api.github.com',
  'empty-label': 'discriminat:tls:api..github.com',
  'trailing-dots': 'discriminat:tls:api.github.com..',
  'leading-dot': 'discriminat:tls:.github.com',
  'single-label': 'discriminat:ssh:localhost',
  'long-label': `discriminat:tls:${'a'.repeat(64)}.example.com`,
  'long-name': `discriminat:tls:${Array.from({ length: 4 }, (_, i) => String.fromCharCode(97 + i).repeat(63)).join('.')}.com`,
  'non-ascii': 'discriminat:tls:café.example.com',
  'ip-literal': 'discriminat:tls:api.github.com,140.82.121.6',
  'exposure-none': ['discriminat:tls:*.github.com,api.github.com', { exposure: 'none' }],
  'exposure-prohibit-asterisk': ['discriminat:tls:*.github.com,api?.example.com', { exposure: 'prohibit_asterisk' }],
  'public-suffix': 'discriminat:tls:*.github.io,docs.example.com',
  'public-suffix-more': 'discriminat:tls:*.cloudflare.net,*.*,*.git?ub.io,*.github.com',
  'g1-wildcard': ['discriminat:tls:*.github.com,api.github.com', { generation: 'G1' }],
  'question-mark-on-aws': 'discriminat:tls:api?.example.com',
  'ampersand-on-group-rule': ['R&D egress', { target: 'groupId' }],
  'too-long': `discriminat:tls:${Array.from({ length: 16 }, (_, i) => `service-${String(i).padStart(2, '0')}.example.com`).join(',')}`,
  'tab-in-description': 'discriminat:tls:a.example.com,\tb.example.com',
};

const update = process.env.HAYSTACK_UPDATE_GOLDEN === '1';

function render(description: string, options: AnnotationOptions | undefined): string {
  const { annotation, diagnostics } = parseAnnotation(description, options);
  const lines = [`description: ${JSON.stringify(description)}`];
  if (options) lines.push(`options: ${JSON.stringify(options)}`);
  lines.push(`annotation: ${annotation.kind}${annotation.kind === 'none' || annotation.kind === 'invalid' ? '' : ` -> ${printAnnotation(annotation)}`}`);
  if (annotation.kind === 'protocol') {
    for (const r of annotation.refused) lines.push(`refused: ${JSON.stringify(r.raw)} (${r.key}): ${r.outcome}`);
  }
  lines.push('', diagnostics.length === 0 ? '(no diagnostics)' : renderAllText(diagnostics, description, 'description'));
  return lines.join('\n') + '\n';
}

function entries(): [string, string, AnnotationOptions | undefined][] {
  return Object.entries(CASES).map(([name, c]) => (typeof c === 'string' ? [name, c, undefined] : [name, c[0], c[1]]));
}

test('the golden cases cover every code the annotation parser emits', () => {
  const seen = new Set<string>();
  for (const [, d, o] of entries()) for (const x of parseAnnotation(d, o).diagnostics) seen.add(`${x.code} ${x.severity}`);
  const expected = Object.values(AnnotationCode).map((c) => (c === 'HS3003' || c === 'HS3010' || c === 'HS3020' ? `${c} warning` : `${c} error`));
  expected.push('HS3011 warning'); // HS3011 is an error inside an entry, a warning around one (D4.3)
  for (const e of expected) assert.ok(seen.has(e), `no golden case gives ${e}`);
  assert.ok(entries().length >= 15);
});

for (const [name, description, options] of entries()) {
  test(`golden annotation diagnostics: ${name}`, () => {
    const file = join(repoRoot, 'test', 'golden', 'annotations', `${name}.txt`);
    const actual = render(description, options);
    if (update) writeFileSync(file, actual);
    assert.ok(existsSync(file), `missing golden file ${file}: run npm run golden:update`);
    assert.equal(actual, readFileSync(file, 'utf8'));
  });
}
