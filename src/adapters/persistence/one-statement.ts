/** A SQL statement with its `?` parameters, in the order they appear. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * Several data-modifying statements (inserts, updates, deletes on different rows) as one: all but
 * the last become CTEs of the last. PostgreSQL runs every data-modifying CTE exactly once and to
 * completion whether or not anything reads it, all against the same snapshot, and the statement
 * succeeds or fails as a whole; so the writes cost one round trip instead of one each. None may
 * depend on another's effect (they do not see each other's rows).
 */
export function asOneStatement(statements: readonly Statement[]): Statement {
  if (statements.length === 1) return statements[0]!;
  const last = statements[statements.length - 1]!;
  const ctes = statements.slice(0, -1).map((s, i) => `w${i} as (${s.sql})`);
  return { sql: `with ${ctes.join(', ')} ${last.sql}`, params: statements.flatMap((s) => s.params) };
}
