// Differential tests: random regexes of the subset, built as ASTs and rendered to text, then
// parsed back; the compiled (re2js) matcher must agree with the reference matcher, and the
// prefilter literals must be sound. Fixed seed; set HAYSTACK_FC_SEED to try another.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compileAwsRegex, parseAwsRegex, referenceRegexMatch, requiredLiterals,
  type Atom, type AwsRegex, type Branch, type ClassMember, type ClassSet, type Item, type Quantifier,
} from '../../src/regex/index.js';

const SEED = Number(process.env.HAYSTACK_FC_SEED ?? 42);
const RUNS = 2000;
const NO_SPAN = { start: 0, end: 0 };

function run(name: string, prop: fc.IProperty<any>): void {
  try {
    fc.assert(prop, { seed: SEED, numRuns: RUNS });
  } catch (e) {
    console.error(`${name}: failed with fast-check seed ${SEED} (rerun with HAYSTACK_FC_SEED=${SEED})`);
    throw e;
  }
}

// ---- generating ASTs --------------------------------------------------------------------------

// Literal characters, chosen to hit every escaping rule: plain, operators, D35c literals, newline.
const LITERALS = 'ab0_ -.*+?|^$\\[]{}:\n';
const literal = fc.constantFrom(...LITERALS).map((c) => c.charCodeAt(0));
const set = fc.constantFrom<ClassSet>('digit', 'space', 'word');

const quantifier: fc.Arbitrary<Quantifier | null> = fc.option(
  fc.record({ min: fc.nat(3), extra: fc.option(fc.nat(3), { nil: null }), lazy: fc.boolean() })
    .map(({ min, extra, lazy }) => ({ min, max: extra === null ? null : min + extra, lazy, span: NO_SPAN })),
  { nil: null, freq: 2 },
);

const member: fc.Arbitrary<ClassMember> = fc.oneof(
  literal.map((code) => ({ kind: 'char' as const, code, span: NO_SPAN })),
  fc.tuple(literal, literal).map(([a, b]) => ({ kind: 'range' as const, from: Math.min(a, b), to: Math.max(a, b), span: NO_SPAN })),
  fc.record({ set, negated: fc.boolean() }).map((r) => ({ kind: 'escape-class' as const, ...r, span: NO_SPAN })),
);

const atom: fc.Arbitrary<Atom> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ code: literal, quantifier }).map((r) => ({ kind: 'char' as const, ...r, span: NO_SPAN })) },
  { weight: 1, arbitrary: quantifier.map((q) => ({ kind: 'any' as const, quantifier: q, span: NO_SPAN })) },
  { weight: 1, arbitrary: fc.record({ set, negated: fc.boolean(), quantifier }).map((r) => ({ kind: 'escape-class' as const, ...r, span: NO_SPAN })) },
  { weight: 2, arbitrary: fc.record({ negated: fc.boolean(), members: fc.array(member, { minLength: 1, maxLength: 3 }), quantifier })
    .map((r) => ({ kind: 'class' as const, ...r, span: NO_SPAN })) },
);

const item: fc.Arbitrary<Item> = fc.oneof(
  { weight: 9, arbitrary: atom },
  { weight: 1, arbitrary: fc.constantFrom('start' as const, 'end' as const).map((at) => ({ kind: 'anchor' as const, at, span: NO_SPAN })) },
);

const branch: fc.Arbitrary<Branch> = fc.array(item, { maxLength: 5 }).map((items) => ({ kind: 'branch', items, span: NO_SPAN }));

const regexAst: fc.Arbitrary<AwsRegex> = fc.array(branch, { minLength: 1, maxLength: 3 })
  .map((branches) => ({ kind: 'regex' as const, branches, span: NO_SPAN }))
  .filter((r) => render(r) !== ''); // D23: `%%` is invalid

// ---- rendering ASTs to text (independently of the parser) -------------------------------------

const hex = (code: number) => `\\x${code.toString(16).padStart(2, '0').toUpperCase()}`;
const SETS = { digit: 'd', space: 's', word: 'w' } as const;

function renderChar(code: number, inClass: boolean): string {
  const c = String.fromCharCode(code);
  if (code < 0x20) return inClass ? hex(code).toLowerCase() : hex(code);
  if (inClass) return '-]\\^'.includes(c) ? `\\${c}` : c;
  return '.*+?|^$\\[{'.includes(c) ? `\\${c}` : c; // `]` and `}` stay bare: literals (D35c)
}

function renderQuantifier(q: Quantifier | null): string {
  if (!q) return '';
  const { min, max } = q;
  const base = min === 0 && max === 1 ? '?' : min === 0 && max === null ? '*' : min === 1 && max === null ? '+'
    : max === null ? `{${min},}` : min === max ? `{${min}}` : min === 0 ? `{,${max}}` : `{${min},${max}}`;
  return base + (q.lazy ? '?' : '');
}

