/**
 * Literal clauses, the language-free form of a prefilter: a conjunction of clauses, each a set
 * of literals of which a matching line holds at least one. Both languages derive clauses from
 * their ASTs; these rules combine them and pick the one the byte gate searches for.
 */
export type Clause = readonly string[];

/** The clause most likely to rule lines out: few literals, long ones. Null when there is none. */
export function bestClause(clauses: readonly Clause[]): Clause | null {
  if (clauses.length === 0) return null;
  const score = (c: Clause): number => Math.min(...c.map((l) => l.length)) / c.length;
  let pick = clauses[0]!;
  for (const c of clauses) if (score(c) > score(pick)) pick = c;
  return pick;
}

/** A match of `a || b` holds a literal of a or one of b: one clause from each side, joined. */
export function orClauses(a: readonly Clause[], b: readonly Clause[]): Clause[] {
  const x = bestClause(a);
  const y = bestClause(b);
  return x === null || y === null ? [] : [[...x, ...y]];
}
