/**
 * Runs a parsed regex on re2js (linear time, so a hostile pattern or line cannot stall a scan).
 * The AST is translated to RE2 syntax here, every literal written as a hex escape and every
 * class as explicit code-point ranges, so no RE2 default (its `\s`, `.`, `$`, POSIX classes)
 * leaks into the meaning fixed by spec 6.3. Also derives the literals a byte prefilter can use.
 */
import { RE2JS } from 're2js';
import { unreachable, type Atom, type AwsRegex, type Branch, type ClassSet, type Item } from './ast.js';

/** Search semantics (spec 6.3): true when some substring of `text` matches. */
export function compileAwsRegex(regex: AwsRegex): (text: string) => boolean {
  const re = RE2JS.compile(re2Source(regex));
  return (text) => re.test(text);
}

/** The RE2 pattern `compileAwsRegex` runs (exposed for tests and debugging). */
export function re2Source(regex: AwsRegex): string {
  return regex.branches.map((b) => `(?:${b.items.map(itemSource).join('')})`).join('|');
}

function itemSource(item: Item): string {
  if (item.kind === 'anchor') return item.at === 'start' ? '\\A' : '\\z'; // never at line breaks (spec 6.3)
  const q = item.quantifier;
  const bound = !q ? '' : q.max === q.min ? `{${q.min}}` : `{${q.min},${q.max ?? ''}}`; // lazy ignored (D26)
  return classSource(atomRanges(item)) + bound;
}

type Ranges = Array<[number, number]>;
const MAX_CODE_POINT = 0x10ffff;

// spec 6.3: \d = [0-9]; \s = space, tab, \n, \v, \f, \r (RE2's own \s lacks \v); \w = [A-Za-z0-9_].
const SETS: Record<ClassSet, Ranges> = {
  digit: [[0x30, 0x39]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
};

/** The code points one atom matches, as sorted, disjoint ranges. */
function atomRanges(atom: Atom): Ranges {
  switch (atom.kind) {
    case 'char': return [[atom.code, atom.code]];
    case 'any': return [[0, MAX_CODE_POINT]]; // D25: line breaks included
    case 'escape-class': return atom.negated ? complement(SETS[atom.set]) : SETS[atom.set];
    case 'class': {
      const parts: Ranges = [];
      for (const m of atom.members) {
        if (m.kind === 'char') parts.push([m.code, m.code]);
        else if (m.kind === 'range') parts.push([m.from, m.to]);
        else parts.push(...(m.negated ? complement(SETS[m.set]) : SETS[m.set]));
      }
      const set = normalize(parts);
      return atom.negated ? complement(set) : set;
    }
    default: return unreachable(atom);
  }
}

function normalize(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(ranges: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

function classSource(ranges: Ranges): string {
  if (ranges.length === 0) return `[^\\x{0}-\\x{${MAX_CODE_POINT.toString(16)}}]`; // e.g. [^\s\S]: matches nothing
  const hex = (c: number) => `\\x{${c.toString(16)}}`;
  if (ranges.length === 1 && ranges[0][0] === ranges[0][1]) return hex(ranges[0][0]);
  return `[${ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('')}]`;
}

/**
 * Literals such that every string the regex matches contains at least one of them, or null when
 * no such set is known (some branch has no mandatory literal). One per branch: its longest run of
 * characters that must appear consecutively. Sound by construction; used for a byte prefilter
 * (all literals are ASCII, spec 6.2 and D35d, so their UTF-8 bytes are the characters).
 */
export function requiredLiterals(regex: AwsRegex): string[] | null {
  const found: string[] = [];
  for (const branch of regex.branches) {
    const lit = longestRun(branch);
    if (lit === '') return null;
    found.push(lit);
  }
  // A literal that contains another is implied by it: keep the shorter one only.
  const unique = [...new Set(found)];
  return unique.filter((l) => !unique.some((o) => o !== l && l.includes(o)));
}

function longestRun(branch: Branch): string {
  let best = '';
  let run = '';
  const end = () => { if (run.length > best.length) best = run; };
  for (const item of branch.items) {
    if (item.kind === 'anchor') continue; // zero width: characters around it are still adjacent
    const q = item.quantifier ?? { min: 1, max: 1 };
    if (item.kind !== 'char' || q.min === 0) { end(); run = ''; continue; }
    const c = String.fromCharCode(item.code).repeat(q.min);
    run += c;
    // With a variable count, what precedes and what follows are no longer at a fixed distance:
    // the run ends after the mandatory copies, and the next one starts with them.
    if (q.max !== q.min) { end(); run = c; }
  }
  end();
  return best;
}
