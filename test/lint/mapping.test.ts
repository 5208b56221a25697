/**
 * Property test of the place mapping: random values (quotes, backslashes, `${`, `%{`, tabs,
 * non-ASCII, astral characters, line breaks) are written into each file syntax by an encoder
 * here, which records where it wrote each character; lint must decode the value exactly and
 * place every UTF-16 unit where the encoder put it (a unit from an escape: the escape's start
 * plus its index). Fixed seed; set HAYSTACK_FC_SEED to try another.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cloudFormationJsonTargets, cloudFormationYamlTargets } from '../../src/lint/cloudformation.js';
import type { Extraction } from '../../src/lint/target.js';
import { terraformTargets } from '../../src/lint/terraform.js';
import { fcSeed } from '../support/property.js';

const SEED = fcSeed(20261125);
const RUNS = Number(process.env.HAYSTACK_FC_RUNS ?? 300);

const FLOW = ['a', 'b', 'Z', '0', ' ', '"', '\\', '$', '{', '}', '%', "'", 'é', '😀', '\t', ':', '#', '-', '!', '|', '*', '[', ']', ','];
const flowValue = fc.array(fc.constantFrom(...FLOW), { minLength: 1, maxLength: 30 }).map((cs) => cs.join(''));
/** Lines that start with a visible character (block scalars and <<- heredocs take leading spaces as indentation). */
const lines = fc.array(fc.tuple(fc.constantFrom('a', 'x', '|', '"', '#', '$', '%'), flowValue).map(([h, t]) => (h + t).trimEnd()), { minLength: 1, maxLength: 5 });

/** Writes a file piece by piece and remembers where each value unit went. */
class Encoder {
  text = '';
  readonly at: number[] = [];
  raw(s: string): void {
    this.text += s;
  }
  /** `units` of the value, written as `encoded`. */
  put(units: string, encoded: string): void {
    for (let i = 0; i < units.length; i++) this.at.push(this.text.length + i);
    this.text += encoded;
  }
}

function forEachUnit(value: string, f: (c: string, next: string | undefined, i: number) => void): void {
  for (let i = 0; i < value.length; i++) f(value[i]!, value[i + 1], i);
}

/** HCL quoted string (HCL spec: template literals). */
function hclQuoted(e: Encoder, value: string, pick: readonly boolean[]): void {
  e.raw('"');
  forEachUnit(value, (c, next, i) => {
    if ((c === '$' || c === '%') && next === '{') e.put(c, c + c);
    else if (c === '"' || c === '\\') e.put(c, `\\${c}`);
    else if (c === '\n') e.put(c, '\\n');
    else if (c === '\t') e.put(c, pick[i] ? '\\t' : '\t');
    else if (c === 'é' && pick[i]) e.put(c, '\\u00e9');
    else e.put(c, c);
  });
  e.raw('"');
}

/** JSON string: every unit raw (escaped where JSON needs it) or as \uXXXX. */
function jsonString(e: Encoder, value: string, pick: readonly boolean[]): void {
  e.raw('"');
  forEachUnit(value, (c, _n, i) => {
    const code = c.charCodeAt(0);
    if (pick[i] || (code >= 0xd800 && code <= 0xdfff && !/[\ud800-\udbff][\udc00-\udfff]/.test(value.slice(i - 1, i + 1) + value.slice(i, i + 2)))) e.put(c, `\\u${code.toString(16).padStart(4, '0')}`);
    else e.put(c, JSON.stringify(c).slice(1, -1));
  });
  e.raw('"');
}

/** YAML double-quoted scalar on one line. */
function yamlDouble(e: Encoder, value: string, pick: readonly boolean[]): void {
  e.raw('"');
  forEachUnit(value, (c, _n, i) => {
    if (c === '"' || c === '\\') e.put(c, `\\${c}`);
    else if (c === '\t') e.put(c, pick[i] ? '\\t' : '\t');
    else if (c === 'é' && pick[i]) e.put(c, '\\xe9');
    else e.put(c, c);
  });
  e.raw('"');
}

/** A file around one value: what comes before it, the value as `body` writes it, what follows. */
const wrap = (before: string, after: string) => (body: (e: Encoder) => void): Encoder => {
  const e = new Encoder();
  e.raw(before);
  body(e);
  e.raw(after);
  return e;
};
const hclFile = wrap('resource "aws_cloudwatch_query_definition" "q" {\n  name = "q"\n  query_string = ', '\n}\n');
const yamlFile = wrap('Resources:\n  Q:\n    Type: AWS::Logs::QueryDefinition\n    Properties:\n      Name: q\n      QueryString: ', '\n');

function holds<Ts extends [unknown, ...unknown[]]>(name: string, arbs: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> }, encode: (...xs: Ts) => { e: Encoder; value: string; extract: (s: string) => Extraction | Promise<Extraction> }): Promise<void> {
  return fc
    .assert(
      fc.asyncProperty(...arbs, async (...xs: Ts) => {
        const { e, value, extract } = encode(...xs);
        const found = await extract(e.text);
        assert.equal(found.diagnostics.length, 0, JSON.stringify(found.diagnostics));
        const v = found.targets[0]!.value;
        assert.equal(v.text, value);
        assert.deepEqual(v.offsets.slice(0, -1), e.at);
      }),
      { seed: SEED, numRuns: RUNS },
    )
    .catch((err: unknown) => {
      throw new Error(`${name}: failed with fast-check seed ${SEED} (rerun with HAYSTACK_FC_SEED=${SEED})\n${(err as Error).message}`, { cause: err });
    });
}

