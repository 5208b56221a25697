/**
 * Matching a dhost against one allowlist addr (spec D4.6).
 *
 * The spec defines matching as the regular expression `^...$` built from the addr, with `*` as
 * `[^.]*`, `?` as `[^.]` and every other character literal. Neither wildcard can produce a `.`,
 * and a literal `.` matches only a `.`, so that expression matches exactly when the host has the
 * addr's number of labels and each host label matches the corresponding addr label as a glob.
 * This module matches label by label with the classic glob walk (no RegExp built from user
 * text, no backtracking beyond the last `*`, so time is bounded by label length squared, and
 * labels are at most 63 characters).
 */

const STAR = 42; // '*'
const QUESTION = 63; // '?'

/** Does the addr hold a wildcard (`*` or `?`, spec D4.6)? */
export function hasWildcard(addr: string): boolean {
  return addr.includes('*') || addr.includes('?');
}

/**
 * Compiles one normalised addr into a predicate over normalised hosts (lower-case, no trailing
 * dot: the caller normalises). An addr without wildcards is compared by string equality.
 *
 * Spec D4.6, with the INFERRED points of D9 #17 (the table's `wildcardToMatcher`): `*` matches
 * zero characters too (`api*.example.com` matches `api.example.com`), and wildcards may stand
 * anywhere in any label, several per label.
 */
export function compileAddrMatcher(addr: string): (host: string) => boolean {
  if (!hasWildcard(addr)) return (host) => host === addr;
  const labels = addr.split('.');
  const count = labels.length;
  // Per label: null when it is literal (compared with startsWith at the label's offset).
  const globs = labels.map((l) => (hasWildcard(l) ? l : null));
  return (host: string): boolean => {
    let start = 0;
    for (let i = 0; i < count; i++) {
      let end = host.indexOf('.', start);
      const last = i === count - 1;
      if (last) {
        if (end !== -1) return false; // the host has more labels than the addr
        end = host.length;
      } else if (end === -1) {
        return false; // the host has fewer labels than the addr
      }
      const glob = globs[i];
      if (glob === null) {
        const literal = labels[i];
        if (end - start !== literal.length || !host.startsWith(literal, start)) return false;
      } else if (!globLabel(glob, host, start, end)) {
        return false;
      }
      start = end + 1;
    }
    return true;
  };
}

/**
 * Does `host[from, to)` (which holds no `.`) match the label glob `pattern`? `*` is any run of
 * characters (zero included), `?` exactly one. The walk remembers only the last `*`: on a
 * mismatch it lets that `*` swallow one more character and retries from there.
 */
function globLabel(pattern: string, host: string, from: number, to: number): boolean {
  let p = 0;
  let h = from;
  let starP = -1; // pattern index just after the last `*` seen
  let starH = -1; // host index that `*` is currently matched up to
  while (h < to) {
    const c = p < pattern.length ? pattern.charCodeAt(p) : -1;
    if (c === STAR) {
      starP = ++p;
      starH = h;
    } else if (c !== -1 && (c === QUESTION || c === host.charCodeAt(h))) {
      p++;
      h++;
    } else if (starP !== -1) {
      p = starP;
      h = ++starH;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p++;
  return p === pattern.length;
}