function renderItem(i: Item): string {
  switch (i.kind) {
    case 'anchor': return i.at === 'start' ? '^' : '$';
    case 'char': return renderChar(i.code, false) + renderQuantifier(i.quantifier);
    case 'any': return '.' + renderQuantifier(i.quantifier);
    case 'escape-class': return `\\${i.negated ? SETS[i.set].toUpperCase() : SETS[i.set]}` + renderQuantifier(i.quantifier);
    case 'class': {
      const members = i.members.map((m) => m.kind === 'char' ? renderChar(m.code, true)
        : m.kind === 'range' ? `${renderChar(m.from, true)}-${renderChar(m.to, true)}`
        : `\\${m.negated ? SETS[m.set].toUpperCase() : SETS[m.set]}`);
      return `[${i.negated ? '^' : ''}${members.join('')}]` + renderQuantifier(i.quantifier);
    }
  }
}

function render(r: AwsRegex): string {
  return r.branches.map((b) => b.items.map(renderItem).join('')).join('|');
}

/** The AST without spans, for comparing what was generated with what was parsed. */
function shape(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === 'span' ? undefined : v)));
}

// ---- texts ------------------------------------------------------------------------------------

// Small alphabet: the literals above, other whitespace, non-ASCII, an astral character and a
// lone surrogate (one character each, for both matchers).
const TEXT_CHARS = ['a', 'b', '0', '7', '_', ' ', '-', '.', '*', ']', '{', '\\', ':', '\n', '\t', '\v', '\r', 'Z', 'é', '😀', '\ud800'];
const text = fc.array(fc.constantFrom(...TEXT_CHARS), { maxLength: 10 }).map((a) => a.join(''));

/** A string one branch is likely to match, built from random choices (biases runs toward matches). */
function witness(r: AwsRegex, choices: number[]): string {
  let k = 0;
  const next = (n: number) => (n <= 0 ? 0 : (choices[k++ % choices.length] ?? 0) % n);
  const pick = (xs: string[]) => xs[next(xs.length)];
  const sample: Record<ClassSet, [string[], string[]]> = {
    digit: [['0', '7'], ['a', '-', 'é']],
    space: [[' ', '\n', '\t', '\v'], ['a', '😀']],
    word: [['a', 'Z', '_', '0'], ['-', ' ', 'é']],
  };
  const one = (a: Atom): string => {
    switch (a.kind) {
      case 'char': return String.fromCharCode(a.code);
      case 'any': return pick(TEXT_CHARS);
      case 'escape-class': return pick(sample[a.set][a.negated ? 1 : 0]);
      case 'class': {
        if (a.negated) return pick(TEXT_CHARS);
        const m = a.members[next(a.members.length)];
        return m.kind === 'char' ? String.fromCharCode(m.code)
          : m.kind === 'range' ? String.fromCharCode(m.from + next(m.to - m.from + 1))
          : pick(sample[m.set][m.negated ? 1 : 0]);
      }
    }
  };
  const b = r.branches[next(r.branches.length)];
  let out = '';
  for (const i of b.items) {
    if (i.kind === 'anchor') continue;
    const q = i.quantifier ?? { min: 1, max: 1 };
    const n = q.min + next((q.max ?? q.min + 2) - q.min + 1);
    for (let j = 0; j < n; j++) out += one(i);
  }
  return out;
}

// ---- properties -------------------------------------------------------------------------------

function parsed(ast: AwsRegex): AwsRegex {
  const body = render(ast);
  const { regex, diagnostics } = parseAwsRegex(body, 1);
  assert.deepEqual(diagnostics, [], `%${body}% should parse`);
  return regex!;
}

function agree(regex: AwsRegex, t: string): boolean {
  const body = JSON.stringify(render(regex));
  const want = referenceRegexMatch(regex, t);
  assert.equal(compileAwsRegex(regex)(t), want, `%${body}% on ${JSON.stringify(t)}: compiled differs from reference`);
  const lits = requiredLiterals(regex);
  if (want && lits) assert.ok(lits.some((l) => t.includes(l)), `%${body}% matches ${JSON.stringify(t)} without any of ${JSON.stringify(lits)}`);
  return want;
}

describe('differential: compiled vs reference (fast-check)', () => {
  it('rendered ASTs parse back to the same AST', () => {
    run('round trip', fc.property(regexAst, (ast) => {
      assert.deepEqual(shape(parsed(ast)), shape(ast), `%${render(ast)}%`);
    }));
  });

  it('agree on random texts, and requiredLiterals is sound', () => {
    run('random texts', fc.property(regexAst, text, (ast, t) => { agree(parsed(ast), t); }));
  });

  it('agree on texts built to match, and requiredLiterals is sound', () => {
    let matched = 0;
    run('witness texts', fc.property(regexAst, text, text, fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
      (ast, before, after, choices) => {
        if (agree(parsed(ast), before + witness(ast, choices) + after)) matched++;
      }));
    // Guard against a vacuous test: most witness texts should match.
    assert.ok(matched > RUNS / 2, `only ${matched} of ${RUNS} witness texts matched`);
  });
});