/**
 * tree-sitter-hcl 1.2.0 reads `$$${` as a literal `$$` and an interpolation, where HCL reads
 * `$` and an escaped `${` (hcl2json agrees); lint then reports the file as unparseable. A
 * literal `$` or `%` directly before a literal `${` or `%{` is rare enough to leave out here.
 */
const hclSafe = (v: string): boolean => !/\$\$\{|%%\{/.test(v);

const picks = fc.array(fc.boolean(), { minLength: 200, maxLength: 200 });
const multi = fc.array(fc.constantFrom(...FLOW, '\n'), { minLength: 1, maxLength: 40 }).map((cs) => cs.join(''));

test('mapping: HCL quoted strings', () =>
  holds<[string, boolean[]]>('hcl quoted', [multi.filter(hclSafe), picks], (value, pick) => ({ e: hclFile((e) => hclQuoted(e, value, pick)), value, extract: terraformTargets })));

test('mapping: HCL heredocs, <<EOT and <<-EOT with indentation', () =>
  holds<[string[], number, boolean]>('hcl heredoc', [lines.filter((ls) => ls.every(hclSafe)), fc.integer({ min: 0, max: 6 }), fc.boolean()], (ls, indent, flush) => {
    const value = ls.join('\n') + '\n';
    const e = hclFile((e) => {
      e.raw(flush ? '<<-EOT\n' : '<<EOT\n');
      for (const l of ls) {
        if (flush) e.raw(' '.repeat(indent));
        forEachUnit(l, (c, next) => e.put(c, (c === '$' || c === '%') && next === '{' ? c + c : c));
        e.put('\n', '\n');
      }
      e.raw(flush ? `${' '.repeat(indent)}EOT` : 'EOT');
    });
    return { e, value, extract: terraformTargets };
  }));

test('mapping: CloudFormation JSON strings with \\u escapes', () =>
  holds<[string, boolean[]]>('json', [multi, picks], (value, pick) => {
    const e = new Encoder();
    e.raw('{"Resources": {"Q": {"Type": "AWS::Logs::QueryDefinition", "Properties": {"QueryString": ');
    jsonString(e, value, pick);
    e.raw('}}}}');
    return { e, value, extract: cloudFormationJsonTargets };
  }));

test('mapping: YAML double-quoted scalars', () =>
  holds<[string, boolean[]]>('yaml double', [flowValue, picks], (value, pick) => ({ e: yamlFile((e) => yamlDouble(e, value, pick)), value, extract: cloudFormationYamlTargets })));

test('mapping: YAML single-quoted scalars', () =>
  holds<[string]>('yaml single', [flowValue], (value) => ({
    e: yamlFile((e) => {
      e.raw("'");
      forEachUnit(value, (c) => e.put(c, c === "'" ? "''" : c));
      e.raw("'");
    }),
    value,
    extract: cloudFormationYamlTargets,
  })));

/** A block scalar: `|` keeps line breaks, `>` folds them into spaces (placed at the break). */
function blockScalar(style: '|' | '>', ls: readonly string[], strip: boolean): { e: Encoder; value: string; extract: typeof cloudFormationYamlTargets } {
  const joiner = style === '|' ? '\n' : ' ';
  const value = ls.join(joiner) + (strip ? '' : '\n');
  const e = yamlFile((e) => {
    e.raw(`${style}${strip ? '-' : ''}\n`);
    ls.forEach((l, k) => {
      e.raw('        ');
      for (const c of l) e.put(c, c);
      if (k < ls.length - 1) e.put(joiner, '\n');
      else if (!strip) e.put('\n', '\n');
      else e.raw('\n');
    });
  });
  return { e, value, extract: cloudFormationYamlTargets };
}

test('mapping: YAML literal block scalars (| and |-)', () =>
  holds<[string[], boolean]>('yaml block', [lines, fc.boolean()], (ls, strip) => blockScalar('|', ls, strip)));

test('mapping: YAML folded block scalars (> and >-)', () =>
  holds<[string[], boolean]>('yaml folded', [lines, fc.boolean()], (ls, strip) => blockScalar('>', ls, strip)));

test('mapping: YAML multi-line double-quoted scalars fold like plain text', () =>
  holds<[string[]]>('yaml double multi-line', [lines.map((ls) => ls.map((l) => l.replace(/["\\]/g, 'q')))], (ls) => {
    const value = ls.join(' ');
    const e = yamlFile((e) => {
      e.raw('"');
      ls.forEach((l, k) => {
        for (const c of l) e.put(c, c);
        if (k < ls.length - 1) {
          e.put(' ', '\n');
          e.raw('        ');
        }
      });
      e.raw('"');
    });
    return { e, value, extract: cloudFormationYamlTargets };
  }));
