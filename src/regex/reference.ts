/**
 * The reference matcher: slow and obvious, written from spec 6.3 alone and sharing nothing with
 * compile.ts. It is the oracle for differential tests; it backtracks (memoised), so it must never
 * run on real log data.
 */
import { unreachable, type Atom, type AwsRegex, type ClassSet, type Item } from './ast.js';

export function referenceRegexMatch(regex: AwsRegex, text: string): boolean {
  const chars = Array.from(text); // one entry per character (code point), spec 6.3 "any single character"
  // Search: the regex matches when some branch matches starting at some position (spec 6.3).
  for (const branch of regex.branches) {
    for (let start = 0; start <= chars.length; start++) {
      if (matchFrom(branch.items, 0, start, chars, new Set())) return true;
    }
  }
  return false;
}

/** Can items[i..] match chars starting at pos? `failed` remembers (i, pos) pairs known to fail. */
function matchFrom(items: readonly Item[], i: number, pos: number, chars: string[], failed: Set<number>): boolean {
  if (i === items.length) return true; // the match may end anywhere: search semantics
  const key = i * (chars.length + 1) + pos;
  if (failed.has(key)) return false;
  const item = items[i];
  let ok = false;
  if (item.kind === 'anchor') {
    const at = item.at === 'start' ? pos === 0 : pos === chars.length; // whole string only, not lines
    ok = at && matchFrom(items, i + 1, pos, chars, failed);
  } else {
    const min = item.quantifier?.min ?? 1;
    const max = item.quantifier ? (item.quantifier.max ?? Infinity) : 1;
    // Try every count from min up to as many as match here (the lazy `?` changes nothing, D26).
    for (let n = 0; n <= max && !ok; n++) {
      if (n >= min && matchFrom(items, i + 1, pos + n, chars, failed)) ok = true;
      else if (pos + n >= chars.length || !matchesChar(item, chars[pos + n])) break;
    }
  }
  if (!ok) failed.add(key);
  return ok;
}

function matchesChar(atom: Atom, ch: string): boolean {
  const code = ch.codePointAt(0)!;
  switch (atom.kind) {
    case 'char': return code === atom.code; // case sensitive (spec 1.1)
    case 'any': return true; // D25: newline too
    case 'escape-class': return inSet(atom.set, ch) !== atom.negated;
    case 'class': {
      const listed = atom.members.some((m) =>
        m.kind === 'char' ? code === m.code
        : m.kind === 'range' ? m.from <= code && code <= m.to
        : inSet(m.set, ch) !== m.negated);
      return listed !== atom.negated;
    }
    default: return unreachable(atom);
  }
}

function inSet(set: ClassSet, ch: string): boolean {
  switch (set) {
    case 'digit': return ch >= '0' && ch <= '9';
    case 'space': return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v';
    case 'word': return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch === '_';
    default: return unreachable(set);
  }
}
